/*
 * normalize.c - ICU text normalization for the content scanners, and the
 * read-only tables built once at load time.
 *
 * cnorm_nfkc: NFKC with default-ignorables (zero-width, bidi controls)
 * dropped - full-width digits and letters become ASCII. cnorm_fold adds case
 * folding and maps letters that only look Latin (small capitals, Cyrillic,
 * Greek; UTS #39 skeleton, computed per letter at load) to ASCII, so lure
 * phrases match "ᴠᴇʀɪғʏ" and "𝐕𝐞𝐫𝐢𝐟𝐲" (rspamd #5777) and zero-width split
 * words (rspamd #4492). Simplified-only Han characters are decided from data:
 * not encodable in CP932 (JIS X 0208 + vendor rows) and changed by ICU's
 * Hans-Hant transliterator.
 */
#include <iconv.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "../util/lanes.h"
#include "../util/utf8.h"
#include "internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

uint32_t u8_next_slow(const char *s, size_t len, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t k = *i;
    uint32_t c = p[k];
    int n;
    if (c < 0x80) {
        *i = k + 1;
        return c;
    } else if (c >= 0xC2 && c < 0xE0) {
        n = 1;
        c &= 0x1F;
    } else if (c >= 0xE0 && c < 0xF0) {
        n = 2;
        c &= 0x0F;
    } else if (c >= 0xF0 && c < 0xF5) {
        n = 3;
        c &= 0x07;
    } else {
        *i = k + 1;
        return 0xFFFD;
    }
    if (k + (size_t)n >= len) {
        *i = k + 1;
        return 0xFFFD;
    }
    for (int j = 1; j <= n; j++) {
        if ((p[k + j] & 0xC0) != 0x80) {
            *i = k + 1;
            return 0xFFFD;
        }
        c = (c << 6) | (p[k + j] & 0x3F);
    }
    *i = k + 1 + (size_t)n;
    if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0xFFFD;
    return c;
}

size_t u8_prev(const char *s, size_t i)
{
    if (i == 0)
        return 0;
    size_t k = i - 1;
    int back = 0;
    while (k > 0 && back < 3 && ((unsigned char)s[k] & 0xC0) == 0x80) {
        k--;
        back++;
    }
    return k;
}

int u8_is_kana(uint32_t c)
{
    return (c >= 0x3041 && c <= 0x30FF && c != 0x30FB) || (c >= 0x31F0 && c <= 0x31FF) ||
           (c >= 0xFF66 && c <= 0xFF9F);
}

int u8_is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) || c == 0x3005;
}

int u8_is_cjk(uint32_t c)
{
    return u8_is_kana(c) || u8_is_han(c) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0xFF00 && c <= 0xFFEF);
}

char *u8_snippet(arena *a, const char *s, size_t len, size_t from, size_t to, int ctx,
                 int maxchars)
{
    size_t b = from;
    for (int k = 0; k < ctx && b > 0; k++) {
        size_t p = u8_prev(s, b);
        if (s[p] == '\n' || s[p] == '\r')
            break;
        b = p;
    }
    size_t e = to;
    for (int k = 0; k < ctx && e < len; k++) {
        if (s[e] == '\n' || s[e] == '\r')
            break;
        u8_next(s, len, &e);
    }
    /* cap the character count, keeping the match in view */
    size_t i = b;
    int n = 0;
    while (i < e && n < maxchars) {
        u8_next(s, len, &i);
        n++;
    }
    return arena_strndup(a, s + b, i - b);
}

/* UTF-8 -> UTF-16 in a heap buffer (caller frees). */
static UChar *to_u16(const char *s, size_t len, int32_t *ulen)
{
    if (len > CONTENT_MAX_TEXT)
        len = CONTENT_MAX_TEXT;
    UChar *u = malloc((len + 1) * sizeof(UChar));
    if (!u)
        return NULL;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u, (int32_t)len + 1, ulen, s, (int32_t)len, 0xFFFD, NULL, &st);
    if (U_FAILURE(st)) {
        free(u);
        return NULL;
    }
    return u;
}

