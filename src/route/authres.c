/*
 * authres.c - tolerant parsers for Authentication-Results, Received-SPF,
 * DKIM-Signature tags and spam-filter verdict headers.
 *
 * Hand-written: no C library reads these headers the way a forensic tool
 * needs (accepting Microsoft's "compauth=fail reason=000" dialect, missing
 * semicolons, comments anywhere, unknown methods). Every scan is bounded by
 * len and by the AUTHRES_MAX_* caps; nothing past (value, len) is read.
 */
#include "authres.h"

#include <string.h>

#include "span.h"








static span trim(span w)
{
    while (w.n && span_is_ws(w.p[0])) {
        w.p++;
        w.n--;
    }
    while (w.n && span_is_ws(w.p[w.n - 1]))
        w.n--;
    return w;
}

static char *dup_span(arena *a, span w, int *oom)
{
    if (!w.p)
        return NULL;
    size_t n = w.n > AUTHRES_MAX_VALUE ? AUTHRES_MAX_VALUE : w.n;
    char *r = arena_strndup(a, w.p, n);
    if (!r)
        *oom = 1;
    return r;
}

static char *dup_lower(arena *a, span w, int *oom)
{
    char *r = dup_span(a, w, oom);
    for (char *q = r; q && *q; q++)
        *q = span_lower(*q);
    return r;
}

/* Index after the comment at s[i] == '(' (nesting bounded), len if unclosed. */
static size_t comment_end(const char *s, size_t len, size_t i)
{
    int depth = 0;
    for (; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len)
            i++;
        else if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0)
            return i + 1;
    }
    return len;
}

static span comment_inner(const char *s, size_t st, size_t end)
{
    span r = {s + st + 1, end > st + 1 ? end - st - 1 : 0};
    if (r.n && r.p[r.n - 1] == ')')
        r.n--;
    return trim(r);
}

/* Locale-independent decimal parse; returns chars consumed (0 on failure). */
static size_t parse_decimal(const char *s, size_t len, double *out)
{
    size_t i = 0;
    double sign = 1, v = 0, scale = 1;
    int digits = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        sign = s[i] == '-' ? -1 : 1;
        i++;
    }
    while (i < len && span_is_digit(s[i]) && digits < 18) {
        v = v * 10 + (s[i] - '0');
        i++;
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        int fd = 0;
        while (i < len && span_is_digit(s[i])) {
            if (fd < 12) {
                scale /= 10;
                v += (s[i] - '0') * scale;
            }
            fd++;
            i++;
            digits++;
        }
    }
    if (!digits)
        return 0;
    *out = sign * v;
    return i;
}

int authres_parse_score(const char *value, size_t len, double *out)
{
    if (!value || !out)
        return 0;
    span w = trim((span){value, len});
    return parse_decimal(w.p, w.n, out) > 0;
}

static int parse_int(span w, int *out)
{
    w = trim(w);
    size_t i = 0;
    int sign = 1;
    long v = 0;
    if (i < w.n && (w.p[i] == '-' || w.p[i] == '+')) {
        sign = w.p[i] == '-' ? -1 : 1;
        i++;
    }
    size_t st = i;
    while (i < w.n && span_is_digit(w.p[i]) && i - st < 9)
        v = v * 10 + (w.p[i++] - '0');
    if (i == st)
        return 0;
    *out = (int)(sign * v);
    return 1;
}

/* ------------------------------------------------ Authentication-Results */

static const char *const known_methods[] = {
    "auth", "dkim", "dkim-adsp", "dkim-atps", "dmarc", "domainkeys", "iprev", "rrvs",
    "sender-id", "spf", "vbr", "smime", "arc", "bimi", "compauth", "dnswl", "ptr"};

static int is_method(span k)
{
    for (size_t i = 0; i < sizeof known_methods / sizeof *known_methods; i++)
        if (span_ieq(k, known_methods[i]))
            return 1;
    return span_iprefix(k, "x-");
}

