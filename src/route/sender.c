/*
 * sender.c - trusted authentication results, spam-filter verdicts, the reason
 * for the subject tag, and identity alignment. See sender.h. Header syntax is
 * parsed by authres.c; this file chooses what to believe and phrases it.
 */
#include "sender.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/domain.h"
#include "authres.h"

static void note(sender_note *v, size_t *n, char *ja, char *en)
{
    if (*n >= SENDER_MAX_NOTES || !ja || !en)
        return;
    v[*n].ja = ja;
    v[*n].en = en;
    (*n)++;
}

static const char *domain_of(const char *addr)
{
    if (!addr)
        return NULL;
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : addr;
}

static char *reg(arena *a, const char *host)
{
    return host && *host ? domain_registrable(a, host) : NULL;
}

static int differs(const char *x, const char *y)
{
    return x && y && strcmp(x, y) != 0;
}

/* is this A-R header from the receiving site? */
static int trusted_id(arena *a, const char *id, const char *want, const char *site)
{
    if (!id)
        return 0;
    if (want)
        return strcasecmp(id, want) == 0;
    const char *r = reg(a, id);
    return site && r && strcmp(r, site) == 0;
}

/* The contract's result words (pass|fail|softfail|neutral|none|temperror|
 * permerror); authres_parse already mapped the older ones. Any other word
 * (dkim "policy", vendor inventions) is not a result kensa can report, so
 * that entry is skipped. */
static const char *contract_result(const char *r)
{
    static const char *const ok[] = {"pass", "fail", "softfail", "neutral",
                                     "none", "temperror", "permerror"};
    for (size_t i = 0; r && i < sizeof ok / sizeof *ok; i++)
        if (strcmp(r, ok[i]) == 0)
            return ok[i];
    return NULL;
}

static void read_authres(arena *a, const km_message *m, const route_result *route,
                         const char *want, sender_result *out)
{
    const km_header *ar[64];
    size_t n = mime_headers_named(m, "Authentication-Results", ar, 64);
    const char *top_id = NULL;
    const authres_header *use = NULL;
    authres_header *parsed = arena_alloc(a, (n ? n : 1) * sizeof *parsed);
    if (!parsed)
        return;
    for (size_t i = 0; i < n; i++) {
        if (authres_parse(a, ar[i]->raw_bytes, ar[i]->raw_len, &parsed[i]) != 0)
            continue;
        const char *id = parsed[i].authserv_id;
        if (!top_id && id)
            top_id = id;
        int ok = want ? trusted_id(a, id, want, NULL)
                      : (id && top_id && strcasecmp(id, top_id) == 0) ||
                            trusted_id(a, id, NULL, route->receiving_domain);
        if (!ok) {
            out->ignored_authres++;
            continue;
        }
        if (!use) {
            use = &parsed[i];
            out->authserv_id = arena_strdup(a, id ? id : "");
            out->authserv_why = want ? "configured authserv-id"
                                     : "authserv-id of the top-most Authentication-Results";
        }
    }
    if (!use)
        return;
    for (int i = 0; i < use->nresults; i++) {
        const authres_result *r = &use->results[i];
        const char *res = contract_result(r->result);
        if (!res)
            continue;
        if (strcmp(r->method, "spf") == 0 && !out->has_spf) {
            out->has_spf = 1;
            out->spf.result = res;
            const char *mf = authres_prop_get(r, "smtp.mailfrom");
            if (!mf)
                mf = authres_prop_get(r, "smtp.helo");
            out->spf.domain = mf ? arena_strdup(a, domain_of(mf)) : NULL;
            out->spf.reason = r->reason ? r->reason : r->comment;
        } else if (strcmp(r->method, "dkim") == 0 && out->ndkim < SENDER_MAX_DKIM) {
            sender_dkim *d = &out->dkim[out->ndkim++];
            d->result = res;
            const char *dd = authres_prop_get(r, "header.d");
            if (!dd) {
                const char *hi = authres_prop_get(r, "header.i");
                dd = hi ? domain_of(hi) : NULL;
            }
            d->domain = dd && strcasecmp(dd, "none") != 0 ? arena_strdup(a, dd) : NULL;
            const char *s = authres_prop_get(r, "header.s");
            d->selector = s ? arena_strdup(a, s) : NULL;
        } else if (strcmp(r->method, "dmarc") == 0 && !out->has_dmarc) {
            out->has_dmarc = 1;
            out->dmarc.result = res;
            const char *p = r->policy ? r->policy : authres_prop_get(r, "policy.dmarc");
            if (!p)
                p = authres_prop_get(r, "policy.published-domain-policy");
            if (p) {
                char *lp = arena_strdup(a, p);
                for (char *c = lp; c && *c; c++)
                    *c = (char)tolower((unsigned char)*c);
                out->dmarc.policy = lp;
            }
            const char *hf = authres_prop_get(r, "header.from");
            out->dmarc.domain = hf ? arena_strdup(a, hf) : NULL;
        }
    }
}

