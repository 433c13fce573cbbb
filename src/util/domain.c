/*
 * domain.c - see domain.h. libpsl answers "2.1" for the IP 192.0.2.1, so IP
 * literals are recognised (inet_pton) before the PSL is asked.
 */
#include "domain.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "hash.h"

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl_ctx;
static char psl_date[16];

static void psl_init(void)
{
    /* Debian's publicsuffix file when present, else the list built into libpsl */
    psl_ctx_t *p = psl_latest(NULL);
    psl_ctx = p ? p : psl_builtin();
    time_t t = psl_builtin_file_time();
    struct stat st;
    if (p && psl_dist_filename() && stat(psl_dist_filename(), &st) == 0)
        t = st.st_mtime;
    struct tm tm;
    if (t > 0 && gmtime_r(&t, &tm))
        strftime(psl_date, sizeof psl_date, "%Y-%m-%d", &tm);
    else
        snprintf(psl_date, sizeof psl_date, "unknown");
}

const char *domain_psl_date(void)
{
    pthread_once(&psl_once, psl_init);
    return psl_date;
}

int domain_ip_family(const char *host)
{
    if (!host)
        return 0;
    char buf[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof buf)
        return 0;
    if (n >= 5 && (host[0] | 0x20) == 'i' && (host[1] | 0x20) == 'p' && (host[2] | 0x20) == 'v' &&
        host[3] == '6' && host[4] == ':') {
        host += 5;
        n -= 5;
    }
    /* inet_pton accepts only digits and dots (IPv4) or hex digits, ':' and
     * '.' (IPv6): most hosts are names and fail here without a copy */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)host[i];
        unsigned char l = c | 0x20;
        if (!((c >= '0' && c <= ':') || c == '.' || (l >= 'a' && l <= 'f')))
            return 0;
    }
    memcpy(buf, host, n);
    buf[n] = '\0';
    unsigned char out[16];
    if (inet_pton(AF_INET, buf, out) == 1)
        return 4;
    if (inet_pton(AF_INET6, buf, out) == 1)
        return 6;
    return 0;
}

enum { DA_SLOTS = 512, DA_LEN = 64 };
typedef struct {
    unsigned char klen, state; /* state 0 empty, 1 val, 2 no ASCII form */
    char key[DA_LEN], val[DA_LEN];
} da_slot;
static __thread da_slot da_cache[DA_SLOTS];
static char *ascii_uncached(arena *a, char *h);

char *domain_ascii(arena *a, const char *host)
{
    if (!host || !*host)
        return NULL;
    size_t n = strlen(host);
    if (n > 253 * 4)
        return NULL;
    char *h = arena_strndup(a, host, n);
    if (!h)
        return NULL;
    while (n && h[n - 1] == '.')
        h[--n] = '\0';
    if (!n)
        return NULL;
    if (domain_ip_family(h))
        return h;
    /* pure ASCII: UTS #46 only lowercases A-Z, and what idn2 rejects is
     * lowercased below anyway, so the answer is the lowercased name */
    int ascii = 1;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = (unsigned char)h[i] < 0x80;
    if (ascii) {
        for (size_t i = 0; i < n; i++)
            if (h[i] >= 'A' && h[i] <= 'Z')
                h[i] = (char)(h[i] - 'A' + 'a');
        return h;
    }
    /* idn2 costs ~40k instructions a call and mail repeats its hosts: a
     * per-thread cache of recent short names (no state shared between threads) */
    da_slot *slot = NULL;
    if (n < DA_LEN) {
        uint32_t hv = fnv1a(h, n);
        slot = &da_cache[hv % DA_SLOTS];
        if (slot->state && slot->klen == n && memcmp(slot->key, h, n) == 0)
            return slot->state == 2 ? NULL : arena_strdup(a, slot->val);
    }
    char key[DA_LEN];
    if (slot)
        memcpy(key, h, n); /* ascii_uncached may lowercase h in place */
    char *r = ascii_uncached(a, h);
    size_t rl = r ? strlen(r) : 0;
    if (slot && rl < DA_LEN) {
        memcpy(slot->key, key, n);
        slot->klen = (unsigned char)n;
        if (r)
            memcpy(slot->val, r, rl + 1);
        slot->state = r ? 1 : 2;
    }
    return r;
}

