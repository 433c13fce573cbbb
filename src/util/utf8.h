/*
 * utf8.h - one code point to UTF-8, shared by the kbuf appender and the
 * normalizers that write into their own buffers.
 */
#ifndef KENSA_UTF8_H
#define KENSA_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* cp as UTF-8 at o (room for 4 bytes); surrogates and values past U+10FFFF
 * become U+FFFD. Returns the byte count. */
static inline size_t utf8_put(char *o, uint32_t cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

#endif
