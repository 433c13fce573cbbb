/*
 * scan_text.c - find URLs in running text, Japanese text included.
 *
 * A URL starts at a scheme (http, https, ftp, mailto and the defanged
 * hxxp/hXXps/h**ps/fxp, with ":" or "[:]"), at "www.", or at a bare host
 * written with defanged dots ("evil[.]top"). It ends at whitespace, at any
 * non-ASCII character in the path (こちら, 「」、。）), at <>"` and the like,
 * and loses trailing sentence punctuation and unbalanced closing brackets.
 * Non-ASCII host labels (čau.cz, Спаморез.РФ) are kept; CJK only when the
 * label is followed by a dot, so "https://x.jpをクリック" ends after ".jp".
 * Zero-width and bidi characters are consumed (url.c strips and flags them).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../util/ascii.h"
#include "../util/lanes.h"
#include "links_int.h"

unsigned long links_u8(const unsigned char *s, size_t n, size_t *adv)
{
    *adv = 1;
    if (!n)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return c;
    int need;
    unsigned long cp;
    if ((c & 0xE0) == 0xC0) {
        need = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3;
        cp = c & 0x07;
    } else {
        return 0xFFFD;
    }
    if ((size_t)need >= n)
        return 0xFFFD;
    for (int k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    *adv = (size_t)need + 1;
    return cp;
}

int links_is_invisible(unsigned long cp)
{
    return cp == 0x00AD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
           cp == 0x180E;
}

/* Punctuation and spaces that end a URL even inside the host. */
static int is_stop_cp(unsigned long cp)
{
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
           (cp >= 0xFE30 && cp <= 0xFE6F) || cp == 0xFFFD || (cp >= 0xE000 && cp <= 0xF8FF);
}

/* Scripts written without spaces next to URLs: kana, kanji, fullwidth forms. */
static int is_cjk_cp(unsigned long cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF10 && cp <= 0xFF5A) || (cp >= 0xFF66 && cp <= 0xFF9F) ||
           (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* ASCII c, as a bit of a 128-bit set (lo: 0-63, hi: 64-127) */
#define ASET_LO(c) ((c) < 64 ? (uint64_t)1 << ((c) & 63) : 0)
#define ASET_HI(c) ((c) >= 64 ? (uint64_t)1 << ((c) & 63) : 0)
#define ASET_BIT(c, lo) ((lo) ? ASET_LO(c) : ASET_HI(c))

/* Not in URLs: " < > ` { } | ^ */
#define NOT_URL(lo)                                                                              \
    (ASET_BIT('"', lo) | ASET_BIT('<', lo) | ASET_BIT('>', lo) | ASET_BIT('`', lo) |            \
     ASET_BIT('{', lo) | ASET_BIT('}', lo) | ASET_BIT('|', lo) | ASET_BIT('^', lo))

static int is_url_ascii(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7f)
        return 0;
    return !((c < 64 ? NOT_URL(1) >> c : NOT_URL(0) >> (c - 64)) & 1);
}

static const char *const defang_dots[] = {"[.]", "(.)", "{.}", "[dot]", "(dot)"};

/* Length of a defanged dot at s, or 0. */
static size_t defang_dot(const char *s, size_t n)
{
    if (n < 3 || (s[0] != '[' && s[0] != '(' && s[0] != '{'))
        return 0;
    for (size_t k = 0; k < sizeof defang_dots / sizeof defang_dots[0]; k++) {
        size_t l = strlen(defang_dots[k]);
        if (l <= n && strncasecmp(s, defang_dots[k], l) == 0)
            return l;
    }
    return 0;
}

/* Scheme at s: returns its length including "://" ("mailto:"), 0 if none.
 * *defanged set when written defanged. */
