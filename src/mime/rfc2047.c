/*
 * rfc2047.c - header text with RFC 2047 encoded words to UTF-8 (see rfc2047.h).
 *
 * Own decoder because GMime 3.2.13 loses everything after a '='-padded base64
 * word (gmime#133). Every word is decoded to bytes on its own; the bytes of
 * adjacent same-charset words are joined and only then converted (so split
 * multibyte characters and per-word ISO-2022-JP escapes survive). Text outside
 * words keeps its bytes; when 8-bit or ISO-2022-JP it is converted with one
 * charset detected over all of it. Lenient like real MUAs: words inside
 * tokens, spaces inside words, broken base64 and unknown charsets.
 */
#include "rfc2047.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/kbuf.h"
#include "../util/lanes.h"
#include "charset.h"
#include "decode.h"

#define MAX_LABEL 75 /* longest charset label accepted in a word */

typedef struct {
    int word;           /* 1: encoded word, 0: plain text */
    size_t start, len;  /* raw span in the unfolded value */
    size_t cs, cs_len;  /* charset label (without *lang) */
    char enc;           /* 'B' or 'Q' */
    char drop;          /* dropped(): white space between two words (set after tokenizing) */
    size_t txt, txt_len; /* encoded text */
} token;

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Try to parse an encoded word at v[i] (v[i..i+1] == "=?"). Returns 1 and
 * fills t on success. The text ends at the first "?=" and may not run into
 * another "=?", which keeps the scan linear on hostile input. */
static int parse_word(const char *v, size_t n, size_t i, token *t)
{
    size_t p = i + 2, cs = p;
    while (p < n && v[p] != '?' && !is_wsp(v[p]) && p - cs <= MAX_LABEL)
        p++;
    if (p >= n || v[p] != '?' || p - cs > MAX_LABEL)
        return 0;
    size_t cs_end = p;
    p++;
    if (p + 1 >= n || v[p + 1] != '?')
        return 0;
    char enc = v[p];
    if (enc == 'b' || enc == 'B')
        enc = 'B';
    else if (enc == 'q' || enc == 'Q')
        enc = 'Q';
    else
        return 0;
    p += 2;
    size_t txt = p;
    for (; p + 1 < n; p++) {
        /* both tests below need v[p] to be '?' or '=': eight candidate
         * positions without either are passed over at once */
        while (n - p >= 8) {
            uint64_t w = lanes_load(v + p);
            if ((lanes_ne(w, '?') & lanes_ne(w, '=')) != LANES_ALL)
                break;
            p += 8;
        }
        if (p + 1 >= n)
            break;
        if (v[p] == '?' && v[p + 1] == '=')
            break;
        if (v[p] == '=' && v[p + 1] == '?' && !(p + 2 < n && v[p + 2] == '='))
            return 0; /* another word starts: this one is unterminated */
    }
    if (p + 1 >= n)
        return 0;
    size_t lang = cs;
    while (lang < cs_end && v[lang] != '*')
        lang++;
    t->word = 1;
    t->start = i;
    t->len = p + 2 - i;
    t->cs = cs;
    t->cs_len = lang - cs;
    t->enc = enc;
    t->txt = txt;
    t->txt_len = p - txt;
    return 1;
}

/* base64 letters' values, -1 for any other byte */
#define B64V_VALUES(F) \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(62), F(-1), F(-1), F(-1), F(63), \
    F(52), F(53), F(54), F(55), F(56), F(57), F(58), F(59), \
    F(60), F(61), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(0), F(1), F(2), F(3), F(4), F(5), F(6), \
    F(7), F(8), F(9), F(10), F(11), F(12), F(13), F(14), \
    F(15), F(16), F(17), F(18), F(19), F(20), F(21), F(22), \
    F(23), F(24), F(25), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(26), F(27), F(28), F(29), F(30), F(31), F(32), \
    F(33), F(34), F(35), F(36), F(37), F(38), F(39), F(40), \
    F(41), F(42), F(43), F(44), F(45), F(46), F(47), F(48), \
    F(49), F(50), F(51), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), \
    F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1), F(-1),
#define B64V_ID(v) v
static const signed char B64V[256] = {B64V_VALUES(B64V_ID)};

/* the same, each letter's six bits at its place in a quantum (the first
 * letter's at 18, the last's at 0), any other byte 1 << 31: the OR of a
 * quantum's four is its three bytes, or >= 1 << 24 when one is not a letter */
