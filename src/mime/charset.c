/*
 * charset.c - bytes in any mail charset to exact UTF-8 (see charset.h).
 *
 * Labels are mapped to canonical names by a read-only alias table; the bytes
 * are then checked against the label because real mail lies about it. glibc
 * iconv does the table work (CP932, EUC-JP-MS, GBK, ...); ISO-2022-JP is
 * decoded here (escape sequences -> EUC-JP bytes -> EUC-JP-MS) because glibc
 * has no CP50220 and rejects NEC/IBM extension characters. UTF-8 and
 * Windows-1252 are decoded by hand. The only mutable state is a per-thread
 * cache of iconv descriptors (see icache_get), so the module is safe with
 * -j N threads.
 */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uchardet.h>

#include "../util/kbuf.h"
#include "../util/lanes.h"

/* How a charset is decoded. */
enum { K_UTF8, K_ASCII, K_1252, K_JIS, K_ICONV, K_WIDE };
/* How many bytes an invalid character spans (resynchronisation after errors). */
enum { SK_1, SK_SJIS, SK_EUCJP, SK_DBCS, SK_GB18030 };

typedef struct {
    const char *name;  /* canonical name, reported in charset_info */
    const char *iconv; /* iconv name for K_ICONV / K_WIDE */
    unsigned char kind, skip, single; /* single: single-byte charset */
} cs_def;

static const cs_def CS[] = {
    {"UTF-8", NULL, K_UTF8, SK_1, 0},
    {"US-ASCII", NULL, K_ASCII, SK_1, 1},
    {"ISO-2022-JP", NULL, K_JIS, SK_1, 0},
    {"CP932", "CP932", K_ICONV, SK_SJIS, 0},
    {"EUC-JP", "EUC-JP-MS", K_ICONV, SK_EUCJP, 0},
    {"WINDOWS-1252", NULL, K_1252, SK_1, 1},
    {"ISO-8859-1", NULL, K_1252, SK_1, 1},
    {"ISO-8859-2", "ISO-8859-2", K_ICONV, SK_1, 1},
    {"ISO-8859-3", "ISO-8859-3", K_ICONV, SK_1, 1},
    {"ISO-8859-4", "ISO-8859-4", K_ICONV, SK_1, 1},
    {"ISO-8859-5", "ISO-8859-5", K_ICONV, SK_1, 1},
    {"ISO-8859-6", "ISO-8859-6", K_ICONV, SK_1, 1},
    {"ISO-8859-7", "ISO-8859-7", K_ICONV, SK_1, 1},
    {"ISO-8859-8", "ISO-8859-8", K_ICONV, SK_1, 1},
    {"ISO-8859-9", "ISO-8859-9", K_ICONV, SK_1, 1},
    {"ISO-8859-10", "ISO-8859-10", K_ICONV, SK_1, 1},
    {"ISO-8859-11", "ISO-8859-11", K_ICONV, SK_1, 1},
    {"ISO-8859-13", "ISO-8859-13", K_ICONV, SK_1, 1},
    {"ISO-8859-14", "ISO-8859-14", K_ICONV, SK_1, 1},
    {"ISO-8859-15", "ISO-8859-15", K_ICONV, SK_1, 1},
    {"ISO-8859-16", "ISO-8859-16", K_ICONV, SK_1, 1},
    {"WINDOWS-1250", "WINDOWS-1250", K_ICONV, SK_1, 1},
    {"WINDOWS-1251", "WINDOWS-1251", K_ICONV, SK_1, 1},
    {"WINDOWS-1253", "WINDOWS-1253", K_ICONV, SK_1, 1},
    {"WINDOWS-1254", "WINDOWS-1254", K_ICONV, SK_1, 1},
    {"WINDOWS-1255", "WINDOWS-1255", K_ICONV, SK_1, 1},
    {"WINDOWS-1256", "WINDOWS-1256", K_ICONV, SK_1, 1},
    {"WINDOWS-1257", "WINDOWS-1257", K_ICONV, SK_1, 1},
    {"WINDOWS-1258", "WINDOWS-1258", K_ICONV, SK_1, 1},
    {"WINDOWS-874", "CP874", K_ICONV, SK_1, 1},
    {"KOI8-R", "KOI8-R", K_ICONV, SK_1, 1},
    {"KOI8-U", "KOI8-U", K_ICONV, SK_1, 1},
    {"IBM866", "IBM866", K_ICONV, SK_1, 1},
    {"IBM855", "IBM855", K_ICONV, SK_1, 1},
    {"MAC-CYRILLIC", "MAC-CYRILLIC", K_ICONV, SK_1, 1},
    {"MACINTOSH", "MACINTOSH", K_ICONV, SK_1, 1},
    {"MAC-CENTRALEUROPE", "MAC-CENTRALEUROPE", K_ICONV, SK_1, 1},
    {"TIS-620", "TIS-620", K_ICONV, SK_1, 1},
    {"VISCII", "VISCII", K_ICONV, SK_1, 1},
    {"GBK", "GBK", K_ICONV, SK_DBCS, 0},
    {"GB18030", "GB18030", K_ICONV, SK_GB18030, 0},
    {"BIG5", "CP950", K_ICONV, SK_DBCS, 0},
    {"BIG5-HKSCS", "BIG5-HKSCS", K_ICONV, SK_DBCS, 0},
    {"EUC-TW", "EUC-TW", K_ICONV, SK_DBCS, 0},
    {"CP949", "CP949", K_ICONV, SK_DBCS, 0},
    {"ISO-2022-KR", "ISO-2022-KR", K_ICONV, SK_1, 0},
    {"UTF-16", "UTF-16", K_WIDE, SK_1, 0},
    {"UTF-16LE", "UTF-16LE", K_WIDE, SK_1, 0},
    {"UTF-16BE", "UTF-16BE", K_WIDE, SK_1, 0},
    {"UTF-32", "UTF-32", K_WIDE, SK_1, 0},
    {"UTF-32LE", "UTF-32LE", K_WIDE, SK_1, 0},
    {"UTF-32BE", "UTF-32BE", K_WIDE, SK_1, 0},
    {"UTF-7", "UTF-7", K_WIDE, SK_1, 0},
};
#define NCS (sizeof CS / sizeof CS[0])

