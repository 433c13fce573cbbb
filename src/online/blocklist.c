/*
 * blocklist.c - is the origin IP or a lure domain on a blocklist?
 *
 * DNS blocklists come from data/dnsbl.tsv (zone, name, answer codes; read its
 * header for the public-resolver caveats): the origin IP is asked of the IP
 * lists (reversed octets/nibbles + zone), each link's registrable domain of
 * the domain lists (domain + zone), all in one parallel batch. Answers are
 * decoded with the file's codes; an answer outside 127.0.0.0/8 (a resolver
 * that rewrites NXDOMAIN) is ignored, and "error" answers (Spamhaus
 * 127.255.255.254 = public resolver, URIBL 127.0.0.1 = refused) are notes,
 * not listings. Local feed files (--feed: OpenPhish URL list, URLhaus CSV or
 * text, PhishTank CSV or JSON) match a link by exact URL or by host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../report/report.h"
#include "internal.h"

#define BL_CACHE_TTL 3600L
#define FEED_MAX_ENTRIES 2000000

struct feed_set {
    GHashTable *urls;  /* url -> label (labels owned by `labels`) */
    GHashTable *hosts; /* host -> label */
    char *labels[ONLINE_MAX_FEEDS];
    size_t nlabels;
};

/* ---- data/dnsbl.tsv ---- */

static char *next_field(char **s)
{
    char *f = *s;
    if (!f)
        return NULL;
    char *t = strchr(f, '\t');
    if (t) {
        *t = '\0';
        *s = t + 1;
    } else {
        *s = NULL;
    }
    return f;
}

static int parse_codes(bl_zone *z, char *spec)
{
    for (char *save = NULL, *item = strtok_r(spec, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        char *eq = strchr(item, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        bl_code cd = {0};
        const char *label = eq + 1;
        if (*label == '!') {
            cd.error = 1;
            label++;
        }
        if (item[0] == '&') {
            char *end;
            unsigned long v = strtoul(item + 1, &end, 10);
            if (*end || v == 0 || v > 255)
                return -1;
            cd.is_mask = 1;
            cd.value = (uint32_t)v;
        } else {
            struct in_addr ia;
            if (inet_pton(AF_INET, item, &ia) != 1)
                return -1;
            cd.value = ntohl(ia.s_addr);
        }
        cd.label = strdup(label);
        bl_code *nv = realloc(z->codes, (z->ncodes + 1) * sizeof *nv);
        if (!nv || !cd.label) {
            free(cd.label);
            return -1;
        }
        z->codes = nv;
        z->codes[z->ncodes++] = cd;
    }
    return 0;
}

int online_zones_load(online_ctx *c, const char *path, char **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return -1;
    }
    char line[4096];
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *s = line;
        char *kind = next_field(&s), *zone = next_field(&s), *name = next_field(&s),
             *codes = next_field(&s);
        bl_zone z = {0};
        z.kind = kind && strcmp(kind, "ip") == 0       ? BL_IP
                 : kind && strcmp(kind, "domain") == 0 ? BL_DOMAIN
                                                       : 0;
        int bad = !z.kind || !zone || !*zone || !name || !*name || !codes;
        if (!bad) {
            z.zone = strdup(zone);
            z.name = strdup(name);
            bad = parse_codes(&z, codes) != 0;
        }
        bl_zone *nv = bad ? NULL : realloc(c->zones, (c->nzones + 1) * sizeof *nv);
        if (!nv) {
            for (size_t k = 0; k < z.ncodes; k++)
                free(z.codes[k].label);
            free(z.codes);
            free(z.zone);
            free(z.name);
            if (asprintf(err, "%s:%d: expected kind (ip|domain), zone, name, codes", path, ln) <
                0)
                *err = NULL;
            fclose(f);
            return -1;
        }
        c->zones = nv;
        c->zones[c->nzones++] = z;
    }
    fclose(f);
    return 0;
}