/* Normalize u (heap) with n2; returns a new heap buffer. */
static UChar *norm16(const UNormalizer2 *n2, const UChar *u, int32_t ulen, int32_t *olen)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t cap = ulen * 3 + 16; /* NFKC expands by at most 18x for rare chars; retry */
    for (int tries = 0; tries < 3; tries++) {
        UChar *o = malloc((size_t)cap * sizeof(UChar));
        if (!o)
            return NULL;
        st = U_ZERO_ERROR;
        int32_t n = unorm2_normalize(n2, u, ulen, o, cap, &st);
        if (U_SUCCESS(st)) {
            *olen = n;
            return o;
        }
        free(o);
        if (st != U_BUFFER_OVERFLOW_ERROR)
            return NULL;
        cap = n + 16;
    }
    return NULL;
}

/* Drop default-ignorable code points (ZWSP, ZWJ, soft hyphen, bidi controls). */
static int32_t drop_ignorables(UChar *u, int32_t n)
{
    int32_t o = 0;
    for (int32_t i = 0; i < n;) {
        if (u[i] < 0x80) { /* no ASCII character is default-ignorable */
            u[o++] = u[i++];
            continue;
        }
        UChar32 c;
        int32_t st = i;
        U16_NEXT(u, i, n, c);
        if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            continue;
        for (int32_t k = st; k < i; k++)
            u[o++] = u[k];
    }
    return o;
}

/* ---- fast characters: copied (or, in ASCII, lowered) without ICU ----
 *
 * A BMP character is fast for a normalizer when it has combining class 0,
 * quick-check Yes and a normalization boundary before it, and (NFKC) is not
 * default-ignorable, or (the fold) is not white space nor in the look-alike
 * blocks (cnorm_fold's own per-character steps). A run of fast characters is
 * already normalized, and text may be normalized in pieces split before any
 * of them (ICU: hasBoundaryBefore), so only the pieces holding other
 * characters go through ICU: each from the fast character before it (which
 * may compose with what follows) to the next run of fast characters. ASCII
 * is fast for both (NFKC leaves it as it is, the fold lowers A-Z; every
 * character below U+0300 has a boundary before it). The bits of a code
 * point are computed with ICU the first time a text holds it. */
#define FAST_NFKC 0
#define FAST_FOLD 1
#define SLOW_GAP 32 /* fast bytes that end a piece given to ICU */

static _Atomic unsigned char fast_bits[2][0x10000 / 8];
static _Atomic unsigned char fast_known[0x10000 / 8]; /* the bits of c are computed */

static int quick_yes(const UNormalizer2 *n2, UChar32 c)
{
    UChar u[2];
    int32_t n = 0;
    UBool err = 0;
    U16_APPEND(u, n, 2, c, err);
    UErrorCode st = U_ZERO_ERROR;
    return !err && unorm2_quickCheck(n2, u, n, &st) == UNORM_YES && U_SUCCESS(st);
}

/* Compute the bits of c (pure ICU look-ups: threads computing the same
 * character set the same bits; known is set last, with release). */
static void fast_fill(UChar32 c)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nk = unorm2_getNFKCInstance(&st);
    const UNormalizer2 *nf = U_SUCCESS(st) ? unorm2_getNFKCCasefoldInstance(&st) : NULL;
    unsigned char bit = (unsigned char)(1u << (c & 7));
    if (U_FAILURE(st))
        return; /* nothing known: every character goes through ICU (and fails there) */
    if (c >= 0x80 && !(c >= 0xD800 && c <= 0xDFFF) && u_getCombiningClass(c) == 0) {
        /* ASCII is tested before the table */
        if (quick_yes(nk, c) && unorm2_hasBoundaryBefore(nk, c) &&
            !u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            atomic_fetch_or_explicit(&fast_bits[FAST_NFKC][c >> 3], bit, memory_order_relaxed);
        if (quick_yes(nf, c) && unorm2_hasBoundaryBefore(nf, c) && !u_isUWhiteSpace(c) &&
            c != 0x3000 && !(c >= LOOK_FIRST && c <= LOOK_LAST) &&
            !(c >= LOOK2_FIRST && c <= LOOK2_LAST))
            atomic_fetch_or_explicit(&fast_bits[FAST_FOLD][c >> 3], bit, memory_order_relaxed);
    }
    atomic_fetch_or_explicit(&fast_known[c >> 3], bit, memory_order_release);
}

static inline int is_fast(int which, uint32_t c)
{
    if (atomic_load_explicit(&fast_bits[which][c >> 3], memory_order_relaxed) >> (c & 7) & 1)
        return 1;
    if (!(atomic_load_explicit(&fast_known[c >> 3], memory_order_acquire) >> (c & 7) & 1))
        fast_fill((UChar32)c);
    return atomic_load_explicit(&fast_bits[which][c >> 3], memory_order_relaxed) >> (c & 7) & 1;
}