static char *norm_result(arena *a, span v, int *oom)
{
    while (v.n && (v.p[v.n - 1] == ',' || v.p[v.n - 1] == '.'))
        v.n--;
    /* older words, as RFC 7601 section 2.7 maps them (RFC 4408's hardfail,
     * error and unknown) */
    if (span_ieq(v, "hardfail"))
        return arena_strdup(a, "fail");
    if (span_ieq(v, "error"))
        return arena_strdup(a, "temperror");
    if (span_ieq(v, "unknown"))
        return arena_strdup(a, "permerror");
    return dup_lower(a, v, oom);
}

/* Token: quoted string or run up to ws ; ( ) and (if stop_eq) '='. */
static size_t read_token(const char *s, size_t len, size_t i, int stop_eq, span *tok, int *quoted)
{
    *quoted = 0;
    if (i < len && s[i] == '"') {
        size_t st = ++i;
        while (i < len && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < len)
                i++;
            i++;
        }
        *tok = (span){s + st, (i < len ? i : len) - st};
        *quoted = 1;
        return i < len ? i + 1 : len;
    }
    size_t st = i;
    while (i < len && !span_is_ws(s[i]) && s[i] != ';' && s[i] != '(' && s[i] != ')' &&
           !(stop_eq && s[i] == '='))
        i++;
    *tok = (span){s + st, i - st};
    return i;
}

static void add_prop(arena *a, authres_result *r, span name, span value, int *oom)
{
    if (r->nprops >= AUTHRES_MAX_PROPS)
        return;
    authres_prop *p = &r->props[r->nprops++];
    p->name = dup_lower(a, name, oom);
    p->value = dup_span(a, value, oom);
}

/* "(p=REJECT sp=NONE dis=NONE)" -> policy.p / policy.sp / policy.dis */
static void dmarc_policy_comment(arena *a, authres_result *r, span c, int *oom)
{
    size_t i = 0;
    for (int guard = 0; i < c.n && guard < 16; guard++) {
        while (i < c.n && (span_is_ws(c.p[i]) || c.p[i] == ','))
            i++;
        size_t ks = i;
        while (i < c.n && c.p[i] != '=' && !span_is_ws(c.p[i]))
            i++;
        if (i >= c.n || c.p[i] != '=')
            return;
        span k = {c.p + ks, i - ks};
        size_t vs = ++i;
        while (i < c.n && !span_is_ws(c.p[i]) && c.p[i] != ',')
            i++;
        span v = {c.p + vs, i - vs};
        char namebuf[48];
        if (k.n == 0 || k.n > 32)
            return;
        memcpy(namebuf, "policy.", 7);
        memcpy(namebuf + 7, k.p, k.n);
        add_prop(a, r, (span){namebuf, 7 + k.n}, v, oom);
        if (span_ieq(k, "p") && !r->policy)
            r->policy = dup_span(a, v, oom);
    }
}