void online_zones_free(online_ctx *c)
{
    for (size_t i = 0; i < c->nzones; i++) {
        for (size_t k = 0; k < c->zones[i].ncodes; k++)
            free(c->zones[i].codes[k].label);
        free(c->zones[i].codes);
        free(c->zones[i].zone);
        free(c->zones[i].name);
    }
    free(c->zones);
}

/* "Spamhaus ZEN: SBL" for a listing; NULL + *is_error for refusals; NULL when
 * the answer is not a blocklist answer at all. malloc'd. */
static char *decode_answer(const bl_zone *z, const char *ip, int *is_error)
{
    struct in_addr ia;
    *is_error = 0;
    if (inet_pton(AF_INET, ip, &ia) != 1)
        return NULL;
    uint32_t v = ntohl(ia.s_addr);
    if ((v >> 24) != 127)
        return NULL;
    char *out = NULL;
    for (size_t k = 0; k < z->ncodes; k++)
        if (!z->codes[k].is_mask && z->codes[k].value == v) {
            *is_error = z->codes[k].error;
            if (asprintf(&out, "%s: %s", z->name, z->codes[k].label) < 0)
                out = NULL;
            return out;
        }
    if ((v >> 8) == 0x7f0000) {
        char buf[256] = "";
        for (size_t k = 0; k < z->ncodes; k++)
            if (z->codes[k].is_mask && (v & 0xff & z->codes[k].value))
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", *buf ? "+" : "",
                         z->codes[k].label);
        if (*buf) {
            if (asprintf(&out, "%s: %s", z->name, buf) < 0)
                out = NULL;
            return out;
        }
    }
    if (asprintf(&out, "%s: listed (%s)", z->name, ip) < 0)
        out = NULL;
    return out;
}

/* reversed query name of an IP for a DNSBL zone, malloc'd; NULL if not an IP */
static char *reverse_name(const char *ip, const char *zone)
{
    unsigned char b[16];
    char *out = NULL;
    if (inet_pton(AF_INET, ip, b) == 1) {
        if (asprintf(&out, "%u.%u.%u.%u.%s", b[3], b[2], b[1], b[0], zone) < 0)
            out = NULL;
        return out;
    }
    if (inet_pton(AF_INET6, ip, b) != 1)
        return NULL;
    char nib[65];
    size_t o = 0;
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        nib[o++] = hex[b[i] & 15];
        nib[o++] = '.';
        nib[o++] = hex[b[i] >> 4];
        nib[o++] = '.';
    }
    nib[o] = '\0';
    if (asprintf(&out, "%s%s", nib, zone) < 0)
        out = NULL;
    return out;
}

/* Ask every zone of `kind` about `subject`; hits into v (arena), returns how many. */
static size_t ask_zones(orun *o, odns *d, int kind, const char *subject, char **v, size_t max,
                        long long deadline, int *complete)
{
    const online_ctx *c = o->c;
    odns_q q[64];
    size_t nq = 0, zi[64];
    for (size_t i = 0; i < c->nzones && nq < 64; i++) {
        if (c->zones[i].kind != kind)
            continue;
        char *name = NULL;
        if (kind == BL_IP)
            name = reverse_name(subject, c->zones[i].zone);
        else if (asprintf(&name, "%s.%s", subject, c->zones[i].zone) < 0)
            name = NULL;
        if (!name)
            continue;
        memset(&q[nq], 0, sizeof q[nq]);
        q[nq].name = name;
        q[nq].type = 1;
        zi[nq++] = i;
    }
    long long cap = online_now_ms() + ONLINE_DNS_TIMEOUT_MS;
    odns_batch(d, q, nq, deadline < cap ? deadline : cap);
    size_t n = 0;
    *complete = 1;
    for (size_t k = 0; k < nq; k++) {
        if (q[k].status == ODNS_TIMEOUT || q[k].status == ODNS_FAIL) {
            *complete = 0;
            orun_note(o, "%s: %s", q[k].name,
                      q[k].status == ODNS_TIMEOUT ? "DNS timeout" : "DNS failure");
        }
        for (size_t a = 0; a < q[k].n && a < 1; a++) {
            int is_err = 0;
            char *hit = decode_answer(&c->zones[zi[k]], q[k].v[a], &is_err);
            if (hit && is_err)
                orun_note(o, "%s: %s (not a listing)", q[k].name, hit);
            else if (hit && n < max)
                v[n++] = orun_strdup(o, hit);
            free(hit);
        }
        free((char *)q[k].name);
        odns_q_clear(&q[k]);
    }
    return n;
}

