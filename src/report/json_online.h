/*
 * json_online.h - the --online facts in the JSON report (src/online).
 *
 * Contract fields filled: links[].ip, as_org, country, registered, age_days,
 * blocklists, live, final_url, screenshot; auth spf/dkim/dmarc with source
 * "verified". Placement: the contract's auth.spf/dkim/dmarc keep what the
 * receiving server said (source "header"); kensa's own results are in
 * auth.verified {spf, dkim[], dmarc, mail_from, helo}, each with source
 * "verified", and take the contract's place only where the header said
 * nothing. Details without a contract key go to links[].online and to the
 * top-level "online" object (null when the analysis was offline).
 */
#ifndef KENSA_JSON_ONLINE_H
#define KENSA_JSON_ONLINE_H

#include <jansson.h>

#include "../online/online.h"

/* Overlay the online facts of link i on its JSON object o (no-op when res is NULL). */
void report_json_online_link(json_t *o, const online_result *res, size_t i);
/* Add auth.verified and fill empty contract auth fields (no-op when res is NULL). */
void report_json_online_auth(json_t *auth, const online_result *res);
/* The top-level "online" object, or null. */
json_t *report_json_online(const online_result *res);

#endif
