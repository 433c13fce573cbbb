/*
 * html_prescan.c - cut what no stage reads from an HTML part before gumbo
 * sees it: the contents of <style>, <script> and <title> elements, the text
 * of comments, the length of runs of whitespace in text and between
 * attributes, the part of an <img> src after "data:" and, on elements other
 * than the formatting ones, the attributes no stage reads (inline style=,
 * class, width...; the kept ones are in attr_read). Written by hand: it is
 * a cut-down HTML5 tokenizer whose job is to know, for each "<style" and
 * each start tag, whether the real tokenizer would be in the data state
 * there, so that the tree gumbo builds is the same except for what was cut
 * (visible text and links skip style, script and title subtrees and
 * comments, collapse whitespace, read only the kept attributes, and skip an
 * <img> data: URL whole; tests/unit/html_tree.h compares trees so). Marketing
 * mail carries tens of kilobytes of CSS per part, most of its tag bytes are
 * inline style attributes, a third of its text is indentation, and gumbo
 * makes one token per character of all of them.
 *
 * Whenever the input leaves the plain path, the scan gives up and the part
 * is parsed as it is: foreign content (<svg>, <math>: CDATA sections and
 * non-raw <style>), <select> and <frameset> (where the tree builder ignores
 * a <style> start tag, so the tokenizer stays in the data state),
 * <noscript> (raw text only with scripting on), <plaintext>, <isindex> (its
 * attributes become elements and text), a "<!--" in script data (its
 * escaped states), and any tag or comment that does not end.
 */
#include "html_prescan.h"

#include <gumbo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/ascii.h"

/* s[i..] starts with word (lower case), case-insensitively */
static int word_at(const char *s, size_t n, size_t i, const char *word)
{
    size_t k = 0;
    for (; word[k]; k++)
        if (i + k >= n || ascii_lower((unsigned char)s[i + k]) != word[k])
            return 0;
    return 1;
}

/* where the raw text of element `name` (after its start tag, at i) ends:
 * the first "</name" followed by whitespace, '/' or '>' (n if none) */
static size_t raw_end(const char *s, size_t n, size_t i, const char *name)
{
    size_t nl = strlen(name);
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt)
            return n;
        i = (size_t)(lt - s);
        if (i + 2 + nl < n && s[i + 1] == '/' && word_at(s, n, i + 2, name)) {
            int c = (unsigned char)s[i + 2 + nl];
            if (html_space(c) || c == '/' || c == '>')
                return i;
        }
        i++;
    }
    return n;
}

/* what the output holds so far: out[0..o) is s[0..copied) with cuts */
typedef struct {
    char *out;
    size_t o, copied;
} emit;

/* s[a..b) leaves the output; with space, one space takes its place unless
 * the output already ends in whitespace, so that what follows tokenizes as
 * before (an attribute after "<td/" stays an attribute, a quoted value's
 * neighbours stay apart) */
static void cut(emit *e, const char *s, size_t a, size_t b, int space)
{
    memcpy(e->out + e->o, s + e->copied, a - e->copied);
    e->o += a - e->copied;
    if (space && !(e->o && html_space((unsigned char)e->out[e->o - 1])))
        e->out[e->o++] = ' ';
    e->copied = b;
}

/* Runs of whitespace in s[a..b), text the tree builder takes as character
 * tokens, become their first character: a run stays a run of one (a
 * whitespace-only text node stays one, "in table text" sees the same kinds
 * of characters) and every reader of text collapses runs anyway (visible
 * text, anchor text, URL scan: whitespace only ends things). keep_first:
 * the run at a is left whole (after <pre>, <listing>, <textarea> the tree
 * builder drops a first newline). */
