/*
 * json_online.c - see json_online.h. Every string from the network (page
 * titles, PTR names, certificate fields) is repaired to valid UTF-8 by
 * jw_str_any(); the writer escapes the rest.
 */
#include "json_online.h"

static void s_array(jw *w, char *const *v, size_t n)
{
    jw_arr(w);
    for (size_t i = 0; v && i < n; i++)
        jw_str_any(w, v[i]);
    jw_end(w);
}

const online_link *report_online_link(const online_result *res, size_t i)
{
    if (!res || i >= res->nlinks || !res->links[i].checked)
        return NULL;
    return &res->links[i];
}

void report_json_online_link_extra(jw *w, const online_link *l)
{
    jw_obj(w);
    jw_key(w, "ips");
    s_array(w, l->ips, l->nips);
    jw_key(w, "asn");
    if (l->asn)
        jw_int(w, l->asn);
    else
        jw_null(w);
    jw_key(w, "provider");
    jw_str_any(w, l->provider);
    jw_key(w, "mx");
    s_array(w, l->mx, l->nmx);
    jw_key(w, "registration");
    jw_obj(w);
    jw_key(w, "source");
    jw_str_any(w, l->reg_source);
    jw_key(w, "server");
    jw_str_any(w, l->reg_server);
    jw_key(w, "error");
    jw_str_any(w, l->reg_error);
    jw_end(w);
    jw_key(w, "status");
    if (l->status)
        jw_int(w, l->status);
    else
        jw_null(w);
    jw_key(w, "title");
    jw_str_any(w, l->title);
    jw_key(w, "redirects");
    jw_arr(w);
    for (size_t k = 0; k < l->nhops; k++) {
        jw_obj(w);
        jw_key(w, "url");
        jw_str_any(w, l->hops[k].url);
        jw_key(w, "status");
        if (l->hops[k].status)
            jw_int(w, l->hops[k].status);
        else
            jw_null(w);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "final_ip");
    jw_str_any(w, l->final_ip);
    jw_key(w, "tls");
    if (l->tls_subject || l->tls_issuer) {
        jw_obj(w);
        jw_key(w, "subject");
        jw_str_any(w, l->tls_subject);
        jw_key(w, "issuer");
        jw_str_any(w, l->tls_issuer);
        jw_key(w, "not_before");
        jw_str_any(w, l->tls_not_before);
        jw_key(w, "verified");
        jw_bool(w, l->tls_verify == 0);
        jw_end(w);
    } else {
        jw_null(w);
    }
    jw_key(w, "site_error");
    jw_str_any(w, l->site_error);
    jw_key(w, "screenshot_error");
    jw_str_any(w, l->screenshot_error);
    jw_end(w);
}

void report_json_online_auth_obj(jw *w, const online_auth *a, int dkim, int dmarc)
{
    jw_obj(w);
    jw_key(w, "result");
    jw_str_any(w, a->result);
    jw_key(w, "domain");
    jw_str_any(w, a->domain);
    if (dkim) {
        jw_key(w, "selector");
        jw_str_any(w, a->selector);
    }
    if (dmarc) {
        jw_key(w, "policy");
        jw_str_any(w, a->policy);
    }
    jw_key(w, "source");
    jw_strn(w, "verified", 8);
    jw_key(w, "reason");
    jw_str_any(w, a->reason);
    jw_end(w);
}

void report_json_online_verified(jw *w, const online_result *res)
{
    jw_obj(w);
    jw_key(w, "spf");
    if (res->has_spf)
        report_json_online_auth_obj(w, &res->spf, 0, 0);
    else
        jw_null(w);
    jw_key(w, "dkim");
    jw_arr(w);
    for (size_t i = 0; i < res->ndkim; i++)
        report_json_online_auth_obj(w, &res->dkim[i], 1, 0);
    jw_end(w);
    jw_key(w, "dmarc");
    if (res->has_dmarc)
        report_json_online_auth_obj(w, &res->dmarc, 0, 1);
    else
        jw_null(w);
    jw_key(w, "mail_from");
    jw_str_any(w, res->mail_from);
    jw_key(w, "helo");
    jw_str_any(w, res->helo);
    jw_key(w, "ip");
    jw_str_any(w, res->origin_ip);
    jw_end(w);
}

void report_json_online(jw *w, const online_result *res)
{
    if (!res) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    jw_key(w, "dns_server");
    jw_str_any(w, res->dns_server);
    jw_key(w, "origin");
    jw_obj(w);
    jw_key(w, "ip");
    jw_str_any(w, res->origin_ip);
    jw_key(w, "ptr");
    s_array(w, res->ptr, res->nptr);
    jw_key(w, "fcrdns");
    if (res->fcrdns < 0)
        jw_null(w);
    else
        jw_bool(w, res->fcrdns);
    jw_key(w, "fcrdns_name");
    jw_str_any(w, res->fcrdns_name);
    jw_key(w, "blocklists");
    s_array(w, res->origin_bl, res->norigin_bl);
    jw_end(w);
    jw_key(w, "from_mx");
    s_array(w, res->from_mx, res->nfrom_mx);
    jw_key(w, "notes");
    s_array(w, res->notes, res->nnotes);
    jw_key(w, "elapsed_s");
    jw_real(w, res->elapsed_s);
    jw_end(w);
}
