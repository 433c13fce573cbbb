/*
 * links.c - the links stage: collect every URL occurrence from the subject,
 * the text/plain parts and the text/html parts, normalize (url.c), unwrap
 * known redirectors (redirect.c), dedupe per message, and judge mismatch.
 *
 * Mismatch rule: an anchor's visible text that is, or contains, a URL or a
 * domain is compared with where the link really goes - the innermost target
 * when the href is a known wrapper (Safe Links, URL Defense, google /url),
 * else the href. Both sides are reduced to their registrable domain after
 * IDNA (so www.Спаморез.РФ equals xn--80akgskdkd.xn--p1ai), or to the IP.
 * Equal registrable domains are the same organization (click.brand.co.jp
 * for brand.co.jp is not a mismatch); anything else is, shorteners and
 * click trackers included (flagged, so src/verdict may weigh them less).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/hash.h"
#include "../util/kbuf.h"
#include "links_int.h"

#define LINKS_HASH 1024 /* > 2 * LINKS_MAX, power of two */
#define LINKS_FIRST_CAP 16

struct links_ctx {
    arena *a;
    const links_data *d;
    links_result *r;
    size_t cap;
    int slot[LINKS_HASH]; /* index + 1 into r->v, 0 empty */
    size_t candidates;
    int depth; /* unwrap recursion guard */
    url_host_cache hosts;
};

arena *links_ctx_arena(links_ctx *c)
{
    return c->a;
}

static unsigned hash(const char *s)
{
    return fnv1a(s, strlen(s));
}

/* What the text shows: first URL/domain whose site differs from `site`,
 * else the first one. */
typedef struct {
    links_ctx *c;
    const char *site;
    char *host, *dom;
    int differs;
    int n;
} text_probe;

static int probe_cb(void *ctx, const char *text, size_t s, size_t e, int kind)
{
    text_probe *p = ctx;
    if (kind == SPAN_MAILTO)
        return 0;
    url_info u;
    if (url_normalize_c(p->c->a, &p->c->hosts, text + s, e - s, &u) || !u.host || !u.host_valid)
        return 0;
    const char *ts = url_site(&u);
    if (!ts)
        return 0;
    int differs = !p->site || strcmp(ts, p->site) != 0;
    if (p->n++ == 0 || (differs && !p->differs)) {
        p->host = u.host_unicode ? u.host_unicode : u.host;
        p->dom = (char *)ts;
        p->differs = differs;
    }
    return differs; /* stop at the first differing one */
}

static void add_element(links_ctx *c, link_t *l, const char *el)
{
    size_t n = strlen(el);
    for (const char *p = l->elements; p && *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, el, n) == 0)
            return;
        p += k;
        if (*p)
            p++;
    }
    if (strlen(l->elements) + n + 2 > 128)
        return;
    l->elements = l->elements[0] ? arena_printf(c->a, "%s,%s", l->elements, el)
                                 : arena_strdup(c->a, el);
    if (!l->elements)
        l->elements = "";
}

static void add_info(links_ctx *c, url_info *u, const char *text, int html, const char *element,
                     unsigned extra);

static void add_raw(links_ctx *c, const char *raw, size_t len, const char *text, int html,
                    const char *element, int strict)
{
    if (c->candidates++ >= LINKS_MAX_CANDIDATES)
        return;
    url_info u;
    if (url_normalize_c(c->a, &c->hosts, raw, len, &u))
        return;
    /* found in running text: only hosts that are real names or IPs */
    if (strict && u.kind == URL_WEB && !u.host_valid)
        return;
    add_info(c, &u, text, html, element, 0);
}

void links_add(links_ctx *c, const char *raw, size_t len, const char *text, int html,
               const char *element)
{
    add_raw(c, raw, len, text, html, element, 0);
}

