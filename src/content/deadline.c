/*
 * deadline.c - find the deadline a mail presses for and normalize it.
 *
 * Reads NFKC text (ASCII digits and punctuation). Absolute dates the Japanese
 * and English ways (2026年1月31日(土)17時, 2026/2/10 17:30, 1/31, 1月31日,
 * January 31, 2026, 31 Jan) count only near a deadline word (まで, 期限,
 * 以内, 迄, by, before, until, expire, within...) or in a sentence holding a
 * lure phrase; relative forms (本日中, 24時間以内, 残り7日, within 24 hours)
 * are deadlines by themselves and resolve against the receipt time. Year-less
 * dates take the receipt's year (the next one when that lies in the past).
 * Dates before receipt (the mail's own date line, old references) are ignored.
 * All arithmetic is proleptic Gregorian on integers: no TZ, no libc state.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/ascii.h"
#include "../util/civil.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "internal.h"

#define JST_MIN 540
#define MAX_FUTURE_DAYS 400
#define YEAR_ROLL_DAYS 120
#define CUE_AFTER_BYTES 30
#define CUE_BEFORE_BYTES 40

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int dig(char c)
{
    return c >= '0' && c <= '9';
}

static int read2(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!dig(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int content_parse_iso(const char *s, long long *epoch, int *offset_min)
{
    if (!s || strlen(s) < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':')
        return -1;
    int y = read2(s, 4), mo = read2(s + 5, 2), d = read2(s + 8, 2), h = read2(s + 11, 2),
        mi = read2(s + 14, 2), se = 0;
    const char *p = s + 16;
    if (*p == ':') {
        se = read2(p + 1, 2);
        if (se < 0) /* "…T09:04:0" - p + 3 would be past the NUL */
            return -1;
        p += 3;
        while (*p == '.' || dig(*p))
            p++;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || se < 0 || se > 60)
        return -1;
    int off = 0;
    if (*p == 'Z' || *p == 0) {
        off = 0;
    } else if (*p == '+' || *p == '-') {
        int oh = read2(p + 1, 2); /* stops at a NUL: p[3] exists only when oh does */
        if (oh < 0 || oh > 14)
            return -1;
        int om = p[3] == ':' ? read2(p + 4, 2) : read2(p + 3, 2);
        if (om < 0)
            return -1;
        off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    *epoch = civil_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se -
             (long long)off * 60;
    *offset_min = off;
    return 0;
}

/* ---- small lexers over NFKC bytes ---- */

typedef struct {
    const char *t;
    size_t len;
} src;

/* w at i: its length, or 0. Byte loops, no strlen: they run at most
 * positions of the text and fail on the first byte almost always. */
static size_t lit(const src *s, size_t i, const char *w)
{
    size_t n = 0;
    for (; w[n]; n++)
        if (i + n >= s->len || s->t[i + n] != w[n])
            return 0;
    return n;
}

/* the same, ASCII letters matched in either case (w is lower case) */
static size_t lit_ci(const src *s, size_t i, const char *w)
{
    size_t n = 0;
    for (; w[n]; n++) {
        if (i + n >= s->len)
            return 0;
        unsigned char c = (unsigned char)s->t[i + n];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c != (unsigned char)w[n])
            return 0;
    }
    return n;
}

static size_t skip_sp(const src *s, size_t i)
{
    while (i < s->len && (s->t[i] == ' ' || s->t[i] == '\t'))
        i++;
    return i;
}

/* Read 1..maxd digits at *i; -1 when none or more digits follow. */
static long read_num(const src *s, size_t *i, int maxd)
{
    size_t k = *i;
    long v = 0;
    int n = 0;
    while (k < s->len && dig(s->t[k])) {
        if (++n > maxd)
            return -1;
        v = v * 10 + (s->t[k] - '0');
        k++;
    }
    if (!n)
        return -1;
    *i = k;
    return v;
}

/* Optional weekday in parentheses: (土) (Sat) (土・祝). */
static size_t skip_weekday(const src *s, size_t i)
{
    size_t k = skip_sp(s, i);
    if (k < s->len && s->t[k] == '(') {
        for (size_t j = k + 1; j < s->len && j < k + 14; j++)
            if (s->t[j] == ')')
                return j + 1;
    }
    static const char *const wd[] = {"日曜日", "月曜日", "火曜日", "水曜日",
                                     "木曜日", "金曜日", "土曜日", NULL};
    for (int w = 0; wd[w]; w++) {
        size_t n = lit(s, k, wd[w]);
        if (n)
            return k + n;
    }
    return i;
}

