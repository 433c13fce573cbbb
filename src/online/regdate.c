/*
 * regdate.c - when was a lure domain registered, and how old was it when
 * the mail arrived.
 *
 * RDAP first (RFC 9082/9083): the base URL comes from the IANA bootstrap file
 * data/rdap_dns.json (RFC 9224; refresh with scripts/refresh_rdap.sh) or from
 * --rdap-url for every TLD; the date is the "registration" event. TLDs
 * without RDAP (.jp) are asked over WHOIS port 43 (whois.jprs.jp for .jp,
 * whois.nic.TLD otherwise; --whois-server for every TLD), reading the first
 * creation-date line ([登録年月日], [Created on], Creation Date:, created:,
 * registered:). Answers are untrusted: sizes are capped, dates validated.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../report/report.h"
#include "internal.h"

#define REG_CACHE_TTL (7L * 86400)

int online_rdap_load(online_ctx *c, const char *path, char **err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        if (asprintf(err, "%s:%d: %s", path, je.line, je.text) < 0)
            *err = NULL;
        return -1;
    }
    json_t *services = json_object_get(root, "services");
    size_t i, cap = 0;
    json_t *svc;
    json_array_foreach(services, i, svc) {
        json_t *tlds = json_array_get(svc, 0), *urls = json_array_get(svc, 1);
        const char *url = NULL;
        size_t k;
        json_t *u;
        /* prefer https */
        json_array_foreach(urls, k, u) {
            const char *s = json_string_value(u);
            if (s && (!url || strncmp(s, "https:", 6) == 0))
                url = s;
        }
        if (!url)
            continue;
        json_t *t;
        json_array_foreach(tlds, k, t) {
            const char *s = json_string_value(t);
            if (!s)
                continue;
            if (c->nrdap == cap) {
                cap = cap ? cap * 2 : 64;
                rdap_service *nv = realloc(c->rdap, cap * sizeof *nv);
                if (!nv) {
                    json_decref(root);
                    return -1;
                }
                c->rdap = nv;
            }
            size_t ul = strlen(url);
            rdap_service *r = &c->rdap[c->nrdap++];
            r->tld = strdup(s);
            r->url = malloc(ul + 2);
            if (r->url) {
                memcpy(r->url, url, ul + 1);
                if (ul == 0 || url[ul - 1] != '/')
                    strcat(r->url, "/");
            }
        }
    }
    json_decref(root);
    return 0;
}

void online_rdap_free(online_ctx *c)
{
    for (size_t i = 0; i < c->nrdap; i++) {
        free(c->rdap[i].tld);
        free(c->rdap[i].url);
    }
    free(c->rdap);
}

const char *online_rdap_base(const online_ctx *c, const char *tld)
{
    for (size_t i = 0; tld && i < c->nrdap; i++)
        if (strcasecmp(c->rdap[i].tld, tld) == 0)
            return c->rdap[i].url;
    return NULL;
}

