/*
 * online.c - the online stage: context set-up and one run per message.
 *
 * A run starts one thread for the origin (FCrDNS, DNSBL, SPF/DKIM/DMARC, MX
 * of the From domain) and one per checked link (addresses and network, MX,
 * domain blocklists and feeds, registration date, site check, screenshot).
 * Each thread has its own libunbound context and curl handles and a deadline;
 * results go into the report arena under the run's lock. The run waits for
 * all threads, so a message costs about its slowest lookup.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../intel/ipintel.h"
#include "../report/report.h"
#include "internal.h"

/* ---- run helpers ---- */

char *orun_strdup(orun *o, const char *s)
{
    if (!s)
        return NULL;
    pthread_mutex_lock(&o->mu);
    char *r = arena_strdup(o->a, s);
    pthread_mutex_unlock(&o->mu);
    return r;
}

void *orun_alloc(orun *o, size_t n)
{
    pthread_mutex_lock(&o->mu);
    void *r = arena_alloc(o->a, n);
    pthread_mutex_unlock(&o->mu);
    return r;
}

char *orun_printf(orun *o, const char *fmt, ...)
{
    char *tmp = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *r = orun_strdup(o, tmp);
    free(tmp);
    return r;
}

#define ONLINE_MAX_NOTES 64

void orun_note(orun *o, const char *fmt, ...)
{
    char *tmp = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    pthread_mutex_lock(&o->mu);
    if (o->res->nnotes < ONLINE_MAX_NOTES)
        o->res->notes[o->res->nnotes++] = arena_strdup(o->a, tmp);
    pthread_mutex_unlock(&o->mu);
    free(tmp);
}

/* ---- context ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

void online_close(online_ctx *c)
{
    if (!c)
        return;
    if (c->tmpdir)
        nftw(c->tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    online_rdap_free(c);
    online_zones_free(c);
    online_feeds_free(c);
    free(c->dns_server);
    free(c->rdap_url);
    free(c->whois_host);
    free(c->screenshot_dir);
    free(c->cache_path);
    free(c->tmpdir);
    free(c->ub_conf);
    free(c->chromium);
    free(c);
    curl_global_cleanup();
}

/* "HOST:PORT", "[v6]:PORT", "HOST" -> host (malloc'd) and port */
static int split_hostport(const char *s, char **host, int *port, int defport)
{
    *port = defport;
    const char *hs = s, *colon;
    size_t hl;
    if (*s == '[') {
        const char *e = strchr(s, ']');
        if (!e)
            return -1;
        hs = s + 1;
        hl = (size_t)(e - hs);
        colon = e[1] == ':' ? e + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon)
            colon = NULL; /* a bare IPv6 address */
        hl = colon ? (size_t)(colon - s) : strlen(s);
    }
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535)
            return -1;
        *port = (int)p;
    }
    if (hl == 0 || hl > 253)
        return -1;
    *host = strndup(hs, hl);
    return *host ? 0 : -1;
}

static int fail(online_ctx *c, char **err, const char *fmt, const char *a)
{
    if (err && !*err && asprintf(err, fmt, a ? a : "") < 0)
        *err = NULL;
    online_close(c);
    return 0;
}

/* special-use zones libunbound answers itself unless told not to */
static const char *const k_special[] = {
    "test.", "invalid.", "localhost.", "onion.", "example.", "local.", "home.arpa.",
    "resolver.arpa.", "service.arpa.", "127.in-addr.arpa.", "10.in-addr.arpa.",
    "254.169.in-addr.arpa.", "168.192.in-addr.arpa.", "0.in-addr.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
    "d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.", "b.e.f.ip6.arpa.",
    "8.b.d.0.1.0.0.2.ip6.arpa.",
};

static int write_ub_conf(online_ctx *c)
{
    if (asprintf(&c->ub_conf, "%s/unbound-client.conf", c->tmpdir) < 0) {
        c->ub_conf = NULL;
        return -1;
    }
    FILE *f = fopen(c->ub_conf, "w");
    if (!f)
        return -1;
    fputs("server:\n"
          "    do-not-query-localhost: no\n"
          "    unblock-lan-zones: yes\n"
          "    insecure-lan-zones: yes\n"
          "    outgoing-range: 64\n"
          "    num-queries-per-thread: 64\n"
          "    edns-buffer-size: 1232\n",
          f);
    for (size_t i = 0; i < sizeof k_special / sizeof k_special[0]; i++)
        fprintf(f, "    local-zone: \"%s\" nodefault\n", k_special[i]);
    for (int i = 16; i < 32; i++)
        fprintf(f, "    local-zone: \"%d.172.in-addr.arpa.\" nodefault\n", i);
    return fclose(f) == 0 ? 0 : -1;
}

static char *find_chromium(void)
{
    const char *env = getenv("KENSA_CHROMIUM");
    static const char *const cand[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
                                       "/usr/bin/google-chrome"};
    if (env && *env)
        return access(env, X_OK) == 0 ? strdup(env) : NULL;
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
        if (access(cand[i], X_OK) == 0)
            return strdup(cand[i]);
    return NULL;
}

