/*
 * verdict.c - facts -> findings -> score -> label. See verdict.h.
 *
 * Label rule (also in data/rules.tsv and README):
 *   phishing   score >= @phishing and a lure (brand impersonation, credential
 *              lure or dangerous attachment) and a deceptive delivery (link
 *              text mismatch, lookalike domain, display-name brand mismatch,
 *              spoofed sender: SPF/DMARC fail, display name with another address);
 *   spam       score >= @spam otherwise;
 *   suspicious score >= @suspicious;
 *   clean      below.
 * Findings are sorted strongest first (score, then severity).
 */
#include "verdict.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../report/report.h"
#include "../util/domain.h"
#include <strings.h>

typedef struct {
    char *id, *severity, *ja, *en;
    double weight;
} rule;

struct verdict_rules {
    rule *v;
    size_t n;
    double t_phishing, t_spam, t_suspicious;
    double t_spam_phrases_many; /* a spam phrase family this strong adds SPAM_PHRASES_MANY */
};

/* every id the code below can emit; the loader refuses a rules file missing one */
static const char *const known_ids[] = {
    "SPF_FAIL", "DMARC_FAIL", "DKIM_FAIL", "UPSTREAM_SPAM", "RETURN_PATH_MISMATCH",
    "REPLY_TO_MISMATCH", "DISPLAY_NAME_ADDRESS", "BRAND_IMPERSONATION",
    "FROM_DISPLAY_BRAND_MISMATCH", "LINK_TEXT_MISMATCH", "LOOKALIKE_DOMAIN", "SUSPICIOUS_TLD",
    "CLOUD_ORIGIN", "JA_MT_TELL", "DEADLINE_PRESSURE", "CREDENTIAL_LURE", "LURE_THEME",
    "RANDOM_DOMAIN", "DANGEROUS_ATTACHMENT", "URL_SHORTENER", "IP_URL", "USERINFO_URL",
    "OBFUSCATED_TEXT", "FREEMAIL_BRAND", "SUBJECT_RANDOM_ID", "SCAM_LURE", "BULK_NO_UNSUBSCRIBE",
    "SPAM_PHRASES", "SPAM_PHRASES_MANY", "ATTACHMENT_LURE", "DISPLAY_NAME_JUNK",
    "REPLY_TO_FREEMAIL", "FREEMAIL_SCAM",
    "NEW_DOMAIN", "BLOCKLISTED", "SITE_LIVE", /* --online (online_findings) */
};

static char *field(char **s)
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

void verdict_rules_free(verdict_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].id);
        free(r->v[i].severity);
        free(r->v[i].ja);
        free(r->v[i].en);
    }
    free(r->v);
    free(r);
}

static int fail(char **err, const char *path, int line, const char *what, verdict_rules *r,
                FILE *f)
{
    if (err && asprintf(err, "%s:%d: %s", path, line, what) < 0)
        *err = NULL;
    if (f)
        fclose(f);
    verdict_rules_free(r);
    return -1;
}

static const rule *find_rule(const verdict_rules *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].id, id) == 0)
            return &r->v[i];
    return NULL;
}

