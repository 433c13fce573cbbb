/*
 * route.c - Received headers -> hops, delays, anomalies and the origin hop.
 * See route.h for the trust-boundary rule. Parsing of each header is in
 * received.c; this file only orders, compares and decides.
 */
#include "route.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/domain.h"

int route_config_add(route_config *cfg, const char *spec)
{
    const char *p = spec;
    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n) {
            if (cfg->ntrusted >= ROUTE_MAX_TRUSTED)
                return -1;
            cfg->trusted[cfg->ntrusted++] = strndup(p, n);
        }
        p = c ? c + 1 : NULL;
    }
    return 0;
}

/* IP in CIDR "net/len" (or equal to a single address). */
static int ip_in(const char *ip, const char *spec)
{
    char net[64];
    const char *slash = strchr(spec, '/');
    size_t nl = slash ? (size_t)(slash - spec) : strlen(spec);
    if (nl >= sizeof net)
        return 0;
    memcpy(net, spec, nl);
    net[nl] = '\0';
    unsigned char a[16], b[16];
    int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(fam, ip, a) != 1 || inet_pton(fam, net, b) != 1)
        return 0;
    int bytes = fam == AF_INET ? 4 : 16;
    int bits = slash ? atoi(slash + 1) : bytes * 8;
    if (bits < 0 || bits > bytes * 8)
        return 0;
    for (int i = 0; i < bytes && bits > 0; i++, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xFF : (unsigned char)(0xFF << (8 - bits));
        if ((a[i] & mask) != (b[i] & mask))
            return 0;
    }
    return 1;
}

/* host equals name, or ends in ".domain" for specs written ".domain" */
static int host_matches(const char *host, const char *spec)
{
    if (!host || !*host)
        return 0;
    if (spec[0] == '.') {
        size_t hl = strlen(host), sl = strlen(spec);
        return (hl > sl && strcasecmp(host + hl - sl, spec) == 0) ||
               strcasecmp(host, spec + 1) == 0;
    }
    return strcasecmp(host, spec) == 0;
}

static int trusted(const route_config *cfg, const rcv_hop *h)
{
    if (!cfg)
        return 0;
    for (size_t i = 0; i < cfg->ntrusted; i++) {
        const char *s = cfg->trusted[i];
        if (h->from_ip && (strchr(s, '/') || domain_ip_family(s)) && ip_in(h->from_ip, s))
            return 1;
        if (host_matches(h->from_rdns, s) || host_matches(h->from_helo, s))
            return 1;
    }
    return 0;
}

static int same_reg(arena *a, const char *host, const char *reg)
{
    if (!host || !reg)
        return 0;
    const char *r = domain_registrable(a, host);
    return r && strcmp(r, reg) == 0;
}

static void fact(route_result *r, size_t cap, char *s)
{
    if (s && r->nfacts < cap)
        r->facts[r->nfacts++] = s;
}

const rcv_hop *route_origin(const route_result *r)
{
    return r && r->origin >= 0 ? &r->hops[r->origin].hop : NULL;
}

