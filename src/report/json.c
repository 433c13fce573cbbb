/*
 * json.c - the contract's JSON report (../shared/CONTRACT.md) with jansson.
 *
 * Every key of the contract is present; what a stage does not know yet is
 * null, never omitted. Strings pass through charset_utf8_sanitize() first:
 * jansson silently drops keys whose value is invalid UTF-8.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../mime/charset.h"
#include "report.h"

static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    /* not valid UTF-8: sanitize into a temporary arena */
    arena *t = arena_new(4 * n + 64);
    size_t ol = 0;
    char *c = charset_utf8_sanitize(t, s, n, &ol);
    j = c ? json_stringn(c, ol) : NULL;
    arena_free(t);
    return j ? j : json_string("");
}

static json_t *jaddr(const km_addr *a)
{
    return json_pack("{s:o,s:o,s:o}", "display_name", jstr(a->display_name), "address",
                     jstr(a->address), "domain", jstr(a->domain));
}

static json_t *jaddr_list(const km_addr *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, jaddr(&v[i]));
    return arr;
}

static json_t *jmessage(const km_message *m)
{
    json_t *parts = json_array();
    for (size_t i = 0; i < m->nparts; i++) {
        const km_part *p = &m->parts[i];
        json_array_append_new(
            parts, json_pack("{s:o,s:o,s:o,s:o,s:I,s:s,s:o,s:o,s:i}", "content_type",
                             jstr(p->content_type), "charset", jstr(p->charset), "charset_used",
                             jstr(p->charset_used), "filename", jstr(p->filename), "size",
                             (json_int_t)p->size, "sha256", p->sha256, "disposition",
                             jstr(p->disposition), "transfer_encoding",
                             jstr(p->transfer_encoding), "depth", p->depth));
    }
    json_t *warn = json_array();
    for (size_t i = 0; i < m->nwarnings; i++)
        json_array_append_new(warn, jstr(m->warnings[i]));
    json_t *from = m->has_from ? jaddr(&m->from) : json_null();
    json_t *o = json_object();
    json_object_set_new(o, "subject", jstr(m->subject));
    json_object_set_new(o, "subject_tag", jstr(m->subject_tag));
    json_object_set_new(o, "from", from);
    json_object_set_new(o, "return_path", jstr(m->return_path));
    json_object_set_new(o, "reply_to", jaddr_list(m->reply_to, m->nreply_to));
    json_object_set_new(o, "to", jaddr_list(m->to, m->nto));
    json_object_set_new(o, "date", jstr(m->date));
    json_object_set_new(o, "received_at", jstr(m->received_at));
    json_object_set_new(o, "message_id", jstr(m->message_id));
    json_object_set_new(o, "text", jstr(m->text));
    json_object_set_new(o, "text_source", jstr(m->text_source));
    json_object_set_new(o, "parts", parts);
    json_object_set_new(o, "warnings", warn);
    return o;
}

char *report_json(const struct kensa_report *r, int pretty)
{
    json_t *root = json_object();
    json_object_set_new(root, "schema_version", json_integer(1));
    json_object_set_new(root, "source",
                        json_pack("{s:o,s:s,s:I}", "path", jstr(r->path), "sha256", r->sha256,
                                  "size", (json_int_t)r->size));
    json_object_set_new(root, "message", jmessage(r->msg));
    /* stages not built yet report "unknown" as the contract's nulls/empties */
    json_object_set_new(root, "route", json_pack("{s:[],s:n}", "hops", "origin"));
    json_object_set_new(root, "auth", json_pack("{s:n,s:[],s:n}", "spf", "dkim", "dmarc"));
    json_object_set_new(root, "links", json_array());
    json_object_set_new(root, "brand", json_null());
    json_object_set_new(root, "content",
                        json_pack("{s:n,s:n,s:n,s:n,s:[]}", "language", "lure", "deadline",
                                  "deadline_text", "phones"));
    json_object_set_new(root, "findings", json_array());
    json_object_set_new(root, "verdict", json_null());
    size_t flags = JSON_PRESERVE_ORDER;
    flags |= pretty ? JSON_INDENT(2) : JSON_COMPACT;
    char *s = json_dumps(root, flags);
    json_decref(root);
    return s;
}

char *kensa_error_record(const char *path, const char *sha256, long long size, const char *code,
                         const char *message)
{
    json_t *jsize = size >= 0 ? json_integer((json_int_t)size) : json_null();
    json_t *root = json_pack("{s:{s:o,s:o,s:o},s:{s:o,s:o}}", "source", "path", jstr(path),
                             "sha256", jstr(sha256), "size", jsize, "error", "code", jstr(code),
                             "message", jstr(message));
    char *s = root ? json_dumps(root, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(root);
    return s;
}