/* Byte length of the fast character at u[i] (well-formed UTF-8 of 1 to 3
 * bytes), or 0 when it is not one (other characters, ill-formed bytes). */
static inline size_t fast_len(int which, const unsigned char *u, size_t len, size_t i)
{
    unsigned c = u[i];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c < 0xE0) {
        if (i + 1 >= len || (u[i + 1] & 0xC0) != 0x80)
            return 0;
        return is_fast(which, ((c & 0x1Fu) << 6) | (u[i + 1] & 0x3Fu)) ? 2 : 0;
    }
    if (c >= 0xE0 && c < 0xF0) {
        if (i + 2 >= len || (u[i + 1] & 0xC0) != 0x80 || (u[i + 2] & 0xC0) != 0x80)
            return 0;
        uint32_t cp = ((c & 0x0Fu) << 12) | ((u[i + 1] & 0x3Fu) << 6) | (u[i + 2] & 0x3Fu);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        return is_fast(which, cp) ? 3 : 0;
    }
    return 0;
}

/* Split s[0..len) into runs of fast characters (slow = 0) and the pieces
 * for ICU (slow = 1), in order; emit returns 0, or -1 to stop (returned). */
static int split_fast(int which, const char *s, size_t len,
                      int (*emit)(void *ctx, const char *p, size_t n, int slow), void *ctx)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t k = i, last = i, n; /* last: start of the last fast character */
        while (k < len) {
            if (u[k] < 0x80) {
                while (k + 9 <= len && !(lanes_load(u + k + 1) & LANES_ALL))
                    k += 8; /* eight ASCII bytes */
                last = k++;
                continue;
            }
            if (!(n = fast_len(which, u, len, k)))
                break;
            last = k;
            k += n;
        }
        if (k >= len)
            return emit(ctx, s + i, len - i, 0);
        /* u[k] begins a slow piece; the fast character before it may compose with it */
        size_t q = k > i ? last : i;
        if (q > i && emit(ctx, s + i, q - i, 0))
            return -1;
        size_t run = (size_t)-1;
        for (k++; k < len;) {
            if (!(n = fast_len(which, u, len, k))) {
                run = (size_t)-1;
                k++;
                continue;
            }
            if (run == (size_t)-1)
                run = k;
            k += n;
            if (k - run >= SLOW_GAP)
                break;
        }
        size_t e = run == (size_t)-1 ? len : run;
        if (emit(ctx, s + q, e - q, 1))
            return -1;
        i = e;
    }
    return 0;
}

/* Normalize s[0..len) with n2 (default-ignorables dropped first when drop):
 * the UTF-16 result in *out, which is ubuf (of ucap) or a heap buffer then
 * returned in *heap for the caller to free. 0 or -1. */
static int norm_piece(const UNormalizer2 *n2, const char *s, size_t len, int drop, UChar *ubuf,
                      int32_t ucap, UChar **out, int32_t *olen, UChar **heap)
{
    *heap = NULL;
    UChar *u = ubuf;
    int32_t ulen = 0;
    UErrorCode st = U_ZERO_ERROR;
    if ((int32_t)len + 1 <= ucap / 4) { /* the rest of ubuf takes the result */
        u_strFromUTF8WithSub(u, (int32_t)len + 1, &ulen, s, (int32_t)len, 0xFFFD, NULL, &st);
        if (U_FAILURE(st))
            return -1;
        if (drop)
            ulen = drop_ignorables(u, ulen);
        UChar *o = ubuf + len + 1;
        int32_t cap = ucap - (int32_t)len - 1;
        st = U_ZERO_ERROR;
        int32_t n = unorm2_normalize(n2, u, ulen, o, cap, &st);
        if (U_SUCCESS(st)) {
            *out = o;
            *olen = n;
            return 0;
        }
        if (st != U_BUFFER_OVERFLOW_ERROR)
            return -1;
        /* longer than the buffer: as a heap piece below */
    }
    u = to_u16(s, len, &ulen);
    if (!u)
        return -1;
    if (drop)
        ulen = drop_ignorables(u, ulen);
    *heap = norm16(n2, u, ulen, olen);
    free(u);
    if (!*heap)
        return -1;
    *out = *heap;
    return 0;
}

typedef struct {
    kbuf *b;
    const UNormalizer2 *n2;
} nfkc_ctx;