#define B64V_AT(v, sh) ((v) >= 0 ? (uint32_t)(v) << (sh) : (uint32_t)1 << 31)
#define B64V_AT18(v) B64V_AT(v, 18)
#define B64V_AT12(v) B64V_AT(v, 12)
#define B64V_AT6(v) B64V_AT(v, 6)
#define B64V_AT0(v) B64V_AT(v, 0)
static const uint32_t W0[256] = {B64V_VALUES(B64V_AT18)};
static const uint32_t W1[256] = {B64V_VALUES(B64V_AT12)};
static const uint32_t W2[256] = {B64V_VALUES(B64V_AT6)};
static const uint32_t W3[256] = {B64V_VALUES(B64V_AT0)};

static int b64val(unsigned char c)
{
    return B64V[c];
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Append o[0..n) to b, or as many of its bytes as still fit. */
static void add_bytes(kbuf *b, const unsigned char *o, size_t n)
{
    if (kbuf_add(b, o, n) != KBUF_OK) /* full: as far as it goes */
        for (size_t k = 0; k < n; k++)
            kbuf_addc(b, (char)o[k]);
}

/* Decode one word's text to bytes appended to b; returns 1 if malformed. */
static int decode_word(const char *s, size_t n, char enc, kbuf *b)
{
    int bad = 0;
    if (enc == 'B') {
        /* bytes gather in o and go to b a buffer at a time (b's limit is
         * met the same way: as far as the bytes go) */
        unsigned char o[240 + 2]; /* + b64_store6's scratch */
        const size_t ocap = sizeof o - 2;
        size_t on = 0;
        unsigned long acc = 0;
        int bits = 0, chars = 0;
        for (size_t i = 0; i < n; i++) {
            /* whole quanta at a quantum boundary (bits == 0 there), two a
             * turn while both are letters: the letter-at-a-time steps below
             * would give the same bytes (and leave no bits pending) */
            while (chars % 4 == 0 && n - i >= 4) {
                if (ocap - on < 3) {
                    add_bytes(b, o, on);
                    on = 0;
                }
                size_t k = (n - i) / 4, r = (ocap - on) / 3;
                const unsigned char *p = (const unsigned char *)s + i, *e = p + 4 * (r < k ? r : k);
                unsigned char *w = o + on;
                b64_quanta(&p, e, &w, W0, W1, W2, W3);
                i = (size_t)(p - (const unsigned char *)s);
                on = (size_t)(w - o);
                if (p < e) /* a quantum with a non-letter: letter by letter */
                    break;
            }
            if (i >= n)
                break;
            unsigned char c = (unsigned char)s[i];
            int v = b64val(c);
            if (v < 0) {
                if (c == '=') { /* padding ends a quantum; never stops decoding */
                    if (chars % 4 == 1)
                        bad = 1;
                    acc = 0;
                    bits = 0;
                    chars = 0;
                } else
                    bad = 1; /* junk or whitespace: skipped */
                continue;
            }
            acc = ((acc << 6) | (unsigned long)v) & 0xFFFFFF;
            bits += 6;
            chars++;
            if (bits >= 8) {
                bits -= 8;
                if (on == ocap) {
                    add_bytes(b, o, on);
                    on = 0;
                }
                o[on++] = (unsigned char)((acc >> bits) & 0xFF);
            }
        }
        if (on)
            add_bytes(b, o, on);
        if (chars % 4 == 1)
            bad = 1; /* a lone sextet cannot make a byte */
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '_')
                c = ' ';
            else if (c == '=') {
                int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
                int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
                if (hi >= 0 && lo >= 0) {
                    c = (unsigned char)(hi << 4 | lo);
                    i += 2;
                } else
                    bad = 1; /* kept literally */
            } else if (is_wsp((char)c))
                bad = 1;
            kbuf_addc(b, (char)c);
        }
    }
    return bad;
}

