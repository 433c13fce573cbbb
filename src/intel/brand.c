/*
 * brand.c - brand data loading, name matching in text and the brand claim
 * (see brand.h). Names and aliases are normalized with ICU NFKC (+case fold
 * for all but short ASCII names) at load, message text the same way at
 * detection; matching is a bucketed scan keyed by the first two bytes, then
 * longest-match-wins between overlapping names (三井住友カード beats 三井住友).
 * Every input is untrusted: fields are cut at BRAND_MAX_TEXT, matches at
 * BRAND_MAX_MATCHES, links at BRAND_MAX_LINKS. Lookalike logic: lookalike.c.
 */
#include "brand_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "../mime/charset.h"
#include "../util/ascii.h"
#include "../util/domain.h"
#include "../util/hash.h"
#include "../util/lanes.h"
#include "../util/utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* --- small helpers ----------------------------------------------------- */

int bi_is_alnum(unsigned char c)
{
    return ascii_alnum(c);
}

unsigned bi_hash(const char *s, size_t n)
{
    return fnv1a(s, n);
}

/* Lowercase ASCII host into buf (cap BRAND_MAX_DOMAIN+1), trailing dots
 * removed. 0 when empty, too long or not ASCII. */
int bi_host_lower(const char *in, char *buf)
{
    if (!in)
        return 0;
    size_t n = strnlen(in, BRAND_MAX_DOMAIN + 1);
    if (n > BRAND_MAX_DOMAIN)
        return 0;
    while (n && in[n - 1] == '.')
        n--;
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c >= 0x80 || c <= ' ')
            return 0;
        buf[i] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
    buf[n] = '\0';
    return 1;
}

/* s[0..n) is all ASCII (8 bytes at a time, then the tail) */
static int all_ascii(const char *s, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8)
        acc |= lanes_load(s + i);
    for (; i < n; i++)
        acc |= (unsigned char)s[i];
    return !(acc & LANES_ALL);
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ASCII A-Z of the eight ASCII bytes in x to a-z */
static uint64_t lower8(uint64_t x)
{
    uint64_t up = lanes_ge(x, 'A') & ~lanes_ge(x, 'Z' + 1);
    return x | (up >> 2);
}

/* Whitespace runs of ASCII s[0..n) -> one space (none in front of what r
 * held at *w = 0), A-Z -> a-z when fold, onto r at w; *sp: a run is pending
 * (in and out). Returns the new w. r must have room up to w + n, and more:
 * eight bytes go at once when they hold no control byte and only single
 * spaces inside, which the byte loop would copy unchanged, as an eight-byte
 * store at r + w - so w may not be ahead of s (r + w <= s + i, as when r
 * holds the output of the text s belongs to), and r must have 16 bytes of
 * room beyond that. Other blocks go run by run. */
static size_t collapse_run(const char *s, size_t n, char *r, size_t w, int *spp, int fold)
{
    size_t i = 0;
    int sp = *spp;
#ifdef __SSE2__
    /* sixteen bytes at a time the same way: at once, or run by run (each
     * run as a sixteen-byte store from a copy of the block) */
    const __m128i csp = _mm_set1_epi8(' '), c20 = _mm_set1_epi8(0x20), c8 = _mm_set1_epi8(8),
                  c14 = _mm_set1_epi8(14), cA = _mm_set1_epi8('A' - 1), cZ = _mm_set1_epi8('Z' + 1);
    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned hi = (unsigned)_mm_movemask_epi8(x); /* (none in ASCII text) */
        unsigned spc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, csp));
        unsigned ctl = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(x, c20)) & ~hi;
        if (fold)
            x = _mm_add_epi8(x, _mm_and_si128(_mm_and_si128(_mm_cmpgt_epi8(x, cA),
                                                            _mm_cmplt_epi8(x, cZ)),
                                              c20));
        if (!ctl && !(spc & (spc << 1)) && !(spc & 0x8001)) {
            if (sp && w > 0)
                r[w++] = ' ';
            sp = 0;
            _mm_storeu_si128((__m128i *)(void *)(r + w), x);
            w += 16;
            i += 16;
            continue;
        }
        unsigned ws = spc | ((unsigned)_mm_movemask_epi8(
                                 _mm_and_si128(_mm_cmpgt_epi8(x, c8), _mm_cmplt_epi8(x, c14))) &
                             ~hi);
        unsigned char blk[32];
        _mm_storeu_si128((__m128i *)(void *)blk, x);
        unsigned p = 0;
        while (p < 16) {
            unsigned t = ws >> p ? (unsigned)__builtin_ctz(ws >> p) : 16 - p;
            if (t) {
                if (sp && w > 0)
                    r[w++] = ' ';
                sp = 0;
                memcpy(r + w, blk + p, 16);
                w += t;
                p += t;
            }
            if (p >= 16)
                break;
            sp = 1; /* blk[p] is whitespace */
            p++;
        }
        i += 16;
    }
#endif
    while (i + 8 <= n) {
        uint64_t x = lanes_load(s + i);
        uint64_t ctl = ~lanes_ge(x, 0x20) & LANES_ALL;
        uint64_t spc = ~lanes_ne(x, ' ') & LANES_ALL;
        if (!ctl && !(spc & (spc << 8)) && !(spc & 0x8000000000000080ULL)) {
            if (sp && w > 0)
                r[w++] = ' ';
            sp = 0;
            if (fold)
                x = lower8(x);
            memcpy(r + w, &x, 8);
            w += 8;
            i += 8;
            continue;
        }
        /* the block as runs: bytes up to the next whitespace byte (stored
         * eight at a time, the store running past them into the room r has
         * beyond n), then the whitespace (a pending space) */
        uint64_t ws = (~lanes_ne(x, ' ') | (lanes_ge(x, '\t') & ~lanes_ge(x, '\r' + 1))) & LANES_ALL;
        if (fold)
            x = lower8(x);
        unsigned left = 8;
        while (left) {
            unsigned t = ws ? (unsigned)__builtin_ctzll(ws) >> 3 : left;
            if (t) {
                if (sp && w > 0)
                    r[w++] = ' ';
                sp = 0;
                memcpy(r + w, &x, 8);
                w += t;
            }
            if (t == left)
                break;
            sp = 1;
            x = (x >> (8 * t)) >> 8;
            ws = (ws >> (8 * t)) >> 8;
            left -= t + 1;
        }
        i += 8;
    }
    for (; i < n; i++) {
        char c = s[i];
        if (is_space((unsigned char)c)) {
            sp = 1;
            continue;
        }
        if (sp && w > 0)
            r[w++] = ' ';
        sp = 0;
        r[w++] = fold && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    *spp = sp;
    return w;
}

/* Whitespace runs of ASCII s[0..n) -> one space (none in front or at the end),
 * A-Z -> a-z when fold, into r (room for n + 17). Returns the length. */
static size_t collapse_ascii(const char *s, size_t n, char *r, int fold)
{
    int sp = 0;
    size_t w = collapse_run(s, n, r, 0, &sp, fold);
    r[w] = '\0';
    return w;
}

/* s[0..n) as UTF-16 (U+FFFD for bad UTF-8), malloc'd; NULL on failure */
static UChar *to_u16(const char *s, size_t n, int32_t *ulen)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t cap16 = (int32_t)n + 1;
    UChar *u = malloc((size_t)cap16 * sizeof(UChar));
    if (!u)
        return NULL;
    *ulen = 0;
    u_strFromUTF8WithSub(u, cap16, ulen, s, (int32_t)n, 0xFFFD, NULL, &st);
    if (U_FAILURE(st)) {
        free(u);
        return NULL;
    }
    return u;
}

