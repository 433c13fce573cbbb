/*
 * json.c - the contract's JSON report (../shared/CONTRACT.md), written in
 * one pass by the jw.h streaming writer (the bytes jansson's json_dumps()
 * gave for the tree this file used to build).
 *
 * Every key of the contract is present; what a stage does not know yet is
 * null, never omitted. Strings from the mail are repaired to valid UTF-8
 * (charset_utf8_sanitize) by jw_str_any().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../mime/charset.h"
#include "json_content.h"
#include "json_links.h"
#include "json_online.h"
#include "jw.h"
#include "report.h"

#define jstr jw_str_any

static void key_str(jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    jstr(w, v);
}

static void lit(jw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

static void jaddr(jw *w, const km_addr *a)
{
    jw_obj(w);
    key_str(w, "display_name", a->display_name);
    key_str(w, "address", a->address);
    key_str(w, "domain", a->domain);
    jw_end(w);
}

static void jaddr_list(jw *w, const km_addr *v, size_t n)
{
    jw_arr(w);
    for (size_t i = 0; i < n; i++)
        jaddr(w, &v[i]);
    jw_end(w);
}

static void jmessage(jw *w, const km_message *m, const char *text_defanged)
{
    jw_obj(w);
    key_str(w, "subject", m->subject);
    key_str(w, "subject_tag", m->subject_tag);
    jw_key(w, "from");
    if (m->has_from)
        jaddr(w, &m->from);
    else
        jw_null(w);
    key_str(w, "return_path", m->return_path);
    jw_key(w, "reply_to");
    jaddr_list(w, m->reply_to, m->nreply_to);
    jw_key(w, "to");
    jaddr_list(w, m->to, m->nto);
    key_str(w, "date", m->date);
    key_str(w, "received_at", m->received_at);
    key_str(w, "message_id", m->message_id);
    jw_key(w, "text");
    size_t text_from = w->b.len;
    jstr(w, m->text);
    size_t text_to = w->b.len;
    key_str(w, "text_source", m->text_source);
    jw_key(w, "parts");
    jw_arr(w);
    for (size_t i = 0; i < m->nparts; i++) {
        const km_part *p = &m->parts[i];
        jw_obj(w);
        key_str(w, "content_type", p->content_type);
        key_str(w, "charset", p->charset);
        key_str(w, "charset_used", p->charset_used);
        key_str(w, "filename", p->filename);
        jw_key(w, "size");
        jw_int(w, (long long)p->size);
        jw_key(w, "sha256");
        lit(w, p->sha256);
        key_str(w, "disposition", p->disposition);
        key_str(w, "transfer_encoding", p->transfer_encoding);
        jw_key(w, "depth");
        jw_int(w, p->depth);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "warnings");
    jw_arr(w);
    for (size_t i = 0; i < m->nwarnings; i++)
        jstr(w, m->warnings[i]);
    jw_end(w);
    /* with no link to defang it is the same text: its JSON again */
    if (m->text && text_defanged && !w->err &&
        (text_defanged == m->text || strcmp(text_defanged, m->text) == 0)) {
        jw_key(w, "text_defanged");
        jw_copy_value(w, text_from, text_to);
    } else
        key_str(w, "text_defanged", text_defanged);
    jw_end(w);
}

/* the hop's facts as strings, for readers who do not decode flags */
static void hop_facts(jw *w, const rcv_hop *h)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{RCV_HELO_IS_IP, "helo_is_ip"},        {RCV_RDNS_UNKNOWN, "rdns_unknown"},
                 {RCV_HELO_RDNS_MISMATCH, "helo_rdns_mismatch"},
                 {RCV_IP_PRIVATE, "ip_private"},         {RCV_IP_LOOPBACK, "ip_loopback"},
                 {RCV_AUTH, "authenticated"},           {RCV_MAY_BE_FORGED, "may_be_forged"},
                 {RCV_DATE_NO_ZONE, "date_without_zone"}};
    jw_key(w, "facts");
    jw_arr(w);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (h->flags & names[i].bit)
            lit(w, names[i].name);
    jw_end(w);
    key_str(w, "by_ip", h->by_ip);
    key_str(w, "envelope_from", h->envelope_from);
    jw_key(w, "parsed");
    jw_bool(w, RCV_FULLY_PARSED(h->flags));
}

