/*
 * kbuf.c - bounded growing byte buffer. See kbuf.h.
 */
#include "kbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void kbuf_init(kbuf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void kbuf_free(kbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void kbuf_reset(kbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

static int grow(kbuf *b, size_t need)
{
    /* need excludes the NUL terminator */
    if (need > b->max)
        return KBUF_TOOBIG;
    if (need + 1 <= b->cap)
        return KBUF_OK;
    size_t nc = b->cap ? b->cap : 64;
    while (nc < need + 1)
        nc *= 2;
    if (nc > b->max + 1)
        nc = b->max + 1;
    char *np = realloc(b->p, nc);
    if (!np)
        return KBUF_NOMEM;
    b->p = np;
    b->cap = nc;
    return KBUF_OK;
}

int kbuf_add_slow(kbuf *b, const void *data, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return KBUF_TOOBIG;
    int rc = grow(b, b->len + n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return KBUF_OK;
}

int kbuf_reserve(kbuf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return KBUF_TOOBIG;
    int rc = grow(b, b->len + n);
    if (rc == KBUF_OK && b->len == 0)
        b->p[0] = '\0';
    return rc;
}

int kbuf_adds(kbuf *b, const char *s)
{
    return kbuf_add(b, s, strlen(s));
}

int kbuf_printf(kbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return KBUF_NOMEM;
    if ((size_t)n < sizeof small)
        return kbuf_add(b, small, (size_t)n);
    if (b->len > b->max || (size_t)n > b->max - b->len)
        return KBUF_TOOBIG;
    int rc = grow(b, b->len + (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KBUF_OK;
}

int kbuf_add_utf8(kbuf *b, unsigned long cp)
{
    char o[4];
    return kbuf_add(b, o, utf8_put(o, cp > 0x10FFFF ? 0xFFFD : (uint32_t)cp));
}

const char *kbuf_str(kbuf *b)
{
    return b->p ? b->p : "";
}

char *kbuf_take_arena(kbuf *b, arena *a)
{
    char *s = arena_strndup(a, kbuf_str(b), b->len);
    kbuf_reset(b);
    return s;
}
