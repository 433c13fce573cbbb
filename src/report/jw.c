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

char *jw_finish(jw *w)
{
    if (w->err || w->depth != 0) {
        jw_free(w);
        return NULL;
    }
    char *s = w->b.p ? w->b.p : strdup("");
    w->b.p = NULL;
    jw_free(w);
    return s;
}

static void put(jw *w, const char *s, size_t n)
{
    if (!w->err && kbuf_add(&w->b, s, n) != KBUF_OK)
        w->err = 1;
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
static int word_plain(const char *s)
{
    uint64_t w = lanes_load(s);
    return (lanes_ge(w, 0x20) & lanes_ne(w, '"') & lanes_ne(w, '\\')) == LANES_ALL;
}

static void string(jw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    put(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        while (n - i >= 8 && word_plain(s + i))
            i += 8;
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, s + run, i - run);
        run = i + 1;
        char e[6] = {'\\', 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            e[1] = 'u';
            e[2] = e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            el = 6;
        }
        put(w, e, el);
    }
    put(w, s + run, n - run);
    put(w, "\"", 1);
}

void jw_key(jw *w, const char *key)
{
    if (w->depth == 0 || w->kind[w->depth - 1] != '{') {
        w->err = 1;
        return;
    }
    int comma = w->count[w->depth - 1]++ != 0;
    if (!w->pretty) { /* ,"key": in one piece when the key needs no escape */
        char t[72];
        size_t n = 0;
        t[n++] = ',';
        t[n++] = '"';
        for (const char *k = key; n < sizeof t - 2; k++) {
            unsigned char c = (unsigned char)*k;
            if (!c) {
                t[n++] = '"';
                t[n++] = ':';
                put(w, t + !comma, n - !comma);
                return;
            }
            if (c < 0x20 || c == '"' || c == '\\')
                break;
            t[n++] = (char)c;
        }
    }
    if (comma)
        put(w, ",", 1);
    indent(w, w->depth);
    string(w, key, strlen(key));
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
    string(w, s, n);
}

void jw_str_any(jw *w, const char *s)
{
    if (!s) {
        jw_null(w);
        return;
    }
    size_t n = strlen(s);
    if (charset_utf8_valid(s, n)) {
        jw_strn(w, s, n);
        return;
    }
    arena *t = arena_new(4 * n + 64);
    size_t ol = 0;
    char *c = t ? charset_utf8_sanitize(t, s, n, &ol) : NULL;
    if (c)
        jw_strn(w, c, ol);
    else
        jw_strn(w, "", 0);
    arena_free(t);
}