/* Optional time of day: 17時, 17時30分, 午後5時, 17:30(:00), 5:00 PM, 5pm, at 17:00. */
static size_t parse_time(const src *s, size_t i, int *h, int *mi, int *has)
{
    size_t k = skip_sp(s, i), n;
    int pm = 0, am = 0;
    if ((n = lit_ci(s, k, "at ")))
        k = skip_sp(s, k + n);
    if ((n = lit(s, k, "午後"))) {
        pm = 1;
        k += n;
    } else if ((n = lit(s, k, "午前"))) {
        am = 1;
        k += n;
    }
    size_t st = k;
    long hh = read_num(s, &k, 2);
    if (hh < 0)
        return i;
    long mm = 0;
    if ((n = lit(s, k, "時"))) {
        k += n;
        if ((n = lit(s, k, "半"))) {
            mm = 30;
            k += n;
        } else {
            size_t k2 = k;
            long m2 = read_num(s, &k2, 2);
            if (m2 >= 0 && (n = lit(s, k2, "分"))) {
                mm = m2;
                k = k2 + n;
            }
        }
    } else if (k < s->len && s->t[k] == ':') {
        k++;
        size_t k2 = k;
        mm = read_num(s, &k2, 2);
        if (mm < 0 || k2 - k != 2)
            return i;
        k = k2;
        if (k + 2 < s->len && s->t[k] == ':' && dig(s->t[k + 1]) && dig(s->t[k + 2]))
            k += 3;
    } else {
        /* "5 PM" / "5pm" only */
        size_t k2 = skip_sp(s, k);
        if (!(lit_ci(s, k2, "pm") || lit_ci(s, k2, "am") || lit_ci(s, k2, "p.m") ||
              lit_ci(s, k2, "a.m")))
            return i;
    }
    (void)st;
    size_t k2 = skip_sp(s, k);
    if ((n = lit_ci(s, k2, "pm")) || (n = lit_ci(s, k2, "p.m."))) {
        if (k2 + n >= s->len || !ascii_alpha(s->t[k2 + n])) {
            pm = 1;
            k = k2 + n;
        }
    } else if ((n = lit_ci(s, k2, "am")) || (n = lit_ci(s, k2, "a.m."))) {
        if (k2 + n >= s->len || !ascii_alpha(s->t[k2 + n])) {
            am = 1;
            k = k2 + n;
        }
    }
    if (pm && hh < 12)
        hh += 12;
    if (am && hh == 12)
        hh = 0;
    if (hh > 24 || mm > 59 || (hh == 24 && mm))
        return i;
    if ((n = lit(s, k, "頃")))
        k += n;
    *h = (int)hh;
    *mi = (int)mm;
    *has = 1;
    return k;
}

static const char *const mn[] = {"january",   "february", "march",    "april",
                                 "may",       "june",     "july",     "august",
                                 "september", "october",  "november", "december"};

static int month_name(const src *s, size_t i, size_t *end)
{
    if (i > 0 && ascii_alpha(s->t[i - 1]))
        return 0;
    /* first letters of the months: a d f j m n o s */
    switch (s->t[i] | 0x20) {
    case 'a': case 'd': case 'f': case 'j': case 'm': case 'n': case 'o': case 's':
        break;
    default:
        return 0;
    }
    /* every form below begins with a month's first three letters (a byte
     * ORed with 0x20 is a lowercase letter only when it is a letter) */
    if (i + 3 > s->len)
        return 0;
    unsigned char c0 = (unsigned char)(s->t[i] | 0x20), c1 = (unsigned char)(s->t[i + 1] | 0x20),
                  c2 = (unsigned char)(s->t[i + 2] | 0x20);
    int m = 0;
    while (m < 12 && !(mn[m][0] == c0 && mn[m][1] == c1 && mn[m][2] == c2))
        m++;
    if (m == 12)
        return 0;
    size_t k = i;
    char w[12];
    int n = 0;
    while (k < s->len && ascii_alpha(s->t[k]) && n < 11) {
        w[n++] = (char)(s->t[k] | 0x20);
        k++;
    }
    if (n < 3 || (k < s->len && ascii_alpha(s->t[k])))
        return 0;
    w[n] = 0;
    /* no two months share their first three letters: month m or none */
    if (n == 3 || strcmp(w, mn[m]) == 0 || (m == 8 && strcmp(w, "sept") == 0)) {
        if (k < s->len && s->t[k] == '.')
            k++;
        *end = k;
        return m + 1;
    }
    return 0;
}

typedef struct {
    size_t s, e;         /* span in the text */
    int y, m, d;         /* y = 0 when not written */
    int h, mi, has_time; /* time of day */
    int rel;             /* 1: relative: receipt + secs (or end of day + days_eod) */
    long long secs;
    int eod_days; /* relative end-of-day: 0 today, 1 tomorrow; -1 unused */
    int inherent; /* a deadline by itself (以内, 残り, 本日中) */
} cand;

static size_t skip_ordinal(const src *s, size_t k)
{
    if (lit_ci(s, k, "st") || lit_ci(s, k, "nd") || lit_ci(s, k, "rd") || lit_ci(s, k, "th"))
        if (k + 2 >= s->len || !ascii_alpha(s->t[k + 2]))
            return k + 2;
    return k;
}

/* lit_ci of "within " or else "in the next " at k, the first byte tested
 * before any comparison (this runs at every letter of the text). */
static const char *const within_words[] = {"within ", "in the next "};

static size_t starts_within(const src *s, size_t k)
{
    char f = (char)(s->t[k] | 0x20);
    for (size_t w = 0; w < sizeof within_words / sizeof *within_words; w++)
        if (f == within_words[w][0])
            return lit_ci(s, k, within_words[w]);
    return 0;
}

