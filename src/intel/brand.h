/*
 * brand.h - which brand a message claims to come from, whether that claim is
 * false, and whether a domain imitates a brand (lookalike) or sits under a TLD
 * that phishers favour. Brands, official domains, lookalike glue words and
 * risky TLDs are data (data/brands.tsv, data/lookalike_words.tsv,
 * data/tlds.tsv), loaded once and then read-only, so any number of threads may
 * share one brand_data. Text is matched after ICU NFKC + case folding, so
 * fullwidth, halfwidth katakana and case variants all count. These are facts
 * only; src/verdict turns them into findings and scores.
 */
#ifndef KENSA_BRAND_H
#define KENSA_BRAND_H

#include <stddef.h>

#include "../util/arena.h"

/* Limits: text beyond these is not scanned; more links are not looked at. */
#define BRAND_MAX_TEXT (256 * 1024)   /* bytes of each text field scanned */
#define BRAND_MAX_LINKS 64            /* link domains examined per message */
#define BRAND_MAX_MATCHES 256         /* name matches kept per field */
#define BRAND_MAX_DOMAIN 253          /* longer host names are ignored */

typedef struct brand_data brand_data; /* read-only after load; shared by threads */

/* Load data_dir/brands.tsv, data_dir/tlds.tsv and (optional)
 * data_dir/lookalike_words.tsv. NULL on error with *err a malloc'd message. */
brand_data *brand_data_load(const char *data_dir, char **err);
void brand_data_free(brand_data *d);

typedef struct {
    const char *id, *name_ja, *name_en, *phone;
    const char *const *official_domains; /* without the '!' (owned, not official) entries */
    size_t ndomains;
    const char *category, *source;
} brand_info; /* points into brand_data */

size_t brand_count(const brand_data *d);
const brand_info *brand_at(const brand_data *d, size_t i);
const brand_info *brand_by_id(const brand_data *d, const char *id);

/* 1 when domain (a host or registrable domain, any case, U- or A-label) is the
 * brand's own: equal to or under one of its official domains and not under one
 * of its '!' domains. */
int brand_domain_is_official(const brand_data *d, const brand_info *b, const char *domain);

typedef struct {
    const char *display_name, *subject, *text, *html_title; /* any may be NULL */
    const char *from_domain, *return_path_domain, *dkim_domain, *origin_rdns, *reply_to_domain;
    const char *const *link_domains; /* registrable domains of links (A-label) */
    size_t nlinks;
    const char *from_address;        /* optional, for evidence only */
} brand_input;

typedef struct {
    const brand_info *brand; /* NULL when no brand claimed */
    int score;               /* detection confidence (>= BI_CLAIM_MIN = 30 when claimed) */
    const char *claimed_in;  /* "display_name", "subject", "html_title", "body", "link_domain" */
    int impersonated;        /* claimed, but the sender or the links are not the brand's */
    int from_is_official, return_path_is_official, dkim_is_official;
    /* distinct link domains; foreign = neither the brand's nor another listed brand's */
    int links_official, links_total, links_foreign;
    int display_mismatch; /* display name claims the brand, From domain is not official */
    const char *foreign_link; /* first foreign link domain, or NULL */
    char *evidence;           /* one line, in the arena */
} brand_result;

/* Fills *out (strings in arena a). Returns 0, or -1 when the arena is full. */
int brand_detect(arena *a, const brand_data *d, const brand_input *in, brand_result *out);

/* Lookalike facts for one domain (registrable domain or host name):
 *   "token"     brand name or official domain inside an unrelated name (monex-jp.top)
 *   "homoglyph" same ICU confusable skeleton as an official name (rnonex, Cyrillic о)
 *   "punycode"  IDN whose Unicode form spells a brand name (マネックス.com)
 *   "edit"      Damerau-Levenshtein distance 1-2 from an official name (amazom.com)
 * Official and '!' domains of any brand never hit. */
typedef struct {
    const brand_info *brand;
    const char *kind;
    char *evidence;
} lookalike_hit;

/* 1 hit (filled *out), 0 none, -1 arena full. */
int brand_lookalike(arena *a, const brand_data *d, const char *domain, lookalike_hit *out);

/* 1 if tld ("top", ".top", "TOP" or a host whose last label is one) is listed in
 * data/tlds.tsv; *why (may be NULL) gets "level: sources". */
int brand_suspicious_tld(const brand_data *d, const char *tld, const char **why);

#endif
