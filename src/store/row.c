/*
 * row.c - the indexed columns of one report (store_row_from_report()).
 *
 * Reads only the finished report: message dates and subject, verdict, brand,
 * content, route origin and links. The subject is kept defanged because it is
 * shown as an example in trends. Link ages come from the rendered JSON, so
 * whatever online enrichment records there is indexed without a change here.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../content/content.h"
#include "../report/report.h"
#include "store.h"

static int is_day(const char *s)
{
    static const char pat[] = "dddd-dd-dd";
    for (int i = 0; i < 10; i++) {
        if (!s[i])
            return 0;
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
            return 0;
    }
    return 1;
}

/* A UTF-8-safe prefix of at most max bytes, with "…" when cut. */
static const char *clip(arena *a, const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n <= max)
        return s;
    n = max - 3;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return arena_printf(a, "%.*s\xE2\x80\xA6", (int)n, s);
}

static int official(const brand_info *b, const char *dom)
{
    if (!b || !dom)
        return 0;
    size_t dl = strlen(dom);
    for (size_t i = 0; i < b->ndomains; i++) {
        const char *o = b->official_domains[i];
        size_t ol = strlen(o);
        if (dl == ol && strcmp(dom, o) == 0)
            return 1;
        if (dl > ol && dom[dl - ol - 1] == '.' && strcmp(dom + dl - ol, o) == 0)
            return 1;
    }
    return 0;
}

/* age_days per link domain, from the JSON's links array (null offline). */
static void link_ages(const char *json, store_row *out)
{
    json_t *root = json_loads(json, 0, NULL);
    json_t *links = root ? json_object_get(root, "links") : NULL;
    size_t i;
    json_t *l;
    json_array_foreach(links, i, l)
    {
        const char *dom = json_string_value(json_object_get(l, "domain"));
        json_t *age = json_object_get(l, "age_days");
        if (!dom || !json_is_integer(age))
            continue;
        for (size_t k = 0; k < out->nlinks; k++)
            if (strcmp(out->links[k].domain, dom) == 0 && out->links[k].age_days < 0)
                out->links[k].age_days = (long long)json_integer_value(age);
    }
    json_decref(root);
}

int store_row_from_report(const kensa_report *r, arena *a, store_row *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->sha256, r->sha256, sizeof out->sha256);
    out->path = r->path ? arena_strdup(a, r->path) : NULL;
    out->size = (long long)r->size;
    const km_message *m = r->msg;

    const char *when = m->received_at ? m->received_at : m->date;
    long long epoch;
    int off;
    if (when && content_parse_iso(when, &epoch, &off) == 0) {
        out->received_at = arena_strdup(a, when);
        out->received_epoch = epoch;
        if (is_day(when))
            memcpy(out->received_day, when, 10);
    }
    if (m->subject) {
        char *d = links_defang_text(a, &r->links, m->subject);
        out->subject = clip(a, d ? d : m->subject, STORE_MAX_SUBJECT);
    }
    out->verdict = arena_strdup(a, r->verdict.label ? r->verdict.label : "clean");
    out->score = r->verdict.score;
    if (r->brand.brand) {
        out->brand_id = arena_strdup(a, r->brand.brand->id);
        out->brand_name = r->brand.brand->name_ja ? arena_strdup(a, r->brand.brand->name_ja)
                                                  : NULL;
        out->brand_name_en =
            r->brand.brand->name_en ? arena_strdup(a, r->brand.brand->name_en) : NULL;
        out->impersonated = r->brand.impersonated ? 1 : 0;
    }
    out->lure = r->content.lure ? arena_strdup(a, r->content.lure) : NULL;
    const rcv_hop *o = route_origin(&r->route);
    if (o && o->from_ip)
        out->origin_ip = arena_strdup(a, o->from_ip);
    out->origin_asn = r->route.origin_asn;
#define DUP(x) ((x) && *(x) ? arena_strdup(a, (x)) : NULL)
    out->origin_provider = DUP(r->route.origin_provider);
    out->origin_as_org = DUP(r->route.origin_as_org);
    out->origin_country = DUP(r->route.origin_country);
    out->sender_domain = DUP(m->from.domain);
    if (r->content.deadline) {
        out->deadline = arena_strdup(a, r->content.deadline);
        out->deadline_weekend = r->content.deadline_weekend ? 1 : 0;
        out->deadline_month_end = r->content.deadline_month_end ? 1 : 0;
        out->deadline_has_hours = r->content.deadline_has_receipt ? 1 : 0;
        out->deadline_hours = r->content.deadline_hours;
    }
    for (size_t i = 0; i < r->links.n && out->nlinks < STORE_MAX_LINKS; i++) {
        const link_t *l = &r->links.v[i];
        if (!l->domain || !*l->domain)
            continue;
        size_t k = 0;
        while (k < out->nlinks && strcmp(out->links[k].domain, l->domain) != 0)
            k++;
        if (k < out->nlinks)
            continue;
        store_link *sl = &out->links[out->nlinks++];
        sl->domain = arena_strdup(a, l->domain);
        sl->tld = DUP(l->tld);
        sl->lure = !official(r->brand.brand, l->domain);
        sl->age_days = -1;
    }
#undef DUP
    size_t flen = 0;
    for (size_t i = 0; i < r->verdict.n && out->nfindings < STORE_MAX_FINDINGS; i++) {
        const char *id = r->verdict.v[i].id;
        if (!id)
            continue;
        size_t k = 0;
        while (k < out->nfindings && strcmp(out->findings[k], id) != 0)
            k++;
        if (k == out->nfindings) {
            out->findings[out->nfindings++] = arena_strdup(a, id);
            flen += strlen(id) + 1;
        }
    }
    char *fl = arena_alloc(a, flen + 1);
    if (!fl)
        return -1;
    for (size_t i = 0, p = 0; i < out->nfindings; i++) {
        size_t n = strlen(out->findings[i]);
        if (p)
            fl[p++] = ' ';
        memcpy(fl + p, out->findings[i], n);
        p += n;
    }
    out->findings_list = fl;

    char *json = report_json(r, 0);
    if (!json)
        return -1;
    out->json = arena_strdup(a, json);
    free(json);
    if (!out->json || !out->verdict)
        return -1;
    link_ages(out->json, out);
    return 0;
}