static int label_eq(const char *v, const token *a, const token *b)
{
    /* the same label (most runs): equal whatever charset_canonical says */
    if (a->cs_len == b->cs_len && memcmp(v + a->cs, v + b->cs, a->cs_len) == 0)
        return 1;
    char la[MAX_LABEL + 2], lb[MAX_LABEL + 2];
    memcpy(la, v + a->cs, a->cs_len);
    la[a->cs_len] = '\0';
    memcpy(lb, v + b->cs, b->cs_len);
    lb[b->cs_len] = '\0';
    const char *ca = charset_canonical(la), *cb = charset_canonical(lb);
    if (ca && cb)
        return ca == cb;
    if (ca || cb)
        return 0;
    if (a->cs_len != b->cs_len)
        return 0;
    for (size_t i = 0; i < a->cs_len; i++) {
        char x = la[i], y = lb[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

static int all_wsp(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_wsp(s[i]))
            return 0;
    return 1;
}

/* Whitespace text between two words: dropped. */
static int dropped(const token *t, size_t nt, size_t i, const char *v)
{
    return !t[i].word && i > 0 && i + 1 < nt && t[i - 1].word && t[i + 1].word &&
           all_wsp(v + t[i].start, t[i].len);
}

static int needs_conversion(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c == 0x1B || c == 0)
            return 1;
    }
    return 0;
}

static void put(kbuf *out, const char *s, size_t n)
{
    if (s)
        kbuf_add(out, s, n);
}

/* Lanes of w (high bit set) that are printable ASCII (0x20-0x7F) other than
 * '=': lanes_ge(w, 0x20) & lanes_ascii(w) & lanes_ne(w, '=') folded (a lane
 * that passes ~w has nothing but its low seven bits). */
static inline uint64_t plain8(uint64_t w)
{
    uint64_t a = w & LANES_LO7;
    return (a + LANES_REP(0x80 - 0x20)) & ((a ^ LANES_REP('=')) + LANES_LO7) & ~w & LANES_ALL;
}

int rfc2047_plain(const char *value, size_t len)
{
    if (!value)
        return len == 0;
    size_t i = 0;
    for (;;) {
        /* eight at a time while all are printable ASCII and none is '='
         * (two words a turn measured slower: most values are short) */
        while (len - i >= 8) {
            if (plain8(lanes_load(value + i)) != LANES_ALL)
                break;
            i += 8;
        }
        if (i >= len)
            return 1;
        /* other controls (the TAB of a folded line above all) are plain
         * too: the full path would give them back as they are; not NUL, ESC
         * (ISO-2022-JP) or CR/LF (unfolded there) */
        unsigned char c = (unsigned char)value[i];
        if (c >= 0x80 || c == 0 || c == 0x1B || c == '\r' || c == '\n' ||
            (c == '=' && i + 1 < len && value[i + 1] == '?'))
            return 0;
        i++;
    }
}

