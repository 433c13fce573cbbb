/*
 * authres.h - parse authentication and spam-verdict trace headers. Covers
 * Authentication-Results / ARC-Authentication-Results (RFC 8601, plus
 * Microsoft's non-conforming dialect), Received-SPF (RFC 7208 9.1),
 * DKIM-Signature tag lists (RFC 6376 3.5), and the spam-filter headers left by
 * SpamAssassin, Rspamd and Exchange Online Protection. Hand-written because
 * these headers are mostly written by hand-rolled code at the receiving MTA
 * and the forensic need is a tolerant reader, not a validating one: comments,
 * quoted strings and missing semicolons are accepted, everything is bounded,
 * the input (value, len) need not be NUL-terminated, and all strings returned
 * live in the caller's arena. Pure functions; no global mutable state.
 */
#ifndef KENSA_ROUTE_AUTHRES_H
#define KENSA_ROUTE_AUTHRES_H

#include <stddef.h>

#include "../util/arena.h"

#define AUTHRES_MAX_VALUE 1024  /* every returned string is capped at this */
#define AUTHRES_MAX_RESULTS 32  /* method results kept per header */
#define AUTHRES_MAX_PROPS 16    /* properties kept per method result */
#define AUTHRES_MAX_LIST 128    /* tests / symbols / tags / key-value pairs */

/* ------------------------------------------------ Authentication-Results */

typedef struct {
    char *name;  /* "smtp.mailfrom", "header.d", "policy.p", "action", ... (lowercase) */
    char *value; /* as written, quotes removed */
} authres_prop;

typedef struct {
    char *method;  /* lowercase: spf, dkim, dmarc, arc, auth, iprev, compauth, ... */
    char *result;  /* lowercase, hardfail -> fail: pass|fail|softfail|neutral|none|
                      temperror|permerror|policy|... (unknown words kept as is) */
    char *reason;  /* reason="..." or, failing that, the first comment after the result */
    char *comment; /* first comment after the result, e.g. "domain of x designates ..." */
    char *policy;  /* DMARC "p=" from a "(p=REJECT sp=NONE dis=NONE)" comment */
    authres_prop props[AUTHRES_MAX_PROPS];
    int nprops;
} authres_result;

typedef struct {
    char *authserv_id; /* NULL when the header starts directly with a result */
    int version;       /* 0 when absent */
    int arc_instance;  /* "i=N;" prefix of ARC-Authentication-Results, else 0 */
    int none;          /* the "none" no-result form */
    authres_result *results; /* arena array of nresults */
    int nresults;
} authres_header;

/* Parse one Authentication-Results or ARC-Authentication-Results value.
 * Returns 0 on success (even with no results), -1 if nothing was found,
 * -2 on arena exhaustion. */
int authres_parse(arena *a, const char *value, size_t len, authres_header *out);
/* First result of the given method (case-insensitive), or NULL. */
const authres_result *authres_find(const authres_header *h, const char *method);
/* Property value by name ("smtp.mailfrom"), or NULL. */
const char *authres_prop_get(const authres_result *r, const char *name);

/* ---------------------------------------------------------- Received-SPF */

typedef struct {
    char *result;        /* lowercase normalized, as above */
    char *comment;       /* first comment */
    char *client_ip;     /* client-ip= or the IP named in the comment */
    char *envelope_from; /* envelope-from= or "domain of [transitioning] X" */
    char *helo;
    char *receiver;
    char *identity;      /* identity=mailfrom|helo */
    char *mechanism;
} authres_spf;

int authres_parse_received_spf(arena *a, const char *value, size_t len, authres_spf *out);

/* -------------------------------------------------------- DKIM-Signature */

typedef struct {
    char *name, *value;
} authres_tag;

/* Generic "tag=value;" list (DKIM, ARC-Seal, ARC-Message-Signature): folding
 * whitespace removed from values. Returns the number of tags stored (<= max). */
int authres_parse_tags(arena *a, const char *value, size_t len, authres_tag *tags, int max);

typedef struct {
    char *v, *a, *c, *d, *s, *h, *i, *l, *q, *bh, *b;
    long long t, x;  /* valid when has_t / has_x */
    int has_t, has_x;
} authres_dkim_sig;

int authres_parse_dkim_signature(arena *a, const char *value, size_t len, authres_dkim_sig *out);

/* ---------------------------------------------------------- spam headers */

/* X-Spam-Flag: 1 for YES/TRUE, 0 for NO/FALSE, -1 otherwise. */
int authres_spam_flag(const char *value, size_t len);
/* X-Spam-Level: number of '*' (or the repeated first character), capped at 100. */
int authres_spam_level(const char *value, size_t len);
/* Decimal number (locale-independent): "7.2", "-0.5", "12.30 / 15.00". 1 if parsed. */
int authres_parse_score(const char *value, size_t len, double *out);

typedef struct {
    int flag;                  /* 1 Yes, 0 No, -1 absent */
    double score, required;    /* score= (or hits=), required= */
    int has_score, has_required;
    char **tests;              /* tests=A,B,... ("none" gives 0 tests) */
    int ntests;
    char *autolearn;
    char *version;
} authres_spam_status;

/* X-Spam-Status: "Yes, score=7.2 required=5.0 tests=A,B autolearn=no version=3.4.6" */
int authres_parse_spam_status(arena *a, const char *value, size_t len, authres_spam_status *out);

typedef struct {
    char *name;
    double score;
    int has_score;
    char *opts; /* text inside [...] */
} authres_symbol;

typedef struct {
    int is_spam;            /* "default: True" 1, False 0, -1 absent */
    double score, required; /* "[12.3 / 15.0]" */
    int has_score;
    authres_symbol *symbols;
    int nsymbols;
} authres_rspamd;

/* X-Spamd-Result: "default: True [12.3 / 15.0]; SYMBOL(1.0)[opts]; ..." */
int authres_parse_spamd_result(arena *a, const char *value, size_t len, authres_rspamd *out);

typedef struct {
    char *key, *value;
} authres_kv;

typedef struct {
    authres_kv *kv; /* every KEY:VALUE pair in order */
    int nkv;
    /* convenience copies of well-known keys (NULL when absent) */
    char *cip, *ctry, *lang, *ipv, *sfv, *h, *ptr, *cat, *sfs, *dir, *srv, *sfty;
    int scl, has_scl; /* SCL:n */
    int bcl, has_bcl; /* BCL:n (X-Microsoft-Antispam) */
    int pcl, has_pcl; /* PCL:n */
} authres_ms_antispam;

/* X-Forefront-Antispam-Report and X-Microsoft-Antispam ("KEY:VALUE;..."). */
int authres_parse_ms_antispam(arena *a, const char *value, size_t len, authres_ms_antispam *out);
/* X-MS-Exchange-Organization-SCL: returns 1 and sets *scl (-1..9) if numeric. */
int authres_parse_scl(const char *value, size_t len, int *scl);

/* Human meanings (English) of EOP values; "unknown value" when not in the table. */
const char *authres_ms_sfv_meaning(const char *sfv);
const char *authres_ms_cat_meaning(const char *cat);
const char *authres_ms_ipv_meaning(const char *ipv);
const char *authres_ms_dir_meaning(const char *dir);
const char *authres_ms_scl_meaning(int scl);
const char *authres_ms_bcl_meaning(int bcl);

#endif