/* UTF-16 v[0..vlen) as UTF-8 into o (room for vlen * 3 + 1), as
 * u_strToUTF8WithSub with U+FFFD for a lone surrogate, whitespace runs -> one
 * space (none in front; the last run dropped) in the same pass. Returns the length. */
static size_t u16_to_u8_collapse(const UChar *v, int32_t vlen, char *o)
{
    size_t w = 0;
    int sp = 0;
    for (int32_t i = 0; i < vlen; i++) {
        uint32_t c = v[i];
        if (c < 0x80 && is_space((unsigned char)c)) {
            sp = 1;
            continue;
        }
        if (sp && w > 0)
            o[w++] = ' ';
        sp = 0;
        if (c < 0x80) {
            o[w++] = (char)c;
        } else if (c < 0x800) {
            o[w++] = (char)(0xC0 | (c >> 6));
            o[w++] = (char)(0x80 | (c & 0x3F));
        } else if ((c & 0xF800) != 0xD800) {
            o[w++] = (char)(0xE0 | (c >> 12));
            o[w++] = (char)(0x80 | ((c >> 6) & 0x3F));
            o[w++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0xDC00 && i + 1 < vlen && (v[i + 1] & 0xFC00) == 0xDC00) {
            c = 0x10000 + ((c - 0xD800) << 10) + (v[++i] - 0xDC00u);
            o[w++] = (char)(0xF0 | (c >> 18));
            o[w++] = (char)(0x80 | ((c >> 12) & 0x3F));
            o[w++] = (char)(0x80 | ((c >> 6) & 0x3F));
            o[w++] = (char)(0x80 | (c & 0x3F));
        } else { /* a lone surrogate */
            o[w++] = (char)0xEF;
            o[w++] = (char)0xBF;
            o[w++] = (char)0xBD;
        }
    }
    o[w] = '\0';
    return w;
}

/* norm of u[0..ulen) as UTF-16, malloc'd; NULL on failure */
static UChar *norm16(const UNormalizer2 *norm, const UChar *u, int32_t ulen, int32_t *vlenp)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t cap2 = ulen * 2 + 16;
    UChar *v = malloc((size_t)cap2 * sizeof(UChar));
    int32_t vlen = v ? unorm2_normalize(norm, u, ulen, v, cap2, &st) : -1;
    if (v && st == U_BUFFER_OVERFLOW_ERROR && vlen > 0 && vlen < 20 * (int32_t)BRAND_MAX_TEXT) {
        free(v);
        cap2 = vlen + 1;
        st = U_ZERO_ERROR;
        v = malloc((size_t)cap2 * sizeof(UChar));
        vlen = v ? unorm2_normalize(norm, u, ulen, v, cap2, &st) : -1;
    }
    if (!v || U_FAILURE(st) || vlen < 0) {
        free(v);
        return NULL;
    }
    *vlenp = vlen;
    return v;
}

/* UTF-16 v[0..vlen) as UTF-8, whitespace runs -> one space, in arena a */
static char *u16_to_arena(arena *a, const UChar *v, int32_t vlen, size_t *outlen)
{
    char *o = malloc((size_t)vlen * 3 + 1);
    if (!o)
        return NULL;
    size_t w = u16_to_u8_collapse(v, vlen, o);
    char *r = arena_strndup(a, o, w);
    free(o);
    if (r && outlen)
        *outlen = w;
    return r;
}

/* norm of u[0..ulen) as UTF-8, whitespace runs -> one space, in arena a */
static char *norm_u16(arena *a, const UNormalizer2 *norm, const UChar *u, int32_t ulen,
                      size_t *outlen)
{
    int32_t vlen = 0;
    UChar *v = norm16(norm, u, ulen, &vlen);
    if (!v)
        return NULL;
    char *r = u16_to_arena(a, v, vlen, outlen);
    free(v);
    return r;
}

/* NFKC (fold: NFKC_Casefold) of s[0..n), whitespace runs -> one space,
 * U+FFFD for bad UTF-8. Result in arena a; NULL on failure. */
char *bi_normalize(arena *a, const brand_data *d, const char *s, size_t n, int fold, size_t *outlen)
{
    if (n > BRAND_MAX_TEXT)
        n = BRAND_MAX_TEXT;
    if (all_ascii(s, n)) {
        /* ASCII: NFKC changes nothing and NFKC_Casefold only lowercases A-Z */
        char *r = arena_alloc_raw(a, n + 17);
        if (!r)
            return NULL;
        size_t w = collapse_ascii(s, n, r, fold);
        if (outlen)
            *outlen = w;
        return r;
    }
    int32_t ulen = 0;
    UChar *u = to_u16(s, n, &ulen);
    if (!u)
        return NULL;
    char *r = norm_u16(a, fold ? d->nfkc_cf : d->nfkc, u, ulen, outlen);
    free(u);
    return r;
}

/* --- NFKC and NFKC_Casefold of UTF-8 text, character by character ------

 * A normalizer's answer for a string is the concatenation of its answers for
 * the pieces between normalization boundaries (ICU's hasBoundaryBefore: the
 * character does not interact with what precedes it). When every character
 * of a text has a boundary before it under both NFKC and NFKC_Casefold, both
 * forms are made from each character's own mapping, straight from UTF-8:
 * no UTF-16 copy, no ICU pass and no conversion back. The mappings are
 * asked of ICU once per thread and character; texts with other characters
 * (or bad UTF-8, or a mapping longer than its character) go the ICU way. */
enum { NC_UNKNOWN, NC_SAME, NC_MAP, NC_NO };
#define NC_SLOTS 1024
typedef struct {
    uint32_t cp; /* 0: empty (ASCII is never looked up) */
    unsigned char cls, klen, flen, same; /* same: f is k with A-Z lowered */
    char k[4], f[4];                     /* NFKC, NFKC_Casefold (NC_MAP) */
} nc_slot;
static _Thread_local unsigned char nc_bmp[65536 / 4]; /* NC_* of each BMP code point, 2 bits */
static _Thread_local nc_slot nc_map[NC_SLOTS];
static _Thread_local const UNormalizer2 *nc_for[2]; /* the normalizers the tables are of */
static _Thread_local int nc_ascii_ok;

/* 1 (default): the character path when it applies; 0: always ICU (tests compare) */
int bi_norm_fast = 1;

/* norm of the one character in[0..il) as UTF-8 into o (at most cap bytes);
 * its length, or -1 */
static int32_t nc_one(const UNormalizer2 *norm, const UChar *in, int32_t il, char *o, int32_t cap)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar v[16];
    int32_t vl = unorm2_normalize(norm, in, il, v, 16, &st);
    if (U_FAILURE(st))
        return -1;
    int32_t ol = 0;
    u_strToUTF8(o, cap, &ol, v, vl, &st);
    return U_FAILURE(st) ? -1 : ol;
}

static void nc_compute(const brand_data *d, uint32_t cp, nc_slot *e)
{
    memset(e, 0, sizeof *e);
    e->cp = cp;
    e->cls = NC_NO;
    if (!unorm2_hasBoundaryBefore(d->nfkc, (UChar32)cp) ||
        !unorm2_hasBoundaryBefore(d->nfkc_cf, (UChar32)cp))
        return;
    UChar in[2];
    int32_t il = 0;
    U16_APPEND_UNSAFE(in, il, cp);
    char orig[4], k[8], f[8];
    size_t ol = utf8_put(orig, cp);
    int32_t kl = nc_one(d->nfkc, in, il, k, (int32_t)sizeof k);
    int32_t fl = nc_one(d->nfkc_cf, in, il, f, (int32_t)sizeof f);
    if (kl < 0 || fl < 0 || (size_t)kl > ol || (size_t)fl > ol)
        return; /* the output may not outgrow the input */
    e->same = kl == fl;
    for (int32_t i = 0; i < kl && e->same; i++)
        e->same = f[i] == (k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]);
    memcpy(e->k, k, (size_t)kl);
    memcpy(e->f, f, (size_t)fl);
    e->klen = (unsigned char)kl;
    e->flen = (unsigned char)fl;
    e->cls = (size_t)kl == ol && (size_t)fl == ol && memcmp(k, orig, ol) == 0 &&
                     memcmp(f, orig, ol) == 0
                 ? NC_SAME
                 : NC_MAP;
}