int authres_parse(arena *a, const char *value, size_t len, authres_header *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!value)
        return -1;
    int oom = 0;
    const char *s = value;
    out->results = arena_alloc(a, sizeof(authres_result) * AUTHRES_MAX_RESULTS);
    if (!out->results)
        return -2;
    authres_result *cur = NULL;
    int last_was_result = 0;
    size_t i = 0;
    int guard = 0;

    /* ARC: "i=1; authserv-id; ..." */
    {
        size_t k = i;
        while (k < len && span_is_ws(s[k]))
            k++;
        if (k + 2 < len && span_lower(s[k]) == 'i' && (s[k + 1] == '=' || span_is_ws(s[k + 1]))) {
            size_t q = k + 1;
            while (q < len && span_is_ws(s[q]))
                q++;
            if (q < len && s[q] == '=') {
                q++;
                while (q < len && span_is_ws(s[q]))
                    q++;
                int n = 0, nd = 0;
                while (q < len && span_is_digit(s[q]) && nd < 6) {
                    n = n * 10 + (s[q++] - '0');
                    nd++;
                }
                if (nd) {
                    out->arc_instance = n;
                    while (q < len && span_is_ws(s[q]))
                        q++;
                    if (q < len && s[q] == ';')
                        q++;
                    i = q;
                }
            }
        }
    }

    /* authserv-id [version] */
    {
        size_t k = i;
        while (k < len && (span_is_ws(s[k]) || s[k] == '('))
            k = s[k] == '(' ? comment_end(s, len, k) : k + 1;
        span tok;
        int q;
        size_t e = read_token(s, len, k, 1, &tok, &q);
        size_t f = e;
        while (f < len && span_is_ws(s[f]))
            f++;
        if (tok.n && (f >= len || s[f] != '=')) {
            if (span_ieq(tok, "none")) {
                out->none = 1;
            } else {
                out->authserv_id = dup_span(a, tok, &oom);
                i = e;
                while (i < len && span_is_ws(s[i]))
                    i++;
                span ver;
                size_t e2 = read_token(s, len, i, 1, &ver, &q);
                int v;
                size_t f2 = e2;
                while (f2 < len && span_is_ws(s[f2]))
                    f2++;
                if (ver.n && ver.n < 4 && parse_int(ver, &v) && (f2 >= len || s[f2] != '=')) {
                    int alldig = 1;
                    for (size_t z = 0; z < ver.n; z++)
                        alldig &= span_is_digit(ver.p[z]);
                    if (alldig) {
                        out->version = v;
                        i = e2;
                    }
                }
            }
            if (out->none)
                i = e;
        }
    }

    while (i < len && guard++ < 4096) {
        char ch = s[i];
        if (span_is_ws(ch)) {
            i++;
            continue;
        }
        if (ch == ';') {
            cur = NULL;
            last_was_result = 0;
            i++;
            continue;
        }
        if (ch == '(') {
            size_t e = comment_end(s, len, i);
            if (cur && last_was_result && !cur->comment) {
                span c = comment_inner(s, i, e);
                cur->comment = dup_span(a, c, &oom);
                if (!cur->reason)
                    cur->reason = cur->comment;
                if (cur->method && strcmp(cur->method, "dmarc") == 0)
                    dmarc_policy_comment(a, cur, c, &oom);
            }
            i = e;
            continue;
        }
        if (ch == ')') {
            i++;
            continue;
        }
        span key;
        int quoted;
        size_t e = read_token(s, len, i, 1, &key, &quoted);
        if (e == i) { /* stray '=' or similar: make progress */
            i++;
            continue;
        }
        i = e;
        size_t k = i;
        while (k < len && span_is_ws(s[k]))
            k++;
        if (k >= len || s[k] != '=') {
            if (span_ieq(key, "none") && out->nresults == 0)
                out->none = 1;
            continue;
        }
        i = k + 1;
        while (i < len && span_is_ws(s[i]))
            i++;
        span val;
        i = read_token(s, len, i, 0, &val, &quoted);
        /* method/version */
        span mk = key;
        for (size_t z = 0; z < mk.n; z++)
            if (mk.p[z] == '/') {
                mk.n = z;
                break;
            }
        int has_dot = memchr(key.p, '.', key.n) != NULL;
        if (!has_dot && span_ieq(key, "reason")) {
            if (cur) {
                cur->reason = dup_span(a, val, &oom);
                last_was_result = 0;
            }
            continue;
        }
        if (!has_dot && (!cur || (is_method(mk) && cur->method))) {
            if (out->nresults >= AUTHRES_MAX_RESULTS) {
                cur = NULL;
                continue;
            }
            cur = &out->results[out->nresults++];
            cur->method = dup_lower(a, mk, &oom);
            cur->result = norm_result(a, val, &oom);
            last_was_result = 1;
            continue;
        }
        if (cur) {
            add_prop(a, cur, key, val, &oom);
            last_was_result = 0;
        }
    }
    if (oom)
        return -2;
    return (out->authserv_id || out->nresults || out->none) ? 0 : -1;
}

