/*
 * internal.h - shared between the files of src/content only.
 *
 * The content_data layout, the ICU normalizers (NFKC; NFKC case fold plus
 * look-alike letters mapped to ASCII) and the small UTF-8 helpers every
 * scanner uses. Nothing here is part of kensa's API.
 */
#ifndef KENSA_CONTENT_INTERNAL_H
#define KENSA_CONTENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../util/arena.h"
#include "../util/kbuf.h"
#include "../util/lanes.h"
#include "content.h"

#define CJK_FIRST 0x4E00
#define CJK_LAST 0x9FFF
#define LOOK_FIRST 0x0250 /* IPA, Greek, Cyrillic */
#define LOOK_LAST 0x04FF
#define LOOK2_FIRST 0x1D00 /* phonetic extensions: small capitals */
#define LOOK2_LAST 0x1DBF

/* phrase_head buckets: a 16-bit hash of a key's first three bytes, and the
 * first two bytes as they are */
#define LURE_H3(k) ((((unsigned)(k)[0] * 0x9E37u) ^ ((unsigned)(k)[1] << 7) ^ ((unsigned)(k)[2] * 0x2D9u)) & 0xFFFFu)
#define LURE_H2(k) (((unsigned)(k)[0] << 8) | (unsigned)(k)[1])
/* the bucket tables are small enough to stay in the first-level caches;
 * phrases sharing a bucket are told apart by their four-byte pre-test */
#define LURE_BUCKETS 4096u
/* a cheap 16-bit hash of the three bytes in the low 24 bits of w (the scan's filter) */
#define LURE_HC(w) ((unsigned)((((uint32_t)(w) & 0xFFFFFFu) * 0x9E3779B1u) >> 16))
/* the same of all four bytes of w (the filter when no key is shorter than three bytes) */
#define LURE_HC4(w) ((unsigned)(((uint32_t)(w) * 0x9E3779B1u) >> 16))
#define TYPO_H3(k) ((((unsigned)(k)[0] << 4) ^ ((unsigned)(k)[1] << 7) ^ (unsigned)(k)[2] * 0x9Du) & 0xFFFu)

typedef struct {
    char *lure;   /* id */
    char *lang;   /* "ja", "en", ... */
    char *phrase; /* as written in the file */
    char *key;    /* folded, whitespace removed */
    size_t klen;
    int next;     /* next phrase in the same phrase_head bucket, or -1 */
    uint32_t pre, pmask; /* the key's first min(klen, 4) bytes (little-endian) and their mask */
    int ascii;           /* the phrase is ASCII */
    double weight;
} lure_phrase;

typedef struct {
    char *wrong, *right, *note;
} typo_pair;

struct content_data {
    lure_phrase *phrases;
    size_t nphrases;
    char **lure_ids; /* distinct ids in file order */
    const char **lure_class; /* per lure id: "@class" of lures.tsv, default "theme" */
    size_t nlure_ids;
    /* first phrase (index) per bucket, -1 for none: the text is scanned once,
     * whatever the number of phrases. Keys of 3+ bytes are bucketed by a hash
     * of their first three bytes (Japanese phrases share their first two:
     * E3 81, E3 82...), two-byte keys by those two bytes in their own table */
    int *phrase_head;  /* LURE_BUCKETS, LURE_H3 of the first three bytes */
    int *phrase_head2; /* LURE_BUCKETS, LURE_H2 of the first two; NULL when no two-byte key */
    unsigned char phrase_pair[8192]; /* bit LURE_H2: some key starts with those two bytes */
    unsigned char phrase_hc[8192];   /* bit LURE_HC: some key starts with those three bytes
                                      * (a two-byte key with any third byte) */
    unsigned char phrase_h3[8192];   /* bit LURE_H3: some key of 3+ bytes has that hash */
    /* bit LURE_HC4: some key starts with those four bytes (a three-byte key
     * with any fourth); filled only when every key has 3+ bytes (hc4_ok) */
    unsigned char phrase_hc4[8192];
    int hc4_ok;
    int short_keys; /* some key of one byte: not in the tables (content_lures tests it alone) */
    typo_pair *typos;
    size_t ntypos;
    /* bit TYPO_H3 of a typo's first three bytes: where none is set no typo
     * starts (cnorm_fold's pre-test); typo_short: some typo is shorter */
    unsigned char typo_h3[512];
    int typo_short;
    int typo_ascii; /* some typo's wrong form holds an ASCII byte */
    /* Han characters of U+4E00..U+9FFF that are simplified-only: not in
     * CP932 and changed by ICU's Hans-Hant transliterator; value = the
     * traditional form, 0 when the character is not simplified-only. */
    uint32_t *hant;
    int hant_ok; /* Hans-Hant was available (else only the CP932 test ran) */
    /* look-alike letter -> ASCII lowercase letter from the UTS #39 skeleton */
    unsigned char look[LOOK_LAST - LOOK_FIRST + 1];
    unsigned char look2[LOOK2_LAST - LOOK2_FIRST + 1];
};