/* the slot of cp (filled) */
static const nc_slot *nc_get(const brand_data *d, uint32_t cp)
{
    nc_slot *e = &nc_map[cp % NC_SLOTS];
    if (e->cp != cp)
        nc_compute(d, cp, e);
    return e;
}

/* The code point of well-formed UTF-8 at u[0..n) (lead byte >= 0x80) and its
 * length in *len; -1 when ill-formed (charset_utf8_seq: Unicode 3.9 table
 * 3-7, where ICU would put U+FFFD). */
static long u8_get(const unsigned char *u, size_t n, size_t *len)
{
    size_t l = charset_utf8_seq(u, n);
    if (l < 2)
        return -1;
    long cp = u[0] & (0x7F >> l);
    for (size_t i = 1; i < l; i++)
        cp = cp << 6 | (u[i] & 0x3F);
    *len = l;
    return cp;
}

/* p[0..l) onto o at *w, whitespace runs -> one space (none in front), as
 * u16_to_u8_collapse does over the whole text */
static inline void nc_emit(char *o, size_t *w, int *sp, const char *p, size_t l)
{
    for (size_t i = 0; i < l; i++) {
        if (is_space((unsigned char)p[i])) {
            *sp = 1;
            continue;
        }
        if (*sp && *w > 0)
            o[(*w)++] = ' ';
        *sp = 0;
        o[(*w)++] = p[i];
    }
}

/* normalize_both's non-ASCII case the character way: 1 done, 0 not possible */
static int normalize_chars(arena *a, const brand_data *d, const char *s, size_t n, char **cf,
                           size_t *n1, char **ck, size_t *n2, int *same)
{
    if (nc_for[0] != d->nfkc || nc_for[1] != d->nfkc_cf) {
        memset(nc_bmp, 0, sizeof nc_bmp);
        memset(nc_map, 0, sizeof nc_map);
        nc_for[0] = d->nfkc;
        nc_for[1] = d->nfkc_cf;
        /* ASCII maps to itself (NFKC_Casefold: A-Z lowered) with a boundary
         * before each character: checked, not assumed */
        nc_ascii_ok = 1;
        for (UChar32 c = 1; c < 0x80; c++)
            nc_ascii_ok &= unorm2_hasBoundaryBefore(d->nfkc, c) &&
                           unorm2_hasBoundaryBefore(d->nfkc_cf, c);
    }
    if (!nc_ascii_ok)
        return 0;
    /* no output outgrows its input (nc_compute); collapse_run() stores 8 bytes at a time */
    char *k = arena_alloc_raw(a, n + 17), *f = arena_alloc_raw(a, n + 17);
    if (!k || !f)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    size_t wk = 0, wf = 0, i = 0;
    int spk = 0, spf = 0, sm = 1;
    while (i < n) {
        if (u[i] < 0x80) { /* the ASCII run from here, as collapse_ascii does */
            size_t j = i + 1;
            while (j + 8 <= n && !(lanes_load(u + j) & LANES_ALL))
                j += 8;
            while (j < n && u[j] < 0x80)
                j++;
            wk = collapse_run(s + i, j - i, k, wk, &spk, 0);
            wf = collapse_run(s + i, j - i, f, wf, &spf, 1);
            i = j;
            continue;
        }
        size_t len = 0;
        long cp = u8_get(u + i, n - i, &len);
        if (cp < 0)
            return 0;
        unsigned cls;
        const nc_slot *e = NULL;
        if (cp < 0x10000) {
            cls = (nc_bmp[cp >> 2] >> ((cp & 3) * 2)) & 3;
            if (cls == NC_UNKNOWN) {
                e = nc_get(d, (uint32_t)cp);
                cls = e->cls;
                nc_bmp[cp >> 2] |= (unsigned char)(cls << ((cp & 3) * 2));
            }
        } else {
            e = nc_get(d, (uint32_t)cp);
            cls = e->cls;
        }
        if (cls == NC_SAME) { /* not a space: all spaces are ASCII */
            if (spk && wk > 0)
                k[wk++] = ' ';
            if (spf && wf > 0)
                f[wf++] = ' ';
            spk = spf = 0;
            memcpy(k + wk, s + i, len);
            memcpy(f + wf, s + i, len);
            wk += len;
            wf += len;
        } else if (cls == NC_MAP) {
            if (!e || e->cp != (uint32_t)cp)
                e = nc_get(d, (uint32_t)cp);
            nc_emit(k, &wk, &spk, e->k, e->klen);
            nc_emit(f, &wf, &spf, e->f, e->flen);
            sm &= e->same;
        } else {
            return 0;
        }
        i += len;
    }
    k[wk] = f[wf] = '\0';
    *ck = k;
    *n2 = wk;
    *cf = f;
    *n1 = wf;
    *same = sm && wk == wf;
    return 1;
}

/* Both forms of s at once (as bi_normalize with fold 1 and 0): ASCII text is
 * collapsed once and lowercased by copy, other text made character by
 * character when it can be, else converted to UTF-16 once. */
void bi_normalize_both(arena *a, const brand_data *d, const char *s, size_t n, char **cf,
                       size_t *n1, char **ck, size_t *n2, int *same)
{
    *cf = *ck = NULL;
    *same = 0; /* set: *cf is *ck with A-Z lowered, byte for byte */
    if (n > BRAND_MAX_TEXT)
        n = BRAND_MAX_TEXT;
    if (all_ascii(s, n)) {
        char *k = arena_alloc_raw(a, n + 17);
        if (!k)
            return;
        size_t w = collapse_ascii(s, n, k, 0);
        *ck = k;
        *n2 = w;
        char *f = arena_alloc_raw(a, w + 1);
        if (!f)
            return;
        size_t i = 0;
        for (; i + 8 <= w; i += 8) {
            uint64_t x = lower8(lanes_load(k + i));
            memcpy(f + i, &x, 8);
        }
        for (; i < w; i++)
            f[i] = k[i] >= 'A' && k[i] <= 'Z' ? (char)(k[i] - 'A' + 'a') : k[i];
        f[w] = '\0';
        *cf = f;
        *n1 = w;
        *same = 1;
        return;
    }
    if (bi_norm_fast && normalize_chars(a, d, s, n, cf, n1, ck, n2, same))
        return;
    int32_t ulen = 0;
    UChar *u = to_u16(s, n, &ulen);
    if (!u)
        return;
    /* NFKC_Casefold(x) = NFKC_Casefold(NFKC(x)), and on NFKC(x) with A-Z
     * lowered it changes nothing when ICU's quick check says so (Japanese text
     * mostly): the folded form is then the NFKC one lowered, no second pass */
    int32_t vlen = 0;
    UChar *v = norm16(d->nfkc, u, ulen, &vlen);
    if (v)
        *ck = u16_to_arena(a, v, vlen, n2);
    if (*ck) {
        for (int32_t i = 0; i < vlen; i++)
            if (v[i] >= 'A' && v[i] <= 'Z')
                v[i] = (UChar)(v[i] + 32);
        UErrorCode st = U_ZERO_ERROR;
        if (unorm2_spanQuickCheckYes(d->nfkc_cf, v, vlen, &st) == vlen && U_SUCCESS(st)) {
            char *f = arena_alloc_raw(a, *n2 + 1);
            if (f) {
                for (size_t i = 0; i <= *n2; i++)
                    f[i] = (*ck)[i] >= 'A' && (*ck)[i] <= 'Z' ? (char)((*ck)[i] + 32) : (*ck)[i];
                *cf = f;
                *n1 = *n2;
                *same = 1;
            }
        }
    }
    free(v);
    if (!*cf)
        *cf = norm_u16(a, d->nfkc_cf, u, ulen, n1);
    free(u);
}