static char *default_cache_path(void)
{
    const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char dir[4096];
    if (x && *x)
        snprintf(dir, sizeof dir, "%s/kensa", x);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.cache/kensa", home);
    else
        return NULL;
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *sl = strrchr(parent, '/');
    if (sl && sl != parent) {
        *sl = '\0';
        mkdir(parent, 0700);
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return NULL;
    char *p = NULL;
    return asprintf(&p, "%s/cache.db", dir) < 0 ? NULL : p;
}

online_ctx *online_open(const online_config *cfg, const char *data_dir, char **err)
{
    if (err)
        *err = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        if (err)
            *err = strdup("libcurl initialization failed");
        return NULL;
    }
    online_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        curl_global_cleanup();
        return NULL;
    }
    c->allow_private = cfg->allow_private_targets;
    c->screenshot = cfg->screenshot;
    if (cfg->dns_server) {
        char *h = NULL;
        int port;
        unsigned char b[16];
        if (split_hostport(cfg->dns_server, &h, &port, 53) != 0 ||
            (inet_pton(AF_INET, h, b) != 1 && inet_pton(AF_INET6, h, b) != 1)) {
            free(h);
            return fail(c, err, "--dns-server %s: expected IP:PORT", cfg->dns_server), NULL;
        }
        if (asprintf(&c->dns_server, "%s@%d", h, port) < 0)
            c->dns_server = NULL;
        free(h);
    }
    if (cfg->whois_server &&
        split_hostport(cfg->whois_server, &c->whois_host, &c->whois_port, 43) != 0)
        return fail(c, err, "--whois-server %s: expected HOST:PORT", cfg->whois_server), NULL;
    if (cfg->rdap_url) {
        if (strncmp(cfg->rdap_url, "http://", 7) != 0 &&
            strncmp(cfg->rdap_url, "https://", 8) != 0)
            return fail(c, err, "--rdap-url %s: expected an http(s) URL", cfg->rdap_url), NULL;
        size_t l = strlen(cfg->rdap_url);
        if (asprintf(&c->rdap_url, "%s%s", cfg->rdap_url,
                     l && cfg->rdap_url[l - 1] == '/' ? "" : "/") < 0)
            c->rdap_url = NULL;
    }
    c->screenshot_dir = strdup(cfg->screenshot_dir ? cfg->screenshot_dir : "kensa-screenshots");
    if (!cfg->no_cache)
        c->cache_path = cfg->cache_path ? strdup(cfg->cache_path) : default_cache_path();
    const char *tmp = getenv("TMPDIR");
    if (asprintf(&c->tmpdir, "%s/kensa-online-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 ||
        !mkdtemp(c->tmpdir)) {
        free(c->tmpdir);
        c->tmpdir = NULL;
        return fail(c, err, "cannot create a temporary directory%s", NULL), NULL;
    }
    if (write_ub_conf(c) != 0)
        return fail(c, err, "cannot write the resolver configuration%s", NULL), NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/rdap_dns.json", data_dir);
    if (online_rdap_load(c, path, err) != 0)
        return fail(c, err, "%s: cannot load", path), NULL;
    snprintf(path, sizeof path, "%s/dnsbl.tsv", data_dir);
    if (online_zones_load(c, path, err) != 0)
        return fail(c, err, "%s: cannot load", path), NULL;
    if (online_feeds_load(c, cfg->feeds, cfg->nfeeds, err) != 0)
        return fail(c, err, "--feed: cannot load%s", NULL), NULL;
    if (c->screenshot)
        c->chromium = find_chromium();
    return c;
}

/* ---- one run ---- */

/* "2026-01-26T09:12:33+09:00" -> epoch; -1 when unparsable */
static long long iso_epoch(const char *s)
{
    int y, mo, d, h, mi, se, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = se};
    long long t = (long long)timegm(&tm);
    const char *z = s + n;
    while (*z == '.' || (*z >= '0' && *z <= '9'))
        z++;
    int zh, zm;
    if ((*z == '+' || *z == '-') && sscanf(z + 1, "%2d:%2d", &zh, &zm) == 2)
        t -= (*z == '+' ? 1 : -1) * (zh * 3600LL + zm * 60LL);
    return t;
}

typedef struct {
    orun *o;
    size_t link; /* (size_t)-1 = origin job */
    pthread_t th;
    int started;
} job;

