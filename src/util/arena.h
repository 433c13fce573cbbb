/*
 * arena.h - one memory owner per analysis.
 *
 * Every allocation made while analyzing one message comes from that message's
 * arena and is released at once by arena_free(). Nothing allocated here may
 * outlive the report. Allocation failure past the arena's byte cap returns NULL;
 * callers treat it like any other bounded-resource error.
 */
#ifndef KENSA_ARENA_H
#define KENSA_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* max_bytes: hard cap on the total handed out (0 = ARENA_DEFAULT_MAX). */
arena *arena_new(size_t max_bytes);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);          /* 16-byte aligned, zeroed */
void *arena_alloc_raw(arena *a, size_t n);      /* the same, not zeroed: for buffers the caller fills */
char *arena_strndup(arena *a, const char *s, size_t n); /* NUL-terminated copy */
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t arena_used(const arena *a);

#define ARENA_DEFAULT_MAX ((size_t)1 << 30)

#endif
