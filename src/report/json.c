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
#include "json_content.h"
#include "json_links.h"
#include "json_online.h"
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

/* the hop's facts as strings, for readers who do not decode flags */
static void hops_json_set(json_t *o, const rcv_hop *h)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{RCV_HELO_IS_IP, "helo_is_ip"},        {RCV_RDNS_UNKNOWN, "rdns_unknown"},
                 {RCV_HELO_RDNS_MISMATCH, "helo_rdns_mismatch"},
                 {RCV_IP_PRIVATE, "ip_private"},         {RCV_IP_LOOPBACK, "ip_loopback"},
                 {RCV_AUTH, "authenticated"},           {RCV_MAY_BE_FORGED, "may_be_forged"},
                 {RCV_DATE_NO_ZONE, "date_without_zone"}};
    json_t *f = json_array();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (h->flags & names[i].bit)
            json_array_append_new(f, json_string(names[i].name));
    json_object_set_new(o, "facts", f);
    json_object_set_new(o, "by_ip", jstr(h->by_ip));
    json_object_set_new(o, "envelope_from", jstr(h->envelope_from));
    json_object_set_new(o, "parsed", json_boolean(RCV_FULLY_PARSED(h->flags)));
}

static json_t *jint_or_null(int has, long long v)
{
    return has ? json_integer((json_int_t)v) : json_null();
}

static json_t *jroute(const route_result *rt)
{
    json_t *hops = json_array();
    for (size_t i = 0; i < rt->nhops; i++) {
        const rcv_hop *h = &rt->hops[i].hop;
        json_t *o = json_object();
        json_object_set_new(o, "from_helo", jstr(h->from_helo));
        json_object_set_new(o, "from_rdns", jstr(h->from_rdns));
        json_object_set_new(o, "from_ip", jstr(h->from_ip));
        json_object_set_new(o, "by", jstr(h->by));
        json_object_set_new(o, "protocol", jstr(h->protocol));
        json_object_set_new(o, "tls", jstr(h->tls));
        json_object_set_new(o, "id", jstr(h->id));
        json_object_set_new(o, "time", jstr(h->time_iso));
        json_object_set_new(o, "delay_s", jint_or_null(rt->hops[i].has_delay, rt->hops[i].delay_s));
        json_object_set_new(o, "for", jstr(h->for_addr));
        json_object_set_new(o, "internal", json_boolean(rt->hops[i].internal));
        hops_json_set(o, h);
        json_array_append_new(hops, o);
    }
    json_t *origin = json_null();
    const rcv_hop *oh = route_origin(rt);
    if (oh) {
        origin = json_object();
        json_object_set_new(origin, "ip", jstr(oh->from_ip));
        json_object_set_new(origin, "helo", jstr(oh->from_helo));
        json_object_set_new(origin, "rdns", jstr(oh->from_rdns));
        json_object_set_new(origin, "asn", rt->origin_asn ? json_integer(rt->origin_asn)
                                                          : json_null());
        json_object_set_new(origin, "as_org", jstr(rt->origin_as_org));
        json_object_set_new(origin, "country", jstr(rt->origin_country));
        json_object_set_new(origin, "provider", jstr(rt->origin_provider));
        json_object_set_new(origin, "provider_kind", jstr(rt->origin_provider_kind));
        json_object_set_new(origin, "rdns_claim", jstr(rt->origin_rdns_claim));
        json_object_set_new(origin, "hop", json_integer(rt->origin));
        json_object_set_new(origin, "reason", jstr(rt->origin_reason));
    }
    json_t *facts = json_array();
    for (size_t i = 0; i < rt->nfacts; i++)
        json_array_append_new(facts, jstr(rt->facts[i]));
    json_t *o = json_object();
    json_object_set_new(o, "hops", hops);
    json_object_set_new(o, "origin", origin);
    json_object_set_new(o, "receiving_domain", jstr(rt->receiving_domain));
    json_object_set_new(o, "facts", facts);
    if (rt->dropped)
        json_object_set_new(o, "hops_dropped", json_integer((json_int_t)rt->dropped));
    return o;
}

