/*
 * lure.c - the data files (lures.tsv, typos.tsv) and lure-theme scoring.
 *
 * lures.tsv: lure id, language, phrase, weight. Phrases are folded like the
 * text (NFKC case fold, look-alikes to ASCII, whitespace removed) so "M FA",
 * "ロ グイン" and "ᴠᴇʀɪғʏ" still match. A phrase counts once per mail; one in
 * the subject counts half again. The best lure (of the credential, theme
 * and scam classes) is content.lure when it reaches CONTENT_LURE_MIN.
 * The folded text is scanned once with the phrases bucketed by their first two
 * bytes, so more phrases do not mean more passes over a 1 MiB body.
 * "@class<TAB>id<TAB>class" lines give a lure id its class (credential, theme,
 * scam, spam, attachment: which finding src/verdict makes of it); default theme.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/lanes.h"
#include "internal.h"

#define LINE_MAX_BYTES 4096

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

static void set_err(char **err, const char *fmt, const char *a, long b)
{
    if (!err)
        return;
    char buf[1600];
    snprintf(buf, sizeof buf, fmt, a, b);
    *err = xstrdup(buf);
}

/* Split a TSV line in place; returns the number of fields (max nf). */
static int split_tabs(char *line, char **f, int nf)
{
    int n = 0;
    char *p = line;
    while (n < nf) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = 0;
}