/* The single fields sender_analyze reads, each the first of its name as
 * mime_header_first() finds it (equal length, strcasecmp-equal), all found in
 * one pass over the headers instead of a pass per name. */
enum {
    F_RECEIVED_SPF, F_SPAM_FLAG, F_SPAM_STATUS, F_SPAMD_RESULT, F_RSPAMD_SCORE, F_FOREFRONT,
    F_MS_SCL, F_LIST_ID, F_LIST_POST, F_MAILING_LIST, F_LIST_UNSUBSCRIBE, F_PRECEDENCE,
    F_CONTENT_TYPE, F_N
};
#define FIELD(s) {s, sizeof s - 1}
static const struct {
    const char *name;
    size_t len;
} FIELDS[F_N] = { /* every len < 64 */
    FIELD("Received-SPF"), FIELD("X-Spam-Flag"), FIELD("X-Spam-Status"), FIELD("X-Spamd-Result"),
    FIELD("X-Rspamd-Score"), FIELD("X-Forefront-Antispam-Report"),
    FIELD("X-MS-Exchange-Organization-SCL"), FIELD("List-Id"), FIELD("List-Post"),
    FIELD("Mailing-List"), FIELD("List-Unsubscribe"), FIELD("Precedence"), FIELD("Content-Type")};

typedef struct {
    const km_header *h[F_N];
} fields;

static void find_fields(const km_message *m, fields *f)
{
    /* the names of each length as a chain: head[len], then next[k] */
    signed char head[64], next[F_N];
    memset(head, -1, sizeof head);
    for (int k = F_N - 1; k >= 0; k--) {
        f->h[k] = NULL;
        next[k] = head[FIELDS[k].len];
        head[FIELDS[k].len] = (signed char)k;
    }
    int left = F_N;
    for (size_t i = 0; i < m->nheaders && left; i++) {
        const km_header *h = &m->headers[i];
        if (h->name_len >= sizeof head)
            continue;
        unsigned c = (unsigned char)h->name[0] | 0x20u;
        for (int k = head[h->name_len]; k >= 0; k = next[k])
            if (!f->h[k] && c == ((unsigned char)FIELDS[k].name[0] | 0x20u) &&
                strcasecmp(h->name, FIELDS[k].name) == 0) {
                f->h[k] = h;
                left--;
                break;
            }
    }
}