static size_t match_scheme(const char *s, size_t n, int *mailto)
{
    *mailto = 0;
    if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
        *mailto = 1;
        return 7;
    }
    size_t k = 0;
    if (n >= 4 && (s[0] == 'h' || s[0] == 'H') && strchr("tTxX*", s[1]) && s[1] &&
        strchr("tTxX*", s[2]) && s[2] && (s[3] == 'p' || s[3] == 'P')) {
        k = 4;
        if (k < n && (s[k] == 's' || s[k] == 'S'))
            k++;
    } else if (n >= 3 && (s[0] == 'f' || s[0] == 'F') && strchr("tTxX", s[1]) && s[1] &&
               (s[2] == 'p' || s[2] == 'P')) {
        k = 3;
    } else {
        return 0;
    }
    if (k < n && s[k] == ':')
        k++;
    else if (k + 3 <= n && (strncmp(s + k, "[:]", 3) == 0 || strncmp(s + k, "(:)", 3) == 0))
        k += 3;
    else
        return 0;
    if (k + 2 <= n && (s[k] == '/' || s[k] == '\\') && (s[k + 1] == '/' || s[k + 1] == '\\'))
        return k + 2;
    return 0;
}

/* Host-ish run starting at i: returns its end. *dots counts separators,
 * *defanged tells whether any was written defanged; *last_alpha: the
 * last label is letters only (2+). Stops at the first non-host character. */
static size_t scan_host(const char *t, size_t i, size_t len, int *dots, int *defanged,
                        int *last_alpha)
{
    const unsigned char *s = (const unsigned char *)t;
    size_t label_start = i;
    int label_alpha = 1, label_len = 0;
    *dots = 0;
    *defanged = 0;
    while (i < len) {
        char o = t[i]; /* defang_dot's own first test, without the call */
        size_t dl = o == '[' || o == '(' || o == '{' ? defang_dot(t + i, len - i) : 0;
        if (dl) {
            (*dots)++;
            *defanged = 1;
            i += dl;
            label_start = i;
            label_alpha = 1;
            label_len = 0;
            continue;
        }
        unsigned char c = s[i];
        if (c == '.') {
            if (i + 1 >= len || !(ascii_alnum(s[i + 1]) || s[i + 1] >= 0x80))
                break;
            (*dots)++;
            i++;
            label_start = i;
            label_alpha = 1;
            label_len = 0;
            continue;
        }
        if (ascii_alnum(c) || c == '-' || c == '_') {
            if (!ascii_alpha(c))
                label_alpha = 0;
            label_len++;
            i++;
            continue;
        }
        if (c < 0x80)
            break;
        size_t adv;
        unsigned long cp = links_u8(s + i, len - i, &adv);
        if (links_is_invisible(cp)) {
            i += adv;
            continue;
        }
        if (is_stop_cp(cp))
            break;
        if (is_cjk_cp(cp)) {
            /* accept only when this label continues to a dot */
            size_t k = i;
            int ok = 0;
            while (k < len && k - i < 256) {
                size_t a2;
                unsigned long c2 = s[k] < 0x80 ? s[k] : links_u8(s + k, len - k, &a2);
                if (s[k] < 0x80)
                    a2 = 1;
                if (c2 == '.' || defang_dot(t + k, len - k)) {
                    ok = k + 1 < len;
                    break;
                }
                if (!(is_cjk_cp(c2) || (c2 < 0x80 && (ascii_alnum((int)c2) || c2 == '-'))))
                    break;
                k += a2;
            }
            if (!ok)
                break;
        }
        label_len++;
        i += adv;
    }
    (void)label_start;
    *last_alpha = label_alpha && label_len >= 2;
    return i;
}

/* From i (just after the host) to the end of port/path/query. */
static size_t scan_rest(const char *t, size_t i, size_t len)
{
    const unsigned char *s = (const unsigned char *)t;
    size_t start = i;
    while (i < len && i - start < LINKS_MAX_URL) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (is_url_ascii(c) || c == '\\') {
                i++;
                continue;
            }
            if ((c == '{') && defang_dot(t + i, len - i)) {
                i += 3;
                continue;
            }
            break;
        }
        size_t adv;
        unsigned long cp = links_u8(s + i, len - i, &adv);
        if (!links_is_invisible(cp))
            break;
        i += adv;
    }
    return i;
}

/* Drop trailing punctuation and unbalanced closers. */
static size_t trim_end(const char *t, size_t start, size_t end)
{
    while (end > start) {
        char c = t[end - 1];
        if (strchr(".,;:!?'*", c)) {
            end--;
            continue;
        }
        if (c == ')' || c == ']') {
            char open = c == ')' ? '(' : '[';
            int bal = 0;
            for (size_t k = start; k < end; k++)
                bal += t[k] == open ? 1 : t[k] == c ? -1 : 0;
            if (bal < 0) {
                end--;
                continue;
            }
        }
        break;
    }
    return end;
}