/* relative words (parse_at) */
static const struct {
    const char *w;
    int days, inherent;
} rw[] = {{"本日中", 0, 1}, {"今日中", 0, 1},   {"当日中", 0, 1},     {"明日中", 1, 1},
          {"本日", 0, 0},   {"今日", 0, 0},     {"明日", 1, 0},       {"明後日", 2, 0},
          {"today", 0, 0},  {"tomorrow", 1, 0}, {"end of day", 0, 1}, {"tonight", 0, 0}};
/* 残り7日 / あと3日 (parse_at) */
static const char *const ja_count[] = {"残り", "あと"};

/* Can parse_at succeed at a non-ASCII byte? Only where one of the non-ASCII
 * words above begins (every other form starts with a digit or a letter), so
 * the scan skips the rest of Japanese text without calling it. Each of those
 * words begins with a three-byte character. */
static int nonascii_may_start(const char *t, size_t left)
{
    if (left < 3)
        return 0;
    for (size_t r = 0; r < sizeof rw / sizeof rw[0]; r++)
        if ((unsigned char)rw[r].w[0] >= 0x80 && memcmp(t, rw[r].w, 3) == 0)
            return 1;
    for (size_t r = 0; r < sizeof ja_count / sizeof ja_count[0]; r++)
        if (memcmp(t, ja_count[r], 3) == 0)
            return 1;
    return 0;
}

/* Per first letter ('x' - 'a'), the second letters (bit 'y' - 'a') with
 * which a candidate can begin at a word start (the ASCII relative words,
 * "within"/"in the next", the months: every one is 3+ letters) and inside a
 * word ("within"/"in the next" only): parse_at is not called at other
 * letters. The letters are matched in either case, as lit_ci and month_name do. */
static void letter_masks(uint32_t word_start[26], uint32_t inside[26])
{
    memset(inside, 0, 26 * sizeof *inside);
    for (size_t w = 0; w < sizeof within_words / sizeof *within_words; w++)
        inside[within_words[w][0] - 'a'] |= 1u << (within_words[w][1] - 'a');
    memcpy(word_start, inside, 26 * sizeof *inside);
    for (size_t r = 0; r < sizeof rw / sizeof rw[0]; r++)
        if (rw[r].w[0] >= 'a' && rw[r].w[0] <= 'z')
            word_start[rw[r].w[0] - 'a'] |= 1u << (rw[r].w[1] - 'a');
    for (size_t m = 0; m < sizeof mn / sizeof *mn; m++)
        word_start[mn[m][0] - 'a'] |= 1u << (mn[m][1] - 'a');
}

/* Can parse_at succeed at the ASCII byte text[i]? A digit must start a
 * number (parse_at's test); a letter needs a second letter that makes one of
 * the word prefixes above. */
static inline int ascii_may_start(const char *text, size_t len, size_t i, const uint32_t *word_start,
                           const uint32_t *inside)
{
    char ch = text[i];
    if (dig(ch)) {
        if (i == 0)
            return 1;
        char p = text[i - 1];
        return !(dig(p) || p == '/' || p == '.' || p == '-' || ascii_alpha(p));
    }
    if (!ascii_alpha(ch) || i + 1 >= len || !ascii_alpha(text[i + 1]))
        return 0;
    const uint32_t *m = i > 0 && ascii_alpha(text[i - 1]) ? inside : word_start;
    return m[(ch | 0x20) - 'a'] >> ((text[i + 1] | 0x20) - 'a') & 1;
}

static uint32_t word_start_m[26], inside_m[26];
/* per byte: 0 none of the below, 1 a letter, 2 a letter that can begin a
 * candidate inside a word, 3 a digit, 4 a non-ASCII byte */
static unsigned char byte_kind[256];
static pthread_once_t masks_once = PTHREAD_ONCE_INIT;

/* bytes at which some relative word (rw) may begin: parse_at's first-byte test */
static unsigned char rw_first[256];

/* Mark in t the bytes lit_ci (ci) or lit matches with w's first byte. */
static void mark_first(unsigned char *t, const char *w, int ci)
{
    unsigned char w0 = (unsigned char)w[0];
    t[w0] = 1;
    if (ci && w0 >= 'a' && w0 <= 'z')
        t[w0 - 32] = 1;
}

static void masks_build(void)
{
    letter_masks(word_start_m, inside_m);
    for (size_t r = 0; r < sizeof rw / sizeof rw[0]; r++) {
        unsigned char w0 = (unsigned char)rw[r].w[0];
        if (w0 < 0x7F && w0 > 0) { /* parse_at: (t[k] | 0x20) == w0 */
            for (int c = 0; c < 256; c++)
                if ((c | 0x20) == w0)
                    rw_first[c] = 1;
        } else {
            rw_first[w0] = 1;
        }
    }
    for (int c = 0; c < 256; c++)
        byte_kind[c] = c >= 0x80                              ? 4
                       : dig((char)c)                         ? 3
                       : !ascii_alpha(c)                      ? 0
                       : inside_m[(c | 0x20) - 'a'] ? 2
                                                              : 1;
}

/* ascii_may_start at a letter whose word (start or inside) is known */
static inline int pair_ok(const uint32_t *m, const char *text, size_t len, size_t i)
{
    return i + 1 < len && ascii_alpha(text[i + 1]) &&
           (m[(text[i] | 0x20) - 'a'] >> ((text[i + 1] | 0x20) - 'a') & 1);
}

