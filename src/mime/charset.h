/*
 * charset.h - bytes in any mail charset to exact UTF-8.
 *
 * Written by hand on top of glibc iconv because GMime 3.2.13's conversion is
 * lossy for real Japanese mail (see ../shared/research/DEPENDENCIES.md):
 * ISO-2022-JP carrying NEC/IBM extension characters (①, ㈱, ～) is decoded as
 * CP50220 by our own escape-sequence decoder into EUC-JP-MS; every Shift_JIS
 * label is read as CP932 (never glibc SHIFT_JIS, which turns '\' and '~' into
 * ¥ and ‾); EUC-JP as EUC-JP-MS. Labels lie, so the bytes are checked: 7-bit
 * text holding ESC $ B is ISO-2022-JP whatever the label; bytes invalid in the
 * declared charset fall back to detection (UTF-8 validity, ISO-2022-JP
 * escapes, uchardet, CP932/EUC-JP scoring, then Windows-1252).
 * The output is always valid UTF-8 and NUL-terminated.
 */
#ifndef KENSA_CHARSET_H
#define KENSA_CHARSET_H

#include <stddef.h>

#include "../util/arena.h"

typedef struct {
    const char *declared; /* canonical name of the label given, or NULL if none/unknown */
    const char *used;     /* canonical name actually used to decode (e.g. "ISO-2022-JP", "CP932") */
    int errors;           /* sequences replaced by U+FFFD */
    int detected;         /* 1 when `used` came from detection rather than the label */
    int mismatch;         /* 1 when a label was given but the bytes were another charset */
} charset_info;

/*
 * Convert len bytes of `in`, labelled `declared` (may be NULL or any alias,
 * case-insensitive), to UTF-8 allocated in `a`. *out_len gets the length
 * without the NUL (out_len may be NULL). info may be NULL. Returns NULL only
 * when the arena is exhausted.
 */
char *charset_to_utf8(arena *a, const char *declared, const char *in, size_t len,
                      size_t *out_len, charset_info *info);

/* Canonical name for a label ("shift_jis" -> "CP932", "x-euc-jp" -> "EUC-JP"),
 * or NULL when the label is unknown. Static storage. */
const char *charset_canonical(const char *label);

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static inline size_t charset_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need;
}

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int charset_utf8_valid(const char *s, size_t n);

/* Copy of s with every invalid UTF-8 sequence replaced by U+FFFD and NUL bytes
 * dropped; used before anything reaches JSON. */
char *charset_utf8_sanitize(arena *a, const char *s, size_t n, size_t *out_len);

#endif
