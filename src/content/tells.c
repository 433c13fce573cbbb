/*
 * tells.c - machine-translation and obfuscation tells, as facts.
 *
 * Reads the text as decoded (not normalized: the tells are exactly what
 * normalization would hide). Japanese-only tells: known typos (typos.tsv),
 * simplified-only Han characters (table from normalize.c), words split by a
 * space ("M FA", "ロ グイン"), ASCII '?' or U+FFFD where a charset conversion
 * lost a character, full/half-width mixing inside a word. Any language:
 * zero-width characters inside words (rspamd #4492) and letters from other
 * blocks posing as Latin (small capitals, math alphanumerics: rspamd #5777).
 */
#include <string.h>

#include "../util/ascii.h"
#include "internal.h"

#define SNIP_CTX 4
#define SNIP_MAX 40

typedef struct {
    arena *a;
    content_result *out;
    size_t cap;
} tellbuf;

static int add_tell(tellbuf *tb, const char *kind, char *text, char *sugg)
{
    content_result *o = tb->out;
    if (!text)
        return -1;
    size_t tl = strlen(text), i = 0;
    for (int n = 0; n < SNIP_MAX && i < tl; n++)
        u8_next(text, tl, &i);
    text[i] = 0; /* at most SNIP_MAX characters */
    for (size_t i = 0; i < o->ntells; i++)
        if (o->tells[i].kind == kind && strcmp(o->tells[i].text, text) == 0)
            return 0;
    if (o->ntells >= tb->cap)
        return 0;
    o->tells[o->ntells].kind = kind;
    o->tells[o->ntells].text = text;
    o->tells[o->ntells].suggestion = sugg;
    o->ntells++;
    return 0;
}

static void typos(tellbuf *tb, const content_data *d, const char *s, size_t len)
{
    for (size_t k = 0; k < d->ntypos; k++) {
        const typo_pair *t = &d->typos[k];
        size_t wl = strlen(t->wrong);
        const char *p = memmem(s, len, t->wrong, wl);
        if (!p)
            continue;
        size_t at = (size_t)(p - s);
        add_tell(tb, "typo", u8_snippet(tb->a, s, len, at, at + wl, SNIP_CTX, SNIP_MAX),
                 arena_strdup(tb->a, t->right));
    }
}

static uint32_t hant_of(const content_data *d, uint32_t c)
{
    if (c < CJK_FIRST || c > CJK_LAST || !d->hant)
        return 0;
    return d->hant[c - CJK_FIRST];
}

static void simplified(tellbuf *tb, const content_data *d, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t st = i;
        uint32_t c = u8_next(s, len, &i);
        if (!hant_of(d, c))
            continue;
        /* the run of Han characters around it */
        size_t a = st;
        for (int k = 0; k < 6 && a > 0; k++) {
            size_t p = u8_prev(s, a), q = p;
            if (!u8_is_han(u8_next(s, len, &q)))
                break;
            a = p;
        }
        size_t b = i;
        for (int k = 0; k < 6 && b < len; k++) {
            size_t q = b;
            if (!u8_is_han(u8_next(s, len, &q)))
                break;
            b = q;
        }
        kbuf sug;
        kbuf_init(&sug, 256);
        for (size_t j = a; j < b;) {
            uint32_t x = u8_next(s, len, &j);
            uint32_t h = hant_of(d, x);
            kbuf_add_utf8(&sug, h ? h : x);
        }
        add_tell(tb, "simplified_chinese", arena_strndup(tb->a, s + a, b - a),
                 kbuf_take_arena(&sug, tb->a));
        kbuf_free(&sug);
        i = b;
    }
}