/* The first position at or after i (stepping as the scan does: a byte in
 * ASCII, a character otherwise) where parse_at may succeed, or len. Runs
 * through the letters of a word with one table test each. (The scan uses
 * next_start below; this byte loop is its reference in the tests.) */
static size_t next_start_simple(const char *text, size_t len, size_t i)
{
    size_t i0 = i; /* only there may a letter follow a letter not seen here */
    while (i < len) {
        unsigned char ch = (unsigned char)text[i];
        switch (byte_kind[ch]) {
        case 0:
            i++;
            continue;
        case 4:
            if (nonascii_may_start(text + i, len - i))
                return i;
            u8_next(text, len, &i);
            continue;
        case 3:
            if (ascii_may_start(text, len, i, word_start_m, inside_m))
                return i;
            i++;
            continue;
        default:
            if (i == i0 ? ascii_may_start(text, len, i, word_start_m, inside_m)
                        : pair_ok(word_start_m, text, len, i))
                return i;
            /* the rest of the word: letters inside it */
            for (i++; i < len; i++) {
                unsigned k = byte_kind[(unsigned char)text[i]];
                if (k == 2 && pair_ok(inside_m, text, len, i))
                    return i;
                if (k != 1 && k != 2)
                    break;
            }
        }
    }
    return len;
}

#ifdef __SSE2__
/* next_start_simple sixteen positions at a time where the text is ASCII:
 * the lanes that may start a candidate (a digit after none of digit,
 * letter, '/', '.', '-'; a letter before a letter, at a word start or an i
 * or w inside a word) are found with vector compares, and only they get the
 * pair test of ascii_may_start. A non-ASCII byte goes to the byte step. */
static size_t next_start(const char *text, size_t len, size_t i)
{
    const __m128i x20 = _mm_set1_epi8(0x20), a1 = _mm_set1_epi8('a' - 1),
                  z1 = _mm_set1_epi8('z' + 1), p1 = _mm_set1_epi8(0x2D - 1),
                  d1 = _mm_set1_epi8('0' - 1), n1 = _mm_set1_epi8('9' + 1),
                  ci = _mm_set1_epi8('i'), cw = _mm_set1_epi8('w');
    while (i < len) {
        if ((unsigned char)text[i] >= 0x80) {
            if (nonascii_may_start(text + i, len - i))
                return i;
            u8_next(text, len, &i);
            continue;
        }
        if (i == 0 || i + 17 > len) { /* no byte before, or fewer than seventeen left */
            if (ascii_may_start(text, len, i, word_start_m, inside_m))
                return i;
            i++;
            continue;
        }
        /* signed compares: bytes >= 0x80 are below every ASCII bound */
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(text + i));
        __m128i y = _mm_or_si128(x, x20);
        unsigned let = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(y, a1), _mm_cmpgt_epi8(z1, y)));
        /* '-' '.' '/' and the digits: 0x2D..0x39 */
        unsigned dpunct = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(x, p1), _mm_cmpgt_epi8(n1, x)));
        unsigned digit = dpunct & (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(x, d1));
        unsigned iw = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(y, ci), _mm_cmpeq_epi8(y, cw)));
        unsigned high = (unsigned)_mm_movemask_epi8(x);
        unsigned char pb = (unsigned char)text[i - 1], nb = (unsigned char)text[i + 16];
        unsigned p_let = ascii_alpha(pb) != 0;
        unsigned p_block = p_let || (pb >= 0x2D && pb <= 0x39);
        unsigned let_prev = (let << 1 | p_let) & 0xFFFFu;
        unsigned let_next = let >> 1 | (unsigned)(ascii_alpha(nb) != 0) << 15;
        unsigned block_prev = ((let | dpunct) << 1 | p_block) & 0xFFFFu;
        unsigned cand = (digit & ~block_prev) | (let & let_next & (~let_prev | iw));
        unsigned stop = cand | high; /* or a non-ASCII byte: the step above */
        for (; stop; stop &= stop - 1) {
            unsigned lane = (unsigned)__builtin_ctz(stop);
            size_t p = i + lane;
            unsigned char c = (unsigned char)text[p];
            if (c >= 0x80)
                break;
            if (digit >> lane & 1)
                return p; /* the digit test of ascii_may_start, done above */
            /* a letter before a letter: ascii_may_start's pair test, the
             * table chosen by the letter before it (known above) */
            const uint32_t *m = let_prev >> lane & 1 ? inside_m : word_start_m;
            if (m[(c | 0x20) - 'a'] >> ((text[p + 1] | 0x20) - 'a') & 1)
                return p;
        }
        /* no start among the sixteen, or the first non-ASCII byte */
        i = stop ? i + (size_t)__builtin_ctz(stop) : i + 16;
    }
    return len;
}
#else
#define next_start next_start_simple
#endif

size_t content_deadline_next_start(const char *text, size_t len, size_t i, int simple)
{
    pthread_once(&masks_once, masks_build);
    return simple ? next_start_simple(text, len, i) : next_start(text, len, i);
}

