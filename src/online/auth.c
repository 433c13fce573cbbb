/*
 * auth.c - SPF, DKIM and DMARC computed by kensa (source "verified"), plus
 * the origin's reverse DNS and the From domain's MX.
 *
 * Inputs are the origin hop of the Received chain (IP, HELO), the envelope
 * sender (Return-Path) and the message bytes. All DNS goes through this
 * thread's libunbound context, never the system resolver:
 *  - SPF: our own RFC 7208 evaluator (check_host with all mechanisms and the
 *    common macros, 10-lookup and 2-void-lookup limits, redirect=). libspf2
 *    is unmaintained and only uses the system resolver.
 *  - DKIM: libopendkim verifies the CRLF form of the message; its key queries
 *    are answered by our callbacks (close/cancel are no-ops: the library
 *    would otherwise free our handle as if it were a res_state). Times are
 *    judged at receipt (DKIM_OPTS_FIXEDTIME).
 *  - DMARC: our own RFC 7489 evaluation: _dmarc record of the From domain,
 *    else of its organizational domain (libpsl via domain.h); SPF/DKIM
 *    identifier alignment, relaxed or strict as the record says.
 * The results are about DNS as it is now, not as it was at receipt; the
 * report shows them beside the receiving server's.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <opendkim/dkim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../report/report.h"
#include "../util/domain.h"
#include "internal.h"

#define SPF_MAX_LOOKUPS 10
#define SPF_MAX_VOIDS 2
#define SPF_MAX_DEPTH 10

typedef struct {
    orun *o;
    odns *d;
    arena *t; /* this thread's scratch */
    long long deadline;
    int lookups, voids;
    unsigned char ip[16];
    int v6;
    const char *ipstr, *sender, *helo;
    char reason[256];
} spf_ctx;

/* ---- SPF ---- */

static int ip_in(const spf_ctx *s, const unsigned char *net, int bits)
{
    int max = s->v6 ? 128 : 32;
    if (bits < 0 || bits > max)
        return 0;
    for (int i = 0; i < bits; i++) {
        int byte = i / 8, bit = 7 - i % 8;
        if (((s->ip[byte] >> bit) & 1) != ((net[byte] >> bit) & 1))
            return 0;
    }
    return 1;
}

static int addr_match(const spf_ctx *s, const char *addr, int c4, int c6)
{
    unsigned char b[16];
    if (!s->v6 && inet_pton(AF_INET, addr, b) == 1)
        return ip_in(s, b, c4);
    if (s->v6 && inet_pton(AF_INET6, addr, b) == 1)
        return ip_in(s, b, c6);
    return 0;
}

