/*
 * decode.c - tolerant base64 and quoted-printable decoders. See decode.h.
 * Neither trusts its input: every byte is classified, output is bounded by
 * the kbuf's maximum.
 */
#include "decode.h"

#include <stdint.h>

/* base64 value of each byte: 0-63 (also '-' and '_' of base64url), B64_PAD
 * for '=', B64_SPACE for CR, LF, space and tab, B64_JUNK for the rest */
enum { B64_PAD = 64, B64_SPACE = 65, B64_JUNK = 66 };
#define B64_VALUES(F) \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(65), F(65), F(66), F(66), F(65), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(65), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(62), F(66), F(62), F(66), F(63), \
    F(52), F(53), F(54), F(55), F(56), F(57), F(58), F(59), \
    F(60), F(61), F(66), F(66), F(66), F(64), F(66), F(66), \
    F(66), F( 0), F( 1), F( 2), F( 3), F( 4), F( 5), F( 6), \
    F( 7), F( 8), F( 9), F(10), F(11), F(12), F(13), F(14), \
    F(15), F(16), F(17), F(18), F(19), F(20), F(21), F(22), \
    F(23), F(24), F(25), F(66), F(66), F(66), F(66), F(63), \
    F(66), F(26), F(27), F(28), F(29), F(30), F(31), F(32), \
    F(33), F(34), F(35), F(36), F(37), F(38), F(39), F(40), \
    F(41), F(42), F(43), F(44), F(45), F(46), F(47), F(48), \
    F(49), F(50), F(51), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66), \
    F(66), F(66), F(66), F(66), F(66), F(66), F(66), F(66),
#define B64_ID(v) v
static const unsigned char B64[256] = {B64_VALUES(B64_ID)};

/* the same, each letter's six bits already at its place in a quantum (the
 * first letter's at 18, the last's at 0) and anything else 1 << 31: the OR
 * of a quantum's four is its three bytes, or >= 1 << 24 when one is not a
 * letter */
#define B64_AT(v, sh) ((v) < 64 ? (uint32_t)(v) << (sh) : (uint32_t)1 << 31)
#define B64_AT18(v) B64_AT(v, 18)
#define B64_AT12(v) B64_AT(v, 12)
#define B64_AT6(v) B64_AT(v, 6)
#define B64_AT0(v) B64_AT(v, 0)
static const uint32_t Q0[256] = {B64_VALUES(B64_AT18)};
static const uint32_t Q1[256] = {B64_VALUES(B64_AT12)};
static const uint32_t Q2[256] = {B64_VALUES(B64_AT6)};
static const uint32_t Q3[256] = {B64_VALUES(B64_AT0)};

#define B64_TMP 3072 /* output gathered before each kbuf_add (a multiple of 3) */

long decode_base64(const char *in, size_t n, kbuf *out)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned long acc = 0;
    int bits = 0;
    long junk = 0;
    unsigned char tmp[B64_TMP + 2]; /* + b64_store6's scratch */
    size_t t = 0;
    for (size_t i = 0; i < n;) {
        /* whole quanta of four letters at a quantum boundary: the
         * letter-at-a-time path below would give the same three bytes */
        if (bits == 0) {
            for (;;) {
                size_t k = (n - i) / 4, r = (B64_TMP - t) / 3;
                const unsigned char *p = s + i, *e = p + 4 * (r < k ? r : k);
                unsigned char *o = tmp + t;
                b64_quanta(&p, e, &o, Q0, Q1, Q2, Q3);
                i = (size_t)(p - s);
                t = (size_t)(o - tmp);
                if (t < B64_TMP) {
                    /* the line break of a body's 76-letter lines: CR and LF
                     * are white space to the path below (skipped, no
                     * bits), so pass them here and go on with quanta */
                    if (i < n && (s[i] == '\n' || s[i] == '\r')) {
                        do
                            i++;
                        while (i < n && (s[i] == '\n' || s[i] == '\r'));
                        continue;
                    }
                    break;
                }
                if (kbuf_add(out, tmp, t))
                    return -1;
                t = 0;
            }
            if (i >= n)
                break;
        }
        unsigned v = B64[s[i++]];
        if (v == B64_PAD) {
            /* padding ends a quantum: drop the partial bits, start afresh */
            acc = 0;
            bits = 0;
            continue;
        }
        if (v > B64_PAD) {
            if (v == B64_JUNK)
                junk++;
            continue;
        }
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            tmp[t++] = (unsigned char)((acc >> bits) & 0xFF);
            acc &= (1UL << bits) - 1;
            if (t == B64_TMP) {
                if (kbuf_add(out, tmp, t))
                    return -1;
                t = 0;
            }
        }
    }
    if (t && kbuf_add(out, tmp, t))
        return -1;
    return junk;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

long decode_qp(const char *in, size_t n, kbuf *out)
{
    long bad = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') {
            /* soft line break: '=' then optional spaces then newline */
            size_t j = i + 1;
            while (j < n && (in[j] == ' ' || in[j] == '\t'))
                j++;
            if (j < n && (in[j] == '\n' || in[j] == '\r')) {
                if (in[j] == '\r' && j + 1 < n && in[j + 1] == '\n')
                    j++;
                i = j + 1;
                continue;
            }
            if (j == n) {
                i = n;
                continue;
            }
            if (i + 2 < n && hexval((unsigned char)in[i + 1]) >= 0 &&
                hexval((unsigned char)in[i + 2]) >= 0) {
                char b = (char)(hexval((unsigned char)in[i + 1]) * 16 +
                                hexval((unsigned char)in[i + 2]));
                if (kbuf_addc(out, b))
                    return -1;
                i += 3;
                continue;
            }
            bad++;
            if (kbuf_addc(out, '='))
                return -1;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t') {
            /* trailing whitespace before a line end is transport padding */
            size_t j = i;
            while (j < n && (in[j] == ' ' || in[j] == '\t'))
                j++;
            if (j < n && in[j] != '\n' && in[j] != '\r') {
                if (kbuf_add(out, in + i, j - i))
                    return -1;
            } else if (j == n) {
                if (kbuf_add(out, in + i, j - i))
                    return -1;
            }
            i = j;
            continue;
        }
        if (kbuf_addc(out, (char)c))
            return -1;
        i++;
    }
    return bad;
}
