/*
 * jw.c - streaming JSON writer. See jw.h. Layout as jansson's dump.c:
 * "{" then, per member, a newline and 2 spaces per level (pretty) or nothing
 * (compact) before it, "," between members, ": " (pretty) or ":" after a
 * key, and before the closing bracket a newline and the container's own
 * indentation; an empty container is "{}" or "[]".
 */
#include "jw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../mime/charset.h"
#include "../util/lanes.h"

void jw_init(jw *w, int pretty)
{
    memset(w, 0, sizeof *w);
    kbuf_init(&w->b, JW_MAX_BYTES);
    w->pretty = pretty;
}

void jw_free(jw *w)
{
    kbuf_free(&w->b);
}

char *jw_finish_len(jw *w, size_t *len)
{
    if (w->err || w->depth != 0) {
        jw_free(w);
        return NULL;
    }
    size_t n = w->b.p ? w->b.len : 0;
    char *s = w->b.p ? w->b.p : strdup("");
    w->b.p = NULL;
    jw_free(w);
    if (s && len)
        *len = n;
    return s;
}

char *jw_finish(jw *w)
{
    return jw_finish_len(w, NULL);
}

/* Room for n more bytes and the NUL at w->b.p + w->b.len, or 0 with the
 * error flag set: callers then store bytes directly (no kbuf_add per piece). */
static int room_slow(jw *w, size_t n)
{
    if (w->err || kbuf_reserve(&w->b, n) != KBUF_OK) {
        w->err = 1;
        return 0;
    }
    return 1;
}

static inline int room(jw *w, size_t n)
{
    if (!w->err && n < w->b.cap - w->b.len)
        return 1;
    return room_slow(w, n);
}

static inline void put(jw *w, const char *s, size_t n)
{
    if (!room(w, n))
        return;
    memcpy(w->b.p + w->b.len, s, n);
    w->b.len += n;
    w->b.p[w->b.len] = '\0';
}

static inline void putc1(jw *w, char c)
{
    if (!room(w, 1))
        return;
    w->b.p[w->b.len++] = c;
    w->b.p[w->b.len] = '\0';
}

static void indent(jw *w, int depth)
{
    if (!w->pretty)
        return;
    char sp[1 + 2 * JW_MAX_DEPTH];
    sp[0] = '\n';
    memset(sp + 1, ' ', (size_t)(2 * depth));
    put(w, sp, 1 + 2 * (size_t)depth);
}

/* Before a value: in an array, the separator and indentation of a member
 * (an object member got them from jw_key). */
static void before_value(jw *w)
{
    if (w->depth == 0 || w->kind[w->depth - 1] != '[')
        return;
    if (w->count[w->depth - 1]++)
        put(w, ",", 1);
    indent(w, w->depth);
}

static void open_container(jw *w, char kind)
{
    before_value(w);
    if (w->depth >= JW_MAX_DEPTH) {
        w->err = 1;
        return;
    }
    put(w, kind == '{' ? "{" : "[", 1);
    w->kind[w->depth] = kind;
    w->count[w->depth] = 0;
    w->depth++;
}

void jw_obj(jw *w)
{
    open_container(w, '{');
}

void jw_arr(jw *w)
{
    open_container(w, '[');
}

void jw_end(jw *w)
{
    if (w->depth == 0) {
        w->err = 1;
        return;
    }
    w->depth--;
    if (w->count[w->depth])
        indent(w, w->depth);
    put(w, w->kind[w->depth] == '{' ? "}" : "]", 1);
}

/* 8 bytes that JSON takes as they are: none below 0x20, no '"', no '\\' */
static inline int word_plain(const char *s)
{
    uint64_t w = lanes_load(s);
    return (lanes_ge(w, 0x20) & lanes_ne(w, '"') & lanes_ne(w, '\\')) == LANES_ALL;
}

/* the same, and all ASCII (no UTF-8 sequence to check) */
static inline int word_plain_ascii(const char *s)
{
    uint64_t w = lanes_load(s);
    return (lanes_ascii(w) & lanes_ge(w, 0x20) & lanes_ne(w, '"') & lanes_ne(w, '\\')) ==
           LANES_ALL;
}