/* RFC 7208 §7 macros: %{slodiphv} with digits, r and delimiters; %% %_ %- */
static char *expand(spf_ctx *s, const char *spec, const char *domain)
{
    char out[512];
    size_t o = 0;
    const char *at = s->sender ? strrchr(s->sender, '@') : NULL;
    char local[256] = "postmaster";
    if (at && at > s->sender && (size_t)(at - s->sender) < sizeof local)
        snprintf(local, sizeof local, "%.*s", (int)(at - s->sender), s->sender);
    for (const char *p = spec; *p && o < sizeof out - 1; p++) {
        if (*p != '%') {
            out[o++] = *p;
            continue;
        }
        p++;
        if (*p == '%' || *p == '_' || *p == '-') {
            const char *r = *p == '%' ? "%" : *p == '_' ? " " : "%20";
            size_t rl = strlen(r);
            if (o + rl < sizeof out)
                memcpy(out + o, r, rl), o += rl;
            continue;
        }
        if (*p != '{')
            return NULL;
        char letter = (char)tolower((unsigned char)p[1]);
        p += 2;
        int digits = 0, rev = 0;
        while (isdigit((unsigned char)*p))
            digits = digits * 10 + (*p++ - '0');
        if (*p == 'r' || *p == 'R')
            rev = 1, p++;
        char delims[16] = "";
        size_t dl = 0;
        while (*p && *p != '}' && dl < sizeof delims - 1)
            delims[dl++] = *p++;
        if (*p != '}')
            return NULL;
        if (!dl)
            delims[dl++] = '.';
        delims[dl] = '\0';
        char val[300] = "";
        switch (letter) {
        case 's':
            snprintf(val, sizeof val, "%s", s->sender ? s->sender : "");
            break;
        case 'l':
            snprintf(val, sizeof val, "%s", local);
            break;
        case 'o':
            snprintf(val, sizeof val, "%s", at ? at + 1 : s->helo ? s->helo : "");
            break;
        case 'd':
            snprintf(val, sizeof val, "%s", domain);
            break;
        case 'i':
            if (!s->v6) {
                snprintf(val, sizeof val, "%u.%u.%u.%u", s->ip[0], s->ip[1], s->ip[2], s->ip[3]);
            } else {
                static const char hex[] = "0123456789abcdef";
                size_t v = 0;
                for (int i = 0; i < 16; i++) {
                    val[v++] = hex[s->ip[i] >> 4];
                    val[v++] = '.';
                    val[v++] = hex[s->ip[i] & 15];
                    val[v++] = i < 15 ? '.' : '\0';
                }
            }
            break;
        case 'p':
            snprintf(val, sizeof val, "unknown");
            break;
        case 'v':
            snprintf(val, sizeof val, "%s", s->v6 ? "ip6" : "in-addr");
            break;
        case 'h':
            snprintf(val, sizeof val, "%s", s->helo ? s->helo : "");
            break;
        default:
            return NULL;
        }
        /* split, reverse, keep the rightmost `digits` parts, join with '.' */
        char *parts[128];
        size_t np = 0;
        for (char *save = NULL, *t = strtok_r(val, delims, &save); t && np < 128;
             t = strtok_r(NULL, delims, &save))
            parts[np++] = t;
        if (rev)
            for (size_t i = 0; i < np / 2; i++) {
                char *x = parts[i];
                parts[i] = parts[np - 1 - i];
                parts[np - 1 - i] = x;
            }
        size_t from = digits && (size_t)digits < np ? np - (size_t)digits : 0;
        for (size_t i = from; i < np; i++) {
            size_t l = strlen(parts[i]);
            if (o + l + 1 >= sizeof out)
                return NULL;
            if (i > from)
                out[o++] = '.';
            memcpy(out + o, parts[i], l);
            o += l;
        }
    }
    out[o] = '\0';
    /* a domain-spec longer than 253 is cut from the left (RFC 7208 §7.3) */
    char *r = out;
    while (strlen(r) > 253 && strchr(r, '.'))
        r = strchr(r, '.') + 1;
    return arena_strdup(s->t, r);
}

static const char *spf_check(spf_ctx *s, const char *domain, int depth);

/* A/AAAA of name matched against the IP; -1 temperror, -2 permerror (voids) */
static int match_a(spf_ctx *s, const char *name, int c4, int c6)
{
    odns_q q;
    int st = odns_one(s->d, &q, name, s->v6 ? 28 : 1, s->deadline);
    int m = 0;
    if (st == ODNS_TIMEOUT || st == ODNS_FAIL)
        m = -1;
    else if (st == ODNS_NXDOMAIN || st == ODNS_NODATA)
        m = ++s->voids > SPF_MAX_VOIDS ? -2 : 0;
    for (size_t i = 0; m == 0 && i < q.n; i++)
        m = addr_match(s, q.v[i], c4, c6);
    odns_q_clear(&q);
    return m;
}

/* dual-cidr-length: "" | "/24" | "//64" | "/24//64" -> c4, c6; -1 on bad syntax */
static int parse_cidr(const char *p, int *c4, int *c6)
{
    *c4 = 32;
    *c6 = 128;
    if (!*p)
        return 0;
    if (p[0] != '/')
        return -1;
    char *end;
    if (p[1] != '/') {
        long v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v < 0 || v > 32)
            return -1;
        *c4 = (int)v;
        p = end;
        if (!*p)
            return 0;
        if (p[0] != '/' || p[1] != '/')
            return -1;
    }
    long v = strtol(p + 2, &end, 10);
    if (end == p + 2 || *end || v < 0 || v > 128)
        return -1;
    *c6 = (int)v;
    return 0;
}

