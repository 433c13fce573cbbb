/*
 * message.h - kensa's message model: what the mail says, decoded exactly.
 *
 * Built by mime_parse() from raw bytes with GMime 3 for the MIME structure and
 * our own code for RFC 2047 and charsets (see rfc2047.h, charset.h). Every
 * string is valid UTF-8 allocated in the analysis arena. Later stages read
 * this model and never the raw bytes again, except through `raw`.
 */
#ifndef KENSA_MESSAGE_H
#define KENSA_MESSAGE_H

#include <stddef.h>

#include "../util/arena.h"

typedef struct {
    char *display_name; /* decoded, unquoted; NULL when absent */
    char *address;      /* local@domain as written (lowercased domain); NULL when absent */
    char *domain;       /* lowercased domain part; NULL when absent */
} km_addr;

typedef struct {
    char *name;   /* field name as written */
    char *raw;    /* unfolded raw value (bytes as received, sanitized to UTF-8 for display) */
    char *value;  /* decoded UTF-8 (RFC 2047 + 8-bit detection) */
    size_t raw_len;
    const char *raw_bytes; /* unfolded raw value, NOT sanitized (may hold 8-bit bytes) */
    size_t name_len;       /* strlen(name): lookups compare it first */
} km_header;

typedef struct {
    char *content_type;      /* "text/plain" (lowercase) */
    char *charset;           /* declared charset label as given, or NULL */
    char *charset_used;      /* charset actually used to decode text, or NULL for non-text */
    char *filename;          /* decoded (RFC 2231 / RFC 2047), or NULL */
    char *disposition;       /* "inline" / "attachment" / NULL */
    char *transfer_encoding; /* "base64", "quoted-printable", ... or NULL */
    size_t size;             /* decoded size in bytes */
    char sha256[65];         /* of the decoded content */
    int depth;               /* nesting depth, 0 = top-level body */
    int in_rfc822;           /* inside an attached message/rfc822 */
    char *text;              /* decoded UTF-8 for text/plain and text/html, else NULL */
    size_t text_len;
    int charset_mismatch;    /* the bytes were not in the declared charset */
} km_part;

typedef struct km_message {
    arena *a;
    const char *raw;        /* normalized (LF line ends) message bytes */
    size_t raw_len;

    km_header *headers;
    size_t nheaders;

    char *subject;          /* decoded, tag included; NULL when absent */
    char *subject_tag;      /* "[spam]" etc. or NULL */
    km_addr from;
    int has_from;
    char *return_path;
    km_addr *reply_to;
    size_t nreply_to;
    km_addr *to;
    size_t nto;
    char *date;             /* ISO 8601 with offset, from Date: */
    char *received_at;      /* ISO 8601 with offset, from the top Received: */
    char *message_id;

    char *text;             /* the plain part, else the visible text of the HTML part */
    char *text_source;      /* "text/plain", "text/html" or NULL */
    char *html;             /* first HTML part, decoded (for the links stage) or NULL */
    km_part *parts;
    size_t nparts;

    char **warnings;
    size_t nwarnings;
} km_message;

typedef struct mime_config mime_config; /* read-only data: subject tag patterns */

/* Load subject-tag patterns from data_dir/subject_tags.tsv. */
mime_config *mime_config_load(const char *data_dir, char **err);
void mime_config_free(mime_config *c);

/* Parse raw bytes. Returns 0 and fills *out (in arena a); -1 when the bytes
 * are not a message at all (*why set to a static reason). */
int mime_parse(arena *a, const mime_config *cfg, const char *bytes, size_t len, km_message **out,
               const char **why);

/* All header fields named `name` (case-insensitive), in file order. */
size_t mime_headers_named(const km_message *m, const char *name, const km_header **out,
                          size_t max);
const km_header *mime_header_first(const km_message *m, const char *name);

void mime_warn(km_message *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Once per process, before any thread analyzes. */
void mime_global_init(void);
void mime_global_shutdown(void);

#endif
