/*
 * lookalike.c - does a domain imitate a brand? Four tests, cheapest first:
 * brand token inside the label (long distinctive tokens anywhere, short or
 * generic ones only when the rest of the label is glue words from
 * data/lookalike_words.tsv), ICU confusable skeleton looked up in a hash of
 * the official names' skeletons, brand name in the Unicode form of an IDN,
 * and Damerau-Levenshtein distance to official labels. Official and '!'
 * domains never hit. Also the risky-TLD lookup (data/tlds.tsv).
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>

#include "../util/domain.h"
#include "brand_int.h"

#define TOKEN_STRONG_LEN 6 /* tokens this long count anywhere in a label */
#define EDIT1_MIN_LEN 6    /* official label length for distance 1 */
#define EDIT2_MIN_LEN 10   /* ... for distance 2 */
#define SKEL_MAX 256

/* The characters of s as a set of 64 bins (letters, digits and '-' have bins
 * of their own). A character of a that b lacks costs at least one edit, so
 * the distance between a and b is at least the larger of
 * popcount(A & ~B) and popcount(B & ~A); bins shared by several characters
 * only make that bound weaker, never wrong. */
static uint64_t char_set(const char *s, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i], b;
        if (c >= 'a' && c <= 'z')
            b = c - 'a';
        else if (c >= '0' && c <= '9')
            b = 26 + (c - '0');
        else if (c == '-')
            b = 36;
        else
            b = 37 + c % 27;
        m |= (uint64_t)1 << b;
    }
    return m;
}

/* the bucket (of 4096) of a token starting with bytes a, b: a label holds
 * the token only where the pair a, b occurs */
static inline unsigned pair_hash(unsigned char a, unsigned char b)
{
    return (a * 31u + b) & 4095;
}

/* more than max (1 or 2) bits set in m; without -mpopcnt a popcount is a call */
static inline int more_than(uint64_t m, unsigned max)
{
    m &= m - 1;
    if (max > 1)
        m &= m - 1;
    return m != 0;
}

/* Confusables uspoof's skeleton does not fold together (see DEPENDENCIES.md):
 * digit zero, digit one, Cyrillic pe, Cyrillic palochka. Applied to both sides. */
static const struct {
    const char *from, *to;
} extra_map[] = {{"0", "o"}, {"1", "l"}, {"\xd0\xbf", "n"}, {"\xd3\x8f", "l"}, {"\xd3\x80", "l"}};

static int is_generic(const brand_data *d, const char *s, size_t n)
{
    for (size_t i = 0; i < d->nwords; i++)
        if (d->words[i][0] == '!' && strlen(d->words[i] + 1) == n &&
            memcmp(d->words[i] + 1, s, n) == 0)
            return 1;
    return 0;
}

/* s[0..n) consists of glue words, digits and hyphens only (empty: yes). */
static int only_glue(const brand_data *d, const char *s, size_t n)
{
    unsigned char ok[BI_MAX_LABEL + 2] = {0};
    if (n > BI_MAX_LABEL)
        return 0;
    ok[0] = 1;
    for (size_t i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9'))
            ok[i + 1] = 1;
        for (size_t w = 0; w < d->nwords; w++) {
            const char *word = d->words[w];
            if (word[0] == '!')
                continue;
            size_t l = strlen(word);
            if (l && i + l <= n && memcmp(s + i, word, l) == 0)
                ok[i + l] = 1;
        }
    }
    return ok[n];
}

/* ASCII s: its skeleton put together from the characters' (UTS #39: NFD,
 * each code point mapped, NFD again; ASCII maps to ASCII and stays NFD).
 * -1: some character has no table entry; else as skeleton(). */
static int skeleton_ascii(const brand_data *d, const char *s, char *out, size_t cap)
{
    size_t w = 0, k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, k++) {
        if (*p >= 0x80 || d->skel_ascii_len[*p] == 0xFF)
            return -1;
        if (k + 1 >= SKEL_MAX) /* skeleton()'s own limit on the mapped text */
            return 0;
        size_t l = d->skel_ascii_len[*p];
        if (w + l >= cap)
            return 0;
        memcpy(out + w, d->skel_ascii[*p], l);
        w += l;
    }
    out[w] = '\0';
    return w > 0;
}