const authres_result *authres_find(const authres_header *h, const char *method)
{
    if (!h || !method)
        return NULL;
    for (int i = 0; i < h->nresults; i++)
        if (h->results[i].method && span_ieq((span){h->results[i].method, strlen(h->results[i].method)}, method))
            return &h->results[i];
    return NULL;
}

const char *authres_prop_get(const authres_result *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (int i = 0; i < r->nprops; i++)
        if (r->props[i].name && span_ieq((span){r->props[i].name, strlen(r->props[i].name)}, name))
            return r->props[i].value;
    return NULL;
}

/* ---------------------------------------------------------- Received-SPF */

/* Word following `after` inside c (e.g. "designates X as"). */
static span word_after(span c, const char *after)
{
    const char *p = span_ifind(c, after);
    span r = {NULL, 0};
    if (!p)
        return r;
    size_t i = (size_t)(p - c.p) + strlen(after);
    while (i < c.n && span_is_ws(c.p[i]))
        i++;
    size_t st = i;
    while (i < c.n && !span_is_ws(c.p[i]) && c.p[i] != ')' && c.p[i] != ';')
        i++;
    if (i > st)
        r = (span){c.p + st, i - st};
    return r;
}

int authres_parse_received_spf(arena *a, const char *value, size_t len, authres_spf *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!value)
        return -1;
    int oom = 0;
    const char *s = value;
    size_t i = 0;
    while (i < len && span_is_ws(s[i]))
        i++;
    span res;
    int q;
    i = read_token(s, len, i, 1, &res, &q);
    if (res.n == 0)
        return -1;
    out->result = norm_result(a, res, &oom);
    span comment = {NULL, 0};
    for (int guard = 0; i < len && guard < 1024; guard++) {
        char ch = s[i];
        if (span_is_ws(ch) || ch == ';' || ch == ')') {
            i++;
            continue;
        }
        if (ch == '(') {
            size_t e = comment_end(s, len, i);
            if (!comment.p) {
                comment = comment_inner(s, i, e);
                out->comment = dup_span(a, comment, &oom);
            }
            i = e;
            continue;
        }
        span key, val;
        size_t e = read_token(s, len, i, 1, &key, &q);
        if (e == i) {
            i++;
            continue;
        }
        i = e;
        if (i >= len || s[i] != '=')
            continue;
        i = read_token(s, len, i + 1, 0, &val, &q);
        char **dst = NULL;
        if (span_ieq(key, "client-ip"))
            dst = &out->client_ip;
        else if (span_ieq(key, "envelope-from"))
            dst = &out->envelope_from;
        else if (span_ieq(key, "helo"))
            dst = &out->helo;
        else if (span_ieq(key, "receiver"))
            dst = &out->receiver;
        else if (span_ieq(key, "identity"))
            dst = &out->identity;
        else if (span_ieq(key, "mechanism"))
            dst = &out->mechanism;
        if (dst && !*dst) {
            if (val.n >= 2 && val.p[0] == '<' && val.p[val.n - 1] == '>') {
                val.p++;
                val.n -= 2;
            }
            *dst = dup_span(a, val, &oom);
        }
    }
    if (comment.p) {
        if (!out->client_ip) {
            span ip = word_after(comment, "does not designate");
            if (!ip.p)
                ip = word_after(comment, "designates");
            if (!ip.p)
                ip = word_after(comment, "sender IP is");
            if (ip.p)
                out->client_ip = dup_span(a, ip, &oom);
        }
        if (!out->envelope_from) {
            span d = word_after(comment, "domain of transitioning");
            if (!d.p)
                d = word_after(comment, "domain of");
            if (d.p)
                out->envelope_from = dup_span(a, d, &oom);
        }
    }
    return oom ? -2 : 0;
}

/* -------------------------------------------------------- DKIM-Signature */

