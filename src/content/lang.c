/*
 * lang.c - the language of a mail from its scripts and common words.
 *
 * "ja" when kana are present in quantity (Chinese has Han but no kana);
 * "en" when Latin text is mostly English function words; else "other".
 * Works on NFKC text, so full-width Latin counts as Latin.
 */
#include <string.h>

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

static int in_list(const char *const *l, const char *w)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(l[i], w) == 0)
            return 1;
    return 0;
}

const char *content_language(const char *t, size_t len)
{
    size_t kana = 0, han = 0, latin = 0, other = 0;
    size_t en = 0, oth = 0, words = 0;
    char w[16];
    size_t wl = 0;
    int wbad = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c = u8_next(t, len, &i);
        int lat = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
        if (u8_is_kana(c) && c != 0x30FC)
            kana++;
        else if (u8_is_han(c))
            han++;
        else if (lat)
            latin++;
        else if (c >= 0x370 && c < 0x3000)
            other++;
        if (lat) {
            if (wl + 4 < sizeof w) {
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
            w[wl] = 0;
            if (!wbad && words < LANG_MAX_WORDS) {
                en += in_list(en_words, w);
                oth += in_list(other_words, w);
            }
            words++;
            wl = 0;
            wbad = 0;
        }
    }
    if (wl && !wbad) {
        w[wl] = 0;
        en += in_list(en_words, w);
        oth += in_list(other_words, w);
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