void online_origin_blocklists(orun *o, odns *d, long long deadline)
{
    const char *ip = o->res->origin_ip;
    if (!ip || online_ip_is_private(ip))
        return;
    char *hits[ONLINE_MAX_BL];
    int complete;
    size_t n = ask_zones(o, d, BL_IP, ip, hits, ONLINE_MAX_BL, deadline, &complete);
    pthread_mutex_lock(&o->mu);
    memcpy(o->res->origin_bl, hits, n * sizeof hits[0]);
    o->res->norigin_bl = n;
    pthread_mutex_unlock(&o->mu);
}

static void add_hit(orun *o, size_t i, const char *label)
{
    pthread_mutex_lock(&o->mu);
    online_link *ol = &o->res->links[i];
    int dup = 0;
    for (size_t k = 0; k < ol->nbl; k++)
        dup |= strcmp(ol->blocklists[k], label) == 0;
    if (!dup && ol->nbl < ONLINE_MAX_BL)
        ol->blocklists[ol->nbl++] = arena_strdup(o->a, label);
    pthread_mutex_unlock(&o->mu);
}

void online_link_blocklists(orun *o, odns *d, size_t i, long long deadline)
{
    const link_t *l = &o->r->links.v[i];
    const feed_set *fs = o->c->feeds;
    if (fs) {
        const char *lab = g_hash_table_lookup(fs->urls, l->url);
        if (lab) {
            char *s = orun_printf(o, "%s (url)", lab);
            add_hit(o, i, s);
        }
        lab = l->host ? g_hash_table_lookup(fs->hosts, l->host) : NULL;
        if (lab) {
            char *s = orun_printf(o, "%s (host)", lab);
            add_hit(o, i, s);
        }
    }
    if (!l->domain)
        return;
    char *cached = ocache_get(o, "dbl", l->domain);
    if (cached) {
        for (char *save = NULL, *t = strtok_r(cached, "\n", &save); t;
             t = strtok_r(NULL, "\n", &save))
            if (strcmp(t, "-") != 0)
                add_hit(o, i, t);
        free(cached);
        return;
    }
    char *hits[ONLINE_MAX_BL];
    int complete;
    size_t n = ask_zones(o, d, BL_DOMAIN, l->domain, hits, ONLINE_MAX_BL, deadline, &complete);
    char val[2048] = "";
    for (size_t k = 0; k < n; k++) {
        add_hit(o, i, hits[k]);
        snprintf(val + strlen(val), sizeof val - strlen(val), "%s%s", *val ? "\n" : "", hits[k]);
    }
    if (complete)
        ocache_put(o, "dbl", l->domain, *val ? val : "-", BL_CACHE_TTL);
}

/* ---- feed files ---- */

/* lowercase host of a URL, malloc'd, or NULL */
static char *url_host(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return NULL;
    p += 3;
    size_t l = strcspn(p, "/?#");
    const char *at = memchr(p, '@', l);
    if (at) {
        l -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t hl = p[0] == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":/?#");
    if (hl > l)
        hl = l;
    if (hl == 0 || hl > 253)
        return NULL;
    char *h = g_ascii_strdown(p, (gssize)hl);
    return h;
}

/* field `col` (0-based) of a CSV line with "quoted" fields, malloc'd */
static char *csv_field(const char *line, int col)
{
    int c = 0;
    const char *p = line;
    while (*p) {
        GString *f = g_string_new(NULL);
        if (*p == '"') {
            p++;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                g_string_append_c(f, *p++);
            }
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != ',')
                g_string_append_c(f, *p++);
        }
        if (c == col)
            return g_string_free(f, FALSE);
        g_string_free(f, TRUE);
        if (*p != ',')
            break;
        p++;
        c++;
    }
    return NULL;
}

