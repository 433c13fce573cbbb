/*
 * hash.h - FNV-1a (32-bit) of a byte string: the hash of kensa's small
 * in-memory tables (link and host memos, per-thread domain caches, brand
 * tables). Not for anything an attacker could aim collisions at beyond
 * slowing a bounded table.
 */
#ifndef KENSA_HASH_H
#define KENSA_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t fnv1a(const void *s, size_t n)
{
    const unsigned char *p = s;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

#endif
