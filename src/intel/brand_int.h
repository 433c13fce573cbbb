/*
 * brand_int.h - what brand.c (data, text matching, the claim) and lookalike.c
 * (domain lookalikes, risky TLDs) share. Not for other stages: use brand.h.
 * Everything in brand_data is written during brand_data_load() only.
 */
#ifndef KENSA_BRAND_INT_H
#define KENSA_BRAND_INT_H

#include <stddef.h>
#include <stdint.h>

#include <unicode/unorm2.h>
#include <unicode/uspoof.h>

#include "brand.h"

#define BI_MAX_LIST 32     /* aliases / domains per brand */
#define BI_ANY 0xFFFFFFFFu /* "any brand" for bi_domain_state */
#define BI_BODY_START 400  /* bytes of normalized body that count as its start */
#define BI_CLAIM_MIN 30    /* score needed to claim a brand */
#define BI_MAX_LABEL 63
#define BI_BUCKETS 4096u   /* pattern chains: 16 KB per table instead of 256 KB */

typedef struct {
    const char *s; /* normalized name */
    unsigned len, brand;
    unsigned char cs, bl, br, ascii; /* case-kept; needs ASCII boundary left / right */
    int next;                        /* next pattern in the same head_cf/head_cs bucket */
    uint32_t pre, pmask;             /* first min(len, 4) bytes, little-endian, and their mask */
} bpat;

typedef struct {
    const char *key;
    unsigned brand;
    int excluded;
} bdom;

typedef struct {
    const char **aliases;
    size_t naliases;
    const char **owned; /* '!' domains */
    size_t nowned;
} bi_extra;

typedef struct {
    const char *tld, *why;
} btld;

typedef struct {
    const char *s;
    unsigned len, brand;
    int strong;  /* long and distinctive: counts anywhere inside a label */
    int generic; /* a generic word ("!" in the word list): is_generic() at load */
} btoken;

typedef struct {
    const char *skel, *orig;
    unsigned brand;
} bskel;

typedef struct {
    const char *od; /* an official domain; NULL: empty slot */
    size_t len;
    unsigned brand, idx; /* its first place in brands[].official_domains */
} bofficial;

typedef struct {
    const char *label;
    unsigned len, brand;
    int generic; /* is_generic() at load, not once per checked domain */
    uint64_t cset; /* char_set() of label (lookalike.c): a cheap lower bound on edit distances */
} blabel;

struct brand_data {
    arena *mem;
    unsigned long serial; /* unique per load (from 1): keys the lookalike memo */
    brand_info *brands;
    bi_extra *bx;
    size_t nbrands;
    bpat *pats;
    size_t npats, patcap;
    /* first pattern per bucket (the first two bytes modulo BI_BUCKETS; the
     * four-byte pre-test tells patterns of a bucket apart) */
    int *head_cf, *head_cs;
    /* bit key (the first two bytes) set when some pattern starts with them:
     * 8 KB that stay in L1 while a text is scanned */
    unsigned char used_cf[65536 / 8], used_cs[65536 / 8];
    /* used_cf, and used_cs with its keys' bytes lowered: the key of the folded
     * text at a place where a pattern of either table matches (scan_both) */
    unsigned char used_any[65536 / 8];
    /* second pre-test after used_*: bit key set when a pattern of 2-3 bytes
     * starts with it (those always need the chain walk), and bit bi_h4() of
     * the first four bytes of every longer pattern (issue 8) */
    unsigned char short_cf[65536 / 8], short_cs[65536 / 8];
    unsigned char four_cf[65536 / 8], four_cs[65536 / 8];
    /* some pattern (cf / cs table) starts with a byte below 'A' / at or above 0x80:
     * when not, the scan skips such bytes eight at a time */
    unsigned char low_cf, low_cs, high_cf, high_cs;
    bdom *dom;
    size_t domcap;
    btld *tlds;
    size_t ntlds;
    char **words;
    size_t nwords;
    btoken *toks;
    size_t ntoks;
    bskel *skel;
    size_t skelcap;
    blabel *labels;
    size_t nlabels;
    /* tokens by the hash of their first two bytes (lookalike.c pair_hash):
     * first index per bucket and the next one, ascending, -1 ends */
    int *tok_head, *tok_next;
    /* indices of the labels check_edit() compares with (long enough, not
     * generic) ordered by (length, index); those of length L are
     * lab_order[lab_start[L] .. lab_start[L + 1]) */
    unsigned *lab_order;
    unsigned lab_start[BI_MAX_LABEL + 2];
    bofficial *offi; /* official domains by name (open addressing) */
    size_t officap;
    int offi_empty; /* an empty official domain exists: offi is not used */
    USpoofChecker *sc;
    /* skeleton of each ASCII character after extra_map (lookalike.c), when
     * that is ASCII of at most 7 bytes (len 0xFF: not, ask ICU) */
    char skel_ascii[128][8];
    unsigned char skel_ascii_len[128];
    const UNormalizer2 *nfkc, *nfkc_cf;
};

typedef struct {
    size_t start, len;
    unsigned brand;
    const char *text; /* into the folded text */
} bmatch_pub;

int bi_is_alnum(unsigned char c);
unsigned bi_hash(const char *s, size_t n);
int bi_host_lower(const char *in, char *buf);
char *bi_normalize(arena *a, const brand_data *d, const char *s, size_t n, int fold,
                   size_t *outlen);
int bi_domain_state(const brand_data *d, unsigned b, const char *host);
/* Name matches in s, longest first, overlaps removed; *folded (may be NULL) gets the
 * normalized text the offsets refer to. */
size_t bi_match_text(arena *a, const brand_data *d, const char *s, bmatch_pub *out,
                     const char **folded, size_t *flen);
/* Both normalized forms of s[0..n) (cut at BRAND_MAX_TEXT): *cf folded
 * (NFKC_Casefold), *ck case kept (NFKC), whitespace runs -> one space; NULL
 * on failure. *same: *cf is *ck with A-Z lowered, byte for byte. */
void bi_normalize_both(arena *a, const brand_data *d, const char *s, size_t n, char **cf,
                       size_t *n1, char **ck, size_t *n2, int *same);
/* 1 (default): non-ASCII text normalized character by character when every
 * character allows it; 0: always through ICU (tests compare). */
extern int bi_norm_fast;
/* 1 (default): one pass over the text for both pattern tables when the
 * folded text is the case-kept one lowered; 0: a pass per table (tests compare). */
extern int bi_scan_merged;
/* 1 (default): lookalike tokens and labels found through their indexes; 0:
 * scans of all (tests compare). */
extern int bi_lookalike_indexed;
int bi_lookalike_init(brand_data *d, char **err);
void bi_lookalike_free(brand_data *d);

#endif