static int valid_ymd(int y, int m, int d)
{
    return y >= 1985 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static void put_date(char out[11], int y, int m, int d)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

int online_parse_date(const char *s, char out[11])
{
    static const char *const mon[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec"};
    int y, m, d, n = 0;
    char sep1, sep2;
    while (*s == ' ' || *s == '\t')
        s++;
    if (sscanf(s, "%4d%c%2d%c%2d%n", &y, &sep1, &m, &sep2, &d, &n) == 5 && n >= 8 &&
        sep1 == sep2 && (sep1 == '-' || sep1 == '/' || sep1 == '.') && valid_ymd(y, m, d)) {
        put_date(out, y, m, d);
        return 0;
    }
    char ms[4];
    if (sscanf(s, "%2d-%3[A-Za-z]-%4d", &d, ms, &y) == 3) {
        for (m = 0; m < 12; m++)
            if (strcasecmp(ms, mon[m]) == 0 && valid_ymd(y, m + 1, d)) {
                put_date(out, y, m + 1, d);
                return 0;
            }
    }
    return -1;
}

int online_whois_date(const char *text, char out[11])
{
    /* labels before the date; JPRS answers in UTF-8, or ISO-2022-JP where
     * [登録年月日] is ESC $ B "EpO?G/7nF|" ESC ( B */
    static const char *const labels[] = {
        "[登録年月日]", "[Created on]", "[\x1b$BEpO?G/7nF|\x1b(B]", "Creation Date:",
        "created:", "Created On:", "Registered on:", "Registration Time:", "registered:",
        "Domain Registration Date:", "Registration date:",
    };
    const char *line = text;
    while (line && *line) {
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
            size_t l = strlen(labels[i]);
            if (strncasecmp(s, labels[i], l) == 0 && online_parse_date(s + l, out) == 0)
                return 0;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

long online_days_between(const char *date, long long at)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    long long t = (long long)timegm(&tm);
    long long diff = at - t;
    return (long)(diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400));
}

/* RDAP: the registration event of the domain object */
static int rdap_date(const char *body, char out[11])
{
    json_t *root = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
    json_t *events = json_object_get(root, "events");
    size_t i;
    json_t *e;
    int rc = -1;
    json_array_foreach(events, i, e) {
        const char *act = json_string_value(json_object_get(e, "eventAction"));
        const char *date = json_string_value(json_object_get(e, "eventDate"));
        if (act && date && strcmp(act, "registration") == 0 && online_parse_date(date, out) == 0) {
            rc = 0;
            break;
        }
    }
    json_decref(root);
    return rc;
}

static void set_reg(orun *o, size_t i, const char *date, const char *src, const char *server,
                    const char *error)
{
    pthread_mutex_lock(&o->mu);
    online_link *ol = &o->res->links[i];
    ol->registered = date ? arena_strdup(o->a, date) : NULL;
    ol->reg_source = src;
    ol->reg_server = server ? arena_strdup(o->a, server) : NULL;
    ol->reg_error = error ? arena_strdup(o->a, error) : NULL;
    if (date) {
        ol->age_days = online_days_between(date, o->received);
        ol->has_age = 1;
    }
    pthread_mutex_unlock(&o->mu);
}

void online_registration(orun *o, odns *d, size_t i, long long deadline)
{
    const link_t *l = &o->r->links.v[i];
    const online_ctx *c = o->c;
    if (!l->domain)
        return;
    const char *dom = l->domain;
    char *cached = ocache_get(o, "reg", dom);
    if (cached) {
        char *bar = strchr(cached, '|');
        if (bar)
            *bar = '\0';
        set_reg(o, i, strcmp(cached, "-") ? cached : NULL, "cache", bar ? bar + 1 : NULL, NULL);
        free(cached);
        return;
    }
    const char *tld = strrchr(dom, '.');
    tld = tld ? tld + 1 : dom;
    const char *base = c->rdap_url ? c->rdap_url : online_rdap_base(c, tld);
    char date[11] = "";
    char server[1100] = "";
    char error[1500] = "";
    int found = 0;
    if (base) {
        char url[1024];
        size_t bl = strlen(base);
        snprintf(url, sizeof url, "%s%sdomain/%s", base, bl && base[bl - 1] == '/' ? "" : "/",
                 dom);
        snprintf(server, sizeof server, "%s", url);
        for (int hop = 0; hop < 4; hop++) {
            ohttp_resp rs;
            int rc = ohttp_get(d, c, url, "application/rdap+json, application/json",
                               ONLINE_MAX_RDAP, 0, deadline, &rs);
            if (rc == 0 && rs.status >= 300 && rs.status < 400 && rs.redirect) {
                snprintf(url, sizeof url, "%s", rs.redirect);
                ohttp_resp_clear(&rs);
                continue;
            }
            if (rc != 0)
                snprintf(error, sizeof error, "RDAP %s: %s", server, rs.error ? rs.error : "?");
            else if (rs.status == 404)
                snprintf(error, sizeof error, "RDAP %s: not found", server);
            else if (rs.status != 200)
                snprintf(error, sizeof error, "RDAP %s: HTTP %ld", server, rs.status);
            else if (rdap_date(rs.body, date) == 0)
                found = 1;
            else
                snprintf(error, sizeof error, "RDAP %s: no registration event", server);
            ohttp_resp_clear(&rs);
            break;
        }
        if (found) {
            set_reg(o, i, date, "rdap", server, NULL);
            char *v = orun_printf(o, "%s|%s", date, server);
            ocache_put(o, "reg", dom, v, REG_CACHE_TTL);
            return;
        }
    }
    if (!base || c->whois_host) {
        char host[256];
        int port = 43;
        if (c->whois_host) {
            snprintf(host, sizeof host, "%s", c->whois_host);
            port = c->whois_port;
        } else if (strcmp(tld, "jp") == 0) {
            snprintf(host, sizeof host, "whois.jprs.jp");
        } else {
            snprintf(host, sizeof host, "whois.nic.%s", tld);
        }
        snprintf(server, sizeof server, "whois://%s:%d", host, port);
        char *ans = NULL;
        const char *why = NULL;
        if (owhois_query(d, host, port, dom, deadline, &ans, &why) != 0) {
            snprintf(error + strlen(error), sizeof error - strlen(error), "%sWHOIS %s: %s",
                     *error ? "; " : "", server, why ? why : "?");
        } else if (online_whois_date(ans, date) == 0) {
            found = 1;
        } else {
            snprintf(error + strlen(error), sizeof error - strlen(error),
                     "%sWHOIS %s: no creation date", *error ? "; " : "", server);
        }
        free(ans);
        if (found) {
            set_reg(o, i, date, "whois", server, NULL);
            char *v = orun_printf(o, "%s|%s", date, server);
            ocache_put(o, "reg", dom, v, REG_CACHE_TTL);
            return;
        }
    }
    set_reg(o, i, NULL, NULL, *server ? server : NULL, *error ? error : "no registration source");
}
