/*
 * received.c - hand-written parser for Received: header values.
 *
 * No library parses Received headers: the grammar in RFC 5321 is only a frame
 * (from/by/via/with/id/for clauses, comments, then "; date") and each MTA fills
 * it differently (Postfix "helo (rdns [ip])", Exim "rdns ([ip] helo=x)", qmail
 * "rdns (HELO x) (ip)", Exchange "helo (ip)", fetchmail "helo [ip]"). We lex
 * the value into words and nested comments, walk the clauses, and interpret
 * comments per clause. Everything is bounded (input size, token count, nesting
 * depth, value length) and reads only inside (value, len).
 */
#include "received.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../util/ascii.h"
#include "../util/civil.h"
#include "../util/lanes.h"
#include "span.h"

#define MAX_TOKS 256
#define WORD_BUF 512


enum { T_WORD, T_COMMENT };

typedef struct {
    int kind;
    size_t start, end; /* comment: start at '(', end after ')' */
} tok;

enum { C_NONE, C_FROM, C_BY, C_VIA, C_WITH, C_ID, C_FOR };

/* Parser scratch; everything points into the input until materialized. */
typedef struct {
    arena *a;
    const char *s;
    size_t len;
    rcv_hop *h;
    int oom;
    span from_word, cmt_rdns, cmt_helo, cmt_ip, extra_ip, qmail_ip, by_ip;
    int from_comments;   /* comments seen in the from clause */
    int exim_helo;       /* helo= seen: from word is rdns */
    int qmail_helo;      /* (HELO x) seen: from word is rdns */
    size_t proto_n;
    size_t by_n;
    size_t via_n;
    span tls_ver, tls_cipher, tls_bits, tls_whole, exim_cipher;
    size_t from_start, from_end; /* raw extent of the from clause */
    /* last: only their first *_n bytes are ever read, so the zeroing of a
     * new context stops before them (offsetof(pctx, proto)) */
    char proto[WORD_BUF];
    char via[WORD_BUF];
    char by_buf[WORD_BUF];
} pctx;

/* ---------------------------------------------------------------- helpers */






/* bytes that end a word: 1 white space or a parenthesis, 2 also ';'
 * (one table load instead of six compares a byte in the word loops) */
enum { WE_WS_PAREN = 1, WE_SEMI = 2 };
static const unsigned char word_end[256] = {
    [' '] = 3, ['\t'] = 3, ['\r'] = 3, ['\n'] = 3, ['('] = 3, [')'] = 3, [';'] = WE_SEMI,
};

static char *dup_span(pctx *c, span w)
{
    if (!w.p)
        return NULL;
    size_t n = w.n > RCV_MAX_VALUE ? RCV_MAX_VALUE : w.n;
    char *r = arena_strndup(c->a, w.p, n);
    if (!r)
        c->oom = 1;
    return r;
}

static char *dup_str(pctx *c, const char *s)
{
    char *r = arena_strdup(c->a, s);
    if (!r)
        c->oom = 1;
    return r;
}

static inline span trim_span(span w)
{
    while (w.n && span_is_ws(w.p[0])) {
        w.p++;
        w.n--;
    }
    while (w.n && span_is_ws(w.p[w.n - 1]))
        w.n--;
    return w;
}

/* Index just past the comment starting at s[i] == '('; len if unclosed. */
static size_t comment_end(const char *s, size_t len, size_t i, int *too_deep)
{
    int depth = 0;
    for (; i < len; i++) {
        /* runs without '\\', '(' or ')' change nothing: 8 bytes at a time */
        while (len - i >= 8) {
            uint64_t w = lanes_load(s + i);
            uint64_t stop = ~(lanes_ne(w, '\\') & lanes_ne(w, '(') & lanes_ne(w, ')')) & LANES_ALL;
            if (stop) {
                i += (size_t)__builtin_ctzll(stop) >> 3;
                break;
            }
            i += 8;
        }
        if (i >= len)
            break;
        char ch = s[i];
        if (ch == '\\' && i + 1 < len) {
            i++;
        } else if (ch == '(') {
            depth++;
            if (depth > RCV_MAX_DEPTH && too_deep)
                *too_deep = 1;
        } else if (ch == ')') {
            depth--;
            if (depth == 0)
                return i + 1;
        }
    }
    return len;
}

/* Iterate words of a comment's inner text, skipping nested comments.
 * Returns 1 and sets *w while words remain; *pos is the cursor. */
static int next_word(span in, size_t *pos, span *w)
{
    size_t i = *pos;
    for (;;) {
        while (i < in.n && (span_is_ws(in.p[i]) || in.p[i] == ')'))
            i++;
        if (i >= in.n) {
            *pos = i;
            return 0;
        }
        if (in.p[i] == '(') {
            i = comment_end(in.p, in.n, i, NULL);
            continue;
        }
        break;
    }
    size_t st = i;
    while (i < in.n && !(word_end[(unsigned char)in.p[i]] & WE_WS_PAREN))
        i++;
    w->p = in.p + st;
    w->n = i - st;
    *pos = i;
    return 1;
}

/* ---------------------------------------------------------------- IPs */

/* inet_ntop(AF_INET) without its sprintf (this runs for every IP-looking
 * token of every Received field): dotted decimal, no leading zeros */
static char *ip4_format(const unsigned char *b, char *out, size_t outsz)
{
    if (outsz < 16)
        return NULL;
    char *o = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *o++ = (char)('0' + v / 100);
        if (v >= 10)
            *o++ = (char)('0' + v / 10 % 10);
        *o++ = (char)('0' + v % 10);
        *o++ = i < 3 ? '.' : '\0';
    }
    return out;
}

/* inet_ntop(AF_INET6) as glibc writes it (lowercase hex without leading
 * zeros, the first longest run of two or more zero groups as "::",
 * ::a.b.c.d and ::ffff:a.b.c.d with the IPv4 dotted), without its
 * sprintf per group. NULL when out is too small, as inet_ntop. */
char *route_ip6_format(const unsigned char *b, char *out, size_t outsz)
{
    static const char hex[] = "0123456789abcdef";
    unsigned wd[8];
    for (int i = 0; i < 8; i++)
        wd[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    int best = -1, blen = 0, cur = -1, clen = 0;
    for (int i = 0; i < 8; i++) {
        if (wd[i] == 0) {
            if (cur < 0)
                cur = i, clen = 1;
            else
                clen++;
        } else if (cur >= 0) {
            if (best < 0 || clen > blen)
                best = cur, blen = clen;
            cur = -1;
        }
    }
    if (cur >= 0 && (best < 0 || clen > blen))
        best = cur, blen = clen;
    if (best >= 0 && blen < 2)
        best = -1;
    char t[64], *o = t;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + blen) {
            if (i == best)
                *o++ = ':';
            continue;
        }
        if (i != 0)
            *o++ = ':';
        if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && wd[5] == 0xffff))) {
            ip4_format(b + 12, o, 16);
            o += strlen(o);
            break;
        }
        unsigned v = wd[i];
        int started = 0;
        for (int sh = 12; sh >= 0; sh -= 4) {
            unsigned d = (v >> sh) & 15;
            if (d || started || sh == 0) {
                *o++ = hex[d];
                started = 1;
            }
        }
    }
    if (best >= 0 && best + blen == 8)
        *o++ = ':';
    *o = '\0';
    size_t n = (size_t)(o - t);
    if (n + 1 > outsz)
        return NULL;
    memcpy(out, t, n + 1);
    return out;
}