static const char *qual_result(char q)
{
    return q == '-' ? "fail" : q == '~' ? "softfail" : q == '?' ? "neutral" : "pass";
}

static const char *spf_check(spf_ctx *s, const char *domain, int depth)
{
    if (depth > SPF_MAX_DEPTH)
        return "permerror";
    odns_q q;
    int st = odns_one(s->d, &q, domain, 16, s->deadline);
    if (st == ODNS_TIMEOUT || st == ODNS_FAIL) {
        odns_q_clear(&q);
        snprintf(s->reason, sizeof s->reason, "TXT %s: DNS %s", domain,
                 st == ODNS_TIMEOUT ? "timeout" : "failure");
        return "temperror";
    }
    const char *rec = NULL;
    int nrec = 0;
    for (size_t i = 0; i < q.n; i++)
        if (strncasecmp(q.v[i], "v=spf1", 6) == 0 && (q.v[i][6] == ' ' || q.v[i][6] == '\0')) {
            rec = rec ? rec : arena_strdup(s->t, q.v[i]);
            nrec++;
        }
    odns_q_clear(&q);
    if (nrec == 0) {
        if (depth == 0)
            snprintf(s->reason, sizeof s->reason, "%s has no SPF record", domain);
        return "none";
    }
    if (nrec > 1) {
        snprintf(s->reason, sizeof s->reason, "%s has %d SPF records", domain, nrec);
        return "permerror";
    }
    char *buf = arena_strdup(s->t, rec + 6);
    const char *redirect = NULL;
    for (char *save = NULL, *term = strtok_r(buf, " ", &save); term;
         term = strtok_r(NULL, " ", &save)) {
        char qual = '+';
        if (strchr("+-~?", *term))
            qual = *term++;
        char *eq = strchr(term, '='), *colon = strchr(term, ':'), *slash = strchr(term, '/');
        if (eq && (!colon || eq < colon) && (!slash || eq < slash)) { /* modifier */
            *eq = '\0';
            if (strcasecmp(term, "redirect") == 0)
                redirect = eq + 1;
            continue;
        }
        /* name, then ":domain-spec" and/or the cidr lengths */
        size_t nl = strcspn(term, ":/");
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)(nl < 15 ? nl : 15), term);
        char *arg = term[nl] == ':' ? term + nl + 1 : NULL;
        char *cidr = arg ? arg + strcspn(arg, "/") : term + nl;
        int c4, c6;
        int m = 0;
        if (strcasecmp(name, "all") == 0) {
            m = 1;
        } else if (strcasecmp(name, "ip4") == 0 || strcasecmp(name, "ip6") == 0) {
            int six = name[2] == '6';
            unsigned char b[16];
            long bits = six ? 128 : 32;
            if (!arg)
                return "permerror";
            if (*cidr) {
                char *end;
                bits = strtol(cidr + 1, &end, 10);
                if (end == cidr + 1 || *end || bits < 0 || bits > (six ? 128 : 32))
                    return "permerror";
                *cidr = '\0';
            }
            if (inet_pton(six ? AF_INET6 : AF_INET, arg, b) != 1)
                return "permerror";
            m = six == s->v6 && ip_in(s, b, (int)bits);
        } else if (strcasecmp(name, "include") == 0 || strcasecmp(name, "exists") == 0 ||
                   strcasecmp(name, "a") == 0 || strcasecmp(name, "mx") == 0 ||
                   strcasecmp(name, "ptr") == 0) {
            if (++s->lookups > SPF_MAX_LOOKUPS) {
                snprintf(s->reason, sizeof s->reason, "more than %d DNS lookups",
                         SPF_MAX_LOOKUPS);
                return "permerror";
            }
            if (parse_cidr(cidr, &c4, &c6) != 0)
                return "permerror";
            *cidr = '\0';
            const char *target = arg && *arg ? expand(s, arg, domain) : domain;
            if (!target)
                return "permerror";
            if (strcasecmp(name, "include") == 0) {
                if (!arg)
                    return "permerror";
                const char *r = spf_check(s, target, depth + 1);
                if (strcmp(r, "pass") == 0)
                    m = 1;
                else if (strcmp(r, "temperror") == 0)
                    return r;
                else if (strcmp(r, "permerror") == 0 || strcmp(r, "none") == 0)
                    return "permerror";
            } else if (strcasecmp(name, "exists") == 0) {
                odns_q e;
                int est = odns_one(s->d, &e, target, 1, s->deadline);
                m = e.n > 0;
                odns_q_clear(&e);
                if (est == ODNS_TIMEOUT || est == ODNS_FAIL)
                    return "temperror";
            } else if (strcasecmp(name, "a") == 0) {
                m = match_a(s, target, c4, c6);
            } else if (strcasecmp(name, "mx") == 0) {
                odns_q mx;
                int mst = odns_one(s->d, &mx, target, 15, s->deadline);
                if (mst == ODNS_TIMEOUT || mst == ODNS_FAIL)
                    m = -1;
                for (size_t i = 0; m == 0 && i < mx.n && i < 10; i++)
                    m = match_a(s, mx.v[i], c4, c6);
                odns_q_clear(&mx);
            } else { /* ptr: validated names under target */
                char *rev = NULL;
                if (!s->v6 && asprintf(&rev, "%u.%u.%u.%u.in-addr.arpa", s->ip[3], s->ip[2],
                                       s->ip[1], s->ip[0]) < 0)
                    rev = NULL;
                odns_q pq = {0};
                if (rev)
                    odns_one(s->d, &pq, rev, 12, s->deadline);
                for (size_t i = 0; m <= 0 && i < pq.n && i < 10; i++) {
                    size_t nl = strlen(pq.v[i]), tl = strlen(target);
                    int under = nl >= tl && strcasecmp(pq.v[i] + nl - tl, target) == 0 &&
                                (nl == tl || pq.v[i][nl - tl - 1] == '.');
                    if (under)
                        m = match_a(s, pq.v[i], 32, 128) > 0;
                }
                odns_q_clear(&pq);
                free(rev);
            }
            if (m == -1)
                return "temperror";
            if (m == -2) {
                snprintf(s->reason, sizeof s->reason, "more than %d void lookups",
                         SPF_MAX_VOIDS);
                return "permerror";
            }
        } else {
            snprintf(s->reason, sizeof s->reason, "unknown mechanism %s in %s", name, domain);
            return "permerror";
        }
        if (m > 0) {
            if (depth == 0)
                snprintf(s->reason, sizeof s->reason, "%s matched %s%s%s (%s)", s->ipstr, name,
                         arg ? ":" : "", arg ? arg : "", domain);
            return qual_result(qual);
        }
    }
    if (redirect) {
        if (++s->lookups > SPF_MAX_LOOKUPS)
            return "permerror";
        const char *target = expand(s, redirect, domain);
        const char *r = target ? spf_check(s, target, depth + 1) : "permerror";
        return strcmp(r, "none") == 0 ? "permerror" : r;
    }
    if (depth == 0)
        snprintf(s->reason, sizeof s->reason, "no mechanism matched %s in %s", s->ipstr, domain);
    return "neutral";
}