static int nfkc_emit(void *ctx, const char *p, size_t n, int slow)
{
    nfkc_ctx *c = ctx;
    if (!slow)
        return kbuf_add(c->b, p, n) == KBUF_OK ? 0 : -1;
    UChar ubuf[1024], *o, *heap;
    int32_t ol = 0;
    if (norm_piece(c->n2, p, n, 1, ubuf, 1024, &o, &ol, &heap))
        return -1;
    char run[512];
    size_t rn = 0;
    int rc = 0;
    for (int32_t i = 0; i < ol && !rc;) {
        UChar32 x;
        U16_NEXT(o, i, ol, x);
        if (rn + 4 > sizeof run) {
            rc = kbuf_add(c->b, run, rn) == KBUF_OK ? 0 : -1;
            rn = 0;
        }
        rn += utf8_put(run + rn, (uint32_t)x);
    }
    if (!rc)
        rc = kbuf_add(c->b, run, rn) == KBUF_OK ? 0 : -1;
    free(heap);
    return rc;
}

char *cnorm_nfkc(arena *a, const char *s, size_t len, size_t *olen)
{
    if (len > CONTENT_MAX_TEXT)
        len = CONTENT_MAX_TEXT; /* as to_u16 */
    const unsigned char *u = (const unsigned char *)s;
    size_t k = 0, n;
    while (k < len) {
        if (u[k] < 0x80) {
            while (k + 8 <= len && !(lanes_load(u + k) & LANES_ALL))
                k += 8;
            while (k < len && u[k] < 0x80)
                k++;
            continue;
        }
        if (!(n = fast_len(FAST_NFKC, u, len, k)))
            break;
        k += n;
    }
    if (k >= len) { /* already NFKC */
        char *r = arena_strndup(a, s, len);
        if (r && olen)
            *olen = len;
        return r;
    }
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *n2 = unorm2_getNFKCInstance(&st);
    if (U_FAILURE(st))
        return NULL;
    kbuf b;
    kbuf_init(&b, (size_t)1 << 40);
    nfkc_ctx c = {&b, n2};
    char *r = NULL;
    if (split_fast(FAST_NFKC, s, len, nfkc_emit, &c) == 0) {
        r = arena_strndup(a, kbuf_str(&b), b.len);
        if (r && olen)
            *olen = b.len;
    }
    kbuf_free(&b);
    return r;
}

int cnorm_lookalike(const content_data *d, uint32_t cp)
{
    if (cp >= LOOK_FIRST && cp <= LOOK_LAST)
        return d->look[cp - LOOK_FIRST];
    if (cp >= LOOK2_FIRST && cp <= LOOK2_LAST)
        return d->look2[cp - LOOK2_FIRST];
    return 0;
}

/* Bytes appended as one kbuf_addc each would (the same result at the limit). */
static void add_bytes(kbuf *b, const char *r, size_t n)
{
    if (!n || kbuf_add(b, r, n) == KBUF_OK)
        return;
    for (size_t i = 0; i < n; i++)
        kbuf_addc(b, r[i]);
}

/* Can a typo start at s[i] (non-ASCII: they all start so)? The bit of its
 * first three bytes, unless some typo is shorter. */
static int typo_may_start(const content_data *d, const char *s, size_t len, size_t i)
{
    if (d->typo_short)
        return 1;
    if (i + 3 > len)
        return 0;
    unsigned h = TYPO_H3((const unsigned char *)s + i);
    return d->typo_h3[h >> 3] >> (h & 7) & 1;
}

/* The first position from e where a typo may start, or len. */
static size_t next_typo_start(const content_data *d, const char *s, size_t len, size_t e)
{
    const unsigned char *u = (const unsigned char *)s;
    while (e < len) {
        if (u[e] < 0x80) { /* an ASCII run cannot hold a typo (they start non-ASCII) */
            while (e + 8 <= len && !(lanes_load(u + e) & LANES_ALL))
                e += 8;
            while (e < len && u[e] < 0x80)
                e++;
            continue;
        }
        if (typo_may_start(d, s, len, e))
            break;
        e++;
    }
    return e;
}