static void add_info(links_ctx *c, url_info *u, const char *text, int html, const char *element,
                     unsigned extra)
{
    u->flags |= extra;
    /* unwrap known wrappers, nested up to LINKS_MAX_UNWRAP */
    int rk = redir_kind(c->d, u);
    url_info inner;
    int have_inner = 0;
    const url_info *target = u;
    if (rk == REDIR_SHORTENER)
        u->flags |= LINK_SHORTENER;
    else if (rk == REDIR_TRACKER)
        u->flags |= LINK_TRACKER;
    else if (rk)
        u->flags |= LINK_REDIRECTOR;
    url_info cur = *u;
    for (int k = 0; k < LINKS_MAX_UNWRAP; k++) {
        char *t = redir_unwrap(c->a, c->d, &cur);
        url_info nx;
        if (!t || url_normalize_c(c->a, &c->hosts, t, strlen(t), &nx) || nx.kind != URL_WEB)
            break;
        inner = nx;
        have_inner = 1;
        cur = nx;
    }
    if (have_inner)
        target = &inner;
    /* what the anchor text shows */
    char *text_host = NULL, *text_dom = NULL;
    int mismatch = 0;
    if (text && *text && u->kind == URL_WEB) {
        text_probe p = {.c = c, .site = url_site(target)};
        links_scan_text(text, strlen(text), 1, probe_cb, &p);
        if (p.n) {
            text_host = p.host;
            text_dom = p.dom;
            mismatch = p.differs;
        }
    }
    /* dedupe on the normalized URL */
    unsigned h = hash(u->url) & (LINKS_HASH - 1);
    link_t *l = NULL;
    for (unsigned k = 0; k < LINKS_HASH; k++) {
        int s = c->slot[(h + k) & (LINKS_HASH - 1)];
        if (!s) {
            h = (h + k) & (LINKS_HASH - 1);
            break;
        }
        if (strcmp(c->r->v[s - 1].url, u->url) == 0) {
            l = &c->r->v[s - 1];
            break;
        }
    }
    if (!l) {
        if (c->r->n >= LINKS_MAX) {
            c->r->dropped++;
            return;
        }
        if (c->r->n == c->cap) { /* grown by doubling, up to LINKS_MAX */
            size_t nc = c->cap * 2 > LINKS_MAX ? LINKS_MAX : c->cap * 2;
            link_t *nv = arena_alloc(c->a, nc * sizeof *nv);
            if (!nv) {
                c->r->dropped++;
                return;
            }
            memcpy(nv, c->r->v, c->r->n * sizeof *nv);
            c->r->v = nv;
            c->cap = nc;
        }
        l = &c->r->v[c->r->n];
        memset(l, 0, sizeof *l);
        c->slot[h] = (int)++c->r->n;
        l->url = u->url;
        l->defanged = links_defang_url(c->a, u->url);
        l->host = u->host;
        l->host_unicode = u->host_unicode;
        l->domain = u->domain;
        l->tld = u->tld;
        l->source = html ? "html" : "text";
        l->element = element;
        l->elements = "";
        l->unwrapped = have_inner ? inner.url : NULL;
    }
    l->flags |= u->flags;
    l->count++;
    if (html)
        l->count_html++;
    else
        l->count_text++;
    add_element(c, l, element);
    if (text && *text && (!l->text || (mismatch && !l->mismatch))) {
        size_t tl = strlen(text);
        if (tl > LINKS_MAX_TEXT) {
            tl = LINKS_MAX_TEXT;
            while (tl && ((unsigned char)text[tl] & 0xC0) == 0x80)
                tl--;
        }
        l->text = arena_strndup(c->a, text, tl);
        l->text_host = text_host;
        l->text_domain = text_dom;
        l->mismatch = mismatch;
    }
    /* the target inside a wrapper is a link of its own (no text: the
     * wrapper's text was judged against it above) */
    if (have_inner && c->depth == 0) {
        c->depth++;
        add_info(c, &inner, NULL, html, element, LINK_UNWRAPPED);
        c->depth--;
    }
}

typedef struct {
    links_ctx *c;
    int html;
    const char *element;
    struct links_scan *keep; /* record the spans here (text/plain parts) */
} run_ctx;

/* The spans links_scan_text(text, len, bare = 0) gave, in order, as
 * (start, end, kind) triples; complete when the scan was not cut short by
 * the candidate limit (then replaying them is the same as scanning). */
struct links_scan {
    const char *text;
    size_t len;
    size_t *sp;
    size_t n, cap; /* triples */
    int complete;
    struct links_scan *next;
};

static void scan_keep(arena *a, struct links_scan *k, size_t s, size_t e, int kind)
{
    if (!k->complete)
        return;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        size_t *sp = arena_alloc(a, cap * 3 * sizeof *sp);
        if (!sp) {
            k->complete = 0;
            return;
        }
        if (k->n)
            memcpy(sp, k->sp, k->n * 3 * sizeof *sp);
        k->sp = sp;
        k->cap = cap;
    }
    k->sp[3 * k->n] = s;
    k->sp[3 * k->n + 1] = e;
    k->sp[3 * k->n + 2] = (size_t)kind;
    k->n++;
}

static int run_cb(void *ctx, const char *text, size_t s, size_t e, int kind)
{
    run_ctx *r = ctx;
    if (r->keep)
        scan_keep(r->c->a, r->keep, s, e, kind);
    add_raw(r->c, text + s, e - s, NULL, r->html, r->element, 1);
    if (r->c->candidates >= LINKS_MAX_CANDIDATES) {
        if (r->keep)
            r->keep->complete = 0;
        return 1;
    }
    return 0;
}