static int load_lures(content_data *d, const char *dir, char **err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lures.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        char buf[1200];
        snprintf(buf, sizeof buf, "%s: %s", path, strerror(errno));
        *err = xstrdup(buf);
        return -1;
    }
    d->phrases = calloc(CONTENT_MAX_PHRASES, sizeof *d->phrases);
    d->lure_ids = calloc(CONTENT_MAX_PHRASES, sizeof *d->lure_ids);
    d->lure_class = calloc(CONTENT_MAX_PHRASES, sizeof *d->lure_class);
    /* "@class" lines, applied once every id is known */
    char **cls_id = calloc(CONTENT_MAX_PHRASES, sizeof *cls_id);
    const char **cls_of = calloc(CONTENT_MAX_PHRASES, sizeof *cls_of);
    size_t ncls = 0;
    arena *tmp = arena_new(1 << 20);
    char line[LINE_MAX_BYTES];
    long ln = 0;
    int rc = 0;
    while (d->phrases && d->lure_ids && d->lure_class && cls_id && cls_of && tmp &&
           fgets(line, sizeof line, f)) {
        ln++;
        chomp(line);
        if (!line[0] || line[0] == '#')
            continue;
        if (line[0] == '@') {
            static const char *const classes[] = {"credential", "theme", "scam", "spam",
                                                  "attachment"};
            char *fc[3];
            size_t c = sizeof classes / sizeof classes[0];
            if (split_tabs(line, fc, 3) == 3 && strcmp(fc[0], "@class") == 0 && fc[1][0])
                for (c = 0; c < sizeof classes / sizeof classes[0]; c++)
                    if (strcmp(fc[2], classes[c]) == 0)
                        break;
            if (c == sizeof classes / sizeof classes[0] || ncls >= CONTENT_MAX_PHRASES) {
                set_err(err, "%s:%ld: want @class<TAB>lure id<TAB>class", path, ln);
                rc = -1;
                break;
            }
            cls_id[ncls] = xstrdup(fc[1]);
            cls_of[ncls++] = classes[c];
            continue;
        }
        char *fl[4];
        char *end = NULL;
        if (split_tabs(line, fl, 4) != 4 || !fl[0][0] || !fl[2][0]) {
            set_err(err, "%s:%ld: want 4 tab-separated fields", path, ln);
            rc = -1;
            break;
        }
        double w = strtod(fl[3], &end);
        if (end == fl[3] || *end || w <= 0 || w > 100) {
            set_err(err, "%s:%ld: bad weight", path, ln);
            rc = -1;
            break;
        }
        if (d->nphrases >= CONTENT_MAX_PHRASES) {
            set_err(err, "%s:%ld: too many lines", path, ln);
            rc = -1;
            break;
        }
        lure_phrase *p = &d->phrases[d->nphrases];
        size_t kl = 0;
        char *key = cnorm_fold(tmp, NULL, fl[2], strlen(fl[2]), 1, &kl);
        if (!key || !kl) {
            set_err(err, "%s:%ld: phrase does not normalize", path, ln);
            rc = -1;
            break;
        }
        size_t k;
        for (k = 0; k < d->nlure_ids; k++)
            if (strcmp(d->lure_ids[k], fl[0]) == 0)
                break;
        if (k == d->nlure_ids)
            d->lure_ids[d->nlure_ids++] = xstrdup(fl[0]);
        p->lure = d->lure_ids[k];
        p->lang = xstrdup(fl[1]);
        p->phrase = xstrdup(fl[2]);
        p->key = xstrdup(key);
        p->klen = kl;
        p->ascii = 1;
        for (const char *c = fl[2]; *c; c++)
            p->ascii &= (unsigned char)*c < 0x80;
        p->next = -1;
        p->weight = w;
        d->nphrases++;
    }
    if (!rc && (!d->phrases || !d->lure_ids || !d->lure_class || !cls_id || !cls_of || !tmp)) {
        *err = xstrdup("out of memory");
        rc = -1;
    }
    for (size_t k = 0; !rc && k < d->nlure_ids; k++) {
        d->lure_class[k] = "theme";
        for (size_t c = 0; c < ncls; c++)
            if (cls_id[c] && strcmp(cls_id[c], d->lure_ids[k]) == 0)
                d->lure_class[k] = cls_of[c];
    }
    int two = 0;
    for (size_t i = 0; !rc && i < d->nphrases; i++) {
        two |= d->phrases[i].key && d->phrases[i].klen == 2;
        d->short_keys |= d->phrases[i].key && d->phrases[i].klen < 2;
    }
    d->hc4_ok = !two;
    d->phrase_head = rc ? NULL : malloc(LURE_BUCKETS * sizeof *d->phrase_head);
    d->phrase_head2 = rc || !two ? NULL : malloc(LURE_BUCKETS * sizeof *d->phrase_head2);
    if (!rc && (!d->phrase_head || (two && !d->phrase_head2))) {
        *err = xstrdup("out of memory");
        rc = -1;
    }
    for (size_t k = 0; !rc && k < LURE_BUCKETS; k++) {
        d->phrase_head[k] = -1;
        if (d->phrase_head2)
            d->phrase_head2[k] = -1;
    }
    for (size_t i = d->nphrases; !rc && i-- > 0;) { /* chains in file order */
        lure_phrase *p = &d->phrases[i];
        if (p->klen < 2 || !p->key)
            continue;
        const unsigned char *k = (const unsigned char *)p->key;
        lanes_prefix4(k, p->klen, &p->pre, &p->pmask);
        for (unsigned c = 0; c < 256; c++) {
            uint32_t w3 = k[0] | (uint32_t)k[1] << 8 | (uint32_t)(p->klen > 2 ? k[2] : c) << 16;
            d->phrase_hc[LURE_HC(w3) >> 3] |= (unsigned char)(1u << (LURE_HC(w3) & 7));
            if (p->klen > 2)
                break;
        }
        for (unsigned c = 0; d->hc4_ok && c < 256; c++) {
            uint32_t w4 = k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 |
                          (uint32_t)(p->klen > 3 ? k[3] : c) << 24;
            d->phrase_hc4[LURE_HC4(w4) >> 3] |= (unsigned char)(1u << (LURE_HC4(w4) & 7));
            if (p->klen > 3)
                break;
        }
        d->phrase_pair[LURE_H2(k) >> 3] |= (unsigned char)(1u << (LURE_H2(k) & 7));
        if (p->klen > 2)
            d->phrase_h3[LURE_H3(k) >> 3] |= (unsigned char)(1u << (LURE_H3(k) & 7));
        int *head = p->klen == 2 ? &d->phrase_head2[LURE_H2(k) % LURE_BUCKETS]
                                 : &d->phrase_head[LURE_H3(k) % LURE_BUCKETS];
        p->next = *head;
        *head = (int)i;
    }
    for (size_t c = 0; cls_id && c < ncls; c++)
        free(cls_id[c]);
    free(cls_id);
    free(cls_of);
    arena_free(tmp);
    fclose(f);
    return rc;
}