static void squeeze(emit *e, const char *s, size_t a, size_t b, int keep_first)
{
    size_t k = a;
    if (keep_first)
        while (k < b && html_space((unsigned char)s[k]))
            k++;
    while (k + 1 < b) {
        if (!html_space((unsigned char)s[k]) || !html_space((unsigned char)s[k + 1])) {
            k++;
            continue;
        }
        size_t r = k + 2;
        while (r < b && html_space((unsigned char)s[r]))
            r++;
        cut(e, s, k + 1, r, 0);
        k = r;
    }
}

/* Text pieces (html_prescan.h): gumbo makes one token per character of
 * text and runs each through tree building, the dearest thing it does. A
 * piece - characters that reach the tree as they are, from a
 * non-whitespace one to the last non-whitespace one before something else -
 * goes to gumbo as a marker of two private-use characters instead, and
 * html_pieces_expand() puts its text back into the text node. The tree
 * builder treats a run of character tokens that starts with a
 * non-whitespace one the same whatever follows in it (the first one decides
 * the insertion mode, the table-text choice and the place; the rest only
 * add to the same text node), so the tree is the same but for the text,
 * which the expansion restores. Marker k: U+E000 + k / 2048, U+E800 +
 * k % 2048; never used when the part holds a byte 0xEE or a numeric
 * character reference that could make such a character. */
enum { PIECE_MIN = 7, PIECE_MAX_N = 1u << 22 };

/* length of the character at s[i] (< b) if it reaches the tree as it is:
 * no '&' (a character reference), no NUL or other character gumbo
 * replaces (controls, noncharacters, invalid UTF-8); else 0 */
static int ascii_plain(unsigned c)
{
    return (c >= 0x20 && c != 0x7F && c != '&' && c != '<') || html_space((int)c);
}

