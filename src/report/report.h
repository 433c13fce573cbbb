/*
 * report.h - the analysis result every stage fills and every writer reads.
 * Owned by one arena; freed with kensa_report_free().
 */
#ifndef KENSA_REPORT_H
#define KENSA_REPORT_H

#include <stddef.h>

#include "../../include/kensa.h"
#include "../mime/message.h"
#include "../content/content.h"
#include "../intel/brand.h"
#include "../links/links.h"
#include "../online/online.h"
#include "../route/route.h"
#include "../route/sender.h"
#include "../verdict/verdict.h"
#include "../util/arena.h"

/* what intel knows about one link: its IP literal's network, lookalike, TLD */
typedef struct {
    unsigned asn;
    const char *as_org;
    char *country;
    const char *provider, *provider_kind;
    lookalike_hit lookalike;
    int has_lookalike;
    const char *tld_why; /* non-NULL when the TLD is in data/tlds.tsv */
    int random_domain;
    double random_score;
} link_facts;

struct kensa_report {
    arena *a;
    char *path;        /* as given, or NULL for stdin */
    char sha256[65];   /* of the raw input bytes */
    size_t size;       /* raw input size */
    km_message *msg;
    const char *ip_attribution; /* credit for the IP data (context-owned), "" when absent */
    const char *psl_date;
    route_result route;
    sender_result sender;
    content_result content;
    links_result links;
    link_facts *link_facts;  /* one per links.v[i] */
    char *text_defanged;     /* message.text with every URL defanged */
    brand_result brand;
    lookalike_hit from_lookalike; /* the From domain imitates a brand */
    int has_from_lookalike;
    int from_freemail;            /* the From domain is a free mailbox provider */
    int reply_to_freemail;        /* a Reply-To is a free mailbox outside the From domain */
    verdict_result verdict;
    online_result *online;   /* --online facts (src/online), NULL when offline */
};

/* Writers: each returns a malloc'd NUL-terminated string. */
char *report_json(const struct kensa_report *r, int pretty);
/* report_json, and its length in *len */
char *report_json_len(const struct kensa_report *r, int pretty, size_t *len);
/* The analyst's report (human.h builds it once; lang "ja"/"en"): terminal text
 * (color: ANSI colours), GitHub-flavoured Markdown, self-contained HTML. */
char *report_text(const struct kensa_report *r, const char *lang, int color);
char *report_md(const struct kensa_report *r, const char *lang);
char *report_html(const struct kensa_report *r, const char *lang);

#endif