#ifdef __SSE2__
/* 16 bytes a turn (every x86-64 has SSE2): the index of the first byte of
 * s[i..n) that needs an escape (or, with ascii, is not ASCII), or where
 * fewer than 16 are left; the 8-byte and byte steps take it from there. */
static inline size_t plain16(const char *s, size_t i, size_t n, int ascii)
{
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lim = _mm_set1_epi8(0x1F);
    while (n - i >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, lim), x),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)));
        unsigned m = (unsigned)_mm_movemask_epi8(bad);
        if (ascii)
            m |= (unsigned)_mm_movemask_epi8(x);
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    return i;
}
#endif

static inline int byte_plain(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\';
}

/* Writes the escape of c (below 0x20, '"' or '\\') at o; returns its length. */
static size_t escape(char *o, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    o[0] = '\\';
    switch (c) {
    case '"': o[1] = '"'; return 2;
    case '\\': o[1] = '\\'; return 2;
    case '\b': o[1] = 'b'; return 2;
    case '\f': o[1] = 'f'; return 2;
    case '\n': o[1] = 'n'; return 2;
    case '\r': o[1] = 'r'; return 2;
    case '\t': o[1] = 't'; return 2;
    default:
        o[1] = 'u';
        o[2] = o[3] = '0';
        o[4] = hex[c >> 4];
        o[5] = hex[c & 15];
        return 6;
    }
}

/* The quoted, escaped string s[0..n). With check set, s is also checked to be
 * valid UTF-8 on the way: if it is not, nothing is written and 0 returned.
 * Plain runs are copied in one piece straight into the buffer; room for the
 * rest of the string is asked again only after an escape. */
