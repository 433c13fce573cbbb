/*
 * internal.h - what the files of src/online share: the read-only context, one
 * analysis run (arena + lock, since several threads fill one report), the
 * libunbound wrapper (one context per thread, asynchronous queries with a
 * deadline), bounded HTTP/WHOIS clients and the SQLite cache.
 */
#ifndef KENSA_ONLINE_INTERNAL_H
#define KENSA_ONLINE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "online.h"

/* ---- read-only context ---- */

typedef struct {
    char *tld;
    char *url; /* base URL ending in '/' */
} rdap_service;

enum { BL_IP = 1, BL_DOMAIN = 2 };

typedef struct {
    uint32_t value;  /* an answer address (host order), or a bit of its last octet */
    int is_mask;     /* "&8=phishing": bit test on 127.0.0.x answers */
    int error;       /* "!..." an answer meaning refused / not for this resolver */
    char *label;
} bl_code;

typedef struct {
    int kind;        /* BL_IP / BL_DOMAIN */
    char *zone, *name;
    bl_code *codes;
    size_t ncodes;
} bl_zone;

typedef struct feed_set feed_set;

struct online_ctx {
    char *dns_server; /* libunbound form "127.0.0.1@5353", NULL = resolv.conf */
    char *rdap_url;
    char *whois_host;
    int whois_port;
    int allow_private, screenshot;
    char *screenshot_dir;
    char *cache_path; /* NULL = no cache */
    char *tmpdir;     /* private, removed by online_close() */
    char *ub_conf;    /* client config: special-use names are not answered locally */
    rdap_service *rdap;
    size_t nrdap;
    bl_zone *zones;
    size_t nzones;
    feed_set *feeds;
    char *chromium;   /* NULL = screenshots unavailable */
};

/* ---- one run ---- */

typedef struct sqlite3 sqlite3;

typedef struct {
    arena *a;
    pthread_mutex_t mu; /* guards a, cache and notes */
    const online_ctx *c;
    const struct intel_data *intel;
    const struct kensa_report *r;
    online_result *res;
    long long received; /* epoch of receipt (or Date:, or now) */
    sqlite3 *cache;
    char sha16[17];     /* short message id for file names */
} orun;

char *orun_strdup(orun *o, const char *s);
char *orun_printf(orun *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *orun_alloc(orun *o, size_t n);
void orun_note(orun *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* monotonic milliseconds */
long long online_now_ms(void);

/* ---- DNS (dns.c) ---- */

typedef struct odns odns;
odns *odns_new(const online_ctx *c);
void odns_free(odns *d);

enum { ODNS_OK = 0, ODNS_NXDOMAIN = 1, ODNS_NODATA = 2, ODNS_FAIL = -1, ODNS_TIMEOUT = -2 };

typedef struct {
    const char *name;
    int type;
    /* results (malloc'd; odns_answer_free) */
    int status;
    char **v;         /* A/AAAA: addresses; TXT: joined strings; PTR/MX/NS: names */
    size_t n;
    unsigned char *packet; /* full wire answer (for libopendkim) */
    size_t packet_len;
    int rcode;
} odns_q;

/* Run the queries in parallel; returns when all are answered or at deadline
 * (absolute online_now_ms()); unanswered ones get ODNS_TIMEOUT. */
void odns_batch(odns *d, odns_q *q, size_t n, long long deadline);
int odns_one(odns *d, odns_q *q, const char *name, int type, long long deadline);
void odns_q_clear(odns_q *q);

/* 1 when the address (text) is loopback, private, link-local, CGNAT, multicast,
 * unspecified or otherwise not on the public Internet. */
int online_ip_is_private(const char *ip);

/* ---- HTTP / WHOIS (http.c) ---- */

typedef struct {
    char *body;        /* malloc'd, NUL-terminated, at most max bytes */
    size_t len;
    int truncated;
    long status;
    char *redirect;    /* Location resolved against the URL (malloc'd) */
    char *content_type;
    char *tls_subject, *tls_issuer, *tls_not_before; /* malloc'd */
    long tls_verify;
    char *error;       /* malloc'd reason when no answer */
    char *ip;          /* address connected to */
} ohttp_resp;

/* One GET without following redirects. The host is resolved through d and
 * pinned (curl never uses the system resolver); check_private refuses
 * non-public addresses unless the context allows them. */
int ohttp_get(odns *d, const online_ctx *c, const char *url, const char *accept, size_t max,
              int check_private, long long deadline, ohttp_resp *out);
void ohttp_resp_clear(ohttp_resp *r);

/* WHOIS query (RFC 3912) to host:port; answer malloc'd in *out. 0 or -1 (*err static). */
int owhois_query(odns *d, const char *host, int port, const char *query, long long deadline,
                 char **out, const char **err);

/* ---- stages of a run ---- */
void online_auth_run(orun *o, odns *d, long long deadline);                  /* auth.c */
void online_site_check(orun *o, odns *d, size_t i, long long deadline);      /* site.c */
void online_registration(orun *o, odns *d, size_t i, long long deadline);   /* regdate.c */
void online_link_blocklists(orun *o, odns *d, size_t i, long long deadline); /* blocklist.c */
void online_origin_blocklists(orun *o, odns *d, long long deadline);        /* blocklist.c */
void online_screenshot(orun *o, size_t i);                                   /* shot.c */

/* ---- data (blocklist.c, regdate.c) ---- */
int online_zones_load(online_ctx *c, const char *path, char **err);
void online_zones_free(online_ctx *c);
int online_feeds_load(online_ctx *c, const char *const *paths, size_t n, char **err);
void online_feeds_free(online_ctx *c);
int online_rdap_load(online_ctx *c, const char *path, char **err);
void online_rdap_free(online_ctx *c);
/* the RDAP base for a TLD (A-label, no dot) or NULL */
const char *online_rdap_base(const online_ctx *c, const char *tld);

/* parse a registration date at the start of s: YYYY-MM-DD, YYYY/MM/DD,
 * YYYY.MM.DD, DD-Mon-YYYY; writes "YYYY-MM-DD" into out[11]. 0 ok. */
int online_parse_date(const char *s, char out[11]);
/* the registration date in a WHOIS answer, 0 ok */
int online_whois_date(const char *text, char out[11]);
/* days from date (YYYY-MM-DD, 00:00 UTC) to epoch `at` (floor) */
long online_days_between(const char *date, long long at);

/* ---- cache (cache.c) ---- */
sqlite3 *ocache_open(const char *path);
void ocache_close(sqlite3 *db);
/* value (malloc'd) of a fresh entry, or NULL */
char *ocache_get(orun *o, const char *kind, const char *key);
void ocache_put(orun *o, const char *kind, const char *key, const char *value, long ttl_s);

#endif
