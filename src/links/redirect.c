/*
 * redirect.c - the redirector table (data/redirectors.tsv) and unwrapping.
 *
 * Wrappers (Google /url?q=, Outlook Safe Links ?url=, Proofpoint URL Defense
 * v2 and v3, ...) carry the real target inside their own URL; we take it out
 * offline so the mismatch check compares what the user will reach. Shorteners
 * and ESP click trackers only get a flag: their target needs the network.
 * The table is loaded once and read-only afterwards (shared by threads).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/hash.h"
#include "../util/kbuf.h"
#include "links_int.h"

#define REDIR_MAX_ENTRIES 4096

typedef struct {
    char *host;
    size_t hlen; /* strlen(host) */
    int kind;
    char *path;   /* NULL: any */
    char *params; /* comma-separated, or NULL */
} redir_entry;

struct links_data {
    redir_entry *e;
    size_t n;
    /* entries by host: first entry index + 1 per slot (0 empty, open
     * addressing, hcap a power of two), and the next entry with the same
     * host (index + 1, 0 none), in table order */
    unsigned *slot, *same;
    size_t hcap;
    int linear; /* an entry without a host: only the plain scan is exact */
};

void links_data_free(links_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->e[i].host);
        free(d->e[i].path);
        free(d->e[i].params);
    }
    free(d->e);
    free(d->slot);
    free(d->same);
    free(d);
}

/* The host index of lookup(); 0, or -1 when out of memory. */
static int index_hosts(links_data *d)
{
    d->hcap = 64;
    while (d->hcap < d->n * 2)
        d->hcap *= 2;
    d->slot = calloc(d->hcap, sizeof *d->slot);
    d->same = calloc(d->n + 1, sizeof *d->same);
    if (!d->slot || !d->same)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        const redir_entry *e = &d->e[i];
        if (!e->hlen) {
            d->linear = 1;
            continue;
        }
        size_t h = fnv1a(e->host, e->hlen) & (d->hcap - 1);
        while (d->slot[h]) {
            const redir_entry *f = &d->e[d->slot[h] - 1];
            if (f->hlen == e->hlen && memcmp(f->host, e->host, e->hlen) == 0)
                break;
            h = (h + 1) & (d->hcap - 1);
        }
        if (!d->slot[h]) {
            d->slot[h] = (unsigned)i + 1;
        } else { /* append to the chain of this host */
            size_t k = d->slot[h] - 1;
            while (d->same[k])
                k = d->same[k] - 1;
            d->same[k] = (unsigned)i + 1;
        }
    }
    return 0;
}

/* "path[:line]: what", malloc'd for the caller. */
static char *errf(const char *path, int line, const char *what)
{
    size_t n = strlen(path) + strlen(what) + 32;
    char *s = malloc(n);
    if (s && line)
        snprintf(s, n, "%s:%d: %s", path, line, what);
    else if (s)
        snprintf(s, n, "%s: %s", path, what);
    return s;
}

static int kind_of(const char *k)
{
    if (!strcmp(k, "shortener"))
        return REDIR_SHORTENER;
    if (!strcmp(k, "tracker"))
        return REDIR_TRACKER;
    if (!strcmp(k, "query"))
        return REDIR_QUERY;
    if (!strcmp(k, "urldefense3"))
        return REDIR_URLDEFENSE3;
    if (!strcmp(k, "proofpoint2"))
        return REDIR_PROOFPOINT2;
    return 0;
}

links_data *links_data_load(const char *data_dir, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/redirectors.tsv", data_dir ? data_dir : "data");
    FILE *f = fopen(path, "r");
    if (!f) {
        if (err)
            *err = errf(path, 0, strerror(errno));
        return NULL;
    }
    links_data *d = calloc(1, sizeof *d);
    if (d)
        d->e = calloc(REDIR_MAX_ENTRIES, sizeof *d->e);
    if (!d || !d->e) {
        fclose(f);
        links_data_free(d);
        if (err)
            *err = errf(path, 0, "out of memory");
        return NULL;
    }
    char line[1024];
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *col[4] = {0};
        int nc = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, "\t", &save); t && nc < 4; t = strtok_r(NULL, "\t", &save))
            col[nc++] = t;
        int k = nc >= 2 ? kind_of(col[1]) : 0;
        if (!k || d->n >= REDIR_MAX_ENTRIES) {
            fclose(f);
            if (err)
                *err = errf(path, ln, "bad line (need host, kind, path, params)");
            links_data_free(d);
            return NULL;
        }
        redir_entry *e = &d->e[d->n++];
        for (char *p = col[0]; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        e->host = strdup(col[0]);
        e->hlen = strlen(col[0]);
        e->kind = k;
        e->path = nc >= 3 && strcmp(col[2], "-") ? strdup(col[2]) : NULL;
        e->params = nc >= 4 && strcmp(col[3], "-") ? strdup(col[3]) : NULL;
        if (!e->host) {
            fclose(f);
            links_data_free(d);
            if (err)
                *err = errf(path, 0, "out of memory");
            return NULL;
        }
    }
    fclose(f);
    if (index_hosts(d) < 0) {
        links_data_free(d);
        if (err)
            *err = errf(path, 0, "out of memory");
        return NULL;
    }
    return d;
}

/* host (hl bytes) is pat or ends with "." pat */
static int host_matches(const char *host, size_t hl, const redir_entry *e)
{
    size_t pl = e->hlen;
    if (hl < pl || (pl && host[hl - pl] != e->host[0]) || memcmp(host + hl - pl, e->host, pl) != 0)
        return 0;
    return hl == pl || host[hl - pl - 1] == '.';
}

