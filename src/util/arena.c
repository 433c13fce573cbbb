/*
 * arena.c - bump allocator in growing chunks; freed all at once.
 *
 * Large requests get a chunk of their own. The total is capped so that a
 * hostile message cannot make one analysis eat the machine.
 */
#include "arena.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64 * 1024)

struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct arena {
    struct chunk *head;
    size_t total, max;
};

/* Chunks of the common size are kept per thread when an arena is freed and
 * handed to the thread's next arena: a batch analyzes one mail after another,
 * and malloc'ing 64 KiB afresh each time costs the allocator's work and page
 * faults on pages the heap gave back. At most CACHE_MAX chunks a thread
 * (1 MiB); a thread's cache is freed when it exits. */
enum { CACHE_MAX = 16 };

static _Thread_local struct chunk *cache_head;
static _Thread_local unsigned cache_n;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_key_ok;

static void cache_drop(void *unused)
{
    (void)unused;
    while (cache_head) {
        struct chunk *n = cache_head->next;
        free(cache_head);
        cache_head = n;
    }
    cache_n = 0;
}

static void cache_init(void)
{
    cache_key_ok = pthread_key_create(&cache_key, cache_drop) == 0;
}

static struct chunk *chunk_get(size_t sz)
{
    if (sz == CHUNK_MIN && cache_head) {
        struct chunk *c = cache_head;
        cache_head = c->next;
        cache_n--;
        return c;
    }
    return malloc(sizeof(struct chunk) + sz);
}

static void chunk_put(struct chunk *c)
{
    if (c->size == CHUNK_MIN && cache_n < CACHE_MAX) {
        if (cache_n == 0) {
            /* the key's destructor frees the cache when the thread exits
             * (set each time the cache fills from empty: cheap, and the
             * value only has to be non-NULL) */
            pthread_once(&cache_once, cache_init);
            if (!cache_key_ok || pthread_setspecific(cache_key, &cache_head) != 0) {
                free(c);
                return;
            }
        }
        c->next = cache_head;
        cache_head = c;
        cache_n++;
        return;
    }
    free(c);
}

arena *arena_new(size_t max_bytes)
{
    arena *a = calloc(1, sizeof *a);
    if (a)
        a->max = max_bytes ? max_bytes : ARENA_DEFAULT_MAX;
    return a;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *n = c->next;
        chunk_put(c);
        c = n;
    }
    free(a);
}

void *arena_alloc_raw(arena *a, size_t n)
{
    if (!a)
        return NULL;
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - 15)
        return NULL;
    n = (n + 15) & ~(size_t)15;
    struct chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t sz = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (a->total + sz > a->max || a->total + sz < a->total)
            return NULL;
        struct chunk *nc = chunk_get(sz);
        if (!nc)
            return NULL;
        nc->size = sz;
        nc->used = 0;
        a->total += sz;
        if (c && n > CHUNK_MIN) {
            /* keep the current chunk on top for small allocations */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

void *arena_alloc(arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = arena_alloc_raw(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t arena_used(const arena *a)
{
    return a ? a->total : 0;
}
