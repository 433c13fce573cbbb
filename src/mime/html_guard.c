/*
 * html_guard.c - bound the element nesting an HTML part can make gumbo
 * build. Written by hand: gumbo 0.10 has no depth limit, and its tree
 * builder walks the stack of open elements for most tags (scope checks,
 * "any other end tag", the active formatting elements), so a part of
 * 200,000 nested <div> (1.4 MB) took 118 s of CPU and 200,000 nested <b>
 * 5.5 s. The guard is a conservative model of that stack:
 *
 * - every start tag pushes, except void elements (they never stay open)
 *   and <a> (a new <a> closes the open one); a p, li, dd, dt, option, td, th
 *   or tr first pops the open element it closes when only elements the tree
 *   builder closes with it lie above that one (see closes_open());
 * - an end tag pops only when it names the element on top of the model's
 *   stack (the tree builder pops at least that element then);
 * - comments, bogus comments and quoted attribute values are skipped as the
 *   HTML tokenizer skips them; everything else is read as markup, also the
 *   text of <script>, <style>, <title> and <textarea> (more start tags than
 *   the tokenizer sees: the model's depth is never smaller than the tree's).
 *
 * Real mail stays below HTML_MAX_DEPTH (the corpus's deepest part needs 593
 * by this model), and then nothing changes. Past it, the start tags that would go
 * deeper are left out of the copy gumbo parses (their text stays; <a> is
 * never left out), so the work stays linear in the part's size.
 */
#include "html_guard.h"
#include "html_prescan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../util/ascii.h"

/* what the model needs to know of a tag name */
enum {
    C_VOID = 1 << 0,     /* never stays open */
    C_A = 1 << 1,        /* a new <a> closes the open one */
    C_P = 1 << 2,        /* closes an open p */
    C_LI = 1 << 3,       /* closes an open li */
    C_DD = 1 << 4,       /* dd, dt: close an open dd or dt */
    C_CELL = 1 << 5,     /* td, th: close an open cell */
    C_TR = 1 << 6,       /* closes an open row */
    C_OPTION = 1 << 7,   /* closes an option on top */
    C_IMPLIED = 1 << 8,  /* popped by "generate implied end tags" */
    C_PHRASING = 1 << 9, /* neither special nor a scope boundary */
    C_LIABOVE = 1 << 10, /* p, div, address: passed over by li, dd, dt */
};

static const struct {
    char name[9];
    unsigned char len;
    unsigned short cls;
} tags[] = {
    {"a", 1, C_A},
    {"p", 1, C_P | C_IMPLIED | C_LIABOVE},
    {"b", 1, C_PHRASING},
    {"i", 1, C_PHRASING},
    {"u", 1, C_PHRASING},
    {"s", 1, C_PHRASING},
    {"br", 2, C_VOID},
    {"hr", 2, C_VOID},
    {"li", 2, C_LI | C_IMPLIED},
    {"dd", 2, C_DD | C_IMPLIED},
    {"dt", 2, C_DD | C_IMPLIED},
    {"td", 2, C_CELL},
    {"th", 2, C_CELL},
    {"tr", 2, C_TR},
    {"rb", 2, C_IMPLIED},
    {"rp", 2, C_IMPLIED},
    {"rt", 2, C_IMPLIED},
    {"em", 2, C_PHRASING},
    {"tt", 2, C_PHRASING},
    {"col", 3, C_VOID},
    {"img", 3, C_VOID},
    {"wbr", 3, C_VOID},
    {"rtc", 3, C_IMPLIED},
    {"div", 3, C_LIABOVE},
    {"big", 3, C_PHRASING},
    {"sub", 3, C_PHRASING},
    {"sup", 3, C_PHRASING},
    {"area", 4, C_VOID},
    {"base", 4, C_VOID},
    {"link", 4, C_VOID},
    {"meta", 4, C_VOID},
    {"span", 4, C_PHRASING},
    {"font", 4, C_PHRASING},
    {"code", 4, C_PHRASING},
    {"nobr", 4, C_PHRASING},
    {"embed", 5, C_VOID},
    {"frame", 5, C_VOID},
    {"image", 5, C_VOID},
    {"input", 5, C_VOID},
    {"param", 5, C_VOID},
    {"track", 5, C_VOID},
    {"small", 5, C_PHRASING},
    {"label", 5, C_PHRASING},
    {"keygen", 6, C_VOID},
    {"source", 6, C_VOID},
    {"option", 6, C_OPTION | C_IMPLIED},
    {"strong", 6, C_PHRASING},
    {"strike", 6, C_PHRASING},
    {"bgsound", 7, C_VOID},
    {"address", 7, C_LIABOVE},
    {"basefont", 8, C_VOID},
    {"optgroup", 8, C_IMPLIED},
};

typedef struct {
    const char *name;
    size_t len;
    unsigned cls;
} open_el;

/* a and b (len bytes each) equal with ASCII letters folded, as the
 * tokenizer lowers tag names */
