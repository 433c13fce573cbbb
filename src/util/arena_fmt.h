/*
 * arena_fmt.h - arena_printf() with one formatting pass for short strings.
 *
 * arena_printf() formats twice (once to measure); the route and sender
 * facts are short, so they are formatted once into a stack buffer and
 * copied, and only longer results take the two passes. Same bytes.
 */
#ifndef KENSA_ARENA_FMT_H
#define KENSA_ARENA_FMT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"

static inline char *arena_fmt(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline char *arena_fmt(arena *a, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc_raw(a, (size_t)n + 1);
    if (!p)
        return NULL;
    if ((size_t)n < sizeof buf) {
        memcpy(p, buf, (size_t)n + 1);
        return p;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

#endif
