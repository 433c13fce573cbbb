/*
 * trends.h - what the stored mail of a period says: counts by verdict,
 * impersonated brands against the period before, lure themes, origin
 * providers/ASNs/countries, lure link TLDs and domains, domain ages (when
 * online data recorded them), deadline patterns, brands and lures new to the
 * store, and example subjects (defanged) for the top brands.
 *
 * Periods are whole days, compared on the day of received_at in the mail's
 * own offset (for Japanese mail, the JST day). Definitions (also in the
 * README): brands count messages whose brand claim is false (impersonated),
 * whatever their verdict; total and verdicts count every stored analysis;
 * lures, origins, TLDs, domains, ages and deadlines count the unwanted mail
 * (verdict other than clean); a lure link is one whose domain is not the
 * claimed brand's own. Every string in a trends_model lives in its arena.
 */
#ifndef KENSA_TRENDS_H
#define KENSA_TRENDS_H

#include <stddef.h>

#include "../util/arena.h"
#include "store.h"

#define TRENDS_EXAMPLES 3    /* example subjects per top brand */
#define TRENDS_EXAMPLE_BRANDS 5 /* brands that get examples */
#define TRENDS_MAX_TOP 1000  /* --top bound */

typedef struct {
    const char *id;      /* brand id, lure id, provider name, country code, TLD, domain */
    const char *name;    /* brands: Japanese name */
    const char *name_en; /* brands: English name */
    long long asn;       /* providers: 0 when unknown */
    long long count, previous;
    const char *examples[TRENDS_EXAMPLES];
    int nexamples;
} trend_item;

typedef struct {
    trend_item *v;
    size_t n;
} trend_list;

enum { TV_PHISHING, TV_SPAM, TV_SUSPICIOUS, TV_CLEAN, TV_N };

typedef struct {
    arena *a;
    int week;        /* --week: headings say "this week" */
    int all;         /* no bounds given: everything stored, dated or not */
    int history;     /* mail stored before the period: "new" lists mean something */
    char since[11], until[11];           /* "" when the store is empty */
    char prev_since[11], prev_until[11]; /* the period of the same length before */
    long long total, prev_total, unwanted;
    long long impersonated; /* messages with an impersonated brand */
    long long verdicts[TV_N];
    trend_list brands, lures, providers, countries, tlds, domains, new_brands, new_lures;
    long long dl_with, dl_weekend, dl_month_end, dl_72h;
    long long ages_known, ages_under_30, ages_under_365, ages_older;
} trends_model;

typedef struct {
    const char *since, *until; /* "YYYY-MM-DD" or NULL */
    int week;
    size_t top;                /* rows per ranking (1..TRENDS_MAX_TOP) */
} trends_query;

/* "YYYY-MM-DD" -> days since 1970-01-01; -1 when not a valid date. */
long trends_parse_day(const char *s);

/* Run the queries. Returns 0, or -1 with *err (malloc'd). */
int trends_build(store *s, const trends_query *q, trends_model *out, char **err);
void trends_free(trends_model *m);

/* Writers (src/report/trends_*.c): malloc'd NUL-terminated text, NULL on OOM.
 * lang "ja" or "en". */
char *trends_json(const trends_model *m, const char *lang);
char *trends_md(const trends_model *m, const char *lang);
char *trends_html(const trends_model *m, const char *lang);
/* The generated paragraph, built from the numbers only. */
char *trends_paragraph(const trends_model *m, const char *lang);
/* Display name of a lure id ("mfa" -> 多要素認証), the id itself when unknown. */
const char *trends_lure_name(const char *id, const char *lang);

#endif