static void read_spam_headers(arena *a, const fields *f, sender_result *out)
{
    const km_header *h;
    out->spam_flag = -1;
    out->ms_scl = -2;
    if ((h = f->h[F_SPAM_FLAG]))
        out->spam_flag = authres_spam_flag(h->raw_bytes, h->raw_len);
    if ((h = f->h[F_SPAM_STATUS])) {
        authres_spam_status st;
        if (authres_parse_spam_status(a, h->raw_bytes, h->raw_len, &st) == 0) {
            if (st.flag >= 0 && out->spam_flag < 0)
                out->spam_flag = st.flag;
            if (st.has_score) {
                out->has_sa_score = 1;
                out->sa_score = st.score;
                out->sa_required = st.has_required ? st.required : 5.0;
            }
            if (st.ntests > 0) {
                size_t len = 0;
                for (int i = 0; i < st.ntests && i < 12; i++)
                    len += strlen(st.tests[i]) + 1;
                char *t = arena_alloc(a, len + 1);
                for (int i = 0; t && i < st.ntests && i < 12; i++) {
                    strcat(t, st.tests[i]);
                    if (i + 1 < st.ntests && i + 1 < 12)
                        strcat(t, ",");
                }
                out->sa_tests = t;
            }
        }
    }
    if ((h = f->h[F_SPAMD_RESULT])) {
        authres_rspamd rs;
        if (authres_parse_spamd_result(a, h->raw_bytes, h->raw_len, &rs) == 0 && rs.has_score) {
            out->has_rspamd = 1;
            out->rspamd_score = rs.score;
            out->rspamd_required = rs.required;
        }
    } else if ((h = f->h[F_RSPAMD_SCORE])) {
        double sc;
        if (authres_parse_score(h->raw_bytes, h->raw_len, &sc)) {
            out->has_rspamd = 1;
            out->rspamd_score = sc;
            out->rspamd_required = 0;
        }
    }
    if ((h = f->h[F_FOREFRONT])) {
        authres_ms_antispam ms;
        if (authres_parse_ms_antispam(a, h->raw_bytes, h->raw_len, &ms) == 0) {
            if (ms.has_scl)
                out->ms_scl = ms.scl;
            out->ms_sfv = ms.sfv;
            out->ms_cat = ms.cat;
            static const char *const spam_cats[] = {"SPM", "HSPM", "PHSH", "HPHSH", "PHISH",
                                                    "HPHISH", "SPOOF", "MALW", "BIMP", "DIMP",
                                                    "GIMP", "UIMP", "OSPM", "AMP"};
            for (size_t i = 0; ms.cat && i < sizeof spam_cats / sizeof spam_cats[0]; i++)
                if (strcasecmp(ms.cat, spam_cats[i]) == 0)
                    out->ms_cat_spam = 1;
            if (ms.sfv && (strcasecmp(ms.sfv, "SPM") == 0 || strcasecmp(ms.sfv, "BLK") == 0))
                out->ms_cat_spam = 1;
        }
    }
    if (out->ms_scl == -2 && (h = f->h[F_MS_SCL])) {
        int scl;
        if (authres_parse_scl(h->raw_bytes, h->raw_len, &scl))
            out->ms_scl = scl;
    }
}

static void tag_reasons(arena *a, const km_message *m, const route_result *route,
                        sender_result *out)
{
    const rcv_hop *o = route_origin(route);
    if (out->has_spf && (strcmp(out->spf.result, "fail") == 0 ||
                         strcmp(out->spf.result, "softfail") == 0)) {
        const char *ip = out->spf.ip ? out->spf.ip : o ? o->from_ip : NULL;
        const char *d = out->spf.domain ? out->spf.domain : "?";
        if (ip)
            note(out->tag_reasons, &out->ntag_reasons,
                 arena_printf(a, "SPF %s: %s は %s のメール送信を許可されていません", out->spf.result,
                              ip, d),
                 arena_printf(a, "SPF %s: %s is not allowed to send for %s", out->spf.result, ip,
                              d));
        else
            note(out->tag_reasons, &out->ntag_reasons,
                 arena_printf(a, "SPF %s: 送信元は %s のメール送信を許可されていません",
                              out->spf.result, d),
                 arena_printf(a, "SPF %s: the sender is not allowed to send for %s",
                              out->spf.result, d));
    }
    if (out->has_dmarc && strcmp(out->dmarc.result, "fail") == 0) {
        const char *d = out->dmarc.domain ? out->dmarc.domain
                        : m->has_from && m->from.domain ? m->from.domain
                                                        : "?";
        const char *p = out->dmarc.policy ? out->dmarc.policy : "none";
        note(out->tag_reasons, &out->ntag_reasons,
             arena_printf(a, "DMARC fail: %s の送信ドメイン認証に失敗（ポリシー %s）", d, p),
             arena_printf(a, "DMARC fail for %s (policy %s)", d, p));
    }
    for (size_t i = 0; i < out->ndkim; i++)
        if (strcmp(out->dkim[i].result, "fail") == 0 || strcmp(out->dkim[i].result, "permerror") == 0)
            note(out->tag_reasons, &out->ntag_reasons,
                 arena_printf(a, "DKIM %s: %s の署名を検証できません", out->dkim[i].result,
                              out->dkim[i].domain ? out->dkim[i].domain : "?"),
                 arena_printf(a, "DKIM %s: the signature of %s does not verify",
                              out->dkim[i].result, out->dkim[i].domain ? out->dkim[i].domain : "?"));
    if (out->has_sa_score && out->sa_score >= out->sa_required)
        note(out->tag_reasons, &out->ntag_reasons,
             arena_printf(a, "SpamAssassin スコア %.1f（しきい値 %.1f）%s%s", out->sa_score,
                          out->sa_required, out->sa_tests ? ": " : "",
                          out->sa_tests ? out->sa_tests : ""),
             arena_printf(a, "SpamAssassin score %.1f >= %.1f%s%s", out->sa_score,
                          out->sa_required, out->sa_tests ? ": " : "",
                          out->sa_tests ? out->sa_tests : ""));
    if (out->has_rspamd && out->rspamd_required > 0 && out->rspamd_score >= out->rspamd_required)
        note(out->tag_reasons, &out->ntag_reasons,
             arena_printf(a, "Rspamd スコア %.1f / %.1f", out->rspamd_score, out->rspamd_required),
             arena_printf(a, "Rspamd score %.1f / %.1f", out->rspamd_score, out->rspamd_required));
    if (out->ms_scl >= 5 || out->ms_cat_spam) {
        char *what = arena_printf(a, "SCL %d%s%s%s%s%s%s", out->ms_scl,
                                  out->ms_sfv ? ", SFV " : "", out->ms_sfv ? out->ms_sfv : "",
                                  out->ms_cat ? ", CAT " : "", out->ms_cat ? out->ms_cat : "",
                                  out->ms_cat ? " = " : "",
                                  out->ms_cat ? authres_ms_cat_meaning(out->ms_cat) : "");
        note(out->tag_reasons, &out->ntag_reasons,
             arena_printf(a, "Microsoft EOP が迷惑メールと判定: %s", what),
             arena_printf(a, "Microsoft EOP judged it spam: %s", what));
    }
    if (out->ntag_reasons == 0 && out->spam_flag == 1)
        note(out->tag_reasons, &out->ntag_reasons,
             arena_strdup(a, "受信サーバーのフィルターが X-Spam-Flag: YES を付けました"),
             arena_strdup(a, "the receiving filter set X-Spam-Flag: YES"));
}