/* ASCII sets as 128-bit masks (ASET_BIT), for prev_ok() */

typedef struct {
    uint64_t lo, hi;
} aset;

/* May a URL start at t[i]? Not after a letter or digit, nor after a byte of
 * also (given as its aset). */
static inline int prev_ok(const char *t, size_t i, aset also)
{
    if (i == 0)
        return 1;
    unsigned char p = (unsigned char)t[i - 1];
    if (ascii_alnum(p))
        return 0;
    if (p >= 128)
        return 1;
    return !((p < 64 ? also.lo >> p : also.hi >> (p - 64)) & 1);
}

/* ASCII letters and digits among the eight bytes of x */
static inline uint64_t alnum8(uint64_t x)
{
    uint64_t y = x | LANES_REP(0x20); /* A-Z -> a-z; bytes >= 0x80 stay there */
    uint64_t alpha = lanes_ge(y, 'a') & ~lanes_ge(y, 'z' + 1);
    uint64_t digit = lanes_ge(x, '0') & ~lanes_ge(x, '9' + 1);
    return alpha | digit;
}

/* End of the run of ASCII letters, digits, '-' and '_' from i */
static size_t word_end(const unsigned char *s, size_t i, size_t len)
{
    while (i + 8 <= len) {
        uint64_t x = lanes_load(s + i);
        uint64_t in = alnum8(x) | (~lanes_ne(x, '-') & LANES_ALL) | (~lanes_ne(x, '_') & LANES_ALL);
        uint64_t out = ~in & LANES_ALL;
        if (out)
            return i + ((size_t)__builtin_ctzll(out) >> 3);
        i += 8;
    }
    while (i < len && (ascii_alnum(s[i]) || s[i] == '-' || s[i] == '_'))
        i++;
    return i;
}

static int file_ext(const char *t, size_t s, size_t e)
{
    static const char *const ext[] = {"html", "htm", "php", "pdf", "jpg", "jpeg", "png", "gif",
                                      "zip", "exe", "doc", "docx", "xls", "xlsx", "txt", "js",
                                      "css", "asp", "aspx", "cgi", "md", "py", "csv", "eml"};
    size_t k = e;
    while (k > s && t[k - 1] != '.')
        k--;
    for (size_t j = 0; j < sizeof ext / sizeof ext[0]; j++)
        if (e - k == strlen(ext[j]) && strncasecmp(t + k, ext[j], e - k) == 0)
            return 1;
    return 0;
}

/* Without a scheme or "www.", a word with a dot is a domain only when its
 * last label looks like a real TLD: 2-3 letters, a common longer gTLD, or
 * IDN; all lower or all upper case ("time.Your" is a sentence). */
static int bare_tld_ok(const char *t, size_t s, size_t e)
{
    static const char *const longer[] = {"info", "shop", "online", "site", "store", "click",
                                         "live", "life", "link", "app", "dev", "cloud", "asia",
                                         "mobi", "name", "tokyo", "website", "space", "world",
                                         "today", "email", "support", "services", "finance",
                                         "bank", "money", "help", "digital", "network", "tech"};
    size_t k = e;
    while (k > s && t[k - 1] != '.' && t[k - 1] != ']' && t[k - 1] != ')')
        k--;
    size_t n = e - k;
    int up = 0, low = 0;
    for (size_t i = k; i < e; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c >= 0x80)
            return 1;
        up += isupper(c) != 0;
        low += islower(c) != 0;
    }
    if (up && low)
        return 0;
    if (n >= 2 && n <= 3)
        return 1;
    for (size_t j = 0; j < sizeof longer / sizeof longer[0]; j++)
        if (n == strlen(longer[j]) && strncasecmp(t + k, longer[j], n) == 0)
            return 1;
    return 0;
}

/* A non-ASCII letter that may start an IDN label (not CJK, not punctuation). */
static int bare_start(const unsigned char *s, size_t n)
{
    size_t adv;
    unsigned long cp = links_u8(s, n, &adv);
    return !is_stop_cp(cp) && !is_cjk_cp(cp) && !links_is_invisible(cp);
}