static int is_kata(uint32_t c)
{
    return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC;
}
static int is_upper(uint32_t c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_alnum_a(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || is_upper(c) || (c >= '0' && c <= '9');
}

/* Run of code points satisfying f starting at i; returns end, *n = count. */
static size_t run(const char *s, size_t len, size_t i, int (*f)(uint32_t), int *n)
{
    *n = 0;
    while (i < len && *n < 64) {
        size_t q = i;
        if (!f(u8_next(s, len, &q)))
            break;
        i = q;
        (*n)++;
    }
    return i;
}

static void split_words(tellbuf *tb, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t st = i;
        uint32_t c = u8_next(s, len, &i);
        if (c != ' ' && c != 0x3000)
            continue;
        /* the word before the space */
        size_t a = st;
        int nl = 0;
        int (*f)(uint32_t) = NULL;
        if (a > 0) {
            size_t p = u8_prev(s, a), q = p;
            uint32_t pc = u8_next(s, len, &q);
            f = is_kata(pc) ? is_kata : is_upper(pc) ? is_upper : NULL;
        }
        if (!f)
            continue;
        while (a > 0 && nl < 64) {
            size_t p = u8_prev(s, a), q = p;
            if (!f(u8_next(s, len, &q)))
                break;
            a = p;
            nl++;
        }
        int nr = 0;
        size_t b = run(s, len, i, f, &nr);
        if (!nr)
            continue;
        /* outer neighbours: no letters, digits or spaces (an embedded word) */
        uint32_t before = 0, after = 0;
        if (a > 0) {
            size_t q = u8_prev(s, a);
            before = u8_next(s, len, &q);
        }
        if (b < len) {
            size_t q = b;
            after = u8_next(s, len, &q);
        }
        if (is_alnum_a(before) || is_alnum_a(after) || before == ' ' || after == ' ' ||
            before == 0x3000 || after == 0x3000)
            continue;
        int hit = f == is_kata ? ((nl <= 2 || nr <= 2) && nl + nr >= 3)
                               : ((nl == 1 || nr == 1) && nl + nr <= 6 && nl + nr >= 2);
        if (!hit)
            continue;
        char *word = arena_strndup(tb->a, s + a, b - a);
        kbuf j;
        kbuf_init(&j, 512);
        kbuf_add(&j, s + a, st - a);
        kbuf_add(&j, s + i, b - i);
        add_tell(tb, "split_word", word, kbuf_take_arena(&j, tb->a));
        kbuf_free(&j);
    }
}

static int is_digit_cp(uint32_t c)
{
    return c >= '0' && c <= '9';
}

static void qmarks(tellbuf *tb, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t st = i;
        uint32_t c = u8_next(s, len, &i);
        if (c == 0xFFFD) {
            add_tell(tb, "qmark_misconversion",
                     u8_snippet(tb->a, s, len, st, i, SNIP_CTX, SNIP_MAX), NULL);
            continue;
        }
        if (c != '?' || st == 0 || i >= len)
            continue;
        size_t q = u8_prev(s, st);
        uint32_t pc = u8_next(s, len, &q);
        q = i;
        uint32_t nc = u8_next(s, len, &q);
        int pj = u8_is_cjk(pc) && pc != 0x3002 && pc != 0xFF1F, nj = u8_is_cjk(nc);
        int hit = (pj && (nj || is_digit_cp(nc))) || (nj && is_digit_cp(pc));
        if (!hit && is_digit_cp(pc) && is_digit_cp(nc)) {
            /* 2026?1?31: digits ? digits ? digits */
            int n2 = 0;
            size_t e = run(s, len, i, is_digit_cp, &n2);
            hit = n2 >= 1 && n2 <= 2 && e < len && s[e] == '?';
        }
        if (hit)
            add_tell(tb, "qmark_misconversion",
                     u8_snippet(tb->a, s, len, st, i, SNIP_CTX, SNIP_MAX), NULL);
    }
}