static int text_has_other_domain(arena *a, const char *name, const char *from_reg)
{
    /* a display name holding an address or a domain that is not the sender's */
    if (!name || !from_reg)
        return 0;
    const char *p = name;
    for (int guard = 0; *p && guard < 64; guard++) {
        while (*p && !isalnum((unsigned char)*p))
            p++;
        const char *s = p;
        while (*p && (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '@'))
            p++;
        size_t n = (size_t)(p - s);
        if (n < 4 || !memchr(s, '.', n))
            continue;
        char *tok = arena_strndup(a, s, n);
        const char *at = strrchr(tok, '@');
        if (!domain_suffix_known(at ? at + 1 : tok))
            continue; /* "R.Hughes" in a name is not a domain */
        const char *r = reg(a, at ? at + 1 : tok);
        if (r && strcmp(r, from_reg) != 0)
            return 1;
    }
    return 0;
}

/* List-Id & co. or Precedence: list/bulk */
static int is_mailing_list(const fields *f)
{
    if (f->h[F_LIST_ID] || f->h[F_LIST_POST] || f->h[F_MAILING_LIST] || f->h[F_LIST_UNSUBSCRIBE])
        return 1;
    const km_header *prec = f->h[F_PRECEDENCE];
    return prec && (strcasestr(prec->raw, "list") || strcasestr(prec->raw, "bulk"));
}

