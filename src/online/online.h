/*
 * online.h - the online enrichment stage (kensa analyze --online).
 *
 * Everything here talks to the network; nothing here runs unless the caller
 * asked for --online (kensa.c loads online_ctx only then). Facts only: the
 * lure host's addresses and network, its registration date and age at
 * receipt (RDAP, WHOIS for TLDs without RDAP), DNS/feed blocklist hits, an
 * HTTP(S) site check without running scripts, an optional headless Chromium
 * screenshot, forward-confirmed reverse DNS and DNSBL hits of the origin IP,
 * and SPF/DKIM/DMARC computed by kensa (source "verified"). src/verdict turns
 * them into NEW_DOMAIN, BLOCKLISTED, SITE_LIVE (and SPF/DKIM/DMARC failures
 * when the receiving server said nothing).
 *
 * Every lookup is bounded (ONLINE_* below): per-query and per-job deadlines,
 * response size caps, at most ONLINE_MAX_LINKS links checked. Lookups of one
 * message run in parallel (one thread for the origin and one per link, each
 * with its own asynchronous libunbound context and curl handle), so a message
 * costs the slowest lookup, not the sum. Targets on loopback, private and
 * link-local addresses are refused (checked on the resolved address) unless
 * allow_private_targets.
 *
 * online_ctx is read-only after online_open() (configuration, RDAP bootstrap,
 * DNSBL zones, feed files) and shared by all analysis threads.
 */
#ifndef KENSA_ONLINE_H
#define KENSA_ONLINE_H

#include <stddef.h>

#include "../util/arena.h"

#define ONLINE_MAX_LINKS 8            /* links checked per message (first ones, http/https) */
#define ONLINE_DNS_TIMEOUT_MS 4000    /* one DNS query (or one parallel batch) */
#define ONLINE_HTTP_TIMEOUT_MS 10000  /* one HTTP request */
#define ONLINE_CONNECT_TIMEOUT_MS 5000
#define ONLINE_JOB_BUDGET_MS 30000    /* everything one thread does, except the screenshot */
#define ONLINE_SHOT_TIMEOUT_MS 25000  /* one Chromium run */
#define ONLINE_MAX_REDIRECTS 10
#define ONLINE_MAX_BODY (1024 * 1024) /* bytes of a page kept (title search) */
#define ONLINE_MAX_RDAP (256 * 1024)  /* bytes of an RDAP answer */
#define ONLINE_MAX_WHOIS (64 * 1024)  /* bytes of a WHOIS answer */
#define ONLINE_MAX_BL 16              /* blocklist hits kept per link / origin */
#define ONLINE_MAX_IPS 8              /* addresses kept per host */
#define ONLINE_MAX_FEEDS 16           /* --feed files */
#define ONLINE_NEW_DOMAIN_DAYS 30     /* NEW_DOMAIN: registered fewer days before receipt */

typedef struct {
    const char *dns_server;     /* "HOST:PORT" or "HOST" (port 53); NULL = system resolver */
    const char *rdap_url;       /* RDAP base for every TLD ("http://h:p/rdap/"); NULL = bootstrap */
    const char *whois_server;   /* "HOST:PORT" for every TLD; NULL = per TLD */
    int allow_private_targets;  /* let lookups contact loopback/private addresses (tests) */
    int screenshot;             /* capture live lure pages with headless Chromium */
    const char *screenshot_dir; /* NULL = ./kensa-screenshots */
    const char *const *feeds;   /* local feed files (OpenPhish, URLhaus, PhishTank exports) */
    size_t nfeeds;
    const char *cache_path;     /* NULL = $XDG_CACHE_HOME/kensa/cache.db */
    int no_cache;
} online_config;

typedef struct online_ctx online_ctx;

/* Load the read-only data (data_dir/rdap_dns.json, data_dir/dnsbl.tsv, feeds)
 * and prepare a private temporary directory (resolver config, browser
 * profiles). NULL + *err (malloc'd) on failure. Touches no network. */
online_ctx *online_open(const online_config *cfg, const char *data_dir, char **err);
void online_close(online_ctx *c);

typedef struct {
    char *url;
    int status;   /* HTTP status, 0 = no answer */
} online_hop;

/* what the network says about one link (all strings in the report arena) */
typedef struct {
    int checked;          /* 0: not looked at (not http/https, over ONLINE_MAX_LINKS) */
    char *ips[ONLINE_MAX_IPS];
    size_t nips;
    char *ip;             /* first address of the host (or the literal) */
    unsigned asn;
    const char *as_org;   /* context-owned (intel) */
    char *country;
    const char *provider;
    char **mx;            /* MX hosts of the registrable domain */
    size_t nmx;
    char *registered;     /* YYYY-MM-DD, NULL = unknown */
    long age_days;        /* at receipt; valid when has_age */
    int has_age;
    const char *reg_source; /* "rdap", "whois", "cache" */
    char *reg_server;     /* URL or host:port asked */
    char *reg_error;
    char *blocklists[ONLINE_MAX_BL]; /* "Spamhaus DBL: phishing", "URLhaus feed (url)" */
    size_t nbl;
    int live;             /* 1 answered 2xx, 0 no answer or error status, -1 unknown */
    int status;           /* final HTTP status */
    char *final_url;
    char *final_ip;       /* address the final URL was fetched from */
    char *title;
    online_hop hops[ONLINE_MAX_REDIRECTS + 1];
    size_t nhops;
    char *tls_subject, *tls_issuer, *tls_not_before;
    long tls_verify;      /* X509 verify result, -1 not TLS */
    char *site_error;     /* why live is 0 / -1 */
    char *screenshot;     /* PNG path */
    char *screenshot_error;
} online_link;

typedef struct {
    char *result;   /* pass|fail|softfail|neutral|none|temperror|permerror */
    char *domain;
    char *selector; /* DKIM */
    char *policy;   /* DMARC */
    char *reason;
} online_auth;

#define ONLINE_MAX_DKIM 8

typedef struct {
    online_link *links; /* one per links.v[i] (n = links.n) */
    size_t nlinks;
    /* origin */
    char *origin_ip;
    char *ptr[ONLINE_MAX_IPS];
    size_t nptr;
    int fcrdns;         /* 1 a PTR name resolves back to the IP, 0 not, -1 unknown */
    char *fcrdns_name;
    char *origin_bl[ONLINE_MAX_BL];
    size_t norigin_bl;
    char **from_mx;     /* MX of the From domain */
    size_t nfrom_mx;
    /* verified authentication */
    int has_spf, has_dmarc;
    online_auth spf, dmarc;
    online_auth dkim[ONLINE_MAX_DKIM];
    size_t ndkim;
    char *mail_from, *helo;
    /* context */
    const char *dns_server;
    char **notes;       /* English one-liners: lookups that failed or were refused */
    size_t nnotes;
    double elapsed_s;
} online_result;

struct kensa_report;
struct intel_data;

/* The stage: fills *out (in arena a) for the report's message, origin and
 * links. Network failures are facts (notes, temperror), not errors; -1 only
 * when memory ran out. */
int online_analyze(arena *a, const online_ctx *c, const struct intel_data *intel,
                   const struct kensa_report *r, online_result **out);

#endif