/* Try every date form at i. Returns 1 and fills c. */
static int parse_at(const src *s, size_t i, int en_mdy, cand *c)
{
    size_t k = i, n;
    const char *t = s->t;
    /* inside a word only "within "/"in the next " can start a candidate:
     * everything below wants a word start, a digit or a non-ASCII byte
     * (tested before clearing c: this runs at every letter) */
    if (k > 0 && ascii_alpha(t[k]) && ascii_alpha(t[k - 1]) && !starts_within(s, k))
        return 0;
    memset(c, 0, sizeof *c);
    c->eod_days = -1;
    c->s = i;
    /* relative words */
    for (size_t r = 0; rw_first[(unsigned char)t[k]] && r < sizeof rw / sizeof rw[0]; r++) {
        int ascii = rw[r].w[0] < 0x7F && rw[r].w[0] > 0;
        if (ascii ? (t[k] | 0x20) != rw[r].w[0] : t[k] != rw[r].w[0])
            continue; /* first byte differs (the ASCII words are lowercase letters) */
        n = ascii ? lit_ci(s, k, rw[r].w) : lit(s, k, rw[r].w);
        if (!n ||
            (ascii && ((k > 0 && ascii_alpha(t[k - 1])) || (k + n < s->len && ascii_alpha(t[k + n])))))
            continue;
        c->rel = 1;
        c->eod_days = rw[r].days;
        c->inherent = rw[r].inherent;
        k += n;
        c->h = 23;
        c->mi = 59;
        size_t k2 = parse_time(s, k, &c->h, &c->mi, &c->has_time);
        if (c->has_time)
            k = k2;
        c->e = k;
        return 1;
    }
    /* "within 24 hours", "in 3 days" */
    if ((n = starts_within(s, k))) {
        size_t k2 = skip_sp(s, k + n);
        long v = read_num(s, &k2, 3);
        if (v > 0) {
            k2 = skip_sp(s, k2);
            size_t u;
            if ((u = lit_ci(s, k2, "hours")) || (u = lit_ci(s, k2, "hour")) ||
                (u = lit_ci(s, k2, "hrs")) || (u = lit_ci(s, k2, "hr"))) {
                c->rel = 1;
                c->secs = v * 3600;
                c->has_time = 1;
            } else if ((u = lit_ci(s, k2, "days")) || (u = lit_ci(s, k2, "day"))) {
                c->rel = 1;
                c->secs = v * 86400;
                c->has_time = 1;
            }
            if (c->rel && v <= 24 * MAX_FUTURE_DAYS) {
                c->inherent = 1;
                c->e = k2 + u;
                return 1;
            }
            c->rel = 0;
        }
    }
    /* 残り7日 / あと3日 */
    if ((n = lit(s, k, ja_count[0])) || (n = lit(s, k, ja_count[1]))) {
        size_t k2 = skip_sp(s, k + n);
        long v = read_num(s, &k2, 3);
        size_t u;
        if (v > 0 && v <= MAX_FUTURE_DAYS && (u = lit(s, k2, "日"))) {
            c->rel = 1;
            c->secs = v * 86400;
            c->has_time = 1;
            c->inherent = 1;
            c->e = k2 + u;
            return 1;
        }
        if (v > 0 && v <= 24 * 31 && (u = lit(s, k2, "時間"))) {
            c->rel = 1;
            c->secs = v * 3600;
            c->has_time = 1;
            c->inherent = 1;
            c->e = k2 + u;
            return 1;
        }
    }
    /* English month name first: January 31(, 2026) */
    int mon = ascii_alpha(t[k]) ? month_name(s, k, &n) : 0;
    if (mon) {
        size_t k2 = skip_sp(s, n);
        long d = read_num(s, &k2, 2);
        if (d >= 1 && d <= 31) {
            k2 = skip_ordinal(s, k2);
            c->m = mon;
            c->d = (int)d;
            size_t k3 = k2;
            if (k3 < s->len && t[k3] == ',')
                k3++;
            k3 = skip_sp(s, k3);
            size_t k4 = k3;
            long y = read_num(s, &k4, 4);
            if (y >= 1970 && y <= 2200 && k4 - k3 == 4) {
                c->y = (int)y;
                k2 = k4;
            }
            size_t k5 = k2;
            if (k5 < s->len && t[k5] == ',')
                k5++;
            size_t k6 = parse_time(s, k5, &c->h, &c->mi, &c->has_time);
            if (c->has_time)
                k2 = k6;
            c->e = k2;
            return 1;
        }
        return 0;
    }
    if (!dig(t[k]) || (k > 0 && (dig(t[k - 1]) || t[k - 1] == '/' || t[k - 1] == '.' ||
                                 t[k - 1] == '-' || ascii_alpha(t[k - 1]))))
        return 0;
    size_t k1 = k;
    long n1 = read_num(s, &k1, 4);
    if (n1 < 0)
        return 0;
    size_t u;
    /* N時間以内 / N日以内 / N分以内 / N日後 */
    {
        size_t k2 = skip_sp(s, k1);
        long mult = 0;
        if ((u = lit(s, k2, "時間")))
            mult = 3600;
        else if ((u = lit(s, k2, "日間")) || (u = lit(s, k2, "日")))
            mult = 86400;
        else if ((u = lit(s, k2, "分")))
            mult = 60;
        if (mult) {
            size_t k3 = skip_sp(s, k2 + u), v;
            if ((v = lit(s, k3, "以内")) || (v = lit(s, k3, "後"))) {
                if (n1 > 0 && n1 * mult <= (long)MAX_FUTURE_DAYS * 86400) {
                    c->rel = 1;
                    c->secs = n1 * mult;
                    c->has_time = 1;
                    c->inherent = 1;
                    c->e = k3 + v;
                    return 1;
                }
                return 0;
            }
        }
    }
    /* 2026年1月31日 / 1月31日 */
    size_t k2 = k1;
    long y = 0, m = 0, d = 0;
    if ((u = lit(s, k2, "年")) && n1 >= 1970 && n1 <= 2200) {
        y = n1;
        k2 = skip_sp(s, k2 + u);
        m = read_num(s, &k2, 2);
        if (m < 1 || !(u = lit(s, k2, "月")))
            return 0;
        k2 = skip_sp(s, k2 + u);
        d = read_num(s, &k2, 2);
        if (d < 1 || !(u = lit(s, k2, "日")))
            return 0;
        k2 += u;
    } else if ((u = lit(s, k2, "月")) && n1 >= 1 && n1 <= 12) {
        m = n1;
        k2 = skip_sp(s, k2 + u);
        d = read_num(s, &k2, 2);
        if (d < 1 || !(u = lit(s, k2, "日")))
            return 0;
        k2 += u;
    } else if (k2 < s->len && (t[k2] == '/' || t[k2] == '-' || t[k2] == '.') && k1 - k == 4 &&
               n1 >= 1970 && n1 <= 2200) {
        char sep = t[k2];
        y = n1;
        k2++;
        m = read_num(s, &k2, 2);
        if (m < 1 || k2 >= s->len || t[k2] != sep)
            return 0;
        k2++;
        d = read_num(s, &k2, 2);
        if (d < 1 || (k2 < s->len && (dig(t[k2]) || t[k2] == sep)))
            return 0;
        if ((u = lit(s, k2, "日")))
            k2 += u;
    } else if (k2 < s->len && t[k2] == '/' && k1 - k <= 2) {
        /* M/D or M/D/YYYY (D/M/YYYY when the first part cannot be a month) */
        k2++;
        long b = read_num(s, &k2, 2);
        if (b < 1)
            return 0;
        m = n1;
        d = b;
        if (k2 < s->len && t[k2] == '/') {
            size_t k3 = k2 + 1;
            long yy = read_num(s, &k3, 4);
            if (yy < 1970 || yy > 2200 || k3 - k2 - 1 != 4)
                return 0;
            y = yy;
            k2 = k3;
            if (!en_mdy || m > 12) {
                if (m > 12) {
                    long tmp = m;
                    m = d;
                    d = tmp;
                }
            }
        }
        if (k2 < s->len && (dig(t[k2]) || t[k2] == '/' || t[k2] == '.' || ascii_alpha(t[k2])))
            return 0;
    } else {
        /* 31 January 2026 */
        size_t k3 = skip_ordinal(s, k1);
        k3 = skip_sp(s, k3);
        if (k3 > k1 && k3 < s->len && ascii_alpha(t[k3]) && (mon = month_name(s, k3, &n)) &&
            n1 >= 1 && n1 <= 31) {
            m = mon;
            d = n1;
            k2 = n;
            size_t k4 = skip_sp(s, k2);
            size_t k5 = k4;
            long yy = read_num(s, &k5, 4);
            if (yy >= 1970 && yy <= 2200 && k5 - k4 == 4) {
                y = yy;
                k2 = k5;
            }
        } else {
            return 0;
        }
    }
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    c->y = (int)y;
    c->m = (int)m;
    c->d = (int)d;
    k2 = skip_weekday(s, k2);
    size_t k3 = parse_time(s, k2, &c->h, &c->mi, &c->has_time);
    c->e = k3;
    return 1;
}