int authres_parse_tags(arena *a, const char *value, size_t len, authres_tag *tags, int max)
{
    if (!value || !tags || max <= 0)
        return 0;
    int n = 0, oom = 0;
    size_t i = 0;
    while (i < len && n < max && !oom) {
        while (i < len && (span_is_ws(value[i]) || value[i] == ';'))
            i++;
        size_t ks = i;
        while (i < len && value[i] != '=' && value[i] != ';')
            i++;
        span key = trim((span){value + ks, i - ks});
        if (i >= len || value[i] != '=') {
            continue;
        }
        i++;
        size_t vs = i;
        const char *semi = memchr(value + i, ';', len - i); /* b= and bh= run long */
        i = semi ? (size_t)(semi - value) : len;
        /* strip all folding whitespace from the value */
        size_t vn = i - vs, w = 0;
        if (vn > AUTHRES_MAX_VALUE * 4)
            vn = AUTHRES_MAX_VALUE * 4;
        char *buf = arena_alloc(a, (vn > AUTHRES_MAX_VALUE ? AUTHRES_MAX_VALUE : vn) + 1);
        if (!buf) {
            oom = 1;
            break;
        }
        for (size_t z = 0; z < vn && w < AUTHRES_MAX_VALUE; z++)
            if (!span_is_ws(value[vs + z]))
                buf[w++] = value[vs + z];
        buf[w] = '\0';
        if (key.n == 0)
            continue;
        tags[n].name = dup_lower(a, key, &oom);
        tags[n].value = buf;
        n++;
    }
    return n;
}

static int parse_ll(const char *s, long long *out)
{
    long long v = 0;
    int nd = 0;
    for (; s && span_is_digit(*s) && nd < 18; s++, nd++)
        v = v * 10 + (*s - '0');
    if (!nd)
        return 0;
    *out = v;
    return 1;
}

int authres_parse_dkim_signature(arena *a, const char *value, size_t len, authres_dkim_sig *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    authres_tag tags[40];
    int n = authres_parse_tags(a, value, len, tags, 40);
    for (int k = 0; k < n; k++) {
        const char *t = tags[k].name;
        char *v = tags[k].value;
        if (!t)
            continue;
        if (!strcmp(t, "v"))
            out->v = v;
        else if (!strcmp(t, "a"))
            out->a = v;
        else if (!strcmp(t, "c"))
            out->c = v;
        else if (!strcmp(t, "d"))
            out->d = v;
        else if (!strcmp(t, "s"))
            out->s = v;
        else if (!strcmp(t, "h"))
            out->h = v;
        else if (!strcmp(t, "i"))
            out->i = v;
        else if (!strcmp(t, "l"))
            out->l = v;
        else if (!strcmp(t, "q"))
            out->q = v;
        else if (!strcmp(t, "bh"))
            out->bh = v;
        else if (!strcmp(t, "b"))
            out->b = v;
        else if (!strcmp(t, "t"))
            out->has_t = parse_ll(v, &out->t);
        else if (!strcmp(t, "x"))
            out->has_x = parse_ll(v, &out->x);
    }
    return n > 0 ? 0 : -1;
}

/* ---------------------------------------------------------- spam headers */

int authres_spam_flag(const char *value, size_t len)
{
    if (!value)
        return -1;
    span w = trim((span){value, len});
    size_t k = 0;
    while (k < w.n && !span_is_ws(w.p[k]) && w.p[k] != ',')
        k++;
    w.n = k;
    if (span_ieq(w, "yes") || span_ieq(w, "true"))
        return 1;
    if (span_ieq(w, "no") || span_ieq(w, "false"))
        return 0;
    return -1;
}

int authres_spam_level(const char *value, size_t len)
{
    if (!value)
        return 0;
    span w = trim((span){value, len});
    if (!w.n)
        return 0;
    char c = w.p[0];
    int n = 0;
    for (size_t i = 0; i < w.n && n < 100; i++) {
        if (w.p[i] == c)
            n++;
        else if (!span_is_ws(w.p[i]))
            break;
    }
    return n;
}