/* Aliases, compared after lower-casing and mapping '_' to '-'. */
static const struct {
    const char *alias, *canon;
} ALIAS[] = {
    {"utf-8", "UTF-8"}, {"utf8", "UTF-8"}, {"unicode-1-1-utf-8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"}, {"unicode-2-0-utf-8", "UTF-8"},
    {"us-ascii", "US-ASCII"}, {"ascii", "US-ASCII"}, {"ansi-x3.4-1968", "US-ASCII"},
    {"ansi-x3.4-1986", "US-ASCII"}, {"iso646-us", "US-ASCII"}, {"us", "US-ASCII"},
    {"iso-ir-6", "US-ASCII"}, {"csascii", "US-ASCII"}, {"cp367", "US-ASCII"},
    {"ibm367", "US-ASCII"}, {"646", "US-ASCII"},
    {"iso-2022-jp", "ISO-2022-JP"}, {"csiso2022jp", "ISO-2022-JP"},
    {"iso-2022-jp-ms", "ISO-2022-JP"}, {"cp50220", "ISO-2022-JP"},
    {"cp50221", "ISO-2022-JP"}, {"cp50222", "ISO-2022-JP"},
    {"iso-2022-jp-1", "ISO-2022-JP"}, {"iso-2022-jp-2", "ISO-2022-JP"},
    {"iso-2022-jp-3", "ISO-2022-JP"}, {"iso-2022-jp-2004", "ISO-2022-JP"},
    {"csiso2022jp2", "ISO-2022-JP"}, {"x-windows-iso2022jp", "ISO-2022-JP"},
    {"shift-jis", "CP932"}, {"sjis", "CP932"}, {"x-sjis", "CP932"},
    {"ms-kanji", "CP932"}, {"windows-31j", "CP932"}, {"cp932", "CP932"},
    {"csshiftjis", "CP932"}, {"cswindows31j", "CP932"}, {"ms932", "CP932"},
    {"x-ms-cp932", "CP932"}, {"sjis-win", "CP932"}, {"sjis-open", "CP932"},
    {"shift-jisx0213", "CP932"}, {"shift-jis-2004", "CP932"},
    {"euc-jp", "EUC-JP"}, {"x-euc-jp", "EUC-JP"}, {"eucjp", "EUC-JP"},
    {"cseucpkdfmtjapanese", "EUC-JP"}, {"euc-jp-ms", "EUC-JP"},
    {"eucjp-ms", "EUC-JP"}, {"eucjp-win", "EUC-JP"}, {"x-eucjp", "EUC-JP"},
    {"euc-jis-2004", "EUC-JP"},
    {"latin1", "ISO-8859-1"}, {"latin-1", "ISO-8859-1"}, {"l1", "ISO-8859-1"},
    {"iso-ir-100", "ISO-8859-1"}, {"csisolatin1", "ISO-8859-1"},
    {"cp819", "ISO-8859-1"}, {"ibm819", "ISO-8859-1"},
    {"latin2", "ISO-8859-2"}, {"l2", "ISO-8859-2"}, {"latin9", "ISO-8859-15"},
    {"l9", "ISO-8859-15"}, {"cyrillic", "ISO-8859-5"}, {"greek", "ISO-8859-7"},
    {"hebrew", "ISO-8859-8"}, {"visual", "ISO-8859-8"}, {"arabic", "ISO-8859-6"},
    {"latin5", "ISO-8859-9"}, {"l5", "ISO-8859-9"}, {"tis-620", "TIS-620"},
    {"windows-874", "WINDOWS-874"}, {"cp874", "WINDOWS-874"},
    {"x-cp874", "WINDOWS-874"}, {"iso-8859-11", "TIS-620"},
    {"koi8-r", "KOI8-R"}, {"koi8r", "KOI8-R"}, {"cskoi8r", "KOI8-R"}, {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"}, {"koi8-u", "KOI8-U"}, {"koi8-ru", "KOI8-U"},
    {"ibm866", "IBM866"}, {"cp866", "IBM866"}, {"866", "IBM866"}, {"csibm866", "IBM866"},
    {"ibm855", "IBM855"}, {"cp855", "IBM855"},
    {"x-mac-cyrillic", "MAC-CYRILLIC"}, {"mac-cyrillic", "MAC-CYRILLIC"},
    {"maccyrillic", "MAC-CYRILLIC"}, {"x-mac-ukrainian", "MAC-CYRILLIC"},
    {"macintosh", "MACINTOSH"}, {"mac", "MACINTOSH"}, {"x-mac-roman", "MACINTOSH"},
    {"csmacintosh", "MACINTOSH"}, {"mac-centraleurope", "MAC-CENTRALEUROPE"},
    {"x-mac-ce", "MAC-CENTRALEUROPE"}, {"viscii", "VISCII"},
    {"gb2312", "GBK"}, {"gbk", "GBK"}, {"cp936", "GBK"}, {"x-gbk", "GBK"},
    {"euc-cn", "GBK"}, {"euccn", "GBK"}, {"x-euc-cn", "GBK"}, {"csgb2312", "GBK"},
    {"chinese", "GBK"}, {"gb-2312-80", "GBK"}, {"iso-ir-58", "GBK"},
    {"ms936", "GBK"}, {"windows-936", "GBK"}, {"csgb231280", "GBK"},
    {"gb18030", "GB18030"},
    {"big5", "BIG5"}, {"x-big5", "BIG5"}, {"cn-big5", "BIG5"}, {"csbig5", "BIG5"},
    {"big-5", "BIG5"}, {"cp950", "BIG5"}, {"x-x-big5", "BIG5"},
    {"big5-hkscs", "BIG5-HKSCS"}, {"big5hkscs", "BIG5-HKSCS"},
    {"euc-tw", "EUC-TW"}, {"x-euc-tw", "EUC-TW"},
    {"euc-kr", "CP949"}, {"ks-c-5601-1987", "CP949"}, {"ks-c-5601", "CP949"},
    {"ks-c-5601-1989", "CP949"}, {"ksc5601", "CP949"}, {"ksc-5601", "CP949"},
    {"korean", "CP949"}, {"csksc56011987", "CP949"}, {"cp949", "CP949"},
    {"uhc", "CP949"}, {"windows-949", "CP949"}, {"x-windows-949", "CP949"},
    {"euckr", "CP949"}, {"cseuckr", "CP949"}, {"iso-ir-149", "CP949"},
    {"iso-2022-kr", "ISO-2022-KR"}, {"csiso2022kr", "ISO-2022-KR"},
    {"utf-16", "UTF-16"}, {"utf16", "UTF-16"}, {"ucs-2", "UTF-16"},
    {"unicode", "UTF-16"}, {"utf-16le", "UTF-16LE"}, {"utf-16be", "UTF-16BE"},
    {"unicodefffe", "UTF-16BE"}, {"ucs-2le", "UTF-16LE"}, {"ucs-2be", "UTF-16BE"},
    {"utf-32", "UTF-32"}, {"utf-32le", "UTF-32LE"}, {"utf-32be", "UTF-32BE"},
    {"utf-7", "UTF-7"}, {"utf7", "UTF-7"}, {"unicode-1-1-utf-7", "UTF-7"},
    {"ascii-8bit", "WINDOWS-1252"}, {"ansi", "WINDOWS-1252"},
};
#define NALIAS (sizeof ALIAS / sizeof ALIAS[0])

static const unsigned short W1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static const cs_def *def_by_name(const char *canon)
{
    for (size_t i = 0; i < NCS; i++)
        if (strcmp(CS[i].name, canon) == 0)
            return &CS[i];
    return NULL;
}

static int norm_char(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 'a';
    return c == '_' ? '-' : c;
}

/* Label (trimmed copy, max 63 chars) matches alias? */
static int alias_eq(const char *lab, size_t n, const char *alias)
{
    size_t i = 0;
    for (; i < n && alias[i]; i++)
        if (norm_char((unsigned char)lab[i]) != norm_char((unsigned char)alias[i]))
            return 0;
    return i == n && alias[i] == '\0';
}

/* Parse trailing decimal number of s[0..n); -1 if not all digits. */
static int parse_num(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Strip a case-insensitive prefix (with '_' == '-'); returns chars consumed or 0. */
static size_t has_prefix(const char *s, size_t n, const char *pre)
{
    size_t i = 0;
    for (; pre[i]; i++)
        if (i >= n || norm_char((unsigned char)s[i]) != norm_char((unsigned char)pre[i]))
            return 0;
    return i;
}

static const cs_def *lookup(const char *label)
{
    if (!label)
        return NULL;
    size_t n = strnlen(label, 128);
    const char *s = label;
    /* trim whitespace and quotes */
    while (n && (*s == ' ' || *s == '\t' || *s == '"' || *s == '\''))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' || s[n - 1] == '\''))
        n--;
    if (n == 0 || n > 64)
        return NULL;
    for (size_t i = 0; i < NCS; i++)
        if (alias_eq(s, n, CS[i].name))
            return &CS[i];
    for (size_t i = 0; i < NALIAS; i++)
        if (alias_eq(s, n, ALIAS[i].alias))
            return def_by_name(ALIAS[i].canon);
    /* iso-8859-N[-i|-e], iso8859-N, iso-8859N, iso_8859-N:1987 */
    size_t k = has_prefix(s, n, "iso-8859-");
    if (!k)
        k = has_prefix(s, n, "iso8859-");
    if (!k)
        k = has_prefix(s, n, "iso-8859");
    if (!k)
        k = has_prefix(s, n, "iso8859");
    if (k) {
        size_t e = k;
        while (e < n && s[e] >= '0' && s[e] <= '9')
            e++;
        int v = parse_num(s + k, e - k);
        if (e < n && !(alias_eq(s + e, n - e, "-i") || alias_eq(s + e, n - e, "-e") ||
                       has_prefix(s + e, n - e, ":")))
            v = -1;
        static const char *const iso[17] = {
            NULL, "ISO-8859-1", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4",
            "ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9",
            "ISO-8859-10", "TIS-620", NULL, "ISO-8859-13", "ISO-8859-14",
            "ISO-8859-15", "ISO-8859-16"};
        if (v >= 1 && v <= 16 && iso[v])
            return def_by_name(iso[v]);
        return NULL;
    }
    /* windows-125N, cp125N, x-cp125N, ms-125N */
    k = has_prefix(s, n, "windows-");
    if (!k)
        k = has_prefix(s, n, "x-cp");
    if (!k)
        k = has_prefix(s, n, "cp");
    if (!k)
        k = has_prefix(s, n, "win-");
    if (k) {
        int v = parse_num(s + k, n - k);
        static const char *const win[9] = {
            "WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1252", "WINDOWS-1253", "WINDOWS-1254",
            "WINDOWS-1255", "WINDOWS-1256", "WINDOWS-1257", "WINDOWS-1258"};
        if (v >= 1250 && v <= 1258)
            return def_by_name(win[v - 1250]);
    }
    return NULL;
}