static void feed_add(feed_set *fs, const char *url, const char *label, size_t *count)
{
    if (!url || strncmp(url, "http", 4) != 0 || *count >= FEED_MAX_ENTRIES)
        return;
    (*count)++;
    g_hash_table_replace(fs->urls, g_strdup(url), (gpointer)label);
    /* a host-only entry ("http://bad.example/") lists the whole host */
    char *h = url_host(url);
    const char *path = strstr(url, "://");
    path = path ? path + 3 + strcspn(path + 3, "/?#") : NULL;
    if (h && path && (*path == '\0' || strcmp(path, "/") == 0))
        g_hash_table_replace(fs->hosts, h, (gpointer)label);
    else
        g_free(h);
}

static int load_feed(feed_set *fs, const char *path, char **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (asprintf(err, "--feed %s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return -1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char first[512] = "";
    int c0;
    while ((c0 = fgetc(f)) == ' ' || c0 == '\n' || c0 == '\r' || c0 == '\t')
        ;
    if (c0 != EOF)
        ungetc(c0, f);
    if (!fgets(first, sizeof first, f))
        first[0] = '\0';
    rewind(f);
    size_t count = 0;
    const char *fmt;
    if (first[0] == '[' || first[0] == '{') {
        fmt = "PhishTank";
        char *label = NULL;
        if (asprintf(&label, "%s feed %s", fmt, base) < 0 || fs->nlabels >= ONLINE_MAX_FEEDS) {
            free(label);
            fclose(f);
            return -1;
        }
        fs->labels[fs->nlabels++] = label;
        json_t *root = json_loadf(f, 0, NULL);
        size_t i;
        json_t *e;
        json_array_foreach(root, i, e) feed_add(fs, json_string_value(json_object_get(e, "url")),
                                                label, &count);
        json_decref(root);
        fclose(f);
        return 0;
    }
    int col = -1; /* -1: a plain URL per line */
    if (strncmp(first, "phish_id,", 9) == 0) {
        fmt = "PhishTank";
        col = 1;
    } else if (strstr(first, "URLhaus") || first[0] == '"') {
        fmt = "URLhaus";
    } else {
        fmt = "OpenPhish";
    }
    char *label = NULL;
    if (asprintf(&label, "%s feed %s", fmt, base) < 0 || fs->nlabels >= ONLINE_MAX_FEEDS) {
        free(label);
        fclose(f);
        return -1;
    }
    fs->labels[fs->nlabels++] = label;
    char line[16384];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0' || strncmp(line, "phish_id,", 9) == 0)
            continue;
        if (col >= 0) {
            char *u = csv_field(line, col);
            feed_add(fs, u, label, &count);
            g_free(u);
        } else if (line[0] == '"') { /* URLhaus CSV: id,dateadded,url,... */
            char *u = csv_field(line, 2);
            feed_add(fs, u, label, &count);
            g_free(u);
        } else {
            char *s = line;
            while (*s == ' ' || *s == '\t')
                s++;
            feed_add(fs, s, label, &count);
        }
    }
    fclose(f);
    return 0;
}

int online_feeds_load(online_ctx *c, const char *const *paths, size_t n, char **err)
{
    if (!n)
        return 0;
    if (n > ONLINE_MAX_FEEDS) {
        if (asprintf(err, "--feed: at most %d files", ONLINE_MAX_FEEDS) < 0)
            *err = NULL;
        return -1;
    }
    feed_set *fs = calloc(1, sizeof *fs);
    if (!fs)
        return -1;
    fs->urls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    fs->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->feeds = fs;
    for (size_t i = 0; i < n; i++)
        if (load_feed(fs, paths[i], err) != 0)
            return -1;
    return 0;
}

void online_feeds_free(online_ctx *c)
{
    feed_set *fs = c->feeds;
    if (!fs)
        return;
    g_hash_table_destroy(fs->urls);
    g_hash_table_destroy(fs->hosts);
    for (size_t i = 0; i < fs->nlabels; i++)
        free(fs->labels[i]);
    free(fs);
}