/* --- loading ----------------------------------------------------------- */

static char *read_file(const char *path, size_t max, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        if (asprintf(err, "%s: too large or out of memory", path) < 0)
            *err = NULL;
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Split s in place at sep; at most max fields. Returns the count. */
static size_t split(char *s, char sep, char **out, size_t max)
{
    size_t n = 0;
    while (n < max) {
        out[n++] = s;
        char *p = strchr(s, sep);
        if (!p)
            break;
        *p = '\0';
        s = p + 1;
    }
    return n;
}

static int set_err(char **err, const char *fmt, const char *a, int line)
{
    if (err && asprintf(err, fmt, a, line) < 0)
        *err = NULL;
    return -1;
}

static void dom_insert(brand_data *d, const char *key, unsigned brand, int excluded)
{
    size_t mask = d->domcap - 1;
    size_t i = bi_hash(key, strlen(key)) & mask;
    while (d->dom[i].key)
        i = (i + 1) & mask;
    d->dom[i].key = key;
    d->dom[i].brand = brand;
    d->dom[i].excluded = excluded;
}

/* The table key of a name starting at t (avail >= 2 bytes): the code point
 * of a leading three-byte UTF-8 character (kana and kanji share their first
 * two bytes, so those would make long chains), else the first two bytes.
 * Names are valid UTF-8 (NFKC output), so one starting with a three-byte
 * character is at least three bytes long and the text gets the same key. */
static inline unsigned pat_key(const unsigned char *t, size_t avail)
{
    if ((t[0] & 0xF0) == 0xE0 && avail >= 3)
        return ((t[0] & 0x0Fu) << 12) | ((t[1] & 0x3Fu) << 6) | (t[2] & 0x3Fu);
    return ((unsigned)t[0] << 8) | t[1];
}

/* 16-bit hash of a pattern's (or the text's) first four bytes */
static inline unsigned bi_h4(uint32_t w)
{
    return (w * 0x9E3779B1u) >> 16;
}

static inline unsigned lower_ascii(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + 32u : c;
}

static void add_pattern(brand_data *d, unsigned brand, const char *name)
{
    size_t n = strlen(name);
    if (n < 2 || d->npats >= d->patcap)
        return;
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] >= 0x80)
            ascii = 0;
    int cs = ascii && n <= 4;
    size_t len = 0;
    char *s = bi_normalize(d->mem, d, name, n, !cs, &len);
    if (!s || len < 2)
        return;
    /* a brand's patterns are added together, so its duplicates are at the end */
    for (size_t i = d->npats; i-- > 0 && d->pats[i].brand == brand;)
        if (d->pats[i].len == len && d->pats[i].cs == cs && memcmp(d->pats[i].s, s, len) == 0)
            return;
    bpat *p = &d->pats[d->npats];
    p->s = s;
    p->len = (unsigned)len;
    p->brand = brand;
    p->cs = (unsigned char)cs;
    p->bl = (unsigned char)bi_is_alnum((unsigned char)s[0]);
    p->br = (unsigned char)bi_is_alnum((unsigned char)s[len - 1]);
    p->ascii = (unsigned char)ascii;
    lanes_prefix4(s, len, &p->pre, &p->pmask);
    unsigned key = pat_key((const unsigned char *)s, len);
    int *head = cs ? d->head_cs : d->head_cf;
    p->next = head[key % BI_BUCKETS];
    head[key % BI_BUCKETS] = (int)d->npats;
    (cs ? d->used_cs : d->used_cf)[key >> 3] |= (unsigned char)(1u << (key & 7));
    /* the key of the folded text where this pattern matches (cs patterns
     * are ASCII: their first two bytes lowered) */
    unsigned fkey = cs ? ((unsigned)lower_ascii((unsigned char)s[0]) << 8) |
                             lower_ascii((unsigned char)s[1])
                       : key;
    d->used_any[fkey >> 3] |= (unsigned char)(1u << (fkey & 7));
    if (len < 4) {
        (cs ? d->short_cs : d->short_cf)[key >> 3] |= (unsigned char)(1u << (key & 7));
    } else {
        unsigned h = bi_h4(p->pre);
        (cs ? d->four_cs : d->four_cf)[h >> 3] |= (unsigned char)(1u << (h & 7));
    }
    if ((unsigned char)s[0] < 'A')
        *(cs ? &d->low_cs : &d->low_cf) = 1;
    if ((unsigned char)s[0] >= 0x80)
        *(cs ? &d->high_cs : &d->high_cf) = 1;
    d->npats++;
}