const char *charset_canonical(const char *label)
{
    const cs_def *d = lookup(label);
    return d ? d->name : NULL;
}

#define utf8_seq charset_utf8_seq

/* Lanes of w (high bit) that are ASCII, not NUL and not the byte e (e = 0:
 * no third test): lanes_ascii(w) & lanes_nonzero(w) & lanes_ne(w, e) in
 * one expression, since a lane that passes ~w has nothing but its low
 * seven bits. */
static inline uint64_t lanes_plain(uint64_t w, uint64_t e)
{
    uint64_t a = w & LANES_LO7;
    return (a + LANES_LO7) & ((a ^ LANES_REP(e)) + LANES_LO7) & ~w & LANES_ALL;
}

/* Length of the prefix of s[0..n) made of ASCII bytes other than NUL (and
 * ESC when esc): sixteen bytes a turn, then eight, then byte by byte. */
static inline size_t plain_len(const unsigned char *s, size_t n, int esc)
{
    uint64_t e = esc ? 0x1B : 0;
    size_t i = 0;
    for (; n - i >= 16; i += 16)
        if ((lanes_plain(lanes_load(s + i), e) & lanes_plain(lanes_load(s + i + 8), e)) != LANES_ALL)
            break;
    if (n - i >= 8 && lanes_plain(lanes_load(s + i), e) == LANES_ALL)
        i += 8;
    while (i < n && s[i] && s[i] < 0x80 && !(esc && s[i] == 0x1B))
        i++;
    return i;
}