verdict_rules *verdict_rules_load(const char *data_dir, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/rules.tsv", data_dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (err && asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return NULL;
    }
    verdict_rules *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(f);
        return NULL;
    }
    r->t_phishing = r->t_spam = r->t_suspicious = r->t_spam_phrases_many = -1;
    char line[2048];
    int ln = 0;
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *s = line;
        if (line[0] == '@') {
            char *name = field(&s), *val = field(&s);
            char *end;
            double v = val ? strtod(val, &end) : 0;
            if (!val || *end) {
                fail(err, path, ln, "threshold needs a number", r, f);
                return NULL;
            }
            if (strcmp(name, "@phishing") == 0)
                r->t_phishing = v;
            else if (strcmp(name, "@spam") == 0)
                r->t_spam = v;
            else if (strcmp(name, "@suspicious") == 0)
                r->t_suspicious = v;
            else if (strcmp(name, "@spam_phrases_many") == 0)
                r->t_spam_phrases_many = v;
            else {
                fail(err, path, ln, "unknown threshold", r, f);
                return NULL;
            }
            continue;
        }
        char *id = field(&s), *w = field(&s), *sev = field(&s), *ja = field(&s), *en = field(&s);
        char *end;
        double weight = w ? strtod(w, &end) : 0;
        if (!en || !*en || !ja || !*ja || !w || *end) {
            fail(err, path, ln, "expected id, weight, severity, ja, en", r, f);
            return NULL;
        }
        if (strcmp(sev, "info") && strcmp(sev, "low") && strcmp(sev, "medium") &&
            strcmp(sev, "high")) {
            fail(err, path, ln, "severity must be info, low, medium or high", r, f);
            return NULL;
        }
        if (find_rule(r, id)) {
            fail(err, path, ln, "duplicate id", r, f);
            return NULL;
        }
        if (r->n == cap) {
            cap = cap ? cap * 2 : 32;
            rule *nv = realloc(r->v, cap * sizeof *nv);
            if (!nv) {
                fail(err, path, ln, "out of memory", r, f);
                return NULL;
            }
            r->v = nv;
        }
        rule *ru = &r->v[r->n++];
        ru->id = strdup(id);
        ru->severity = strdup(sev);
        ru->ja = strdup(ja);
        ru->en = strdup(en);
        ru->weight = weight;
    }
    fclose(f);
    if (r->t_phishing < 0 || r->t_spam < 0 || r->t_suspicious < 0 || r->t_spam_phrases_many < 0) {
        fail(err, path, ln,
             "thresholds @phishing, @spam, @suspicious and @spam_phrases_many are required", r,
             NULL);
        return NULL;
    }
    for (size_t i = 0; i < sizeof known_ids / sizeof known_ids[0]; i++)
        if (!find_rule(r, known_ids[i])) {
            char what[128];
            snprintf(what, sizeof what, "rule %s is missing", known_ids[i]);
            fail(err, path, ln, what, r, NULL);
            return NULL;
        }
    return r;
}

typedef struct {
    arena *a;
    const verdict_rules *rules;
    verdict_result *out;
} ctx;

static int has(const verdict_result *o, const char *id)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i].id, id) == 0)
            return 1;
    return 0;
}

static void emit(ctx *c, const char *id, char *evidence)
{
    const rule *ru = find_rule(c->rules, id);
    if (!ru || has(c->out, id) || c->out->n >= VERDICT_MAX_FINDINGS)
        return;
    finding *f = &c->out->v[c->out->n++];
    f->id = ru->id;
    f->severity = ru->severity;
    f->score = ru->weight;
    f->summary_ja = ru->ja;
    f->summary_en = ru->en;
    f->evidence = evidence;
    c->out->score += ru->weight;
}

static int sev_rank(const char *s)
{
    return strcmp(s, "high") == 0 ? 3 : strcmp(s, "medium") == 0 ? 2 : strcmp(s, "low") == 0;
}

static int cmp_finding(const void *x, const void *y)
{
    const finding *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return sev_rank(b->severity) - sev_rank(a->severity);
}

static int credential_lure(const content_result *ct);
static const char *display_name_junk(const char *dn);

/* at most this many visible characters (spaces and rules not counted) make a
 * mail "short": its message is elsewhere (an attachment) */
#define VERDICT_SHORT_TEXT 600