static void link_job(orun *o, odns *d, size_t i, long long deadline)
{
    const link_t *l = &o->r->links.v[i];
    online_link *ol = &o->res->links[i];
    unsigned char b[16];
    const char *host = l->host;
    char bare[64];
    if (host && host[0] == '[') {
        snprintf(bare, sizeof bare, "%.*s", (int)strcspn(host + 1, "]"), host + 1);
        host = bare;
    }
    int literal = host && (inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1);
    odns_q q[3];
    memset(q, 0, sizeof q);
    size_t nq = 0;
    if (host && !literal) {
        q[nq].name = host;
        q[nq++].type = 1;
        q[nq].name = host;
        q[nq++].type = 28;
    }
    if (l->domain) {
        q[nq].name = l->domain;
        q[nq++].type = 15;
    }
    long long cap = online_now_ms() + ONLINE_DNS_TIMEOUT_MS;
    odns_batch(d, q, nq, deadline < cap ? deadline : cap);
    pthread_mutex_lock(&o->mu);
    if (literal && host)
        ol->ips[ol->nips++] = arena_strdup(o->a, host);
    for (size_t k = 0; k < nq; k++) {
        if (q[k].type == 15) {
            ol->mx = q[k].n ? arena_alloc(o->a, q[k].n * sizeof *ol->mx) : NULL;
            for (size_t a = 0; ol->mx && a < q[k].n; a++)
                ol->mx[ol->nmx++] = arena_strdup(o->a, q[k].v[a]);
        } else {
            for (size_t a = 0; a < q[k].n && ol->nips < ONLINE_MAX_IPS; a++)
                ol->ips[ol->nips++] = arena_strdup(o->a, q[k].v[a]);
        }
    }
    ol->ip = ol->nips ? ol->ips[0] : NULL;
    pthread_mutex_unlock(&o->mu);
    for (size_t k = 0; k < nq; k++)
        odns_q_clear(&q[k]);
    if (ol->ip && o->intel) {
        ip_info info;
        if (intel_lookup(o->intel, ol->ip, NULL, &info) == 0) {
            pthread_mutex_lock(&o->mu);
            ol->asn = info.asn;
            ol->as_org = info.as_org;
            ol->country = info.country[0] ? arena_strdup(o->a, info.country) : NULL;
            ol->provider = info.provider;
            pthread_mutex_unlock(&o->mu);
        }
    }
    online_link_blocklists(o, d, i, deadline);
    online_registration(o, d, i, deadline);
    online_site_check(o, d, i, deadline);
    if (o->c->screenshot)
        online_screenshot(o, i);
}

static void *job_main(void *arg)
{
    job *j = arg;
    orun *o = j->o;
    long long deadline = online_now_ms() + ONLINE_JOB_BUDGET_MS;
    odns *d = odns_new(o->c);
    if (!d) {
        orun_note(o, "resolver context could not be created");
        return NULL;
    }
    if (j->link == (size_t)-1)
        online_auth_run(o, d, deadline);
    else
        link_job(o, d, j->link, deadline);
    odns_free(d);
    return NULL;
}

static int fetchable(const link_t *l)
{
    return l->url && l->host &&
           (strncmp(l->url, "http://", 7) == 0 || strncmp(l->url, "https://", 8) == 0);
}

int online_analyze(arena *a, const online_ctx *c, const struct intel_data *intel,
                   const struct kensa_report *r, online_result **out)
{
    *out = NULL;
    if (!c)
        return 0;
    long long t0 = online_now_ms();
    online_result *res = arena_alloc(a, sizeof *res);
    if (!res)
        return -1;
    res->nlinks = r->links.n;
    res->links = r->links.n ? arena_alloc(a, r->links.n * sizeof *res->links) : NULL;
    res->notes = arena_alloc(a, ONLINE_MAX_NOTES * sizeof *res->notes);
    if ((r->links.n && !res->links) || !res->notes)
        return -1;
    res->fcrdns = -1;
    res->dns_server = c->dns_server ? c->dns_server : "system resolver";
    for (size_t i = 0; i < res->nlinks; i++) {
        res->links[i].live = -1;
        res->links[i].tls_verify = -1;
    }
    orun o = {.a = a, .c = c, .intel = intel, .r = r, .res = res};
    pthread_mutex_init(&o.mu, NULL);
    long long rec = iso_epoch(r->msg->received_at);
    if (rec < 0)
        rec = iso_epoch(r->msg->date);
    o.received = rec >= 0 ? rec : (long long)time(NULL);
    memcpy(o.sha16, r->sha256, 16);
    o.sha16[16] = '\0';
    o.cache = c->cache_path ? ocache_open(c->cache_path) : NULL;

    job jobs[ONLINE_MAX_LINKS + 1];
    size_t nj = 0;
    jobs[nj++] = (job){.o = &o, .link = (size_t)-1};
    for (size_t i = 0; i < r->links.n && nj < ONLINE_MAX_LINKS + 1; i++)
        if (fetchable(&r->links.v[i])) {
            res->links[i].checked = 1;
            jobs[nj++] = (job){.o = &o, .link = i};
        }
    for (size_t k = 0; k < nj; k++)
        jobs[k].started = pthread_create(&jobs[k].th, NULL, job_main, &jobs[k]) == 0;
    for (size_t k = 0; k < nj; k++) {
        if (jobs[k].started)
            pthread_join(jobs[k].th, NULL);
        else
            job_main(&jobs[k]);
    }
    ocache_close(o.cache);
    pthread_mutex_destroy(&o.mu);
    res->elapsed_s = (double)(online_now_ms() - t0) / 1000.0;
    *out = res;
    return 0;
}
