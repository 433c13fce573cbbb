/*
 * lanes.h - eight bytes at a time: exact per-byte tests on a 64-bit word,
 * for the ASCII fast paths (UTF-8 checks, JSON escaping, the asn.bin string
 * table). Each lane adds at most 0x7f to its low 7 bits, so no carry crosses
 * into the next byte and every lane's answer is exact (unlike the classic
 * "has zero byte" trick). A result has the high bit of each lane set where
 * the test holds; LANES_ALL means it holds for all eight.
 */
#ifndef KENSA_LANES_H
#define KENSA_LANES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LANES_ALL 0x8080808080808080ULL
#define LANES_LO7 0x7f7f7f7f7f7f7f7fULL
#define LANES_REP(c) (0x0101010101010101ULL * (uint8_t)(c))

static inline uint64_t lanes_load(const void *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* bytes that are not 0 */
static inline uint64_t lanes_nonzero(uint64_t w)
{
    return (((w & LANES_LO7) + LANES_LO7) | w) & LANES_ALL;
}

/* bytes >= c, for c in 1..0x80 (bytes >= 0x80 always) */
static inline uint64_t lanes_ge(uint64_t w, unsigned c)
{
    return (((w & LANES_LO7) + LANES_REP(0x80 - c)) | w) & LANES_ALL;
}

/* bytes != c */
static inline uint64_t lanes_ne(uint64_t w, unsigned c)
{
    return lanes_nonzero(w ^ LANES_REP(c));
}

/* bytes < 0x80 */
static inline uint64_t lanes_ascii(uint64_t w)
{
    return ~w & LANES_ALL;
}

/* A key's first min(n, 4) bytes as a little-endian word, and the mask of
 * those bytes: (lanes_word4(text, i, len) & *mask) == *pre is a cheap first
 * test of "the key starts at text[i]" before comparing the rest (the
 * pattern tables of src/content/lure.c and src/intel/brand.c). */
static inline void lanes_prefix4(const void *key, size_t n, uint32_t *pre, uint32_t *mask)
{
    const unsigned char *k = key;
    *pre = *mask = 0;
    for (size_t j = 0; j < 4 && j < n; j++) {
        *pre |= (uint32_t)k[j] << (8 * j);
        *mask |= (uint32_t)0xFF << (8 * j);
    }
}

/* the four bytes at s[i..], zero from n on */
static inline uint32_t lanes_word4(const void *s, size_t i, size_t n)
{
    const unsigned char *p = (const unsigned char *)s + i;
    if (i + 4 <= n) /* one load on a little-endian machine */
        return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t w = 0;
    for (size_t j = 0; i + j < n; j++)
        w |= (uint32_t)p[j] << (8 * j);
    return w;
}

#endif