static void sender_findings(ctx *c, const struct kensa_report *r)
{
    const sender_result *s = &r->sender;
    arena *a = c->a;
    if (s->has_spf && (strcmp(s->spf.result, "fail") == 0 || strcmp(s->spf.result, "softfail") == 0)) {
        const rcv_hop *o = route_origin(&r->route);
        const char *ip = s->spf.ip ? s->spf.ip : o ? o->from_ip : NULL;
        emit(c, "SPF_FAIL",
             arena_printf(a, "spf=%s for %s%s%s (%s)", s->spf.result,
                          s->spf.domain ? s->spf.domain : "?", ip ? " from " : "", ip ? ip : "",
                          s->authserv_id ? s->authserv_id : "Received-SPF"));
    }
    if (s->has_dmarc && strcmp(s->dmarc.result, "fail") == 0)
        emit(c, "DMARC_FAIL",
             arena_printf(a, "dmarc=fail for %s, policy %s (%s)",
                          s->dmarc.domain ? s->dmarc.domain
                          : r->msg->from.domain ? r->msg->from.domain
                                                : "?",
                          s->dmarc.policy ? s->dmarc.policy : "none",
                          s->authserv_id ? s->authserv_id : "?"));
    for (size_t i = 0; i < s->ndkim; i++)
        if (strcmp(s->dkim[i].result, "fail") == 0 || strcmp(s->dkim[i].result, "permerror") == 0) {
            emit(c, "DKIM_FAIL",
                 arena_printf(a, "dkim=%s d=%s", s->dkim[i].result,
                              s->dkim[i].domain ? s->dkim[i].domain : "?"));
            break;
        }
    if (s->upstream_spam) {
        const char *tag = r->msg->subject_tag;
        const char *why = s->ntag_reasons ? s->tag_reasons[0].en
                          : s->spam_flag == 1 ? "X-Spam-Flag: YES"
                                              : "subject tag";
        emit(c, "UPSTREAM_SPAM",
             arena_printf(a, "%s%s%s", tag ? tag : "", tag ? "; " : "", why));
    }
    const km_message *m = r->msg;
    if (s->from_return_path_mismatch)
        emit(c, "RETURN_PATH_MISMATCH",
             arena_printf(a, "From %s, Return-Path %s", m->from.address ? m->from.address : "?",
                          m->return_path ? m->return_path : "?"));
    if (s->from_reply_to_mismatch && m->nreply_to)
        emit(c, "REPLY_TO_MISMATCH",
             arena_printf(a, "From %s, Reply-To %s", m->from.address ? m->from.address : "?",
                          m->reply_to[0].address ? m->reply_to[0].address : "?"));
    if (r->reply_to_freemail && !s->mailing_list && !r->from_freemail && m->nreply_to)
        emit(c, "REPLY_TO_FREEMAIL",
             arena_printf(a, "From %s, Reply-To %s", m->from.address ? m->from.address : "?",
                          m->reply_to[0].address ? m->reply_to[0].address : "?"));
    const char *junk = m->has_from ? display_name_junk(m->from.display_name) : NULL;
    if (junk)
        emit(c, "DISPLAY_NAME_JUNK",
             arena_printf(a, "display name \"%s\" holds %s", m->from.display_name, junk));
    if (s->display_name_other_address)
        emit(c, "DISPLAY_NAME_ADDRESS",
             arena_printf(a, "display name \"%s\", address %s",
                          m->from.display_name ? m->from.display_name : "",
                          m->from.address ? m->from.address : "?"));
}