static int load_typos(content_data *d, const char *dir, char **err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/typos.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        char buf[1200];
        snprintf(buf, sizeof buf, "%s: %s", path, strerror(errno));
        *err = xstrdup(buf);
        return -1;
    }
    d->typos = calloc(CONTENT_MAX_PHRASES, sizeof *d->typos);
    char line[LINE_MAX_BYTES];
    long ln = 0;
    int rc = 0;
    while (d->typos && fgets(line, sizeof line, f)) {
        ln++;
        chomp(line);
        if (!line[0] || line[0] == '#')
            continue;
        char *fl[3];
        int n = split_tabs(line, fl, 3);
        if (n < 2 || !fl[0][0] || !fl[1][0] || strcmp(fl[0], fl[1]) == 0) {
            set_err(err, "%s:%ld: want wrong<TAB>right<TAB>note", path, ln);
            rc = -1;
            break;
        }
        if (d->ntypos >= CONTENT_MAX_PHRASES) {
            set_err(err, "%s:%ld: too many lines", path, ln);
            rc = -1;
            break;
        }
        typo_pair *t = &d->typos[d->ntypos++];
        const unsigned char *w = (const unsigned char *)fl[0];
        if (strlen(fl[0]) < 3)
            d->typo_short = 1;
        else
            d->typo_h3[TYPO_H3(w) >> 3] |= (unsigned char)(1u << (TYPO_H3(w) & 7));
        for (const char *c = fl[0]; *c; c++)
            d->typo_ascii |= (unsigned char)*c < 0x80;
        t->wrong = xstrdup(fl[0]);
        t->right = xstrdup(fl[1]);
        t->note = xstrdup(n > 2 ? fl[2] : "");
    }
    if (!rc && !d->typos) {
        *err = xstrdup("out of memory");
        rc = -1;
    }
    fclose(f);
    return rc;
}

content_data *content_data_load(const char *data_dir, char **err)
{
    char *e = NULL;
    content_data *d = calloc(1, sizeof *d);
    if (!d) {
        if (err)
            *err = xstrdup("out of memory");
        return NULL;
    }
    if (load_lures(d, data_dir, &e) || load_typos(d, data_dir, &e) ||
        cnorm_build_tables(d, data_dir, &e)) {
        content_data_free(d);
        if (err)
            *err = e;
        else
            free(e);
        return NULL;
    }
    return d;
}

void content_data_free(content_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nphrases; i++) {
        free(d->phrases[i].lang);
        free(d->phrases[i].phrase);
        free(d->phrases[i].key);
    }
    free(d->phrases);
    for (size_t i = 0; i < d->nlure_ids; i++)
        free(d->lure_ids[i]);
    free(d->lure_ids);
    free(d->lure_class);
    free(d->phrase_head);
    free(d->phrase_head2);
    for (size_t i = 0; i < d->ntypos; i++) {
        free(d->typos[i].wrong);
        free(d->typos[i].right);
        free(d->typos[i].note);
    }
    free(d->typos);
    free(d->hant);
    free(d);
}

static int has(const char *hay, size_t hl, const char *needle)
{
    size_t nl = strlen(needle);
    return nl && hl >= nl && memmem(hay, hl, needle, nl) != NULL;
}