/* ---- DKIM through libopendkim with our resolver ---- */

#define DKIM_MAX_QUERIES 16

typedef struct {
    size_t len;
    int status;
} dq;

typedef struct {
    odns *d;
    long long deadline;
    dq q[DKIM_MAX_QUERIES];
    size_t nq;
} dkim_dns;

static int dkq_start(void *srv, int type, unsigned char *query, unsigned char *buf, size_t buflen,
                     void **qh)
{
    dkim_dns *s = srv;
    if (s->nq >= DKIM_MAX_QUERIES)
        return DKIM_DNS_ERROR;
    dq *h = &s->q[s->nq++];
    odns_q q;
    int st = odns_one(s->d, &q, (const char *)query, type, s->deadline);
    h->status = st;
    h->len = 0;
    if (q.packet && q.packet_len <= buflen) {
        memcpy(buf, q.packet, q.packet_len);
        h->len = q.packet_len;
    }
    odns_q_clear(&q);
    *qh = h;
    return DKIM_DNS_SUCCESS;
}

static int dkq_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
                    int *dnssec)
{
    (void)srv;
    (void)to;
    dq *h = qh;
    if (error)
        *error = 0;
    if (dnssec)
        *dnssec = DKIM_DNSSEC_UNKNOWN;
    if (!h->len)
        return h->status == ODNS_TIMEOUT ? DKIM_DNS_EXPIRED : DKIM_DNS_ERROR;
    if (bytes)
        *bytes = h->len;
    return DKIM_DNS_SUCCESS;
}