int authres_parse_spam_status(arena *a, const char *value, size_t len, authres_spam_status *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    out->flag = -1;
    if (!value)
        return -1;
    int oom = 0;
    span w = trim((span){value, len});
    out->flag = authres_spam_flag(w.p, w.n);
    size_t i = 0;
    while (i < w.n && !span_is_ws(w.p[i]) && w.p[i] != ',')
        i++;
    for (int guard = 0; i < w.n && guard < 1024; guard++) {
        while (i < w.n && (span_is_ws(w.p[i]) || w.p[i] == ','))
            i++;
        size_t ks = i;
        while (i < w.n && w.p[i] != '=' && !span_is_ws(w.p[i]))
            i++;
        span key = {w.p + ks, i - ks};
        if (i >= w.n || w.p[i] != '=')
            continue;
        i++;
        size_t vs = i;
        if (span_ieq(key, "tests")) {
            /* comma-separated, folding allowed after commas */
            size_t e = i;
            for (;;) {
                while (e < w.n && !span_is_ws(w.p[e]))
                    e++;
                if (e > vs && w.p[e - 1] == ',') {
                    size_t f = e;
                    while (f < w.n && span_is_ws(w.p[f]))
                        f++;
                    if (f < w.n) {
                        e = f;
                        continue;
                    }
                }
                break;
            }
            int cap = AUTHRES_MAX_LIST;
            out->tests = arena_alloc(a, sizeof(char *) * (size_t)cap);
            if (!out->tests)
                return -2;
            size_t t = vs;
            while (t < e && out->ntests < cap) {
                while (t < e && (w.p[t] == ',' || span_is_ws(w.p[t])))
                    t++;
                size_t ts = t;
                while (t < e && w.p[t] != ',' && !span_is_ws(w.p[t]))
                    t++;
                span tn = {w.p + ts, t - ts};
                if (tn.n && !span_ieq(tn, "none"))
                    out->tests[out->ntests++] = dup_span(a, tn, &oom);
            }
            i = e;
            continue;
        }
        while (i < w.n && !span_is_ws(w.p[i]))
            i++;
        span val = {w.p + vs, i - vs};
        double d;
        if (span_ieq(key, "score") || span_ieq(key, "hits")) {
            if (parse_decimal(val.p, val.n, &d)) {
                out->score = d;
                out->has_score = 1;
            }
        } else if (span_ieq(key, "required")) {
            if (parse_decimal(val.p, val.n, &d)) {
                out->required = d;
                out->has_required = 1;
            }
        } else if (span_ieq(key, "autolearn")) {
            out->autolearn = dup_span(a, val, &oom);
        } else if (span_ieq(key, "version")) {
            out->version = dup_span(a, val, &oom);
        }
    }
    return oom ? -2 : 0;
}