static int load_brands(brand_data *d, const char *dir, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/brands.tsv", dir);
    char *buf = read_file(path, 4u << 20, err);
    if (!buf)
        return -1;
    size_t nlines = 1, nbars = 0;
    for (char *p = buf; *p; p++) {
        nlines += *p == '\n';
        nbars += *p == '|';
    }
    /* a row has two names, one alias and one domain, plus one more per '|': sized
     * by that (not BI_MAX_LIST per row, 1.4 MB to zero at every start) */
    d->brands = arena_alloc(d->mem, nlines * sizeof *d->brands);
    d->bx = arena_alloc(d->mem, nlines * sizeof *d->bx);
    d->patcap = 3 * nlines + nbars;
    d->pats = arena_alloc(d->mem, d->patcap * sizeof *d->pats);
    d->domcap = 64;
    while (d->domcap < (nlines + nbars) * 8) /* at most 1/8 full: short probe runs */
        d->domcap *= 2;
    d->dom = arena_alloc(d->mem, d->domcap * sizeof *d->dom);
    d->head_cf = arena_alloc(d->mem, BI_BUCKETS * sizeof(int));
    d->head_cs = arena_alloc(d->mem, BI_BUCKETS * sizeof(int));
    if (!d->brands || !d->bx || !d->pats || !d->dom || !d->head_cf || !d->head_cs) {
        free(buf);
        return set_err(err, "%s: out of memory%.0d", path, 0);
    }
    for (size_t i = 0; i < BI_BUCKETS; i++)
        d->head_cf[i] = d->head_cs[i] = -1;

    char *save = NULL;
    int line = 0;
    for (char *ln = strtok_r(buf, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        line++;
        size_t l = strlen(ln);
        if (l && ln[l - 1] == '\r')
            ln[--l] = '\0';
        if (!l || ln[0] == '#' || strncmp(ln, "id\t", 3) == 0)
            continue;
        char *f[9];
        if (split(ln, '\t', f, 9) != 8) {
            free(buf);
            return set_err(err, "%s:%d: expected 8 tab-separated columns", path, line);
        }
        if (!f[0][0] || !f[4][0]) {
            free(buf);
            return set_err(err, "%s:%d: empty id or official_domains", path, line);
        }
        if (brand_by_id(d, f[0])) {
            free(buf);
            return set_err(err, "%s:%d: duplicate brand id", path, line);
        }
        unsigned bi = (unsigned)d->nbrands;
        brand_info *b = &d->brands[bi];
        bi_extra *x = &d->bx[bi];
        b->id = arena_strdup(d->mem, f[0]);
        b->name_ja = arena_strdup(d->mem, f[1]);
        b->name_en = arena_strdup(d->mem, f[2]);
        b->category = arena_strdup(d->mem, f[5]);
        b->phone = f[6][0] ? arena_strdup(d->mem, f[6]) : NULL;
        b->source = arena_strdup(d->mem, f[7]);
        char *al[BI_MAX_LIST], *dm[BI_MAX_LIST];
        char *alias_copy = arena_strdup(d->mem, f[3]);
        size_t nal = f[3][0] ? split(alias_copy, '|', al, BI_MAX_LIST) : 0;
        size_t ndm = split(f[4], '|', dm, BI_MAX_LIST);
        const char **off = arena_alloc(d->mem, (ndm + 1) * sizeof *off);
        x->owned = arena_alloc(d->mem, (ndm + 1) * sizeof *x->owned);
        x->aliases = (const char **)arena_alloc(d->mem, (nal + 1) * sizeof(char *));
        if (!b->id || !b->name_ja || !b->name_en || !b->category || !b->source || !off ||
            !x->owned || !x->aliases || !alias_copy) {
            free(buf);
            return set_err(err, "%s:%d: out of memory", path, line);
        }
        for (size_t i = 0; i < ndm; i++) {
            int excl = dm[i][0] == '!';
            char low[BRAND_MAX_DOMAIN + 1];
            if (!bi_host_lower(dm[i] + excl, low)) {
                free(buf);
                return set_err(err, "%s:%d: bad domain (ASCII, lowercase A-label expected)", path,
                               line);
            }
            char *k = arena_strdup(d->mem, low);
            if (!k) {
                free(buf);
                return set_err(err, "%s:%d: out of memory", path, line);
            }
            dom_insert(d, k, bi, excl);
            if (excl)
                x->owned[x->nowned++] = k;
            else
                off[b->ndomains++] = k;
        }
        if (!b->ndomains) {
            free(buf);
            return set_err(err, "%s:%d: no official domain", path, line);
        }
        b->official_domains = off;
        for (size_t i = 0; i < nal; i++)
            if (al[i][0])
                x->aliases[x->naliases++] = al[i];
        d->nbrands++;
        add_pattern(d, bi, b->name_ja);
        add_pattern(d, bi, b->name_en);
        for (size_t i = 0; i < x->naliases; i++)
            add_pattern(d, bi, x->aliases[i]);
    }
    free(buf);
    if (!d->nbrands)
        return set_err(err, "%s: no brands%.0d", path, 0);
    return 0;
}

static int cmp_tld(const void *a, const void *b)
{
    return strcmp(((const btld *)a)->tld, ((const btld *)b)->tld);
}

static int load_tlds(brand_data *d, const char *dir, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tlds.tsv", dir);
    char *buf = read_file(path, 1u << 20, err);
    if (!buf)
        return -1;
    size_t nlines = 1;
    for (char *p = buf; *p; p++)
        nlines += *p == '\n';
    d->tlds = arena_alloc(d->mem, nlines * sizeof *d->tlds);
    if (!d->tlds) {
        free(buf);
        return set_err(err, "%s: out of memory%.0d", path, 0);
    }
    char *save = NULL;
    int line = 0;
    for (char *ln = strtok_r(buf, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        line++;
        size_t l = strlen(ln);
        if (l && ln[l - 1] == '\r')
            ln[--l] = '\0';
        if (!l || ln[0] == '#' || strncmp(ln, "tld\t", 4) == 0)
            continue;
        char *f[4];
        char low[BRAND_MAX_DOMAIN + 1];
        if (split(ln, '\t', f, 4) != 3 || !bi_host_lower(f[0], low) || strchr(low, '.')) {
            free(buf);
            return set_err(err, "%s:%d: expected: tld, level, source", path, line);
        }
        btld *t = &d->tlds[d->ntlds++];
        t->tld = arena_strdup(d->mem, low);
        t->why = arena_printf(d->mem, "%s: %s", f[1], f[2]);
        if (!t->tld || !t->why) {
            free(buf);
            return set_err(err, "%s:%d: out of memory", path, line);
        }
    }
    free(buf);
    qsort(d->tlds, d->ntlds, sizeof *d->tlds, cmp_tld);
    return 0;
}

static int load_words(brand_data *d, const char *dir, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/lookalike_words.tsv", dir);
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return 0; /* optional */
    fclose(probe);
    char *buf = read_file(path, 1u << 20, err);
    if (!buf)
        return -1;
    size_t nlines = 1;
    for (char *p = buf; *p; p++)
        nlines += *p == '\n';
    d->words = arena_alloc(d->mem, nlines * sizeof *d->words);
    if (!d->words) {
        free(buf);
        return set_err(err, "%s: out of memory%.0d", path, 0);
    }
    char *save = NULL;
    for (char *ln = strtok_r(buf, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        char low[BRAND_MAX_DOMAIN + 1];
        size_t l = strlen(ln);
        if (l && ln[l - 1] == '\r')
            ln[--l] = '\0';
        if (!l || ln[0] == '#' || !bi_host_lower(ln, low))
            continue;
        d->words[d->nwords] = arena_strdup(d->mem, low);
        if (d->words[d->nwords])
            d->nwords++;
    }
    free(buf);
    return 0;
}

brand_data *brand_data_load(const char *data_dir, char **err)
{
    if (err)
        *err = NULL;
    char *dummy = NULL;
    if (!err)
        err = &dummy;
    brand_data *d = calloc(1, sizeof *d);
    if (!d || !(d->mem = arena_new(64u << 20))) {
        free(d);
        *err = strdup("out of memory");
        return NULL;
    }
    static unsigned long loads;
    d->serial = __atomic_add_fetch(&loads, 1, __ATOMIC_RELAXED);
    UErrorCode st = U_ZERO_ERROR;
    d->nfkc = unorm2_getNFKCInstance(&st);
    d->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st)) {
        if (asprintf(err, "ICU normalizer: %s", u_errorName(st)) < 0)
            *err = NULL;
        brand_data_free(d);
        return NULL;
    }
    if (load_brands(d, data_dir, err) < 0 || load_tlds(d, data_dir, err) < 0 ||
        load_words(d, data_dir, err) < 0 || bi_lookalike_init(d, err) < 0) {
        brand_data_free(d);
        free(dummy);
        return NULL;
    }
    return d;
}

void brand_data_free(brand_data *d)
{
    if (!d)
        return;
    bi_lookalike_free(d);
    arena_free(d->mem);
    free(d);
}

size_t brand_count(const brand_data *d)
{
    return d ? d->nbrands : 0;
}

const brand_info *brand_at(const brand_data *d, size_t i)
{
    return d && i < d->nbrands ? &d->brands[i] : NULL;
}

const brand_info *brand_by_id(const brand_data *d, const char *id)
{
    if (!d || !id)
        return NULL;
    for (size_t i = 0; i < d->nbrands; i++)
        if (strcmp(d->brands[i].id, id) == 0)
            return &d->brands[i];
    return NULL;
}

/* --- official domains -------------------------------------------------- */

/* For brand index b (or BI_ANY): 1 official, -1 owned ('!'), 0 neither.
 * host: lowercase ASCII. The most specific listed suffix decides. */
int bi_domain_state(const brand_data *d, unsigned b, const char *host)
{
    size_t mask = d->domcap - 1;
    for (const char *s = host; s && *s;) {
        size_t n = strlen(s);
        int found = 0;
        for (size_t i = bi_hash(s, n) & mask, k = 0; d->dom[i].key && k <= mask;
             i = (i + 1) & mask, k++) {
            const bdom *e = &d->dom[i];
            if (strcmp(e->key, s) != 0 || (b != BI_ANY && e->brand != b))
                continue;
            if (e->excluded)
                return -1;
            found = 1;
        }
        if (found)
            return 1;
        s = strchr(s, '.');
        if (s)
            s++;
    }
    return 0;
}

static int state_of(const brand_data *d, unsigned b, const char *domain)
{
    char low[BRAND_MAX_DOMAIN + 1];
    if (bi_host_lower(domain, low))
        return bi_domain_state(d, b, low);
    if (!domain)
        return 0;
    arena *t = arena_new(64 * 1024);
    char *h = t ? domain_ascii(t, domain) : NULL;
    int r = h && bi_host_lower(h, low) ? bi_domain_state(d, b, low) : 0;
    arena_free(t);
    return r;
}

int brand_domain_is_official(const brand_data *d, const brand_info *b, const char *domain)
{
    if (!d || !b || b < d->brands || b >= d->brands + d->nbrands)
        return 0;
    return state_of(d, (unsigned)(b - d->brands), domain) == 1;
}

/* --- matching names in text -------------------------------------------- */

typedef struct {
    size_t start, len;
    unsigned brand;
} bmatch;

/* May c sit next to an ASCII name? Short names (cs) also not inside host
 * names, addresses or paths: "au" of "oz.au", "ANA" of "ana-x". */
static int boundary(char c, int cs)
{
    if (bi_is_alnum((unsigned char)c))
        return 0;
    return !cs || !strchr(".@/-_:=", c);
}

/* The patterns that start at t[i] (i + 1 < n). */
static inline __attribute__((always_inline)) size_t try_at(const brand_data *d, const int *head, const unsigned char *used,
                            const unsigned char *shrt, const unsigned char *four,
                            const char *t, size_t n, size_t i, bmatch *m, size_t nm)
{
    unsigned key = pat_key((const unsigned char *)t + i, n - i);
    if (!(used[key >> 3] & (1u << (key & 7))))
        return nm;
    uint32_t w = lanes_word4(t, i, n); /* the pre-test */
    unsigned h = bi_h4(w);
    /* no pattern of 2-3 bytes with this key and none longer with these four bytes */
    if (!(shrt[key >> 3] & (1u << (key & 7))) && !(four[h >> 3] & (1u << (h & 7))))
        return nm;
    for (int pi = head[key % BI_BUCKETS]; pi >= 0 && nm < BRAND_MAX_MATCHES;
         pi = d->pats[pi].next) {
        const bpat *p = &d->pats[pi];
        if ((w & p->pmask) != p->pre || p->len > n - i ||
            (p->len > 4 && memcmp(t + i + 4, p->s + 4, p->len - 4) != 0))
            continue;
        if (p->bl && i > 0 && !boundary(t[i - 1], p->cs))
            continue;
        if (p->br && i + p->len < n && !boundary(t[i + p->len], p->cs))
            continue;
        m[nm].start = i;
        m[nm].len = p->len;
        m[nm].brand = p->brand;
        nm++;
    }
    return nm;
}

/* ASCII letters and digits among the eight bytes of x */
static inline uint64_t alnum8(uint64_t x)
{
    uint64_t y = x | LANES_REP(0x20); /* A-Z -> a-z; bytes >= 0x80 stay there */
    uint64_t alpha = lanes_ge(y, 'a') & ~lanes_ge(y, 'z' + 1);
    uint64_t digit = lanes_ge(x, '0') & ~lanes_ge(x, '9' + 1);
    return alpha | digit;
}

/* Eight positions at a time, only those where a name may start: not a UTF-8
 * continuation byte, and not a letter or digit right after another one (a
 * name starting with one needs a boundary in front, which that is not). */
static size_t scan_one(const brand_data *d, const char *t, size_t n, int cs, bmatch *m, size_t nm)
{
    const int *head = cs ? d->head_cs : d->head_cf;
    const unsigned char *used = cs ? d->used_cs : d->used_cf;
    const unsigned char *shrt = cs ? d->short_cs : d->short_cf;
    const unsigned char *four = cs ? d->four_cs : d->four_cf;
    /* bytes no pattern starts with */
    uint64_t keep_lo = (cs ? d->low_cs : d->low_cf) ? 0 : 0x41;
    int keep_hi = cs ? d->high_cs : d->high_cf;
    size_t i = 0;
    uint64_t prev = 0; /* alnum8() lane 7 of the block before, in bit 7 */
    for (; i + 9 <= n && nm < BRAND_MAX_MATCHES; i += 8) {
        uint64_t x = lanes_load(t + i);
        uint64_t an = alnum8(x);
        uint64_t cont = x & ~(x << 1) & LANES_ALL;
        uint64_t cand = ~(cont | (an & ((an << 8) | prev))) & LANES_ALL;
        prev = an >> 56;
        if (keep_lo)
            cand &= lanes_ge(x, (unsigned)keep_lo);
        if (!keep_hi)
            cand &= lanes_ascii(x);
        while (cand && nm < BRAND_MAX_MATCHES) {
            size_t k = i + ((size_t)__builtin_ctzll(cand) >> 3);
            cand &= cand - 1;
            nm = try_at(d, head, used, shrt, four, t, n, k, m, nm);
        }
    }
    for (; i + 1 < n && nm < BRAND_MAX_MATCHES; i++) {
        unsigned char c = (unsigned char)t[i];
        if ((c & 0xC0) == 0x80)
            continue;
        nm = try_at(d, head, used, shrt, four, t, n, i, m, nm);
    }
    return nm;
}

/* Position k for the tables whose flag is set (scan_both) */
static inline __attribute__((always_inline)) void try_both(const brand_data *d, const char *cf,
                                                           const char *ck, size_t n, size_t k,
                                                           int in_f, int in_s, bmatch *mf,
                                                           size_t *nf, bmatch *ms, size_t *nc)
{
    /* no pattern of either table has this key (that of the folded text) */
    unsigned key = pat_key((const unsigned char *)cf + k, n - k);
    if (!(d->used_any[key >> 3] & (1u << (key & 7))))
        return;
    if (in_f && *nf < BRAND_MAX_MATCHES)
        *nf = try_at(d, d->head_cf, d->used_cf, d->short_cf, d->four_cf, cf, n, k, mf, *nf);
    if (in_s && *nc < BRAND_MAX_MATCHES)
        *nc = try_at(d, d->head_cs, d->used_cs, d->short_cs, d->four_cs, ck, n, k, ms, *nc);
}

/* The scan of the cf table over cf and of the cs table over ck at once, when
 * cf is ck with A-Z lowered (the same length and offsets): one pass over
 * the candidate positions instead of two. Matches of each table go to
 * their own array in the order scan_one() would give them (mf: up to
 * BRAND_MAX_MATCHES, ms: likewise), so that appending ms to mf is what the
 * two scans give. *ns gets the count of ms; returns that of mf. Sixteen
 * positions at a time with SSE2 (a bit per byte), then eight, then one. */
static size_t scan_both(const brand_data *d, const char *cf, const char *ck, size_t n, bmatch *mf,
                        bmatch *ms, size_t *ns)
{
    size_t nf = 0, nc = 0;
    size_t i = 0;
    uint64_t prev = 0; /* the last byte before i is a letter or digit: 0x80 */
#ifdef __SSE2__
    {
        /* bytes no pattern of the table starts with: below 'A', at or above
         * 0x80; all ones where the table has one */
        const unsigned lo_f = d->low_cf ? 0xFFFF : 0, lo_s = d->low_cs ? 0xFFFF : 0;
        const unsigned hi_f = d->high_cf ? 0xFFFF : 0, hi_s = d->high_cs ? 0xFFFF : 0;
        const __m128i c20 = _mm_set1_epi8(0x20), ca = _mm_set1_epi8('a' - 1),
                      cz = _mm_set1_epi8('z' + 1), c0 = _mm_set1_epi8('0' - 1),
                      c9 = _mm_set1_epi8('9' + 1), cc0 = _mm_set1_epi8((char)0xC0),
                      c40 = _mm_set1_epi8(0x40);
        unsigned pv = 0;
        for (; i + 17 <= n && (nf < BRAND_MAX_MATCHES || nc < BRAND_MAX_MATCHES); i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(cf + i));
            /* signed compares: bytes >= 0x80 are below everything here */
            __m128i y = _mm_or_si128(x, c20);
            __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(y, ca), _mm_cmplt_epi8(y, cz));
            __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, c0), _mm_cmplt_epi8(x, c9));
            unsigned an = (unsigned)_mm_movemask_epi8(_mm_or_si128(alpha, digit));
            unsigned hi = (unsigned)_mm_movemask_epi8(x);
            unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(x, cc0)); /* 0x80-0xBF */
            unsigned base = ~(cont | (an & ((an << 1) | pv))) & 0xFFFF;
            pv = an >> 15;
            if (!base)
                continue;
            unsigned ge = (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(x, c40)) | hi;
            unsigned asc = ~hi & 0xFFFF;
            unsigned cand_f = base & (ge | lo_f) & (asc | hi_f);
            unsigned cand_s = base & (ge | lo_s) & (asc | hi_s);
            if (nf >= BRAND_MAX_MATCHES)
                cand_f = 0;
            if (nc >= BRAND_MAX_MATCHES)
                cand_s = 0;
            for (unsigned cand = cand_f | cand_s; cand; cand &= cand - 1) {
                unsigned b = (unsigned)__builtin_ctz(cand);
                try_both(d, cf, ck, n, i + b, (cand_f >> b) & 1, (cand_s >> b) & 1, mf, &nf, ms,
                         &nc);
            }
        }
        prev = (uint64_t)pv << 7;
    }