/* Skeleton of UTF-8 s (after extra_map) into out; 0 on failure. */
static int skeleton(const brand_data *d, const char *s, char *out, size_t cap)
{
    int r = skeleton_ascii(d, s, out, cap);
    if (r >= 0)
        return r;
    char tmp[SKEL_MAX];
    size_t w = 0;
    for (const char *p = s; *p;) {
        int done = 0;
        for (size_t i = 0; i < sizeof extra_map / sizeof *extra_map && !done; i++) {
            size_t l = strlen(extra_map[i].from);
            if (strncmp(p, extra_map[i].from, l) == 0) {
                size_t tl = strlen(extra_map[i].to);
                if (w + tl >= sizeof tmp)
                    return 0;
                memcpy(tmp + w, extra_map[i].to, tl);
                w += tl;
                p += l;
                done = 1;
            }
        }
        if (!done) {
            if (w + 1 >= sizeof tmp)
                return 0;
            tmp[w++] = *p++;
        }
    }
    tmp[w] = '\0';
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = uspoof_getSkeletonUTF8(d->sc, 0, tmp, (int32_t)w, out, (int32_t)cap, &st);
    return U_SUCCESS(st) && n > 0 && (size_t)n < cap;
}

static void skel_insert(brand_data *d, const char *orig, unsigned brand)
{
    char sk[SKEL_MAX];
    if (!skeleton(d, orig, sk, sizeof sk))
        return;
    size_t mask = d->skelcap - 1, i = bi_hash(sk, strlen(sk)) & mask;
    for (size_t k = 0; d->skel[i].skel && k <= mask; i = (i + 1) & mask, k++)
        if (d->skel[i].brand == brand && strcmp(d->skel[i].skel, sk) == 0)
            return;
    if (d->skel[i].skel)
        return;
    d->skel[i].skel = arena_strdup(d->mem, sk);
    d->skel[i].orig = orig;
    d->skel[i].brand = brand;
}

/* Lowercase a-z0-9- form of an ASCII name ("Apple ID" -> "appleid"); NULL if
 * not ASCII or shorter than 3. */
static char *token_form(arena *a, const char *s, int keep_hyphen)
{
    char buf[BI_MAX_LABEL + 1];
    size_t w = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80)
            return NULL;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && keep_hyphen)) {
            if (w >= BI_MAX_LABEL)
                return NULL;
            buf[w++] = (char)c;
        }
    }
    while (w && buf[w - 1] == '-')
        w--;
    size_t st = 0;
    while (st < w && buf[st] == '-')
        st++;
    return w - st >= 3 ? arena_strndup(a, buf + st, w - st) : NULL;
}

static void add_token(brand_data *d, size_t cap, const char *t, unsigned brand)
{
    if (!t || d->ntoks >= cap)
        return;
    /* a brand's tokens are added together, so its duplicates are at the end */
    for (size_t i = d->ntoks; i-- > 0 && d->toks[i].brand == brand;)
        if (strcmp(d->toks[i].s, t) == 0)
            return;
    btoken *k = &d->toks[d->ntoks++];
    k->s = t;
    k->len = (unsigned)strlen(t);
    k->brand = brand;
    k->generic = is_generic(d, t, k->len);
    k->strong = k->len >= TOKEN_STRONG_LEN && !k->generic;
}

/* label of a registrable domain: "monex" of "monex.co.jp"; NULL when dom is a
 * subdomain (dcard.docomo.ne.jp names docomo, not dカード) */
static char *reg_label(arena *a, const char *dom)
{
    char *r = domain_registrable(a, dom);
    if (!r || strcmp(r, dom) != 0)
        return NULL;
    char *dot = strchr(r, '.');
    if (dot)
        *dot = '\0';
    return r;
}