static void brand_findings(ctx *c, const struct kensa_report *r)
{
    const brand_result *b = &r->brand;
    arena *a = c->a;
    if (!b->brand)
        return;
    /* a brand named only in a subject or body (news, reviews) needs a trick
     * beside it: a link elsewhere or a sender that fails authentication */
    const sender_result *s = &r->sender;
    int weak_claim = b->claimed_in && (strcmp(b->claimed_in, "subject") == 0 ||
                                       strcmp(b->claimed_in, "body") == 0);
    int spoofed = (s->has_dmarc && strcmp(s->dmarc.result, "fail") == 0) ||
                  (s->has_spf && (strcmp(s->spf.result, "fail") == 0 ||
                                  strcmp(s->spf.result, "softfail") == 0));
    /* a brand name spelled in look-alike letters (𝗡𝗲𝘁𝗳𝗹𝗶𝘅) is itself the trick */
    int obfuscated = 0;
    for (size_t i = 0; i < r->content.ntells; i++)
        if (strcmp(r->content.tells[i].kind, "lookalike_letters") == 0)
            obfuscated = 1;
    int asks = credential_lure(&r->content);
    if (b->impersonated && (!weak_claim || spoofed || obfuscated ||
                            (b->links_foreign > 0 && asks && !s->mailing_list)))
        emit(c, "BRAND_IMPERSONATION", b->evidence);
    if (b->display_mismatch)
        emit(c, "FROM_DISPLAY_BRAND_MISMATCH",
             arena_printf(a, "display name \"%s\" claims %s, address %s",
                          r->msg->from.display_name ? r->msg->from.display_name : "",
                          b->brand->name_ja, r->msg->from.address ? r->msg->from.address : "?"));
    const route_result *rt = &r->route;
    const rcv_hop *o = route_origin(rt);
    if (o && !b->from_is_official && rt->origin_provider_kind &&
        strcmp(rt->origin_provider_kind, "cloud") == 0)
        emit(c, "CLOUD_ORIGIN",
             arena_printf(a, "claims %s, sent from %s [%s] (%s%s%s)", b->brand->name_ja,
                          o->from_rdns ? o->from_rdns : o->from_helo ? o->from_helo : "?",
                          o->from_ip ? o->from_ip : "?",
                          rt->origin_provider ? rt->origin_provider : "cloud",
                          rt->origin_asn ? ", AS" : "",
                          rt->origin_asn ? arena_printf(a, "%u", rt->origin_asn) : ""));
}

static void link_findings(ctx *c, const struct kensa_report *r)
{
    arena *a = c->a;
    for (size_t i = 0; i < r->links.n; i++) {
        const link_t *l = &r->links.v[i];
        const link_facts *f = &r->link_facts[i];
        /* an ESP's click tracker shows the real domain by design: not a trick */
        if (l->mismatch && !(l->flags & LINK_TRACKER))
            emit(c, "LINK_TEXT_MISMATCH", links_mismatch_evidence(a, l));
        if (f->has_lookalike)
            emit(c, "LOOKALIKE_DOMAIN",
                 arena_printf(a, "%s imitates %s (%s)", l->defanged ? l->defanged : "?",
                              f->lookalike.brand ? f->lookalike.brand->name_ja : "?",
                              f->lookalike.evidence ? f->lookalike.evidence : f->lookalike.kind));
        if (f->tld_why && !(l->flags & (LINK_REDIRECTOR | LINK_TRACKER)))
            emit(c, "SUSPICIOUS_TLD",
                 arena_printf(a, "%s (.%s: %s)", l->defanged ? l->defanged : "?", l->tld,
                              f->tld_why));
        if (f->random_domain && f->random_score >= 3.0)
            emit(c, "RANDOM_DOMAIN",
                 arena_printf(a, "%s (score %.2f)", l->domain ? l->domain : "?", f->random_score));
        if (l->flags & LINK_SHORTENER)
            emit(c, "URL_SHORTENER", arena_strdup(a, l->defanged ? l->defanged : "?"));
        if (l->flags & (LINK_IP_HOST | LINK_NUMERIC_IP))
            emit(c, "IP_URL", arena_strdup(a, l->defanged ? l->defanged : "?"));
        if (l->flags & LINK_USERINFO)
            emit(c, "USERINFO_URL", arena_strdup(a, l->defanged ? l->defanged : "?"));
    }
    if (r->has_from_lookalike)
        emit(c, "LOOKALIKE_DOMAIN",
             arena_printf(a, "sender domain %s imitates %s (%s)", r->msg->from.domain,
                          r->from_lookalike.brand ? r->from_lookalike.brand->name_ja : "?",
                          r->from_lookalike.evidence ? r->from_lookalike.evidence
                                                     : r->from_lookalike.kind));
}

/* HTML mail with several links to other sites, sent as bulk without the
 * List-Unsubscribe header every legitimate bulk sender must give */