static void jroute(jw *w, const route_result *rt)
{
    jw_obj(w);
    jw_key(w, "hops");
    jw_arr(w);
    for (size_t i = 0; i < rt->nhops; i++) {
        const rcv_hop *h = &rt->hops[i].hop;
        jw_obj(w);
        key_str(w, "from_helo", h->from_helo);
        key_str(w, "from_rdns", h->from_rdns);
        key_str(w, "from_ip", h->from_ip);
        key_str(w, "by", h->by);
        key_str(w, "protocol", h->protocol);
        key_str(w, "tls", h->tls);
        key_str(w, "id", h->id);
        key_str(w, "time", h->time_iso);
        jw_key(w, "delay_s");
        if (rt->hops[i].has_delay)
            jw_int(w, rt->hops[i].delay_s);
        else
            jw_null(w);
        key_str(w, "for", h->for_addr);
        jw_key(w, "internal");
        jw_bool(w, rt->hops[i].internal);
        hop_facts(w, h);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "origin");
    const rcv_hop *oh = route_origin(rt);
    if (oh) {
        jw_obj(w);
        key_str(w, "ip", oh->from_ip);
        key_str(w, "helo", oh->from_helo);
        key_str(w, "rdns", oh->from_rdns);
        jw_key(w, "asn");
        if (rt->origin_asn)
            jw_int(w, rt->origin_asn);
        else
            jw_null(w);
        key_str(w, "as_org", rt->origin_as_org);
        key_str(w, "country", rt->origin_country);
        key_str(w, "provider", rt->origin_provider);
        key_str(w, "provider_kind", rt->origin_provider_kind);
        key_str(w, "rdns_claim", rt->origin_rdns_claim);
        jw_key(w, "hop");
        jw_int(w, rt->origin);
        key_str(w, "reason", rt->origin_reason);
        jw_end(w);
    } else {
        jw_null(w);
    }
    key_str(w, "receiving_domain", rt->receiving_domain);
    jw_key(w, "facts");
    jw_arr(w);
    for (size_t i = 0; i < rt->nfacts; i++)
        jstr(w, rt->facts[i]);
    jw_end(w);
    if (rt->dropped) {
        jw_key(w, "hops_dropped");
        jw_int(w, (long long)rt->dropped);
    }
    jw_end(w);
}

static void jnotes(jw *w, const sender_note *v, size_t n)
{
    jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj(w);
        key_str(w, "ja", v[i].ja);
        key_str(w, "en", v[i].en);
        jw_end(w);
    }
    jw_end(w);
}

static void real_or_null(jw *w, const char *k, int has, double v)
{
    if (has) {
        jw_key_real(w, k, v);
    } else {
        jw_key(w, k);
        jw_null(w);
    }
}

/* auth: what the headers said; with --online, the verified results fill in
 * what the headers did not say, and "verified" has them all */
static void jauth(jw *w, const sender_result *s, const online_result *on)
{
    jw_obj(w);
    jw_key(w, "spf");
    if (s->has_spf) {
        jw_obj(w);
        key_str(w, "result", s->spf.result);
        key_str(w, "domain", s->spf.domain);
        jw_key(w, "source");
        lit(w, "header");
        key_str(w, "ip", s->spf.ip);
        key_str(w, "reason", s->spf.reason);
        jw_end(w);
    } else if (on && on->has_spf) {
        report_json_online_auth_obj(w, &on->spf, 0, 0);
    } else {
        jw_null(w);
    }
    jw_key(w, "dkim");
    jw_arr(w);
    for (size_t i = 0; i < s->ndkim; i++) {
        jw_obj(w);
        key_str(w, "result", s->dkim[i].result);
        key_str(w, "domain", s->dkim[i].domain);
        key_str(w, "selector", s->dkim[i].selector);
        jw_key(w, "source");
        lit(w, "header");
        jw_end(w);
    }
    for (size_t i = 0; on && s->ndkim == 0 && i < on->ndkim; i++)
        report_json_online_auth_obj(w, &on->dkim[i], 1, 0);
    jw_end(w);
    jw_key(w, "dmarc");
    if (s->has_dmarc) {
        jw_obj(w);
        key_str(w, "result", s->dmarc.result);
        key_str(w, "policy", s->dmarc.policy);
        jw_key(w, "source");
        lit(w, "header");
        key_str(w, "domain", s->dmarc.domain);
        jw_end(w);
    } else if (on && on->has_dmarc) {
        report_json_online_auth_obj(w, &on->dmarc, 0, 1);
    } else {
        jw_null(w);
    }
    key_str(w, "authserv_id", s->authserv_id);
    key_str(w, "authserv_why", s->authserv_why);
    jw_key(w, "ignored_authentication_results");
    jw_int(w, (long long)s->ignored_authres);
    jw_key(w, "dkim_signature_domains");
    jw_arr(w);
    for (size_t i = 0; i < s->ndkim_sig; i++)
        jstr(w, s->dkim_sig_domains[i]);
    jw_end(w);
    jw_key(w, "filters");
    jw_obj(w);
    jw_key(w, "spam_flag");
    if (s->spam_flag < 0)
        jw_null(w);
    else
        jw_bool(w, s->spam_flag);
    real_or_null(w, "spamassassin_score", s->has_sa_score, s->sa_score);
    real_or_null(w, "spamassassin_required", s->has_sa_score, s->sa_required);
    key_str(w, "spamassassin_tests", s->sa_tests);
    real_or_null(w, "rspamd_score", s->has_rspamd, s->rspamd_score);
    jw_key(w, "ms_scl");
    if (s->ms_scl > -2)
        jw_int(w, s->ms_scl);
    else
        jw_null(w);
    key_str(w, "ms_sfv", s->ms_sfv);
    key_str(w, "ms_cat", s->ms_cat);
    jw_end(w);
    jw_key(w, "tag_reasons");
    jnotes(w, s->tag_reasons, s->ntag_reasons);
    jw_key(w, "identity");
    jnotes(w, s->identity, s->nidentity);
    if (on) {
        jw_key(w, "verified");
        report_json_online_verified(w, on);
    }
    jw_end(w);
}