static const char *const cue_after[] = {"までに", "まで",     "迄",   "期限",   "以内",
                                        "締切",   "締め切り", "失効", "を過ぎ", "を過ぎると",
                                        "中に",   "deadline", NULL};
static const char *const cue_before[] = {
    "期限",       "期日",         "締切",      "締め切り",   "有効期限",       "失効",
    "by ",        "before ",      "until ",    "till ",      "no later than ", "deadline",
    "expire",     "expires",      "expiring",  "expiration", "due ",           "within ",
    "effective ", "suspended on", "closed on", NULL};
static const char *const no_before[] = {"date:",  "sent:",  "日時:",  "送信日", "受信日", "発行日",
                                        "受付日", "注文日", "作成日", "更新日", NULL};

/* bytes at which a word of each list may begin (lit_ci: either case) */
static unsigned char after_first[256], before_first[256], no_first[256];
static pthread_once_t cues_once = PTHREAD_ONCE_INIT;

static void cues_build(void)
{
    for (int w = 0; cue_after[w]; w++)
        mark_first(after_first, cue_after[w], 1);
    for (int w = 0; cue_before[w]; w++)
        mark_first(before_first, cue_before[w], 1);
    for (int w = 0; no_before[w]; w++)
        mark_first(no_first, no_before[w], 1);
}

/* Between an English cue and its date only filler words may stand ("by the
 * end of Monday, Jan 5"); a Japanese cue (期限:, 有効期限は) allows any short gap. */