int authres_parse_spamd_result(arena *a, const char *value, size_t len, authres_rspamd *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    out->is_spam = -1;
    if (!value)
        return -1;
    int oom = 0;
    const char *s = value;
    out->symbols = arena_alloc(a, sizeof(authres_symbol) * AUTHRES_MAX_LIST);
    if (!out->symbols)
        return -2;
    size_t i = 0;
    for (int guard = 0; i < len && guard < 4096; guard++) {
        while (i < len && (span_is_ws(s[i]) || s[i] == ';' || s[i] == ','))
            i++;
        if (i >= len)
            break;
        /* one element up to ';' outside [...] */
        size_t st = i;
        int inbr = 0;
        while (i < len && (inbr || s[i] != ';')) {
            if (s[i] == '[')
                inbr = 1;
            else if (s[i] == ']')
                inbr = 0;
            i++;
        }
        span el = trim((span){s + st, i - st});
        const char *colon = memchr(el.p, ':', el.n);
        const char *br = memchr(el.p, '[', el.n);
        const char *par = memchr(el.p, '(', el.n);
        if (colon && (!par || colon < par) && (!br || colon < br)) {
            /* "default: True [12.3 / 15.0]" */
            span rest = trim((span){colon + 1, el.n - (size_t)(colon + 1 - el.p)});
            if (span_iprefix(rest, "true"))
                out->is_spam = 1;
            else if (span_iprefix(rest, "false"))
                out->is_spam = 0;
            if (br) {
                size_t o = (size_t)(br + 1 - el.p);
                double d;
                size_t c = parse_decimal(el.p + o, el.n - o, &d);
                if (c) {
                    out->score = d;
                    out->has_score = 1;
                    o += c;
                    while (o < el.n && (span_is_ws(el.p[o]) || el.p[o] == '/'))
                        o++;
                    if (parse_decimal(el.p + o, el.n - o, &d))
                        out->required = d;
                }
            }
            continue;
        }
        if (out->nsymbols >= AUTHRES_MAX_LIST || el.n == 0)
            continue;
        authres_symbol *sym = &out->symbols[out->nsymbols++];
        size_t ne = 0;
        while (ne < el.n && el.p[ne] != '(' && el.p[ne] != '[' && !span_is_ws(el.p[ne]))
            ne++;
        sym->name = dup_span(a, (span){el.p, ne}, &oom);
        if (par) {
            size_t o = (size_t)(par + 1 - el.p);
            double d;
            if (parse_decimal(el.p + o, el.n - o, &d)) {
                sym->score = d;
                sym->has_score = 1;
            }
        }
        if (br) {
            size_t o = (size_t)(br + 1 - el.p), e = o;
            while (e < el.n && el.p[e] != ']')
                e++;
            sym->opts = dup_span(a, (span){el.p + o, e - o}, &oom);
        }
    }
    return oom ? -2 : 0;
}

int authres_parse_ms_antispam(arena *a, const char *value, size_t len, authres_ms_antispam *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!value)
        return -1;
    int oom = 0;
    out->kv = arena_alloc(a, sizeof(authres_kv) * AUTHRES_MAX_LIST);
    if (!out->kv)
        return -2;
    const char *s = value;
    size_t i = 0;
    for (int guard = 0; i < len && guard < 4096; guard++) {
        size_t st = i;
        while (i < len && s[i] != ';')
            i++;
        span el = trim((span){s + st, i - st});
        i++;
        const char *colon = memchr(el.p, ':', el.n);
        if (!colon || el.n == 0)
            continue;
        span k = trim((span){el.p, (size_t)(colon - el.p)});
        span v = trim((span){colon + 1, el.n - (size_t)(colon + 1 - el.p)});
        if (!k.n)
            continue;
        if (out->nkv < AUTHRES_MAX_LIST) {
            out->kv[out->nkv].key = dup_span(a, k, &oom);
            out->kv[out->nkv].value = dup_span(a, v, &oom);
            out->nkv++;
        }
        static const char *const names[] = {"CIP", "CTRY", "LANG", "IPV", "SFV", "H",
                                            "PTR", "CAT", "SFS", "DIR", "SRV", "SFTY"};
        char **dst[] = {&out->cip, &out->ctry, &out->lang, &out->ipv, &out->sfv, &out->h,
                        &out->ptr, &out->cat, &out->sfs, &out->dir, &out->srv, &out->sfty};
        for (size_t z = 0; z < sizeof names / sizeof *names; z++)
            if (span_ieq(k, names[z]) && !*dst[z])
                *dst[z] = dup_span(a, v, &oom);
        if (span_ieq(k, "SCL"))
            out->has_scl = parse_int(v, &out->scl);
        else if (span_ieq(k, "BCL"))
            out->has_bcl = parse_int(v, &out->bcl);
        else if (span_ieq(k, "PCL"))
            out->has_pcl = parse_int(v, &out->pcl);
    }
    return oom ? -2 : 0;
}

int authres_parse_scl(const char *value, size_t len, int *scl)
{
    if (!value || !scl)
        return 0;
    return parse_int((span){value, len}, scl);
}

