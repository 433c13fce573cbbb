/*
 * links_int.h - internals shared by the links stage's files: the URL
 * normalizer (url.c), the plain-text scanner (scan_text.c), the HTML walker
 * (scan_html.c), the redirector table (redirect.c) and the collector that
 * dedupes and judges mismatches (links.c). Not a public API.
 */
#ifndef KENSA_LINKS_INT_H
#define KENSA_LINKS_INT_H

#include <stddef.h>

#include "links.h"

/* ---- url.c ---- */
enum { URL_WEB = 1, URL_MAILTO, URL_DATA, URL_JS };

typedef struct {
    char *url;          /* normalized */
    char *host;         /* A-label or IP (IPv6 without brackets); NULL for data:/javascript: */
    char *host_unicode;
    char *domain;       /* registrable, NULL for IP / suffix-only / invalid */
    char *tld;
    char *path;         /* points into url: from the first '/' after the authority */
    char *query;        /* points into url: after '?', or NULL */
    int kind;           /* URL_WEB ... */
    int host_valid;     /* host passed IDNA / is an IP */
    unsigned flags;
} url_info;

/* Normalize one candidate (raw bytes as found). 0 ok, -1 not a reportable URL. */
int url_normalize(arena *a, const char *raw, size_t len, url_info *out);

/* The host part of url_normalize (IDNA, registrable domain, suffix) is a
 * function of the raw host bytes: a mail repeats its hosts, so a cache per
 * analysis (arena) keeps the last few. Zero-initialized = empty. */
#define URL_HOST_CACHE 16
#define URL_HOST_KEY_MAX 255
typedef struct {
    const char *key; /* raw host bytes (in the arena), NULL: empty */
    size_t klen;
    int bracketed, host_valid;
    unsigned flags; /* what the host added */
    char *host, *host_unicode, *domain, *tld;
} url_host_memo;
typedef struct {
    url_host_memo e[URL_HOST_CACHE];
    unsigned next; /* round-robin slot to replace */
} url_host_cache;
/* url_normalize with a host cache (hc may be NULL); all results in arena a,
 * which must be the one the cache was filled from. */
int url_normalize_c(arena *a, url_host_cache *hc, const char *raw, size_t len, url_info *out);
/* 1 when s (len bytes) starts with a URL scheme ("x:" before any '/'). */
int url_has_scheme(const char *s, size_t len);
/* Decode %XX in place-copy; '+' kept. */
char *url_pct_decode(arena *a, const char *s, size_t len);
/* Registrable domain or, for an IP host, the IP: what two hosts are compared by. */
const char *url_site(const url_info *u);

/* ---- scan_text.c ---- */
enum { SPAN_URL = 1, SPAN_WWW, SPAN_MAILTO, SPAN_DEFANGED_BARE, SPAN_BARE };
/* Called for each URL-looking span [start, end) of text; nonzero return stops. */
typedef int (*links_span_cb)(void *ctx, const char *text, size_t start, size_t end, int kind);
/* bare: also report bare domains ("brand.co.jp") - for anchor text. Returns spans seen. */
size_t links_scan_text(const char *text, size_t len, int bare, links_span_cb cb, void *ctx);
/* 1 (default): skip runs of plain words; 0 scans every word (tests compare). */
extern int links_scan_skip_plain;
/* Zero-width / bidi / soft hyphen code points stripped from URLs. */
int links_is_invisible(unsigned long cp);
/* Decode one UTF-8 code point (invalid byte -> 0xFFFD, 1 byte). */
unsigned long links_u8(const unsigned char *s, size_t n, size_t *adv);

/* ---- redirect.c ---- */
enum { REDIR_SHORTENER = 1, REDIR_TRACKER, REDIR_QUERY, REDIR_URLDEFENSE3, REDIR_PROOFPOINT2 };
/* Kind of wrapper for this URL (0 none); *param_out: query parameter names. */
int redir_kind(const links_data *d, const url_info *u);
/* 1 (default): redirector entries found by host through a hash; 0: a scan
 * of the table (tests compare). */
extern int links_redir_hashed;
/* Target URL inside a wrapper URL (raw, to be normalized), or NULL. */
char *redir_unwrap(arena *a, const links_data *d, const url_info *u);

/* ---- links.c collector ---- */
typedef struct links_ctx links_ctx;
/* Add one occurrence. raw: the URL as found; text: anchor text or NULL;
 * html: 1 when found in an HTML part. */
void links_add(links_ctx *c, const char *raw, size_t len, const char *text, int html,
               const char *element);
/* Scan a text run for URLs and add them (element e.g. "text", "onclick"). */
void links_add_text_run(links_ctx *c, const char *text, size_t len, int html, const char *element);
arena *links_ctx_arena(links_ctx *c);

/* ---- scan_html.c ---- */
void links_scan_html(links_ctx *c, const char *html, size_t len);

#endif
