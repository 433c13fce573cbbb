/*
 * route.h - the Received chain as hops, the trust boundary and the origin.
 *
 * hops[0] is the hop nearest the recipient (the top Received header). The
 * origin is the first hop, walking down from the top, whose sender is outside
 * the receiving site: hops whose sending IP is private/loopback, listed in
 * the trusted relays, or whose from and by both belong to the registrable
 * domain of the receiving site (the top hop's `by`) are inside it. When every
 * hop is inside, the earliest hop with a public IP is reported instead and
 * origin_reason says so. Facts only; src/verdict judges.
 */
#ifndef KENSA_ROUTE_H
#define KENSA_ROUTE_H

#include <stddef.h>

#include "../mime/message.h"
#include "received.h"

#define ROUTE_MAX_HOPS 100   /* Received headers read per message */
#define ROUTE_MAX_TRUSTED 64 /* --trusted-relay entries */

typedef struct {
    /* trusted relays: CIDR ("10.0.0.0/8", "2001:db8::/32"), single IPs or host
     * names / domains ("mx.example.jp", ".example.jp" for a whole domain) */
    const char *trusted[ROUTE_MAX_TRUSTED];
    size_t ntrusted;
} route_config;

typedef struct {
    rcv_hop hop;
    long long delay_s; /* this hop's time minus the previous (lower) hop's */
    int has_delay;
    int internal;      /* inside the receiving site */
} route_hop;

typedef struct {
    route_hop *hops;
    size_t nhops;
    size_t dropped;             /* Received headers beyond ROUTE_MAX_HOPS */
    int origin;                 /* index into hops, -1 when none */
    const char *origin_reason;  /* static text, English */
    char *receiving_domain;     /* registrable domain of the receiving site */
    char **facts;               /* anomalies, English one-liners with evidence */
    size_t nfacts;
    /* intel facts about the origin, filled by the intel stage (NULL/0 until then) */
    unsigned origin_asn;
    const char *origin_as_org, *origin_country, *origin_provider, *origin_provider_kind;
    const char *origin_rdns_claim; /* provider the rDNS names but the ASN refutes */
} route_result;

/* Parse "a,b,c" (command line / config) into cfg; returns -1 when too many. */
int route_config_add(route_config *cfg, const char *spec);

int route_analyze(arena *a, const route_config *cfg, const km_message *m, route_result *out);

/* The origin hop or NULL. */
const rcv_hop *route_origin(const route_result *r);

#endif