static size_t plain_len(const char *s, size_t i, size_t b)
{
    unsigned c = (unsigned char)s[i];
    if (c < 0x80)
        return ascii_plain(c) ? 1 : 0;
    size_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 9;
    if (need > 3 || c > 0xF4 || i + need >= b)
        return 0;
    unsigned long cp = c & (0x3F >> need);
    for (size_t k = 1; k <= need; k++) {
        unsigned d = (unsigned char)s[i + k];
        if ((d & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (d & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F) ||
        (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
        return 0;
    return need + 1;
}

/* 1 if markers may be used in s: no byte 0xEE (the lead byte of every
 * marker character) and no numeric character reference to U+E000..U+EFFF */
static int pieces_ok(const char *s, size_t n)
{
    if (memchr(s, 0xEE, n))
        return 0;
    for (const char *p = s, *end = s + n; (p = memchr(p, '&', (size_t)(end - p))) != NULL;) {
        p++;
        if (p >= end || *p != '#')
            continue;
        p++;
        int hex = p < end && (*p == 'x' || *p == 'X');
        p += hex;
        unsigned long v = 0;
        for (; p < end; p++) {
            int d = *p >= '0' && *p <= '9' ? *p - '0'
                    : hex && ascii_lower((unsigned char)*p) >= 'a' && ascii_lower((unsigned char)*p) <= 'f'
                        ? ascii_lower((unsigned char)*p) - 'a' + 10
                        : -1;
            if (d < 0)
                break;
            v = v * (hex ? 16 : 10) + (unsigned long)d;
            if (v > 0x10FFFF)
                v = 0x110000; /* saturate */
        }
        if (v >= 0xE000 && v <= 0xEFFF)
            return 0;
    }
    return 1;
}

/* adds the piece s[a..b) to pc (with squeeze_ws each run of whitespace as
 * its first character, a CR as gumbo reads it, LF); its index, or -1 */
static long piece_add(html_pieces *pc, const char *s, size_t a, size_t b, size_t n, int squeeze_ws)
{
    if (pc->n >= PIECE_MAX_N)
        return -1;
    if (pc->text_cap < n) { /* room for the whole part, once per parse */
        char *t = realloc(pc->text, n);
        if (!t)
            return -1;
        pc->text = t;
        pc->text_cap = n;
    }
    if (pc->n == pc->cap) {
        size_t cap = pc->cap ? 2 * pc->cap : 64;
        unsigned *e = realloc(pc->end, cap * sizeof *e);
        if (!e)
            return -1;
        pc->end = e;
        pc->cap = cap;
    }
    char *o = pc->text + pc->len;
    if (!squeeze_ws) { /* an attribute value: no CR in it */
        memcpy(o, s + a, b - a);
        o += b - a;
    }
    for (size_t k = a; squeeze_ws && k < b; k++) {
        char c = s[k];
        if (squeeze_ws && html_space((unsigned char)c)) {
            *o++ = c == '\r' ? '\n' : c;
            while (k + 1 < b && html_space((unsigned char)s[k + 1]))
                k++;
            continue;
        }
        *o++ = c;
    }
    pc->len = (size_t)(o - pc->text);
    pc->end[pc->n] = (unsigned)pc->len;
    return (long)pc->n++;
}

/* writes marker k to the output */
static void put_marker(emit *e, long k)
{
    unsigned hi = 0xE000 + ((unsigned)k >> 11), lo = 0xE800 + ((unsigned)k & 0x7FF);
    char *o = e->out + e->o;
    o[0] = (char)0xEE;
    o[1] = (char)(0x80 | ((hi >> 6) & 0x3F));
    o[2] = (char)(0x80 | (hi & 0x3F));
    o[3] = (char)0xEE;
    o[4] = (char)(0x80 | ((lo >> 6) & 0x3F));
    o[5] = (char)(0x80 | (lo & 0x3F));
    e->o += 6;
}

/* An attribute value s[a..b): its runs of PIECE_MIN bytes or more of
 * characters that reach the tree as they are made markers. A run stops at
 * a character reference, CR or a character gumbo replaces; the next starts
 * after a reference's name or number and the character after it (which
 * decides whether a name without ';' is decoded), after a CR the LF gumbo
 * reads with it, after the byte otherwise (never inside a character). Only
 * on elements whose attribute values the tree builder never compares (see
 * tag_end), so equal values need not share a piece. */
static size_t value_plain(const char *s, size_t k, size_t b)
{
    unsigned c = (unsigned char)s[k];
    return c < 0x80 ? (c != '\r' && ascii_plain(c)) : plain_len(s, k, b);
}

static void value_pieces(emit *e, html_pieces *pc, const char *s, size_t a, size_t b, size_t n)
{
    size_t k = a, run = a;
    for (;;) {
        size_t w = k < b ? value_plain(s, k, b) : 0;
        if (w) {
            k += w;
            continue;
        }
        long idx;
        if (k - run >= PIECE_MIN && (idx = piece_add(pc, s, run, k, n, 0)) >= 0) {
            cut(e, s, run, k, 0);
            put_marker(e, idx);
        }
        if (k >= b)
            break;
        if (s[k] == '&') {
            k++;
            while (k < b && (ascii_alnum((unsigned char)s[k]) || s[k] == '#' || s[k] == ';'))
                k++;
            if (k < b && (w = value_plain(s, k, b)) != 0)
                k += w; /* what follows a name decides whether it is decoded */
        } else if (s[k] == '\r') {
            k++;
            if (k < b && s[k] == '\n')
                k++; /* gumbo reads CR LF as one LF */
        } else {
            k++; /* a byte of a character gumbo replaces */
        }
        run = k;
    }
}

/* text in the data state, s[a..b): squeezed (see squeeze), its pieces of
 * PIECE_MIN bytes or more (squeezed) made markers when pc is set */
static void data_text(emit *e, const char *s, size_t a, size_t b, size_t n, int keep_first,
                      html_pieces *pc)
{
    if (!pc) {
        squeeze(e, s, a, b, keep_first);
        return;
    }
    size_t k = a, done = a;
    while (k < b) {
        unsigned char c = (unsigned char)s[k];
        if (c == '&') { /* what a character reference may read stays as it is */
            k++;
            while (k < b && (ascii_alnum((unsigned char)s[k]) || s[k] == '#' || s[k] == ';'))
                k++;
            continue;
        }
        size_t w = plain_len(s, k, b);
        if (!w || html_space(c)) {
            k += w ? w : 1;
            continue;
        }
        /* a piece from k: plain characters up to the last non-whitespace
         * one; sq counts its bytes squeezed */
        size_t p = k + w, last = p, sq = w, sq_last = w;
        int in_ws = 0;
        while (p < b) {
            unsigned d = (unsigned char)s[p];
            if (d < 0x80) {
                if (!ascii_plain(d))
                    break;
                p++;
                if (html_space((int)d)) {
                    sq += !in_ws;
                    in_ws = 1;
                    continue;
                }
                w = 1;
            } else if ((w = plain_len(s, p, b)) == 0) {
                break;
            } else {
                p += w;
            }
            sq += w;
            in_ws = 0;
            last = p;
            sq_last = sq;
        }
        long idx;
        if (sq_last >= PIECE_MIN && (idx = piece_add(pc, s, k, last, n, 1)) >= 0) {
            squeeze(e, s, done, k, keep_first && done == a);
            cut(e, s, k, last, 0);
            put_marker(e, idx);
            done = last;
        }
        k = last;
    }
    squeeze(e, s, done, b, keep_first && done == a);
}

/* attributes some stage reads (src/links/scan_html.c), or that the tree
 * builder looks at (input type=hidden in tables and frameset-ok) */
static int attr_read(const char *s, size_t n)
{
    /* by length, then the name itself */
    static const char *const keep[11][3] = {
        [3] = {"alt", "src"},
        [4] = {"href", "type"},
        [6] = {"action", "srcset"},
        [7] = {"onclick", "content", "charset"},
        [10] = {"formaction", "background", "http-equiv"},
    };
    if (n >= 11)
        return 0;
    int c = ascii_lower((unsigned char)s[0]);
    for (size_t k = 0; k < 3 && keep[n][k]; k++)
        if (keep[n][k][0] == c && word_at(s, n, 1, keep[n][k] + 1))
            return 1;
    return 0;
}

/* What a start tag's (lower-case) name means to the scan. KEEP: it keeps
 * every attribute - the formatting elements, whose attributes the tree
 * builder compares (the "Noah's Ark" clause of the list of active formatting
 * elements), and those whose attributes it merges or reads (html, body,
 * input) or kensa sniffs (meta). Not <a>: at most one <a> is ever in that
 * list after its last marker (an <a> start tag first takes the old one out,
 * and closing a cell or the like clears the list to its marker), so its
 * attributes are never compared. BAIL: the scan gives up (see the top).
 * RAW: raw text follows, up to its end tag. */
enum { T_PLAIN, T_KEEP, T_BAIL, T_RAW };
static const struct {
    const char *name;
    unsigned char len, kind;
} tags[] = {
    {"b", 1, T_KEEP},        {"big", 3, T_KEEP},
    {"code", 4, T_KEEP},      {"em", 2, T_KEEP},       {"font", 4, T_KEEP},
    {"i", 1, T_KEEP},         {"nobr", 4, T_KEEP},     {"s", 1, T_KEEP},
    {"small", 5, T_KEEP},     {"strike", 6, T_KEEP},   {"strong", 6, T_KEEP},
    {"tt", 2, T_KEEP},        {"u", 1, T_KEEP},        {"html", 4, T_KEEP},
    {"body", 4, T_KEEP},      {"input", 5, T_KEEP},    {"meta", 4, T_KEEP},
    {"svg", 3, T_BAIL},       {"math", 4, T_BAIL},     {"select", 6, T_BAIL},
    {"frameset", 8, T_BAIL},  {"noscript", 8, T_BAIL}, {"plaintext", 9, T_BAIL},
    {"isindex", 7, T_BAIL},   {"script", 6, T_RAW},    {"style", 5, T_RAW},
    {"xmp", 3, T_RAW},        {"iframe", 6, T_RAW},    {"noembed", 7, T_RAW},
    {"noframes", 8, T_RAW},   {"textarea", 8, T_RAW},  {"title", 5, T_RAW},
};

/* the entry for name (NULL: a plain element); its length and first byte
 * are compared before the rest */
static const char *tag_entry(const char *name, int *kind)
{
    size_t l = strlen(name);
    /* by length, the first letters of the names in tags[] (keep in step) */
    static const uint32_t first[10] = {0x0, 0x140102, 0x80010, 0x840002, 0x30a6, 0xc0100, 0x40100, 0x2100, 0x82020, 0x8000};
    unsigned f = (unsigned)name[0] - 'a';
    if (l > 9 || f > 25 || !(first[l] >> f & 1)) {
        *kind = T_PLAIN;
        return NULL;
    }
    for (size_t k = 0; k < sizeof tags / sizeof *tags; k++)
        if (tags[k].len == l && tags[k].name[0] == name[0] && memcmp(tags[k].name, name, l) == 0) {
            *kind = tags[k].kind;
            return tags[k].name;
        }
    *kind = T_PLAIN;
    return NULL;
}

/* a T_KEEP tag that is not a formatting element */
static int tag_merged(const char *name)
{
    return strcmp(name, "html") == 0 || strcmp(name, "body") == 0 || strcmp(name, "input") == 0 ||
           strcmp(name, "meta") == 0;
}

static int keeps_all(const char *tag)
{
    int kind;
    tag_entry(tag, &kind);
    return kind == T_KEEP;
}

int html_prescan_keeps_attr(const char *tag, const char *name)
{
    return keeps_all(tag) || attr_read(name, strlen(name));
}

/* how tag_end treats a start tag's attributes */
enum { A_NONE, A_FMT, A_SQUEEZE, A_CUT, A_IMG };

/* the end of a tag (just past its '>') whose name ends at i, attribute
 * values quoted or not as the HTML5 tokenizer reads them; 0 if it does not
 * end. With e: A_FMT makes each run of whitespace between attributes one
 * character; A_SQUEEZE too, and with pc makes long values markers (pieces
 * like text's, put back after the parse) but for "type" (input
 * type=hidden); A_CUT also cuts the attributes no stage reads (see
 * attr_read); A_IMG (an <img>) also cuts a src="data:..." value after its
 * "data:", all the links stage looks at. A_FMT is for the formatting
 * elements (T_KEEP but html, body, input, meta): the tree builder compares
 * their attributes (the "Noah's Ark" clause), and a value with a character
 * reference could equal one made markers. */
static size_t tag_end(const char *s, size_t n, size_t i, emit *e, int mode, html_pieces *pc)
{
    while (i < n) {
        int c = (unsigned char)s[i];
        if (c == '>')
            return i + 1;
        if (c == '/') {
            i++;
            continue;
        }
        if (html_space(c)) {
            size_t r = i + 1;
            while (r < n && html_space((unsigned char)s[r]))
                r++;
            if (mode != A_NONE && e->copied <= i) {
                /* after a cut attribute's separator, none is needed */
                if (e->copied == i && e->o && html_space((unsigned char)e->out[e->o - 1]))
                    cut(e, s, i, r, 0);
                else if (r > i + 1)
                    cut(e, s, i + 1, r, 0);
            }
            i = r;
            continue;
        }
        /* attribute name: up to whitespace, '/', '>' or '=' (a leading '=' is part of it) */
        size_t a0 = i;
        i++;
        while (i < n && !html_space((unsigned char)s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=')
            i++;
        size_t a1 = i, v1 = i; /* name end, value end */
        while (i < n && html_space((unsigned char)s[i]))
            i++;
        if (i < n && s[i] == '=') {
            i++;
            while (i < n && html_space((unsigned char)s[i]))
                i++;
            size_t v0 = i, ve; /* the value, and its end before a closing quote */
            if (i < n && (s[i] == '"' || s[i] == '\'')) {
                const char *q = memchr(s + i + 1, s[i], n - i - 1);
                if (!q)
                    return 0;
                v0 = i + 1;
                ve = (size_t)(q - s);
                i = ve + 1;
                /* after a quoted value only whitespace, '/' or '>' follow
                 * in the plain path; anything else starts a new attribute
                 * (a parse error the loop handles the same way) */
            } else {
                while (i < n && !html_space((unsigned char)s[i]) && s[i] != '>')
                    i++;
                ve = i;
            }
            v1 = i;
            if (mode == A_IMG && a1 - a0 == 3 && word_at(s, n, a0, "src") && ve > v0 + 5 &&
                word_at(s, n, v0, "data:"))
                cut(e, s, v0 + 5, ve, 0);
            else if (pc && mode > A_FMT && ve - v0 >= PIECE_MIN &&
                     !(a1 - a0 == 4 && word_at(s, n, a0, "type")) &&
                     (mode < A_CUT || attr_read(s + a0, a1 - a0)))
                value_pieces(e, pc, s, v0, ve, n); /* "type" stays: input type=hidden */
        }
        if (mode >= A_CUT && !attr_read(s + a0, a1 - a0))
            cut(e, s, a0, v1, 1);
    }
    return 0;
}

size_t html_comment_close(const char *s, size_t n, size_t j, size_t *text_end)
{
    *text_end = j;
    if (j < n && s[j] == '>') /* "<!-->" */
        return j + 1;
    if (j + 1 < n && s[j] == '-' && s[j + 1] == '>') /* "<!--->" */
        return j + 2;
    for (size_t k = j; k + 2 < n; k++)
        if (s[k] == '-' && s[k + 1] == '-' &&
            (s[k + 2] == '>' || (k + 3 < n && s[k + 2] == '!' && s[k + 3] == '>'))) {
            *text_end = k;
            return k + (s[k + 2] == '>' ? 3 : 4);
        }
    return 0;
}

static size_t prescan(const char *s, size_t n, char *out, html_pieces *pc)
{
    html_pieces *text_pc = pc; /* text as markers; attribute values with pc */
    size_t i = 0;
    emit e = {out, 0, 0};
    int keep_first = 0; /* just after <pre> or <listing> */
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        size_t te0 = lt ? (size_t)(lt - s) : n;
        data_text(&e, s, i, te0, n, keep_first, text_pc);
        /* the first token after <pre> decides; "</>" makes none */
        int kf = keep_first && te0 == i;
        keep_first = 0;
        if (!lt)
            break;
        i = te0;
        if (i + 1 >= n)
            break;
        int c = (unsigned char)s[i + 1];
        if (c == '!') {
            if (word_at(s, n, i + 2, "--")) {
                size_t j = i + 4, k;
                size_t end = html_comment_close(s, n, j, &k);
                if (!end)
                    return 0;
                /* no stage reads a comment's text: "<!--" + its end */
                if (k > j)
                    cut(&e, s, j, k, 0);
                i = end;
                continue;
            }
            if (word_at(s, n, i + 2, "[cdata["))
                return 0;
            /* doctype or bogus comment: to the next '>' */
            const char *gt = memchr(s + i + 2, '>', n - i - 2);
            if (!gt)
                return 0;
            i = (size_t)(gt - s) + 1;
            continue;
        }
        if (c == '?') {
            const char *gt = memchr(s + i + 2, '>', n - i - 2);
            if (!gt)
                return 0;
            i = (size_t)(gt - s) + 1;
            continue;
        }
        int end_tag = c == '/';
        size_t nm = i + 1 + (size_t)end_tag;
        if (nm >= n || !ascii_alpha((unsigned char)s[nm])) {
            if (end_tag && nm < n && s[nm] == '>') { /* "</>" is dropped */
                keep_first = kf;
                i = nm + 1;
                continue;
            }
            if (end_tag) { /* "</" + other: bogus comment to '>' */
                const char *gt = memchr(s + nm, '>', n - nm);
                if (!gt)
                    return 0;
                i = (size_t)(gt - s) + 1;
                continue;
            }
            i++; /* '<' as text */
            continue;
        }
        /* tag name: up to whitespace, '/' or '>' */
        char name[12];
        size_t k = 0, j = nm;
        while (j < n && !html_space((unsigned char)s[j]) && s[j] != '/' && s[j] != '>') {
            if (k < sizeof name - 1)
                name[k] = (char)ascii_lower((unsigned char)s[j]);
            k++;
            j++;
        }
        if (k >= sizeof name)
            k = sizeof name - 1, name[0] = '\0'; /* too long to matter */
        name[k] = '\0';
        int kind = T_PLAIN;
        const char *tname = end_tag ? NULL : tag_entry(name, &kind);
        if (kind == T_BAIL)
            return 0; /* isindex: the tree builder turns its attributes into elements and text */
        int mode = end_tag                                             ? A_NONE
                   : kind == T_KEEP && !tag_merged(name) ? A_FMT
                   : kind == T_KEEP                                          ? A_SQUEEZE
                   : strcmp(name, "img") == 0 ? A_IMG
                                              : A_CUT;
        size_t te = tag_end(s, n, j, &e, mode, pc);
        if (!te)
            return 0;
        i = te;
        if (end_tag)
            continue;
        if (strcmp(name, "template") == 0)
            text_pc = NULL; /* in template contents a character may be dropped alone */
        if (strcmp(name, "pre") == 0 || strcmp(name, "listing") == 0)
            keep_first = 1;
        const char *rawname = kind == T_RAW ? tname : NULL;
        if (!rawname)
            continue;
        size_t re = raw_end(s, n, te, rawname);
        if (rawname[1] == 'c' && rawname[0] == 's') { /* script data */
            for (size_t q = te; q + 3 < re; q++)
                if (s[q] == '<' && s[q + 1] == '!' && s[q + 2] == '-' && s[q + 3] == '-')
                    return 0;
        }
        /* style, script, title: hidden, their text goes; the others' is
         * visible text (squeezed; a first newline in <textarea> is dropped) */
        if (rawname[0] == 's' || strcmp(rawname, "title") == 0) {
            if (re > te)
                cut(&e, s, te, re, 0);
        } else {
            squeeze(&e, s, te, re, strcmp(rawname, "textarea") == 0);
        }
        i = re;
    }
    if (e.copied == 0)
        return 0;
    memcpy(out + e.o, s + e.copied, n - e.copied);
    return e.o + (n - e.copied);
}

size_t html_strip_style(const char *s, size_t n, char *out)
{
    return prescan(s, n, out, NULL);
}

size_t html_prescan(const char *s, size_t n, char *out, html_pieces *pc)
{
    if (pc) {
        pc->n = pc->len = 0;
        if (n >= (size_t)1 << 31 || !pieces_ok(s, n)) /* offsets are unsigned */
            pc = NULL;
    }
    size_t r = prescan(s, n, out, pc);
    if (!r && pc)
        pc->n = pc->len = 0;
    return r;
}

void html_pieces_free(html_pieces *pc)
{
    free(pc->text);
    free(pc->end);
    memset(pc, 0, sizeof *pc);
}

/* marker character at t (3 bytes, lead 0xEE) in [lo, hi], or -1 */
static long marker_cp(const unsigned char *t, unsigned lo, unsigned hi)
{
    if (t[0] != 0xEE || (t[1] & 0xC0) != 0x80 || (t[2] & 0xC0) != 0x80)
        return -1;
    unsigned cp = 0xE000 | ((t[1] & 0x3Fu) << 6) | (t[2] & 0x3Fu);
    return cp >= lo && cp <= hi ? (long)cp : -1;
}

/* the piece whose marker starts at t (6 bytes available), or -1 */
static long marker_at(const html_pieces *pc, const unsigned char *t)
{
    long h = marker_cp(t, 0xE000, 0xE7FF), l = h < 0 ? -1 : marker_cp(t + 3, 0xE800, 0xEFFF);
    if (l < 0)
        return -1;
    size_t k = ((size_t)(h - 0xE000) << 11) | (size_t)(l - 0xE800);
    return k < pc->n ? (long)k : -1;
}

/* t with its markers replaced by their pieces' text, from alloc; t itself
 * when it has none; NULL when out of memory */
static const char *expand_str(const char *t0, const html_pieces *pc, void *(*alloc)(void *, size_t),
                              void *ud)
{
    const unsigned char *t = (const unsigned char *)t0;
    size_t tl = strlen(t0);
    if (!memchr(t, 0xEE, tl))
        return t0;
    size_t len = 0;
    for (size_t i = 0; i < tl;) {
        long k = i + 6 <= tl ? marker_at(pc, t + i) : -1;
        if (k < 0) {
            len++, i++;
            continue;
        }
        len += pc->end[k] - (k ? pc->end[k - 1] : 0);
        i += 6;
    }
    char *o = alloc(ud, len + 1), *w = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < tl;) {
        long k = i + 6 <= tl ? marker_at(pc, t + i) : -1;
        if (k < 0) {
            *w++ = (char)t[i++];
            continue;
        }
        size_t a = k ? pc->end[k - 1] : 0;
        memcpy(w, pc->text + a, pc->end[k] - a);
        w += pc->end[k] - a;
        i += 6;
    }
    *w = '\0';
    return o;
}

int html_pieces_expand(void *output, const html_pieces *pc, void *(*alloc)(void *, size_t),
                       void (*dealloc)(void *, void *), void *ud)
{
    if (!pc || !pc->n)
        return 0;
    GumboOutput *g = output;
    size_t cap = 256, top = 0;
    GumboNode **st = malloc(cap * sizeof *st);
    if (!st)
        return -1;
    st[top++] = g->document;
    int rc = 0;
    while (top && rc == 0) {
        GumboNode *nd = st[--top];
        if (nd->type == GUMBO_NODE_TEXT) {
            const char *t = expand_str(nd->v.text.text, pc, alloc, ud);
            if (!t)
                rc = -1;
            else if (t != nd->v.text.text) {
                dealloc(ud, (void *)nd->v.text.text);
                nd->v.text.text = t;
            }
            continue;
        }
        if (nd->type == GUMBO_NODE_ELEMENT || nd->type == GUMBO_NODE_TEMPLATE) {
            const GumboVector *at = &nd->v.element.attributes;
            for (size_t i = 0; i < at->length && rc == 0; i++) {
                GumboAttribute *a = at->data[i];
                const char *v = expand_str(a->value, pc, alloc, ud);
                if (!v)
                    rc = -1;
                else if (v != a->value) {
                    dealloc(ud, (void *)a->value);
                    a->value = v;
                }
            }
        }
        GumboVector *kids = nd->type == GUMBO_NODE_DOCUMENT ? &nd->v.document.children
                            : nd->type == GUMBO_NODE_ELEMENT || nd->type == GUMBO_NODE_TEMPLATE
                                ? &nd->v.element.children
                                : NULL;
        if (!kids)
            continue;
        if (top + kids->length > cap) {
            size_t nc = cap;
            while (top + kids->length > nc)
                nc *= 2;
            GumboNode **ns = realloc(st, nc * sizeof *ns);
            if (!ns) {
                rc = -1;
                break;
            }
            st = ns;
            cap = nc;
        }
        for (size_t i = 0; i < kids->length; i++)
            st[top++] = kids->data[i];
    }
    free(st);
    return rc;
}
