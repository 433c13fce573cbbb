/*
 * json_online.c - see json_online.h. Every string from the network (page
 * titles, PTR names, certificate fields) is made valid UTF-8 before jansson
 * sees it; jansson escapes the rest.
 */
#include "json_online.h"

#include <string.h>

#include "../mime/charset.h"

static json_t *s_or_null(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    arena *t = arena_new(4 * n + 64);
    size_t ol = 0;
    char *c = t ? charset_utf8_sanitize(t, s, n, &ol) : NULL;
    j = c ? json_stringn(c, ol) : NULL;
    arena_free(t);
    return j ? j : json_string("");
}

static json_t *s_array(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; v && i < n; i++)
        json_array_append_new(a, s_or_null(v[i]));
    return a;
}

void report_json_online_link(json_t *o, const online_result *res, size_t i)
{
    if (!res || !o || i >= res->nlinks || !res->links[i].checked)
        return;
    const online_link *l = &res->links[i];
    if (l->ip)
        json_object_set_new(o, "ip", s_or_null(l->ip));
    if (l->as_org)
        json_object_set_new(o, "as_org", s_or_null(l->as_org));
    if (l->country)
        json_object_set_new(o, "country", s_or_null(l->country));
    json_object_set_new(o, "registered", s_or_null(l->registered));
    json_object_set_new(o, "age_days", l->has_age ? json_integer(l->age_days) : json_null());
    json_object_set_new(o, "blocklists", s_array(l->blocklists, l->nbl));
    json_object_set_new(o, "live", l->live < 0 ? json_null() : json_boolean(l->live));
    json_object_set_new(o, "final_url", s_or_null(l->final_url));
    json_object_set_new(o, "screenshot", s_or_null(l->screenshot));
    json_t *hops = json_array();
    for (size_t k = 0; k < l->nhops; k++)
        json_array_append_new(hops, json_pack("{s:o,s:o}", "url", s_or_null(l->hops[k].url),
                                              "status", l->hops[k].status
                                                            ? json_integer(l->hops[k].status)
                                                            : json_null()));
    json_t *tls = json_null();
    if (l->tls_subject || l->tls_issuer)
        tls = json_pack("{s:o,s:o,s:o,s:b}", "subject", s_or_null(l->tls_subject), "issuer",
                        s_or_null(l->tls_issuer), "not_before", s_or_null(l->tls_not_before),
                        "verified", l->tls_verify == 0);
    json_t *x = json_object();
    json_object_set_new(x, "ips", s_array(l->ips, l->nips));
    json_object_set_new(x, "asn", l->asn ? json_integer(l->asn) : json_null());
    json_object_set_new(x, "provider", s_or_null(l->provider));
    json_object_set_new(x, "mx", s_array(l->mx, l->nmx));
    json_object_set_new(x, "registration",
                        json_pack("{s:o,s:o,s:o}", "source", s_or_null(l->reg_source), "server",
                                  s_or_null(l->reg_server), "error", s_or_null(l->reg_error)));
    json_object_set_new(x, "status", l->status ? json_integer(l->status) : json_null());
    json_object_set_new(x, "title", s_or_null(l->title));
    json_object_set_new(x, "redirects", hops);
    json_object_set_new(x, "final_ip", s_or_null(l->final_ip));
    json_object_set_new(x, "tls", tls);
    json_object_set_new(x, "site_error", s_or_null(l->site_error));
    json_object_set_new(x, "screenshot_error", s_or_null(l->screenshot_error));
    json_object_set_new(o, "online", x);
}

static json_t *auth_obj(const online_auth *a, int dkim, int dmarc)
{
    json_t *o = json_object();
    json_object_set_new(o, "result", s_or_null(a->result));
    json_object_set_new(o, "domain", s_or_null(a->domain));
    if (dkim)
        json_object_set_new(o, "selector", s_or_null(a->selector));
    if (dmarc)
        json_object_set_new(o, "policy", s_or_null(a->policy));
    json_object_set_new(o, "source", json_string("verified"));
    json_object_set_new(o, "reason", s_or_null(a->reason));
    return o;
}

void report_json_online_auth(json_t *auth, const online_result *res)
{
    if (!res || !auth)
        return;
    json_t *dkim = json_array();
    for (size_t i = 0; i < res->ndkim; i++)
        json_array_append_new(dkim, auth_obj(&res->dkim[i], 1, 0));
    json_t *v = json_object();
    json_object_set_new(v, "spf", res->has_spf ? auth_obj(&res->spf, 0, 0) : json_null());
    json_object_set_new(v, "dkim", dkim);
    json_object_set_new(v, "dmarc", res->has_dmarc ? auth_obj(&res->dmarc, 0, 1) : json_null());
    json_object_set_new(v, "mail_from", s_or_null(res->mail_from));
    json_object_set_new(v, "helo", s_or_null(res->helo));
    json_object_set_new(v, "ip", s_or_null(res->origin_ip));
    /* the header said nothing: the verified result takes the contract's place */
    if (json_is_null(json_object_get(auth, "spf")) && res->has_spf)
        json_object_set_new(auth, "spf", auth_obj(&res->spf, 0, 0));
    if (json_is_null(json_object_get(auth, "dmarc")) && res->has_dmarc)
        json_object_set_new(auth, "dmarc", auth_obj(&res->dmarc, 0, 1));
    json_t *hd = json_object_get(auth, "dkim");
    if (json_is_array(hd) && json_array_size(hd) == 0)
        for (size_t i = 0; i < res->ndkim; i++)
            json_array_append_new(hd, auth_obj(&res->dkim[i], 1, 0));
    json_object_set_new(auth, "verified", v);
}

json_t *report_json_online(const online_result *res)
{
    if (!res)
        return json_null();
    json_t *origin = json_object();
    json_object_set_new(origin, "ip", s_or_null(res->origin_ip));
    json_object_set_new(origin, "ptr", s_array(res->ptr, res->nptr));
    json_object_set_new(origin, "fcrdns", res->fcrdns < 0 ? json_null()
                                                          : json_boolean(res->fcrdns));
    json_object_set_new(origin, "fcrdns_name", s_or_null(res->fcrdns_name));
    json_object_set_new(origin, "blocklists", s_array(res->origin_bl, res->norigin_bl));
    json_t *o = json_object();
    json_object_set_new(o, "dns_server", s_or_null(res->dns_server));
    json_object_set_new(o, "origin", origin);
    json_object_set_new(o, "from_mx", s_array(res->from_mx, res->nfrom_mx));
    json_object_set_new(o, "notes", s_array(res->notes, res->nnotes));
    json_object_set_new(o, "elapsed_s", json_real(res->elapsed_s));
    return o;
}