int links_redir_hashed = 1;

static int path_ok(const url_info *u, const redir_entry *e)
{
    return !e->path || (u->path && strncmp(u->path, e->path, strlen(e->path)) == 0);
}

/* The entry for u: of those whose host is u's host or a parent of it and
 * whose path (if any) starts u's path, the one with the longest host, the
 * first in the table of equal ones. */
static const redir_entry *lookup(const links_data *d, const url_info *u)
{
    if (!d || !u->host || u->kind != URL_WEB)
        return NULL;
    size_t hl = strlen(u->host);
    if (!d->linear && links_redir_hashed) {
        /* the host and each parent after a dot, longest first: the first
         * with a fitting entry has the longest host */
        for (const char *s = u->host; s;) {
            size_t l = hl - (size_t)(s - u->host);
            for (size_t h = fnv1a(s, l) & (d->hcap - 1); d->slot[h]; h = (h + 1) & (d->hcap - 1)) {
                const redir_entry *e = &d->e[d->slot[h] - 1];
                if (e->hlen != l || memcmp(e->host, s, l) != 0)
                    continue;
                for (unsigned k = d->slot[h]; k; k = d->same[k - 1])
                    if (path_ok(u, &d->e[k - 1]))
                        return &d->e[k - 1];
                break;
            }
            s = strchr(s, '.');
            if (s)
                s++;
        }
        return NULL;
    }
    const redir_entry *best = NULL;
    for (size_t i = 0; i < d->n; i++) {
        const redir_entry *e = &d->e[i];
        if (!host_matches(u->host, hl, e))
            continue;
        if (!path_ok(u, e))
            continue;
        if (!best || e->hlen > best->hlen)
            best = e;
    }
    return best;
}

int redir_kind(const links_data *d, const url_info *u)
{
    const redir_entry *e = lookup(d, u);
    return e ? e->kind : 0;
}

/* Value of query parameter `name` (raw), or NULL. */
static const char *qparam(const char *q, const char *name, size_t *vl)
{
    size_t nl = strlen(name);
    for (const char *p = q; p && *p && *p != '#';) {
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1;
            *vl = strcspn(v, "&#");
            return v;
        }
        p = strchr(p, '&');
        if (p)
            p++;
    }
    return NULL;
}

static int b64v(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || c == '+')
        return 62;
    if (c == '_' || c == '/')
        return 63;
    return -1;
}

/* Proofpoint v3: https://urldefense.com/v3/__<url>__;<b64 of replaced chars>!!... ;
 * each '*' in <url> takes the next UTF-8 character from the decoded bytes,
 * "**" + a length letter takes several. */
static char *urldefense3(arena *a, const char *path)
{
    const char *s = strstr(path, "/v3/__");
    if (!s)
        return NULL;
    s += 6;
    const char *e = strstr(s, "__;");
    if (!e) {
        e = strstr(s, "__");
        if (!e)
            return NULL;
    }
    unsigned char dec[1024];
    size_t dn = 0;
    if (e[2] == ';') {
        unsigned acc = 0;
        int bits = 0;
        for (const char *p = e + 3; *p && *p != '!' && dn < sizeof dec; p++) {
            int v = b64v((unsigned char)*p);
            if (v < 0)
                break;
            acc = (acc << 6) | (unsigned)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                dec[dn++] = (unsigned char)(acc >> bits);
                acc &= (1u << bits) - 1;
            }
        }
    }
    kbuf b;
    kbuf_init(&b, LINKS_MAX_URL);
    size_t di = 0;
    static const char runlen[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const char *p = s; p < e; p++) {
        if (*p != '*') {
            kbuf_addc(&b, *p);
            continue;
        }
        int count = 1;
        if (p + 2 < e && p[1] == '*') {
            const char *r = strchr(runlen, p[2]);
            count = r ? (int)(r - runlen) + 2 : 1;
            p += 2;
        }
        for (int k = 0; k < count && di < dn; k++) {
            size_t adv = 1;
            links_u8(dec + di, dn - di, &adv);
            kbuf_add(&b, dec + di, adv);
            di += adv;
        }
    }
    char *r = kbuf_take_arena(&b, a);
    kbuf_free(&b);
    return r;
}

char *redir_unwrap(arena *a, const links_data *d, const url_info *u)
{
    const redir_entry *e = lookup(d, u);
    if (!e || !u->url)
        return NULL;
    if (e->kind == REDIR_URLDEFENSE3)
        return urldefense3(a, u->path ? u->path : "");
    if (!u->query || !e->params)
        return NULL;
    char names[128];
    snprintf(names, sizeof names, "%s", e->params);
    char *save = NULL;
    for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
        size_t vl = 0;
        const char *v = qparam(u->query, n, &vl);
        if (!v || !vl)
            continue;
        char *raw = arena_strndup(a, v, vl);
        if (!raw)
            return NULL;
        if (e->kind == REDIR_PROOFPOINT2) {
            for (char *p = raw; *p; p++)
                *p = *p == '-' ? '%' : *p == '_' ? '/' : *p;
        } else {
            for (char *p = raw; *p; p++)
                if (*p == '+')
                    *p = ' ';
        }
        char *t = url_pct_decode(a, raw, strlen(raw));
        if (t && (url_has_scheme(t, strlen(t)) || strncmp(t, "www.", 4) == 0 ||
                  strncmp(t, "//", 2) == 0))
            return t;
    }
    return NULL;
}
