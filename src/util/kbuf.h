/*
 * kbuf.h - bounded growing byte buffer (after curl's dynbuf).
 *
 * Every buffer has a maximum size fixed at init; growing past it fails with
 * KBUF_TOOBIG and leaves the content as it was. Memory is plain heap (not the
 * arena) so a buffer can be reused; kbuf_take_arena() copies the result into
 * an arena and resets the buffer.
 */
#ifndef KENSA_KBUF_H
#define KENSA_KBUF_H

#include <stddef.h>
#include <string.h>

#include "arena.h"

typedef struct {
    char *p;
    size_t len, cap, max;
} kbuf;

enum { KBUF_OK = 0, KBUF_TOOBIG = -1, KBUF_NOMEM = -2 };

void kbuf_init(kbuf *b, size_t max);
void kbuf_free(kbuf *b);
void kbuf_reset(kbuf *b);
/* The general case of kbuf_add (growing, limits, errors). */
int kbuf_add_slow(kbuf *b, const void *data, size_t n);

/* Appends inline when there is room (cap never exceeds max + 1, so room
 * implies the limit holds): text building appends millions of short runs. */
static inline int kbuf_add(kbuf *b, const void *data, size_t n)
{
    if (n < b->cap - b->len) { /* room for the bytes and the NUL */
        if (n)
            memcpy(b->p + b->len, data, n);
        b->len += n;
        b->p[b->len] = '\0';
        return KBUF_OK;
    }
    return kbuf_add_slow(b, data, n);
}

static inline int kbuf_addc(kbuf *b, char c)
{
    if (b->len + 2 <= b->cap) { /* room for c and the NUL */
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return KBUF_OK;
    }
    return kbuf_add_slow(b, &c, 1);
}
int kbuf_adds(kbuf *b, const char *s);
/* Makes room for n more bytes and the NUL (n < cap - len afterwards) without
 * writing them; KBUF_TOOBIG when len + n would pass max. */
int kbuf_reserve(kbuf *b, size_t n);
int kbuf_printf(kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a Unicode code point as UTF-8 (invalid ones become U+FFFD). */
int kbuf_add_utf8(kbuf *b, unsigned long cp);
/* NUL-terminated view (always valid, "" when empty). */
const char *kbuf_str(kbuf *b);
char *kbuf_take_arena(kbuf *b, arena *a);

#endif
