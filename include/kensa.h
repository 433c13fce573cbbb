/*
 * kensa.h - public API of libkensa, the forensic mail analyzer.
 *
 * A context holds read-only data loaded once (data files, options) and may be
 * shared by many threads. Each kensa_analyze() call owns one arena; the
 * report it returns holds that arena and is freed with kensa_report_free().
 *
 *   kensa_ctx *k = kensa_open(&opts, &err);
 *   kensa_report *r;
 *   if (kensa_analyze(k, bytes, len, "mail.eml", &r, &err) == KENSA_OK) {
 *       char *json = kensa_report_render(r, KENSA_FMT_JSON, "ja", NULL);
 *       ...; free(json); kensa_report_free(r);
 *   }
 *   kensa_close(k);
 */
#ifndef KENSA_H
#define KENSA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kensa_ctx kensa_ctx;
typedef struct kensa_report kensa_report;

typedef enum {
    KENSA_OK = 0,
    KENSA_ERR_USAGE = 1,     /* bad argument */
    KENSA_ERR_INPUT = 2,     /* input cannot be analyzed (empty, not a message) */
    KENSA_ERR_NOMEM = 3,     /* a bound or the memory ran out */
    KENSA_ERR_DATA = 4,      /* a data file is missing or malformed */
} kensa_status;

typedef enum {
    KENSA_FMT_JSON = 0,   /* one pretty JSON object */
    KENSA_FMT_NDJSON = 1, /* one compact JSON object on one line */
    KENSA_FMT_TEXT = 2,   /* the analyst's report for a terminal, no colour */
    KENSA_FMT_MD = 3,     /* the analyst's report, GitHub-flavoured Markdown */
    KENSA_FMT_HTML = 4,   /* the analyst's report, one self-contained HTML file */
    KENSA_FMT_TEXT_COLOR = 5, /* KENSA_FMT_TEXT with ANSI colours (the output is a terminal) */
} kensa_format;

typedef struct {
    const char *data_dir; /* NULL: $KENSA_DATA_DIR, else the build's data directory */
    int online;           /* 0: never touch the network */
    const char *trusted_relays; /* "10.0.0.0/8,mx.example.jp,.example.jp": inside the
                                   receiving site besides private addresses (may be NULL) */
    const char *authserv_id;    /* trust only Authentication-Results from this id (NULL:
                                   the top-most one / the receiving site's domain) */
    /* --online only (src/online/online.h); all may be NULL/0 */
    const char *dns_server;     /* "IP:PORT" forwarder (NULL: /etc/resolv.conf) */
    const char *rdap_url;       /* RDAP base for every TLD (NULL: data/rdap_dns.json) */
    const char *whois_server;   /* "HOST:PORT" for every TLD (NULL: per TLD) */
    int allow_private_targets;  /* let lookups contact loopback/private addresses */
    int screenshot;             /* headless Chromium PNG of live lure pages */
    const char *screenshot_dir; /* NULL: ./kensa-screenshots */
    const char *const *feeds;   /* local blocklist feed files (OpenPhish/URLhaus/PhishTank) */
    size_t nfeeds;
    const char *cache_path;     /* NULL: $XDG_CACHE_HOME/kensa/cache.db */
    int no_cache;
} kensa_options;

/* err (may be NULL) receives a malloc'd one-line message on failure. */
kensa_ctx *kensa_open(const kensa_options *opts, char **err);
void kensa_close(kensa_ctx *k);

/* Analyze one raw RFC 5322 message. path is only recorded in the report
 * (may be NULL). On KENSA_OK *out is the report; on error *err says why. */
kensa_status kensa_analyze(kensa_ctx *k, const char *bytes, size_t len, const char *path,
                           kensa_report **out, char **err);

/* Render a report; returns a malloc'd NUL-terminated string (NULL on OOM).
 * lang: "ja" or "en" (NULL = "ja"). */
char *kensa_report_render(const kensa_report *r, kensa_format fmt, const char *lang,
                          size_t *len);
void kensa_report_free(kensa_report *r);

/* The ndjson error record for an input that could not be analyzed:
 * {"source": {path, sha256, size}, "error": {code, message}}. sha256 may be
 * NULL (unreadable input). Returns malloc'd compact JSON without newline. */
char *kensa_error_record(const char *path, const char *sha256, long long size, const char *code,
                         const char *message);

/* Lowercase hex SHA-256 of bytes into out[65]. */
void kensa_sha256_hex(const void *bytes, size_t len, char out[65]);

const char *kensa_version(void);

#ifdef __cplusplus
}
#endif
#endif