/* inet_pton(AF_INET, s, dst) without the call (it runs for every
 * IP-looking word of every Received field): s is read up to its NUL, as
 * glibc's inet_pton4 reads it: four dot-separated parts of 1-3 digits, each
 * at most 255, no leading zero, nothing else. */
int route_ip4_pton(const char *s, unsigned char dst[4])
{
    unsigned char tmp[4];
    for (int part = 0; part < 4; part++) {
        if (part && *s++ != '.')
            return 0;
        unsigned d = (unsigned char)*s - '0', v = d;
        if (d > 9)
            return 0; /* a part starts with a digit */
        s++;
        if ((d = (unsigned char)*s - '0') <= 9) {
            if (v == 0)
                return 0; /* leading zero */
            v = v * 10 + d;
            s++;
            if ((d = (unsigned char)*s - '0') <= 9) {
                v = v * 10 + d;
                s++;
                if (v > 255 || (unsigned)((unsigned char)*s - '0') <= 9)
                    return 0; /* too big, or a fourth digit */
            }
        }
        tmp[part] = (unsigned char)v;
    }
    if (*s != '\0')
        return 0;
    memcpy(dst, tmp, 4);
    return 1;
}

/* bytes ip_parse() looks for: the first byte of an address (a hex digit
 * or ':'), and the separators it counts */
enum { IPC_LEAD = 1, IPC_COLON = 2, IPC_DOT = 4, IPC_PCT = 8 };
static const unsigned char ip_char[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    [':'] = IPC_LEAD | IPC_COLON, ['.'] = IPC_DOT, ['%'] = IPC_PCT,
};

/* The address route_ip_normalize() accepts, in binary: 4 (bin[0..4)) or 6
 * (bin[0..16)), 0 when s is not an IP. Classifying and testing work on
 * this, without formatting the text and parsing it back. */
static int ip_parse(const char *s, size_t len, unsigned char bin[16])
{
    span w = trim_span((span){s, len});
    if (w.n == 0 || w.n > 120)
        return 0;
    /* user@ip / user@[ip] (ident): after the last '@' */
    const char *at = memrchr(w.p, '@', w.n);
    if (at) {
        size_t i = (size_t)(at - w.p) + 1;
        w.p += i;
        w.n -= i;
    }
    int bracket = 0;
    if (w.n && w.p[0] == '[') {
        const char *rb = memchr(w.p + 1, ']', w.n - 1);
        if (!rb)
            return 0;
        w.n = (size_t)(rb - w.p) - 1;
        w.p++;
        bracket = 1;
    }
    if (span_iprefix(w, "IPv6:")) {
        w.p += 5;
        w.n -= 5;
    }
    while (w.n && w.p[w.n - 1] == '.') /* "1.2.3.4." */
        w.n--;
    /* both parsers below want a digit (IPv4) or a hex digit or ':' (IPv6)
     * first: most words tested here are host names, turned away now */
    if (w.n == 0 || !(ip_char[(unsigned char)w.p[0]] & IPC_LEAD))
        return 0;
    size_t colons = 0, dots = 0;
    for (size_t i = 0; i < w.n; i++) {
        unsigned k = ip_char[(unsigned char)w.p[i]];
        if (!(k & (IPC_COLON | IPC_DOT | IPC_PCT)))
            continue;
        if (k & IPC_COLON)
            colons++;
        else if (k & IPC_DOT)
            dots++;
        else { /* '%': zone index */
            w.n = i;
            break;
        }
    }
    if (!bracket && colons == 1 && dots == 3) { /* 1.2.3.4:25 */
        size_t k = 0;
        while (k < w.n && w.p[k] != ':')
            k++;
        w.n = k;
        colons = 0;
    }
    char buf[64];
    if (w.n == 0 || w.n >= sizeof buf)
        return 0;
    memcpy(buf, w.p, w.n);
    buf[w.n] = '\0';
    if (colons == 0)
        return route_ip4_pton(buf, bin) ? 4 : 0;
    if (inet_pton(AF_INET6, buf, bin) != 1)
        return 0;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(bin, mapped, 12) == 0) {
        memmove(bin, bin + 12, 4);
        return 4;
    }
    return 6;
}

int route_ip_normalize(const char *s, size_t len, char *out, size_t outsz)
{
    if (!s || !out || outsz < 16)
        return 0;
    out[0] = '\0';
    unsigned char bin[16];
    int fam = ip_parse(s, len, bin);
    if (fam == 4)
        return ip4_format(bin, out, outsz) ? 4 : 0;
    if (fam == 6)
        return route_ip6_format(bin, out, outsz) ? 6 : 0;
    return 0;
}

/* route_ip_class() of an address already in binary (ip_parse's result) */
static int ip_class_bin(int fam, const unsigned char *b)
{
    if (fam == 4) {
        if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168))
            return ROUTE_IP_PRIVATE;
        if (b[0] == 127)
            return ROUTE_IP_LOOPBACK;
        if (b[0] == 169 && b[1] == 254)
            return ROUTE_IP_LINKLOCAL;
        if (b[0] == 100 && (b[1] & 0xc0) == 64)
            return ROUTE_IP_CGNAT;
        if ((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
            (b[0] == 203 && b[1] == 0 && b[2] == 113))
            return ROUTE_IP_DOC;
        if (b[0] == 0 || b[0] >= 224 || (b[0] == 192 && b[1] == 0 && b[2] == 0) ||
            (b[0] == 198 && (b[1] & 0xfe) == 18))
            return ROUTE_IP_RESERVED;
        return ROUTE_IP_PUBLIC;
    }
    if (fam == 6) {
        int zero15 = 1;
        for (int i = 0; i < 15; i++)
            if (b[i])
                zero15 = 0;
        if (zero15 && b[15] == 1)
            return ROUTE_IP_LOOPBACK;
        if (zero15 && b[15] == 0)
            return ROUTE_IP_RESERVED;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
            return ROUTE_IP_LINKLOCAL;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* deprecated site-local */
            return ROUTE_IP_PRIVATE;
        if ((b[0] & 0xfe) == 0xfc)
            return ROUTE_IP_PRIVATE;
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
            return ROUTE_IP_DOC;
        if (b[0] == 0xff)
            return ROUTE_IP_RESERVED;
        if (b[0] == 0x01 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 &&
            b[6] == 0 && b[7] == 0)
            return ROUTE_IP_RESERVED; /* 100::/64 discard */
        if (b[0] == 0 && b[1] == 0) /* ::/16 other than the above (IPv4-compatible etc.) */
            return ROUTE_IP_RESERVED;
        return ROUTE_IP_PUBLIC;
    }
    return ROUTE_IP_INVALID;
}

/* The normalized text parses back to the same bytes, so classifying the
 * bytes of the input is classifying its normalized form. */
int route_ip_class(const char *ip)
{
    if (!ip)
        return ROUTE_IP_INVALID;
    unsigned char b[16];
    return ip_class_bin(ip_parse(ip, strlen(ip), b), b);
}

int route_ip_is_private(const char *ip)
{
    int c = route_ip_class(ip);
    return c != ROUTE_IP_PUBLIC && c != ROUTE_IP_INVALID;
}

static int span_is_ip(span w)
{
    unsigned char bin[16];
    return ip_parse(w.p, w.n, bin) != 0;
}

/* text_has_ip's byte classes: TH_WORD bytes glue an address to what comes
 * before it (letters, digits, . - _ :), TH_HEX start one (hex digits, ':'),
 * TH_RUN continue one (hex digits, ':', '.') */
