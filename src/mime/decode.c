/*
 * decode.c - tolerant base64 and quoted-printable decoders. See decode.h.
 * Neither trusts its input: every byte is classified, output is bounded by
 * the kbuf's maximum.
 */
#include "decode.h"

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

long decode_base64(const char *in, size_t n, kbuf *out)
{
    unsigned long acc = 0;
    int bits = 0;
    long junk = 0;
    unsigned char tmp[3072];
    size_t t = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') {
            /* padding ends a quantum: drop the partial bits, start afresh */
            acc = 0;
            bits = 0;
            continue;
        }
        int v = b64val(c);
        if (v < 0) {
            if (c != '\n' && c != '\r' && c != ' ' && c != '\t')
                junk++;
            continue;
        }
        acc = (acc << 6) | (unsigned long)v;
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