/* Replace every typo's wrong form by its right form, in place into b. */
static void apply_typos(const content_data *d, kbuf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        /* the bytes where no typo can start, appended at once */
        size_t e = next_typo_start(d, s, len, i);
        add_bytes(b, s + i, e - i);
        i = e;
        if (i >= len)
            break;
        size_t best = 0;
        const typo_pair *t = NULL;
        for (size_t k = 0; k < d->ntypos; k++) {
            if (d->typos[k].wrong[0] != s[i])
                continue; /* memcmp below needs the first byte */
            size_t wl = strlen(d->typos[k].wrong);
            if (wl && wl > best && wl <= len - i && memcmp(s + i, d->typos[k].wrong, wl) == 0) {
                best = wl;
                t = &d->typos[k];
            }
        }
        if (t) {
            kbuf_adds(b, t->right);
            i += best;
        } else {
            kbuf_addc(b, s[i]);
            i++;
        }
    }
}

/* Append a run of whole UTF-8 characters. Near the buffer's limit it falls
 * back to one character at a time, so the result is what appending each
 * character separately gives (later, shorter ones may still fit). */
static void add_run(kbuf *b, const char *r, size_t n)
{
    if (!n || kbuf_add(b, r, n) == KBUF_OK)
        return;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)r[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        kbuf_add(b, r + i, k);
        i += k;
    }
}

#define FOLD_RUN 512

typedef struct {
    kbuf *b;         /* the output, when out is NULL */
    char *out;       /* else the output: ocap bytes of arena memory */
    size_t olen, ocap;
    int over;        /* the result is longer than ocap: start again into b */
    const content_data *d;
    int strip_space;
    const UNormalizer2 *n2;
    size_t rn;
    /* FOLD_RUN bytes, and room for the whole-word stores of the ASCII path
     * that reach up to 15 bytes past the bytes they keep */
    char run[FOLD_RUN + 16];
} fold_ctx;

/* The run to the output. */
static void flush_run(fold_ctx *c)
{
    if (!c->out)
        add_run(c->b, c->run, c->rn);
    else if (c->rn > c->ocap - c->olen)
        c->over = 1;
    else {
        memcpy(c->out + c->olen, c->run, c->rn);
        c->olen += c->rn;
    }
    c->rn = 0;
}

/* One folded character x into the run (ASCII white space dropped when
 * stripping; look-alike letters to ASCII). */
static void fold_char(fold_ctx *c, UChar32 x)
{
    if (c->rn + 4 > FOLD_RUN)
        flush_run(c);
    if (x < 0x80) { /* ASCII: White_Space is 9-13 and space; no look-alikes */
        if (c->strip_space && (x == ' ' || (x >= 9 && x <= 13)))
            return;
        c->run[c->rn++] = (char)x;
        return;
    }
    if (c->strip_space && (u_isUWhiteSpace(x) || x == 0x3000))
        return;
    int l = c->d ? cnorm_lookalike(c->d, (uint32_t)x) : 0;
    if (l)
        c->run[c->rn++] = (char)l;
    else
        c->rn += utf8_put(c->run + c->rn, (uint32_t)x);
}

