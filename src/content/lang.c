/*
 * lang.c - the language of a mail from its scripts and common words.
 *
 * "ja" when kana are present in quantity (Chinese has Han but no kana);
 * "en" when Latin text is mostly English function words; else "other".
 * Works on NFKC text, so full-width Latin counts as Latin.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "../util/ascii.h"
#include "../util/lanes.h"
#include "internal.h"

#define LANG_MAX_WORDS 20000

/* Frequent function words; a word list in each language competes. */
static const char *const en_words[] = {
    "the", "and", "you", "your", "to", "of", "is", "for", "this", "that", "with", "please",
    "are", "have", "we", "our", "it", "be", "on", "will", "not", "has", "been", "from",
    "account", "click", "here", "if", "in", "by", "an", "or", "at", "was", NULL};
static const char *const other_words[] = {
    /* pt, es, fr, de, it, nl */
    "de", "que", "para", "seu", "sua", "com", "por", "uma", "não", "você", "el", "la", "los",
    "las", "del", "y", "su", "le", "les", "des", "et", "vous", "votre", "pour", "une", "est",
    "der", "die", "das", "und", "sie", "ihr", "ist", "nicht", "mit", "il", "di", "che", "per",
    "het", "een", "van", "en", "em", "da", "do", "dos", "das", "nos", NULL};

/* Both lists in one hash set built once: a word of up to 7 bytes is its own
 * 64-bit key (zero-padded); the value says which lists hold it. Replaces a
 * strcmp against every list entry per word (issue 8). */
#define LSET_SLOTS 256
static struct {
    uint64_t key;
    unsigned char in; /* 1: en_words, 2: other_words */
} lset[LSET_SLOTS];
static pthread_once_t lset_once = PTHREAD_ONCE_INIT;
/* bit n-1 of lfl[fl_of(w, n)]: some listed word of n bytes has w's first and
 * last byte (low five bits of each): rejects most words before the hash */
static unsigned char lfl[1024];

static unsigned fl_of(const char *w, size_t n)
{
    return ((unsigned char)w[0] & 0x1Fu) << 5 | ((unsigned char)w[n - 1] & 0x1Fu);
}

static uint64_t word_key(const char *w, size_t n)
{
    uint64_t k = 0;
    memcpy(&k, w, n);
    return k;
}

static unsigned lset_slot(uint64_t k)
{
    return (unsigned)((k * 0x9E3779B97F4A7C15ull) >> 56) & (LSET_SLOTS - 1);
}

static void lset_add(const char *const *l, unsigned char bit)
{
    for (int i = 0; l[i]; i++) {
        size_t n = strlen(l[i]);
        lfl[fl_of(l[i], n)] |= (unsigned char)(1u << (n - 1));
        uint64_t k = word_key(l[i], n);
        unsigned s = lset_slot(k);
        while (lset[s].key && lset[s].key != k)
            s = (s + 1) & (LSET_SLOTS - 1);
        lset[s].key = k;
        lset[s].in |= bit;
    }
}

static void lset_build(void)
{
    lset_add(en_words, 1);
    lset_add(other_words, 2);
}

/* Which lists hold the NUL-terminated word w of n bytes (bit 1 en, bit 2 other). */
static unsigned lists_of(const char *w, size_t n)
{
    if (n > 7)
        return 0; /* no listed word is longer */
    if (!(lfl[fl_of(w, n)] >> (n - 1) & 1))
        return 0;
    uint64_t k = word_key(w, n);
    for (unsigned s = lset_slot(k); lset[s].key; s = (s + 1) & (LSET_SLOTS - 1))
        if (lset[s].key == k)
            return lset[s].in;
    return 0;
}

/* A word of wl bytes in w ended: looked up when whole and among the first
 * LANG_MAX_WORDS, counted, and the next one starts empty. */