static int gap_ok(const src *s, size_t a, size_t b, int english)
{
    static const char *const fill[] = {"on",       "the",       "end",      "of",       "at",
                                       "midnight", "noon",      "close",    "business", "monday",
                                       "tuesday",  "wednesday", "thursday", "friday",   "saturday",
                                       "sunday",   "mon",       "tue",      "wed",      "thu",
                                       "fri",      "sat",       "sun",      "day",      NULL};
    if (b - a > 24)
        return 0;
    for (size_t k = a; k < b; k++)
        if (s->t[k] == '\n' || lit(s, k, "。"))
            return 0;
    if (!english)
        return 1;
    size_t k = a;
    while (k < b) {
        char ch = s->t[k];
        if (ch == ' ' || ch == ',' || ch == '.' || ch == ':') {
            k++;
            continue;
        }
        size_t e = k;
        while (e < b && ascii_alpha(s->t[e]))
            e++;
        if (e == k)
            return 0;
        int ok = 0;
        for (int i = 0; fill[i] && !ok; i++)
            ok = strlen(fill[i]) == e - k && strncasecmp(s->t + k, fill[i], e - k) == 0;
        if (!ok)
            return 0;
        k = e;
    }
    return 1;
}

/* Is a cue word right after [e) (within CUE_AFTER_BYTES) or before s? Returns the span end. */
static int has_cue(const src *s, const cand *c, size_t *cs, size_t *ce)
{
    size_t lim = c->e + CUE_AFTER_BYTES < s->len ? c->e + CUE_AFTER_BYTES : s->len;
    for (size_t k = c->e; k < lim; k++) {
        if (s->t[k] == '\n' || lit(s, k, "。"))
            break;
        for (int w = 0; after_first[(unsigned char)s->t[k]] && cue_after[w]; w++) {
            size_t n = lit_ci(s, k, cue_after[w]);
            if (n) {
                *cs = c->s;
                *ce = k + n;
                return 1;
            }
        }
    }
    size_t from = c->s > CUE_BEFORE_BYTES ? c->s - CUE_BEFORE_BYTES : 0;
    for (size_t k = from; k < c->s; k++) {
        if (s->t[k] == '\n')
            from = k + 1;
    }
    for (size_t k = from; k < c->s; k++) {
        for (int w = 0; before_first[(unsigned char)s->t[k]] && cue_before[w]; w++) {
            size_t n = lit_ci(s, k, cue_before[w]);
            if (n && k + n <= c->s &&
                gap_ok(s, k + n, c->s, (unsigned char)cue_before[w][0] < 0x80)) {
                *cs = k;
                *ce = c->e;
                return 1;
            }
        }
    }
    return 0;
}

static int is_dateline(const src *s, const cand *c)
{
    size_t from = c->s > CUE_BEFORE_BYTES ? c->s - CUE_BEFORE_BYTES : 0;
    for (size_t k = from; k < c->s; k++)
        if (s->t[k] == '\n')
            from = k + 1;
    for (size_t k = from; k < c->s; k++)
        for (int w = 0; no_first[(unsigned char)s->t[k]] && no_before[w]; w++)
            if (lit_ci(s, k, no_before[w]))
                return 1;
    return 0;
}

static int in_lure_sentence(const src *s, const cand *c, const size_t *lp, size_t nlp)
{
    size_t a = c->s, b = c->e;
    while (a > 0 && s->t[a - 1] != '\n' && !lit(s, a >= 3 ? a - 3 : 0, "。") &&
           !(s->t[a - 1] == '.' && a < s->len && s->t[a] == ' ') && c->s - a < 400)
        a--;
    while (b < s->len && s->t[b] != '\n' && !lit(s, b, "。") && b - c->e < 400)
        b++;
    for (size_t i = 0; i < nlp; i++)
        if (lp[i] >= a && lp[i] < b)
            return 1;
    return 0;
}

/* Resolve a candidate to an instant. 0 on success. */
static int resolve(const cand *c, int have_r, long long r_epoch, int zone, long long *out)
{
    if (c->rel) {
        if (!have_r)
            return -1;
        if (c->eod_days < 0) {
            *out = r_epoch + c->secs;
            return 0;
        }
        long long lday = (r_epoch + zone * 60LL) / 86400 - ((r_epoch + zone * 60LL) < 0);
        lday += c->eod_days;
        int sec = c->has_time ? 0 : 59;
        int h = c->h == 24 ? 23 : c->h, mi = c->h == 24 ? 59 : c->mi;
        if (c->h == 24)
            sec = 59;
        *out = lday * 86400 + h * 3600 + mi * 60 + sec - zone * 60LL;
        return 0;
    }
    int y = c->y;
    int yearless = !y;
    if (yearless) {
        if (!have_r)
            return -1;
        int ry, rm, rd;
        civil_from_days((r_epoch + zone * 60LL) / 86400, &ry, &rm, &rd);
        y = ry;
    }
    for (int pass = 0; pass < 2; pass++) {
        if (c->d > days_in_month(y, c->m))
            return -1;
        int h = 23, mi = 59, sec = 59;
        if (c->has_time) {
            h = c->h;
            mi = c->mi;
            sec = 0;
            if (h == 24) {
                h = 23;
                mi = 59;
                sec = 59;
            }
        }
        long long e = civil_days(y, (unsigned)c->m, (unsigned)c->d) * 86400 + h * 3600 +
                      mi * 60 + sec - zone * 60LL;
        if (yearless && have_r && e < r_epoch - 86400 && pass == 0) {
            y++; /* 1月5日 written on 28 December */
            continue;
        }
        if (yearless && pass == 1 && e > r_epoch + YEAR_ROLL_DAYS * 86400LL)
            return -1; /* a past reference ("before 9/11"), not a deadline */
        *out = e;
        return 0;
    }
    return -1;
}

