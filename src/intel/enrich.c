/*
 * enrich.c - see enrich.h. Pure lookups in read-only data; facts only.
 */
#include "enrich.h"

#include <string.h>
#include <strings.h>

#include "../util/domain.h"
#include "../util/hash.h"

int enrich_origin(arena *a, const intel_data *d, route_result *rt)
{
    const rcv_hop *o = route_origin(rt);
    if (!o || !o->from_ip)
        return 0;
    ip_info ii;
    /* no rDNS recorded: the HELO name may stand in, since a name pattern only
     * counts when the IP's ASN agrees with it */
    const char *name = o->from_rdns && strcasecmp(o->from_rdns, "unknown") != 0 ? o->from_rdns
                                                                             : o->from_helo;
    if (intel_lookup(d, o->from_ip, name, &ii) != 0)
        return 0;
    rt->origin_asn = ii.asn;
    rt->origin_as_org = ii.as_org;
    rt->origin_country = ii.country[0] ? arena_strdup(a, ii.country) : NULL;
    rt->origin_provider = ii.provider;
    rt->origin_provider_kind = ii.provider_kind;
    rt->origin_rdns_claim = ii.rdns_claim;
    return 0;
}

/* the registrable label without its suffix: "ujmlges" of "ujmlges.com" */
static char *label_of(arena *a, const char *domain, const char *tld)
{
    if (!domain || !tld)
        return NULL;
    size_t dl = strlen(domain), tl = strlen(tld);
    if (dl <= tl + 1)
        return NULL;
    return arena_strndup(a, domain, dl - tl - 1);
}

int enrich_links(arena *a, const intel_data *ip, const brand_data *bd, const links_result *links,
                 link_facts **out)
{
    *out = arena_alloc(a, (links->n ? links->n : 1) * sizeof **out);
    if (!*out)
        return -1;
    /* open addressing, link index + 1 per distinct host; NULL: no memo */
    size_t smask = 15;
    while (smask < 2 * links->n)
        smask = smask * 2 + 1;
    size_t *seen = links->n > 1 ? arena_alloc(a, (smask + 1) * sizeof *seen) : NULL; /* zeroed */
    for (size_t i = 0; i < links->n; i++) {
        const link_t *l = &links->v[i];
        link_facts *f = &(*out)[i];
        if (l->host && domain_ip_family(l->host)) {
            ip_info ii;
            if (intel_lookup(ip, l->host, NULL, &ii) == 0) {
                f->asn = ii.asn;
                f->as_org = ii.as_org;
                f->country = ii.country[0] ? arena_strdup(a, ii.country) : NULL;
                f->provider = ii.provider;
                f->provider_kind = ii.provider_kind;
            }
            continue;
        }
        const char *dom = l->domain;
        if (!dom || (l->flags & (LINK_DATA_URI | LINK_JS_URI)))
            continue;
        /* a mail repeats its hosts: the look-alike test (ICU skeletons, edit
         * distances) runs once per distinct host */
        const char *lh = l->host ? l->host : dom;
        size_t j = 0;
        if (seen)
            for (size_t h = fnv1a(lh, strlen(lh)) & smask;; h = (h + 1) & smask) {
                if (seen[h] == 0) {
                    seen[h] = i + 1;
                    j = i;
                    break;
                }
                const link_t *o = &links->v[seen[h] - 1];
                if (strcmp(o->host ? o->host : o->domain, lh) == 0) {
                    j = seen[h] - 1;
                    break;
                }
            }
        else
            j = i;
        if (j < i) {
            f->lookalike = (*out)[j].lookalike;
            f->has_lookalike = (*out)[j].has_lookalike;
        } else if (brand_lookalike(a, bd, lh, &f->lookalike) == 1)
            f->has_lookalike = 1;
        const char *why = NULL;
        if (l->tld && brand_suspicious_tld(bd, l->tld, &why) == 1)
            f->tld_why = why ? why : "listed in data/tlds.tsv";
        char *label = label_of(a, dom, l->tld);
        if (label && !(l->flags & (LINK_SHORTENER | LINK_REDIRECTOR | LINK_TRACKER)))
            f->random_domain = content_random_domain(label, &f->random_score);
    }
    return 0;
}

int enrich_brand(arena *a, const brand_data *bd, const struct kensa_report *r, brand_result *out)
{
    const km_message *m = r->msg;
    brand_input in;
    memset(&in, 0, sizeof in);
    in.display_name = m->has_from ? m->from.display_name : NULL;
    in.from_domain = m->has_from ? m->from.domain : NULL;
    in.from_address = m->has_from ? m->from.address : NULL;
    in.subject = m->subject;
    in.text = m->text;
    if (m->return_path) {
        const char *at = strrchr(m->return_path, '@');
        in.return_path_domain = at ? at + 1 : NULL;
    }
    for (size_t i = 0; i < r->sender.ndkim; i++)
        if (r->sender.dkim[i].result && strcmp(r->sender.dkim[i].result, "pass") == 0) {
            in.dkim_domain = r->sender.dkim[i].domain;
            break;
        }
    const rcv_hop *o = route_origin(&r->route);
    in.origin_rdns = o ? o->from_rdns : NULL;
    if (m->nreply_to)
        in.reply_to_domain = m->reply_to[0].domain;
    const char **doms = arena_alloc(a, (r->links.n ? r->links.n : 1) * sizeof *doms);
    if (!doms)
        return -1;
    size_t nd = 0;
    for (size_t i = 0; i < r->links.n; i++) {
        const link_t *l = &r->links.v[i];
        /* where a visitor lands: the unwrapped target, not the wrapper */
        if (l->domain && !(l->flags & (LINK_REDIRECTOR | LINK_DATA_URI | LINK_JS_URI)) &&
            strncasecmp(l->url, "mailto:", 7) != 0)
            doms[nd++] = l->domain;
    }
    in.link_domains = doms;
    in.nlinks = nd;
    return brand_detect(a, bd, &in, out);
}

int enrich_sender_lookalike(arena *a, const brand_data *bd, struct kensa_report *r)
{
    const km_message *m = r->msg;
    if (m->has_from && m->from.domain &&
        brand_lookalike(a, bd, m->from.domain, &r->from_lookalike) == 1)
        r->has_from_lookalike = 1;
    return 0;
}