/* ---- normalize.c ---- */
/* NFKC with default-ignorable code points (zero-width, bidi controls) removed. */
char *cnorm_nfkc(arena *a, const char *s, size_t len, size_t *olen);
/* NFKC case fold, look-alike letters mapped to ASCII, typos corrected when
 * d has them, whitespace removed when strip_space. */
char *cnorm_fold(arena *a, const content_data *d, const char *s, size_t len, int strip_space,
                 size_t *olen);
/* Fill the look-alike and simplified tables of d: from dir/cnorm_tables.tsv
 * when there is one, else computed with ICU. 0 or -1 with *err. */
int cnorm_build_tables(content_data *d, const char *dir, char **err);
/* ASCII lowercase letter a look-alike code point stands for, or 0. */
int cnorm_lookalike(const content_data *d, uint32_t cp);

/* ---- utf8 helpers (normalize.c) ---- */
/* Decode one code point at s[*i] (advancing *i); invalid bytes give 0xFFFD.
 * ASCII inline, the rest in normalize.c (u8_next_slow). */
uint32_t u8_next_slow(const char *s, size_t len, size_t *i);
static inline uint32_t u8_next(const char *s, size_t len, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    return u8_next_slow(s, len, i);
}
/* The first byte at or after i that is not ASCII, or len: sixteen bytes at
 * a time (SSE2), then eight, then one. */
static inline size_t u8_skip_ascii(const char *s, size_t len, size_t i)
{
#ifdef __SSE2__
    while (i + 16 <= len) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i + 8 <= len && !(lanes_load(s + i) & LANES_ALL))
        i += 8;
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}
/* Start of the code point before byte offset i. */
size_t u8_prev(const char *s, size_t i);
int u8_is_kana(uint32_t c);
int u8_is_han(uint32_t c);
int u8_is_cjk(uint32_t c); /* kana, Han, CJK punctuation, full-width forms */
/* Copy at most maxchars code points around [from, to) (ctx chars either side) into a. */
char *u8_snippet(arena *a, const char *s, size_t len, size_t from, size_t to, int ctx,
                 int maxchars);

/* ---- the scanners ---- */
const char *content_language(const char *nfkc, size_t len);
/* *found (may be NULL) gets, per phrase of d, 1 when its key is in the
 * subject, 2 in the body (3 both; arena memory) */
int content_lures(arena *a, const content_data *d, const char *folded, size_t flen,
                  size_t subject_len, content_result *out, unsigned char **found);
/* byte offsets in the NFKC text of phrases of lure `id` (for the deadline's
 * sentence rule). found (may be NULL): content_lures' table for the same text;
 * an ASCII phrase it marks 0 is not searched (see content.c: it cannot be there). */
size_t content_lure_positions(const content_data *d, const char *nfkc, size_t len,
                              const char *id, const unsigned char *found, size_t *pos,
                              size_t max);
/* content_deadline_find with the lure positions asked of lure_pos_fn (once,
 * when a candidate first needs them): it returns their count and sets *pos */
int content_deadline_find_lazy(const char *text, size_t len, const char *receipt, int ja,
                               size_t (*lure_pos_fn)(void *ctx, const size_t **pos),
                               void *lure_ctx, content_deadline *out);
/* The deadline scan's next position at or after i where a date form may
 * start: the eight-byte scan, or (simple) the byte loop it must agree with. For tests. */
size_t content_deadline_next_start(const char *text, size_t len, size_t i, int simple);
/* Where the look-alike tell scan at the ASCII byte s[i] begins its next
 * run: the eight-byte scan, or (simple) the byte loop. For tests. */
size_t content_look_start(const char *s, size_t len, size_t i, int simple);
int content_tells(arena *a, const content_data *d, const char *orig, size_t len,
                  const char *nfkc, size_t nlen, int ja, content_result *out);
int content_phones(arena *a, const char *nfkc, size_t len, content_result *out);
int content_attachments(arena *a, const km_message *m, content_result *out);

#endif
