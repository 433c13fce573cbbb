/*
 * json_links.c - links[] for the JSON report: the contract's keys in order
 * (url, defanged, host, domain, tld, text, text_domain, mismatch, source,
 * ip, as_org, country, registered, age_days, blocklists, live, final_url,
 * screenshot), missing values as null, then kensa's extra keys (host_unicode,
 * element, elements, unwrapped, count, flags[]). jansson escapes every string.
 */
#include "json_links.h"

static json_t *str_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null(); /* json_string rejects invalid UTF-8 */
}

json_t *report_json_links(const links_result *r)
{
    json_t *arr = json_array();
    if (!arr || !r)
        return arr;
    for (size_t i = 0; i < r->n; i++) {
        const link_t *l = &r->v[i];
        json_t *o = json_object();
        if (!o)
            break;
        json_object_set_new(o, "url", str_or_null(l->url));
        json_object_set_new(o, "defanged", str_or_null(l->defanged));
        json_object_set_new(o, "host", str_or_null(l->host));
        json_object_set_new(o, "domain", str_or_null(l->domain));
        json_object_set_new(o, "tld", str_or_null(l->tld));
        json_object_set_new(o, "text", str_or_null(l->text));
        json_object_set_new(o, "text_domain", str_or_null(l->text_domain));
        json_object_set_new(o, "mismatch", json_boolean(l->mismatch));
        json_object_set_new(o, "source", str_or_null(l->source));
        json_object_set_new(o, "ip", str_or_null((l->flags & LINK_IP_HOST) ? l->host : NULL));
        json_object_set_new(o, "as_org", json_null());
        json_object_set_new(o, "country", json_null());
        json_object_set_new(o, "registered", json_null());
        json_object_set_new(o, "age_days", json_null());
        json_object_set_new(o, "blocklists", json_array());
        json_object_set_new(o, "live", json_null());
        json_object_set_new(o, "final_url", json_null());
        json_object_set_new(o, "screenshot", json_null());
        json_object_set_new(o, "host_unicode", str_or_null(l->host_unicode));
        json_object_set_new(o, "element", str_or_null(l->element));
        json_object_set_new(o, "elements", str_or_null(l->elements));
        json_object_set_new(o, "text_host", str_or_null(l->text_host));
        json_object_set_new(o, "unwrapped", str_or_null(l->unwrapped));
        json_object_set_new(o, "count", json_integer(l->count));
        const char *names[32];
        size_t nf = links_flag_names(l->flags, names, 32);
        json_t *fl = json_array();
        for (size_t k = 0; fl && k < nf; k++)
            json_array_append_new(fl, json_string(names[k]));
        json_object_set_new(o, "flags", fl ? fl : json_array());
        json_array_append_new(arr, o);
    }
    return arr;
}