static void bulk_findings(ctx *c, const struct kensa_report *r)
{
    const sender_result *s = &r->sender;
    if (s->mailing_list || s->has_unsubscribe || !r->msg->html)
        return;
    const char *from_reg = NULL;
    arena *a = c->a;
    if (r->msg->has_from && r->msg->from.domain)
        from_reg = domain_registrable(a, r->msg->from.domain);
    size_t foreign = 0;
    const char *first = NULL;
    for (size_t i = 0; i < r->links.n; i++) {
        const link_t *l = &r->links.v[i];
        if (!l->domain || strcmp(l->source, "html") != 0 || (l->flags & LINK_DATA_URI) ||
            strncasecmp(l->url, "mailto:", 7) == 0)
            continue;
        if (from_reg && strcmp(l->domain, from_reg) == 0)
            continue;
        foreign++;
        if (!first)
            first = l->domain;
    }
    if (foreign >= 3)
        emit(c, "BULK_NO_UNSUBSCRIBE",
             arena_printf(a, "%zu links to other sites (e.g. %s), no List-Unsubscribe", foreign,
                          first));
}

/* The strongest lure of class cls (lures.tsv "@class") that counts, or NULL. */
static const content_lure_score *lure_of(const content_result *ct, const char *cls)
{
    for (size_t i = 0; i < ct->nlures; i++) /* best first */
        if (ct->lures[i].cls && strcmp(ct->lures[i].cls, cls) == 0 &&
            ct->lures[i].score >= CONTENT_LURE_MIN)
            return &ct->lures[i];
    return NULL;
}

/* The phishing theme of the mail: the best credential or theme lure (scam and
 * spam phrase families are judged apart, so they never hide it). */
static const content_lure_score *theme_lure(const content_result *ct)
{
    const content_lure_score *c = lure_of(ct, "credential"), *t = lure_of(ct, "theme");
    return c && (!t || c->score >= t->score) ? c : t;
}

static int credential_lure(const content_result *ct)
{
    const content_lure_score *l = theme_lure(ct);
    return l && strcmp(l->cls, "credential") == 0;
}

/* A display name no sender chooses: a long number ("[Itaucard Pontos -
 * 63600497739178]"), a random mixed-case ID, a tab or a run of dots before a
 * tag ("WinMetCenterParcs  .GQME", "Omaha..Steaks", "Kit # gJrgOp"), or
 * invisible characters between the letters ("X<U+E0139>finity") - the
 * per-message junk bulk kits add to dodge duplicate and brand filters. */
static const char *display_name_junk(const char *dn)
{
    if (!dn)
        return NULL;
    size_t digits = 0;
    for (const unsigned char *u = (const unsigned char *)dn; *u; u++)
        /* U+034F, U+200B..U+200D, U+2060, U+FEFF, tags and selectors U+E0000..U+E0FFF */
        if ((u[0] == 0xCD && u[1] == 0x8F) ||
            (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x8B && u[2] <= 0x8D) ||
            (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0xA0) ||
            (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) || (u[0] == 0xF3 && u[1] == 0xA0))
            return "invisible characters";
    /* small capitals (U+1D00..U+1DBF) or mathematical letters (U+1D400..U+1D7FF):
     * "ᴘᴀʏᴍᴇɴᴛ ᴅᴇᴄʟɪɴᴇᴅ" passes filters that look for "payment declined" */
    int look = 0;
    for (const unsigned char *u = (const unsigned char *)dn; *u; u++)
        look += (u[0] == 0xE1 && u[1] >= 0xB4 && u[1] <= 0xB6) ||
                (u[0] == 0xF0 && u[1] == 0x9D && u[2] >= 0x90 && u[2] <= 0x9F);
    if (look >= 2)
        return "look-alike letters";
    for (const char *p = dn; *p; p++) {
        digits = (*p >= '0' && *p <= '9') ? digits + 1 : 0;
        if (digits >= 8)
            return "a long number";
        if (*p == '\t' || (p[0] == '.' && p[1] == '.'))
            return p[0] == '\t' ? "a tab" : "a run of dots";
    }
    /* a tag after a space and a dot at the end: "WinMetCenterParcs  .GQME" */
    const char *e = dn + strlen(dn);
    while (e > dn && e[-1] == ' ')
        e--;
    const char *t = e;
    while (t > dn && ((t[-1] >= 'A' && t[-1] <= 'Z') || (t[-1] >= 'a' && t[-1] <= 'z') ||
                      (t[-1] >= '0' && t[-1] <= '9')))
        t--;
    if (e - t >= 3 && e - t <= 8 && t - dn >= 2 && t[-1] == '.' && t[-2] == ' ')
        return "a trailing tag";
    const char *h = strrchr(dn, '#');
    if (h) {
        const char *p = h + 1;
        while (*p == ' ')
            p++;
        size_t n = 0;
        while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z') ||
               (p[n] >= '0' && p[n] <= '9'))
            n++;
        while (p[n] == ' ')
            n++;
        if (n >= 3 && !p[n])
            return "a trailing # tag";
    }
    for (const char *p = dn; *p;) {
        const char *w = p;
        int up = 0, lo = 0, dg = 0;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
            up += *p >= 'A' && *p <= 'Z';
            lo += *p >= 'a' && *p <= 'z';
            dg += *p >= '0' && *p <= '9';
            p++;
        }
        if (p - w >= 8 && up && lo && dg)
            return "a random ID";
        if (p == w)
            p++;
    }
    return NULL;
}