static json_t *jnotes(const sender_note *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:o,s:o}", "ja", jstr(v[i].ja), "en", jstr(v[i].en)));
    return arr;
}

static json_t *jauth(const sender_result *s)
{
    json_t *spf = json_null(), *dmarc = json_null();
    if (s->has_spf)
        spf = json_pack("{s:o,s:o,s:s,s:o,s:o}", "result", jstr(s->spf.result), "domain",
                        jstr(s->spf.domain), "source", "header", "ip", jstr(s->spf.ip), "reason",
                        jstr(s->spf.reason));
    if (s->has_dmarc)
        dmarc = json_pack("{s:o,s:o,s:s,s:o}", "result", jstr(s->dmarc.result), "policy",
                          jstr(s->dmarc.policy), "source", "header", "domain",
                          jstr(s->dmarc.domain));
    json_t *dkim = json_array();
    for (size_t i = 0; i < s->ndkim; i++)
        json_array_append_new(dkim, json_pack("{s:o,s:o,s:o,s:s}", "result",
                                              jstr(s->dkim[i].result), "domain",
                                              jstr(s->dkim[i].domain), "selector",
                                              jstr(s->dkim[i].selector), "source", "header"));
    json_t *sig = json_array();
    for (size_t i = 0; i < s->ndkim_sig; i++)
        json_array_append_new(sig, jstr(s->dkim_sig_domains[i]));
    json_t *filters = json_object();
    json_object_set_new(filters, "spam_flag",
                        s->spam_flag < 0 ? json_null() : json_boolean(s->spam_flag));
    json_object_set_new(filters, "spamassassin_score",
                        s->has_sa_score ? json_real(s->sa_score) : json_null());
    json_object_set_new(filters, "spamassassin_required",
                        s->has_sa_score ? json_real(s->sa_required) : json_null());
    json_object_set_new(filters, "spamassassin_tests", jstr(s->sa_tests));
    json_object_set_new(filters, "rspamd_score",
                        s->has_rspamd ? json_real(s->rspamd_score) : json_null());
    json_object_set_new(filters, "ms_scl", s->ms_scl > -2 ? json_integer(s->ms_scl) : json_null());
    json_object_set_new(filters, "ms_sfv", jstr(s->ms_sfv));
    json_object_set_new(filters, "ms_cat", jstr(s->ms_cat));
    json_t *o = json_object();
    json_object_set_new(o, "spf", spf);
    json_object_set_new(o, "dkim", dkim);
    json_object_set_new(o, "dmarc", dmarc);
    json_object_set_new(o, "authserv_id", jstr(s->authserv_id));
    json_object_set_new(o, "authserv_why", jstr(s->authserv_why));
    json_object_set_new(o, "ignored_authentication_results",
                        json_integer((json_int_t)s->ignored_authres));
    json_object_set_new(o, "dkim_signature_domains", sig);
    json_object_set_new(o, "filters", filters);
    json_object_set_new(o, "tag_reasons", jnotes(s->tag_reasons, s->ntag_reasons));
    json_object_set_new(o, "identity", jnotes(s->identity, s->nidentity));
    return o;
}