static void end_word(char *w, size_t *wl, int *wbad, size_t *words, size_t *en, size_t *oth)
{
    w[*wl] = 0;
    if (!*wbad && *words < LANG_MAX_WORDS) {
        unsigned in = lists_of(w, *wl);
        *en += in & 1;
        *oth += in >> 1;
    }
    ++*words;
    *wl = 0;
    *wbad = 0;
}

const char *content_language(const char *t, size_t len)
{
    size_t kana = 0, han = 0, latin = 0, other = 0;
    size_t en = 0, oth = 0, words = 0;
    char w[16 + 8]; /* 16 as before; 8 more for the eight-byte copy */
    pthread_once(&lset_once, lset_build);
    size_t wl = 0;
    int wbad = 0;
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)t[i];
        if (i + 8 <= len) {
            uint64_t x = lanes_load(t + i);
            if (!(x & LANES_ALL)) {
                /* eight ASCII bytes: their runs of letters and of other
                 * bytes in turn, each as the byte loop below takes it */
                uint64_t y = x | LANES_REP(0x20);
                uint64_t alpha = lanes_ge(y, 'a') & ~lanes_ge(y, 'z' + 1);
                for (unsigned pos = 0; pos < 8;) {
                    uint64_t al = alpha >> (8 * pos); /* lanes past the eighth: not letters */
                    if (al & 0x80) { /* a run of r letters */
                        uint64_t nal = ~al & LANES_ALL; /* 0: eight letters */
                        unsigned r = nal ? (unsigned)__builtin_ctzll(nal) >> 3 : 8;
                        latin += r;
                        if (wl + r <= 12) { /* as the byte loop: a word stops growing at 12 */
                            uint64_t v = y >> (8 * pos);
                            memcpy(w + wl, &v, 8); /* wl + 8 <= 20 */
                            wl += r;
                        } else {
                            wl = 12;
                            wbad = 1;
                        }
                        pos += r;
                    } else { /* other bytes: the first ends the word */
                        if (wl)
                            end_word(w, &wl, &wbad, &words, &en, &oth);
                        pos += al ? (unsigned)__builtin_ctzll(al) >> 3 : 8 - pos;
                    }
                }
                i += 8;
                continue;
            }
        }
        if (b < 0x80) { /* ASCII: a letter of a word, or the end of one */
            i++;
            if (ascii_alpha(b)) {
                latin++;
                if (wl + 4 < 16)
                    w[wl++] = (char)(b | 0x20);
                else
                    wbad = 1;
                continue;
            }
            if (wl)
                end_word(w, &wl, &wbad, &words, &en, &oth);
            continue;
        }
        uint32_t c = u8_next(t, len, &i);
        int lat = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
        if (c < 0x80) /* ASCII: Latin or nothing; no script tests */
            latin += lat;
        else if (u8_is_kana(c) && c != 0x30FC)
            kana++;
        else if (u8_is_han(c))
            han++;
        else if (lat)
            latin++;
        else if (c >= 0x370 && c < 0x3000)
            other++;
        if (lat) {
            if (wl + 4 < 16) {
                if (c < 0x80) {
                    w[wl++] = (char)(c | 0x20);
                } else {
                    /* keep non-ASCII Latin as UTF-8 for "não", "você" */
                    w[wl++] = (char)(0xC0 | (c >> 6));
                    w[wl++] = (char)(0x80 | (c & 0x3F));
                }
            } else {
                wbad = 1;
            }
        } else if (wl) {
            end_word(w, &wl, &wbad, &words, &en, &oth);
        }
    }
    if (wl && !wbad) {
        w[wl] = 0;
        unsigned in = lists_of(w, wl);
        en += in & 1;
        oth += in >> 1;
    }
    size_t letters = kana + han + latin + other;
    if (!letters)
        return "other";
    if (kana >= 10 || (kana >= 2 && (kana + han) * 5 >= letters))
        return "ja";
    if (latin * 2 >= letters && en >= 2 && en >= oth * 2)
        return "en";
    return "other";
}
