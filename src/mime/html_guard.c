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

#include <stdlib.h>
#include <string.h>

#include "../util/ascii.h"

typedef struct {
    const char *name;
    size_t len;
} open_el;

static unsigned char lc(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

/* a and b (len bytes each) equal with ASCII letters folded, as the
 * tokenizer lowers tag names */
static int same_name(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
            return 0;
    return 1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* name (len bytes of s, any case) is one of the NULL-ended lower-case list */
static int name_in(const char *s, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == len && same_name(s, *list, len))
            return 1;
    return 0;
}

static const char *const void_names[] = {
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image",
    "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr", NULL};
/* elements "generate implied end tags" pops */
static const char *const implied_names[] = {"dd", "dt", "li", "optgroup", "option", "p", "rb",
                                            "rp", "rt", "rtc", NULL};
/* phrasing elements that are neither special nor a scope boundary */
static const char *const phrasing_names[] = {"span", "b", "i", "u", "s", "em", "strong", "font",
                                             "small", "big", "code", "tt", "strike", "nobr",
                                             "label", "sub", "sup", NULL};
static const char *const li_above[] = {"p", "div", "address", NULL};
static const char *const cell_names[] = {"td", "th", NULL};
static const char *const dd_names[] = {"dd", "dt", NULL};
static const char *const li_names[] = {"li", NULL};
static const char *const p_names[] = {"p", NULL};
static const char *const tr_names[] = {"tr", NULL};

/* For a start tag name: the depth its open counterpart is popped to (the
 * index of that element), or (size_t)-1. The tree builder closes an open p
 * for a new p (through phrasing and implied-end elements), li for li and
 * dd/dt for dd/dt (through p, div, address), a cell for a cell and a row
 * for a row (through implied-end elements), an option on top for an option.
 * Only the top 8 entries are looked at. */
static size_t closes_open(const open_el *st, size_t depth, const char *name, size_t len)
{
    const char *const *match, *const *above, *const *above2 = NULL;
    if (len == 1 && lc((unsigned char)name[0]) == 'p') {
        match = p_names, above = implied_names, above2 = phrasing_names;
    } else if (name_in(name, len, li_names)) {
        match = li_names, above = li_above;
    } else if (name_in(name, len, dd_names)) {
        match = dd_names, above = li_above;
    } else if (name_in(name, len, cell_names)) {
        match = cell_names, above = implied_names;
    } else if (name_in(name, len, tr_names)) {
        match = tr_names, above = implied_names, above2 = cell_names;
    } else if (len == 6 && same_name(name, "option", 6)) {
        return depth && st[depth - 1].len == 6 && same_name(st[depth - 1].name, "option", 6)
                   ? depth - 1
                   : (size_t)-1;
    } else {
        return (size_t)-1;
    }
    for (size_t k = depth, seen = 0; k > 0 && seen < 8; k--, seen++) {
        const open_el *e = &st[k - 1];
        if (name_in(e->name, e->len, match))
            return k - 1;
        if (!name_in(e->name, e->len, above) && !(above2 && name_in(e->name, e->len, above2)))
            break;
    }
    return (size_t)-1;
}

/* Just past the '>' of a tag whose name ends at j (the tokenizer's rules for
 * attribute values: a quote right after '=' runs to the same quote), or n. */
static size_t tag_close(const char *s, size_t n, size_t j)
{
    while (j < n) {
        unsigned char c = (unsigned char)s[j];
        if (c == '>')
            return j + 1;
        if (c != '=') {
            j++;
            continue;
        }
        j++;
        while (j < n && is_space((unsigned char)s[j]))
            j++;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            const char *q = memchr(s + j + 1, s[j], n - j - 1);
            j = q ? (size_t)(q - s) + 1 : n;
        }
    }
    return n;
}

/* After "<!" or "<?" or "</" + non-letter at i: just past the comment. */
static size_t comment_end(const char *s, size_t n, size_t i)
{
    if (i + 3 < n && s[i + 1] == '!' && s[i + 2] == '-' && s[i + 3] == '-') {
        size_t j = i + 4;
        if (j < n && s[j] == '>') /* "<!-->" */
            return j + 1;
        if (j + 1 < n && s[j] == '-' && s[j + 1] == '>') /* "<!--->" */
            return j + 2;
        for (size_t k = j; k + 2 < n; k++)
            if (s[k] == '-' && s[k + 1] == '-') {
                if (s[k + 2] == '>')
                    return k + 3;
                if (k + 3 < n && s[k + 2] == '!' && s[k + 3] == '>')
                    return k + 4;
            }
        return n;
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
        while (j < n && !is_space((unsigned char)s[j]) && s[j] != '/' && s[j] != '>')
            j++;
        const char *name = s + nm;
        size_t len = j - nm;
        size_t te = tag_close(s, n, j);
        if (end) {
            if (depth && st[depth - 1].len == len && same_name(st[depth - 1].name, name, len))
                depth--;
        } else if (!name_in(name, len, void_names) && !(len == 1 && lc((unsigned char)name[0]) == 'a')) {
            size_t to = closes_open(st, depth, name, len);
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

char *html_depth_guard(const char *s, size_t n, size_t max, size_t *out_len)
{
    if (max == 0 || n == 0)
        return NULL;
    open_el *st = malloc(max * sizeof *st);
    if (!st)
        return NULL;
    char *out = NULL;
    if (model(s, n, max, st, NULL)) {
        out = malloc(n);
        if (out)
            *out_len = model(s, n, max, st, out);
    }
    free(st);
    return out;
}