static int same_name(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

enum { NTAGS = sizeof tags / sizeof tags[0] };

/* tags[] is sorted by length: the entries of length l are
 * [by_len[l], by_len[l + 1]) */
static unsigned char by_len[10];
static pthread_once_t by_len_once = PTHREAD_ONCE_INIT;

static void by_len_init(void)
{
    for (size_t l = 0, k = 0; l < 10; l++) {
        while (k < NTAGS && tags[k].len < l)
            k++;
        by_len[l] = (unsigned char)k;
    }
}

static unsigned tag_class(const char *name, size_t len)
{
    if (len == 0 || len > 8)
        return 0;
    char b[8];
    for (size_t i = 0; i < len; i++)
        b[i] = (char)ascii_lower((unsigned char)name[i]);
    for (size_t k = by_len[len]; k < by_len[len + 1]; k++)
        if (tags[k].name[0] == b[0] && memcmp(tags[k].name, b, len) == 0)
            return tags[k].cls;
    return 0;
}

/* For a start tag of class cls: the depth its open counterpart is popped
 * to (that element's index), or (size_t)-1. The tree builder closes an open
 * p for a new p (through implied-end and phrasing elements), li for li and
 * dd/dt for dd/dt (through p, div, address), a cell for a cell (through
 * implied-end elements) and a row for a row (through those and cells), and
 * an option on top for an option. Only the top 8 entries are looked at. */
static size_t closes_open(const open_el *st, size_t depth, unsigned cls)
{
    unsigned match, above;
    if (cls & C_P)
        match = C_P, above = C_IMPLIED | C_PHRASING;
    else if (cls & C_LI)
        match = C_LI, above = C_LIABOVE;
    else if (cls & C_DD)
        match = C_DD, above = C_LIABOVE;
    else if (cls & C_CELL)
        match = C_CELL, above = C_IMPLIED;
    else if (cls & C_TR)
        match = C_TR, above = C_IMPLIED | C_CELL;
    else if (cls & C_OPTION)
        return depth && (st[depth - 1].cls & C_OPTION) ? depth - 1 : (size_t)-1;
    else
        return (size_t)-1;
    for (size_t k = depth, seen = 0; k > 0 && seen < 8; k--, seen++) {
        unsigned c = st[k - 1].cls;
        if (c & match)
            return k - 1;
        if (!(c & above))
            break;
    }
    return (size_t)-1;
}

/* Just past the '>' of a tag whose name ends at j (the tokenizer's rules for
 * attribute values: a quote right after '=' and spaces runs to the same
 * quote; elsewhere a quote is an ordinary byte), or n. Jumps from '=' to
 * '=' with memchr: attribute bytes are most of a tag's. */
static size_t tag_close(const char *s, size_t n, size_t j)
{
    while (j < n) {
        const char *gt = memchr(s + j, '>', n - j);
        size_t g = gt ? (size_t)(gt - s) : n;
        const char *eq = memchr(s + j, '=', g - j);
        if (!eq)
            return gt ? g + 1 : n;
        j = (size_t)(eq - s) + 1;
        while (j < n && html_space((unsigned char)s[j]))
            j++;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            const char *q = memchr(s + j + 1, s[j], n - j - 1);
            j = q ? (size_t)(q - s) + 1 : n;
        }
    }
    return n;
}

/* After "<!" or "<?" or "</" + non-letter at i: just past the comment
 * (html_comment_close's rules for "<!--"; others end at the next '>'). */
static size_t comment_end(const char *s, size_t n, size_t i)
{
    if (i + 3 < n && s[i + 1] == '!' && s[i + 2] == '-' && s[i + 3] == '-') {
        size_t text_end, end = html_comment_close(s, n, i + 4, &text_end);
        return end ? end : n;
    }
    const char *gt = memchr(s + i + 1, '>', n - i - 1);
    return gt ? (size_t)(gt - s) + 1 : n;
}

/* The model over s. out NULL: 1 as soon as the depth would pass max, else
 * 0. out non-NULL: writes s without the start tags past max, returns its
 * length. st has room for max entries. */
static size_t model(const char *s, size_t n, size_t max, open_el *st, char *out)
{
    size_t depth = 0, o = 0, copied = 0;
    for (size_t i = 0; i < n;) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt)
            break;
        i = (size_t)(lt - s);
        if (i + 1 >= n)
            break;
        unsigned char c = (unsigned char)s[i + 1];
        int end = c == '/';
        size_t nm = i + 1 + (size_t)end;
        if (c == '!' || c == '?' || (end && (nm >= n || !ascii_alpha((unsigned char)s[nm])))) {
            i = end && nm < n && s[nm] == '>' ? nm + 1 : comment_end(s, n, i);
            continue;
        }
        if (!end && !ascii_alpha(c)) {
            i++; /* '<' as text */
            continue;
        }
        size_t j = nm;
        while (j < n && !html_space((unsigned char)s[j]) && s[j] != '/' && s[j] != '>')
            j++;
        const char *name = s + nm;
        size_t len = j - nm;
        unsigned cls;
        size_t te = tag_close(s, n, j);
        if (end) {
            if (depth && st[depth - 1].len == len && same_name(st[depth - 1].name, name, len))
                depth--;
        } else if (!((cls = tag_class(name, len)) & (C_VOID | C_A))) {
            size_t to = closes_open(st, depth, cls);
            if (to != (size_t)-1)
                depth = to;
            if (depth == max) {
                if (!out)
                    return 1;
                /* left out of the copy: too deep */
                memcpy(out + o, s + copied, i - copied);
                o += i - copied;
                copied = te;
            } else {
                st[depth].name = name;
                st[depth].len = len;
                st[depth].cls = cls;
                depth++;
            }
        }
        i = te;
    }
    if (!out)
        return 0;
    memcpy(out + o, s + copied, n - copied);
    return o + (n - copied);
}

/* the model's stack for the usual bound: no allocation per part */
static __thread open_el stack_tls[HTML_MAX_DEPTH];

char *html_depth_guard(const char *s, size_t n, size_t max, size_t *out_len)
{
    if (max == 0 || n == 0)
        return NULL;
    pthread_once(&by_len_once, by_len_init);
    open_el *st = max <= HTML_MAX_DEPTH ? stack_tls : malloc(max * sizeof *st);
    if (!st)
        return NULL;
    char *out = NULL;
    if (model(s, n, max, st, NULL)) {
        out = malloc(n);
        if (out)
            *out_len = model(s, n, max, st, out);
    }
    if (st != stack_tls)
        free(st);
    return out;
}