static void jbrand(jw *w, const brand_result *b)
{
    if (!b->brand) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    key_str(w, "id", b->brand->id);
    key_str(w, "name", b->brand->name_ja);
    key_str(w, "name_en", b->brand->name_en);
    jw_key(w, "official_domains");
    jw_arr(w);
    for (size_t i = 0; i < b->brand->ndomains; i++)
        jstr(w, b->brand->official_domains[i]);
    jw_end(w);
    jw_key(w, "impersonated");
    jw_bool(w, b->impersonated);
    key_str(w, "claimed_in", b->claimed_in);
    jw_key(w, "score");
    jw_int(w, b->score);
    jw_key(w, "from_is_official");
    jw_bool(w, b->from_is_official);
    jw_key(w, "display_mismatch");
    jw_bool(w, b->display_mismatch);
    key_str(w, "category", b->brand->category);
    jw_key(w, "phone");
    if (b->brand->phone && *b->brand->phone)
        jstr(w, b->brand->phone);
    else
        jw_null(w);
    key_str(w, "evidence", b->evidence);
    jw_end(w);
}

/* a string json_pack("s") accepted: present and valid UTF-8 */
static int packable(const char *s)
{
    return s && charset_utf8_valid(s, strlen(s));
}

static void jfindings(jw *w, const verdict_result *v)
{
    jw_arr(w);
    for (size_t i = 0; i < v->n; i++) {
        const finding *f = &v->v[i];
        if (!packable(f->id) || !packable(f->severity) || !isfinite(f->score))
            continue; /* jansson could not pack it and left it out */
        jw_obj(w);
        jw_key(w, "id");
        lit(w, f->id);
        jw_key(w, "severity");
        lit(w, f->severity);
        jw_key(w, "score");
        jw_real(w, f->score);
        jw_key(w, "summary");
        jw_obj(w);
        key_str(w, "ja", f->summary_ja);
        key_str(w, "en", f->summary_en);
        jw_end(w);
        key_str(w, "evidence", f->evidence);
        jw_end(w);
    }
    jw_end(w);
}

char *report_json(const struct kensa_report *r, int pretty)
{
    return report_json_len(r, pretty, NULL);
}

char *report_json_len(const struct kensa_report *r, int pretty, size_t *len)
{
    jw w;
    jw_init(&w, pretty);
    kbuf_reserve(&w.b, 16384); /* a report is ~10 KB: no regrowth */
    jw_obj(&w);
    jw_key(&w, "schema_version");
    jw_int(&w, 1);
    jw_key(&w, "source");
    jw_obj(&w);
    key_str(&w, "path", r->path);
    jw_key(&w, "sha256");
    lit(&w, r->sha256);
    jw_key(&w, "size");
    jw_int(&w, (long long)r->size);
    jw_end(&w);
    jw_key(&w, "message");
    jmessage(&w, r->msg, r->text_defanged);
    jw_key(&w, "route");
    jroute(&w, &r->route);
    jw_key(&w, "auth");
    jauth(&w, &r->sender, r->online);
    jw_key(&w, "links");
    report_json_links_write(&w, &r->links, r->link_facts, r->online);
    jw_key(&w, "online");
    report_json_online(&w, r->online);
    jw_key(&w, "brand");
    jbrand(&w, &r->brand);
    jw_key(&w, "content");
    report_json_content_write(&w, &r->content);
    jw_key(&w, "findings");
    jfindings(&w, &r->verdict);
    jw_key(&w, "data_sources");
    jw_obj(&w);
    jw_key(&w, "ip");
    if (r->ip_attribution && *r->ip_attribution)
        jstr(&w, r->ip_attribution);
    else
        jw_null(&w);
    key_str(&w, "public_suffix_list", r->psl_date);
    jw_end(&w);
    if (packable(r->verdict.label) && packable(r->verdict.why) && isfinite(r->verdict.score)) {
        jw_key(&w, "verdict");
        jw_obj(&w);
        jw_key(&w, "label");
        lit(&w, r->verdict.label);
        jw_key(&w, "score");
        jw_real(&w, r->verdict.score);
        jw_key(&w, "why");
        lit(&w, r->verdict.why);
        jw_end(&w);
    }
    jw_end(&w);
    return jw_finish_len(&w, len);
}

char *kensa_error_record(const char *path, const char *sha256, long long size, const char *code,
                         const char *message)
{
    jw w;
    jw_init(&w, 0);
    jw_obj(&w);
    jw_key(&w, "source");
    jw_obj(&w);
    key_str(&w, "path", path);
    key_str(&w, "sha256", sha256);
    jw_key(&w, "size");
    if (size >= 0)
        jw_int(&w, size);
    else
        jw_null(&w);
    jw_end(&w);
    jw_key(&w, "error");
    jw_obj(&w);
    key_str(&w, "code", code);
    key_str(&w, "message", message);
    jw_end(&w);
    jw_end(&w);
    return jw_finish(&w);
}
