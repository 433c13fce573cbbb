/*
 * decode.c - tolerant base64 and quoted-printable decoders. See decode.h.
 * Neither trusts its input: every byte is classified, output is bounded by
 * the kbuf's maximum.
 */
#include "decode.h"

/* base64 value of each byte: 0-63 (also '-' and '_' of base64url), B64_PAD
 * for '=', B64_SPACE for CR, LF, space and tab, B64_JUNK for the rest */
enum { B64_PAD = 64, B64_SPACE = 65, B64_JUNK = 66 };
static const unsigned char B64[256] = {
    66, 66, 66, 66, 66, 66, 66, 66, 66, 65, 65, 66, 66, 65, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    65, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 62, 66, 62, 66, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 66, 66, 66, 64, 66, 66,
    66,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 66, 66, 66, 66, 63,
    66, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
};

long decode_base64(const char *in, size_t n, kbuf *out)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned long acc = 0;
    int bits = 0;
    long junk = 0;
    unsigned char tmp[3072];
    size_t t = 0;
    for (size_t i = 0; i < n;) {
        /* a whole quantum of four letters at a quantum boundary: the
         * letter-at-a-time path below would give the same three bytes */
        if (bits == 0 && i + 4 <= n && t + 3 <= sizeof tmp) {
            unsigned a = B64[s[i]], b = B64[s[i + 1]], c = B64[s[i + 2]], d = B64[s[i + 3]];
            if ((a | b | c | d) < 64) {
                unsigned long q = (unsigned long)a << 18 | b << 12 | c << 6 | d;
                tmp[t++] = (unsigned char)(q >> 16);
                tmp[t++] = (unsigned char)(q >> 8);
                tmp[t++] = (unsigned char)q;
                i += 4;
                if (t == sizeof tmp) {
                    if (kbuf_add(out, tmp, t))
                        return -1;
                    t = 0;
                }
                continue;
            }
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
            if (t == sizeof tmp) {
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