static int dkq_cancel(void *srv, void *qh)
{
    (void)srv;
    (void)qh;
    return DKIM_DNS_SUCCESS; /* nothing to free: handles live in dkim_dns */
}

static void dkq_close(void *srv)
{
    (void)srv; /* ours, not a res_state */
}

static int dkq_init(void **srv)
{
    (void)srv;
    return 0;
}

static void dkim_run(orun *o, odns *d, long long deadline, online_result *res)
{
    const km_message *m = o->r->msg;
    if (!m->raw || !m->raw_len)
        return;
    DKIM_LIB *lib = dkim_init(NULL, NULL);
    if (!lib)
        return;
    dkim_dns srv = {.d = d, .deadline = deadline};
    dkim_dns_set_query_service(lib, &srv);
    dkim_dns_set_query_start(lib, dkq_start);
    dkim_dns_set_query_waitreply(lib, dkq_wait);
    dkim_dns_set_query_cancel(lib, dkq_cancel);
    dkim_dns_set_close(lib, dkq_close);
    dkim_dns_set_init(lib, dkq_init);
    uint64_t fixed = (uint64_t)o->received;
    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed, sizeof fixed);
    /* CRLF form of the message */
    size_t nl = 0;
    for (size_t i = 0; i < m->raw_len; i++)
        nl += m->raw[i] == '\n';
    unsigned char *crlf = malloc(m->raw_len + nl + 1);
    DKIM_STAT st;
    DKIM *dk = crlf ? dkim_verify(lib, (const unsigned char *)"kensa", NULL, &st) : NULL;
    if (dk) {
        size_t o2 = 0;
        for (size_t i = 0; i < m->raw_len; i++) {
            if (m->raw[i] == '\n' && (i == 0 || m->raw[i - 1] != '\r'))
                crlf[o2++] = '\r';
            crlf[o2++] = (unsigned char)m->raw[i];
        }
        st = dkim_chunk(dk, crlf, o2);
        if (st == DKIM_STAT_OK)
            st = dkim_chunk(dk, NULL, 0);
        if (st == DKIM_STAT_OK)
            st = dkim_eom(dk, NULL);
        DKIM_SIGINFO **sigs = NULL;
        int nsigs = 0;
        if (st != DKIM_STAT_NOSIG && dkim_getsiglist(dk, &sigs, &nsigs) == DKIM_STAT_OK) {
            for (int i = 0; i < nsigs && res->ndkim < ONLINE_MAX_DKIM; i++) {
                DKIM_SIGINFO *sig = sigs[i];
                if (!(dkim_sig_getflags(sig) & DKIM_SIGFLAG_PROCESSED))
                    dkim_sig_process(dk, sig);
                unsigned flags = dkim_sig_getflags(sig);
                int bh = dkim_sig_getbh(sig);
                int err = dkim_sig_geterror(sig);
                const char *result;
                if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH)
                    result = "pass";
                else if (err == DKIM_SIGERROR_KEYFAIL)
                    result = "temperror";
                else if (err == DKIM_SIGERROR_NOKEY)
                    result = "permerror";
                else
                    result = "fail";
                const char *es = err != DKIM_SIGERROR_OK ? dkim_sig_geterrorstr(err) : NULL;
                if (!es && bh == DKIM_SIGBH_MISMATCH)
                    es = "body hash mismatch";
                pthread_mutex_lock(&o->mu);
                online_auth *a = &res->dkim[res->ndkim++];
                a->result = arena_strdup(o->a, result);
                const unsigned char *dd = dkim_sig_getdomain(sig);
                const unsigned char *ss = dkim_sig_getselector(sig);
                a->domain = dd ? arena_strdup(o->a, (const char *)dd) : NULL;
                a->selector = ss ? arena_strdup(o->a, (const char *)ss) : NULL;
                a->reason = es ? arena_strdup(o->a, es) : NULL;
                pthread_mutex_unlock(&o->mu);
            }
        }
        dkim_free(dk);
    }
    free(crlf);
    dkim_close(lib);
}