/* Bytes that may follow a word that becomes (or starts) a URL: the scheme's
 * ':' (and "[:]", "(:)", "h**p"), a dot or defanged dot ('.', '[', '(', '{'),
 * '-' and '_' (word_end goes on over them), '@' (the token skip does) and any
 * non-ASCII byte (IDN hosts, bare starts). A word ended by any other byte -
 * or by the end of the text, where scan_host meets nothing but the word -
 * gives no span whatever comes before it: the scan just steps past it. */
static inline int hot_byte(unsigned char c)
{
    return c >= 0x80 || c == '.' || c == ':' || c == '-' || c == '_' || c == '@' || c == '[' ||
           c == '(' || c == '{' || c == '*';
}

/* The first hot byte of s[i..len), or len */
static size_t next_hot(const unsigned char *s, size_t i, size_t len)
{
#ifdef __SSE2__
    const __m128i dot = _mm_set1_epi8('.'), col = _mm_set1_epi8(':'), dash = _mm_set1_epi8('-'),
                  und = _mm_set1_epi8('_'), at = _mm_set1_epi8('@'), sq = _mm_set1_epi8('['),
                  par = _mm_set1_epi8('('), cur = _mm_set1_epi8('{'), ast = _mm_set1_epi8('*');
    while (len - i >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i h = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, dot), _mm_cmpeq_epi8(x, col)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, dash), _mm_cmpeq_epi8(x, und))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, at), _mm_cmpeq_epi8(x, sq)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, par),
                                      _mm_or_si128(_mm_cmpeq_epi8(x, cur), _mm_cmpeq_epi8(x, ast)))));
        unsigned m = (unsigned)_mm_movemask_epi8(h) | (unsigned)_mm_movemask_epi8(x);
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i < len && !hot_byte(s[i]))
        i++;
    return i;
}

int links_scan_skip_plain = 1;

