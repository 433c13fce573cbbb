/*
 * ipintel.c - offline IP facts for the origin of a mail and for link hosts: ASN + AS org from
 * asn.bin (tools/asn_build.c output, mmap'd; the file may be corrupt: its header and section
 * bounds are checked at load, and each range, AS entry and string a lookup uses is checked by
 * that lookup, so nothing outside the file is read and no damaged entry is reported), country
 * from the geo-whois-asn-country mmdb (libmaxminddb), provider from data/providers.tsv (rDNS
 * pattern, checked against the ASN, else ASN). Data: ip-location-db - RouteViews + DB-IP.com
 * IP to ASN Lite and RIR/NRO delegations, both CC BY 4.0: intel_attribution() must go with the
 * facts. After intel_load() nothing is written, so one handle serves all threads.
 */
#include "ipintel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <maxminddb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef KENSA_DATA_DIR
#define KENSA_DATA_DIR "data"
#endif
#ifndef KENSA_IP_DIR_DEFAULT
#define KENSA_IP_DIR_DEFAULT ".deps/ip"
#endif

#define INTEL_MAX_TABLE_BYTES (1u << 20) /* providers.tsv / countries.tsv */
#define INTEL_MAX_PROVIDERS 1024
#define INTEL_MAX_LIST 64 /* ASNs or patterns per provider row */
#define INTEL_MAX_RDNS 253
#define INTEL_MAX_SOURCE 256 /* asn.bin source string */
#define INTEL_MAX_ORG 4096   /* asn.bin org string (asn_build reads lines of < 4096 bytes) */
#define ASNBIN_MAX_BYTES ((uint64_t)1 << 31)
#define GEO_FILE "geo-whois-asn-country.mmdb"

typedef struct {
    const char *name, *kind;
    const char **pat;   /* lowercased at load */
    size_t *pat_tail;   /* length of the literal text after the last '*' (quick reject) */
    unsigned char *pat_suffix_only; /* pattern is "*" + literal: the tail test decides */
    unsigned *asn;
    size_t npat, nasn;
} provider;

typedef struct {
    unsigned asn;
    unsigned row;
} asn_row;

typedef struct {
    char *buf;                 /* the file, split in place */
    const char *ja[676], *en[676]; /* index (c0-'A')*26 + (c1-'A') */
} country_table;

struct intel_data {
    /* asn.bin */
    const unsigned char *img;
    size_t img_len;
    int img_mapped;
    const unsigned char *v4, *v6, *as, *str;
    uint32_t n_v4, n_v6, n_as, str_size;
    const char *source;
    /* country mmdb */
    MMDB_s mmdb;
    int have_mmdb;
    /* providers */
    char *prov_buf;
    provider *prov;
    size_t nprov;
    asn_row *by_asn;
    size_t nby_asn;
    country_table countries;
    char attribution[512];
};

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(char **err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(err, fmt, ap) < 0)
        *err = NULL;
    va_end(ap);
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t rdbe32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* ------------------------------------------------------------------ asn.bin checks */

/* The string at s, which ends at a NUL inside the string table: at most max bytes of valid
 * UTF-8 without C0/DEL controls. A continuation byte is read only after the bytes before it
 * passed, so a NUL stops the walk and nothing past the string's end is read. */