/* 1 for the ASCII bytes the fold keeps: all, or all but white space */
static const unsigned char keep_all[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const unsigned char keep_strip[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

static int fold_emit(void *ctx, const char *p, size_t n, int slow)
{
    fold_ctx *c = ctx;
    if (!slow) { /* fast characters: ASCII lowered, the rest as they are */
        for (size_t i = 0; i < n;) {
            unsigned char x = (unsigned char)p[i];
            if (c->rn + 4 > FOLD_RUN)
                flush_run(c);
            if (x < 0x80) { /* the ASCII run, up to the room left in run */
                size_t m = n - i < FOLD_RUN - c->rn ? n - i : FOLD_RUN - c->rn;
                const unsigned char *keep = c->strip_space ? keep_strip : keep_all;
                char *o = c->run + c->rn;
                const unsigned char *q = (const unsigned char *)p + i;
                size_t j = 0; /* the ASCII bytes: eight at a time, then one */
                while (j + 8 <= m && !(lanes_load(q + j) & LANES_ALL))
                    j += 8;
                while (j < m && q[j] < 0x80)
                    j++;
                size_t k = 0;
#ifdef __SSE2__
                /* sixteen at a time (the stores stay in run's slack): lowered with
                 * compares; with white space, each kept stretch stored
                 * from a copy of the sixteen (tail zero: read, not kept) */
                unsigned char tmp[32] = {0};
                const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1),
                              x20 = _mm_set1_epi8(0x20), sp = _mm_set1_epi8(' '),
                              t8 = _mm_set1_epi8(8), t14 = _mm_set1_epi8(14);
                for (; k + 16 <= j; k += 16) {
                    __m128i x16 = _mm_loadu_si128((const __m128i *)(const void *)(q + k));
                    __m128i up = _mm_and_si128(_mm_cmpgt_epi8(x16, a1), _mm_cmpgt_epi8(z1, x16));
                    __m128i lo = _mm_or_si128(x16, _mm_and_si128(up, x20));
                    unsigned ws = 0;
                    if (c->strip_space)
                        ws = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                            _mm_cmpeq_epi8(x16, sp),
                            _mm_and_si128(_mm_cmpgt_epi8(x16, t8), _mm_cmpgt_epi8(t14, x16))));
                    if (!ws) {
                        _mm_storeu_si128((__m128i *)(void *)o, lo);
                        o += 16;
                        continue;
                    }
                    _mm_storeu_si128((__m128i *)(void *)tmp, lo);
                    unsigned from = 0;
                    for (; ws; ws &= ws - 1) {
                        unsigned w = (unsigned)__builtin_ctz(ws);
                        _mm_storeu_si128((__m128i *)(void *)o,
                                         _mm_loadu_si128((const __m128i *)(const void *)(tmp + from)));
                        o += w - from;
                        from = w + 1;
                    }
                    if (from < 16) {
                        _mm_storeu_si128((__m128i *)(void *)o,
                                         _mm_loadu_si128((const __m128i *)(const void *)(tmp + from)));
                        o += 16 - from;
                    }
                }
#endif
                for (; k + 8 <= j; k += 8) { /* eight at a time (stores in run's slack) */
                    uint64_t x8 = lanes_load(q + k);
                    /* A-Z gain 0x20 (the high bit of their lane, shifted) */
                    uint64_t lo = x8 | (lanes_ge(x8, 'A') & ~lanes_ge(x8, 'Z' + 1)) >> 2;
                    /* the lanes dropped: space and 9..13 when stripping */
                    uint64_t ws = c->strip_space ? (~lanes_ne(x8, ' ') |
                                                    (lanes_ge(x8, 9) & ~lanes_ge(x8, 14))) &
                                                       LANES_ALL
                                                 : 0;
                    unsigned from = 0; /* each kept stretch stored as a whole word */
                    for (; ws; ws &= ws - 1) {
                        unsigned w = (unsigned)__builtin_ctzll(ws) >> 3;
                        uint64_t v = lo >> (8 * from);
                        memcpy(o, &v, 8);
                        o += w - from;
                        from = w + 1;
                    }
                    if (from < 8) {
                        uint64_t v = lo >> (8 * from);
                        memcpy(o, &v, 8);
                        o += 8 - from;
                    }
                }
                for (; k < j; k++) {
                    unsigned char y = q[k];
                    *o = (char)(y + ((unsigned)(y - 'A') < 26u ? 32 : 0));
                    o += keep[y];
                }
                c->rn = (size_t)(o - c->run);
                i += j;
                continue;
            }
            size_t k = x < 0xE0 ? 2 : 3; /* fast characters are BMP */
            memcpy(c->run + c->rn, p + i, k);
            c->rn += k;
            i += k;
        }
        return c->over ? -1 : 0;
    }
    UChar ubuf[1024], *o, *heap;
    int32_t ol = 0;
    if (norm_piece(c->n2, p, n, 0, ubuf, 1024, &o, &ol, &heap))
        return -1;
    for (int32_t i = 0; i < ol;) {
        UChar32 x;
        U16_NEXT(o, i, ol, x);
        fold_char(c, x);
    }
    free(heap);
    return c->over ? -1 : 0;
}