static void fill(content_deadline *o, const src *s, size_t ts, size_t te, long long e, int zone,
                 int has_time, int have_r, long long r_epoch)
{
    long long l = e + zone * 60LL;
    long long day = l / 86400 - (l % 86400 < 0);
    long long sod = l - day * 86400;
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    int h = (int)(sod / 3600), mi = (int)(sod / 60 % 60), se = (int)(sod % 60);
    int az = zone < 0 ? -zone : zone;
    snprintf(o->iso, sizeof o->iso, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, h, mi, se,
             zone < 0 ? '-' : '+', az / 60, az % 60);
    size_t n = te - ts;
    if (n >= sizeof o->text)
        n = sizeof o->text - 1;
    while (n > 0 && ts + n < s->len && ((unsigned char)s->t[ts + n] & 0xC0) == 0x80)
        n--; /* do not cut a character */
    memcpy(o->text, s->t + ts, n);
    o->text[n] = 0;
    o->found = 1;
    o->epoch = e;
    o->offset_min = zone;
    o->has_hours = has_time;
    int wd = (int)(((day % 7) + 11) % 7); /* 0 = Sunday; day 0 was a Thursday */
    o->weekend = wd == 0 || wd == 6;
    o->month_end = d > days_in_month(y, m) - 3;
    int mins = h * 60 + mi;
    o->off_hours = o->weekend || mins < 9 * 60 || mins > 18 * 60;
    o->has_receipt = have_r;
    o->hours = have_r ? (double)(e - r_epoch) / 3600.0 : 0;
}

typedef struct {
    const size_t *pos;
    size_t n;
} fixed_pos;

static size_t fixed_lure_pos(void *ctx, const size_t **pos)
{
    const fixed_pos *f = ctx;
    *pos = f->pos;
    return f->n;
}

int content_deadline_find(const char *text, size_t len, const char *receipt, int ja,
                          const size_t *lure_pos, size_t nlure_pos, content_deadline *out)
{
    fixed_pos f = {lure_pos, nlure_pos};
    return content_deadline_find_lazy(text, len, receipt, ja, fixed_lure_pos, &f, out);
}

int content_deadline_find_lazy(const char *text, size_t len, const char *receipt, int ja,
                               size_t (*lure_pos_fn)(void *ctx, const size_t **pos),
                               void *lure_ctx, content_deadline *out)
{
    /* the lure positions are asked for at the first candidate that needs
     * them (a date with no cue word), not before: most mails have none */
    const size_t *lure_pos = NULL;
    size_t nlure_pos = 0;
    int have_pos = 0;
    memset(out, 0, sizeof *out);
    if (!text)
        return 0;
    if (len > CONTENT_MAX_TEXT)
        len = CONTENT_MAX_TEXT;
    src s = {text, len};
    long long r_epoch = 0;
    int r_zone = 0;
    int have_r = receipt && content_parse_iso(receipt, &r_epoch, &r_zone) == 0;
    int zone = ja ? JST_MIN : (have_r ? r_zone : 0);
    int best_class = 0;
    pthread_once(&masks_once, masks_build);
    pthread_once(&cues_once, cues_build);
    for (size_t i = 0; i < len;) {
        i = next_start(text, len, i);
        if (i >= len)
            break;
        cand c;
        int ok = parse_at(&s, i, !ja, &c);
        if (!ok) {
            u8_next(text, len, &i);
            continue;
        }
        size_t cs = c.s, ce = c.e;
        int cls = 0;
        if (c.inherent)
            cls = 2;
        else if (has_cue(&s, &c, &cs, &ce))
            cls = 2;
        else if (!c.rel && best_class < 1) {
            if (!have_pos) {
                nlure_pos = lure_pos_fn(lure_ctx, &lure_pos);
                have_pos = 1;
            }
            if (in_lure_sentence(&s, &c, lure_pos, nlure_pos))
                cls = 1;
        }
        long long e;
        if (cls > best_class && !is_dateline(&s, &c) &&
            resolve(&c, have_r, r_epoch, zone, &e) == 0 &&
            (!have_r || (e >= r_epoch - 86400 && e <= r_epoch + MAX_FUTURE_DAYS * 86400LL))) {
            if (c.inherent && c.e > ce)
                ce = c.e;
            fill(out, &s, cs < c.s ? cs : c.s, ce > c.e ? ce : c.e, e, zone, c.has_time, have_r,
                 r_epoch);
            best_class = cls;
            if (cls == 2)
                break;
        }
        i = c.e > i ? c.e : i + 1;
    }
    return out->found;
}