static int str_ok(const unsigned char *s, size_t max)
{
    size_t i = 0;
    while (s[i]) {
        if (i >= max)
            return 0;
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t len;
        unsigned min;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, min = 0x10000;
        else
            return 0;
        unsigned cp = c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static int section_ok(uint64_t off, uint64_t n, uint64_t rec, uint64_t len)
{
    return off >= ASNBIN_HEADER_SIZE && off <= len && n <= (len - off) / rec;
}

/* Checks what every lookup relies on and fills the section pointers of d: magic, version,
 * size (a truncated or padded file is refused), every section inside the file, a NUL ending
 * the string table (so every string in it ends inside it) and the source string. The ranges,
 * AS entries and org strings are not scanned here: the lookup that reaches one checks it
 * (asn_find, org_at). Scanning them all read the whole 11.5 MB file at every start, ~4 ms of
 * CPU, a third of a one-mail run. */
static int asnbin_check(intel_data *d, const unsigned char *p, size_t len, char **err)
{
    if (len < ASNBIN_HEADER_SIZE || len > ASNBIN_MAX_BYTES || memcmp(p, ASNBIN_MAGIC, 8) != 0) {
        set_err(err, "not an asn.bin file (bad size or magic)");
        return -1;
    }
    if (rd32(p + 8) != ASNBIN_VERSION || rd32(p + 12) != ASNBIN_HEADER_SIZE) {
        set_err(err, "asn.bin: unsupported version %u (want %u)", rd32(p + 8), ASNBIN_VERSION);
        return -1;
    }
    if (rd32(p + 16) != len) {
        set_err(err, "asn.bin: truncated or padded (header says %u bytes, file has %zu)",
                rd32(p + 16), len);
        return -1;
    }
    uint32_t n4 = rd32(p + 20), o4 = rd32(p + 24), n6 = rd32(p + 28), o6 = rd32(p + 32);
    uint32_t nas = rd32(p + 36), oas = rd32(p + 40), ssz = rd32(p + 44), ostr = rd32(p + 48);
    uint32_t src = rd32(p + 52);
    if (!section_ok(o4, n4, ASNBIN_V4_REC, len) || !section_ok(o6, n6, ASNBIN_V6_REC, len) ||
        !section_ok(oas, nas, ASNBIN_AS_REC, len) || !section_ok(ostr, ssz, 1, len)) {
        set_err(err, "asn.bin: section out of bounds");
        return -1;
    }
    const unsigned char *str = p + ostr;
    if (ssz == 0 || str[ssz - 1] != 0 || src >= ssz) {
        set_err(err, "asn.bin: bad string table");
        return -1;
    }
    if (strlen((const char *)str + src) > INTEL_MAX_SOURCE) {
        set_err(err, "asn.bin: source string too long");
        return -1;
    }
    if (!str_ok(str + src, INTEL_MAX_SOURCE)) {
        set_err(err, "asn.bin: bad string table (source string)");
        return -1;
    }
    d->img = p;
    d->img_len = len;
    d->v4 = p + o4;
    d->v6 = p + o6;
    d->as = p + oas;
    d->str = str;
    d->n_v4 = n4;
    d->n_v6 = n6;
    d->n_as = nas;
    d->str_size = ssz;
    d->source = (const char *)str + src;
    return 0;
}

/* 0 loaded, 1 absent, -1 error */
static int asnbin_open(intel_data *d, const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        set_err(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < ASNBIN_HEADER_SIZE ||
        (uint64_t)st.st_size > ASNBIN_MAX_BYTES) {
        set_err(err, "%s: not a regular file of plausible size", path);
        close(fd);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    /* not MAP_POPULATE: a lookup reads ~20 records of the 11.5 MB */
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        set_err(err, "%s: mmap: %s", path, strerror(errno));
        return -1;
    }
    char *e = NULL;
    if (asnbin_check(d, m, len, &e) != 0) {
        set_err(err, "%s: %s", path, e ? e : "invalid");
        free(e);
        munmap(m, len);
        return -1;
    }
    d->img_mapped = 1;
    return 0;
}

/* ------------------------------------------------------------------ text tables */

static char *slurp(const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(INTEL_MAX_TABLE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, INTEL_MAX_TABLE_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f) || n > INTEL_MAX_TABLE_BYTES;
    fclose(f);
    if (bad) {
        set_err(err, "%s: unreadable or larger than %u bytes", path, INTEL_MAX_TABLE_BYTES);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Split s at sep in place into at most max fields; returns the count. */
static size_t split(char *s, char sep, char **out, size_t max)
{
    size_t n = 0;
    while (n < max) {
        out[n++] = s;
        char *c = strchr(s, sep);
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

static int cmp_asn_row(const void *a, const void *b)
{
    const asn_row *x = a, *y = b;
    if (x->asn != y->asn)
        return x->asn < y->asn ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static const char *const kinds[] = {"cloud", "cdn", "mailbox", "esp", "isp"};

static int providers_load(intel_data *d, const char *path, char **err)
{
    d->prov_buf = slurp(path, err);
    if (!d->prov_buf)
        return -1;
    d->prov = calloc(INTEL_MAX_PROVIDERS, sizeof *d->prov);
    if (!d->prov)
        goto oom;
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(d->prov_buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *f[6];
        if (split(line, '\t', f, 6) != 5 || !f[0][0]) {
            set_err(err, "%s: row %u: want 5 TAB-separated columns", path, lineno);
            return -1;
        }
        if (d->nprov == INTEL_MAX_PROVIDERS) {
            set_err(err, "%s: more than %d providers", path, INTEL_MAX_PROVIDERS);
            return -1;
        }
        provider *p = &d->prov[d->nprov];
        p->name = f[0];
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            if (strcmp(f[1], kinds[k]) == 0)
                p->kind = kinds[k];
        if (!p->kind) {
            set_err(err, "%s: row %u: unknown kind '%s'", path, lineno, f[1]);
            return -1;
        }
        char *items[INTEL_MAX_LIST + 1];
        size_t n = strcmp(f[2], "-") == 0 ? 0 : split(f[2], ',', items, INTEL_MAX_LIST + 1);
        p->asn = calloc(n ? n : 1, sizeof *p->asn);
        if (!p->asn)
            goto oom;
        for (size_t k = 0; k < n; k++) {
            char *end;
            errno = 0;
            unsigned long v = strtoul(items[k], &end, 10);
            if (n > INTEL_MAX_LIST || *end || end == items[k] || errno || v == 0 ||
                v > UINT32_MAX) {
                set_err(err, "%s: row %u: bad ASN list", path, lineno);
                return -1;
            }
            p->asn[p->nasn++] = (unsigned)v;
        }
        n = strcmp(f[3], "-") == 0 ? 0 : split(f[3], ',', items, INTEL_MAX_LIST + 1);
        if (n > INTEL_MAX_LIST) {
            set_err(err, "%s: row %u: too many patterns", path, lineno);
            return -1;
        }
        p->pat = calloc(n ? n : 1, sizeof *p->pat);
        p->pat_tail = calloc(n ? n : 1, sizeof *p->pat_tail);
        p->pat_suffix_only = calloc(n ? n : 1, 1);
        if (!p->pat || !p->pat_tail || !p->pat_suffix_only)
            goto oom;
        for (size_t k = 0; k < n; k++) {
            char *pt = items[k];
            if (!pt[0])
                continue;
            for (char *c = pt; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c + 32);
            const char *star = strrchr(pt, '*');
            p->pat_tail[p->npat] = strlen(star ? star + 1 : pt);
            p->pat_suffix_only[p->npat] = star == pt;
            p->pat[p->npat++] = pt;
        }
        d->nprov++;
    }
    size_t total = 0;
    for (size_t i = 0; i < d->nprov; i++)
        total += d->prov[i].nasn;
    d->by_asn = calloc(total ? total : 1, sizeof *d->by_asn);
    if (!d->by_asn)
        goto oom;
    for (size_t i = 0; i < d->nprov; i++)
        for (size_t k = 0; k < d->prov[i].nasn; k++)
            d->by_asn[d->nby_asn++] = (asn_row){d->prov[i].asn[k], (unsigned)i};
    qsort(d->by_asn, d->nby_asn, sizeof *d->by_asn, cmp_asn_row);
    return 0;
oom:
    set_err(err, "%s: out of memory", path);
    return -1;
}

static int cc_index(const char *cc)
{
    if (!cc || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' || cc[2] != '\0')
        return -1;
    return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

static int countries_load(country_table *t, const char *path, char **err)
{
    t->buf = slurp(path, err);
    if (!t->buf)
        return -1;
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(t->buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *f[4];
        int i = -1;
        if (split(line, '\t', f, 4) != 3 || (i = cc_index(f[0])) < 0 || !f[1][0] || !f[2][0]) {
            set_err(err, "%s: row %u: want CODE<TAB>ja<TAB>en", path, lineno);
            return -1;
        }
        t->ja[i] = f[1];
        t->en[i] = f[2];
    }
    return 0;
}

static const char *country_lookup(const country_table *t, const char *cc, const char *lang)
{
    int i = cc_index(cc);
    if (i < 0)
        return NULL;
    return lang && strcmp(lang, "ja") == 0 ? t->ja[i] : t->en[i];
}

/* ------------------------------------------------------------------ load / free */

static void build_attribution(intel_data *d)
{
    char geo[64] = "";
    if (d->have_mmdb) {
        time_t t = (time_t)d->mmdb.metadata.build_epoch;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(geo, sizeof geo, "; country data built %Y-%m-%d", &tm);
    }
    if (!d->img && !d->have_mmdb) {
        d->attribution[0] = '\0';
        return;
    }
    snprintf(d->attribution, sizeof d->attribution,
             "IP data: ip-location-db (RouteViews, DB-IP.com \xe2\x80\x94 IP Geolocation by DB-IP, "
             "RIR/NRO data via nro.net; CC BY 4.0), %s%s",
             d->source && d->source[0] ? d->source : "ASN data not installed", geo);
}

intel_data *intel_load(const char *data_dir, const char *ip_dir, char **err)
{
    if (err)
        *err = NULL;
    if (!data_dir || !*data_dir) {
        data_dir = getenv("KENSA_DATA_DIR");
        if (!data_dir || !*data_dir)
            data_dir = KENSA_DATA_DIR;
    }
    if (!ip_dir || !*ip_dir) {
        ip_dir = getenv("KENSA_IP_DIR");
        if (!ip_dir || !*ip_dir)
            ip_dir = KENSA_IP_DIR_DEFAULT;
    }
    intel_data *d = calloc(1, sizeof *d);
    if (!d) {
        set_err(err, "out of memory");
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/providers.tsv", data_dir);
    if (providers_load(d, path, err) != 0)
        goto fail;
    snprintf(path, sizeof path, "%s/countries.tsv", data_dir);
    if (countries_load(&d->countries, path, err) != 0)
        goto fail;
    snprintf(path, sizeof path, "%s/asn.bin", ip_dir);
    if (asnbin_open(d, path, err) < 0)
        goto fail;
    snprintf(path, sizeof path, "%s/%s", ip_dir, GEO_FILE);
    if (access(path, F_OK) == 0) {
        int st = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
        if (st != MMDB_SUCCESS) {
            set_err(err, "%s: %s", path, MMDB_strerror(st));
            goto fail;
        }
        d->have_mmdb = 1;
    }
    build_attribution(d);
    return d;
fail:
    intel_free(d);
    return NULL;
}

intel_data *intel_load_asn_image(const void *image, size_t len, char **err)
{
    if (err)
        *err = NULL;
    intel_data *d = calloc(1, sizeof *d);
    if (!d) {
        set_err(err, "out of memory");
        return NULL;
    }
    if (!image || asnbin_check(d, image, len, err) != 0) {
        free(d);
        return NULL;
    }
    build_attribution(d);
    return d;
}

void intel_free(intel_data *d)
{
    if (!d)
        return;
    if (d->img_mapped)
        munmap((void *)d->img, d->img_len);
    if (d->have_mmdb)
        MMDB_close(&d->mmdb);
    if (d->prov)
        for (size_t i = 0; i < d->nprov; i++) {
            free(d->prov[i].asn);
            free(d->prov[i].pat);
            free(d->prov[i].pat_tail);
            free(d->prov[i].pat_suffix_only);
        }
    /* a row that failed half-way keeps its arrays in prov[nprov] */
    if (d->prov && d->nprov < INTEL_MAX_PROVIDERS) {
        free(d->prov[d->nprov].asn);
        free(d->prov[d->nprov].pat);
        free(d->prov[d->nprov].pat_tail);
        free(d->prov[d->nprov].pat_suffix_only);
    }
    free(d->prov);
    free(d->by_asn);
    free(d->prov_buf);
    free(d->countries.buf);
    free(d);
}

int intel_ip_available(const intel_data *d)
{
    return d && d->img ? 1 : 0;
}

int intel_geo_available(const intel_data *d)
{
    return d && d->have_mmdb ? 1 : 0;
}

const char *intel_attribution(const intel_data *d)
{
    return d ? d->attribution : "";
}

const char *intel_country_name_d(const intel_data *d, const char *cc, const char *lang)
{
    return d ? country_lookup(&d->countries, cc, lang) : NULL;
}

/* The process-wide table behind intel_country_name(): loaded once, never written again. */
static pthread_once_t g_countries_once = PTHREAD_ONCE_INIT;
static country_table *g_countries;

static void g_countries_init(void)
{
    const char *dd = getenv("KENSA_DATA_DIR");
    if (!dd || !*dd)
        dd = KENSA_DATA_DIR;
    char path[4096];
    snprintf(path, sizeof path, "%s/countries.tsv", dd);
    country_table *t = calloc(1, sizeof *t);
    if (t && countries_load(t, path, NULL) != 0) {
        free(t->buf);
        free(t);
        t = NULL;
    }
    g_countries = t;
}

const char *intel_country_name(const char *cc, const char *lang)
{
    pthread_once(&g_countries_once, g_countries_init);
    return g_countries ? country_lookup(g_countries, cc, lang) : NULL;
}

/* ------------------------------------------------------------------ lookup */

typedef struct {
    int fam; /* 4 or 6 */
    unsigned char a[16];
} ipaddr;

static int parse_ip(const char *s, ipaddr *ip)
{
    char buf[64];
    size_t n = strlen(s);
    if (n > 0 && s[0] == '[' && s[n - 1] == ']')
        s++, n -= 2;
    if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0)
        s += 5, n -= 5;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    buf[strcspn(buf, "%")] = '\0'; /* zone id */
    if (inet_pton(AF_INET, buf, ip->a) == 1) {
        ip->fam = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, ip->a) != 1)
        return -1;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(ip->a, mapped, 12) == 0) {
        memmove(ip->a, ip->a + 12, 4);
        ip->fam = 4;
    } else {
        ip->fam = 6;
    }
    return 0;
}

/* AS record of the range holding ip, or NULL. The records are not scanned at load
 * (asnbin_check), so the one found is checked here: the binary search stays inside the
 * table whatever the records say, and its answer counts only when the range is ordered
 * against both neighbours (in a sorted, disjoint table it then is the one range holding ip)
 * and its AS index is inside the AS table. A damaged record answers nothing. */
static const unsigned char *asn_find(const intel_data *d, const ipaddr *ip)
{
    size_t lo = 0, hi;
    uint32_t idx;
    if (ip->fam == 4) {
        uint32_t v = rdbe32(ip->a);
        hi = d->n_v4;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (rdbe32(d->v4 + mid * ASNBIN_V4_REC) <= v)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0) /* else record lo - 1 was probed: its start <= v */
            return NULL;
        const unsigned char *r = d->v4 + (lo - 1) * ASNBIN_V4_REC;
        uint32_t s = rdbe32(r), e = rdbe32(r + 4);
        if (v > e || (lo > 1 && rdbe32(r - ASNBIN_V4_REC + 4) >= s) ||
            (lo < d->n_v4 && rdbe32(r + ASNBIN_V4_REC) <= e))
            return NULL;
        idx = rd32(r + 8);
    } else {
        hi = d->n_v6;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (memcmp(d->v6 + mid * ASNBIN_V6_REC, ip->a, 16) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0)
            return NULL;
        const unsigned char *r = d->v6 + (lo - 1) * ASNBIN_V6_REC;
        if (memcmp(ip->a, r + 16, 16) > 0 ||
            (lo > 1 && memcmp(r - ASNBIN_V6_REC + 16, r, 16) >= 0) ||
            (lo < d->n_v6 && memcmp(r + ASNBIN_V6_REC, r + 16, 16) <= 0))
            return NULL;
        idx = rd32(r + 32);
    }
    return idx < d->n_as ? d->as + (size_t)idx * ASNBIN_AS_REC : NULL;
}

/* The org string of an AS record, or NULL when its offset is outside the string table or
 * the string is not valid (see str_ok; INTEL_MAX_ORG is above tools/asn_build.c's line
 * limit, so it only stops a hostile file from making every lookup walk a huge string). */
static const char *org_at(const intel_data *d, const unsigned char *as)
{
    uint32_t off = rd32(as + 4);
    if (off >= d->str_size || !str_ok(d->str + off, INTEL_MAX_ORG))
        return NULL;
    return (const char *)d->str + off;
}

static void country_find(const intel_data *d, const ipaddr *ip, char cc[3])
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    const struct sockaddr *sa;
    if (ip->fam == 4) {
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        memcpy(&sin.sin_addr, ip->a, 4);
        sa = (const struct sockaddr *)&sin;
    } else {
        memset(&sin6, 0, sizeof sin6);
        sin6.sin6_family = AF_INET6;
        memcpy(&sin6.sin6_addr, ip->a, 16);
        sa = (const struct sockaddr *)&sin6;
    }
    int merr = MMDB_SUCCESS;
    MMDB_lookup_result_s res = MMDB_lookup_sockaddr(&d->mmdb, sa, &merr);
    if (merr != MMDB_SUCCESS || !res.found_entry)
        return;
    MMDB_entry_data_s v;
    int st = MMDB_get_value(&res.entry, &v, "country_code", NULL);
    if (st != MMDB_SUCCESS || !v.has_data) /* GeoLite2-Country layout */
        st = MMDB_get_value(&res.entry, &v, "country", "iso_code", NULL);
    if (st != MMDB_SUCCESS || !v.has_data || v.type != MMDB_DATA_TYPE_UTF8_STRING ||
        v.data_size != 2) /* not NUL-terminated: use data_size */
        return;
    if (v.utf8_string[0] >= 'A' && v.utf8_string[0] <= 'Z' && v.utf8_string[1] >= 'A' &&
        v.utf8_string[1] <= 'Z') {
        cc[0] = v.utf8_string[0];
        cc[1] = v.utf8_string[1];
        cc[2] = '\0';
    }
}

/* Glob over lowercase strings, '*' = any run; iterative with one backtrack point, so at most
 * O(len(p) * len(s)) steps. */
static int glob_match(const char *p, const char *s)
{
    const char *star = NULL, *ss = NULL;
    while (*s) {
        char pc = *p, sc = *s;
        if (pc == '*') {
            star = p++;
            ss = s;
        } else if (pc && pc == sc) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++ss;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static int prov_has_asn(const provider *p, unsigned asn)
{
    for (size_t i = 0; i < p->nasn; i++)
        if (p->asn[i] == asn)
            return 1;
    return 0;
}

static const provider *provider_by_asn(const intel_data *d, unsigned asn)
{
    size_t lo = 0, hi = d->nby_asn;
    while (lo < hi) { /* first entry with .asn >= asn = the earliest row */
        size_t mid = lo + (hi - lo) / 2;
        if (d->by_asn[mid].asn < asn)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < d->nby_asn && d->by_asn[lo].asn == asn)
        return &d->prov[d->by_asn[lo].row];
    return NULL;
}

int intel_lookup(const intel_data *d, const char *ip, const char *rdns, ip_info *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!d)
        return -1;
    ipaddr a;
    int have_ip = ip && parse_ip(ip, &a) == 0;
    if (have_ip && d->img) {
        const unsigned char *as = asn_find(d, &a);
        const char *org = as ? org_at(d, as) : NULL;
        if (org) { /* a damaged AS entry answers nothing, as a damaged range */
            out->asn = rd32(as);
            out->as_org = org[0] ? org : NULL;
        }
    }
    if (have_ip && d->have_mmdb)
        country_find(d, &a, out->country);

    const provider *prov = NULL;
    char host[INTEL_MAX_RDNS + 1];
    size_t hl = rdns ? strlen(rdns) : 0;
    if (hl > 0 && rdns[hl - 1] == '.')
        hl--;
    if (hl > 0 && hl <= INTEL_MAX_RDNS) {
        for (size_t i = 0; i < hl; i++)
            host[i] = rdns[i] >= 'A' && rdns[i] <= 'Z' ? (char)(rdns[i] + 32) : rdns[i];
        host[hl] = '\0';
        for (size_t i = 0; i < d->nprov && !prov; i++) {
            const provider *p = &d->prov[i];
            for (size_t k = 0; k < p->npat; k++) {
                size_t tl = p->pat_tail[k];
                const char *pt = p->pat[k];
                if (tl > hl || memcmp(host + hl - tl, pt + strlen(pt) - tl, tl) != 0)
                    continue; /* the literal tail must end the name */
                if (!p->pat_suffix_only[k] && !glob_match(pt, host))
                    continue;
                if (out->asn && p->nasn && !prov_has_asn(p, out->asn)) {
                    if (!out->rdns_claim)
                        out->rdns_claim = p->name;
                    break;
                }
                prov = p;
                break;
            }
        }
    }
    if (!prov && out->asn)
        prov = provider_by_asn(d, out->asn);
    if (prov) {
        out->provider = prov->name;
        out->provider_kind = prov->kind;
    }
    return out->asn || out->country[0] || out->provider ? 0 : -1;
}