int route_analyze(arena *a, const route_config *cfg, const km_message *m, route_result *out)
{
    memset(out, 0, sizeof *out);
    out->origin = -1;
    const km_header *hdrs[ROUTE_MAX_HOPS + 1];
    size_t n = mime_headers_named(m, "Received", hdrs, ROUTE_MAX_HOPS + 1);
    if (n > ROUTE_MAX_HOPS) {
        size_t all = 0;
        for (size_t i = 0; i < m->nheaders; i++)
            all += strcasecmp(m->headers[i].name, "Received") == 0;
        out->dropped = all - ROUTE_MAX_HOPS;
        n = ROUTE_MAX_HOPS;
    }
    out->hops = arena_alloc(a, (n ? n : 1) * sizeof *out->hops);
    size_t fcap = 4 * n + 8;
    out->facts = arena_alloc(a, fcap * sizeof *out->facts);
    if (!out->hops || !out->facts)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (route_parse_received(a, hdrs[i]->raw_bytes, hdrs[i]->raw_len, &out->hops[i].hop) == -2)
            return -1;
    }
    out->nhops = n;

    /* delays and time anomalies; hop i+1 is the one before hop i */
    for (size_t i = 0; i + 1 < n; i++) {
        const rcv_hop *h = &out->hops[i].hop, *prev = &out->hops[i + 1].hop;
        if (h->has_time && prev->has_time) {
            out->hops[i].delay_s = h->epoch - prev->epoch;
            out->hops[i].has_delay = 1;
            if (out->hops[i].delay_s < -300)
                fact(out, fcap,
                     arena_printf(a, "time goes backwards by %lld s between hop %zu and hop %zu",
                                  -out->hops[i].delay_s, i + 1, i));
        }
    }

    /* the receiving site: registrable domain of the first `by` that has one */
    for (size_t i = 0; i < n && !out->receiving_domain; i++)
        out->receiving_domain = domain_registrable(a, out->hops[i].hop.by);

    for (size_t i = 0; i < n; i++) {
        route_hop *rh = &out->hops[i];
        const rcv_hop *h = &rh->hop;
        int has_from = h->from_ip || h->from_helo || h->from_rdns;
        /* the parser classified from_ip: RCV_IP_PRIVATE is route_ip_is_private() */
        int private_ip = h->from_ip && (h->flags & RCV_IP_PRIVATE);
        int same_site = out->receiving_domain && same_reg(a, h->by, out->receiving_domain) &&
                        (same_reg(a, h->from_rdns, out->receiving_domain) ||
                         (!h->from_rdns && same_reg(a, h->from_helo, out->receiving_domain)));
        rh->internal = !has_from || private_ip || same_site || trusted(cfg, h);
        if (h->from_ip && private_ip)
            fact(out, fcap,
                 arena_printf(a, "hop %zu comes from a private or reserved address %s", i,
                              h->from_ip));
        if (h->flags & RCV_HELO_IS_IP)
            fact(out, fcap,
                 arena_printf(a, "hop %zu: HELO is a bare IP address (%s)", i,
                              h->from_helo ? h->from_helo : "?"));
        if (h->flags & RCV_RDNS_UNKNOWN)
            fact(out, fcap,
                 arena_printf(a, "hop %zu: the sending IP %s has no reverse DNS (unknown)", i,
                              h->from_ip ? h->from_ip : "?"));
        else if (h->from_helo && h->from_rdns && !(h->flags & RCV_HELO_IS_IP)) {
            /* the parser compares last labels; the PSL knows co.jp is one suffix */
            const char *rh1 = domain_registrable(a, h->from_helo);
            const char *rr = domain_registrable(a, h->from_rdns);
            rh->hop.flags &= ~(unsigned)RCV_HELO_RDNS_MISMATCH;
            if (rh1 && rr && strcmp(rh1, rr) != 0) {
                rh->hop.flags |= RCV_HELO_RDNS_MISMATCH;
                fact(out, fcap,
                     arena_printf(a, "hop %zu: HELO %s does not match reverse DNS %s", i,
                                  h->from_helo, h->from_rdns));
            }
        }
        if (out->origin < 0 && !rh->internal && h->from_ip) {
            out->origin = (int)i;
            out->origin_reason = "first hop from outside the receiving site";
        }
    }
    if (out->origin < 0) {
        /* all hops inside: the earliest public sender is the best we have */
        for (size_t i = n; i > 0; i--) {
            const rcv_hop *h = &out->hops[i - 1].hop;
            if (h->from_ip && !(h->flags & RCV_IP_PRIVATE)) {
                out->origin = (int)(i - 1);
                out->origin_reason = "every hop is inside the receiving site; earliest public "
                                     "sender shown";
                break;
            }
        }
    }
    return 0;
}