#endif
    /* bytes no pattern of the table starts with, as above, eight lanes */
    const uint64_t lo_f = d->low_cf ? ~(uint64_t)0 : 0, lo_s = d->low_cs ? ~(uint64_t)0 : 0;
    const uint64_t hi_f = d->high_cf ? ~(uint64_t)0 : 0, hi_s = d->high_cs ? ~(uint64_t)0 : 0;
    for (; i + 9 <= n && (nf < BRAND_MAX_MATCHES || nc < BRAND_MAX_MATCHES); i += 8) {
        uint64_t x = lanes_load(cf + i);
        uint64_t an = alnum8(x);
        uint64_t cont = x & ~(x << 1) & LANES_ALL;
        uint64_t base = ~(cont | (an & ((an << 8) | prev))) & LANES_ALL;
        prev = an >> 56;
        if (!base)
            continue;
        uint64_t ge = lanes_ge(x, 0x41), asc = lanes_ascii(x);
        uint64_t cand_f = base & (ge | lo_f) & (asc | hi_f);
        uint64_t cand_s = base & (ge | lo_s) & (asc | hi_s);
        if (nf >= BRAND_MAX_MATCHES)
            cand_f = 0;
        if (nc >= BRAND_MAX_MATCHES)
            cand_s = 0;
        for (uint64_t cand = cand_f | cand_s; cand; cand &= cand - 1) {
            unsigned b = (unsigned)__builtin_ctzll(cand);
            try_both(d, cf, ck, n, i + (b >> 3), (cand_f >> b) & 1, (cand_s >> b) & 1, mf, &nf,
                     ms, &nc);
        }
    }
    for (; i + 1 < n && (nf < BRAND_MAX_MATCHES || nc < BRAND_MAX_MATCHES); i++) {
        unsigned char c = (unsigned char)cf[i];
        if ((c & 0xC0) == 0x80)
            continue;
        if (nf < BRAND_MAX_MATCHES)
            nf = try_at(d, d->head_cf, d->used_cf, d->short_cf, d->four_cf, cf, n, i, mf, nf);
        if (nc < BRAND_MAX_MATCHES)
            nc = try_at(d, d->head_cs, d->used_cs, d->short_cs, d->four_cs, ck, n, i, ms, nc);
    }
    *ns = nc;
    return nf;
}