static void content_findings(ctx *c, const struct kensa_report *r)
{
    arena *a = c->a;
    const content_result *ct = &r->content;
    for (size_t i = 0; i < ct->ntells; i++) {
        const mt_tell *t = &ct->tells[i];
        int mt = strcmp(t->kind, "typo") == 0 || strcmp(t->kind, "simplified_chinese") == 0 ||
                 strcmp(t->kind, "split_word") == 0 || strcmp(t->kind, "qmark_misconversion") == 0 ||
                 strcmp(t->kind, "width_mix") == 0;
        if (mt && !has(c->out, "JA_MT_TELL"))
            emit(c, "JA_MT_TELL",
                 arena_printf(a, "%s: \"%s\"%s%s%s", t->kind, t->text ? t->text : "",
                              t->suggestion ? " (→ " : "", t->suggestion ? t->suggestion : "",
                              t->suggestion ? ")" : ""));
        else if (!mt && !has(c->out, "OBFUSCATED_TEXT"))
            emit(c, "OBFUSCATED_TEXT",
                 arena_printf(a, "%s: \"%s\"", t->kind, t->text ? t->text : ""));
    }
    if (ct->deadline) {
        /* a deadline at most 30 days ahead of receipt (or receipt unknown) */
        int near = !ct->deadline_has_receipt ||
                   (ct->deadline_hours >= -24 && ct->deadline_hours <= 30 * 24);
        if (near) {
            char facts[128] = "";
            if (ct->deadline_has_receipt)
                snprintf(facts, sizeof facts, ", %.0f h after receipt", ct->deadline_hours);
            emit(c, "DEADLINE_PRESSURE",
                 arena_printf(a, "\"%s\" = %s%s%s%s%s", ct->deadline_text ? ct->deadline_text : "",
                              ct->deadline, facts, ct->deadline_weekend ? ", weekend" : "",
                              ct->deadline_month_end ? ", month-end" : "",
                              ct->deadline_off_hours ? ", outside support hours" : ""));
        }
    }
    const content_lure_score *th = theme_lure(ct);
    if (th)
        emit(c, strcmp(th->cls, "credential") == 0 ? "CREDENTIAL_LURE" : "LURE_THEME",
             arena_printf(a, "%s: %s", th->id, th->evidence ? th->evidence : ""));
    const content_lure_score *sc = lure_of(ct, "scam");
    if (sc)
        emit(c, "SCAM_LURE", arena_printf(a, "%s: %s", sc->id, sc->evidence ? sc->evidence : ""));
    const content_lure_score *sp = lure_of(ct, "spam");
    if (sp)
        emit(c, "SPAM_PHRASES",
             arena_printf(a, "%s: %s", sp->id, sp->evidence ? sp->evidence : ""));
    if (sp && sp->score >= c->rules->t_spam_phrases_many)
        emit(c, "SPAM_PHRASES_MANY",
             arena_printf(a, "%s: phrase score %.1f (at least %.1f)", sp->id, sp->score,
                          c->rules->t_spam_phrases_many));
    /* a short mail whose message is the attached document ("instructions in the
     * PDF", "senha: 123"): the lure sits where link checks cannot see it */
    const content_lure_score *at = lure_of(ct, "attachment");
    const char *txt = r->msg->text;
    size_t tl = 0;
    for (size_t i = 0; txt && txt[i] && tl <= VERDICT_SHORT_TEXT; i++)
        tl += !(txt[i] == ' ' || txt[i] == '\n' || txt[i] == '\r' || txt[i] == '\t' ||
                txt[i] == '_' || txt[i] == '-');
    if (at && ct->document && !r->sender.is_bounce && tl <= VERDICT_SHORT_TEXT)
        emit(c, "ATTACHMENT_LURE",
             arena_printf(a, "%s; %zu characters of text; %s", ct->document, tl,
                          at->evidence ? at->evidence : ""));
    if (ct->subject_random_token)
        emit(c, "SUBJECT_RANDOM_ID", arena_printf(a, "\"%s\" in the subject",
                                                  ct->subject_random_token));
    /* docomo.ne.jp is both a brand's own domain and a consumer mailbox */
    if (r->from_freemail && !r->brand.from_is_official &&
        (has(c->out, "BRAND_IMPERSONATION") || credential_lure(ct)))
        emit(c, "FREEMAIL_BRAND",
             arena_printf(a, "%s%s%s from %s", r->brand.brand ? "claims " : "",
                          r->brand.brand ? r->brand.brand->name_ja : "",
                          r->brand.brand ? "" : th ? th->id : "",
                          r->msg->from.address ? r->msg->from.address : "?"));
    /* a scam or an attached-document lure from a free mailbox: nobody's business */
    if (r->from_freemail && (has(c->out, "SCAM_LURE") || has(c->out, "ATTACHMENT_LURE")))
        emit(c, "FREEMAIL_SCAM",
             arena_printf(a, "%s from %s", sc ? sc->id : "attached document",
                          r->msg->from.address ? r->msg->from.address : "?"));
    for (size_t i = 0; i < ct->nattach; i++) {
        const attach_fact *f = &ct->attach[i];
        emit(c, "DANGEROUS_ATTACHMENT",
             arena_printf(a, "%s (%s%s%s)", f->name ? f->name : "?", f->kind, f->why ? ": " : "",
                          f->why ? f->why : ""));
        break;
    }
}