static void identity(arena *a, const km_message *m, const route_result *route,
                     sender_result *out)
{
    if (!m->has_from || !m->from.domain)
        return;
    const char *fd = m->from.domain;
    const char *fr = reg(a, fd);
    const char *rp = m->return_path ? reg(a, domain_of(m->return_path)) : NULL;
    /* mailing lists rewrite Return-Path and Reply-To by design */
    int list = out->mailing_list;
    if (differs(fr, rp) && !list) {
        out->from_return_path_mismatch = 1;
        note(out->identity, &out->nidentity,
             arena_printf(a, "差出人 (%s) と Return-Path (%s) のドメインが異なります", fd,
                          m->return_path),
             arena_printf(a, "From domain %s differs from Return-Path %s", fd, m->return_path));
    }
    for (size_t i = 0; i < m->nreply_to; i++) {
        const char *r = reg(a, m->reply_to[i].domain);
        if (differs(fr, r) && !list) {
            out->from_reply_to_mismatch = 1;
            note(out->identity, &out->nidentity,
                 arena_printf(a, "返信先 (Reply-To %s) が差出人のドメイン (%s) と異なります",
                              m->reply_to[i].address, fd),
                 arena_printf(a, "Reply-To %s is not in the From domain %s",
                              m->reply_to[i].address, fd));
            break;
        }
    }
    for (size_t i = 0; i < out->ndkim_sig; i++) {
        const char *d = reg(a, out->dkim_sig_domains[i]);
        if (differs(fr, d))
            note(out->identity, &out->nidentity,
                 arena_printf(a, "DKIM 署名のドメイン d=%s が差出人 %s と一致しません",
                              out->dkim_sig_domains[i], fd),
                 arena_printf(a, "DKIM signing domain d=%s is not aligned with From %s",
                              out->dkim_sig_domains[i], fd));
    }
    const rcv_hop *o = route_origin(route);
    if (o) {
        const char *host = o->from_rdns && strcasecmp(o->from_rdns, "unknown") != 0 ? o->from_rdns
                                                                                  : o->from_helo;
        const char *or = reg(a, host);
        if (differs(fr, or))
            note(out->identity, &out->nidentity,
                 arena_printf(a, "送信元サーバー %s [%s] は差出人のドメイン %s のものではありません",
                              host, o->from_ip ? o->from_ip : "?", fd),
                 arena_printf(a, "the origin server %s [%s] is not in the From domain %s", host,
                              o->from_ip ? o->from_ip : "?", fd));
    }
    if (text_has_other_domain(a, m->from.display_name, fr)) {
        out->display_name_other_address = 1;
        note(out->identity, &out->nidentity,
             arena_printf(a, "表示名「%s」に実際の差出人 (%s) と別のアドレス/ドメインが含まれます",
                          m->from.display_name, m->from.address ? m->from.address : fd),
             arena_printf(a, "display name \"%s\" shows another address or domain than the real "
                             "sender %s",
                          m->from.display_name, m->from.address ? m->from.address : fd));
    }
}

/* the receiving site's own filter called it spam */
static int upstream_says_spam(const km_message *m, const sender_result *s)
{
    return m->subject_tag || s->spam_flag == 1 ||
           (s->has_sa_score && s->sa_score >= s->sa_required) ||
           (s->has_rspamd && s->rspamd_required > 0 && s->rspamd_score >= s->rspamd_required) ||
           s->ms_scl >= 5 || s->ms_cat_spam;
}

int sender_analyze(arena *a, const km_message *m, const route_result *route,
                   const char *authserv_id, sender_result *out)
{
    memset(out, 0, sizeof *out);
    fields fs, *f = &fs;
    find_fields(m, f);
    read_authres(a, m, route, authserv_id, out);
    if (!out->has_spf) {
        /* no trusted Authentication-Results: the top Received-SPF, written by the receiver */
        const km_header *h = f->h[F_RECEIVED_SPF];
        authres_spf s;
        if (h && authres_parse_received_spf(a, h->raw_bytes, h->raw_len, &s) == 0 &&
            contract_result(s.result)) {
            out->has_spf = 1;
            out->spf.result = contract_result(s.result);
            out->spf.domain = s.envelope_from ? arena_strdup(a, domain_of(s.envelope_from))
                                              : s.helo;
            out->spf.ip = s.client_ip;
            out->spf.reason = s.comment;
        }
    } else {
        const km_header *h = f->h[F_RECEIVED_SPF];
        authres_spf s;
        if (h && authres_parse_received_spf(a, h->raw_bytes, h->raw_len, &s) == 0)
            out->spf.ip = s.client_ip;
    }
    const km_header *sig[SENDER_MAX_DKIM];
    size_t ns = mime_headers_named(m, "DKIM-Signature", sig, SENDER_MAX_DKIM);
    for (size_t i = 0; i < ns; i++) {
        authres_dkim_sig ds;
        if (authres_parse_dkim_signature(a, sig[i]->raw_bytes, sig[i]->raw_len, &ds) == 0 && ds.d)
            out->dkim_sig_domains[out->ndkim_sig++] = ds.d;
    }
    read_spam_headers(a, f, out);
    tag_reasons(a, m, route, out);
    out->mailing_list = is_mailing_list(f);
    identity(a, m, route, out);
    out->upstream_spam = upstream_says_spam(m, out);
    out->has_unsubscribe = f->h[F_LIST_UNSUBSCRIBE] != NULL;
    const km_header *ct = f->h[F_CONTENT_TYPE];
    if (ct && strcasestr(ct->raw, "multipart/report"))
        out->is_bounce = 1;
    if (m->has_from && m->from.address &&
        (strncasecmp(m->from.address, "mailer-daemon@", 14) == 0 ||
         strncasecmp(m->from.address, "postmaster@", 11) == 0))
        out->is_bounce = 1;
    return 0;
}