/* The phrases whose key starts at f[i] (i + 1 < flen): found[] marks them,
 * 1 = in the subject, 2 = in the body (a match must lie inside either). */
static inline __attribute__((always_inline)) void lure_try(const content_data *d,
                                                           const unsigned char *f, size_t flen,
                                                           size_t i, size_t subject_len,
                                                           unsigned char *found)
{
    unsigned h2 = LURE_H2(f + i);
    if (!(d->phrase_pair[h2 >> 3] & (1u << (h2 & 7))))
        return; /* no key starts with these two bytes */
    int pi = -1;
    if (i + 2 < flen) { /* and no key of 3+ bytes has the hash of these three */
        unsigned h3 = LURE_H3(f + i);
        if (d->phrase_h3[h3 >> 3] & (1u << (h3 & 7)))
            pi = d->phrase_head[h3 % LURE_BUCKETS];
    }
    if (pi < 0 && !d->phrase_head2)
        return;
    size_t end = i < subject_len ? subject_len : flen;
    uint32_t w = lanes_word4(f, i, flen); /* the pre-test */
    for (int pass = 0; pass < 2; pass++) {
        for (; pi >= 0; pi = d->phrases[pi].next) {
            const lure_phrase *p = &d->phrases[pi];
            if ((w & p->pmask) == p->pre && p->klen <= end - i &&
                (p->klen <= 4 || memcmp(f + i + 4, p->key + 4, p->klen - 4) == 0))
                found[pi] |= i < subject_len ? 1 : 2;
        }
        pi = d->phrase_head2 ? d->phrase_head2[h2 % LURE_BUCKETS] : -1;
    }
}