char *cnorm_fold(arena *a, const content_data *d, const char *s, size_t len, int strip_space,
                 size_t *olen)
{
    if (len > CONTENT_MAX_TEXT)
        len = CONTENT_MAX_TEXT; /* as to_u16 */
    UErrorCode st = U_ZERO_ERROR;
    fold_ctx fc, *c = &fc;
    c->d = d;
    c->strip_space = strip_space;
    c->n2 = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st))
        return NULL;
    /* First straight into arena memory of the text's length and a little
     * more (folding seldom lengthens text); when the result does not fit
     * (or no arena memory), again into a growing buffer. Both give the same
     * bytes: the buffer's limit (4 MiB) is far above that length. */
    char *r = NULL;
    size_t rl = 0;
    c->b = NULL;
    c->ocap = len + 64;
    c->out = arena_alloc_raw(a, c->ocap + 1);
    c->olen = 0;
    c->over = 0;
    c->rn = 0;
    if (c->out) {
        int rc = split_fast(FAST_FOLD, s, len, fold_emit, c);
        if (rc && !c->over)
            return NULL;
        if (!rc)
            flush_run(c);
        if (!c->over) {
            r = c->out;
            rl = c->olen;
            r[rl] = 0;
        }
    }
    kbuf b;
    kbuf_init(&b, 4 * CONTENT_MAX_TEXT);
    if (!r) {
        c->b = &b;
        c->out = NULL;
        c->over = 0;
        c->rn = 0;
        kbuf_reserve(&b, len);
        if (split_fast(FAST_FOLD, s, len, fold_emit, c)) {
            kbuf_free(&b);
            return NULL;
        }
        flush_run(c);
        r = b.p ? b.p : "";
        rl = b.len;
    }
    if (d && d->ntypos && next_typo_start(d, r, rl, 0) < rl) {
        kbuf t;
        kbuf_init(&t, 8 * CONTENT_MAX_TEXT);
        kbuf_reserve(&t, rl);
        apply_typos(d, &t, r, rl);
        r = arena_strndup(a, kbuf_str(&t), t.len);
        rl = t.len;
        kbuf_free(&t);
    } else if (c->b) {
        r = arena_strndup(a, r, rl);
    }
    kbuf_free(&b);
    if (r && olen)
        *olen = rl;
    return r;
}

static int skeleton_letter(const USpoofChecker *sc, UChar32 c)
{
    UChar in[4], out[32];
    int32_t il = 0;
    UBool err = 0;
    U16_APPEND(in, il, 4, c, err);
    if (err)
        return 0;
    UErrorCode st = U_ZERO_ERROR;
    int32_t ol = uspoof_getSkeleton(sc, 0, in, il, out, 32, &st);
    if (U_FAILURE(st) || ol != 1)
        return 0;
    UChar r = (UChar)u_tolower(out[0]);
    if (r >= 'a' && r <= 'z')
        return r;
    return 0;
}