static void text_run(links_ctx *c, const char *text, size_t len, int html, const char *element,
                     int keep)
{
    run_ctx r = {c, html, element, NULL};
    if (keep && (r.keep = arena_alloc(c->a, sizeof *r.keep)) != NULL) {
        r.keep->text = text;
        r.keep->len = len;
        r.keep->complete = 1;
        r.keep->next = c->r->scans;
        c->r->scans = r.keep;
    }
    links_scan_text(text, len, 0, run_cb, &r);
}

void links_add_text_run(links_ctx *c, const char *text, size_t len, int html, const char *element)
{
    text_run(c, text, len, html, element, 0);
}

int links_extract(arena *a, const links_data *d, const km_message *m, links_result *out)
{
    memset(out, 0, sizeof *out);
    if (!a || !m)
        return -1;
    /* most mails have a few links: zeroing room for LINKS_MAX of them cost
     * more than finding them */
    out->v = arena_alloc(a, LINKS_FIRST_CAP * sizeof *out->v);
    if (!out->v)
        return -1;
    /* one context per thread, reused: a fresh calloc of its 5 KB per mail
     * was a large-bin request that made malloc consolidate its fastbins */
    static __thread links_ctx ctx_tls;
    links_ctx *c = &ctx_tls;
    memset(c, 0, sizeof *c);
    c->cap = LINKS_FIRST_CAP;
    c->a = a;
    c->d = d;
    c->r = out;
    if (m->subject)
        links_add_text_run(c, m->subject, strlen(m->subject), 0, "subject");
    int any = 0;
    for (size_t i = 0; i < m->nparts; i++) {
        const km_part *p = &m->parts[i];
        if (!p->text || !p->content_type)
            continue;
        size_t n = p->text_len ? p->text_len : strlen(p->text);
        if (strcmp(p->content_type, "text/html") == 0) {
            links_scan_html(c, p->text, n);
            any = 1;
        } else if (strcmp(p->content_type, "text/plain") == 0) {
            text_run(c, p->text, n, 0, "text", 1);
            any = 1;
        }
    }
    if (!any) {
        if (m->html)
            links_scan_html(c, m->html, strlen(m->html));
        else if (m->text)
            links_add_text_run(c, m->text, strlen(m->text), 0, "text");
    }
    return 0;
}

/* links_defang_url as it was written: a buffer that grows; for what does not
 * fit the direct form (its bound, LINKS_MAX_URL * 2, cuts) */
static char *defang_url_kbuf(arena *a, const char *url)
{
    kbuf b;
    kbuf_init(&b, LINKS_MAX_URL * 2);
    const char *p = url;
    const char *colon = strchr(url, ':');
    size_t auth_s = 0, auth_e = 0;
    if (strncmp(url, "http", 4) == 0 && (url[4] == ':' || (url[4] == 's' && url[5] == ':'))) {
        kbuf_adds(&b, "hxxp");
        p = url + 4;
    } else if (strncmp(url, "ftp:", 4) == 0) {
        kbuf_adds(&b, "fxp");
        p = url + 3;
    }
    if (colon && colon[1] == '/' && colon[2] == '/') {
        auth_s = (size_t)(colon - url) + 3;
        auth_e = auth_s + strcspn(url + auth_s, "/?#");
    } else if (strncmp(url, "mailto:", 7) == 0) {
        auth_s = 7;
        auth_e = strlen(url);
        const char *at = strrchr(url, '@');
        if (at)
            auth_s = (size_t)(at - url);
    }
    for (; *p; p++) {
        size_t off = (size_t)(p - url);
        if (*p == '.' && off >= auth_s && off < auth_e)
            kbuf_adds(&b, "[.]");
        else
            kbuf_addc(&b, *p);
    }
    char *r = kbuf_take_arena(&b, a);
    kbuf_free(&b);
    return r;
}

/* The scheme's "http"/"ftp" -> "hxxp"/"fxp" (the same length), each '.' of
 * the authority -> "[.]": the output length is known up front, so it is
 * written straight into the arena. */