static int string(jw *w, const char *s, size_t n, int check)
{
    if (!room(w, n + 2))
        return 1;
    kbuf *b = &w->b;
    size_t start = b->len;
    b->p[b->len++] = '"';
    size_t i = 0, run = 0;
    for (;;) {
#ifdef __SSE2__
        i = plain16(s, i, n, check);
#endif
        if (check) {
            while (n - i >= 8 && word_plain_ascii(s + i))
                i += 8;
        } else {
            while (n - i >= 8 && word_plain(s + i))
                i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            if (!check) {
                i++;
                continue;
            }
            /* a run of sequences (Japanese text) before the next word test */
            const unsigned char *u = (const unsigned char *)s;
            do {
                /* E1..EC and EE..EF take any two continuation bytes (kana,
                 * kanji); other leads get the full check */
                unsigned l = u[i];
                if (l - 0xE1u <= 0xEFu - 0xE1u && l != 0xED && n - i >= 3 &&
                    (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80) {
                    i += 3;
                    continue;
                }
                size_t k = charset_utf8_seq(u + i, n - i);
                if (!k) {
                    b->len = start;
                    b->p[b->len] = '\0';
                    return 0;
                }
                i += k;
            } while (i < n && (unsigned char)s[i] >= 0x80);
            continue;
        }
        if (byte_plain(c)) {
            i++;
            continue;
        }
        memcpy(b->p + b->len, s + run, i - run);
        b->len += i - run;
        /* the escape (6 at most), the rest and the closing quote */
        if (!room(w, 6 + (n - i))) {
            return 1;
        }
        b->len += escape(b->p + b->len, c);
        run = ++i;
    }
    memcpy(b->p + b->len, s + run, n - run);
    b->len += n - run;
    b->p[b->len++] = '"';
    b->p[b->len] = '\0';
    return 1;
}

/* the lanes of w that JSON takes as they are */
static inline uint64_t plain_lanes(uint64_t w)
{
    return lanes_ge(w, 0x20) & lanes_ne(w, '"') & lanes_ne(w, '\\');
}

void jw_keyn(jw *w, const char *key, size_t n)
{
    if (w->depth == 0 || w->kind[w->depth - 1] != '{') {
        w->err = 1;
        return;
    }
    if (w->count[w->depth - 1]++)
        putc1(w, ',');
    indent(w, w->depth);
    /* keys are literals: "key": in one piece, the key moved and checked
     * by 8-byte words (overlapping at the end; no read outside it) */
    if (!room(w, n + 4))
        return;
    char *o = w->b.p + w->b.len;
    *o++ = '"';
    uint64_t bad = 0;
    if (n >= 8) {
        size_t i = 0;
        for (; n - i > 8; i += 8) {
            uint64_t x = lanes_load(key + i);
            bad |= ~plain_lanes(x) & LANES_ALL;
            memcpy(o + i, &x, 8);
        }
        uint64_t x = lanes_load(key + n - 8);
        bad |= ~plain_lanes(x) & LANES_ALL;
        memcpy(o + n - 8, &x, 8);
    } else if (n >= 4) { /* two overlapping 4-byte halves as one word */
        uint32_t lo, hi;
        memcpy(&lo, key, 4);
        memcpy(&hi, key + n - 4, 4);
        bad |= ~plain_lanes((uint64_t)hi << 32 | lo) & LANES_ALL;
        memcpy(o, &lo, 4);
        memcpy(o + n - 4, &hi, 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            bad |= !byte_plain((unsigned char)key[i]);
            o[i] = key[i];
        }
    }
    o += n;
    *o++ = '"';
    *o++ = ':';
    if (w->pretty)
        *o++ = ' ';
    if (!bad) {
        *o = '\0';
        w->b.len = (size_t)(o - w->b.p);
        return;
    }
    w->b.p[w->b.len] = '\0';
    string(w, key, n, 0);
    put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
}

void jw_null(jw *w)
{
    before_value(w);
    put(w, "null", 4);
}

void jw_bool(jw *w, int v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_int(jw *w, long long v)
{
    char t[32], *e = t + sizeof t, *o = e;
    /* digits from the end; the magnitude as unsigned, so LLONG_MIN works */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--o = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--o = '-';
    before_value(w);
    put(w, o, (size_t)(e - o));
}

/* jansson's jsonp_dtostr() with its default precision (17) */
void jw_real(jw *w, double v)
{
    char t[64];
    if (!isfinite(v)) {
        w->err = 1;
        return;
    }
    int r = snprintf(t, sizeof t, "%.17g", v);
    if (r < 0 || (size_t)r >= sizeof t - 3) {
        w->err = 1;
        return;
    }
    size_t n = (size_t)r;
    /* the locale's decimal point is not '.' under some LC_NUMERIC */
    for (size_t i = 0; i < n; i++)
        if (t[i] == ',')
            t[i] = '.';
    if (!strchr(t, '.') && !strchr(t, 'e')) {
        t[n++] = '.';
        t[n++] = '0';
        t[n] = '\0';
    }
    /* no '+' and no leading zeros in the exponent */
    char *start = strchr(t, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, n - (size_t)(end - t) + 1);
            n -= (size_t)(end - start);
        }
    }
    before_value(w);
    put(w, t, n);
}

void jw_key_real(jw *w, const char *key, double v)
{
    if (!isfinite(v))
        return;
    jw_key(w, key);
    jw_real(w, v);
}

void jw_strn(jw *w, const char *s, size_t n)
{
    before_value(w);
    string(w, s, n, 0);
}

void jw_copy_value(jw *w, size_t from, size_t to)
{
    if (w->err || from > to || to > w->b.len) {
        w->err = 1;
        return;
    }
    before_value(w);
    if (!room(w, to - from))
        return;
    memcpy(w->b.p + w->b.len, w->b.p + from, to - from); /* from below len: no overlap */
    w->b.len += to - from;
    w->b.p[w->b.len] = '\0';
}

void jw_str_any(jw *w, const char *s)
{
    if (!s) {
        jw_null(w);
        return;
    }
    size_t n = strlen(s);
    before_value(w);
    if (string(w, s, n, 1)) /* valid UTF-8: written */
        return;
    /* not arena_new(4 * n + 64): the cap counts whole chunks (64 KiB at
     * least), so a short string's repair failed and it was written as "";
     * the copy is at most 3n + 1 bytes (U+FFFD per bad byte) */
    arena *t = arena_new(0);
    size_t ol = 0;
    char *c = t ? charset_utf8_sanitize(t, s, n, &ol) : NULL;
    if (c)
        string(w, c, ol, 0);
    else
        string(w, "", 0, 0);
    arena_free(t);
}