/* the contract's links[] plus what offline intel knows about each one */
static json_t *jlinks(const struct kensa_report *r)
{
    json_t *arr = report_json_links(&r->links);
    for (size_t i = 0; arr && i < json_array_size(arr) && i < r->links.n; i++) {
        json_t *o = json_array_get(arr, i);
        const link_facts *f = &r->link_facts[i];
        if (f->as_org)
            json_object_set_new(o, "as_org", jstr(f->as_org));
        if (f->asn)
            json_object_set_new(o, "asn", json_integer(f->asn));
        if (f->country)
            json_object_set_new(o, "country", jstr(f->country));
        if (f->provider)
            json_object_set_new(o, "provider", jstr(f->provider));
        json_object_set_new(o, "lookalike",
                            f->has_lookalike
                                ? json_pack("{s:o,s:o,s:o}", "brand",
                                            jstr(f->lookalike.brand ? f->lookalike.brand->id : NULL),
                                            "kind", jstr(f->lookalike.kind), "evidence",
                                            jstr(f->lookalike.evidence))
                                : json_null());
        json_object_set_new(o, "suspicious_tld", jstr(f->tld_why));
        json_object_set_new(o, "random_looking", json_boolean(f->random_domain));
        report_json_online_link(o, r->online, i);
    }
    return arr ? arr : json_array();
}

static json_t *jbrand(const brand_result *b)
{
    if (!b->brand)
        return json_null();
    json_t *doms = json_array();
    for (size_t i = 0; i < b->brand->ndomains; i++)
        json_array_append_new(doms, jstr(b->brand->official_domains[i]));
    json_t *o = json_object();
    json_object_set_new(o, "id", jstr(b->brand->id));
    json_object_set_new(o, "name", jstr(b->brand->name_ja));
    json_object_set_new(o, "name_en", jstr(b->brand->name_en));
    json_object_set_new(o, "official_domains", doms);
    json_object_set_new(o, "impersonated", json_boolean(b->impersonated));
    json_object_set_new(o, "claimed_in", jstr(b->claimed_in));
    json_object_set_new(o, "score", json_integer(b->score));
    json_object_set_new(o, "from_is_official", json_boolean(b->from_is_official));
    json_object_set_new(o, "display_mismatch", json_boolean(b->display_mismatch));
    json_object_set_new(o, "category", jstr(b->brand->category));
    json_object_set_new(o, "phone", b->brand->phone && *b->brand->phone ? jstr(b->brand->phone)
                                                                      : json_null());
    json_object_set_new(o, "evidence", jstr(b->evidence));
    return o;
}

static json_t *jfindings(const verdict_result *v)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < v->n; i++) {
        const finding *f = &v->v[i];
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:f,s:{s:o,s:o},s:o}", "id", f->id, "severity", f->severity,
                           "score", f->score, "summary", "ja", jstr(f->summary_ja), "en",
                           jstr(f->summary_en), "evidence", jstr(f->evidence)));
    }
    return arr;
}

char *report_json(const struct kensa_report *r, int pretty)
{
    json_t *root = json_object();
    json_object_set_new(root, "schema_version", json_integer(1));
    json_object_set_new(root, "source",
                        json_pack("{s:o,s:s,s:I}", "path", jstr(r->path), "sha256", r->sha256,
                                  "size", (json_int_t)r->size));
    json_t *msg = jmessage(r->msg);
    json_object_set_new(msg, "text_defanged", jstr(r->text_defanged));
    json_object_set_new(root, "message", msg);
    /* stages not built yet report "unknown" as the contract's nulls/empties */
    json_object_set_new(root, "route", jroute(&r->route));
    json_object_set_new(root, "auth", jauth(&r->sender));
    report_json_online_auth(json_object_get(root, "auth"), r->online);
    json_object_set_new(root, "links", jlinks(r));
    json_object_set_new(root, "online", report_json_online(r->online));
    json_object_set_new(root, "brand", jbrand(&r->brand));
    json_object_set_new(root, "content", report_json_content(&r->content));
    json_object_set_new(root, "findings", jfindings(&r->verdict));
    json_object_set_new(root, "data_sources",
                        json_pack("{s:o,s:o}", "ip",
                                  r->ip_attribution && *r->ip_attribution
                                      ? jstr(r->ip_attribution)
                                      : json_null(),
                                  "public_suffix_list", jstr(r->psl_date)));
    json_object_set_new(root, "verdict",
                        json_pack("{s:s,s:f,s:s}", "label", r->verdict.label, "score",
                                  r->verdict.score, "why", r->verdict.why));
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