/* The ICU computation behind data/cnorm_tables.tsv. */
static int compute_tables(content_data *d, char **err)
{
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open(&st);
    if (U_FAILURE(st)) {
        *err = strdup("ICU uspoof_open failed");
        return -1;
    }
    for (UChar32 c = LOOK_FIRST; c <= LOOK_LAST; c++)
        if (u_isalpha(c))
            d->look[c - LOOK_FIRST] = (unsigned char)skeleton_letter(sc, c);
    for (UChar32 c = LOOK2_FIRST; c <= LOOK2_LAST; c++)
        if (u_isalpha(c))
            d->look2[c - LOOK2_FIRST] = (unsigned char)skeleton_letter(sc, c);
    uspoof_close(sc);

    d->hant = calloc(CJK_LAST - CJK_FIRST + 1, sizeof(uint32_t));
    if (!d->hant) {
        *err = strdup("out of memory");
        return -1;
    }
    iconv_t cd = iconv_open("CP932", "UTF-8");
    if (cd == (iconv_t)-1) {
        *err = strdup("iconv has no CP932");
        return -1;
    }
    st = U_ZERO_ERROR;
    UTransliterator *tr = utrans_openU(u"Hans-Hant", -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    d->hant_ok = U_SUCCESS(st);
    for (uint32_t c = CJK_FIRST; c <= CJK_LAST; c++) {
        char in[4] = {(char)(0xE0 | (c >> 12)), (char)(0x80 | ((c >> 6) & 0x3F)),
                      (char)(0x80 | (c & 0x3F)), 0};
        char out[8];
        char *ip = in, *op = out;
        size_t il = 3, ol = sizeof out;
        iconv(cd, NULL, NULL, NULL, NULL);
        if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
            continue; /* a Japanese character */
        if (!d->hant_ok) {
            d->hant[c - CJK_FIRST] = c; /* no mapping known: flag, suggest nothing */
            continue;
        }
        UChar u[8] = {(UChar)c};
        int32_t ul = 1, lim = 1;
        st = U_ZERO_ERROR;
        utrans_transUChars(tr, u, &ul, 8, 0, &lim, &st);
        if (U_SUCCESS(st) && ul >= 1) {
            UChar32 t;
            int32_t k = 0;
            U16_NEXT(u, k, ul, t);
            if ((uint32_t)t != c && k == ul)
                d->hant[c - CJK_FIRST] = (uint32_t)t;
        }
    }
    if (tr)
        utrans_close(tr);
    iconv_close(cd);
    return 0;
}

/* ---- data/cnorm_tables.tsv: the tables above, written once by
 * tools/cnorm_tables so a process does not build an ICU transliterator at
 * start (~45 ms); tests/unit/test_content.c checks the file against ICU. ---- */

#define TABLES_FILE "cnorm_tables.tsv"
#define TABLES_HEAD "# cnorm_tables.tsv - generated by tools/cnorm_tables from ICU; do not edit\n"

static void write_tables(const content_data *d, FILE *f)
{
    fputs(TABLES_HEAD, f);
    fprintf(f, "hant_ok\t%d\n", d->hant_ok ? 1 : 0);
    for (uint32_t c = LOOK_FIRST; c <= LOOK_LAST; c++)
        if (d->look[c - LOOK_FIRST])
            fprintf(f, "look\t%04X\t%c\n", (unsigned)c, d->look[c - LOOK_FIRST]);
    for (uint32_t c = LOOK2_FIRST; c <= LOOK2_LAST; c++)
        if (d->look2[c - LOOK2_FIRST])
            fprintf(f, "look\t%04X\t%c\n", (unsigned)c, d->look2[c - LOOK2_FIRST]);
    for (uint32_t c = CJK_FIRST; c <= CJK_LAST; c++)
        if (d->hant[c - CJK_FIRST])
            fprintf(f, "hant\t%04X\t%04X\n", (unsigned)c, (unsigned)d->hant[c - CJK_FIRST]);
}

/* 1 loaded, 0 no file, -1 malformed (*err set). */
static int load_tables(content_data *d, const char *dir, char **err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/" TABLES_FILE, dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    d->hant = calloc(CJK_LAST - CJK_FIRST + 1, sizeof(uint32_t));
    char line[128];
    long ln = 0;
    int rc = d->hant ? 1 : -1, seen_ok = 0;
    while (rc == 1 && fgets(line, sizeof line, f)) {
        ln++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *e = NULL;
        if (strncmp(line, "hant_ok\t", 8) == 0) {
            d->hant_ok = line[8] == '1';
            seen_ok = (line[8] == '0' || line[8] == '1') && line[9] == '\n';
            if (!seen_ok)
                rc = -1;
            continue;
        }
        int look = strncmp(line, "look\t", 5) == 0, hant = strncmp(line, "hant\t", 5) == 0;
        unsigned long c = look || hant ? strtoul(line + 5, &e, 16) : 0;
        if (!e || e == line + 5 || *e != '\t') {
            rc = -1;
        } else if (look) {
            unsigned char l = (unsigned char)e[1];
            if (l < 'a' || l > 'z' || e[2] != '\n')
                rc = -1;
            else if (c >= LOOK_FIRST && c <= LOOK_LAST)
                d->look[c - LOOK_FIRST] = l;
            else if (c >= LOOK2_FIRST && c <= LOOK2_LAST)
                d->look2[c - LOOK2_FIRST] = l;
            else
                rc = -1;
        } else {
            char *e2 = NULL;
            unsigned long t = strtoul(e + 1, &e2, 16);
            if (e2 == e + 1 || *e2 != '\n' || c < CJK_FIRST || c > CJK_LAST || !t || t > 0x10FFFF)
                rc = -1;
            else
                d->hant[c - CJK_FIRST] = (uint32_t)t;
        }
    }
    fclose(f);
    if (rc == 1 && !seen_ok)
        rc = -1;
    if (rc < 0) {
        char buf[1200];
        if (!d->hant)
            snprintf(buf, sizeof buf, "out of memory");
        else
            snprintf(buf, sizeof buf, "%s:%ld: malformed (regenerate with tools/cnorm_tables)",
                     path, ln);
        *err = strdup(buf);
    }
    return rc;
}

int cnorm_build_tables(content_data *d, const char *dir, char **err)
{
    int rc = dir ? load_tables(d, dir, err) : 0;
    if (rc)
        return rc < 0 ? -1 : 0;
    return compute_tables(d, err);
}

int content_tables_dump(const content_data *d, FILE *f)
{
    write_tables(d, f);
    return ferror(f) ? -1 : 0;
}

int content_tables_dump_icu(FILE *f, char **err)
{
    content_data *d = calloc(1, sizeof *d);
    if (!d) {
        *err = strdup("out of memory");
        return -1;
    }
    int rc = compute_tables(d, err);
    if (!rc)
        rc = content_tables_dump(d, f);
    free(d->hant);
    free(d);
    return rc;
}