int content_lures(arena *a, const content_data *d, const char *folded, size_t flen,
                  size_t subject_len, content_result *out, unsigned char **found_out)
{
    size_t nl = d->nlure_ids;
    if (found_out)
        *found_out = NULL;
    if (!nl)
        return 0;
    content_lure_score *ls = arena_alloc(a, nl * sizeof *ls);
    kbuf *ev = calloc(nl, sizeof *ev);
    if (!ls || !ev) {
        free(ev);
        return -1;
    }
    for (size_t k = 0; k < nl; k++) {
        ls[k].id = d->lure_ids[k];
        ls[k].cls = d->lure_class[k];
        kbuf_init(&ev[k], 2048);
    }
    if (subject_len > flen)
        subject_len = flen;
    /* one pass over the text: at each byte, only the phrases whose key starts
     * with its two bytes are compared; a match must lie inside the subject or
     * inside the body. found[i]: 1 = in the subject, 2 = in the body */
    /* rounded up to eight bytes, zero past nphrases: read eight at a time below */
    unsigned char *found = arena_alloc(a, (d->nphrases + 8) & ~(size_t)7);
    if (!found) {
        for (size_t k = 0; k < nl; k++)
            kbuf_free(&ev[k]);
        free(ev);
        return -1;
    }
    const unsigned char *f = (const unsigned char *)folded;
    size_t i = 0;
    if (d->phrase_head && d->hc4_ok) {
        /* a position goes on only when some key starts with its four bytes
         * (one hash-bitmap test; English text is full of the first three
         * bytes of some key, far less of the first four). Four positions
         * from one eight-byte load, tested together: most fail all four. */
        const unsigned char *hc4 = d->phrase_hc4;
        for (; i + 8 <= flen; i += 4) {
            uint64_t x = lanes_load(f + i);
            unsigned h0 = LURE_HC4((uint32_t)x), h1 = LURE_HC4((uint32_t)(x >> 8)),
                     h2 = LURE_HC4((uint32_t)(x >> 16)), h3 = LURE_HC4((uint32_t)(x >> 24));
            unsigned b = (hc4[h0 >> 3] >> (h0 & 7) & 1) | (hc4[h1 >> 3] >> (h1 & 7) & 1) << 1 |
                         (hc4[h2 >> 3] >> (h2 & 7) & 1) << 2 | (hc4[h3 >> 3] >> (h3 & 7) & 1) << 3;
            for (; b; b &= b - 1)
                lure_try(d, f, flen, i + (size_t)__builtin_ctz(b), subject_len, found);
        }
        for (; i + 4 <= flen; i++) {
            uint32_t w4;
            memcpy(&w4, f + i, 4);
            unsigned h = LURE_HC4(w4);
            if (d->phrase_hc4[h >> 3] & (1u << (h & 7)))
                lure_try(d, f, flen, i, subject_len, found);
        }
    } else if (d->phrase_head) {
        /* the same with three bytes (a two-byte key allows any third) */
        for (; i + 4 <= flen; i++) {
            uint32_t w3;
            memcpy(&w3, f + i, 4);
            unsigned h = LURE_HC(w3);
            if (d->phrase_hc[h >> 3] & (1u << (h & 7)))
                lure_try(d, f, flen, i, subject_len, found);
        }
    }
    if (d->phrase_head)
        for (; i + 1 < flen; i++)
            lure_try(d, f, flen, i, subject_len, found);
    /* the phrases to score, in file order: those found (a short list),
     * or every phrase when some one-byte key is tested below */
    size_t nhit = 0;
    size_t *hit = NULL;
    if (!d->short_keys && d->phrase_head) {
        hit = arena_alloc_raw(a, (d->nphrases ? d->nphrases : 1) * sizeof *hit);
        if (!hit) {
            for (size_t k = 0; k < nl; k++)
                kbuf_free(&ev[k]);
            free(ev);
            return -1;
        }
        for (size_t i = 0; i < d->nphrases; i += 8) {
            /* the phrases whose byte is set: one bit (the high one) per byte */
            for (uint64_t w = lanes_nonzero(lanes_load(found + i)); w; w &= w - 1)
                hit[nhit++] = i + (size_t)__builtin_ctzll(w) / 8;
        }
    }
    for (size_t h = 0; h < (hit ? nhit : d->nphrases); h++) {
        size_t i = hit ? hit[h] : h;
        const lure_phrase *p = &d->phrases[i];
        int in_s, in_b;
        if (p->klen >= 2 && d->phrase_head) {
            in_s = found[i] & 1;
            in_b = found[i] & 2;
        } else { /* a one-byte key: not in the table */
            in_s = has(folded, subject_len, p->key);
            in_b = has(folded + subject_len, flen - subject_len, p->key);
        }
        if (!in_s && !in_b)
            continue;
        size_t k;
        for (k = 0; k < nl && ls[k].id != p->lure; k++)
            ;
        if (k == nl)
            continue;
        ls[k].score += p->weight + (in_s ? 0.5 * p->weight : 0);
        if (ev[k].len)
            kbuf_adds(&ev[k], "; ");
        kbuf_adds(&ev[k], p->phrase);
    }
    if (found_out)
        *found_out = found;
    /* keep lures with a score, best first (stable: file order on ties) */
    size_t n = 0;
    for (size_t k = 0; k < nl; k++) {
        if (ls[k].score <= 0)
            continue;
        ls[k].evidence = arena_strdup(a, kbuf_str(&ev[k]));
        ls[n++] = ls[k];
    }
    for (size_t k = 0; k < nl; k++)
        kbuf_free(&ev[k]);
    free(ev);
    for (size_t i = 1; i < n; i++) {
        content_lure_score t = ls[i];
        size_t j = i;
        while (j > 0 && ls[j - 1].score < t.score) {
            ls[j] = ls[j - 1];
            j--;
        }
        ls[j] = t;
    }
    out->lures = n ? ls : NULL;
    out->nlures = n;
    /* content.lure names the lure theme; spam phrase families and attachment
     * cues stay in lures[] only */
    for (size_t k = 0; k < n; k++) {
        if (strcmp(ls[k].cls, "spam") == 0 || strcmp(ls[k].cls, "attachment") == 0)
            continue;
        if (ls[k].score >= CONTENT_LURE_MIN) {
            out->lure = ls[k].id;
            out->lure_score = ls[k].score;
            out->lure_evidence = ls[k].evidence;
        }
        break;
    }
    return 0;
}

