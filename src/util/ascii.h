/*
 * ascii.h - ASCII character classes, inline. <ctype.h>'s are a call through
 * the locale table each; kensa runs in the C locale and its scanners test
 * every byte of every text part. Bytes >= 0x80 (and negative chars) are in
 * no class.
 */
#ifndef KENSA_ASCII_H
#define KENSA_ASCII_H

static inline int ascii_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int ascii_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int ascii_alnum(int c)
{
    return ascii_alpha(c) || ascii_digit(c);
}

/* c with A-Z lowered, anything else as it is */
static inline int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

#endif