/* 1 (default): scan_both() when it applies; 0: always two scan_one() (tests compare) */
int bi_scan_merged = 1;

static int cmp_len_desc(const void *a, const void *b)
{
    const bmatch *x = a, *y = b;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Matches in s (normalized both ways), longest first, overlaps removed.
 * Offsets of the case-kept text and the folded text differ slightly; the two
 * are compared as if aligned, which only matters for the overlap test. */
size_t bi_match_text(arena *a, const brand_data *d, const char *s, bmatch_pub *out,
                     const char **folded, size_t *flen)
{
    bmatch m[BRAND_MAX_MATCHES];
    size_t nm = 0, n1 = 0, n2 = 0;
    char *cf, *ck;
    int same;
    bi_normalize_both(a, d, s, strlen(s), &cf, &n1, &ck, &n2, &same);
    if (folded) {
        *folded = cf;
        *flen = cf ? n1 : 0;
    }
    if (cf && ck && same && bi_scan_merged) {
        bmatch ms[BRAND_MAX_MATCHES];
        size_t ns = 0;
        nm = scan_both(d, cf, ck, n1, m, ms, &ns);
        for (size_t j = 0; j < ns && nm < BRAND_MAX_MATCHES; j++)
            m[nm++] = ms[j];
    } else {
        if (cf)
            nm = scan_one(d, cf, n1, 0, m, nm);
        if (ck)
            nm = scan_one(d, ck, n2, 1, m, nm);
    }
    qsort(m, nm, sizeof *m, cmp_len_desc);
    size_t k = 0;
    for (size_t i = 0; i < nm; i++) {
        int overlap = 0;
        for (size_t j = 0; j < k && !overlap; j++)
            overlap = m[i].start < out[j].start + out[j].len &&
                      out[j].start < m[i].start + m[i].len;
        if (!overlap) {
            out[k].start = m[i].start;
            out[k].len = m[i].len;
            out[k].brand = m[i].brand;
            out[k].text = (cf && m[i].start + m[i].len <= n1) ? cf + m[i].start : NULL;
            k++;
        }
    }
    return k;
}

/* --- detection ---------------------------------------------------------- */

enum { F_DISPLAY, F_SUBJECT, F_TITLE, F_BODY, F_LINK, F_N };
static const char *const field_names[F_N] = {"display_name", "subject", "html_title", "body",
                                             "link_domain"};

/* Subjects of replies and forwards quote a brand rather than speak for it. */
static int is_reply(const char *subj)
{
    static const char *const pre[] = {"re:", "re :", "fw:", "fwd:", "aw:", "sv:", "返信:"};
    while (*subj == ' ' || *subj == '\t')
        subj++;
    if (*subj == '[') { /* list tag */
        const char *e = strchr(subj, ']');
        if (e)
            subj = e + 1;
        while (*subj == ' ')
            subj++;
    }
    for (size_t i = 0; i < sizeof pre / sizeof *pre; i++)
        if (strncasecmp(subj, pre[i], strlen(pre[i])) == 0)
            return 1;
    return 0;
}

typedef struct {
    int text, bonus, field[F_N], display, strong;
} bscore;

/* Does the subject name the brand as its sender ("Amazon: ...", "...|三井住友カード",
 * "【楽天カード】") rather than mention it mid-sentence? */
static int prominent(const char *t, size_t n, size_t start, size_t len)
{
    static const char *const seps[] = {"|", ":", "-", "[", "]", "(", ")", "\xe3\x80\x90",
                                       "\xe3\x80\x91", "\xe3\x80\x8c", "\xe3\x80\x8d",
                                       "/", "!", ".", "\xe3\x80\x82", "\xe3\x80\x81"};
    size_t i = start, j = start + len;
    while (i > 0 && t[i - 1] == ' ')
        i--;
    while (j < n && t[j] == ' ')
        j++;
    if (i == 0 || j >= n)
        return 1;
    for (size_t k = 0; k < sizeof seps / sizeof *seps; k++) {
        size_t l = strlen(seps[k]);
        if ((i >= l && memcmp(t + i - l, seps[k], l) == 0) ||
            (j + l <= n && memcmp(t + j, seps[k], l) == 0))
            return 1;
    }
    return 0;
}

static void score_field(arena *a, const brand_data *d, const char *s, int fid, bscore *sc)
{
    if (!s || !*s)
        return;
    bmatch_pub m[BRAND_MAX_MATCHES];
    const char *nt = NULL;
    size_t nlen = 0;
    size_t n = bi_match_text(a, d, s, m, &nt, &nlen);
    int reply = fid == F_SUBJECT && is_reply(s);
    for (size_t i = 0; i < n; i++) {
        bscore *b = &sc[m[i].brand];
        int add = 0;
        switch (fid) {
        case F_DISPLAY:
            add = b->field[fid] ? 0 : 100;
            b->display = b->strong = 1;
            break;
        case F_SUBJECT:
            if (!reply && m[i].text && prominent(nt, nlen, m[i].start, m[i].len)) {
                add = b->field[fid] >= 60 ? 0 : 60 - b->field[fid];
                b->strong = 1;
            } else {
                add = b->field[fid] ? 0 : 25;
            }
            break;
        case F_TITLE:
            add = b->field[fid] ? 0 : 40;
            b->strong = 1;
            break;
        default: {
            int k = 0;
            for (size_t j = 0; j < i; j++)
                k += m[j].brand == m[i].brand;
            if (k >= 5)
                add = 0;
            else if (k == 0)
                add = m[i].start < BI_BODY_START ? 20 : 10;
            else
                add = 5;
            break;
        }
        }
        b->field[fid] += add;
        b->text += add;
    }
}

static int system_mailbox(const char *addr)
{
    static const char *const sys[] = {"postmaster@", "mailer-daemon@"};
    for (size_t i = 0; addr && i < sizeof sys / sizeof *sys; i++)
        if (strncasecmp(addr, sys[i], strlen(sys[i])) == 0)
            return 1;
    return 0;
}

int brand_detect(arena *a, const brand_data *d, const brand_input *in, brand_result *out)
{
    memset(out, 0, sizeof *out);
    if (!a || !d || !in)
        return 0;
    bscore *sc = calloc(d->nbrands, sizeof *sc);
    if (!sc)
        return -1;
    score_field(a, d, in->display_name, F_DISPLAY, sc);
    score_field(a, d, in->subject, F_SUBJECT, sc);
    score_field(a, d, in->html_title, F_TITLE, sc);
    score_field(a, d, in->text, F_BODY, sc);

    /* domains: the brand's own sender adds confidence; a lookalike link says which
     * brand a vague text means */
    size_t nl = in->nlinks < BRAND_MAX_LINKS ? in->nlinks : BRAND_MAX_LINKS;
    for (size_t b = 0; b < d->nbrands; b++) {
        if (!sc[b].text)
            continue;
        if (in->from_domain && state_of(d, (unsigned)b, in->from_domain) == 1) {
            sc[b].bonus += 25;
            sc[b].strong = 1;
        }
        int lb = 0;
        for (size_t i = 0; i < nl && in->link_domains; i++)
            if (in->link_domains[i] && state_of(d, (unsigned)b, in->link_domains[i]) == 1)
                lb += 4;
        sc[b].bonus += lb > 20 ? 20 : lb;
    }
    const char *look[BRAND_MAX_LINKS + 1];
    size_t nlook = 0;
    if (in->from_domain)
        look[nlook++] = in->from_domain;
    for (size_t i = 0; i < nl && in->link_domains; i++)
        if (in->link_domains[i])
            look[nlook++] = in->link_domains[i];
    for (size_t i = 0; i < nlook; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(look[i], look[j]) == 0;
        lookalike_hit h;
        if (dup || brand_lookalike(a, d, look[i], &h) != 1)
            continue;
        size_t b = (size_t)(h.brand - d->brands);
        if (sc[b].text && sc[b].field[F_LINK] == 0) {
            sc[b].field[F_LINK] = 30;
            sc[b].bonus += 30;
            sc[b].strong = 1;
        }
    }

    size_t best = d->nbrands;
    for (size_t b = 0; b < d->nbrands; b++) {
        int tot = sc[b].text + sc[b].bonus;
        if (sc[b].text < 10 || !sc[b].strong || tot < BI_CLAIM_MIN)
            continue;
        if (best == d->nbrands || tot > sc[best].text + sc[best].bonus ||
            (tot == sc[best].text + sc[best].bonus && sc[b].text > sc[best].text))
            best = b;
    }
    if (best == d->nbrands) {
        free(sc);
        return 0;
    }
    bscore s = sc[best];
    free(sc);
    const brand_info *bi = &d->brands[best];
    out->brand = bi;
    out->score = s.text + s.bonus;
    int fmax = 0;
    out->claimed_in = field_names[F_BODY];
    for (int f = 0; f < F_N; f++)
        if (s.field[f] > fmax) {
            fmax = s.field[f];
            out->claimed_in = field_names[f];
        }

    int fs = in->from_domain ? state_of(d, (unsigned)best, in->from_domain) : 0;
    /* on a free-mail domain the brand owns, only its system mailboxes are the brand */
    out->from_is_official = fs == 1 || (fs == -1 && system_mailbox(in->from_address));
    out->return_path_is_official =
        in->return_path_domain && state_of(d, (unsigned)best, in->return_path_domain) == 1;
    out->dkim_is_official =
        in->dkim_domain && state_of(d, (unsigned)best, in->dkim_domain) == 1;
    for (size_t i = 0; i < nl && in->link_domains; i++) {
        const char *ld = in->link_domains[i];
        if (!ld || !*ld)
            continue;
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = in->link_domains[j] && strcmp(in->link_domains[j], ld) == 0;
        if (dup)
            continue;
        out->links_total++;
        if (state_of(d, (unsigned)best, ld) == 1) {
            out->links_official++;
        } else if (state_of(d, BI_ANY, ld) != 1) {
            if (!out->foreign_link)
                out->foreign_link = arena_strdup(a, ld);
            out->links_foreign++;
        }
    }
    int sender_ok = out->from_is_official || out->return_path_is_official || out->dkim_is_official;
    int links_bad = out->links_foreign > 0 && out->links_foreign * 3 >= out->links_official;
    out->impersonated = !sender_ok || links_bad;
    out->display_mismatch = s.display && in->from_domain && !out->from_is_official;

    const char *from = in->from_address ? in->from_address
                                        : (in->from_domain ? in->from_domain : "(none)");
    const char *name = bi->name_ja[0] ? bi->name_ja : bi->name_en;
    if (out->display_mismatch)
        out->evidence = arena_printf(a, "display name claims %s, address %s is not %s", name,
                                     from, bi->official_domains[0]);
    else if (!sender_ok)
        out->evidence = arena_printf(a, "%s claims %s, sender %s is not %s", out->claimed_in,
                                     name, from, bi->official_domains[0]);
    else if (links_bad)
        out->evidence = arena_printf(a,
                                     "%s claims %s, sender %s is official but %d of %d link "
                                     "domains are not the brand's (%s)",
                                     out->claimed_in, name, from, out->links_foreign,
                                     out->links_total, out->foreign_link ? out->foreign_link : "");
    else
        out->evidence = arena_printf(a, "%s claims %s, sender %s is official", out->claimed_in,
                                     name, from);
    return out->evidence ? 0 : -1;
}