static int fw_letter(uint32_t c)
{
    return (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
}
static int fw_alnum(uint32_t c)
{
    return fw_letter(c) || (c >= 0xFF10 && c <= 0xFF19);
}
static int hw_kana(uint32_t c)
{
    return c >= 0xFF66 && c <= 0xFF9F;
}
static int width_latin(uint32_t c)
{
    return is_alnum_a(c) || fw_alnum(c);
}
static int width_kana(uint32_t c)
{
    return hw_kana(c) || is_kata(c);
}

static void width_mix(tellbuf *tb, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t st = i;
        int n = 0;
        size_t e = run(s, len, i, width_latin, &n);
        if (!n)
            e = run(s, len, i, width_kana, &n);
        if (!n) {
            u8_next(s, len, &i);
            continue;
        }
        int fwl = 0, asl = 0, hk = 0, fk = 0;
        for (size_t j = st; j < e;) {
            uint32_t c = u8_next(s, len, &j);
            fwl += fw_letter(c);
            asl += (c >= 'a' && c <= 'z') || is_upper(c);
            hk += hw_kana(c);
            fk += is_kata(c);
        }
        if ((fwl && asl) || (hk && fk)) {
            size_t nl = 0;
            char *norm = cnorm_nfkc(tb->a, s + st, e - st, &nl);
            add_tell(tb, "width_mix", u8_snippet(tb->a, s, len, st, e, 0, SNIP_MAX), norm);
        }
        i = e;
    }
}

/* invisible inside a word: zero-width and format characters, and the other
 * default-ignorables spam puts between letters (U+034F combining grapheme
 * joiner "W͏e͏ a͏r͏e͏", Hangul fillers, variation selectors, tag characters) */
static int zw(uint32_t c)
{
    return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0x00AD ||
           c == 0x180E || (c >= 0x2061 && c <= 0x2064) || c == 0x034F || c == 0x115F ||
           c == 0x1160 || c == 0x3164 || c == 0xFFA0 || (c >= 0x180B && c <= 0x180D) ||
           (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0000 && c <= 0xE0FFF);
}

static int wordish(uint32_t c)
{
    return is_alnum_a(c) || u8_is_kana(c) || u8_is_han(c) || (c >= 0xC0 && c < 0x2000);
}

static void zero_width(tellbuf *tb, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) { /* no invisible character is ASCII */
            i = u8_skip_ascii(s, len, i);
            continue;
        }
        size_t st = i;
        uint32_t c = u8_next(s, len, &i);
        if (!zw(c) || st == 0)
            continue;
        size_t q = u8_prev(s, st);
        uint32_t pc = u8_next(s, len, &q);
        size_t e = i;
        while (e < len) { /* a run of them */
            size_t r = e;
            if (!zw(u8_next(s, len, &r)))
                break;
            e = r;
        }
        if (e >= len)
            break;
        q = e;
        uint32_t nc = u8_next(s, len, &q);
        /* a variation selector after a kanji picks its glyph (IVS: 葛󠄀): not a trick */
        int vs = (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
        if (!wordish(pc) || !wordish(nc) || (vs && u8_is_cjk(pc))) {
            i = e;
            continue;
        }
        /* show the word with each invisible character spelled out */
        size_t a = st, b = e;
        for (int k = 0; k < 8 && a > 0; k++) {
            size_t p = u8_prev(s, a), r = p;
            if (!wordish(u8_next(s, len, &r)))
                break;
            a = p;
        }
        for (int k = 0; k < 8 && b < len; k++) {
            size_t r = b;
            uint32_t x = u8_next(s, len, &r);
            if (!wordish(x) && !zw(x))
                break;
            b = r;
        }
        kbuf t, g;
        kbuf_init(&t, 512);
        kbuf_init(&g, 512);
        for (size_t j = a; j < b;) {
            size_t js = j;
            uint32_t x = u8_next(s, len, &j);
            if (zw(x)) {
                kbuf_printf(&t, "<U+%04X>", (unsigned)x);
            } else {
                kbuf_add(&t, s + js, j - js);
                kbuf_add(&g, s + js, j - js);
            }
        }
        add_tell(tb, "zero_width", kbuf_take_arena(&t, tb->a), kbuf_take_arena(&g, tb->a));
        kbuf_free(&t);
        kbuf_free(&g);
        i = b;
    }
}

