/*
 * enrich.h - the offline intel stage: what kensa knows, without the network,
 * about the origin IP (ASN, organisation, country, provider) and about every
 * link (its IP literal's network, lookalike of a brand, risky TLD, random-
 * looking name), and which brand the mail claims. Reads earlier stages only.
 */
#ifndef KENSA_ENRICH_H
#define KENSA_ENRICH_H

#include "../content/content.h"
#include "../report/report.h"
#include "brand.h"
#include "ipintel.h"

int enrich_origin(arena *a, const intel_data *d, route_result *rt);
int enrich_links(arena *a, const intel_data *ip, const brand_data *bd, const links_result *links,
                 link_facts **out);
int enrich_sender_lookalike(arena *a, const brand_data *bd, struct kensa_report *r);
int enrich_brand(arena *a, const brand_data *bd, const struct kensa_report *r, brand_result *out);

#endif