static char *ascii_uncached(arena *a, char *h)
{
    char *out = NULL;
    int rc = idn2_to_ascii_8z(h, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        /* names with '_' or other STD3-invalid letters still occur in mail */
        rc = idn2_to_ascii_8z(h, &out, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK) {
            int ascii = 1;
            for (char *p = h; *p; p++)
                if ((unsigned char)*p >= 0x80)
                    ascii = 0;
            if (!ascii)
                return NULL;
            for (char *p = h; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            return h;
        }
    }
    char *r = arena_strdup(a, out);
    idn2_free(out);
    if (r)
        for (char *p = r; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    return r;
}

char *domain_unicode(arena *a, const char *host)
{
    if (!host)
        return NULL;
    /* lower-case letters, digits, '-' and '.' without an "xn--" label
     * prefix: idn2 answers with the same string or fails (and the copy
     * is returned then too), so the call is skipped */
    int ldh = *host != '\0';
    for (const char *p = host; ldh && *p; p++) {
        char c = *p;
        ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    }
    if (ldh && !strstr(host, "xn--"))
        return arena_strdup(a, host);
    char *out = NULL;
    if (idn2_to_unicode_8z8z(host, &out, 0) != IDN2_OK || !out)
        return arena_strdup(a, host);
    char *r = arena_strdup(a, out);
    idn2_free(out);
    return r;
}

/* libpsl costs ~7k instructions a lookup and a mail asks about the same
 * hosts many times (Received, links, brand checks): a per-thread cache of
 * both answers for short names, like domain_ascii's. */
enum { PC_SLOTS = 512, PC_LEN = 64 };
enum { PC_UNKNOWN = 0, PC_VAL, PC_NULL };
typedef struct {
    unsigned char klen, reg, suf; /* reg, suf: PC_* */
    char key[PC_LEN], regv[PC_LEN], sufv[PC_LEN];
} pc_slot;
static __thread pc_slot pc_cache[PC_SLOTS];

/* libpsl's registrable/unregistrable loops ask is_public_suffix(X, 0)
 * for X = the host, then each suffix after a dot, left to right. The first
 * X is nearly always new, but the later ones (outlook.com, co.jp, com)
 * repeat across hosts: the same loops here, with each answer for a suffix
 * remembered per thread. libpsl's own loops only differ for hosts of more
 * than 8 labels (it looks at the last 8) and a registrable domain of a
 * host with a leading dot (NULL): those still go to libpsl. */
enum { PS_SLOTS = 1024, PS_LEN = 64 };
typedef struct {
    unsigned char klen, st; /* st: 0 empty, 1 public suffix, 2 not */
    char key[PS_LEN];
} ps_slot;
static __thread ps_slot ps_cache[PS_SLOTS];

static int is_ps_memo(const char *x)
{
    size_t n = strlen(x);
    if (n >= PS_LEN)
        return psl_is_public_suffix2(psl_ctx, x, 0);
    ps_slot *s = &ps_cache[fnv1a(x, n) % PS_SLOTS];
    if (s->st && s->klen == n && memcmp(s->key, x, n) == 0)
        return s->st == 1;
    int r = psl_is_public_suffix2(psl_ctx, x, 0);
    memcpy(s->key, x, n);
    s->klen = (unsigned char)n;
    s->st = r ? 1 : 2;
    return r;
}

static int few_labels(const char *h, size_t n)
{
    size_t dots = 0;
    for (size_t i = 0; i < n; i++)
        dots += h[i] == '.';
    return dots < 8;
}

static const char *registrable_memo(const char *h, size_t n)
{
    if (*h == '.' || !few_labels(h, n))
        return psl_registrable_domain(psl_ctx, h);
    const char *d = h, *regdom = NULL, *p;
    while (!is_ps_memo(d)) {
        if (!(p = strchr(d, '.')))
            break;
        regdom = d;
        d = p + 1;
    }
    return regdom;
}

static const char *unregistrable_memo(const char *h, size_t n)
{
    if (!few_labels(h, n))
        return psl_unregistrable_domain(psl_ctx, h);
    const char *d = h;
    while (!is_ps_memo(d)) {
        if ((d = strchr(d, '.')))
            d++;
        else
            break;
    }
    return d;
}

/* The answer for h (n bytes, fnv1a hash hv: plain - ASCII, no capitals, no
 * trailing dot): from the per-thread slot, else NULL for an IP literal,
 * else from libpsl; NULL for none. Valid until the next look-up on this
 * thread. (IP literals never get a slot, so a known answer is a name's.) */
static const char *psl_answer(const char *h, size_t n, uint32_t hv, int want_suffix)
{
    pc_slot *slot = NULL;
    if (n < PC_LEN) {
        slot = &pc_cache[hv % PC_SLOTS];
        if (slot->klen == n && memcmp(slot->key, h, n) == 0) {
            unsigned char st = want_suffix ? slot->suf : slot->reg;
            if (st == PC_NULL)
                return NULL;
            if (st == PC_VAL)
                return want_suffix ? slot->sufv : slot->regv;
        }
    }
    if (domain_ip_family(h))
        return NULL;
    if (slot && (slot->klen != n || memcmp(slot->key, h, n) != 0)) {
        memcpy(slot->key, h, n);
        slot->klen = (unsigned char)n;
        slot->reg = slot->suf = PC_UNKNOWN;
    }
    const char *r = want_suffix ? unregistrable_memo(h, n) : registrable_memo(h, n);
    size_t rl = r ? strlen(r) : 0;
    if (slot && rl < PC_LEN) {
        if (r)
            memcpy(want_suffix ? slot->sufv : slot->regv, r, rl + 1);
        *(want_suffix ? &slot->suf : &slot->reg) = r ? PC_VAL : PC_NULL;
    }
    return r;
}

/* n: the length of host when it is what domain_ascii would make of it
 * (ASCII, no capitals, no trailing dot), else 0; *hv its fnv1a hash
 * (made in the same pass) */
static size_t plain_host_len(const char *host, uint32_t *hv)
{
    if (!host)
        return 0;
    uint32_t h = 2166136261u;
    size_t n = 0;
    for (; host[n]; n++) {
        unsigned char c = (unsigned char)host[n];
        if (c >= 0x80 || (c >= 'A' && c <= 'Z'))
            return 0;
        h = (h ^ c) * 16777619u;
    }
    *hv = h;
    return n && n <= 253 * 4 && host[n - 1] != '.' ? n : 0;
}

static char *psl_cached(arena *a, const char *host, int want_suffix)
{
    pthread_once(&psl_once, psl_init);
    /* a plain host is looked up as it is, without the copy */
    uint32_t hv = 0;
    size_t n = plain_host_len(host, &hv);
    const char *h = host;
    if (!n) {
        h = domain_ascii(a, host);
        if (!h)
            return NULL;
        n = strlen(h);
        hv = fnv1a(h, n);
    }
    const char *r = psl_answer(h, n, hv, want_suffix);
    return r ? arena_strdup(a, r) : NULL;
}

int domain_registrable_buf(const char *host, char *buf, size_t cap)
{
    pthread_once(&psl_once, psl_init);
    uint32_t hv = 0;
    size_t n = plain_host_len(host, &hv);
    if (!n)
        return -1;
    const char *r = psl_answer(host, n, hv, 0);
    if (!r)
        return 0;
    size_t rl = strlen(r);
    if (rl >= cap)
        return -1;
    memcpy(buf, r, rl + 1);
    return 1;
}

char *domain_registrable(arena *a, const char *host)
{
    return psl_cached(a, host, 0);
}

char *domain_suffix(arena *a, const char *host)
{
    return psl_cached(a, host, 1);
}

int domain_suffix_known(const char *host)
{
    pthread_once(&psl_once, psl_init);
    if (!host || !*host || domain_ip_family(host))
        return 0;
    arena *a = arena_new(4096);
    if (!a)
        return 0;
    char *h = domain_ascii(a, host);
    const char *dot = h ? strrchr(h, '.') : NULL;
    int known = 0;
    if (dot && dot[1])
        known = psl_is_public_suffix2(psl_ctx, dot + 1, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
    arena_free(a);
    return known;
}