/* 2: a letter that only poses as Latin anywhere; 1: Cyrillic/Greek look-alike
 * (suspect only inside a Latin word); 0: not a look-alike. */
static int look_class(const content_data *d, uint32_t c)
{
    if ((c >= 0x1D400 && c <= 0x1D7FF) || (c >= 0x24B6 && c <= 0x24E9) ||
        (c >= 0x1D00 && c <= 0x1D2B) || (c >= 0x0250 && c <= 0x02AF) || c == 0x0493 ||
        (c >= 0x2100 && c <= 0x214F && c != 0x2116 && c != 0x2122 && c != 0x2103 && c != 0x2109))
        return 2;
    if (cnorm_lookalike(d, c))
        return 1;
    return 0;
}

/* Where the look-alike scan at i (an ASCII byte) begins its next run, or
 * len: at the first non-ASCII character after i, or at the ASCII letters
 * right before it (not before i). A run of letters ended by ASCII holds no
 * look-alike and is passed over. The byte loop (reference of the tests): */
static size_t look_start_simple(const char *s, size_t len, size_t i)
{
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x80)
            return i;
        if (!ascii_alpha(b)) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < len && ascii_alpha(s[j]))
            j++;
        if (j < len && (unsigned char)s[j] >= 0x80)
            return i;
        i = j;
    }
    return len;
}

/* The same: the next non-ASCII byte found sixteen bytes at a time, then
 * back over the letters before it. */
static size_t look_start(const char *s, size_t len, size_t i)
{
    size_t p = u8_skip_ascii(s, len, i);
    if (p >= len)
        return len;
    while (p > i && ascii_alpha(s[p - 1]))
        p--;
    return p;
}

size_t content_look_start(const char *s, size_t len, size_t i, int simple)
{
    return simple ? look_start_simple(s, len, i) : look_start(s, len, i);
}

static void lookalikes(tellbuf *tb, const content_data *d, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if ((unsigned char)s[i] < 0x80) { /* only a non-ASCII character makes a tell */
            i = look_start(s, len, i);
            if (i >= len)
                break;
        }
        size_t st = i, e = i;
        int ascii = 0, c1 = 0, c2 = 0, other = 0;
        while (e < len && e - st < 256) {
            size_t q = e;
            uint32_t c = u8_next(s, len, &q);
            int lc = c < 0x80 ? 0 : look_class(d, c); /* no ASCII look-alikes */
            int a = (c >= 'a' && c <= 'z') || is_upper(c);
            if (!a && !lc) {
                if (c >= 0x80 && !u8_is_cjk(c) && (c < 0x2000) && c != 0xA0 && c > 0x24F)
                    other++; /* a real letter of another script in the same word */
                break;
            }
            ascii += a;
            c1 += lc == 1;
            c2 += lc == 2;
            e = q;
        }
        if (e == st) {
            u8_next(s, len, &i);
            continue;
        }
        if (c2 + c1 > 0 && (c2 >= 2 || (c2 && ascii) || (c1 && ascii)) && !other) {
            size_t fl = 0;
            char *f = cnorm_fold(tb->a, d, s + st, e - st, 0, &fl);
            add_tell(tb, "lookalike_letters", u8_snippet(tb->a, s, len, st, e, 0, SNIP_MAX), f);
        }
        i = e;
    }
}

int content_tells(arena *a, const content_data *d, const char *orig, size_t len, const char *nfkc,
                  size_t nlen, int ja, content_result *out)
{
    (void)nfkc;
    (void)nlen;
    tellbuf tb = {a, out, CONTENT_MAX_TELLS};
    out->tells = arena_alloc(a, CONTENT_MAX_TELLS * sizeof *out->tells);
    if (!out->tells)
        return -1;
    if (ja) {
        typos(&tb, d, orig, len);
        simplified(&tb, d, orig, len);
        split_words(&tb, orig, len);
        qmarks(&tb, orig, len);
        width_mix(&tb, orig, len);
    }
    zero_width(&tb, orig, len);
    lookalikes(&tb, d, orig, len);
    return 0;
}
