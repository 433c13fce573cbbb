/*
 * span.h - a bounded view of header text (pointer + length, no NUL) and the
 * few ASCII, case-insensitive comparisons the trace-header parsers need
 * (received.c, authres.c). Inline so both parsers share one definition.
 */
#ifndef KENSA_ROUTE_SPAN_H
#define KENSA_ROUTE_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../util/lanes.h"

typedef struct {
    const char *p;
    size_t n;
} span;

static inline int span_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline int span_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline char span_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* w equals lit, ignoring ASCII case */
static inline int span_ieq(span w, const char *lit)
{
    size_t n = strlen(lit);
    if (w.n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (span_lower(w.p[i]) != span_lower(lit[i]))
            return 0;
    return 1;
}

/* w starts with lit, ignoring ASCII case */
static inline int span_iprefix(span w, const char *lit)
{
    size_t n = strlen(lit);
    if (w.n < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (span_lower(w.p[i]) != span_lower(lit[i]))
            return 0;
    return 1;
}

/* Case-insensitive substring search bounded by the span: the first
 * occurrence. Eight candidate starts at a time are passed over while none
 * holds the first letter in either case. */
static inline const char *span_ifind(span w, const char *lit)
{
    size_t n = strlen(lit);
    if (n == 0 || w.n < n)
        return NULL;
    unsigned char l0 = (unsigned char)span_lower(lit[0]);
    unsigned char u0 = l0 >= 'a' && l0 <= 'z' ? (unsigned char)(l0 - 'a' + 'A') : l0;
    size_t last = w.n - n; /* the last start */
    for (size_t i = 0; i <= last; i++) {
        while (last - i >= 8) { /* starts i..i+7: bytes inside the span */
            uint64_t x = lanes_load(w.p + i);
            if ((lanes_ne(x, l0) & lanes_ne(x, u0)) != LANES_ALL)
                break;
            i += 8;
        }
        if ((unsigned char)span_lower(w.p[i]) != l0)
            continue;
        size_t k = 1;
        while (k < n && span_lower(w.p[i + k]) == span_lower(lit[k]))
            k++;
        if (k == n)
            return w.p + i;
    }
    return NULL;
}

#endif
