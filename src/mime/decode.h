/*
 * decode.h - content-transfer decoders kensa does itself.
 *
 * base64 by hand because GMime 3.2.13 stops at the first '=' padding of a
 * chunked body (data after an appended base64 footer is lost, fixed only in
 * 3.2.14). The decoder skips characters outside the alphabet and restarts
 * after padding, so every decodable byte is kept.
 */
#ifndef KENSA_DECODE_H
#define KENSA_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../util/kbuf.h"

/* The six bytes of two base64 quanta (q0, q1: 24 bits each, first byte
 * highest) at o. Eight bytes are written: the caller leaves two bytes of
 * scratch after the six. */
static inline void b64_store6(unsigned char *o, uint32_t q0, uint32_t q1)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v = __builtin_bswap64((uint64_t)q0 << 40 | (uint64_t)q1 << 16);
    memcpy(o, &v, 8);
#else
    o[0] = (unsigned char)(q0 >> 16);
    o[1] = (unsigned char)(q0 >> 8);
    o[2] = (unsigned char)q0;
    o[3] = (unsigned char)(q1 >> 16);
    o[4] = (unsigned char)(q1 >> 8);
    o[5] = (unsigned char)q1;
#endif
}

/* Whole quanta from *p toward e (e - *p a multiple of four) into *o, two a
 * turn; stops before the first quantum holding a byte that is not a letter.
 * t0..t3: the alphabet's letter values at bits 18, 12, 6 and 0, anything
 * else 1 << 31 (the OR of a quantum's four is then its three bytes, or
 * >= 1 << 24). *o needs b64_store6's two bytes of scratch past the output. */
static inline void b64_quanta(const unsigned char **p, const unsigned char *e, unsigned char **o,
                              const uint32_t *t0, const uint32_t *t1, const uint32_t *t2,
                              const uint32_t *t3)
{
    const unsigned char *s = *p;
    unsigned char *w = *o;
    while (e - s >= 8) {
        uint32_t q0 = t0[s[0]] | t1[s[1]] | t2[s[2]] | t3[s[3]];
        uint32_t q1 = t0[s[4]] | t1[s[5]] | t2[s[6]] | t3[s[7]];
        if ((q0 | q1) >> 24)
            break;
        b64_store6(w, q0, q1);
        w += 6;
        s += 8;
    }
    while (s < e) {
        uint32_t q = t0[s[0]] | t1[s[1]] | t2[s[2]] | t3[s[3]];
        if (q >> 24)
            break;
        w[0] = (unsigned char)(q >> 16);
        w[1] = (unsigned char)(q >> 8);
        w[2] = (unsigned char)q;
        w += 3;
        s += 4;
    }
    *p = s;
    *o = w;
}

/* Append the decoded bytes of in[0..n) to out. Returns the number of input
 * characters that were not part of the alphabet (0 on clean input) or a
 * negative kbuf error when out is full. */
long decode_base64(const char *in, size_t n, kbuf *out);

/* Quoted-printable (RFC 2045), lenient: invalid =XX kept literally. */
long decode_qp(const char *in, size_t n, kbuf *out);

#endif
