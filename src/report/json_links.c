/*
 * json_links.c - links[] for the JSON report: the contract's keys in order
 * (url, defanged, host, domain, tld, text, text_domain, mismatch, source,
 * ip, as_org, country, registered, age_days, blocklists, live, final_url,
 * screenshot), missing values as null, then kensa's extra keys (host_unicode,
 * element, elements, text_host, unwrapped, count, flags[]), then intel's
 * (asn, provider when known; lookalike, suspicious_tld, random_looking) and
 * --online's ("online"). Facts from intel or --online replace the contract's
 * nulls in place.
 */
#include "json_links.h"

#include <stdlib.h>
#include <string.h>

#include "../mime/charset.h"
#include "json_online.h"

/* the link's own strings: invalid UTF-8 (should not happen) is null */
static void str_or_null(jw *w, const char *s)
{
    if (s && charset_utf8_valid(s, strlen(s)))
        jw_strn(w, s, strlen(s));
    else
        jw_null(w);
}

/* a fact from intel or --online when known, else the link's own value */
static void fact(jw *w, const char *key, const char *v, const char *own)
{
    jw_key(w, key);
    if (v)
        jw_str_any(w, v);
    else
        str_or_null(w, own);
}

static void link_write(jw *w, const link_t *l, const link_facts *f, const online_link *ol)
{
    jw_obj(w);
    jw_key(w, "url");
    str_or_null(w, l->url);
    jw_key(w, "defanged");
    str_or_null(w, l->defanged);
    jw_key(w, "host");
    str_or_null(w, l->host);
    jw_key(w, "domain");
    str_or_null(w, l->domain);
    jw_key(w, "tld");
    str_or_null(w, l->tld);
    jw_key(w, "text");
    str_or_null(w, l->text);
    jw_key(w, "text_domain");
    str_or_null(w, l->text_domain);
    jw_key(w, "mismatch");
    jw_bool(w, l->mismatch);
    jw_key(w, "source");
    str_or_null(w, l->source);
    fact(w, "ip", ol ? ol->ip : NULL, (l->flags & LINK_IP_HOST) ? l->host : NULL);
    fact(w, "as_org", ol && ol->as_org ? ol->as_org : f ? f->as_org : NULL, NULL);
    fact(w, "country", ol && ol->country ? ol->country : f ? f->country : NULL, NULL);
    jw_key(w, "registered");
    if (ol)
        jw_str_any(w, ol->registered);
    else
        jw_null(w);
    jw_key(w, "age_days");
    if (ol && ol->has_age)
        jw_int(w, ol->age_days);
    else
        jw_null(w);
    jw_key(w, "blocklists");
    jw_arr(w);
    for (size_t k = 0; ol && k < ol->nbl; k++)
        jw_str_any(w, ol->blocklists[k]);
    jw_end(w);
    jw_key(w, "live");
    if (ol && ol->live >= 0)
        jw_bool(w, ol->live);
    else
        jw_null(w);
    jw_key(w, "final_url");
    if (ol)
        jw_str_any(w, ol->final_url);
    else
        jw_null(w);
    jw_key(w, "screenshot");
    if (ol)
        jw_str_any(w, ol->screenshot);
    else
        jw_null(w);
    jw_key(w, "host_unicode");
    str_or_null(w, l->host_unicode);
    jw_key(w, "element");
    str_or_null(w, l->element);
    jw_key(w, "elements");
    str_or_null(w, l->elements);
    jw_key(w, "text_host");
    str_or_null(w, l->text_host);
    jw_key(w, "unwrapped");
    str_or_null(w, l->unwrapped);
    jw_key(w, "count");
    jw_int(w, l->count);
    jw_key(w, "flags");
    const char *names[32];
    size_t nf = links_flag_names(l->flags, names, 32);
    jw_arr(w);
    for (size_t k = 0; k < nf; k++)
        jw_strn(w, names[k], strlen(names[k]));
    jw_end(w);
    if (f) {
        if (f->asn) {
            jw_key(w, "asn");
            jw_int(w, f->asn);
        }
        if (f->provider) {
            jw_key(w, "provider");
            jw_str_any(w, f->provider);
        }
        jw_key(w, "lookalike");
        if (f->has_lookalike) {
            jw_obj(w);
            jw_key(w, "brand");
            jw_str_any(w, f->lookalike.brand ? f->lookalike.brand->id : NULL);
            jw_key(w, "kind");
            jw_str_any(w, f->lookalike.kind);
            jw_key(w, "evidence");
            jw_str_any(w, f->lookalike.evidence);
            jw_end(w);
        } else {
            jw_null(w);
        }
        jw_key(w, "suspicious_tld");
        jw_str_any(w, f->tld_why);
        jw_key(w, "random_looking");
        jw_bool(w, f->random_domain);
    }
    if (ol) {
        jw_key(w, "online");
        report_json_online_link_extra(w, ol);
    }
    jw_end(w);
}

void report_json_links_write(jw *w, const links_result *r, const link_facts *facts,
                             const online_result *online)
{
    jw_arr(w);
    for (size_t i = 0; r && i < r->n; i++)
        link_write(w, &r->v[i], facts ? &facts[i] : NULL,
                   facts ? report_online_link(online, i) : NULL);
    jw_end(w);
}

json_t *report_json_links(const links_result *r)
{
    jw w;
    jw_init(&w, 0);
    report_json_links_write(&w, r, NULL, NULL);
    char *s = jw_finish(&w);
    json_t *j = s ? json_loads(s, 0, NULL) : NULL;
    free(s);
    return j ? j : json_array();
}