/* ---- DMARC ---- */

static int aligned(arena *t, const char *a, const char *b, int strict)
{
    if (!a || !b)
        return 0;
    if (strcasecmp(a, b) == 0)
        return 1;
    if (strict)
        return 0;
    const char *ra = domain_registrable(t, a), *rb = domain_registrable(t, b);
    return ra && rb && strcasecmp(ra, rb) == 0;
}

/* the DMARC record of name: 1 found (tags in *rec), 0 none, -1 temperror */
static int dmarc_record(odns *d, arena *t, const char *name, long long deadline, char **rec)
{
    odns_q q;
    int st = odns_one(d, &q, name, 16, deadline);
    int found = st == ODNS_TIMEOUT || st == ODNS_FAIL ? -1 : 0, n = 0;
    for (size_t i = 0; i < q.n; i++)
        if (strncasecmp(q.v[i], "v=DMARC1", 8) == 0 &&
            (q.v[i][8] == ';' || q.v[i][8] == ' ' || q.v[i][8] == '\0')) {
            *rec = arena_strdup(t, q.v[i]);
            n++;
        }
    odns_q_clear(&q);
    if (n == 1)
        found = 1;
    return found;
}

static const char *dmarc_tag(arena *t, const char *rec, const char *tag)
{
    char *copy = arena_strdup(t, rec);
    for (char *save = NULL, *p = strtok_r(copy, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t tl = strlen(tag);
        if (strncasecmp(p, tag, tl) == 0) {
            const char *v = p + tl;
            while (*v == ' ')
                v++;
            if (*v != '=')
                continue;
            v++;
            while (*v == ' ')
                v++;
            char *e = arena_strdup(t, v);
            e[strcspn(e, " \t")] = '\0';
            return e;
        }
    }
    return NULL;
}

static void dmarc_run(orun *o, odns *d, arena *t, long long deadline, online_result *res,
                      const char *spf_result, const char *spf_domain)
{
    const char *from = o->r->msg->has_from ? o->r->msg->from.domain : NULL;
    if (!from || !*from)
        return;
    char *rec = NULL;
    const char *org = domain_registrable(t, from);
    int used_org = 0;
    int f = dmarc_record(d, t, arena_printf(t, "_dmarc.%s", from), deadline, &rec);
    if (f == 0 && org && strcasecmp(org, from) != 0) {
        f = dmarc_record(d, t, arena_printf(t, "_dmarc.%s", org), deadline, &rec);
        used_org = 1;
    }
    const char *result, *policy = NULL, *reason;
    if (f < 0) {
        result = "temperror";
        reason = "DNS failure fetching the DMARC record";
    } else if (f == 0) {
        result = "none";
        reason = arena_printf(t, "no DMARC record for %s", from);
    } else {
        const char *p = dmarc_tag(t, rec, "p"), *sp = dmarc_tag(t, rec, "sp");
        const char *adkim = dmarc_tag(t, rec, "adkim"), *aspf = dmarc_tag(t, rec, "aspf");
        const char *pct = dmarc_tag(t, rec, "pct");
        policy = used_org && sp ? sp : p;
        int sdkim = adkim && (adkim[0] == 's' || adkim[0] == 'S');
        int sspf = aspf && (aspf[0] == 's' || aspf[0] == 'S');
        int spf_ok = spf_result && strcmp(spf_result, "pass") == 0 &&
                     aligned(t, spf_domain, from, sspf);
        const char *dkim_ok = NULL;
        for (size_t i = 0; i < res->ndkim && !dkim_ok; i++)
            if (strcmp(res->dkim[i].result, "pass") == 0 &&
                aligned(t, res->dkim[i].domain, from, sdkim))
                dkim_ok = res->dkim[i].domain;
        if (!policy || (strcasecmp(policy, "none") && strcasecmp(policy, "quarantine") &&
                        strcasecmp(policy, "reject"))) {
            result = "permerror";
            reason = "DMARC record without a valid p= tag";
        } else if (spf_ok || dkim_ok) {
            result = "pass";
            reason = spf_ok ? arena_printf(t, "SPF pass aligned (%s)", spf_domain)
                            : arena_printf(t, "DKIM pass aligned (d=%s)", dkim_ok);
        } else {
            result = "fail";
            reason = arena_printf(t, "no aligned pass (SPF %s for %s; %zu DKIM signature%s)%s%s",
                                  spf_result ? spf_result : "none",
                                  spf_domain ? spf_domain : "?", res->ndkim,
                                  res->ndkim == 1 ? "" : "s", pct ? ", pct=" : "",
                                  pct ? pct : "");
        }
    }
    pthread_mutex_lock(&o->mu);
    res->has_dmarc = 1;
    res->dmarc.result = arena_strdup(o->a, result);
    res->dmarc.policy = policy ? arena_strdup(o->a, policy) : NULL;
    res->dmarc.domain = arena_strdup(o->a, used_org && org ? org : from);
    res->dmarc.reason = arena_strdup(o->a, reason);
    pthread_mutex_unlock(&o->mu);
}

/* ---- origin facts ---- */

static void fcrdns_run(orun *o, odns *d, arena *t, long long deadline, online_result *res,
                       const char *ip)
{
    unsigned char b[16];
    char *rev = NULL;
    if (inet_pton(AF_INET, ip, b) == 1) {
        rev = arena_printf(t, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
    } else if (inet_pton(AF_INET6, ip, b) == 1) {
        static const char hex[] = "0123456789abcdef";
        char nib[80];
        size_t n = 0;
        for (int i = 15; i >= 0; i--) {
            nib[n++] = hex[b[i] & 15];
            nib[n++] = '.';
            nib[n++] = hex[b[i] >> 4];
            nib[n++] = '.';
        }
        nib[n] = '\0';
        rev = arena_printf(t, "%sip6.arpa", nib);
    }
    if (!rev)
        return;
    odns_q pq;
    int st = odns_one(d, &pq, rev, 12, deadline);
    int fc = st == ODNS_OK || st == ODNS_NXDOMAIN || st == ODNS_NODATA ? 0 : -1;
    const char *confirmed = NULL;
    odns_q fq[2 * 4];
    size_t nf = 0;
    for (size_t i = 0; i < pq.n && i < 4; i++) {
        memset(&fq[nf], 0, sizeof fq[0]);
        fq[nf].name = pq.v[i];
        fq[nf++].type = 1;
        memset(&fq[nf], 0, sizeof fq[0]);
        fq[nf].name = pq.v[i];
        fq[nf++].type = 28;
    }
    long long cap = online_now_ms() + ONLINE_DNS_TIMEOUT_MS;
    odns_batch(d, fq, nf, deadline < cap ? deadline : cap);
    unsigned char want[16], got[16];
    int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;
    inet_pton(fam, ip, want);
    for (size_t k = 0; k < nf; k++) {
        for (size_t a = 0; !confirmed && a < fq[k].n; a++)
            if (inet_pton(fam, fq[k].v[a], got) == 1 &&
                memcmp(want, got, fam == AF_INET ? 4 : 16) == 0)
                confirmed = arena_strdup(t, fq[k].name);
        odns_q_clear(&fq[k]);
    }
    if (confirmed)
        fc = 1;
    pthread_mutex_lock(&o->mu);
    for (size_t i = 0; i < pq.n && res->nptr < ONLINE_MAX_IPS; i++)
        res->ptr[res->nptr++] = arena_strdup(o->a, pq.v[i]);
    res->fcrdns = fc;
    res->fcrdns_name = confirmed ? arena_strdup(o->a, confirmed) : NULL;
    pthread_mutex_unlock(&o->mu);
    odns_q_clear(&pq);
}

static void mx_of(orun *o, odns *d, const char *domain, long long deadline, char ***out,
                  size_t *n)
{
    odns_q q;
    odns_one(d, &q, domain, 15, deadline);
    pthread_mutex_lock(&o->mu);
    *out = q.n ? arena_alloc(o->a, q.n * sizeof **out) : NULL;
    for (size_t i = 0; *out && i < q.n; i++)
        (*out)[(*n)++] = arena_strdup(o->a, q.v[i]);
    pthread_mutex_unlock(&o->mu);
    odns_q_clear(&q);
}

void online_auth_run(orun *o, odns *d, long long deadline)
{
    online_result *res = o->res;
    const km_message *m = o->r->msg;
    const rcv_hop *h = route_origin(&o->r->route);
    arena *t = arena_new(4u << 20);
    if (!t)
        return;
    if (m->has_from && m->from.domain)
        mx_of(o, d, m->from.domain, deadline, &res->from_mx, &res->nfrom_mx);
    const char *ip = h ? h->from_ip : NULL;
    if (ip && *ip == '[')
        ip = arena_strndup(t, ip + 1, strcspn(ip + 1, "]"));
    if (ip && strncasecmp(ip, "IPv6:", 5) == 0)
        ip = ip + 5;
    spf_ctx s = {.o = o, .d = d, .t = t, .deadline = deadline};
    int fam = ip && strchr(ip, ':') ? AF_INET6 : AF_INET;
    if (ip && inet_pton(fam, ip, s.ip) == 1) {
        s.v6 = fam == AF_INET6;
        s.ipstr = ip;
        pthread_mutex_lock(&o->mu);
        res->origin_ip = arena_strdup(o->a, ip);
        pthread_mutex_unlock(&o->mu);
        fcrdns_run(o, d, t, deadline, res, ip);
        online_origin_blocklists(o, d, deadline);
    } else {
        ip = NULL;
        orun_note(o, "no origin IP: SPF not evaluated");
    }
    /* SPF: MAIL FROM identity, or HELO for the null sender */
    const char *rp = m->return_path && *m->return_path ? m->return_path : NULL;
    const char *helo = h && h->from_helo ? h->from_helo : NULL;
    const char *spf_res = NULL, *spf_dom = NULL;
    if (ip) {
        const char *at = rp ? strrchr(rp, '@') : NULL;
        spf_dom = at ? at + 1 : helo;
        s.sender = rp ? rp : helo ? arena_printf(t, "postmaster@%s", helo) : NULL;
        s.helo = helo;
        if (spf_dom && *spf_dom) {
            char *dom = domain_ascii(t, spf_dom);
            spf_res = dom ? spf_check(&s, dom, 0) : "none";
            if (!dom)
                snprintf(s.reason, sizeof s.reason, "%s is not a domain name", spf_dom);
        }
        pthread_mutex_lock(&o->mu);
        res->mail_from = rp ? arena_strdup(o->a, rp) : NULL;
        res->helo = helo ? arena_strdup(o->a, helo) : NULL;
        if (spf_res) {
            res->has_spf = 1;
            res->spf.result = arena_strdup(o->a, spf_res);
            res->spf.domain = arena_strdup(o->a, spf_dom);
            res->spf.reason = s.reason[0] ? arena_strdup(o->a, s.reason) : NULL;
        }
        pthread_mutex_unlock(&o->mu);
    }
    dkim_run(o, d, deadline, res);
    dmarc_run(o, d, t, deadline, res, spf_res, spf_dom);
    arena_free(t);
}
