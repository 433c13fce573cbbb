/*
 * links.h - the links stage: every URL a message offers, where it appears,
 * what it really points to, and whether its visible text lies about it.
 *
 * Reads the message model (parts' text/plain and text/html, subject) and
 * produces facts only (flags, domains, mismatch); src/verdict judges them.
 * All strings are allocated in the analysis arena. links_data is read-only
 * after load and shared by threads; there is no other state.
 */
#ifndef KENSA_LINKS_H
#define KENSA_LINKS_H

#include <stddef.h>

#include "../mime/message.h"
#include "../util/arena.h"

typedef struct links_data links_data; /* read-only after load; shared by threads */

/* Reads data_dir/redirectors.tsv; on failure NULL and *err (malloc'd). */
links_data *links_data_load(const char *data_dir, char **err);
void links_data_free(links_data *d);

enum {
    LINK_DEFANGED_INPUT = 1,   /* written hxxp://, [.], (.), [:] ... and refanged */
    LINK_USERINFO = 2,         /* user@ or user:pass@ before the host */
    LINK_IP_HOST = 4,          /* host is an IPv4/IPv6 literal */
    LINK_SHORTENER = 8,        /* host is a known URL shortener */
    LINK_REDIRECTOR = 16,      /* host is a known redirector/wrapper */
    LINK_DATA_URI = 32,        /* data: URI */
    LINK_JS_URI = 64,          /* javascript: URI */
    LINK_IDN = 128,            /* host has non-ASCII / punycode labels */
    LINK_INVISIBLE_CHARS = 256,/* zero-width or bidi characters were removed */
    LINK_NUMERIC_IP = 512,     /* IP written as decimal/hex/octal (3232235777) */
    LINK_UNWRAPPED = 1024,     /* this entry is the target taken out of a wrapper */
    LINK_TRACKER = 2048,       /* host is a known mail-marketing click tracker */
    LINK_PCT_HOST = 4096,      /* host was percent-encoded */
    LINK_TRUNCATED = 8192,     /* URL longer than LINKS_MAX_URL, cut */
};

typedef struct {
    char *url;          /* normalized absolute URL (refanged, controls stripped) */
    char *defanged;
    char *host;         /* lowercase A-label host, or IP literal */
    char *host_unicode;
    char *domain;       /* registrable domain (A-label) or NULL (IP, suffix-only) */
    char *tld;          /* public suffix, A-label */
    char *text;         /* visible anchor text (HTML) or NULL */
    char *text_domain;  /* registrable domain of a URL/domain shown in text, or NULL */
    int mismatch;
    const char *source; /* "html" or "text" (where first seen) */
    const char *element;/* "a", "form", "img", "iframe", "area", "meta", "text", ... */
    char *unwrapped;    /* target inside a redirector/wrapper, or NULL */
    unsigned flags;
    int count;          /* times it appears in the message */
    /* additions */
    char *text_host;    /* host shown in the text (display form), or NULL */
    int count_text;     /* of count: times seen in text/plain parts and the subject */
    int count_html;     /* of count: times seen in text/html parts */
    char *elements;     /* every element it appeared in, comma-separated ("a,text") */
} link_t;

struct links_scan;

typedef struct {
    link_t *v;
    size_t n;
    size_t dropped; /* over the limit */
    /* the URL spans found in each text/plain part, kept so that
     * links_defang_text() need not scan the same text again (links.c) */
    struct links_scan *scans;
} links_result;

#define LINKS_MAX 500            /* links kept per message; more -> dropped counted */
#define LINKS_MAX_URL 8192       /* bytes of one URL; longer ones are cut (LINK_TRUNCATED) */
#define LINKS_MAX_TEXT 1024      /* bytes of anchor text kept */
#define LINKS_MAX_CANDIDATES 20000 /* URL candidates examined per message */
#define LINKS_MAX_UNWRAP 4       /* nested redirector wrappers opened */

int links_extract(arena *a, const links_data *d, const km_message *m, links_result *out); /* 0 ok */
char *links_defang_url(arena *a, const char *url);
char *links_defang_text(arena *a, const links_result *r, const char *text);

/* "shows open.monex.co.jp, goes to www.threnodycode.cfd" for a mismatching
 * link, else NULL. */
char *links_mismatch_evidence(arena *a, const link_t *l);

/* Names of the flags set in `flags` ("userinfo", "shortener", ...), in bit
 * order; returns how many were written to names (at most max). */
size_t links_flag_names(unsigned flags, const char **names, size_t max);

#endif