/* --online facts (src/online): kensa's own SPF/DKIM/DMARC where the receiving
 * server said nothing, lure domains registered < ONLINE_NEW_DOMAIN_DAYS before
 * receipt, blocklist hits (links and origin IP), and suspicious links that are live */
static void online_findings(ctx *c, const struct kensa_report *r)
{
    const online_result *o = r->online;
    arena *a = c->a;
    if (!o)
        return;
    const sender_result *s = &r->sender;
    if (!s->has_spf && o->has_spf &&
        (strcmp(o->spf.result, "fail") == 0 || strcmp(o->spf.result, "softfail") == 0))
        emit(c, "SPF_FAIL", arena_printf(a, "verified: spf=%s for %s from %s", o->spf.result,
                                         o->spf.domain ? o->spf.domain : "?",
                                         o->origin_ip ? o->origin_ip : "?"));
    if (!s->has_dmarc && o->has_dmarc && strcmp(o->dmarc.result, "fail") == 0)
        emit(c, "DMARC_FAIL", arena_printf(a, "verified: dmarc=fail for %s, policy %s",
                                           o->dmarc.domain ? o->dmarc.domain : "?",
                                           o->dmarc.policy ? o->dmarc.policy : "none"));
    for (size_t i = 0; !s->ndkim && i < o->ndkim; i++)
        if (strcmp(o->dkim[i].result, "fail") == 0) {
            emit(c, "DKIM_FAIL", arena_printf(a, "verified: dkim=fail d=%s (%s)",
                                              o->dkim[i].domain ? o->dkim[i].domain : "?",
                                              o->dkim[i].reason ? o->dkim[i].reason : "?"));
            break;
        }
    for (size_t i = 0; i < o->nlinks && i < r->links.n; i++) {
        const online_link *ol = &o->links[i];
        const link_t *l = &r->links.v[i];
        const link_facts *f = &r->link_facts[i];
        if (!ol->checked)
            continue;
        if (ol->has_age && ol->age_days >= 0 && ol->age_days < ONLINE_NEW_DOMAIN_DAYS)
            emit(c, "NEW_DOMAIN",
                 arena_printf(a, "%s registered %s, %ld days before receipt (%s)",
                              l->domain ? l->domain : "?", ol->registered, ol->age_days,
                              ol->reg_source ? ol->reg_source : "?"));
        if (ol->nbl)
            emit(c, "BLOCKLISTED",
                 arena_printf(a, "%s: %s%s", l->defanged ? l->defanged : "?", ol->blocklists[0],
                              ol->nbl > 1 ? " (and more)" : ""));
        int suspicious = l->mismatch || ol->nbl || f->has_lookalike || f->tld_why ||
                         f->random_domain ||
                         (ol->has_age && ol->age_days < ONLINE_NEW_DOMAIN_DAYS);
        if (ol->live == 1 && suspicious)
            emit(c, "SITE_LIVE",
                 arena_printf(a, "%s answers HTTP %d%s%s", l->defanged ? l->defanged : "?",
                              ol->status, ol->final_url ? " at " : "",
                              ol->final_url ? links_defang_url(a, ol->final_url) : ""));
    }
    if (o->norigin_bl)
        emit(c, "BLOCKLISTED", arena_printf(a, "origin %s: %s", o->origin_ip ? o->origin_ip : "?",
                                            o->origin_bl[0]));
}