/* Meanings after Microsoft Learn, "Anti-spam message headers in Microsoft 365". */
typedef struct {
    const char *code, *meaning;
} meaning;

static const meaning sfv_tab[] = {
    {"BLK", "filtering skipped; blocked: sender is on the recipient's Blocked Senders list"},
    {"NSPM", "not spam: spam filtering marked the message as nonspam"},
    {"SFE", "filtering skipped; allowed: sender is on the recipient's Safe Senders list"},
    {"SKA", "filtering skipped; allowed: sender is in an anti-spam policy allow list"},
    {"SKB", "spam: sender matched a blocked sender/domain list in an anti-spam policy"},
    {"SKI", "filtering skipped for another reason (e.g. intra-organizational mail)"},
    {"SKN", "not spam: marked nonspam before filtering (e.g. mail flow rule)"},
    {"SKQ", "released from quarantine"},
    {"SKS", "spam: marked as spam before filtering (e.g. mail flow rule)"},
    {"SPM", "spam: spam filtering marked the message as spam"},
};

static const meaning cat_tab[] = {
    {"AMP", "anti-malware"},
    {"BIMP", "brand impersonation"},
    {"BULK", "bulk mail"},
    {"DIMP", "domain impersonation"},
    {"FTBP", "anti-malware common attachments filter"},
    {"GIMP", "mailbox intelligence impersonation"},
    {"HPHSH", "high confidence phishing"},
    {"HPHISH", "high confidence phishing"},
    {"HSPM", "high confidence spam"},
    {"INTOS", "intra-organization phishing"},
    {"MALW", "malware"},
    {"OSPM", "outbound spam"},
    {"PHSH", "phishing"},
    {"PHISH", "phishing"},
    {"SAP", "safe attachments"},
    {"SPM", "spam"},
    {"SPOOF", "spoofing"},
    {"UIMP", "user impersonation"},
    {"NONE", "no category"},
};

static const meaning ipv_tab[] = {
    {"CAL", "allowed: source IP is on the connection filter IP Allow List"},
    {"NLI", "source IP not listed on any IP reputation list"},
};

static const meaning dir_tab[] = {
    {"INB", "inbound"},
    {"OUT", "outbound"},
    {"INT", "internal"},
};

static const char *lookup_meaning(const meaning *t, size_t n, const char *code)
{
    if (!code)
        return "unknown value";
    span c = trim((span){code, strlen(code)});
    for (size_t i = 0; i < n; i++)
        if (span_ieq(c, t[i].code))
            return t[i].meaning;
    return "unknown value";
}

const char *authres_ms_sfv_meaning(const char *sfv)
{
    return lookup_meaning(sfv_tab, sizeof sfv_tab / sizeof *sfv_tab, sfv);
}

const char *authres_ms_cat_meaning(const char *cat)
{
    return lookup_meaning(cat_tab, sizeof cat_tab / sizeof *cat_tab, cat);
}

const char *authres_ms_ipv_meaning(const char *ipv)
{
    return lookup_meaning(ipv_tab, sizeof ipv_tab / sizeof *ipv_tab, ipv);
}

const char *authres_ms_dir_meaning(const char *dir)
{
    return lookup_meaning(dir_tab, sizeof dir_tab / sizeof *dir_tab, dir);
}

const char *authres_ms_scl_meaning(int scl)
{
    if (scl < 0)
        return "spam filtering skipped (trusted sender or internal)";
    if (scl <= 1)
        return "not spam";
    if (scl <= 4)
        return "not spam (legacy low score)";
    if (scl <= 6)
        return "spam";
    if (scl <= 8)
        return "spam (legacy high score)";
    return "high confidence spam";
}

const char *authres_ms_bcl_meaning(int bcl)
{
    if (bcl <= 0)
        return "not from a bulk sender";
    if (bcl <= 3)
        return "bulk sender with few complaints";
    if (bcl <= 7)
        return "bulk sender with a mixed number of complaints";
    return "bulk sender with a high number of complaints";
}