size_t links_scan_text(const char *text, size_t len, int bare, links_span_cb cb, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    /* aset_of(".-_@/:") and aset_of(".-_@/:%=&?#+~"), made at compile time */
#define AFTER_WWW(lo)                                                                            \
    (ASET_BIT('.', lo) | ASET_BIT('-', lo) | ASET_BIT('_', lo) | ASET_BIT('@', lo) |            \
     ASET_BIT('/', lo) | ASET_BIT(':', lo))
#define AFTER_BARE(lo)                                                                           \
    (AFTER_WWW(lo) | ASET_BIT('%', lo) | ASET_BIT('=', lo) | ASET_BIT('&', lo) |                \
     ASET_BIT('?', lo) | ASET_BIT('#', lo) | ASET_BIT('+', lo) | ASET_BIT('~', lo))
    const aset none = {0, 0}, after_www = {AFTER_WWW(1), AFTER_WWW(0)},
               after_bare = {AFTER_BARE(1), AFTER_BARE(0)};
    size_t i = 0, found = 0;
    size_t hot_next = 0, hot_word = 0; /* recompute when i reaches hot_next */
    const int skip_plain = links_scan_skip_plain;
    while (i < len && found < LINKS_MAX_CANDIDATES) {
        /* plain words (ended by a byte that is not hot) give nothing: go
         * straight to the word that ends at the next hot byte */
        if (skip_plain) {
            if (i >= hot_next) {
                size_t h = next_hot(s, i, len);
                if (h >= len)
                    break;
                size_t w = h;
                while (w > i && ascii_alnum(s[w - 1]))
                    w--;
                hot_next = h + 1;
                hot_word = w;
            }
            if (i < hot_word)
                i = hot_word;
        }
        /* only letters and digits (and, for bare, non-ASCII) start anything:
         * skip the rest eight bytes at a time (inside a UTF-8 character
         * too: continuation bytes start nothing either) */
        if (i + 8 <= len) {
            uint64_t x = lanes_load(s + i);
            uint64_t st = alnum8(x) | (bare ? x & LANES_ALL : 0);
            if (!st) {
                i += 8;
                continue;
            }
            i += (size_t)__builtin_ctzll(st) >> 3;
        }
        unsigned char c = s[i];
        int mailto = 0;
        size_t sl = 0;
        int kind = 0;
        size_t end = 0;
        if ((c == 'h' || c == 'H' || c == 'f' || c == 'F' || c == 'm' || c == 'M') &&
            prev_ok(text, i, none) && (sl = match_scheme(text + i, len - i, &mailto)) > 0) {
            if (mailto) {
                size_t k = i + sl;
                while (k < len && k - i < 512 &&
                       (ascii_alnum(s[k]) || strchr(".-_+%@=&?", s[k]) || s[k] >= 0x80)) {
                    if (s[k] >= 0x80) {
                        size_t adv;
                        unsigned long cp = links_u8(s + k, len - k, &adv);
                        if (is_stop_cp(cp) || (is_cjk_cp(cp) && memchr(s + i, '@', k - i)))
                            break;
                        k += adv;
                        continue;
                    }
                    k++;
                }
                kind = SPAN_MAILTO;
                end = k;
            } else {
                size_t k = i + sl;
                /* userinfo: anything up to '@' before the first '/' */
                size_t a = scan_rest(text, k, len);
                size_t slash = k;
                while (slash < a && s[slash] != '/' && s[slash] != '?' && s[slash] != '#')
                    slash++;
                const unsigned char *at = NULL;
                for (size_t q = k; q < slash; q++)
                    if (s[q] == '@')
                        at = s + q;
                if (at)
                    k = (size_t)(at - s) + 1;
                int dots, def, la;
                if (k < len && s[k] == '[') { /* IPv6 literal */
                    const char *rb = memchr(text + k, ']', len - k < 64 ? len - k : 64);
                    end = rb ? (size_t)(rb - text) + 1 : k;
                } else {
                    end = scan_host(text, k, len, &dots, &def, &la);
                }
                if (end > k)
                    end = scan_rest(text, end, len);
                kind = SPAN_URL;
            }
        } else if ((c == 'w' || c == 'W') && len - i > 4 && (s[i + 1] | 0x20) == 'w' &&
                   (s[i + 2] | 0x20) == 'w' &&
                   (s[i + 3] == '.' || defang_dot(text + i + 3, len - i - 3)) &&
                   prev_ok(text, i, after_www)) {
            int dots, def, la;
            end = scan_host(text, i, len, &dots, &def, &la);
            if (dots >= 2)
                end = scan_rest(text, end, len);
            else
                end = i;
            kind = SPAN_WWW;
        } else if ((ascii_alnum(c) || (bare && c >= 0x80 && bare_start(s + i, len - i))) &&
                   prev_ok(text, i, after_bare)) {
            int dots = 0, def = 0, la = 0;
            /* a plain word (its end is ASCII and no dot or defanged dot)
             * is where scan_host() would stop with no dot: no host */
            size_t he = c < 0x80 ? word_end(s, i, len) : i;
            if (he == i || he >= len || s[he] >= 0x80 || s[he] == '.' || s[he] == '[' ||
                s[he] == '(' || s[he] == '{')
                he = scan_host(text, i, len, &dots, &def, &la);
            if (he > i && dots >= 1 && la && !(he < len && s[he] == '@') &&
                (def || bare_tld_ok(text, i, he))) {
                if (def) {
                    kind = SPAN_DEFANGED_BARE;
                    end = scan_rest(text, he, len);
                } else if (he < len && s[he] == '/' && !file_ext(text, i, he)) {
                    kind = SPAN_BARE;
                    end = scan_rest(text, he, len);
                } else if (bare && !file_ext(text, i, he)) {
                    kind = SPAN_BARE;
                    end = (he < len && (s[he] == '/' || s[he] == ':')) ? scan_rest(text, he, len)
                                                                     : he;
                }
            }
            if (!kind) {
                /* skip the whole token so its inner dots start nothing */
                size_t k = he > i ? he : i;
                while (k < len && (ascii_alnum(s[k]) || s[k] == '.' || s[k] == '-' || s[k] == '_' ||
                                   s[k] == '@'))
                    k++;
                if (k > i) {
                    i = k;
                    continue;
                }
            }
        }
        if (kind) {
            end = trim_end(text, i, end);
            size_t minlen = kind == SPAN_MAILTO ? 8 : 4;
            if (end > i + minlen) {
                found++;
                if (cb(ctx, text, i, end, kind))
                    break;
                i = end;
                continue;
            }
        }
        size_t adv = 1;
        if (c >= 0x80)
            links_u8(s + i, len - i, &adv);
        i += adv;
    }
    return found;
}