/* Length of the ASCII prefix of s[0..n) (NUL included): sixteen bytes a
 * turn, then eight, then byte by byte. */
static inline size_t ascii_len(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; n - i >= 16; i += 16)
        if ((lanes_load(s + i) | lanes_load(s + i + 8)) & LANES_ALL)
            break;
    if (n - i >= 8 && !(lanes_load(s + i) & LANES_ALL))
        i += 8;
    /* fewer than eight left: the last eight bytes (overlapping) in one test */
    if (i < n && n - i < 8 && n >= 8 && !(lanes_load(s + n - 8) & LANES_ALL))
        return n;
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

int charset_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    if (!s)
        return n == 0;
    while (i < n) {
        i += ascii_len(u + i, n - i);
        if (i >= n)
            break;
        size_t k = utf8_seq(u + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

static const char FFFD[3] = {(char)0xEF, (char)0xBF, (char)0xBD};

char *charset_utf8_sanitize(arena *a, const char *s, size_t n, size_t *out_len)
{
    kbuf b;
    const unsigned char *u = (const unsigned char *)s;
    if (!s)
        n = 0;
    kbuf_init(&b, n > (SIZE_MAX - 16) / 3 ? SIZE_MAX - 16 : 3 * n + 16);
    size_t i = 0, run = 0; /* valid bytes [run, i) not yet copied: appended in one go */
    int rc = KBUF_OK;
    while (i < n) {
        i += plain_len(u + i, n - i, 0); /* ASCII without NUL: kept */
        if (i >= n)
            break;
        size_t k = utf8_seq(u + i, n - i);
        if (k > 1) {
            i += k;
            continue;
        }
        if (i > run && (rc = kbuf_add(&b, u + run, i - run)) != KBUF_OK)
            break;
        if (!k && (rc = kbuf_add(&b, FFFD, 3)) != KBUF_OK)
            break;
        run = ++i;
    }
    if (rc == KBUF_OK && run == 0) { /* all valid: one copy, no buffer */
        if (b.p) /* nothing was appended (run is 0): b holds no memory, no free call */
            kbuf_free(&b);
        char *r = arena_strndup(a, s ? s : "", n);
        if (out_len)
            *out_len = r ? n : 0;
        return r;
    }
    if (rc == KBUF_OK && i > run)
        kbuf_add(&b, u + run, i - run);
    size_t len = b.len;
    char *r = arena_strndup(a, kbuf_str(&b), len);
    kbuf_free(&b);
    if (out_len)
        *out_len = r ? len : 0;
    return r;
}

/* ---- decoders: each appends UTF-8 to out and returns the error count (-1:
 * charset unavailable). With stop set, they return at the first error. ---- */

/* Append the run s[0..n) made of units of unit(s) bytes in one go; when it
 * does not fit, unit by unit up to the limit, as a byte-at-a-time loop
 * would have stopped. Returns KBUF_OK or the error of the first unit that
 * did not fit. */
static int add_run(kbuf *out, const unsigned char *s, size_t n, int utf8)
{
    int rc = kbuf_add(out, s, n);
    if (rc == KBUF_OK)
        return rc;
    for (size_t i = 0; i < n;) {
        size_t k = utf8 ? utf8_seq(s + i, n - i) : 1;
        if ((rc = kbuf_add(out, s + i, k)) != KBUF_OK)
            return rc;
        i += k;
    }
    return KBUF_OK;
}

static int dec_utf8(const unsigned char *s, size_t n, kbuf *out, int stop)
{
    int err = 0;
    size_t i = 0;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        i = 3; /* BOM */
    size_t run = i; /* valid sequences [run, i) not yet copied */
    while (i < n) {
        i += ascii_len(s + i, n - i);
        if (i >= n)
            break;
        size_t k = s[i] < 0x80 ? 1 : utf8_seq(s + i, n - i);
        if (k) {
            i += k;
            continue;
        }
        if (i > run && add_run(out, s + run, i - run, 1) != KBUF_OK)
            return err;
        err++;
        if (stop)
            return err;
        if (kbuf_add(out, FFFD, 3) != KBUF_OK)
            return err;
        run = ++i;
    }
    if (i > run)
        add_run(out, s + run, i - run, 1);
    return err;
}

/* dec_utf8() of bytes known to be valid UTF-8: the bytes after a BOM */
static int copy_utf8(const unsigned char *s, size_t n, kbuf *out)
{
    size_t i = n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? 3 : 0;
    if (n > i)
        add_run(out, s + i, n - i, 1);
    return 0;
}

static int dec_ascii(const unsigned char *s, size_t n, kbuf *out, int stop)
{
    int err = 0;
    size_t run = 0, i = 0; /* ASCII [run, i) not yet copied */
    for (; i < n; i++) {
        if (s[i] < 0x80)
            continue;
        if (i > run && add_run(out, s + run, i - run, 0) != KBUF_OK)
            return err;
        err++;
        if (stop)
            return err;
        if (kbuf_add(out, FFFD, 3) != KBUF_OK)
            return err;
        run = i + 1;
    }
    if (i > run)
        add_run(out, s + run, i - run, 0);
    return err;
}

/* Windows-1252 as browsers decode it (the 5 undefined bytes map to C1). */
static int dec_1252(const unsigned char *s, size_t n, kbuf *out)
{
    size_t run = 0, i = 0; /* ASCII [run, i) not yet copied */
    for (; i < n; i++) {
        while (n - i >= 8 && lanes_ascii(lanes_load(s + i)) == LANES_ALL)
            i += 8; /* ASCII: stays in the run */
        if (i >= n)
            break;
        unsigned long cp = s[i];
        if (cp < 0x80)
            continue;
        if (i > run && add_run(out, s + run, i - run, 0) != KBUF_OK)
            return 0;
        if (cp <= 0x9F)
            cp = W1252[cp - 0x80];
        if (kbuf_add_utf8(out, cp) != KBUF_OK)
            return 0;
        run = i + 1;
    }
    if (i > run)
        add_run(out, s + run, i - run, 0);
    return 0;
}

/* Bytes covered by the invalid character at s (never eats an ASCII trail). */
static size_t bad_len(int skip, const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    unsigned d = n > 1 ? s[1] : 0;
    switch (skip) {
    case SK_SJIS:
        if (((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) && d >= 0x80 && d <= 0xFC)
            return 2;
        return 1;
    case SK_EUCJP:
        if (c == 0x8E && d >= 0xA1 && d <= 0xDF)
            return 2;
        if (c == 0x8F && n > 2 && d >= 0xA1 && d <= 0xFE && s[2] >= 0xA1 && s[2] <= 0xFE)
            return 3;
        if (c >= 0xA1 && c <= 0xFE && d >= 0xA1 && d <= 0xFE)
            return 2;
        return 1;
    case SK_GB18030:
        if (c >= 0x81 && c <= 0xFE && n > 3 && d >= 0x30 && d <= 0x39 && s[2] >= 0x81 &&
            s[2] <= 0xFE && s[3] >= 0x30 && s[3] <= 0x39)
            return 4;
        /* fall through */
    case SK_DBCS:
        if (c >= 0x81 && c <= 0xFE && d >= 0x80 && d <= 0xFE)
            return 2;
        return 1;
    default:
        return 1;
    }
}

/* Per-thread cache of "to UTF-8" descriptors. glibc loads a gconv module
 * (dlopen) at iconv_open and unloads it (dlclose, munmap) at the last
 * iconv_close, so opening one per part cost more than the conversion of a
 * typical Japanese mail. A thread keeps up to ICACHE_N descriptors, reset to
 * the initial shift state before each use, closed by the key destructor when
 * the thread ends (a pthread key with a destructor). */
#define ICACHE_N 8
typedef struct {
    struct {
        char name[32];
        iconv_t cd;
    } e[ICACHE_N];
    unsigned n, next;
} icache;

static pthread_key_t icache_key;
static pthread_once_t icache_once = PTHREAD_ONCE_INIT;
static __thread icache *icache_tl;

static void icache_free(void *p)
{
    icache *c = p;
    for (unsigned i = 0; c && i < c->n; i++)
        iconv_close(c->e[i].cd);
    free(c);
}

static void icache_init(void)
{
    pthread_key_create(&icache_key, icache_free);
}

/* A descriptor converting NAME to UTF-8, in its initial state; *cached says
 * whether it belongs to the cache (else the caller closes it). */
static iconv_t icache_get(const char *name, int *cached)
{
    *cached = 0;
    pthread_once(&icache_once, icache_init);
    if (!icache_tl && (icache_tl = calloc(1, sizeof *icache_tl)) != NULL)
        pthread_setspecific(icache_key, icache_tl);
    icache *c = icache_tl;
    size_t nl = strlen(name);
    if (c && nl < sizeof c->e[0].name)
        for (unsigned i = 0; i < c->n; i++)
            if (strcmp(c->e[i].name, name) == 0) {
                iconv(c->e[i].cd, NULL, NULL, NULL, NULL);
                *cached = 1;
                return c->e[i].cd;
            }
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1 || !c || nl >= sizeof c->e[0].name)
        return cd;
    unsigned slot;
    if (c->n < ICACHE_N) {
        slot = c->n++;
    } else {
        slot = c->next++ % ICACHE_N;
        iconv_close(c->e[slot].cd);
    }
    memcpy(c->e[slot].name, name, nl + 1);
    c->e[slot].cd = cd;
    *cached = 1;
    return cd;
}

static int dec_iconv(const char *name, int skip, const unsigned char *s, size_t n, kbuf *out,
                     int stop)
{
    int cached;
    iconv_t cd = icache_get(name, &cached);
    if (cd == (iconv_t)-1)
        return -1;
    char buf[1024];
    char *ip = (char *)(uintptr_t)s;
    size_t il = n;
    int err = 0, full = 0;
    while (il > 0 && !full) {
        char *op = buf;
        size_t ol = sizeof buf;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        int e = errno;
        if (op > buf && kbuf_add(out, buf, (size_t)(op - buf)) != KBUF_OK)
            full = 1;
        if (r != (size_t)-1 || full)
            break;
        if (e == E2BIG && op > buf)
            continue; /* output drained, go on */
        /* EILSEQ, EINVAL (truncated at end) or no progress: U+FFFD, skip */
        err++;
        if (stop)
            break;
        if (kbuf_add(out, FFFD, 3) != KBUF_OK)
            break;
        size_t k = bad_len(skip, (const unsigned char *)ip, il);
        ip += k;
        il -= k;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    if (!full && !(stop && err)) {
        char *op = buf;
        size_t ol = sizeof buf;
        if (iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1 && op > buf)
            kbuf_add(out, buf, (size_t)(op - buf));
    }
    if (!cached)
        iconv_close(cd);
    return err;
}

/* ---- ISO-2022-JP (CP50220/50221/50222 superset) ---- */

enum { G_ASCII, G_KANA, G_0208, G_0212, G_GB, G_KSC };

/* Run targets (compared by address). */
static const char T_EUCJP[] = "EUC-JP-MS", T_GB[] = "GBK", T_KSC[] = "CP949",
                  T_LATIN1[] = "ISO-8859-1", T_GREEK[] = "ISO-8859-7";

typedef struct {
    kbuf run;           /* EUC bytes waiting for conversion */
    const char *target; /* iconv name of the run */
    int skip;
    kbuf *out;
    int err, stop;
} jis_state;

static void jis_flush(jis_state *j)
{
    if (j->run.len) {
        int e = dec_iconv(j->target, j->skip, (const unsigned char *)j->run.p, j->run.len,
                          j->out, j->stop);
        j->err += e < 0 ? 1 : e;
    }
    kbuf_reset(&j->run);
}

static void jis_target(jis_state *j, const char *t, int skip)
{
    if (j->target != t) {
        jis_flush(j);
        j->target = t;
        j->skip = skip;
    }
}

static void jis_bad(jis_state *j)
{
    jis_flush(j);
    j->err++;
    if (!j->stop)
        kbuf_add(j->out, FFFD, 3);
}

/* Length of a recognised escape sequence at s, updating g0/g2; 0 if unknown. */
static size_t jis_escape(const unsigned char *s, size_t n, int *g0, int *g2)
{
    if (n >= 3 && s[1] == '(') {
        switch (s[2]) {
        case 'B': case 'J': case 'H':
            *g0 = G_ASCII;
            return 3;
        case 'I':
            *g0 = G_KANA;
            return 3;
        }
        return 0;
    }
    if (n >= 3 && s[1] == '$') {
        switch (s[2]) {
        case '@': case 'B':
            *g0 = G_0208;
            return 3;
        case 'A':
            *g0 = G_GB;
            return 3;
        case '(':
            if (n < 4)
                return 0;
            switch (s[3]) {
            case '@': case 'B': case 'O': case 'Q':
                *g0 = G_0208;
                return 4;
            case 'D':
                *g0 = G_0212;
                return 4;
            case 'C':
                *g0 = G_KSC;
                return 4;
            }
            return 0;
        }
        return 0;
    }
    if (n >= 3 && s[1] == '&' && s[2] == '@')
        return 3; /* JIS X 0208-1990 announcer, ignored */
    if (n >= 3 && s[1] == '.' && (s[2] == 'A' || s[2] == 'F')) {
        *g2 = s[2] == 'A' ? 1 : 2;
        return 3;
    }
    return 0;
}

static int dec_jis(const unsigned char *s, size_t n, kbuf *out, int stop)
{
    jis_state j;
    kbuf_init(&j.run, 2 * n + 16);
    j.target = T_EUCJP;
    j.skip = SK_EUCJP;
    j.out = out;
    j.err = 0;
    j.stop = stop;
    int g0 = G_ASCII, g2 = 0, shifted = 0;
    size_t i = 0;
    while (i < n && !(stop && j.err)) {
        unsigned c = s[i];
        if (c == 0x1B) {
            size_t k = jis_escape(s + i, n - i, &g0, &g2);
            if (k) {
                i += k;
                continue;
            }
            if (g2 && i + 2 < n && s[i + 1] == 'N' && s[i + 2] >= 0x20 && s[i + 2] < 0x80) {
                if (g2 == 1)
                    jis_target(&j, T_LATIN1, SK_1);
                else
                    jis_target(&j, T_GREEK, SK_1);
                kbuf_addc(&j.run, (char)(s[i + 2] | 0x80));
                i += 3;
                continue;
            }
            jis_bad(&j);
            i++;
            continue;
        }
        if (c == 0x0E || c == 0x0F) {
            shifted = c == 0x0E;
            i++;
            continue;
        }
        if (c >= 0x80) {
            if (c >= 0xA1 && c <= 0xDF) { /* 8-bit half-width kana (CP50222 style) */
                jis_target(&j, T_EUCJP, SK_EUCJP);
                kbuf_addc(&j.run, (char)0x8E);
                kbuf_addc(&j.run, (char)c);
            } else
                jis_bad(&j);
            i++;
            continue;
        }
        int g = shifted ? G_KANA : g0;
        if (c <= 0x20 || c == 0x7F || g == G_ASCII) {
            kbuf_addc(&j.run, (char)c); /* ASCII is valid in every run target */
            i++;
            continue;
        }
        if (g == G_KANA) {
            if (c <= 0x5F) {
                jis_target(&j, T_EUCJP, SK_EUCJP);
                kbuf_addc(&j.run, (char)0x8E);
                kbuf_addc(&j.run, (char)(c | 0x80));
            } else
                jis_bad(&j);
            i++;
            continue;
        }
        if (i + 1 >= n || s[i + 1] < 0x21 || s[i + 1] > 0x7E) {
            jis_bad(&j);
            i++;
            continue;
        }
        if (g == G_GB)
            jis_target(&j, T_GB, SK_DBCS);
        else if (g == G_KSC)
            jis_target(&j, T_KSC, SK_DBCS);
        else
            jis_target(&j, T_EUCJP, SK_EUCJP);
        if (g == G_0212)
            kbuf_addc(&j.run, (char)0x8F);
        kbuf_addc(&j.run, (char)(c | 0x80));
        kbuf_addc(&j.run, (char)(s[i + 1] | 0x80));
        i += 2;
    }
    if (!(stop && j.err))
        jis_flush(&j);
    kbuf_free(&j.run);
    return j.err;
}

static int decode_as(const cs_def *d, const unsigned char *s, size_t n, kbuf *out, int stop)
{
    switch (d->kind) {
    case K_UTF8:
        return dec_utf8(s, n, out, stop);
    case K_ASCII:
        return dec_ascii(s, n, out, stop);
    case K_1252:
        return dec_1252(s, n, out);
    case K_JIS:
        return dec_jis(s, n, out, stop);
    default:
        return dec_iconv(d->iconv, d->skip, s, n, out, stop);
    }
}

/* ---- detection ---- */

static int has_jis_escape(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++) {
        const unsigned char *esc = memchr(s + i, 0x1B, n - 2 - i);
        if (!esc)
            return 0;
        i = (size_t)(esc - s);
        if ((s[i + 1] == '$' && (s[i + 2] == 'B' || s[i + 2] == '@')) ||
            (s[i + 1] == '(' && (s[i + 2] == 'J' || s[i + 2] == 'I')) ||
            (i + 3 < n && s[i + 1] == '$' && s[i + 2] == '(' && s[i + 3] == 'D'))
            return 1;
    }
    return 0;
}

/* Counts for "mostly UTF-8": bytes in valid multi-byte sequences, invalid bytes. */
static void utf8_stats(const unsigned char *s, size_t n, size_t *valid, size_t *bad)
{
    size_t i = 0;
    *valid = *bad = 0;
    while (i < n) {
        i += ascii_len(s + i, n - i); /* ASCII counts neither way */
        if (i >= n)
            break;
        size_t k = utf8_seq(s + i, n - i);
        if (!k) {
            (*bad)++;
            k = 1;
        } else if (k > 1)
            *valid += k;
        i += k;
    }
}

/* Japanese-likeness of UTF-8 text: kana/kanji/CJK punctuation +1, other
 * non-ASCII -1 (half-width kana count against: Latin-1 bytes read as CP932
 * become half-width kana). */
static long ja_score(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    long sc = 0;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (!k) {
            sc--;
            i++;
            continue;
        }
        unsigned long cp = s[i];
        if (k == 2)
            cp = ((cp & 0x1F) << 6) | (s[i + 1] & 0x3F);
        else if (k == 3)
            cp = ((cp & 0x0F) << 12) | ((unsigned long)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
        else if (k == 4)
            cp = 0x10000;
        if (cp >= 0x80) {
            if ((cp >= 0x3000 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
                (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF01 && cp <= 0xFF5E))
                sc += cp >= 0xFF01 ? 0 : 1;
            else if ((cp >= 0x2460 && cp <= 0x24FF) || (cp >= 0x3200 && cp <= 0x33FF) ||
                     (cp >= 0x2160 && cp <= 0x217F))
                sc += 0; /* NEC specials: neutral */
            else
                sc--;
        }
        i += k;
    }
    return sc;
}

/* Valid UTF-8 that looks like CJK text (at least two 3/4-byte sequences, no
 * more 2-byte ones): UTF-8 mislabelled as a CJK charset. CP932/GBK decode
 * such bytes "cleanly" into mojibake (お知らせ -> 縺顔衍繧峨○), while real
 * CJK legacy text is almost never valid UTF-8 of that shape. */
static int utf8_cjk_shape(const unsigned char *s, size_t n)
{
    size_t i = 0, n2 = 0, n3 = 0;
    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (!k)
            return 0;
        if (k == 2)
            n2++;
        else if (k > 2)
            n3++;
        i += k;
    }
    return n3 >= 2 && n3 >= n2;
}

/* CP932 vs EUC-JP: the clean one that looks most Japanese. */
static const cs_def *detect_ja(const unsigned char *s, size_t n, kbuf *out)
{
    const cs_def *cand[2] = {def_by_name("CP932"), def_by_name("EUC-JP")};
    kbuf tmp[2];
    long sc[2] = {0, 0};
    int ok[2] = {0, 0};
    for (int c = 0; c < 2; c++) {
        kbuf_init(&tmp[c], out->max);
        ok[c] = decode_as(cand[c], s, n, &tmp[c], 1) == 0;
        if (ok[c])
            sc[c] = ja_score(tmp[c].p ? tmp[c].p : "", tmp[c].len);
    }
    int best = -1;
    if (ok[0] && sc[0] > 0)
        best = 0;
    if (ok[1] && sc[1] > 0 && (best < 0 || sc[1] > sc[0]))
        best = 1;
    if (best >= 0)
        kbuf_add(out, kbuf_str(&tmp[best]), tmp[best].len);
    kbuf_free(&tmp[0]);
    kbuf_free(&tmp[1]);
    return best >= 0 ? cand[best] : NULL;
}

/* uchardet's guess if it decodes cleanly; multibyte_only rejects single-byte
 * guesses (used when a label exists: those never fail and would win). */
static const cs_def *detect_uchardet(const unsigned char *s, size_t n, kbuf *out,
                                     int multibyte_only)
{
    if (n < 32)
        return NULL;
    uchardet_t ud = uchardet_new();
    if (!ud)
        return NULL;
    const cs_def *d = NULL;
    size_t feed = n > 65536 ? 65536 : n;
    if (uchardet_handle_data(ud, (const char *)s, feed) == 0) {
        uchardet_data_end(ud);
        d = lookup(uchardet_get_charset(ud));
    }
    uchardet_delete(ud);
    if (!d || d->kind == K_ASCII || d->kind == K_WIDE || (multibyte_only && d->single))
        return NULL;
    kbuf tmp;
    kbuf_init(&tmp, out->max);
    if (decode_as(d, s, n, &tmp, 1) == 0)
        kbuf_add(out, kbuf_str(&tmp), tmp.len);
    else
        d = NULL;
    kbuf_free(&tmp);
    return d;
}

/* The detection ladder. with_single: allow the single-byte end (uchardet
 * single-byte guesses and Windows-1252); otherwise NULL when nothing fits. */
static const cs_def *detect(const unsigned char *s, size_t n, int has8, kbuf *out,
                            int with_single, int *err)
{
    const cs_def *d;
    *err = 0;
    if (!has8 && has_jis_escape(s, n)) {
        d = def_by_name("ISO-2022-JP");
        *err = decode_as(d, s, n, out, 0);
        return d;
    }
    if (!has8) {
        d = def_by_name("US-ASCII");
        decode_as(d, s, n, out, 0);
        return d;
    }
    if (with_single && n >= 2 && n % 2 == 0 &&
        ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
        d = def_by_name("UTF-16");
        *err = decode_as(d, s, n, out, 0);
        return d;
    }
    if (charset_utf8_valid((const char *)s, n)) {
        d = def_by_name("UTF-8");
        copy_utf8(s, n, out);
        return d;
    }
    if ((d = detect_uchardet(s, n, out, !with_single)))
        return d;
    if ((d = detect_ja(s, n, out)))
        return d;
    if (!with_single)
        return NULL;
    d = def_by_name("WINDOWS-1252");
    decode_as(d, s, n, out, 0);
    return d;
}

/* Decide the charset and decode into out; returns the charset whose decoder
 * alone wrote out. */
static const cs_def *convert(const cs_def *decl, const unsigned char *s, size_t n, kbuf *out,
                             charset_info *info)
{
    int has8 = ascii_len(s, n) < n;
    const cs_def *used = NULL;
    int err = 0;

    if (decl && decl->kind == K_WIDE) {
        err = decode_as(decl, s, n, out, 0);
        if (err < 0) { /* cannot happen with glibc; stay safe */
            kbuf_reset(out);
            decl = NULL;
        } else
            used = decl;
    }
    if (!used && decl && !has8 && decl->kind != K_JIS && decl->kind != K_WIDE &&
        has_jis_escape(s, n)) {
        used = detect(s, n, 0, out, 1, &err); /* ISO-2022-JP, whatever the label said */
        info->detected = 1;
    }
    if (!used && decl) {
        switch (decl->kind) {
        case K_JIS:
            if (!has8 || has_jis_escape(s, n)) {
                kbuf tmp;
                kbuf_init(&tmp, out->max);
                int e = has8 ? decode_as(decl, s, n, &tmp, 1) : 0;
                kbuf_free(&tmp);
                if (!has8 || e == 0) {
                    err = decode_as(decl, s, n, out, 0);
                    used = decl;
                    break;
                }
                /* JIS escapes plus 8-bit bytes: another Japanese charset? */
                if (charset_utf8_valid((const char *)s, n))
                    used = detect(s, n, 1, out, 0, &err);
                else
                    used = detect_ja(s, n, out);
                if (used)
                    info->detected = 1;
                else {
                    err = decode_as(decl, s, n, out, 0);
                    used = decl;
                }
                break;
            }
            used = detect(s, n, has8, out, 1, &err);
            info->detected = 1;
            break;
        case K_ASCII:
            if (!has8) {
                err = decode_as(decl, s, n, out, 0);
                used = decl;
            } else {
                used = detect(s, n, has8, out, 1, &err);
                info->detected = 1;
            }
            break;
        case K_UTF8: {
            size_t v, b;
            utf8_stats(s, n, &v, &b);
            if (b == 0) { /* valid throughout */
                err = copy_utf8(s, n, out);
                used = decl;
            } else if (v >= 4 * b) { /* a few broken bytes in UTF-8 text */
                err = decode_as(decl, s, n, out, 0);
                used = decl;
            } else {
                used = detect(s, n, has8, out, 1, &err);
                info->detected = 1;
            }
            break;
        }
        default:
            if (decl->single) {
                if (has8 && charset_utf8_valid((const char *)s, n)) {
                    used = def_by_name("UTF-8"); /* UTF-8 mislabelled as a legacy charset */
                    copy_utf8(s, n, out);
                    info->detected = 1;
                    break;
                }
                const cs_def *d = decl;
                if (strcmp(d->name, "ISO-8859-1") == 0)
                    for (size_t i = 0; i < n; i++)
                        if (s[i] >= 0x80 && s[i] <= 0x9F) {
                            d = def_by_name("WINDOWS-1252"); /* as browsers do */
                            break;
                        }
                err = decode_as(d, s, n, out, 0);
                if (err >= 0) {
                    used = d;
                    break;
                }
                kbuf_reset(out); /* iconv lacks it */
                used = detect(s, n, has8, out, 1, &err);
                info->detected = 1;
                break;
            }
            if (has8 && utf8_cjk_shape(s, n)) {
                used = def_by_name("UTF-8");
                decode_as(used, s, n, out, 0);
                info->detected = 1;
                break;
            }
            /* multi-byte label: trust it if the bytes are valid in it */
            err = decode_as(decl, s, n, out, 1);
            if (err == 0) {
                used = decl;
                break;
            }
            kbuf_reset(out);
            if (err > 0) {
                used = detect(s, n, has8, out, 0, &err);
                if (used) {
                    info->detected = 1;
                    break;
                }
                kbuf_reset(out);
                err = decode_as(decl, s, n, out, 0);
                used = decl;
                break;
            }
            used = detect(s, n, has8, out, 1, &err); /* iconv lacks it */
            info->detected = 1;
            break;
        }
    }
    if (!used) {
        used = detect(s, n, has8, out, 1, &err);
        info->detected = 1;
    }
    info->used = used->name;
    info->errors = err > 0 ? err : 0;
    if (decl && used != decl &&
        !(strcmp(decl->name, "ISO-8859-1") == 0 && strcmp(used->name, "WINDOWS-1252") == 0))
        info->mismatch = 1;
    return used;
}

char *charset_to_utf8(arena *a, const char *declared, const char *in, size_t len,
                      size_t *out_len, charset_info *info)
{
    charset_info dummy;
    if (!info)
        info = &dummy;
    memset(info, 0, sizeof *info);
    if (!in)
        len = 0;
    const cs_def *decl = lookup(declared);
    info->declared = decl ? decl->name : NULL;

    const unsigned char *s = (const unsigned char *)in;

    /* ASCII without NUL or ESC, labelled UTF-8, US-ASCII, Windows-1252,
     * ISO-8859-1 or not at all (most text parts and words): every path of
     * convert() copies it as it is (no 8-bit byte to judge, no ISO-2022-JP
     * escape) and the guard keeps it whole */
    if (!decl || decl->kind == K_UTF8 || decl->kind == K_ASCII || decl->kind == K_1252) {
        if (plain_len(s, len, 1) == len) {
            info->used = decl ? decl->name : def_by_name("US-ASCII")->name;
            info->detected = !decl;
            char *r = arena_strndup(a, in ? in : "", len);
            if (out_len)
                *out_len = r ? len : 0;
            return r;
        }
    }

    kbuf nonul;
    kbuf_init(&nonul, len);
    if ((!decl || decl->kind != K_WIDE) && len && memchr(in, 0, len)) {
        for (size_t i = 0; i < len; i++)
            if (s[i])
                kbuf_addc(&nonul, (char)s[i]);
        s = (const unsigned char *)kbuf_str(&nonul);
        len = nonul.len;
    }
    kbuf out;
    kbuf_init(&out, len > (SIZE_MAX - 16) / 4 ? SIZE_MAX - 16 : 4 * len + 16);
    kbuf_reserve(&out, len + 16); /* about the size of most results: no regrowth */
    const cs_def *used = convert(decl, s, len, &out, info);
    kbuf_free(&nonul);
    char *r;
    if ((used->kind == K_UTF8 || used->kind == K_ASCII || used->kind == K_1252) &&
        !(decl && decl->kind == K_WIDE)) {
        /* our own decoders write only whole valid sequences and U+FFFD, and
         * the input had its NULs dropped above: the guard below would give
         * the bytes back as they are */
        r = arena_strndup(a, kbuf_str(&out), out.len);
        if (out_len)
            *out_len = r ? out.len : 0;
    } else {
        /* final guard: drop U+0000 from wide charsets, assert valid UTF-8 */
        r = charset_utf8_sanitize(a, kbuf_str(&out), out.len, out_len);
    }
    kbuf_free(&out);
    return r;
}
