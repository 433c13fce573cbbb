/*
 * site.c - is the lure page up, and where does it end?
 *
 * GET the link with a plain browser user agent, follow redirects by hand (at
 * most ONLINE_MAX_REDIRECTS, each hop resolved, checked against private
 * ranges and recorded), keep the final URL, status, <title> and the TLS
 * certificate facts. Nothing on the page is executed: only the HTTP answer
 * and the first ONLINE_MAX_BODY bytes of HTML are read.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../report/report.h"
#include "internal.h"

/* the <title> text, whitespace collapsed, at most 300 bytes; NULL when none */
static char *page_title(const char *html)
{
    const char *p = html;
    while ((p = strchr(p, '<')) != NULL) {
        if (strncasecmp(p, "<title", 6) == 0 && (p[6] == '>' || isspace((unsigned char)p[6])))
            break;
        p++;
    }
    if (!p || !(p = strchr(p, '>')))
        return NULL;
    p++;
    const char *e = p;
    while (*e && strncasecmp(e, "</title", 7) != 0)
        e++;
    char out[304];
    size_t o = 0;
    int sp = 0;
    for (const char *s = p; s < e && o < 300; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isspace(ch)) {
            sp = o > 0;
            continue;
        }
        if (sp && o < 299)
            out[o++] = ' ';
        sp = 0;
        if (strncmp(s, "&amp;", 5) == 0) {
            out[o++] = '&';
            s += 4;
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
    /* do not end inside a UTF-8 sequence */
    size_t lead = o;
    while (lead > 0 && ((unsigned char)out[lead - 1] & 0xc0) == 0x80)
        lead--;
    if (lead > 0 && ((unsigned char)out[lead - 1] & 0xc0) == 0xc0) {
        unsigned char b = (unsigned char)out[lead - 1];
        size_t need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (o - (lead - 1) < need)
            o = lead - 1;
    }
    out[o] = '\0';
    return o ? strdup(out) : NULL;
}

void online_site_check(orun *o, odns *d, size_t i, long long deadline)
{
    const link_t *l = &o->r->links.v[i];
    online_hop hops[ONLINE_MAX_REDIRECTS + 1];
    size_t nh = 0;
    char *cur = strdup(l->url);
    int live = -1;
    long status = 0;
    char *final_ip = NULL;
    char *title = NULL, *error = NULL, *subj = NULL, *iss = NULL, *nb = NULL;
    long verify = -1;
    while (cur && nh < ONLINE_MAX_REDIRECTS + 1) {
        ohttp_resp rs;
        int rc = ohttp_get(d, o->c, cur,
                           "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                           ONLINE_MAX_BODY, 1, deadline, &rs);
        hops[nh].url = orun_strdup(o, cur);
        hops[nh].status = rc == 0 ? (int)rs.status : 0;
        nh++;
        if (rs.tls_subject) {
            free(subj);
            free(iss);
            free(nb);
            subj = rs.tls_subject;
            iss = rs.tls_issuer;
            nb = rs.tls_not_before;
            rs.tls_subject = rs.tls_issuer = rs.tls_not_before = NULL;
            verify = rs.tls_verify;
        }
        if (rc != 0) {
            error = rs.error ? strdup(rs.error) : strdup("no answer");
            /* refusing a private target says nothing about the site */
            live = strncmp(error, "refused", 7) == 0 ? -1 : 0;
            ohttp_resp_clear(&rs);
            break;
        }
        status = rs.status;
        free(final_ip);
        final_ip = rs.ip ? strdup(rs.ip) : NULL;
        if (status >= 300 && status < 400 && rs.redirect) {
            free(cur);
            cur = strdup(rs.redirect);
            ohttp_resp_clear(&rs);
            if (nh == ONLINE_MAX_REDIRECTS + 1) {
                error = strdup("too many redirects");
                live = 0;
            }
            continue;
        }
        live = status >= 200 && status < 300;
        if (!live)
            error = strdup("error status");
        if (rs.body && rs.len)
            title = page_title(rs.body);
        ohttp_resp_clear(&rs);
        break;
    }
    pthread_mutex_lock(&o->mu);
    online_link *ol = &o->res->links[i];
    memcpy(ol->hops, hops, nh * sizeof hops[0]);
    ol->nhops = nh;
    ol->live = live;
    ol->status = (int)status;
    ol->final_url = cur && live >= 0 ? arena_strdup(o->a, cur) : NULL;
    ol->final_ip = final_ip && live >= 0 ? arena_strdup(o->a, final_ip) : NULL;
    ol->title = title ? arena_strdup(o->a, title) : NULL;
    ol->site_error = error ? arena_strdup(o->a, error) : NULL;
    ol->tls_subject = subj ? arena_strdup(o->a, subj) : NULL;
    ol->tls_issuer = iss ? arena_strdup(o->a, iss) : NULL;
    ol->tls_not_before = nb ? arena_strdup(o->a, nb) : NULL;
    ol->tls_verify = verify;
    pthread_mutex_unlock(&o->mu);
    free(cur);
    free(final_ip);
    free(title);
    free(error);
    free(subj);
    free(iss);
    free(nb);
}