/* Rough frequency of a byte in mail text (ASCII letters either case), for
 * the anchor of ci_find: the rarer, the fewer stops. */
static int byte_weight(unsigned char c)
{
    static const unsigned char en[26] = {82, 15, 28, 43, 127, 22, 20, 61, 70, 2,  8,  40, 24,
                                         67, 75, 19, 1,  60, 63, 91, 28, 10, 24, 2,  20, 1};
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return en[(c | 0x20) - 'a'];
    if (c == ' ')
        return 180;
    if (c >= 0xE3 && c <= 0xEF)
        return 200; /* the lead byte of every kana and most Han */
    if (c >= 0x80 && c < 0xC0)
        return 30; /* a continuation byte */
    return 10;
}

/* Case-insensitive (ASCII) search for n, its byte n[j] sought first (the
 * matches come in the same order as from any other anchor: each match has
 * its anchor at start + j). */
static const char *ci_find(const char *h, size_t hl, const char *n, size_t nl, size_t j)
{
    if (!nl || nl > hl || j >= nl)
        return NULL;
    /* jump to the next possible anchor byte (memchr) instead of comparing at
     * every offset: this runs once per lure phrase over up to 1 MiB of text */
    unsigned char f0 = (unsigned char)n[j], f1 = f0;
    if (f0 >= 'A' && f0 <= 'Z')
        f1 = (unsigned char)(f0 + 32);
    else if (f0 >= 'a' && f0 <= 'z')
        f1 = (unsigned char)(f0 - 32);
    const char *lim = h + hl - nl + 1 + j; /* anchors at or after lim start too late */
    for (const char *a = h + j; a < lim; a++) {
        const char *c0 = memchr(a, f0, (size_t)(lim - a));
        if (f1 != f0) {
            const char *c1 = memchr(a, f1, (size_t)((c0 ? c0 : lim) - a));
            if (c1)
                c0 = c1;
        }
        if (!c0)
            return NULL;
        a = c0;
        const char *st = c0 - j;
        size_t k = 0;
        while (k < nl) {
            unsigned char x = (unsigned char)st[k], y = (unsigned char)n[k];
            if (x >= 'A' && x <= 'Z')
                x = (unsigned char)(x + 32);
            if (y >= 'A' && y <= 'Z')
                y = (unsigned char)(y + 32);
            if (x != y)
                break;
            k++;
        }
        if (k == nl)
            return st;
    }
    return NULL;
}

size_t content_lure_positions(const content_data *d, const char *nfkc, size_t len,
                              const char *id, const unsigned char *found, size_t *pos,
                              size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nphrases && n < max; i++) {
        const lure_phrase *p = &d->phrases[i];
        if (found && p->ascii && !found[i])
            continue;
        if (id && strcmp(p->lure, id) != 0)
            continue;
        if (p->weight < 1.0)
            continue;
        size_t pl = strlen(p->phrase), j = 0;
        for (size_t x = 1; x < pl; x++)
            if (byte_weight((unsigned char)p->phrase[x]) < byte_weight((unsigned char)p->phrase[j]))
                j = x;
        size_t off = 0;
        for (int rep = 0; rep < 8 && n < max && off < len; rep++) {
            const char *h = ci_find(nfkc + off, len - off, p->phrase, pl, j);
            if (!h)
                break;
            pos[n++] = (size_t)(h - nfkc);
            off = (size_t)(h - nfkc) + pl;
        }
    }
    return n;
}
