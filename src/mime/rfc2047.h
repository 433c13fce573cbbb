/*
 * rfc2047.h - header text (RFC 2047 encoded words, raw 8-bit bytes) to UTF-8.
 *
 * Written by hand because GMime 3.2.13 truncates after a '='-padded base64
 * word that is followed by another word in the same charset (gmime#133), and
 * because real mail splits multibyte characters across words, names one
 * charset in the word and uses another, and sends raw Shift_JIS, EUC-JP,
 * ISO-2022-JP or UTF-8 bytes without encoding.
 *
 * Rules: each B/Q word is decoded to bytes on its own; adjacent words (only
 * linear whitespace between them) with the same charset have their bytes
 * joined before conversion, so a character split across words survives;
 * whitespace between adjacent encoded words is dropped; text outside words
 * is kept and, when 8-bit, converted with charset detection.
 */
#ifndef KENSA_RFC2047_H
#define KENSA_RFC2047_H

#include <stddef.h>

#include "../util/arena.h"

enum {
    RFC2047_HAD_WORDS = 1,     /* at least one encoded word decoded */
    RFC2047_RAW_8BIT = 2,      /* raw 8-bit bytes outside encoded words */
    RFC2047_BAD_WORD = 4,      /* malformed word kept as text or partly decoded */
    RFC2047_CHARSET_FIX = 8,   /* a word's bytes did not match its charset; detection used */
};

/* value: the unfolded header value (CR/LF of folding already removed or not:
 * CR and LF are treated as linear whitespace). Returns UTF-8 in the arena. */
char *rfc2047_decode(arena *a, const char *value, size_t len, int *flags);

/* 1 when value[0..len) is ASCII with no NUL, ESC, CR, LF or "=?" (TAB and
 * other controls allowed): rfc2047_decode() and charset_utf8_sanitize() give
 * such a value back unchanged (with flags 0), and it is valid UTF-8. */
int rfc2047_plain(const char *value, size_t len);

#endif