enum { TH_WORD = 1, TH_HEX = 2, TH_RUN = 4 };
#define TH_DIGIT (TH_WORD | TH_HEX | TH_RUN)
#define TH_HEXL (TH_WORD | TH_HEX | TH_RUN)
static const unsigned char th_class[256] = {
    ['0'] = TH_DIGIT, ['1'] = TH_DIGIT, ['2'] = TH_DIGIT, ['3'] = TH_DIGIT, ['4'] = TH_DIGIT,
    ['5'] = TH_DIGIT, ['6'] = TH_DIGIT, ['7'] = TH_DIGIT, ['8'] = TH_DIGIT, ['9'] = TH_DIGIT,
    ['a'] = TH_HEXL, ['b'] = TH_HEXL, ['c'] = TH_HEXL, ['d'] = TH_HEXL, ['e'] = TH_HEXL, ['f'] = TH_HEXL,
    ['A'] = TH_HEXL, ['B'] = TH_HEXL, ['C'] = TH_HEXL, ['D'] = TH_HEXL, ['E'] = TH_HEXL, ['F'] = TH_HEXL,
    ['g'] = TH_WORD, ['h'] = TH_WORD, ['i'] = TH_WORD, ['j'] = TH_WORD, ['k'] = TH_WORD, ['l'] = TH_WORD,
    ['m'] = TH_WORD, ['n'] = TH_WORD, ['o'] = TH_WORD, ['p'] = TH_WORD, ['q'] = TH_WORD, ['r'] = TH_WORD,
    ['s'] = TH_WORD, ['t'] = TH_WORD, ['u'] = TH_WORD, ['v'] = TH_WORD, ['w'] = TH_WORD, ['x'] = TH_WORD,
    ['y'] = TH_WORD, ['z'] = TH_WORD,
    ['G'] = TH_WORD, ['H'] = TH_WORD, ['I'] = TH_WORD, ['J'] = TH_WORD, ['K'] = TH_WORD, ['L'] = TH_WORD,
    ['M'] = TH_WORD, ['N'] = TH_WORD, ['O'] = TH_WORD, ['P'] = TH_WORD, ['Q'] = TH_WORD, ['R'] = TH_WORD,
    ['S'] = TH_WORD, ['T'] = TH_WORD, ['U'] = TH_WORD, ['V'] = TH_WORD, ['W'] = TH_WORD, ['X'] = TH_WORD,
    ['Y'] = TH_WORD, ['Z'] = TH_WORD,
    ['.'] = TH_WORD | TH_RUN, ['-'] = TH_WORD, ['_'] = TH_WORD, [':'] = TH_WORD | TH_HEX | TH_RUN,
};

/* Does the raw text contain an IPv4/IPv6 address (used to judge whether
 * the from clause "has an IP" independently of the structured extraction)?
 * A start must not follow a word byte, except the ':' of "IPv6:". */