int verdict_run(arena *a, const verdict_rules *rules, const struct kensa_report *r,
                verdict_result *out)
{
    memset(out, 0, sizeof *out);
    ctx c = {.a = a, .rules = rules, .out = out};
    sender_findings(&c, r);
    brand_findings(&c, r);
    /* a bounce quotes somebody else's mail: its links and bulk traits are not
     * this sender's doing */
    if (!r->sender.is_bounce)
        link_findings(&c, r);
    content_findings(&c, r);
    if (!r->sender.is_bounce)
        bulk_findings(&c, r);
    online_findings(&c, r);
    qsort(out->v, out->n, sizeof out->v[0], cmp_finding);

    int lure = has(out, "BRAND_IMPERSONATION") || has(out, "CREDENTIAL_LURE") ||
               has(out, "DANGEROUS_ATTACHMENT");
    int deceptive = has(out, "LINK_TEXT_MISMATCH") || has(out, "LOOKALIKE_DOMAIN") ||
                    has(out, "FROM_DISPLAY_BRAND_MISMATCH") || has(out, "SPF_FAIL") ||
                    has(out, "DMARC_FAIL") || has(out, "DISPLAY_NAME_ADDRESS");
    if (out->score >= rules->t_phishing && lure && deceptive) {
        out->label = "phishing";
        out->why = "lure plus deceptive delivery, score at or above the phishing threshold";
    } else if (out->score >= rules->t_spam) {
        out->label = "spam";
        out->why = "score at or above the spam threshold";
    } else if (out->score >= rules->t_suspicious) {
        out->label = "suspicious";
        out->why = "score at or above the suspicious threshold";
    } else {
        out->label = "clean";
        out->why = "score below the suspicious threshold";
    }
    return 0;
}