int bi_lookalike_init(brand_data *d, char **err)
{
    UErrorCode st = U_ZERO_ERROR;
    d->sc = uspoof_open(&st);
    if (U_FAILURE(st)) {
        *err = strdup("ICU uspoof_open failed");
        return -1;
    }
    /* the ASCII skeleton table (an entry of 0xFF: not used, ICU decides) */
    for (unsigned c = 0; c < 128; c++) {
        d->skel_ascii_len[c] = 0xFF;
        if (c == 0)
            continue;
        char in[2] = {(char)c, 0}, out[16];
        for (size_t i = 0; i < sizeof extra_map / sizeof *extra_map; i++)
            if (strcmp(in, extra_map[i].from) == 0)
                in[0] = extra_map[i].to[0]; /* the ASCII entries map to one byte */
        UErrorCode st2 = U_ZERO_ERROR;
        int32_t n = uspoof_getSkeletonUTF8(d->sc, 0, in, 1, out, (int32_t)sizeof out, &st2);
        if (U_FAILURE(st2) || n < 0 || n > 7)
            continue;
        int ok = 1;
        for (int32_t i = 0; i < n; i++)
            ok &= (unsigned char)out[i] < 0x80;
        if (ok) {
            memcpy(d->skel_ascii[c], out, (size_t)n);
            d->skel_ascii_len[c] = (unsigned char)n;
        }
    }
    /* two token forms per official domain, English name and alias; a label per domain */
    size_t cap = 0, ndom = 0;
    for (unsigned b = 0; b < d->nbrands; b++) {
        ndom += d->brands[b].ndomains;
        cap += 2 * (d->brands[b].ndomains + 1 + d->bx[b].naliases);
    }
    d->toks = arena_alloc(d->mem, (cap ? cap : 1) * sizeof *d->toks);
    d->labels = arena_alloc(d->mem, (ndom ? ndom : 1) * sizeof *d->labels);
    if (!d->toks || !d->labels) {
        *err = strdup("out of memory");
        return -1;
    }
    for (unsigned b = 0; b < d->nbrands; b++) {
        const brand_info *bi = &d->brands[b];
        for (size_t i = 0; i < bi->ndomains; i++) {
            char *l = reg_label(d->mem, bi->official_domains[i]);
            if (!l)
                continue;
            int dup = 0;
            for (size_t j = d->nlabels; j-- > 0 && d->labels[j].brand == b && !dup;)
                dup = strcmp(d->labels[j].label, l) == 0; /* b's labels are the last ones */
            if (!dup) {
                d->labels[d->nlabels].label = l;
                d->labels[d->nlabels].len = (unsigned)strlen(l);
                d->labels[d->nlabels].brand = b;
                d->labels[d->nlabels].generic = is_generic(d, l, strlen(l));
                d->labels[d->nlabels].cset = char_set(l, strlen(l));
                d->nlabels++;
            }
            add_token(d, cap, token_form(d->mem, l, 1), b);
            add_token(d, cap, token_form(d->mem, l, 0), b);
        }
        const char *names[BI_MAX_LIST + 2];
        size_t nn = 0;
        names[nn++] = bi->name_en;
        for (size_t i = 0; i < d->bx[b].naliases && nn < BI_MAX_LIST + 2; i++)
            names[nn++] = d->bx[b].aliases[i];
        for (size_t i = 0; i < nn; i++) {
            add_token(d, cap, token_form(d->mem, names[i], 1), b);
            add_token(d, cap, token_form(d->mem, names[i], 0), b);
        }
    }
    /* official domains by name, for the "spelled out in front" test */
    size_t nod = 0;
    for (unsigned b = 0; b < d->nbrands; b++)
        nod += d->brands[b].ndomains;
    d->officap = 64;
    while (d->officap < nod * 2)
        d->officap *= 2;
    d->offi = arena_alloc(d->mem, d->officap * sizeof *d->offi);
    if (!d->offi) {
        *err = strdup("out of memory");
        return -1;
    }
    for (unsigned b = 0; b < d->nbrands; b++)
        for (size_t i = 0; i < d->brands[b].ndomains; i++) {
            const char *od = d->brands[b].official_domains[i];
            size_t ol = strlen(od);
            if (!ol)
                d->offi_empty = 1;
            size_t mask = d->officap - 1, h = bi_hash(od, ol) & mask;
            while (d->offi[h].od && strcmp(d->offi[h].od, od) != 0)
                h = (h + 1) & mask;
            if (!d->offi[h].od) /* the first place wins, as in the scan order */
                d->offi[h] = (bofficial){od, ol, b, (unsigned)i};
        }
    d->skelcap = 64;
    while (d->skelcap < (d->ntoks + d->nlabels) * 2)
        d->skelcap *= 2;
    d->skel = arena_alloc(d->mem, d->skelcap * sizeof *d->skel);
    if (!d->skel) {
        *err = strdup("out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->nlabels; i++)
        skel_insert(d, d->labels[i].label, d->labels[i].brand);
    for (size_t i = 0; i < d->ntoks; i++)
        if (d->toks[i].len >= 4)
            skel_insert(d, d->toks[i].s, d->toks[i].brand);
    /* the token buckets and the labels by length, for check_token / check_edit */
    d->tok_head = arena_alloc(d->mem, 4096 * sizeof *d->tok_head);
    d->tok_next = arena_alloc(d->mem, (d->ntoks + 1) * sizeof *d->tok_next);
    d->lab_order = arena_alloc(d->mem, (d->nlabels + 1) * sizeof *d->lab_order);
    if (!d->tok_head || !d->tok_next || !d->lab_order) {
        *err = strdup("out of memory");
        return -1;
    }
    for (size_t h = 0; h < 4096; h++)
        d->tok_head[h] = -1;
    for (size_t i = d->ntoks; i-- > 0;) { /* prepended: each chain ascending */
        unsigned h = pair_hash((unsigned char)d->toks[i].s[0], (unsigned char)d->toks[i].s[1]);
        d->tok_next[i] = d->tok_head[h];
        d->tok_head[h] = (int)i;
    }
    unsigned w = 0;
    for (unsigned len = 0; len <= BI_MAX_LABEL; len++) {
        d->lab_start[len] = w;
        for (size_t i = 0; i < d->nlabels; i++) /* those check_edit may take */
            if (d->labels[i].len == len && len >= EDIT1_MIN_LEN && !d->labels[i].generic)
                d->lab_order[w++] = (unsigned)i;
    }
    d->lab_start[BI_MAX_LABEL + 1] = w; /* longer labels never pass osa() */
    return 0;
}

void bi_lookalike_free(brand_data *d)
{
    if (d && d->sc)
        uspoof_close(d->sc);
}

/* --- the tests ------------------------------------------------------------ */

/* The longest token the label holds as a lookalike (of equal ones the first
 * in token order, as a scan of all tokens in order that keeps only longer
 * ones would pick). Only the tokens whose first two bytes occur in the label
 * (their bucket) are looked at. */
/* 1 (default): tokens by bucket and labels by length; 0: the plain scans of
 * all of them (tests compare) */
int bi_lookalike_indexed = 1;

/* Does token k occur in label (n bytes) as a lookalike? */
static int token_hits(const brand_data *d, const btoken *k, const char *label, size_t n,
                      int risky_tld)
{
    for (const char *p = strstr(label, k->s); p; p = strstr(p + 1, k->s)) {
        size_t i = (size_t)(p - label), j = i + k->len;
        int hit;
        if (i == 0 && j == n) /* the brand's name under another suffix */
            hit = !k->generic && (k->len > 3 || risky_tld);
        else if (k->strong)
            hit = 1;
        else
            hit = only_glue(d, label, i) && only_glue(d, label + j, n - j);
        if (hit)
            return 1;
    }
    return 0;
}

/* check_token as a scan of all tokens in order */
static int check_token_plain(const brand_data *d, const char *label, int risky_tld,
                             unsigned *brand, const char **tok)
{
    size_t n = strlen(label);
    for (size_t t = 0; t < d->ntoks; t++) {
        const btoken *k = &d->toks[t];
        if (k->len > n || (*tok && k->len <= strlen(*tok)))
            continue;
        if (token_hits(d, k, label, n, risky_tld)) {
            *brand = k->brand; /* the longest token wins: smbc-card over smbc */
            *tok = k->s;
        }
    }
    return *tok != NULL;
}

static int check_token(const brand_data *d, const char *label, int risky_tld, unsigned *brand,
                       const char **tok)
{
    if (!bi_lookalike_indexed)
        return check_token_plain(d, label, risky_tld, brand, tok);
    size_t n = strlen(label);
    unsigned char seen[512];
    memset(seen, 0, sizeof seen);
    long best = -1;
    for (size_t i = 0; i + 1 < n; i++) {
        unsigned h = pair_hash((unsigned char)label[i], (unsigned char)label[i + 1]);
        if (seen[h >> 3] & (1u << (h & 7)))
            continue;
        seen[h >> 3] |= (unsigned char)(1u << (h & 7));
        for (int t = d->tok_head[h]; t >= 0; t = d->tok_next[t]) {
            const btoken *k = &d->toks[t];
            if (k->len > n ||
                (best >= 0 && (k->len < d->toks[best].len ||
                               (k->len == d->toks[best].len && t > best))))
                continue; /* cannot replace the best so far */
            if (token_hits(d, k, label, n, risky_tld))
                best = t; /* the longest token wins: smbc-card over smbc */
        }
    }
    if (best < 0)
        return 0;
    *brand = d->toks[best].brand;
    *tok = d->toks[best].s;
    return 1;
}

static const bskel *skel_find(const brand_data *d, const char *sk)
{
    size_t mask = d->skelcap - 1;
    for (size_t i = bi_hash(sk, strlen(sk)) & mask, k = 0; d->skel[i].skel && k <= mask;
         i = (i + 1) & mask, k++)
        if (strcmp(d->skel[i].skel, sk) == 0)
            return &d->skel[i];
    return NULL;
}

/* ulabel: folded Unicode label. Checks it and its hyphen-separated parts. */
static const bskel *check_skeleton(const brand_data *d, const char *ulabel)
{
    char part[SKEL_MAX], sk[SKEL_MAX];
    size_t n = strlen(ulabel);
    if (n >= sizeof part)
        return NULL;
    for (size_t s = 0, e; s <= n; s = e + 1) {
        const char *h = strchr(ulabel + s, '-');
        e = h ? (size_t)(h - ulabel) : n;
        size_t pl = e - s;
        for (int whole = 0; whole < 2; whole++) {
            const char *c = whole ? ulabel : part;
            if (whole && s > 0)
                break;
            if (!whole) {
                memcpy(part, ulabel + s, pl);
                part[pl] = '\0';
            }
            size_t cl = strlen(c);
            int ascii = 1;
            for (size_t i = 0; i < cl; i++)
                ascii &= (unsigned char)c[i] < 0x80;
            if (cl < 3 || !skeleton(d, c, sk, sizeof sk))
                continue;
            const bskel *f = skel_find(d, sk);
            if (f && strcmp(f->orig, c) != 0 && (!ascii || strlen(f->orig) >= 5))
                return f;
        }
        if (!h)
            break;
    }
    return NULL;
}

/* Optimal string alignment distance, capped: returns max+1 when larger. */
static unsigned osa(const char *a, size_t n, const char *b, size_t m, unsigned max)
{
    unsigned dp[3][BI_MAX_LABEL + 2];
    if (n > BI_MAX_LABEL || m > BI_MAX_LABEL)
        return max + 1;
    if ((n > m ? n - m : m - n) > max)
        return max + 1;
    unsigned *p2 = dp[0], *p1 = dp[1], *cur = dp[2];
    for (size_t j = 0; j <= m; j++)
        p1[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        unsigned rowmin = cur[0];
        for (size_t j = 1; j <= m; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = p1[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (p1[j - 1] + cost < v)
                v = p1[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                p2[j - 2] + 1 < v)
                v = p2[j - 2] + 1;
            cur[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
        unsigned *t = p2;
        p2 = p1;
        p1 = cur;
        cur = t;
    }
    return p1[m];
}

static const blabel *check_edit(const brand_data *d, const char *label, unsigned *dist)
{
    size_t n = strlen(label);
    for (size_t s = 0, e; s <= n; s = e + 1) {
        const char *h = strchr(label + s, '-');
        e = h ? (size_t)(h - label) : n;
        const char *c = label + s;
        size_t cl = e - s;
        for (int whole = 0; whole < 2; whole++) {
            if (whole) {
                if (s > 0 || !h)
                    break;
                c = label;
                cl = n;
            }
            if (cl < 5)
                continue;
            uint64_t cs = char_set(c, cl);
            if (!bi_lookalike_indexed) { /* the plain scan of all labels */
                for (size_t i = 0; i < d->nlabels; i++) {
                    const blabel *l = &d->labels[i];
                    if (l->len < EDIT1_MIN_LEN || l->generic)
                        continue;
                    unsigned max = l->len >= EDIT2_MIN_LEN ? 2 : 1;
                    if ((cl > l->len ? cl - l->len : l->len - cl) > max ||
                        more_than(cs & ~l->cset, max) || more_than(l->cset & ~cs, max))
                        continue; /* osa() would return more than max */
                    unsigned dd = osa(c, cl, l->label, l->len, max);
                    if (dd >= 1 && dd <= max) {
                        *dist = dd;
                        return l;
                    }
                }
                continue;
            }
            /* the first label in label order within reach: only lengths
             * cl - 2 .. cl + 2 can be (osa() is at least the difference) */
            const blabel *found = NULL;
            unsigned fdist = 0;
            for (size_t len = cl - 2; len <= cl + 2 && len <= BI_MAX_LABEL; len++) {
                /* (the index holds labels of EDIT1_MIN_LEN or more, not generic) */
                unsigned max = len >= EDIT2_MIN_LEN ? 2 : 1;
                if ((cl > len ? cl - len : len - cl) > max)
                    continue; /* osa() would return more than max */
                for (unsigned o = d->lab_start[len]; o < d->lab_start[len + 1]; o++) {
                    const blabel *l = &d->labels[d->lab_order[o]];
                    if (found && l > found)
                        break; /* ascending within a length */
                    if (more_than(cs & ~l->cset, max) || more_than(l->cset & ~cs, max))
                        continue; /* osa() would return more than max */
                    unsigned dd = osa(c, cl, l->label, l->len, max);
                    if (dd >= 1 && dd <= max) {
                        found = l;
                        fdist = dd;
                        break;
                    }
                }
            }
            if (found) {
                *dist = fdist;
                return found;
            }
        }
        if (!h)
            break;
    }
    return NULL;
}

/* Where lookalike_compute allocates: the arena given (own 0), or one of its
 * own made on first use (own 1) - most names (ASCII, no hit) need none. */
typedef struct {
    arena *a;
    int own;
} scratch;

static arena *scratch_get(scratch *s)
{
    if (!s->a && s->own)
        s->a = arena_new(16u << 20);
    return s->a;
}

/* domain_ascii(domain) into buf (room for strlen(domain) + 1) when domain is
 * ASCII: the copy without trailing dots, lowercased unless an IP literal.
 * 1 done, 0 no name (domain_ascii gives NULL), -1 not ASCII. */
static int ascii_host(const char *domain, char *buf)
{
    size_t n = 0;
    for (; domain[n]; n++)
        if ((unsigned char)domain[n] >= 0x80)
            return -1;
    memcpy(buf, domain, n + 1);
    while (n && buf[n - 1] == '.')
        buf[--n] = '\0';
    if (!n)
        return 0;
    if (domain_ip_family(buf))
        return 1;
    for (size_t i = 0; i < n; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z')
            buf[i] = (char)(buf[i] - 'A' + 'a');
    return 1;
}

/* 1 hit, 0 none, -1 arena full or no scratch arena */
static int lookalike_compute(scratch *sa, const brand_data *d, const char *domain,
                             lookalike_hit *out)
{
    memset(out, 0, sizeof *out);
    if (!d || !domain || strnlen(domain, BRAND_MAX_DOMAIN * 4 + 1) > BRAND_MAX_DOMAIN * 4)
        return 0;
    char hbuf[BRAND_MAX_DOMAIN * 4 + 1];
    const char *host = hbuf;
    int ah = ascii_host(domain, hbuf);
    if (ah < 0) {
        arena *t = scratch_get(sa);
        if (!t)
            return -1;
        host = domain_ascii(t, domain);
    } else if (ah == 0) {
        host = NULL;
    }
    char low[BRAND_MAX_DOMAIN + 1];
    if (!host || domain_ip_family(host) || !bi_host_lower(host, low))
        return 0;
    if (bi_domain_state(d, BI_ANY, low) != 0)
        return 0;
    char rbuf[BRAND_MAX_DOMAIN + 1];
    const char *reg = rbuf;
    int rr = domain_registrable_buf(low, rbuf, sizeof rbuf);
    if (rr < 0) {
        arena *t = scratch_get(sa);
        if (!t)
            return -1;
        reg = domain_registrable(t, low);
    } else if (rr == 0) {
        reg = NULL;
    }
    if (!reg || bi_domain_state(d, BI_ANY, reg) != 0)
        return 0;
    arena *a = NULL; /* for the evidence and IDN labels, got when needed */
    char *dot = strchr(reg, '.');
    if (!dot || dot == reg || (size_t)(dot - reg) > BI_MAX_LABEL)
        return 0;
    const char *suffix = dot + 1;
    char label[BI_MAX_LABEL + 1];
    memcpy(label, reg, (size_t)(dot - reg));
    label[dot - reg] = '\0';

    /* an official domain spelled out in front of an unrelated one: a run of
     * whole labels (split at '.' and '-') ending before the registrable part */
    size_t hl = strlen(low), rl = strlen(reg);
    if (hl > rl) {
        const bofficial *best = NULL;
        bofficial scanned;
        if (d->offi_empty) { /* the plain scan, in brand and list order */
            for (size_t b = 0; b < d->nbrands && !best; b++)
                for (size_t i = 0; i < d->brands[b].ndomains && !best; i++) {
                    const char *od = d->brands[b].official_domains[i];
                    size_t ol = strlen(od);
                    for (const char *p = strstr(low, od); p && !best; p = strstr(p + 1, od))
                        if ((p == low || p[-1] == '.' || p[-1] == '-') &&
                            (p[ol] == '.' || p[ol] == '-') && p + ol < low + hl - rl) {
                            scanned = (bofficial){od, ol, (unsigned)b, (unsigned)i};
                            best = &scanned;
                        }
                }
        } else {
            size_t mask = d->officap - 1;
            for (size_t s = 0; s < hl; s++) {
                if (s > 0 && low[s - 1] != '.' && low[s - 1] != '-')
                    continue;
                for (size_t e = s + 1; e < hl - rl; e++) {
                    if (low[e] != '.' && low[e] != '-')
                        continue;
                    for (size_t h = bi_hash(low + s, e - s) & mask; d->offi[h].od;
                         h = (h + 1) & mask) {
                        const bofficial *o = &d->offi[h];
                        if (o->len != e - s || memcmp(o->od, low + s, e - s) != 0)
                            continue;
                        if (!best || o->brand < best->brand ||
                            (o->brand == best->brand && o->idx < best->idx))
                            best = o;
                        break;
                    }
                }
            }
        }
        if (best) {
            if (!(a = scratch_get(sa)))
                return -1;
            out->brand = &d->brands[best->brand];
            out->kind = "token";
            out->evidence = arena_printf(a, "%s contains the official domain %s (%s)", low,
                                         best->od, d->brands[best->brand].name_ja);
            return out->evidence ? 1 : -1;
        }
    }

    const char *why = NULL;
    int risky = brand_suspicious_tld(d, suffix, &why);
    unsigned b;
    const char *tok = NULL;
    if (check_token(d, label, risky, &b, &tok)) {
        if (!(a = scratch_get(sa)))
            return -1;
        out->brand = &d->brands[b];
        out->kind = "token";
        out->evidence = arena_printf(a, "%s contains %s (%s, official %s)", reg, tok,
                                     out->brand->name_ja, out->brand->official_domains[0]);
        return out->evidence ? 1 : -1;
    }

    int idn = strncmp(label, "xn--", 4) == 0;
    /* an ASCII label from low is its own normalized form: lowercase, no spaces */
    char *fl = label;
    if (idn) {
        if (!(a = scratch_get(sa)))
            return -1;
        char *ulabel = domain_unicode(a, label);
        fl = ulabel ? bi_normalize(a, d, ulabel, strlen(ulabel), 1, NULL) : NULL;
    }
    if (fl) {
        const bskel *f = check_skeleton(d, fl);
        if (f) {
            if (!(a = scratch_get(sa)))
                return -1;
            out->brand = &d->brands[f->brand];
            out->kind = "homoglyph";
            out->evidence =
                arena_printf(a, "%s%s%s%s looks like %s (%s, official %s)", reg,
                             idn ? " (" : "", idn ? fl : "", idn ? ")" : "", f->orig,
                             out->brand->name_ja, out->brand->official_domains[0]);
            return out->evidence ? 1 : -1;
        }
    }
    if (idn && fl) {
        bmatch_pub m[BRAND_MAX_MATCHES];
        size_t nm = bi_match_text(a, d, fl, m, NULL, NULL);
        if (nm) {
            out->brand = &d->brands[m[0].brand];
            out->kind = "punycode";
            out->evidence = arena_printf(a, "%s displays as %s.%s (%s, official %s)", reg, fl,
                                         suffix, out->brand->name_ja,
                                         out->brand->official_domains[0]);
            return out->evidence ? 1 : -1;
        }
    }
    if (!idn) {
        unsigned dist = 0;
        const blabel *l = check_edit(d, label, &dist);
        if (l) {
            if (!(a = scratch_get(sa)))
                return -1;
            out->brand = &d->brands[l->brand];
            out->kind = "edit";
            out->evidence = arena_printf(a, "%s is %u edit%s from %s (%s, official %s)", reg,
                                         dist, dist > 1 ? "s" : "", l->label,
                                         out->brand->name_ja, out->brand->official_domains[0]);
            return out->evidence ? 1 : -1;
        }
    }
    return 0;
}

/* brand_lookalike() is a function of the data and the domain name, and a
 * batch of mails repeats its sender and link domains (1000 bench mails: 5053
 * look-ups, 1151 names): each thread keeps the last answers, direct-mapped,
 * keyed by brand_data serial and the exact name. */
#define LK_MEMO 256
#define LK_DOM_MAX 95
#define LK_EV_MAX 383
typedef struct {
    unsigned long serial; /* 0: empty */
    int hit;
    unsigned brand;
    const char *kind;
    char dom[LK_DOM_MAX + 1];
    char ev[LK_EV_MAX + 1];
} lk_memo;
static _Thread_local lk_memo lk_cache[LK_MEMO];

int brand_lookalike(arena *a, const brand_data *d, const char *domain, lookalike_hit *out)
{
    memset(out, 0, sizeof *out);
    if (!a || !d || !domain)
        return 0;
    size_t dl = strnlen(domain, LK_DOM_MAX + 1);
    if (dl > LK_DOM_MAX) {
        scratch sa = {a, 0};
        return lookalike_compute(&sa, d, domain, out);
    }
    lk_memo *m = &lk_cache[bi_hash(domain, dl) % LK_MEMO];
    if (m->serial == d->serial && memcmp(m->dom, domain, dl + 1) == 0) {
        if (!m->hit)
            return 0;
        out->brand = &d->brands[m->brand];
        out->kind = m->kind;
        out->evidence = arena_strdup(a, m->ev);
        return out->evidence ? 1 : -1;
    }
    /* computed in an arena of its own (made when first needed), so that a
     * full arena a cannot make a wrong answer that is then remembered */
    scratch st = {NULL, 1};
    lookalike_hit h;
    int r = lookalike_compute(&st, d, domain, &h);
    arena *t = st.a;
    if (r < 0) {
        arena_free(t);
        scratch sa = {a, 0};
        return lookalike_compute(&sa, d, domain, out);
    }
    if (r == 0 || strlen(h.evidence) <= LK_EV_MAX) {
        m->serial = d->serial;
        m->hit = r;
        memcpy(m->dom, domain, dl + 1);
        if (r) {
            m->brand = (unsigned)(h.brand - d->brands);
            m->kind = h.kind;
            memcpy(m->ev, h.evidence, strlen(h.evidence) + 1);
        }
    }
    if (r == 1) {
        out->brand = h.brand;
        out->kind = h.kind;
        out->evidence = arena_strdup(a, h.evidence);
        r = out->evidence ? 1 : -1;
    }
    arena_free(t);
    return r;
}

static int cmp_key(const void *k, const void *e)
{
    return strcmp((const char *)k, ((const btld *)e)->tld);
}

int brand_suspicious_tld(const brand_data *d, const char *tld, const char **why)
{
    if (why)
        *why = NULL;
    if (!d || !tld)
        return 0;
    const char *dot = strrchr(tld, '.');
    if (dot && dot[1])
        tld = dot + 1;
    char low[BRAND_MAX_DOMAIN + 1];
    if (!bi_host_lower(tld, low))
        return 0;
    const btld *t = bsearch(low, d->tlds, d->ntlds, sizeof *d->tlds, cmp_key);
    if (!t)
        return 0;
    if (why)
        *why = t->why;
    return 1;
}