static int text_has_ip(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char pc = i ? (unsigned char)s[i - 1] : ' ';
        if (th_class[pc] & TH_WORD) {
            if (pc != ':')
                continue;
            int v6prefix = i >= 5 && span_lower(s[i - 5]) == 'i' && span_lower(s[i - 4]) == 'p' &&
                           span_lower(s[i - 3]) == 'v' && s[i - 2] == '6';
            if (!v6prefix)
                continue;
        }
        if (!(th_class[(unsigned char)s[i]] & TH_HEX))
            continue;
        size_t j = i;
        int colons = 0, dots = 0;
        while (j < n && j - i < 60 && (th_class[(unsigned char)s[j]] & TH_RUN)) {
            colons += s[j] == ':';
            dots += s[j] == '.';
            j++;
        }
        while (j > i && (s[j - 1] == '.' || (s[j - 1] == ':' && colons < 2)))
            j--;
        if (j < n && (ascii_alnum(s[j]) || s[j] == '-' || s[j] == '_'))
            continue;
        if (j < n && s[j] == '.' && j + 1 < n && ascii_alnum(s[j + 1]))
            continue;
        if (colons >= 2 || dots == 3) {
            unsigned char bin[16];
            if (ip_parse(s + i, j - i, bin))
                return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- dates */

void route_format_iso(long long epoch, int tz_min, char *buf, size_t bufsz)
{
    civil_iso(epoch, tz_min, buf, bufsz);
}

static const char *const month_names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static const struct {
    const char *name;
    int off_min;
} zone_names[] = {
    {"ut", 0},       {"utc", 0},      {"gmt", 0},      {"z", 0},        {"est", -300},
    {"edt", -240},   {"cst", -360},   {"cdt", -300},   {"mst", -420},   {"mdt", -360},
    {"pst", -480},   {"pdt", -420},   {"jst", 540},    {"kst", 540},    {"cet", 60},
    {"cest", 120},   {"met", 60},     {"mest", 120},   {"eet", 120},    {"eest", 180},
    {"wet", 0},      {"west", 60},    {"bst", 60},     {"hkt", 480},    {"sgt", 480},
    {"aest", 600},   {"aedt", 660},   {"nzst", 720},   {"nzdt", 780},   {"ist", 330},
    {"msk", 180},    {"akst", -540},  {"akdt", -480},  {"hst", -600},
};

/* Skip whitespace and (nested) comments: the loop of skip_cfws(). */
static size_t skip_cfws_loop(const char *s, size_t len, size_t i)
{
    for (int guard = 0; i < len && guard < 4096; guard++) {
        if (span_is_ws(s[i]))
            i++;
        else if (s[i] == '(')
            i = comment_end(s, len, i, NULL);
        else
            break;
    }
    return i;
}

/* Skip whitespace and (nested) comments; inline for the usual answer, a
 * date field right here. */
static inline size_t skip_cfws(const char *s, size_t len, size_t i)
{
    if (i < len && !span_is_ws(s[i]) && s[i] != '(')
        return i;
    return skip_cfws_loop(s, len, i);
}

static size_t read_num(const char *s, size_t len, size_t i, long *v, int *ndig)
{
    long x = 0;
    int n = 0;
    while (i < len && span_is_digit(s[i]) && n < 9) {
        x = x * 10 + (s[i] - '0');
        i++;
        n++;
    }
    *v = x;
    *ndig = n;
    return i;
}

static int lookup_name(const char *s, size_t n, const char *const *tab, int cnt)
{
    if (n < 3)
        return -1;
    char a = span_lower(s[0]), b = span_lower(s[1]), d = span_lower(s[2]);
    for (int k = 0; k < cnt; k++)
        if (a == tab[k][0] && b == tab[k][1] && d == tab[k][2])
            return k;
    return -1;
}

static size_t alpha_run(const char *s, size_t len, size_t i)
{
    while (i < len && ascii_alpha(s[i]) && i < len)
        i++;
    return i;
}

/* hh:mm[:ss][.frac] */
static size_t parse_hms(const char *s, size_t len, size_t i, long *h, long *mi, long *sec)
{
    int nd;
    i = read_num(s, len, i, h, &nd);
    if (nd < 1 || nd > 2 || i >= len || s[i] != ':')
        return 0;
    i = read_num(s, len, i + 1, mi, &nd);
    if (nd != 2)
        return 0;
    *sec = 0;
    if (i < len && s[i] == ':') {
        i = read_num(s, len, i + 1, sec, &nd);
        if (nd != 2)
            return 0;
        if (i < len && (s[i] == '.' || s[i] == ',') && i + 1 < len && span_is_digit(s[i + 1])) {
            i++;
            while (i < len && span_is_digit(s[i]))
                i++;
        }
    }
    return i;
}

/* Zone: +hhmm, +hh:mm, +hh, named, military letter. Returns new index; sets
 * *found to 0 when nothing zone-like was there. */
static size_t parse_zone(const char *s, size_t len, size_t i, int *off, int *found)
{
    *found = 0;
    *off = 0;
    if (i < len && (s[i] == '+' || s[i] == '-') && i + 1 < len && span_is_digit(s[i + 1])) {
        int sign = s[i] == '-' ? -1 : 1;
        long v;
        int nd;
        size_t j = read_num(s, len, i + 1, &v, &nd);
        long hh, mm;
        if (nd == 4) {
            hh = v / 100;
            mm = v % 100;
        } else if (nd == 3) {
            hh = v / 100;
            mm = v % 100;
        } else if (nd <= 2) {
            hh = v;
            mm = 0;
            if (j + 2 < len && s[j] == ':' && span_is_digit(s[j + 1]) && span_is_digit(s[j + 2])) {
                mm = (s[j + 1] - '0') * 10 + (s[j + 2] - '0');
                j += 3;
            }
        } else {
            return i;
        }
        if (hh > 14 || mm > 59)
            return i;
        *off = sign * (int)(hh * 60 + mm);
        *found = 1;
        return j;
    }
    size_t e = alpha_run(s, len, i);
    if (e > i && e - i <= 5) {
        size_t n = e - i;
        for (size_t k = 0; k < sizeof zone_names / sizeof zone_names[0]; k++) {
            const char *z = zone_names[k].name;
            if (strlen(z) != n)
                continue;
            size_t q = 0;
            while (q < n && span_lower(s[i + q]) == z[q])
                q++;
            if (q == n) {
                *off = zone_names[k].off_min;
                *found = 1;
                /* "GMT+0900" / "UTC+9" */
                if (e < len && (s[e] == '+' || s[e] == '-')) {
                    int f2, o2;
                    size_t e2 = parse_zone(s, len, e, &o2, &f2);
                    if (f2) {
                        *off = o2;
                        return e2;
                    }
                }
                return e;
            }
        }
        if (n == 1) { /* obsolete military zones: treat as -0000 (RFC 5322 4.3) */
            *found = 1;
            return e;
        }
    }
    return i;
}

static int days_in_month(long y, long m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

size_t route_parse_date(const char *s, size_t len, long long *epoch, int *tz_min, int *no_zone)
{
    long day = 0, mon = 0, year = 0, h = 0, mi = 0, sec = 0;
    int nd, asctime_form = 0, iso_form = 0;
    size_t i = skip_cfws(s, len, 0), j;
    if (i >= len)
        return 0;
    if (ascii_alpha(s[i])) {
        j = alpha_run(s, len, i);
        if (lookup_name(s + i, j - i, day_names, 7) >= 0 && j - i <= 9) {
            i = j;
            if (i < len && s[i] == '.')
                i++;
            i = skip_cfws(s, len, i);
            if (i < len && s[i] == ',')
                i++;
            i = skip_cfws(s, len, i);
        }
        if (i < len && ascii_alpha(s[i])) { /* asctime: "Sep 17 07:04:05 2002" */
            j = alpha_run(s, len, i);
            int m = lookup_name(s + i, j - i, month_names, 12);
            if (m < 0 || j - i > 9)
                return 0;
            mon = m + 1;
            i = skip_cfws(s, len, j);
            if (i < len && s[i] == ',') /* ratware "Sep, 11 2002 8:25:27 PM" */
                i = skip_cfws(s, len, i + 1);
            i = read_num(s, len, i, &day, &nd);
            if (nd < 1 || nd > 2)
                return 0;
            asctime_form = 1;
            size_t k = skip_cfws(s, len, i);
            long y2;
            size_t k2 = read_num(s, len, k, &y2, &nd);
            if (nd == 4 && (k2 >= len || s[k2] != ':')) {
                year = y2; /* year before the time */
                i = k2;
                asctime_form = 2;
            }
        }
    }
    if (!asctime_form) {
        if (i >= len || !span_is_digit(s[i]))
            return 0;
        i = read_num(s, len, i, &day, &nd);
        if (nd == 4 && i < len && s[i] == '-') { /* YYYY-MM-DD */
            year = day;
            i = read_num(s, len, i + 1, &mon, &nd);
            if (nd != 2 || i >= len || s[i] != '-')
                return 0;
            i = read_num(s, len, i + 1, &day, &nd);
            if (nd != 2)
                return 0;
            if (i < len && (s[i] == 'T' || s[i] == ' '))
                i++;
            iso_form = 1;
        } else if (nd >= 1 && nd <= 2 && i < len && s[i] == '/') {
            /* qmail-scanner "28/08/2002 11:07:06": day/month/year unless
             * the second field cannot be a month */
            long f2;
            i = read_num(s, len, i + 1, &f2, &nd);
            if (nd < 1 || nd > 2 || i >= len || s[i] != '/')
                return 0;
            i = read_num(s, len, i + 1, &year, &nd);
            if (nd != 4)
                return 0;
            if (f2 > 12 && day <= 12) {
                mon = day;
                day = f2;
            } else {
                mon = f2;
            }
        } else {
            if (nd < 1 || nd > 3) /* "029 Apr" seen in the wild */
                return 0;
            i = skip_cfws(s, len, i);
            if (i < len && s[i] == '-')
                i++;
            j = alpha_run(s, len, i);
            int m = lookup_name(s + i, j - i, month_names, 12);
            if (m < 0 || j - i > 9)
                return 0;
            mon = m + 1;
            i = j;
            if (i < len && s[i] == '.')
                i++;
            i = skip_cfws(s, len, i);
            if (i < len && s[i] == '-')
                i++;
            i = read_num(s, len, i, &year, &nd);
            if (nd < 2 || nd > 4)
                return 0;
            if (nd == 2)
                year += year < 50 ? 2000 : 1900;
            else if (year < 1000) /* "102", "0102": year-1900 bugs */
                year += 1900;
            if (i < len && s[i] == ',')
                i++;
        }
    }
    i = skip_cfws(s, len, i);
    j = parse_hms(s, len, i, &h, &mi, &sec);
    if (!j)
        return 0;
    i = j;
    {
        size_t k = skip_cfws(s, len, i);
        if (k + 1 < len && (span_lower(s[k]) == 'a' || span_lower(s[k]) == 'p') && span_lower(s[k + 1]) == 'm' &&
            (k + 2 >= len || !ascii_alpha(s[k + 2]))) {
            if (h < 1 || h > 12)
                return 0;
            if (span_lower(s[k]) == 'p' && h < 12)
                h += 12;
            else if (span_lower(s[k]) == 'a' && h == 12)
                h = 0;
            i = k + 2;
        }
    }
    if (asctime_form == 1) {
        size_t k = skip_cfws(s, len, i);
        /* zone may come before the year: "Sep 17 07:04:05 PDT 2002" */
        int off0, f0;
        size_t kz = parse_zone(s, len, k, &off0, &f0);
        if (f0)
            k = skip_cfws(s, len, kz);
        k = read_num(s, len, k, &year, &nd);
        if (nd != 4)
            return 0;
        i = k;
        if (f0) {
            *tz_min = off0;
            goto have_zone_asctime;
        }
    }
    {
        size_t k = skip_cfws(s, len, i);
        int off, found;
        size_t kz = parse_zone(s, len, k, &off, &found);
        *tz_min = off;
        *no_zone = !found;
        if (found)
            i = kz;
        if (found && iso_form) { /* Go: "+0000 UTC m=+4864412.00" */
            size_t q = skip_cfws(s, len, i);
            size_t e = alpha_run(s, len, q);
            if (e > q && e - q <= 5)
                i = e;
            q = skip_cfws(s, len, i);
            if (q + 2 < len && s[q] == 'm' && s[q + 1] == '=') {
                q += 2;
                while (q < len && !span_is_ws(s[q]) && s[q] != ';')
                    q++;
                i = q;
            }
        }
        goto checks;
    }
have_zone_asctime:
    *no_zone = 0;
checks:
    if (mon < 1 || mon > 12 || year < 1900 || year > 9999 || day < 1 ||
        day > days_in_month(year, mon) || h > 23 || mi > 59 || sec > 60)
        return 0;
    *epoch = civil_days(year, (unsigned)mon, (unsigned)day) * 86400 + h * 3600 + mi * 60 +
             sec - (long long)*tz_min * 60;
    return skip_cfws(s, len, i);
}

/* ---------------------------------------------------------------- clauses */

/* b is a lowercase letter: c is it in either case ((c | 0x20) == b holds
 * for exactly those two bytes) */
#define KW_EQ(c, b) (((unsigned char)(c) | 0x20) == (b))

static int keyword(span w)
{
    const char *p = w.p;
    switch (w.n) {
    case 2:
        if (KW_EQ(p[0], 'b') && KW_EQ(p[1], 'y'))
            return C_BY;
        if (KW_EQ(p[0], 'i') && KW_EQ(p[1], 'd'))
            return C_ID;
        return C_NONE;
    case 3:
        if (KW_EQ(p[0], 'v') && KW_EQ(p[1], 'i') && KW_EQ(p[2], 'a'))
            return C_VIA;
        if (KW_EQ(p[0], 'f') && KW_EQ(p[1], 'o') && KW_EQ(p[2], 'r'))
            return C_FOR;
        return C_NONE;
    case 4:
        if (KW_EQ(p[0], 'f') && KW_EQ(p[1], 'r') && KW_EQ(p[2], 'o') && KW_EQ(p[3], 'm'))
            return C_FROM;
        if (KW_EQ(p[0], 'w') && KW_EQ(p[1], 'i') && KW_EQ(p[2], 't') && KW_EQ(p[3], 'h'))
            return C_WITH;
        return C_NONE;
    default:
        return C_NONE;
    }
}

static void buf_add_word(char *buf, size_t *n, span w)
{
    if (*n && *n + 1 < WORD_BUF)
        buf[(*n)++] = ' ';
    size_t k = WORD_BUF - 1 - *n; /* room left before the NUL (*n < WORD_BUF) */
    if (k > w.n)
        k = w.n;
    memcpy(buf + *n, w.p, k);
    *n += k;
    buf[*n] = '\0';
}

/* value of "key=" inside a comment, up to space/comma/')': the first start
 * i not preceded by a letter or digit where the key matches. The key ends
 * in '=', so the starts worth testing are those kl - 1 bytes before an
 * '=', visited in order by memchr (most comments have no '=' at all). */
static span kv_in(span in, const char *key)
{
    span r = {NULL, 0};
    size_t kl = strlen(key);
    if (kl == 0 || key[kl - 1] != '=' || in.n < kl)
        return r;
    const char *end = in.p + in.n;
    for (const char *q = memchr(in.p + kl - 1, '=', in.n - (kl - 1)); q;
         q = q + 1 < end ? memchr(q + 1, '=', (size_t)(end - q - 1)) : NULL) {
        size_t i = (size_t)(q - in.p) - (kl - 1);
        if ((i == 0 || !ascii_alnum(in.p[i - 1])) && span_iprefix((span){in.p + i, in.n - i}, key)) {
            size_t st = i + kl, e = st;
            while (e < in.n && !span_is_ws(in.p[e]) && in.p[e] != ',' && in.p[e] != ')' && in.p[e] != ';')
                e++;
            r.p = in.p + st;
            r.n = e - st;
            return r;
        }
    }
    return r;
}

/* TLS details from a comment (any clause). */
/* A comment's first word as next_word() gives it (has: there is one; pos:
 * the cursor after it), found once for comment_generic and comment_tls. */
typedef struct {
    span w;
    size_t pos;
    int has;
} first_word;

static void comment_tls(pctx *c, span in, int clause, const first_word *fw)
{
    if (c->tls_ver.p || c->tls_whole.p)
        return;
    span v = kv_in(in, "version=");
    if (v.p && v.n) {
        c->tls_ver = v;
        c->tls_cipher = kv_in(in, "cipher=");
        span b = kv_in(in, "bits=");
        size_t k = 0;
        while (k < b.n && span_is_digit(b.p[k]))
            k++;
        b.n = k;
        c->tls_bits = b;
        return;
    }
    size_t pos = fw->pos;
    span w = fw->w;
    if (fw->has && span_ieq(w, "using")) {
        if (next_word(in, &pos, &w))
            c->tls_ver = w;
        span cw;
        while (next_word(in, &pos, &cw)) {
            if (span_ieq(cw, "cipher")) {
                if (next_word(in, &pos, &cw))
                    c->tls_cipher = cw;
                break;
            }
        }
        /* "(256/256 bits)" nested comment */
        const char *bp = span_ifind(in, "bits)");
        if (bp) {
            const char *q = bp;
            while (q > in.p && q[-1] != '(')
                q--;
            size_t k = 0;
            while (q + k < bp && span_is_digit(q[k]))
                k++;
            if (k)
                c->tls_bits = (span){q, k};
        }
        return;
    }
    const char *ct = span_ifind(in, "TLS: "); /* Courier "(AUTH: .., TLS: TLSv1.2,128bits,X)" */
    if (ct) {
        span r = trim_span((span){ct + 5, in.n - (size_t)(ct + 5 - in.p)});
        size_t k = 0;
        while (k < r.n && r.p[k] != ')' && r.p[k] != ';' && !span_is_ws(r.p[k]))
            k++;
        r.n = k;
        if (r.n) {
            c->tls_whole = r;
            return;
        }
    }
    span t = trim_span(in);
    if (span_ieq(t, "TLS") || span_ieq(t, "SSL")) {
        c->tls_whole = t;
        return;
    }
    /* Exim: "with esmtps (TLS1.2) tls CIPHER" or "(TLSv1.2:ECDHE-...:256)" */
    if (clause == C_WITH && (span_iprefix(t, "TLS") || span_iprefix(t, "SSL"))) {
        for (size_t i = 0; i < t.n; i++)
            if (span_is_ws(t.p[i]))
                return;
        c->tls_whole = t;
    }
}

/* Comment in the from clause: rdns, ip, helo=, HELO x, ident@. */
static void comment_from(pctx *c, span in)
{
    c->from_comments++;
    size_t pos = 0;
    span w, words[8];
    int nw = 0, first_is_ip = 0;
    while (nw < 8 && next_word(in, &pos, &w)) {
        while (w.n && (w.p[w.n - 1] == ',' || w.p[w.n - 1] == ';'))
            w.n--;
        if (w.n)
            words[nw++] = w;
    }
    if (nw == 0)
        return;
    if (span_ieq(words[0], "using") || span_iprefix(words[0], "Authenticated") ||
        span_ieq(words[0], "envelope-from") || span_ieq(words[0], "envelope-sender") ||
        span_iprefix(words[0], "AUTH:") || span_iprefix(words[0], "version="))
        return;
    int isip[8]; /* span_is_ip(words[k]) once asked; -1 before */
    for (int k = 0; k < nw; k++)
        isip[k] = -1;
    for (int k = 0; k < nw; k++) {
        w = words[k];
        if (span_iprefix(w, "helo=")) {
            c->cmt_helo = (span){w.p + 5, w.n - 5};
            c->exim_helo = 1;
        } else if ((span_ieq(w, "HELO") || span_ieq(w, "EHLO")) && k + 1 < nw) {
            c->cmt_helo = words[++k];
            c->qmail_helo = 1;
        } else if (span_iprefix(w, "port=") || span_iprefix(w, "ident=")) {
            /* informational */
        } else if ((isip[k] = span_is_ip(w)) != 0) {
            if (!c->cmt_ip.p)
                c->cmt_ip = w;
            if (k == 0)
                first_is_ip = 1;
        }
    }
    /* rdns: first word of the first comment when it is alone or followed by an IP */
    if (c->from_comments == 1 && !first_is_ip && !c->cmt_rdns.p) {
        w = words[0];
        if (span_iprefix(w, "helo=") || span_ieq(w, "HELO") || span_ieq(w, "EHLO"))
            return;
        if (nw == 1 || (nw >= 2 && ((isip[1] >= 0 ? isip[1] : span_is_ip(words[1])) ||
                                    words[1].p[0] == '['))) {
            for (size_t i = w.n; i > 0; i--) { /* ident: user@host */
                if (w.p[i - 1] == '@') {
                    w.p += i;
                    w.n -= i;
                    break;
                }
            }
            while (w.n && w.p[w.n - 1] == '.')
                w.n--;
            if (w.n && w.p[0] != '[')
                c->cmt_rdns = w;
        }
    }
}

static void comment_generic(pctx *c, span in, int clause)
{
    rcv_hop *h = c->h;
    first_word fw = {{NULL, 0}, 0, 0};
    fw.has = next_word(in, &fw.pos, &fw.w);
    comment_tls(c, in, clause, &fw);
    if (span_ifind(in, "may be forged"))
        h->flags |= RCV_MAY_BE_FORGED;
    if (span_ifind(in, "Authenticated sender") || span_ifind(in, "AUTH:"))
        h->flags |= RCV_AUTH;
    size_t pos = fw.pos;
    span w = fw.w;
    if (fw.has &&
        (span_ieq(w, "envelope-from") || span_ieq(w, "envelope-sender"))) {
        if (next_word(in, &pos, &w) && !h->envelope_from) {
            if (w.n >= 2 && w.p[0] == '<' && w.p[w.n - 1] == '>') {
                w.p++;
                w.n -= 2;
            }
            h->envelope_from = dup_span(c, w);
        }
    }
    /* qmail: "(qmail 1 messnum 2 invoked from network[1.2.3.4/host])" */
    const char *q = span_ifind(in, "from network[");
    if (q && !c->qmail_ip.p) {
        q += 13;
        const char *e = q;
        while (e < in.p + in.n && *e != '/' && *e != ']')
            e++;
        span ip = {q, (size_t)(e - q)};
        if (span_is_ip(ip))
            c->qmail_ip = ip;
    }
    if (clause == C_BY && !c->by_ip.p) {
        pos = 0;
        int k = 0;
        while (k++ < 4 && next_word(in, &pos, &w)) {
            while (w.n && w.p[w.n - 1] == ',')
                w.n--;
            /* "(10.1.2.3)", "(host [10.1.2.3])"; not "(KumoMTA 10.13.185.62)" */
            if ((k == 1 || w.p[0] == '[') && span_is_ip(w)) {
                c->by_ip = w;
                break;
            }
        }
    }
}

/* Normalized copy of the IP in w into *out; returns its family (0: not an
 * IP, *out untouched) and, when cls is not NULL, its route_ip_class(). */
static int ip_dup(pctx *c, span w, char **out, int *cls)
{
    unsigned char bin[16];
    char tmp[64];
    int fam = ip_parse(w.p, w.n, bin);
    if (cls)
        *cls = ip_class_bin(fam, bin);
    if (fam == 4)
        ip4_format(bin, tmp, sizeof tmp);
    else if (fam == 6)
        route_ip6_format(bin, tmp, sizeof tmp);
    if (fam)
        *out = dup_str(c, tmp);
    return fam;
}

/* Last two labels, lowercased, as a span comparison. */
static int last2_differ(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la && a[la - 1] == '.')
        la--;
    while (lb && b[lb - 1] == '.')
        lb--;
    size_t sa = la, sb = lb;
    int dots = 0;
    while (sa > 0 && !(a[sa - 1] == '.' && ++dots == 2))
        sa--;
    dots = 0;
    while (sb > 0 && !(b[sb - 1] == '.' && ++dots == 2))
        sb--;
    if (la - sa != lb - sb)
        return 1;
    for (size_t i = 0; i < la - sa; i++)
        if (span_lower(a[sa + i]) != span_lower(b[sb + i]))
            return 1;
    return 0;
}

static int is_hostname(const char *s)
{
    if (!s || !*s || !strchr(s, '.'))
        return 0;
    unsigned char bin[16];
    return ip_parse(s, strlen(s), bin) == 0;
}

int route_parse_received(arena *a, const char *value, size_t len, rcv_hop *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!value)
        return -1;
    pctx cx;
    memset(&cx, 0, offsetof(pctx, proto)); /* the word buffers are written before read */
    pctx *c = &cx;
    c->a = a;
    c->s = value;
    c->h = out;
    if (len > RCV_MAX_INPUT) {
        len = RCV_MAX_INPUT;
        out->flags |= RCV_TRUNCATED;
    }
    {
        span all = trim_span((span){value, len});
        if (all.n >= 2 && all.p[0] == '[' && all.p[all.n - 1] == ']' && ascii_alpha(all.p[1])) {
            value = all.p + 1; /* "[from a by b ...; date]" */
            len = all.n - 2;
        }
    }
    c->len = len;
    c->s = value;
    const char *s = value;
    int too_deep = 0;

    /* 1. last ';' outside comments separates the date */
    size_t semi = len;
    {
        int depth = 0;
        for (size_t i = 0; i < len; i++) {
            /* runs without '\\', '(', ')' or ';' change nothing: 8 bytes at a time */
            while (i + 8 <= len) {
                uint64_t w = lanes_load(s + i);
                uint64_t stop = ~(lanes_ne(w, '\\') & lanes_ne(w, '(') & lanes_ne(w, ')') &
                                  lanes_ne(w, ';')) &
                                LANES_ALL;
                if (stop) {
                    i += (size_t)__builtin_ctzll(stop) >> 3;
                    break;
                }
                i += 8;
            }
            if (i >= len)
                break;
            if (s[i] == '\\' && depth > 0 && i + 1 < len)
                i++;
            else if (s[i] == '(')
                depth++;
            else if (s[i] == ')' && depth > 0)
                depth--;
            else if (s[i] == ';' && depth == 0)
                semi = i;
        }
    }
    size_t body_end = semi;

    /* 2. tokenize the clause part */
    tok toks[MAX_TOKS];
    int nt = 0;
    for (size_t i = 0; i < body_end;) {
        if (span_is_ws(s[i]) || s[i] == ')' || s[i] == ';') {
            i++;
            continue;
        }
        if (nt >= MAX_TOKS) {
            out->flags |= RCV_UNPARSED_REST;
            body_end = i;
            break;
        }
        size_t st = i;
        if (s[i] == '(') {
            i = comment_end(s, body_end, i, &too_deep);
            toks[nt++] = (tok){T_COMMENT, st, i};
            continue;
        }
        while (i < body_end && !word_end[(unsigned char)s[i]])
            i++;
        toks[nt++] = (tok){T_WORD, st, i};
    }
    if (too_deep)
        out->flags |= RCV_TOO_DEEP;

    /* 3. date */
    long long epoch = 0;
    int tz = 0, nozone = 0;
    size_t dlen = 0;
    if (semi < len) {
        span d = trim_span((span){s + semi + 1, len - semi - 1});
        if (d.n) {
            out->flags |= RCV_HAS_DATE;
            dlen = route_parse_date(d.p, d.n, &epoch, &tz, &nozone);
        }
    } else {
        /* missing ';': find a word (not a clause value) where a date starts
         * and runs to the end of the value */
        for (int k = 1; k < nt; k++) {
            if (toks[k].kind != T_WORD)
                continue;
            int pk = k - 1;
            while (pk >= 0 && toks[pk].kind != T_WORD)
                pk--;
            if (pk >= 0 && keyword((span){s + toks[pk].start, toks[pk].end - toks[pk].start}))
                continue;
            char ch = s[toks[k].start];
            if (!span_is_digit(ch) && !ascii_alpha(ch))
                continue;
            size_t rem = len - toks[k].start;
            size_t used = route_parse_date(s + toks[k].start, rem, &epoch, &tz, &nozone);
            if (used && skip_cfws(s + toks[k].start, rem, used) >= rem) {
                dlen = used;
                out->flags |= RCV_HAS_DATE | RCV_NO_SEMICOLON;
                nt = k;
                break;
            }
        }
    }
    if (dlen) {
        char iso[40];
        route_format_iso(epoch, tz, iso, sizeof iso);
        out->time_iso = dup_str(c, iso);
        out->epoch = epoch;
        out->has_time = 1;
        out->tz_offset_min = tz;
        out->flags |= RCV_PARSED_DATE;
        if (nozone)
            out->flags |= RCV_DATE_NO_ZONE;
    }

    /* 4. clause walk */
    int cur = C_NONE, expect = 0;
    int in_from = 0;
    for (int k = 0; k < nt; k++) {
        tok *t = &toks[k];
        span w = {s + t->start, t->end - t->start};
        if (t->kind == T_COMMENT) {
            span in = {s + t->start + 1, 0};
            in.n = t->end - t->start - 1;
            if (in.n && s[t->end - 1] == ')')
                in.n--;
            comment_generic(c, in, cur);
            if (cur == C_FROM)
                comment_from(c, in);
            continue;
        }
        int kw = keyword(w);
        if (kw) {
            if (in_from) {
                c->from_end = t->start;
                in_from = 0;
            }
            cur = kw;
            expect = 1;
            if (kw == C_FROM) {
                out->flags |= RCV_HAS_FROM;
                in_from = 1;
                c->from_start = t->start;
            } else if (kw == C_BY)
                out->flags |= RCV_HAS_BY;
            else if (kw == C_WITH)
                out->flags |= RCV_HAS_WITH;
            else if (kw == C_ID)
                out->flags |= RCV_HAS_ID;
            else if (kw == C_FOR)
                out->flags |= RCV_HAS_FOR;
            else if (kw == C_VIA)
                out->flags |= RCV_HAS_VIA;
            continue;
        }
        if (expect) {
            expect = 0;
            switch (cur) {
            case C_FROM:
                if (!c->from_word.p)
                    c->from_word = w;
                break;
            case C_BY:
                if (!c->by_n) {
                    buf_add_word(c->by_buf, &c->by_n, w);
                    if (span_is_ip(w))
                        c->by_ip = w;
                }
                out->flags |= RCV_PARSED_BY;
                break;
            case C_WITH:
                if (!c->proto_n)
                    buf_add_word(c->proto, &c->proto_n, w);
                out->flags |= RCV_PARSED_WITH;
                break;
            case C_VIA:
                if (!c->via_n)
                    buf_add_word(c->via, &c->via_n, w);
                out->flags |= RCV_PARSED_VIA;
                break;
            case C_ID:
                if (!out->id)
                    out->id = dup_span(c, w);
                out->flags |= RCV_PARSED_ID;
                break;
            case C_FOR:
                if (!out->for_addr) {
                    span f = w;
                    if (f.n && f.p[0] == '<') {
                        f.p++;
                        f.n--;
                    }
                    while (f.n && (f.p[f.n - 1] == '>' || f.p[f.n - 1] == ','))
                        f.n--;
                    out->for_addr = dup_span(c, f);
                }
                out->flags |= RCV_PARSED_FOR;
                break;
            default:
                break;
            }
            continue;
        }
        /* extra word after the clause value */
        if ((span_ieq(w, "envelope-from") || span_ieq(w, "envelope-sender")) && k + 1 < nt &&
            toks[k + 1].kind == T_WORD) { /* Haraka: "id X envelope-from <a@b>" */
            span e = {s + toks[k + 1].start, toks[k + 1].end - toks[k + 1].start};
            if (e.n >= 2 && e.p[0] == '<' && e.p[e.n - 1] == '>') {
                e.p++;
                e.n -= 2;
            }
            if (!out->envelope_from)
                out->envelope_from = dup_span(c, e);
            k++;
            continue;
        }
        switch (cur) {
        case C_FROM:
            if (c->from_word.p && span_ieq(c->from_word, "mail") &&
                (span_ieq(w, "pickup") || span_ieq(w, "service")))
                continue; /* Exchange/IIS "from mail pickup service" */
            if (span_is_ip(w) && !c->extra_ip.p) {
                c->extra_ip = w;
                continue;
            }
            if (span_ieq(w, "named") && k + 1 < nt && toks[k + 1].kind == T_WORD &&
                !keyword((span){s + toks[k + 1].start, toks[k + 1].end - toks[k + 1].start})) {
                k++;
                continue;
            }
            break;
        case C_WITH:
            if (span_ieq(w, "tls") && k + 1 < nt && toks[k + 1].kind == T_WORD &&
                !keyword((span){s + toks[k + 1].start, toks[k + 1].end - toks[k + 1].start})) {
                c->exim_cipher = (span){s + toks[k + 1].start, toks[k + 1].end - toks[k + 1].start};
                k++;
                continue;
            }
            buf_add_word(c->proto, &c->proto_n, w);
            continue;
        case C_VIA:
            buf_add_word(c->via, &c->via_n, w);
            continue;
        case C_BY:
            if (span_ieq(w, "over") || span_ieq(w, "secured") || span_ieq(w, "channel")) {
                continue; /* IIS "over TLS secured channel" */
            }
            if (span_ieq(w, "TLS") && k > 0 && toks[k - 1].kind == T_WORD &&
                span_ieq((span){s + toks[k - 1].start, toks[k - 1].end - toks[k - 1].start}, "over")) {
                if (!c->tls_whole.p && !c->tls_ver.p)
                    c->tls_whole = w;
                continue;
            }
            if (span_is_ip(w)) { /* MDaemon: "by host [ip]" */
                if (!c->by_ip.p)
                    c->by_ip = w;
                continue;
            }
            if (c->by_n && !memchr(c->by_buf, '.', c->by_n) && ascii_alpha(w.p[0])) {
                buf_add_word(c->by_buf, &c->by_n, w); /* "by Forcepoint Email" */
                continue;
            }
            break;
        case C_FOR:
            if (memchr(w.p, '@', w.n) || w.p[0] == '<' || span_ieq(w, "and") ||
                (w.n == 1 && w.p[0] == ','))
                continue;
            break;
        default:
            break;
        }
        if (w.n == 1 && (w.p[0] == ':' || w.p[0] == ','))
            continue;
        out->flags |= RCV_UNPARSED_REST;
    }
    if (in_from)
        c->from_end = body_end < len ? body_end : len;
    if (nt > 0 && toks[nt - 1].end > c->from_end && in_from)
        c->from_end = toks[nt - 1].end;

    /* 5. materialize the from clause */
    int from_cls = ROUTE_IP_INVALID;
    int helo_ip = 0; /* span_is_ip(out->from_helo) when from_helo is set */
    if (out->flags & RCV_HAS_FROM) {
        span fw = c->from_word;
        int fw_is_ip = fw.p && span_is_ip(fw);
        int fw_unknown = fw.p && span_ieq(fw, "unknown");
        span helo = {NULL, 0}, rdns = {NULL, 0};
        span ip = c->cmt_ip;
        if (c->exim_helo || c->qmail_helo) {
            helo = c->cmt_helo;
            if (fw.p && !fw_is_ip)
                rdns = fw;
            if (fw_is_ip && !ip.p)
                ip = fw;
        } else {
            helo = fw;
            rdns = c->cmt_rdns;
        }
        if (fw_unknown && !(c->exim_helo || c->qmail_helo)) {
            /* "from unknown (...)": the name slot itself is unknown */
            helo = (span){NULL, 0};
            rdns = fw;
        }
        if (!ip.p)
            ip = c->extra_ip;
        if (!ip.p && fw_is_ip && !(c->exim_helo || c->qmail_helo)) {
            ip = fw;
            out->flags |= RCV_IP_FROM_HELO;
        }
        if (!ip.p)
            ip = c->qmail_ip;
        if (rdns.p) {
            while (rdns.n && rdns.p[rdns.n - 1] == '.')
                rdns.n--;
        }
        out->from_helo = dup_span(c, helo);
        if (out->from_helo) {
            size_t hl = strlen(out->from_helo);
            /* the from word copied whole (most hops): its answer is known */
            helo_ip = fw.p && helo.p == fw.p && helo.n == fw.n && hl == fw.n
                          ? fw_is_ip
                          : span_is_ip((span){out->from_helo, hl});
        }
        out->from_rdns = rdns.n ? dup_span(c, rdns) : NULL;
        if (ip.p)
            out->ip_family = ip_dup(c, ip, &out->from_ip, &from_cls);
        if (c->from_end > c->from_start && text_has_ip(s + c->from_start, c->from_end - c->from_start))
            out->flags |= RCV_FROM_HAS_IP;
        if ((fw.p || out->from_ip) && (!(out->flags & RCV_FROM_HAS_IP) || out->from_ip))
            out->flags |= RCV_PARSED_FROM;
    } else if (c->qmail_ip.p) {
        out->ip_family = ip_dup(c, c->qmail_ip, &out->from_ip, &from_cls);
    }
    if (out->from_helo && helo_ip)
        out->flags |= RCV_HELO_IS_IP;
    if (out->from_rdns && strcmp(out->from_rdns, "unknown") == 0)
        out->flags |= RCV_RDNS_UNKNOWN;
    if (out->from_rdns && span_ieq((span){out->from_rdns, strlen(out->from_rdns)}, "unknown"))
        out->flags |= RCV_RDNS_UNKNOWN;
    /* is_hostname(out->from_helo), its IP test already made */
    int helo_host = out->from_helo && *out->from_helo && strchr(out->from_helo, '.') && !helo_ip;
    if (helo_host && is_hostname(out->from_rdns) &&
        last2_differ(out->from_helo, out->from_rdns))
        out->flags |= RCV_HELO_RDNS_MISMATCH;
    if (out->from_ip) { /* from_cls: route_ip_class(out->from_ip) */
        if (from_cls == ROUTE_IP_LOOPBACK)
            out->flags |= RCV_IP_LOOPBACK | RCV_IP_PRIVATE;
        else if (from_cls != ROUTE_IP_PUBLIC && from_cls != ROUTE_IP_INVALID)
            out->flags |= RCV_IP_PRIVATE;
    }

    /* 6. by_ip, protocol, via, tls */
    if (c->by_ip.p)
        ip_dup(c, c->by_ip, &out->by_ip, NULL);
    if (c->by_n)
        out->by = dup_str(c, c->by_buf);
    if (c->proto_n)
        out->protocol = dup_str(c, c->proto);
    if (c->via_n)
        out->via = dup_str(c, c->via);
    char tlsbuf[RCV_MAX_VALUE];
    tlsbuf[0] = '\0';
    if (c->tls_ver.p) {
        snprintf(tlsbuf, sizeof tlsbuf, "%.*s", (int)(c->tls_ver.n > 200 ? 200 : c->tls_ver.n),
                 c->tls_ver.p);
        if (c->tls_cipher.n) {
            size_t l = strlen(tlsbuf);
            snprintf(tlsbuf + l, sizeof tlsbuf - l, ":%.*s",
                     (int)(c->tls_cipher.n > 200 ? 200 : c->tls_cipher.n), c->tls_cipher.p);
        }
        if (c->tls_bits.n) {
            size_t l = strlen(tlsbuf);
            snprintf(tlsbuf + l, sizeof tlsbuf - l, ":%.*s",
                     (int)(c->tls_bits.n > 20 ? 20 : c->tls_bits.n), c->tls_bits.p);
        }
    } else if (c->tls_whole.p) {
        snprintf(tlsbuf, sizeof tlsbuf, "%.*s", (int)(c->tls_whole.n > 300 ? 300 : c->tls_whole.n),
                 c->tls_whole.p);
        if (c->exim_cipher.n) {
            size_t l = strlen(tlsbuf);
            snprintf(tlsbuf + l, sizeof tlsbuf - l, ":%.*s",
                     (int)(c->exim_cipher.n > 200 ? 200 : c->exim_cipher.n), c->exim_cipher.p);
        }
    }
    if (tlsbuf[0]) {
        out->tls = dup_str(c, tlsbuf);
        out->flags |= RCV_TLS;
    }
    if (out->protocol) {
        static const char *const tls_protos[] = {"esmtps", "esmtpsa", "lmtps", "utf8smtps",
                                                 "utf8smtpsa", "smtps", "https", "lmtpsa"};
        static const char *const auth_protos[] = {"esmtpa", "esmtpsa", "utf8smtpa", "utf8smtpsa",
                                                  "lmtpa", "lmtpsa", "smtpa"};
        span p = {out->protocol, strlen(out->protocol)};
        for (size_t k = 0; k < sizeof tls_protos / sizeof *tls_protos; k++)
            if (span_ieq(p, tls_protos[k]))
                out->flags |= RCV_TLS;
        for (size_t k = 0; k < sizeof auth_protos / sizeof *auth_protos; k++)
            if (span_ieq(p, auth_protos[k]))
                out->flags |= RCV_AUTH;
    }
    if (c->oom)
        return -2;
    const unsigned parsed = RCV_PARSED_FROM | RCV_PARSED_BY | RCV_PARSED_WITH | RCV_PARSED_ID |
                            RCV_PARSED_FOR | RCV_PARSED_DATE | RCV_PARSED_VIA;
    return (out->flags & parsed) ? 0 : -1;
}