char *links_defang_url(arena *a, const char *url)
{
    if (!url)
        return NULL;
    size_t n = strlen(url);
    const char *colon = strchr(url, ':');
    size_t auth_s = 0, auth_e = 0, from = 0;
    const char *pre = NULL;
    if (strncmp(url, "http", 4) == 0 && (url[4] == ':' || (url[4] == 's' && url[5] == ':'))) {
        pre = "hxxp";
        from = 4;
    } else if (strncmp(url, "ftp:", 4) == 0) {
        pre = "fxp";
        from = 3;
    }
    if (colon && colon[1] == '/' && colon[2] == '/') {
        auth_s = (size_t)(colon - url) + 3;
        auth_e = auth_s + strcspn(url + auth_s, "/?#");
    } else if (strncmp(url, "mailto:", 7) == 0) {
        auth_s = 7;
        auth_e = n;
        const char *at = strrchr(url, '@');
        if (at)
            auth_s = (size_t)(at - url);
    }
    size_t ds = auth_s > from ? auth_s : from, dots = 0;
    for (size_t i = ds; i < auth_e; i++)
        dots += url[i] == '.';
    size_t outlen = n + 2 * dots;
    if (outlen > LINKS_MAX_URL * 2)
        return defang_url_kbuf(a, url);
    char *r = arena_alloc_raw(a, outlen + 1);
    if (!r)
        return NULL;
    size_t w = 0;
    if (pre) {
        memcpy(r, pre, from);
        w = from;
    }
    memcpy(r + w, url + from, ds > from ? ds - from : 0);
    w += ds > from ? ds - from : 0;
    for (size_t i = ds; i < auth_e; i++) {
        if (url[i] == '.') {
            memcpy(r + w, "[.]", 3);
            w += 3;
        } else {
            r[w++] = url[i];
        }
    }
    size_t tail = auth_e > ds ? auth_e : ds;
    memcpy(r + w, url + tail, n - tail);
    w += n - tail;
    r[w] = '\0';
    return r;
}

/* Defang one span of text as written: scheme and dots of its host part. */
typedef struct {
    kbuf *b;
    const char *text;
    size_t done;
} defang_ctx;

static int defang_cb(void *ctx, const char *text, size_t s, size_t e, int kind)
{
    defang_ctx *d = ctx;
    kbuf_add(d->b, text + d->done, s - d->done);
    size_t i = s;
    if (e - s > 4 && (strncasecmp(text + s, "http", 4) == 0)) {
        kbuf_add(d->b, text + s, 1);
        kbuf_adds(d->b, "xx");
        kbuf_add(d->b, text + s + 3, 1);
        i = s + 4;
    } else if (e - s > 3 && strncasecmp(text + s, "ftp", 3) == 0) {
        kbuf_adds(d->b, "fxp");
        i = s + 3;
    }
    /* authority: after "//" (or from the start when there is no scheme) */
    size_t as = s, ae;
    const char *sl = NULL;
    for (size_t k = s; k + 1 < e && k < s + 16; k++)
        if (text[k] == '/' && text[k + 1] == '/') {
            sl = text + k;
            break;
        }
    if (kind == SPAN_MAILTO) {
        as = s;
        while (as < e && text[as] != '@')
            as++;
    } else if (sl) {
        as = (size_t)(sl - text) + 2;
    }
    ae = as;
    while (ae < e && !strchr("/?#\\", text[ae]))
        ae++;
    for (; i < e; i++) {
        if (text[i] == '.' && i >= as && i < ae && !(i > s && text[i - 1] == '[' &&
                                                      i + 1 < e && text[i + 1] == ']'))
            kbuf_adds(d->b, "[.]");
        else
            kbuf_add(d->b, text + i, 1);
    }
    d->done = e;
    return 0;
}

char *links_defang_text(arena *a, const links_result *r, const char *text)
{
    if (!text)
        return NULL;
    size_t n = strlen(text);
    kbuf b;
    kbuf_init(&b, n * 3 + 64);
    defang_ctx d = {&b, text, 0};
    const struct links_scan *k = r ? r->scans : NULL;
    while (k && !(k->text == text && k->len == n && k->complete))
        k = k->next;
    if (k) /* links_extract scanned this very text: the same spans */
        for (size_t i = 0; i < k->n; i++)
            defang_cb(&d, text, k->sp[3 * i], k->sp[3 * i + 1], (int)k->sp[3 * i + 2]);
    else
        links_scan_text(text, n, 0, defang_cb, &d);
    kbuf_add(&b, text + d.done, n - d.done);
    char *out = kbuf_take_arena(&b, a);
    kbuf_free(&b);
    return out;
}

char *links_mismatch_evidence(arena *a, const link_t *l)
{
    if (!l || !l->mismatch)
        return NULL;
    const char *to = l->host;
    char *tmp = NULL;
    if (l->unwrapped) {
        url_info u;
        if (url_normalize(a, l->unwrapped, strlen(l->unwrapped), &u) == 0 && u.host)
            to = tmp = u.host;
    }
    (void)tmp;
    return arena_printf(a, "shows %s, goes to %s", l->text_host ? l->text_host : "?",
                        to ? to : "?");
}

size_t links_flag_names(unsigned flags, const char **names, size_t max)
{
    static const char *const nm[] = {"defanged_input", "userinfo",  "ip_host",   "shortener",
                                     "redirector",     "data_uri",  "js_uri",    "idn",
                                     "invisible_chars", "numeric_ip", "unwrapped", "tracker",
                                     "percent_host",   "truncated"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof nm / sizeof nm[0] && n < max; i++)
        if (flags & (1u << i))
            names[n++] = nm[i];
    return n;
}
