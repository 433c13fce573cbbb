/*
 * ip4.h - ip4_parse: inet_pton(AF_INET) as glibc implements it (four
 * decimal octets 0-255 separated by dots, no leading zeros, nothing else),
 * without the library call: the route stage parses tens of thousands of
 * addresses per thousand mails. tests/unit/test_route.c compares it with
 * inet_pton on generated strings.
 */
#ifndef KENSA_UTIL_IP4_H
#define KENSA_UTIL_IP4_H

#include <stddef.h>
#include <stdint.h>

/* 1 and the 4 bytes in dst when s[0..n) is a dotted quad, else 0 */
static inline int ip4_parse(const char *s, size_t n, unsigned char dst[4])
{
    /* as glibc: exactly three dots, each octet 1-3 digits without a
     * leading zero and at most 255, nothing else */
    uint32_t v = 0;
    unsigned cur = 0, nd = 0, dots = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d <= 9) {
            if (nd && cur == 0)
                return 0;
            cur = cur * 10 + d;
            if (cur > 255)
                return 0;
            nd++;
        } else if (s[i] == '.' && nd && dots < 3) {
            v = v << 8 | cur;
            cur = nd = 0;
            dots++;
        } else {
            return 0;
        }
    }
    if (dots != 3 || !nd)
        return 0;
    v = v << 8 | cur;
    dst[0] = (unsigned char)(v >> 24);
    dst[1] = (unsigned char)(v >> 16);
    dst[2] = (unsigned char)(v >> 8);
    dst[3] = (unsigned char)v;
    return 1;
}

#endif