char *rfc2047_decode(arena *a, const char *value, size_t len, int *flags)
{
    int fl = 0;
    if (!value)
        len = 0;
    size_t cap = len > (SIZE_MAX - 64) / 4 ? SIZE_MAX - 64 : 4 * len + 64;

    /* most values: printable ASCII on one line, no encoded word; every
     * step below would give them back unchanged */
    if (rfc2047_plain(value, len)) {
        if (flags)
            *flags = 0;
        return arena_strndup(a, value ? value : "", len);
    }

    /* 1. unfold: CR and LF go */
    kbuf vb;
    kbuf_init(&vb, len);
    const char *v = value ? value : "";
    size_t n = value ? len : 0;
    /* values from read_headers() come unfolded already: no copy then */
    if (n && (memchr(v, '\n', n) || memchr(v, '\r', n))) {
        if (kbuf_add(&vb, value, len) == KBUF_OK) {
            size_t j = 0;
            for (size_t i = 0; i < len; i++)
                if (vb.p[i] != '\r' && vb.p[i] != '\n')
                    vb.p[j++] = vb.p[i];
            vb.len = j;
            vb.p[j] = '\0';
        }
        v = kbuf_str(&vb);
        n = vb.len;
    }

    /* most header values: no encoded word and nothing to convert; the steps
     * below would emit the text unchanged */
    if (!memmem(v, n, "=?", 2) && !needs_conversion(v, n)) {
        char *r = charset_utf8_sanitize(a, v, n, NULL);
        kbuf_free(&vb);
        if (flags)
            *flags = 0;
        return r;
    }

    /* 2. tokenize: a word and the text before it per "=?", and the text
     * after the last. A word takes at least 7 bytes ("=??B??="), so short
     * values fit the stack array without counting. */
    token stack_t[128];
    token *t = stack_t;
    if (n / 7 > (sizeof stack_t / sizeof *stack_t - 1) / 2) {
        size_t maxtok = 1;
        for (const char *e = v + n, *q = n ? memchr(v, '=', n) : NULL; q && q + 1 < e;
             q = memchr(q + 1, '=', (size_t)(e - q - 1)))
            if (q[1] == '?')
                maxtok += 2;
        if (maxtok > sizeof stack_t / sizeof *stack_t)
            t = malloc(maxtok * sizeof *t); /* every entry is written before it is read */
    }
    size_t nt = 0;
    kbuf out;
    kbuf_init(&out, cap);
    if (!t) {
        kbuf_free(&vb);
        if (flags)
            *flags = 0;
        return NULL;
    }
    size_t text_start = 0;
    for (size_t i = 0; i < n;) {
        token w;
        if (v[i] == '=' && i + 1 < n && v[i + 1] == '?') {
            if (parse_word(v, n, i, &w)) {
                if (i > text_start) {
                    t[nt] = (token){0};
                    t[nt].start = text_start;
                    t[nt].len = i - text_start;
                    nt++;
                }
                t[nt++] = w;
                i += w.len;
                text_start = i;
                continue;
            }
            fl |= RFC2047_BAD_WORD; /* looks like a word but is not: kept as text */
            i += 2;
            continue;
        }
        i++;
    }
    if (n > text_start) {
        t[nt] = (token){0};
        t[nt].start = text_start;
        t[nt].len = n - text_start;
        nt++;
    }

    for (size_t i = 0; i < nt; i++) /* asked up to three times per token below */
        t[i].drop = (char)dropped(t, nt, i, v);

    /* 3. one charset for all raw text (8-bit or ISO-2022-JP escapes) */
    const char *text_cs = NULL;
    {
        kbuf all;
        kbuf_init(&all, n);
        int conv = 0;
        for (size_t i = 0; i < nt; i++)
            if (!t[i].word && !t[i].drop) {
                kbuf_add(&all, v + t[i].start, t[i].len);
                conv |= needs_conversion(v + t[i].start, t[i].len);
            }
        if (conv) {
            arena *tmp = arena_new(0);
            charset_info ci;
            if (tmp && charset_to_utf8(tmp, NULL, kbuf_str(&all), all.len, NULL, &ci))
                text_cs = ci.used; /* static storage, outlives tmp */
            arena_free(tmp);
            for (size_t i = 0; i < all.len; i++)
                if ((unsigned char)all.p[i] >= 0x80) {
                    fl |= RFC2047_RAW_8BIT;
                    break;
                }
        }
        kbuf_free(&all);
    }

    /* 4. emit */
    kbuf bytes;
    kbuf_init(&bytes, n);
    kbuf_reserve(&bytes, n); /* a run's bytes never outgrow its text: one allocation */
    for (size_t i = 0; i < nt;) {
        const char *s = v + t[i].start;
        if (!t[i].word) {
            if (!t[i].drop) {
                if (needs_conversion(s, t[i].len)) {
                    size_t ol = 0;
                    charset_info ci;
                    char *o = charset_to_utf8(a, text_cs, s, t[i].len, &ol, &ci);
                    put(&out, o, ol);
                } else
                    put(&out, s, t[i].len);
            }
            i++;
            continue;
        }
        /* a run of adjacent words in the same charset */
        kbuf_reset(&bytes);
        if (decode_word(v + t[i].txt, t[i].txt_len, t[i].enc, &bytes))
            fl |= RFC2047_BAD_WORD;
        size_t j = i;
        for (;;) {
            size_t k = j + 1;
            if (k < nt && t[k].drop)
                k++;
            if (k >= nt || !t[k].word || !label_eq(v, &t[i], &t[k]))
                break;
            if (decode_word(v + t[k].txt, t[k].txt_len, t[k].enc, &bytes))
                fl |= RFC2047_BAD_WORD;
            j = k;
        }
        char label[MAX_LABEL + 2];
        memcpy(label, v + t[i].cs, t[i].cs_len);
        label[t[i].cs_len] = '\0';
        charset_info ci;
        size_t ol = 0;
        char *o = charset_to_utf8(a, t[i].cs_len ? label : NULL, kbuf_str(&bytes), bytes.len,
                                  &ol, &ci);
        put(&out, o, ol);
        if (ci.mismatch)
            fl |= RFC2047_CHARSET_FIX;
        fl |= RFC2047_HAD_WORDS;
        i = j + 1;
    }
    kbuf_free(&bytes);
    if (t != stack_t)
        free(t);
    kbuf_free(&vb);

    char *r = charset_utf8_sanitize(a, kbuf_str(&out), out.len, NULL);
    kbuf_free(&out);
    if (flags)
        *flags = fl;
    return r;
}
