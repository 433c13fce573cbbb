/*
 * human.c - builds the analyst's report once (see human.h): the nine sections
 * of the seed analysts' reports, in Japanese or English, from facts only.
 *
 * Nothing here guesses: a fact a stage did not establish is shown as unknown,
 * and facts that need --online say "not checked (offline)". Mail-derived text
 * is hostile: every string goes through clean() (valid UTF-8, no control
 * characters, bidi overrides shown as <U+202E>) and text that may carry a lure
 * through defang() (URL schemes and the dots of every lure host). The words of
 * the report (headings, labels, recommended actions) are tables in this file;
 * the words of findings come from data/rules.tsv via the verdict stage.
 */
#include "human.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../intel/ipintel.h"
#include "../util/ascii.h"
#include "../util/kbuf.h"
#include "report.h"

#define L(d, j, e) ((d)->ja ? (j) : (e))

/* ---------------------------------------------------------------- model */

static void *grow_array(hm_doc *d, void *v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return v;
    size_t nc = *cap ? *cap * 2 : 8;
    void *nv = arena_alloc(d->a, nc * elem);
    if (!nv) {
        d->failed = 1;
        return NULL;
    }
    if (v && n)
        memcpy(nv, v, n * elem);
    *cap = nc;
    return nv;
}

static hm_block *blk(hm_doc *d, hm_kind k)
{
    hm_block *v = grow_array(d, d->v, &d->cap, d->n, sizeof *d->v);
    if (!v)
        return NULL;
    d->v = v;
    hm_block *b = &d->v[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = k;
    return b;
}

static hm_inline *item(hm_doc *d, hm_block *b)
{
    if (!b)
        return NULL;
    hm_inline *v = grow_array(d, b->items, &b->capitems, b->nitems, sizeof *b->items);
    if (!v)
        return NULL;
    b->items = v;
    hm_inline *in = &b->items[b->nitems++];
    memset(in, 0, sizeof *in);
    return in;
}

static int is_bidi(unsigned long cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

/* Decode one UTF-8 sequence; invalid -> 0xFFFD consuming one byte. */
static unsigned long u8(const unsigned char *s, size_t *adv)
{
    unsigned c = s[0];
    *adv = 1;
    if (c < 0x80)
        return c;
    int need;
    unsigned long cp, min;
    if ((c & 0xE0) == 0xC0) {
        need = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return 0xFFFD;
    }
    for (int k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *adv = (size_t)need + 1;
    return cp;
}

/* Valid UTF-8 without control characters; newlines kept when keep_nl (else a
 * space); bidi controls and other controls shown as <U+XXXX>. */
static char *clean(hm_doc *d, const char *s, int keep_nl)
{
    if (!s)
        return NULL;
    kbuf b;
    kbuf_init(&b, HM_MAX_OUTPUT);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t adv;
        unsigned long cp = u8(p, &adv);
        if (cp == '\n')
            kbuf_addc(&b, keep_nl ? '\n' : ' ');
        else if (cp == '\t')
            kbuf_adds(&b, keep_nl ? "    " : " ");
        else if (cp == '\r')
            ;
        else if (cp == 0x2028 || cp == 0x2029)
            kbuf_addc(&b, keep_nl ? '\n' : ' ');
        else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || is_bidi(cp))
            kbuf_printf(&b, "<U+%04lX>", cp);
        else
            kbuf_add_utf8(&b, cp);
        p += adv;
    }
    char *out = kbuf_take_arena(&b, d->a);
    kbuf_free(&b);
    if (!out)
        d->failed = 1;
    return out;
}

static void span(hm_doc *d, hm_inline *in, hm_style st, const char *s)
{
    if (!in || !s)
        return;
    char *c = clean(d, s, 0);
    if (!c)
        return;
    hm_span *v = grow_array(d, in->v, &in->cap, in->n, sizeof *in->v);
    if (!v)
        return;
    in->v = v;
    in->v[in->n].text = c;
    in->v[in->n].style = st;
    in->n++;
}

static void spanf(hm_doc *d, hm_inline *in, hm_style st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void spanf(hm_doc *d, hm_inline *in, hm_style st, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    span(d, in, st, buf);
}

static hm_block *heading(hm_doc *d, int level, const char *id, const char *text)
{
    hm_block *b = blk(d, HB_HEADING);
    if (b) {
        b->level = level;
        b->id = id;
        span(d, &b->text, HS_PLAIN, text);
    }
    return b;
}

static hm_inline *para(hm_doc *d, hm_kind k)
{
    hm_block *b = blk(d, k);
    return b ? &b->text : NULL;
}

/* one label/value row; returns the value to fill */
static hm_inline *kv(hm_doc *d, hm_block *t, const char *label)
{
    hm_inline *l = item(d, t);
    span(d, l, HS_PLAIN, label);
    return item(d, t);
}

static void kv_s(hm_doc *d, hm_block *t, const char *label, hm_style st, const char *v)
{
    hm_inline *in = kv(d, t, label);
    if (v && *v)
        span(d, in, st, v);
    else
        span(d, in, HS_MUTED, L(d, "なし", "none"));
}

/* ------------------------------------------------------------ defanging */

enum { LURE_HOSTS_MAX = 2 * HM_MAX_LINKS * 2 };

/* The hosts to defang, in link order, without repeats; chained by their
 * first byte (ASCII lowered, as strncasecmp compares it) so that a position
 * in the text is compared only with the hosts that can start there: a
 * long text with many links was compared with every host at every word. */
typedef struct {
    const char *host[LURE_HOSTS_MAX];
    size_t len[LURE_HOSTS_MAX];
    short next[LURE_HOSTS_MAX]; /* next host with the same first byte, or -1 */
    short first[256];           /* first host starting with that byte, or -1 */
    size_t n;
} lure_hosts;

static int host_official(const brand_result *br, const char *host)
{
    if (!br->brand || !host)
        return 0;
    size_t hl = strlen(host);
    for (size_t i = 0; i < br->brand->ndomains; i++) {
        const char *o = br->brand->official_domains[i];
        size_t ol = strlen(o);
        if (hl == ol && strcasecmp(host, o) == 0)
            return 1;
        if (hl > ol && host[hl - ol - 1] == '.' && strcasecmp(host + hl - ol, o) == 0)
            return 1;
    }
    return 0;
}

/* hosts and registrable domains of links not under the claimed brand's domains */
static void collect_lure_hosts(const struct kensa_report *r, lure_hosts *h)
{
    h->n = 0;
    memset(h->first, -1, sizeof h->first);
    short last[256];
    for (size_t i = 0; i < r->links.n && h->n + 4 <= LURE_HOSTS_MAX; i++) {
        const link_t *l = &r->links.v[i];
        const char *c[] = {l->host, l->domain, l->host_unicode};
        for (size_t k = 0; k < 3; k++) {
            if (!c[k] || !strchr(c[k], '.') || host_official(&r->brand, c[k]))
                continue;
            unsigned char f = (unsigned char)ascii_lower((unsigned char)c[k][0]);
            size_t len = strlen(c[k]);
            /* a repeat can never be the first match: skip it */
            int seen = 0;
            for (short j = h->first[f]; j >= 0 && !seen; j = h->next[j])
                seen = h->len[j] == len && strcasecmp(h->host[j], c[k]) == 0;
            if (seen)
                continue;
            short me = (short)h->n++;
            h->host[me] = c[k];
            h->len[me] = len;
            h->next[me] = -1;
            if (h->first[f] < 0)
                h->first[f] = me;
            else
                h->next[last[f]] = me;
            last[f] = me;
        }
    }
}

static int host_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c >= 0x80;
}

/* URL schemes and link hosts defanged (hxxps://, evil[.]top): at a word
 * start, the first host in link order that the text continues with. */
static char *defang(hm_doc *d, const struct kensa_report *r, const lure_hosts *h, const char *s)
{
    if (!s)
        return NULL;
    const char *t = links_defang_text(d->a, &r->links, s);
    if (!t)
        t = s;
    kbuf b;
    kbuf_init(&b, HM_MAX_OUTPUT);
    size_t n = strlen(t);
    for (size_t i = 0; i < n;) {
        size_t hit = 0;
        if (i == 0 || (!host_char((unsigned char)t[i - 1]) && t[i - 1] != '.'))
            for (short k = h->first[ascii_lower((unsigned char)t[i])]; k >= 0 && !hit;
                 k = h->next[k]) {
                size_t hl = h->len[k];
                if (hl <= n - i && strncasecmp(t + i, h->host[k], hl) == 0 &&
                    !host_char((unsigned char)t[i + hl]))
                    hit = hl;
            }
        if (hit) {
            for (size_t k = 0; k < hit; k++) {
                if (t[i + k] == '.')
                    kbuf_adds(&b, "[.]");
                else
                    kbuf_addc(&b, t[i + k]);
            }
            i += hit;
        } else {
            kbuf_addc(&b, t[i]);
            i++;
        }
    }
    char *out = kbuf_take_arena(&b, d->a);
    kbuf_free(&b);
    return out ? out : (d->failed = 1, (char *)NULL);
}

/* every dot of a host name as [.] */
static char *dots(hm_doc *d, const char *s)
{
    kbuf b;
    kbuf_init(&b, 4 * strlen(s) + 16);
    for (; *s; s++)
        if (*s == '.')
            kbuf_adds(&b, "[.]");
        else
            kbuf_addc(&b, *s);
    char *out = kbuf_take_arena(&b, d->a);
    kbuf_free(&b);
    return out;
}

/* ---------------------------------------------------------------- words */

static const char *label_name(const hm_doc *d, const char *label)
{
    static const struct {
        const char *id, *ja, *en;
    } names[] = {{"phishing", "フィッシング", "phishing"},
                 {"spam", "スパム", "spam"},
                 {"suspicious", "要注意", "suspicious"},
                 {"clean", "問題なし", "clean"}};
    for (size_t i = 0; label && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(label, names[i].id) == 0)
            return d->ja ? names[i].ja : names[i].en;
    return label ? label : "?";
}

static hm_style label_style(const char *label)
{
    if (!label)
        return HS_STRONG;
    if (strcmp(label, "phishing") == 0)
        return HS_BAD;
    if (strcmp(label, "clean") == 0)
        return HS_GOOD;
    return HS_WARN;
}

static int sev_rank(const char *s)
{
    static const char *const order[] = {"info", "low", "medium", "high"};
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, order[i]) == 0)
            return i;
    return 0;
}

static const char *sev_name(const hm_doc *d, const char *s)
{
    static const char *const ja[] = {"情報", "低", "中", "高"};
    static const char *const en[] = {"info", "low", "medium", "high"};
    int k = sev_rank(s);
    return d->ja ? ja[k] : en[k];
}

static hm_style sev_style(const char *s)
{
    int k = sev_rank(s);
    return k == 3 ? HS_BAD : k == 2 ? HS_WARN : HS_STRONG;
}

static const char *unchecked(const hm_doc *d)
{
    return L(d, "未調査 (offline)", "not checked (offline)");
}

static const char *unknown(const hm_doc *d)
{
    return L(d, "不明", "unknown");
}

/* summary as one sentence: add the full stop the rules' wording omits */
static char *sentence(hm_doc *d, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (d->ja)
        return (n >= 3 && strcmp(s + n - 3, "。") == 0) ? arena_strdup(d->a, s)
                                                        : arena_printf(d->a, "%s。", s);
    return (n && s[n - 1] == '.') ? arena_strdup(d->a, s) : arena_printf(d->a, "%s.", s);
}

/* findings strongest first: severity, then score, then the verdict's order */
static size_t order_findings(const verdict_result *v, size_t *idx)
{
    size_t n = v->n;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = 1; i < n; i++) {
        size_t x = idx[i], j = i;
        const finding *fx = &v->v[x];
        while (j > 0) {
            const finding *fy = &v->v[idx[j - 1]];
            int sx = sev_rank(fx->severity), sy = sev_rank(fy->severity);
            if (sx < sy || (sx == sy && fx->score <= fy->score))
                break;
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = x;
    }
    return n;
}

static const finding *find_id(const verdict_result *v, const char *id)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i].id, id) == 0)
            return &v->v[i];
    return NULL;
}

/* "2026-01-26T09:12:33+09:00" -> date and time in the offset it was written with */
typedef struct {
    int ok, y, mo, da, h, mi, s, wd;
    char off[8];
} iso_parts;

static iso_parts iso_split(const char *iso)
{
    iso_parts p;
    memset(&p, 0, sizeof p);
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &p.y, &p.mo, &p.da, &p.h, &p.mi, &p.s) != 6)
        return p;
    const char *z = iso + 19;
    while (*z == '.' || (*z >= '0' && *z <= '9'))
        z++;
    if (*z == 'Z')
        snprintf(p.off, sizeof p.off, "+00:00");
    else if ((*z == '+' || *z == '-') && strlen(z) >= 6)
        snprintf(p.off, sizeof p.off, "%.6s", z);
    else
        return p;
    /* weekday from days since 1970-01-01 (a Thursday), H. Hinnant's days_from_civil */
    long long y = p.y - (p.mo <= 2);
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (p.mo + (p.mo > 2 ? -3 : 9)) + 2) / 5 + p.da - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    p.wd = (int)(((days % 7) + 11) % 7); /* 0 = Sunday */
    p.ok = 1;
    return p;
}

static char *fmt_date(hm_doc *d, const iso_parts *p)
{
    static const char *const wja[] = {"日", "月", "火", "水", "木", "金", "土"};
    static const char *const wen[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    if (d->ja)
        return arena_printf(d->a, "%d年%d月%d日(%s)", p->y, p->mo, p->da, wja[p->wd]);
    return arena_printf(d->a, "%04d-%02d-%02d (%s)", p->y, p->mo, p->da, wen[p->wd]);
}

static char *fmt_time(hm_doc *d, const iso_parts *p)
{
    return arena_printf(d->a, "%02d:%02d:%02d (UTC%s)", p->h, p->mi, p->s, p->off);
}

static const char *country(const hm_doc *d, const char *cc)
{
    if (!cc || !*cc)
        return NULL;
    const char *name = intel_country_name(cc, d->lang);
    return name ? arena_printf(d->a, "%s (%s)", name, cc) : cc;
}

/* "AS396982 Google LLC — Google Cloud (cloud)" */
static char *hosting(hm_doc *d, unsigned asn, const char *org, const char *prov,
                     const char *kind)
{
    kbuf b;
    kbuf_init(&b, 4096);
    if (asn)
        kbuf_printf(&b, "AS%u", asn);
    if (org)
        kbuf_printf(&b, "%s%s", b.len ? " " : "", org);
    if (prov) {
        kbuf_printf(&b, "%s%s", b.len ? " — " : "", prov);
        if (kind)
            kbuf_printf(&b, " (%s)", kind);
    }
    char *s = b.len ? kbuf_take_arena(&b, d->a) : NULL;
    kbuf_free(&b);
    return s;
}

/* "表示は open.monex.co.jp、実際は www[.]evil[.]top" (hosts defanged by the caller) */
static char *mismatch_words(hm_doc *d, const link_t *l)
{
    const char *to = l->host ? l->host : "?";
    if (l->unwrapped) {
        const char *p = strstr(l->unwrapped, "://");
        if (p) {
            p += 3;
            size_t n = strcspn(p, "/?#:");
            to = arena_strndup(d->a, p, n);
        }
    }
    return arena_printf(d->a, L(d, "表示は %s、実際は %s", "shows %s, goes to %s"),
                        l->text_host ? l->text_host : "?", to);
}

/* ------------------------------------------------------------- sections */

typedef struct {
    hm_doc *d;
    const struct kensa_report *r;
    lure_hosts hosts;
    size_t order[VERDICT_MAX_FINDINGS];
    size_t nfind;
    int shows_asn;
} ctx;

static char *mail(ctx *c, const char *s)
{
    return defang(c->d, c->r, &c->hosts, s);
}

static const char *brand_name(ctx *c)
{
    const brand_info *b = c->r->brand.brand;
    if (!b)
        return NULL;
    return c->d->ja ? (b->name_ja ? b->name_ja : b->name_en) : (b->name_en ? b->name_en
                                                                         : b->name_ja);
}

static void sec_summary(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    heading(d, 2, "summary", L(d, "概要", "Summary"));
    hm_inline *p = para(d, HB_PARA);
    span(d, p, HS_PLAIN, L(d, "判定: ", "Verdict: "));
    span(d, p, label_style(r->verdict.label), label_name(d, r->verdict.label));
    spanf(d, p, HS_PLAIN, L(d, "（スコア %.1f）", " (score %.1f)"), r->verdict.score);
    if (r->brand.brand && r->brand.impersonated) {
        p = para(d, HB_PARA);
        span(d, p, HS_PLAIN, L(d, "なりすまし対象: ", "Impersonated brand: "));
        span(d, p, HS_STRONG, brand_name(c));
    }
    if (c->nfind == 0) {
        span(d, para(d, HB_PARA), HS_PLAIN,
             L(d, "危険を示す所見はありません。", "No finding points to a threat."));
        return;
    }
    span(d, para(d, HB_PARA), HS_PLAIN, L(d, "主な根拠:", "Main reasons:"));
    hm_block *l = blk(d, HB_OLIST);
    for (size_t i = 0; i < c->nfind && i < 3; i++) {
        const finding *f = &r->verdict.v[c->order[i]];
        span(d, item(d, l), HS_PLAIN, sentence(d, d->ja ? f->summary_ja : f->summary_en));
    }
}

static void sec_subject(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    const km_message *m = r->msg;
    const sender_result *s = &r->sender;
    heading(d, 2, "subject", L(d, "件名", "Subject"));
    hm_inline *p = para(d, HB_PARA);
    if (m->subject)
        span(d, p, HS_STRONG, mail(c, m->subject));
    else
        span(d, p, HS_MUTED, L(d, "（件名なし）", "(no subject)"));
    heading(d, 3, "subject-why", L(d, "件名の解析", "Why it was tagged"));
    if (m->subject_tag) {
        p = para(d, HB_PARA);
        span(d, p, HS_PLAIN, L(d, "件名の先頭の ", "The tag "));
        span(d, p, HS_CODE, m->subject_tag);
        span(d, p, HS_PLAIN,
             L(d, " は、受信サーバーのフィルターが付けたタグです。",
               " at the start of the subject was added by the receiving server's filter."));
    }
    hm_block *l = blk(d, HB_LIST);
    for (size_t i = 0; i < s->ntag_reasons; i++)
        span(d, item(d, l), HS_PLAIN, mail(c, d->ja ? s->tag_reasons[i].ja : s->tag_reasons[i].en));
    int flag_said = 0;
    for (size_t i = 0; i < s->ntag_reasons; i++)
        if (s->tag_reasons[i].en && strstr(s->tag_reasons[i].en, "X-Spam-Flag"))
            flag_said = 1;
    if (s->spam_flag == 1 && !flag_said)
        span(d, item(d, l), HS_PLAIN,
             L(d, "X-Spam-Flag: YES（受信サーバーがスパムと判定）",
               "X-Spam-Flag: YES (the receiving server flagged it as spam)"));
    if (s->has_sa_score)
        spanf(d, item(d, l), HS_PLAIN, "SpamAssassin: %.1f / %.1f", s->sa_score, s->sa_required);
    if (s->has_rspamd)
        spanf(d, item(d, l), HS_PLAIN, "rspamd: %.1f / %.1f", s->rspamd_score,
              s->rspamd_required);
    if (s->ms_scl > -2)
        spanf(d, item(d, l), HS_PLAIN, "Microsoft SCL: %d", s->ms_scl);
    if (l && l->nitems == 0 && !m->subject_tag)
        span(d, item(d, l), HS_MUTED,
             L(d, "受信サーバーによるタグ付けや認証失敗の記録はありません。",
               "The receiving server recorded no tag and no authentication failure."));
    if (s->authserv_id) {
        p = para(d, HB_NOTE);
        span(d, p, HS_PLAIN, L(d, "認証結果の出典: ", "Authentication results from: "));
        span(d, p, HS_CODE, s->authserv_id);
    }
}

static char *addr_list(hm_doc *d, const km_addr *v, size_t n)
{
    kbuf b;
    kbuf_init(&b, 64 * 1024);
    for (size_t i = 0; i < n && i < 20; i++) {
        if (!v[i].address)
            continue;
        kbuf_printf(&b, "%s%s", b.len ? ", " : "", v[i].address);
    }
    char *s = b.len ? kbuf_take_arena(&b, d->a) : NULL;
    kbuf_free(&b);
    return s;
}

static void sec_sender(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    const km_message *m = r->msg;
    heading(d, 2, "sender", L(d, "送信者・受信日時", "Sender and receipt"));
    hm_block *t = blk(d, HB_KV);
    kv_s(d, t, L(d, "表示名", "Display name"), HS_PLAIN,
         m->has_from ? mail(c, m->from.display_name) : NULL);
    /* an address at a lure domain is defanged like the lure */
    kv_s(d, t, L(d, "メールアドレス", "Address"), HS_CODE,
         m->has_from ? mail(c, m->from.address) : NULL);
    kv_s(d, t, "Return-Path", HS_CODE, mail(c, m->return_path));
    kv_s(d, t, "Reply-To", HS_CODE, mail(c, addr_list(d, m->reply_to, m->nreply_to)));
    kv_s(d, t, L(d, "宛先", "To"), HS_CODE, mail(c, addr_list(d, m->to, m->nto)));
    kv_s(d, t, L(d, "送信日時 (Date)", "Sent (Date)"), HS_PLAIN, m->date);
    iso_parts p = iso_split(m->received_at);
    if (p.ok) {
        kv_s(d, t, L(d, "受信日", "Received on"), HS_PLAIN, fmt_date(d, &p));
        kv_s(d, t, L(d, "受信時刻", "Received at"), HS_PLAIN, fmt_time(d, &p));
    } else {
        kv_s(d, t, L(d, "受信日", "Received on"), HS_PLAIN, NULL);
        kv_s(d, t, L(d, "受信時刻", "Received at"), HS_PLAIN, NULL);
    }
    kv_s(d, t, "Message-ID", HS_CODE, mail(c, m->message_id));
    if (r->sender.nidentity) {
        heading(d, 3, "sender-identity", L(d, "差出人の整合性", "Sender identity"));
        hm_block *l = blk(d, HB_LIST);
        for (size_t i = 0; i < r->sender.nidentity; i++)
            span(d, item(d, l), HS_PLAIN,
                 mail(c, d->ja ? r->sender.identity[i].ja : r->sender.identity[i].en));
    }
}

static void sec_body(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    heading(d, 2, "body", L(d, "本文", "Body"));
    const char *text = r->text_defanged ? r->text_defanged : r->msg->text;
    if (!text || !*text) {
        span(d, para(d, HB_PARA), HS_MUTED, L(d, "（本文なし）", "(no body text)"));
        return;
    }
    span(d, para(d, HB_NOTE), HS_PLAIN,
         L(d, "本文中のリンクは無効化しています（http → hxxp、. → [.]）。開かないでください。",
           "Links in the body are disabled (http → hxxp, . → [.]). Do not open them."));
    size_t n = strlen(text);
    int cut = 0;
    char *t;
    if (n > HM_MAX_BODY) {
        size_t k = HM_MAX_BODY;
        while (k && ((unsigned char)text[k] & 0xC0) == 0x80)
            k--;
        t = arena_strndup(d->a, text, k);
        cut = 1;
    } else {
        t = (char *)text;
    }
    hm_block *b = blk(d, HB_PRE);
    char *def = mail(c, t);
    char *cl = clean(d, def, 1);
    if (b && cl) {
        hm_span *v = arena_alloc(d->a, sizeof *v);
        if (v) {
            /* trailing newlines make no difference to a reader */
            size_t cn = strlen(cl);
            while (cn && cl[cn - 1] == '\n')
                cl[--cn] = '\0';
            v->text = cl;
            v->style = HS_PLAIN;
            b->text.v = v;
            b->text.n = b->text.cap = 1;
        }
    }
    if (cut)
        spanf(d, para(d, HB_NOTE), HS_PLAIN,
              L(d, "（本文が長いため、先頭 %zu バイトのみ表示しています）",
                "(the body is long: only its first %zu bytes are shown)"),
              strlen(t));
}

static void sec_flags(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    heading(d, 2, "red-flags", L(d, "危険なポイント", "Red flags"));
    if (c->nfind == 0) {
        span(d, para(d, HB_PARA), HS_PLAIN,
             L(d, "危険を示す所見は見つかりませんでした。", "No red flag was found."));
        return;
    }
    hm_block *l = blk(d, HB_OLIST);
    for (size_t i = 0; i < c->nfind; i++) {
        const finding *f = &r->verdict.v[c->order[i]];
        hm_inline *in = item(d, l);
        spanf(d, in, sev_style(f->severity), "[%s]", sev_name(d, f->severity));
        span(d, in, HS_PLAIN, " ");
        span(d, in, HS_PLAIN, sentence(d, d->ja ? f->summary_ja : f->summary_en));
        if (f->evidence && *f->evidence) {
            span(d, in, HS_PLAIN, L(d, " 根拠: ", " Evidence: "));
            span(d, in, HS_CODE, mail(c, f->evidence));
        }
        spanf(d, in, HS_MUTED, " (+%.1f %s)", f->score, f->id);
    }
}

/* ------------------------------------------------- recommended actions */

enum {
    A_THREAT = 1,     /* phishing or suspicious */
    A_SPAM = 2,
    A_CLEAN = 4,
    A_LINKS = 8,      /* the mail has links */
    A_CRED = 16,      /* brand impersonation or a credential lure */
    A_ATTACH = 32,    /* a dangerous attachment */
    A_PHONES = 64,    /* phone numbers in the mail */
    A_BRAND = 128,    /* a brand is impersonated: contact it */
};

/* Shown in this order when every bit of `all` is set. {brand} = the brand's
 * name, {contact} = its phone from data/brands.tsv or "the desk on its site". */
static const struct {
    unsigned all;
    const char *ja, *en;
} actions[] = {
    {A_THREAT, "このメールは削除してください。返信もしないでください。",
     "Delete this mail and do not reply to it."},
    {A_SPAM, "迷惑メールとして削除してください。", "Delete it as spam."},
    {A_THREAT | A_LINKS, "メール内のリンクは開かないでください。",
     "Do not open the links in this mail."},
    {A_SPAM | A_LINKS, "メール内のリンクは開かないでください。",
     "Do not open the links in this mail."},
    {A_ATTACH, "添付ファイルは開かないでください。", "Do not open the attachments."},
    {A_PHONES | A_THREAT, "メールに書かれた電話番号には電話しないでください。",
     "Do not call the phone numbers written in the mail."},
    {A_CRED | A_THREAT,
     "リンク先で ID・パスワードなどを入力してしまった場合は、ブックマークや公式アプリから"
     "公式サイトを開き、すぐにパスワードを変更してください。",
     "If you entered your ID or password on the linked page, open the official site from a "
     "bookmark or the official app and change your password at once."},
    {A_BRAND | A_THREAT,
     "不審な取引や心当たりのない操作があれば、{brand}の{contact}に連絡してください"
     "（メールに書かれた連絡先は使わないでください）。",
     "If you see unknown transactions or activity, contact {brand} at {contact} (not at any "
     "address or number given in the mail)."},
    {A_CLEAN, "特に対応は必要ありません。心当たりのない依頼には引き続き注意してください。",
     "No action is needed. Stay careful with requests you did not expect."},
};

static char *subst(hm_doc *d, const char *tmpl, const char *brand, const char *contact)
{
    kbuf b;
    kbuf_init(&b, 8192);
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{brand}", 7) == 0) {
            kbuf_adds(&b, brand ? brand : "");
            p += 7;
        } else if (strncmp(p, "{contact}", 9) == 0) {
            kbuf_adds(&b, contact ? contact : "");
            p += 9;
        } else {
            kbuf_addc(&b, *p++);
        }
    }
    char *s = kbuf_take_arena(&b, d->a);
    kbuf_free(&b);
    return s;
}

static void sec_actions(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    const char *lb = r->verdict.label ? r->verdict.label : "clean";
    unsigned have = 0;
    if (strcmp(lb, "phishing") == 0 || strcmp(lb, "suspicious") == 0)
        have |= A_THREAT;
    else if (strcmp(lb, "spam") == 0)
        have |= A_SPAM;
    else
        have |= A_CLEAN;
    if (r->links.n)
        have |= A_LINKS;
    if ((r->brand.brand && r->brand.impersonated) || find_id(&r->verdict, "CREDENTIAL_LURE"))
        have |= A_CRED;
    if (r->brand.brand && r->brand.impersonated)
        have |= A_BRAND;
    if (r->content.nattach || find_id(&r->verdict, "DANGEROUS_ATTACHMENT"))
        have |= A_ATTACH;
    if (r->content.nphones)
        have |= A_PHONES;
    const brand_info *bi = r->brand.brand;
    const char *contact;
    if (bi && bi->phone && *bi->phone)
        contact = arena_printf(d->a, L(d, "公式窓口（%s）", "its official number (%s)"), bi->phone);
    else
        contact = L(d, "公式サイトに記載の窓口", "the contact desk listed on its official site");
    heading(d, 2, "actions", L(d, "推奨される対応", "What to do"));
    hm_block *l = blk(d, HB_LIST);
    const char *prev = NULL;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if ((actions[i].all & have) != actions[i].all)
            continue;
        const char *t = d->ja ? actions[i].ja : actions[i].en;
        if (prev && strcmp(prev, t) == 0)
            continue;
        prev = t;
        span(d, item(d, l), HS_PLAIN, subst(d, t, brand_name(c), contact));
    }
}

/* ---------------------------------------------------------- route */

/* "from HELO (RDNS [IP]) by BY with PROTO id ID; TIME" when the raw line is missing */
static char *hop_line(hm_doc *d, const rcv_hop *h)
{
    kbuf b;
    kbuf_init(&b, 8192);
    kbuf_printf(&b, "from %s", h->from_helo ? h->from_helo : "?");
    if (h->from_rdns && h->from_ip)
        kbuf_printf(&b, " (%s [%s])", h->from_rdns, h->from_ip);
    else if (h->from_ip)
        kbuf_printf(&b, " ([%s])", h->from_ip);
    if (h->by)
        kbuf_printf(&b, " by %s", h->by);
    if (h->protocol)
        kbuf_printf(&b, " with %s", h->protocol);
    if (h->id)
        kbuf_printf(&b, " id %s", h->id);
    if (h->time_iso)
        kbuf_printf(&b, "; %s", h->time_iso);
    char *s = kbuf_take_arena(&b, d->a);
    kbuf_free(&b);
    return s;
}

static void sec_route(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    const route_result *rt = &r->route;
    heading(d, 2, "received", L(d, "Received（メールのヘッダー情報）", "Received (mail headers)"));
    const rcv_hop *o = route_origin(rt);
    if (!o) {
        span(d, para(d, HB_PARA), HS_MUTED,
             L(d, "送信元のホップを特定できませんでした（Received ヘッダーがありません）。",
               "The origin hop could not be found (no Received header)."));
    } else {
        span(d, para(d, HB_PARA), HS_PLAIN,
             L(d, "受信サイトの外から最初に受け取ったホップ（送信元）:",
               "The first hop from outside the receiving site (the origin):"));
        const km_header *hdrs[ROUTE_MAX_HOPS + 1];
        size_t nh = mime_headers_named(r->msg, "Received", hdrs, ROUTE_MAX_HOPS + 1);
        const char *line = NULL;
        if (rt->origin >= 0 && (size_t)rt->origin < nh)
            line = mail(c, hdrs[rt->origin]->raw);
        hm_block *t = blk(d, HB_KV);
        kv_s(d, t, L(d, "Received 行", "Received line"), HS_CODE,
             line ? line : hop_line(d, o));
        kv_s(d, t, L(d, "ドメイン (HELO)", "Domain (HELO)"), HS_CODE, mail(c, o->from_helo));
        kv_s(d, t, "IP", HS_CODE, o->from_ip);
        kv_s(d, t, L(d, "逆引き (rDNS)", "Reverse DNS"), HS_CODE, mail(c, o->from_rdns));
        char *hs = hosting(d, rt->origin_asn, rt->origin_as_org, rt->origin_provider,
                           rt->origin_provider_kind);
        hm_inline *v = kv(d, t, L(d, "ホスティング会社", "Hosting company"));
        span(d, v, hs ? HS_PLAIN : HS_MUTED, hs ? hs : unknown(d));
        if (rt->origin_rdns_claim)
            spanf(d, v, HS_WARN,
                  L(d, "（逆引きは %s を名乗るが AS と一致しない）",
                    " (the rDNS names %s, the AS does not)"),
                  rt->origin_rdns_claim);
        const char *cn = country(d, rt->origin_country);
        kv_s(d, t, L(d, "国", "Country"), HS_PLAIN, cn ? cn : unknown(d));
        if (rt->origin_asn || rt->origin_country)
            c->shows_asn = 1;
    }
    if (rt->nhops == 0)
        return;
    hm_block *det = blk(d, HB_DETAILS);
    if (det)
        spanf(d, &det->text, HS_PLAIN, L(d, "全ホップ（%zu 件、受信者に近い順）",
                                         "All hops (%zu, nearest the recipient first)"),
              rt->nhops);
    hm_block *t = blk(d, HB_TABLE);
    if (t) {
        t->ncols = 7;
        const char *hdr_ja[] = {"#", "送信元 (HELO)", "逆引き", "IP", "受信サーバー", "日時",
                                "遅延"};
        const char *hdr_en[] = {"#", "From (HELO)", "Reverse DNS", "IP", "By", "Time",
                                "Delay"};
        for (int k = 0; k < 7; k++)
            span(d, item(d, t), HS_PLAIN, d->ja ? hdr_ja[k] : hdr_en[k]);
    }
    for (size_t i = 0; i < rt->nhops; i++) {
        const route_hop *h = &rt->hops[i];
        hm_inline *in = item(d, t);
        spanf(d, in, HS_PLAIN, "%zu", i);
        if ((int)i == rt->origin)
            span(d, in, HS_STRONG, L(d, " 送信元", " origin"));
        else if (h->internal)
            span(d, in, HS_MUTED, L(d, " 内部", " internal"));
        const char *cells[] = {h->hop.from_helo, h->hop.from_rdns, h->hop.from_ip, h->hop.by,
                               h->hop.time_iso};
        for (int k = 0; k < 5; k++) {
            in = item(d, t);
            if (cells[k])
                span(d, in, k == 4 ? HS_PLAIN : HS_CODE, mail(c, cells[k]));
            else
                span(d, in, HS_MUTED, "-");
        }
        in = item(d, t);
        if (h->has_delay)
            spanf(d, in, h->delay_s < 0 || h->delay_s > 3600 ? HS_WARN : HS_PLAIN,
                  L(d, "%lld 秒", "%lld s"), h->delay_s);
        else
            span(d, in, HS_MUTED, "-");
    }
    if (rt->dropped)
        spanf(d, para(d, HB_NOTE), HS_PLAIN,
              L(d, "ほかに %zu 件の Received ヘッダーは上限を超えたため省略しました。",
                "%zu more Received headers were over the limit and left out."),
              rt->dropped);
    blk(d, HB_END);
}

/* ---------------------------------------------------------- links */

/* the facts --online would add, said to be unknown (and why) */
static void link_offline(ctx *c, hm_block *t, const link_t *l, const link_facts *f)
{
    hm_doc *d = c->d;
    const char *why = c->r->online
                          ? L(d, "未調査（調査対象外のリンク）", "not checked (not looked up)")
                          : unchecked(d);
    int iphost = (l->flags & LINK_IP_HOST) != 0;
    hm_inline *v = kv(d, t, "IP");
    span(d, v, iphost ? HS_CODE : HS_MUTED, iphost ? l->host : why);
    char *hs = f ? hosting(d, f->asn, f->as_org, f->provider, f->provider_kind) : NULL;
    v = kv(d, t, L(d, "ホスティング", "Hosting"));
    span(d, v, hs ? HS_PLAIN : HS_MUTED, hs ? hs : why);
    const char *cn = f ? country(d, f->country) : NULL;
    v = kv(d, t, L(d, "国", "Country"));
    span(d, v, cn ? HS_PLAIN : HS_MUTED, cn ? cn : why);
    if (hs || cn)
        c->shows_asn = 1;
    const char *rows[][2] = {{"登録日", "Registered"}, {"登録からの日数", "Age at receipt"},
                             {"ブロックリスト", "Blocklists"}, {"稼働状況", "Live"},
                             {"スクリーンショット", "Screenshot"}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        span(d, kv(d, t, d->ja ? rows[k][0] : rows[k][1]), HS_MUTED, why);
}

/* a PNG file as a data: URI (bounded), or NULL */
static char *png_data_uri(hm_doc *d, const char *path)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    FILE *fp = path ? fopen(path, "rb") : NULL;
    if (!fp)
        return NULL;
    kbuf b;
    kbuf_init(&b, HM_MAX_IMAGE * 4 / 3 + 64);
    kbuf_adds(&b, "data:image/png;base64,");
    unsigned char in[3];
    size_t n, total = 0;
    int ok = 1;
    unsigned char sig[8];
    if (fread(sig, 1, 8, fp) != 8 || memcmp(sig, "\x89PNG\r\n\x1a\n", 8) != 0)
        ok = 0;
    else
        rewind(fp);
    while (ok && (n = fread(in, 1, 3, fp)) > 0) {
        total += n;
        if (total > HM_MAX_IMAGE) {
            ok = 0;
            break;
        }
        char o[4] = {b64[in[0] >> 2], b64[((in[0] & 3) << 4) | (n > 1 ? in[1] >> 4 : 0)],
                     n > 1 ? b64[((in[1] & 15) << 2) | (n > 2 ? in[2] >> 6 : 0)] : '=',
                     n > 2 ? b64[in[2] & 63] : '='};
        if (kbuf_add(&b, o, 4) != KBUF_OK)
            ok = 0;
        if (n < 3)
            break;
    }
    fclose(fp);
    char *s = ok && total ? kbuf_take_arena(&b, d->a) : NULL;
    kbuf_free(&b);
    return s;
}

/* what --online found about one link */
static void link_online(ctx *c, hm_block *t, const link_t *l, const online_link *ol)
{
    hm_doc *d = c->d;
    (void)l;
    hm_inline *v = kv(d, t, "IP");
    if (ol->ip)
        span(d, v, HS_CODE, ol->ip);
    else
        span(d, v, HS_MUTED, L(d, "名前解決できず", "does not resolve"));
    char *hs = hosting(d, ol->asn, ol->as_org, ol->provider, NULL);
    kv_s(d, t, L(d, "ホスティング", "Hosting"), HS_PLAIN, hs ? hs : unknown(d));
    const char *cn = country(d, ol->country);
    kv_s(d, t, L(d, "国", "Country"), HS_PLAIN, cn ? cn : unknown(d));
    if (hs || cn)
        c->shows_asn = 1;
    v = kv(d, t, L(d, "登録日", "Registered"));
    if (ol->registered) {
        span(d, v, HS_PLAIN, ol->registered);
        if (ol->reg_source)
            spanf(d, v, HS_MUTED, " (%s)", ol->reg_source);
    } else {
        span(d, v, HS_MUTED, unknown(d));
    }
    v = kv(d, t, L(d, "登録からの日数", "Age at receipt"));
    if (ol->has_age)
        spanf(d, v, ol->age_days < ONLINE_NEW_DOMAIN_DAYS ? HS_BAD : HS_PLAIN,
              L(d, "%ld 日", "%ld days"), ol->age_days);
    else
        span(d, v, HS_MUTED, unknown(d));
    v = kv(d, t, L(d, "ブロックリスト", "Blocklists"));
    for (size_t k = 0; k < ol->nbl; k++)
        span(d, v, HS_BAD, arena_printf(d->a, "%s%s", k ? "; " : "", ol->blocklists[k]));
    if (!ol->nbl)
        span(d, v, HS_PLAIN, L(d, "該当なし", "not listed"));
    v = kv(d, t, L(d, "稼働状況", "Live"));
    if (ol->live == 1)
        spanf(d, v, HS_BAD, L(d, "稼働中 (HTTP %d)", "live (HTTP %d)"), ol->status);
    else if (ol->live == 0)
        span(d, v, HS_PLAIN, L(d, "応答なし", "not answering"));
    else
        span(d, v, HS_MUTED, unknown(d));
    if (ol->final_url)
        kv_s(d, t, L(d, "最終 URL", "Final URL"), HS_CODE, links_defang_url(d->a, ol->final_url));
    char *uri = png_data_uri(d, ol->screenshot);
    v = kv(d, t, L(d, "スクリーンショット", "Screenshot"));
    span(d, v, uri ? HS_PLAIN : HS_MUTED,
         uri ? L(d, "下に表示", "below") : ol->screenshot_error ? ol->screenshot_error
                                                               : L(d, "なし", "none"));
    if (uri) {
        hm_block *im = blk(d, HB_IMAGE);
        if (im) {
            im->data = uri;
            span(d, &im->text, HS_PLAIN,
                 L(d, "リンク先のスクリーンショット", "Screenshot of the page"));
        }
    }
}

static void sec_links(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    heading(d, 2, "links", L(d, "リンク先", "Links"));
    if (r->links.n == 0) {
        span(d, para(d, HB_PARA), HS_MUTED,
             L(d, "リンクはありません。", "The mail has no links."));
        return;
    }
    for (size_t i = 0; i < r->links.n && i < HM_MAX_LINKS; i++) {
        const link_t *l = &r->links.v[i];
        const link_facts *f = r->link_facts ? &r->link_facts[i] : NULL;
        char *h = arena_printf(d->a, L(d, "リンク %zu", "Link %zu"), i + 1);
        heading(d, 3, arena_printf(d->a, "link-%zu", i + 1), h);
        hm_block *t = blk(d, HB_KV);
        hm_inline *v = kv(d, t, L(d, "表示テキスト", "Visible text"));
        if (l->text && *l->text)
            span(d, v, HS_CODE, mail(c, l->text));
        else
            span(d, v, HS_MUTED, L(d, "（URL がそのまま書かれています）", "(the URL itself)"));
        kv_s(d, t, L(d, "実際のリンク先", "Real target"), HS_CODE, l->defanged);
        v = kv(d, t, L(d, "ドメイン", "Domain"));
        const char *dom = l->domain ? l->domain : l->host;
        span(d, v, HS_CODE, dom ? dots(d, dom) : "-");
        if (l->mismatch) {
            v = kv(d, t, L(d, "表示との不一致", "Text mismatch"));
            span(d, v, HS_BAD, L(d, "あり", "yes"));
            span(d, v, HS_PLAIN, d->ja ? "（" : " (");
            span(d, v, HS_PLAIN, mail(c, mismatch_words(d, l)));
            span(d, v, HS_PLAIN, d->ja ? "）" : ")");
        }
        if (f && f->has_lookalike && f->lookalike.brand)
            kv_s(d, t, L(d, "似せたドメイン", "Lookalike"), HS_WARN,
                 arena_printf(d->a, "%s (%s: %s)", f->lookalike.brand->id, f->lookalike.kind,
                              f->lookalike.evidence ? mail(c, f->lookalike.evidence) : ""));
        if (f && f->tld_why)
            kv_s(d, t, L(d, "TLD", "TLD"), HS_WARN,
                 arena_printf(d->a, ".%s — %s", l->tld ? l->tld : "?", f->tld_why));
        if (l->unwrapped)
            kv_s(d, t, L(d, "転送先 (リダイレクタ内)", "Wrapped target"), HS_CODE,
                 links_defang_url(d->a, l->unwrapped));
        const online_link *ol = NULL;
        if (r->online && i < r->online->nlinks && r->online->links[i].checked)
            ol = &r->online->links[i];
        if (ol)
            link_online(c, t, l, ol);
        else
            link_offline(c, t, l, f);
    }
    if (r->links.n > HM_MAX_LINKS || r->links.dropped)
        spanf(d, para(d, HB_NOTE), HS_PLAIN,
              L(d, "ほかに %zu 件のリンクは省略しました。", "%zu more links are not shown."),
              r->links.n - (r->links.n > HM_MAX_LINKS ? HM_MAX_LINKS : r->links.n) +
                  r->links.dropped);
}

/* ------------------------------------------------------- conclusion */

static void sec_conclusion(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    const char *lb = r->verdict.label ? r->verdict.label : "clean";
    heading(d, 2, "conclusion", L(d, "まとめ", "Conclusion"));
    kbuf b;
    kbuf_init(&b, 64 * 1024);
    const char *bn = r->brand.brand && r->brand.impersonated ? brand_name(c) : NULL;
    if (d->ja) {
        if (bn)
            kbuf_printf(&b, "%sを名乗るこのメールは", bn);
        else
            kbuf_adds(&b, "このメールは");
        kbuf_printf(&b, "「%s」と判定しました（スコア %.1f）。", label_name(d, lb),
                    r->verdict.score);
    } else {
        if (bn)
            kbuf_printf(&b, "This mail, which claims to come from %s, ", bn);
        else
            kbuf_adds(&b, "This mail ");
        kbuf_printf(&b, "was judged %s (score %.1f).", label_name(d, lb), r->verdict.score);
    }
    const finding *spf = find_id(&r->verdict, "SPF_FAIL"), *dm = find_id(&r->verdict, "DMARC_FAIL");
    const km_message *m = r->msg;
    if ((spf || dm) && m->has_from && m->from.domain) {
        if (d->ja)
            kbuf_printf(&b, "差出人のドメイン %s の送信ドメイン認証（%s%s%s）に失敗しており、"
                            "差出人は偽装されています。",
                        m->from.domain, spf ? "SPF" : "", spf && dm ? "・" : "", dm ? "DMARC" : "");
        else
            kbuf_printf(&b, " Sender authentication (%s%s%s) failed for the From domain %s: the "
                            "sender is forged.",
                        spf ? "SPF" : "", spf && dm ? ", " : "", dm ? "DMARC" : "", m->from.domain);
    }
    if (find_id(&r->verdict, "FROM_DISPLAY_BRAND_MISMATCH") && m->has_from && m->from.address) {
        if (d->ja)
            kbuf_printf(&b, "表示名はブランド名ですが、実際のアドレスは %s です。",
                        m->from.address);
        else
            kbuf_printf(&b, " The display name is the brand's, the real address is %s.",
                        m->from.address);
    }
    const route_result *rt = &r->route;
    if (find_id(&r->verdict, "CLOUD_ORIGIN") && route_origin(rt)) {
        const char *cn = country(d, rt->origin_country);
        const char *prov = rt->origin_provider ? rt->origin_provider : rt->origin_as_org;
        if (d->ja)
            kbuf_printf(&b, "送信元は %s のサーバー（%s%s%s）です。", prov ? prov : "クラウド",
                        route_origin(rt)->from_ip ? route_origin(rt)->from_ip : "?",
                        cn ? "、" : "", cn ? cn : "");
        else
            kbuf_printf(&b, " It was sent from a %s server (%s%s%s).", prov ? prov : "cloud",
                        route_origin(rt)->from_ip ? route_origin(rt)->from_ip : "?",
                        cn ? ", " : "", cn ? cn : "");
    }
    for (size_t i = 0; i < r->links.n; i++) {
        const link_t *l = &r->links.v[i];
        if (!l->mismatch)
            continue;
        char *ev = mismatch_words(d, l);
        if (d->ja)
            kbuf_printf(&b, "リンクは表示と異なる宛先に誘導します（%s）。", ev ? ev : "");
        else
            kbuf_printf(&b, " A link leads somewhere other than it shows (%s).", ev ? ev : "");
        break;
    }
    if (r->content.deadline_text && find_id(&r->verdict, "DEADLINE_PRESSURE")) {
        if (d->ja)
            kbuf_printf(&b, "「%s」と期限を示して急がせています。", r->content.deadline_text);
        else
            kbuf_printf(&b, " It sets a deadline (\"%s\") to rush the reader.",
                        r->content.deadline_text);
    }
    if (find_id(&r->verdict, "JA_MT_TELL") && r->content.ntells) {
        const mt_tell *t = &r->content.tells[0];
        if (d->ja)
            kbuf_printf(&b, "本文には機械翻訳に特有の誤りがあります（「%s」%s%s%s）。", t->text,
                        t->suggestion ? "、正しくは「" : "", t->suggestion ? t->suggestion : "",
                        t->suggestion ? "」" : "");
        else
            kbuf_printf(&b, " The text has machine-translation errors (\"%s\"%s%s%s).", t->text,
                        t->suggestion ? ", meant \"" : "", t->suggestion ? t->suggestion : "",
                        t->suggestion ? "\"" : "");
    }
    if (strcmp(lb, "phishing") == 0 || strcmp(lb, "suspicious") == 0)
        kbuf_adds(&b, L(d, "リンクは開かず、メールを削除してください。",
                        " Do not open its links; delete it."));
    else if (strcmp(lb, "spam") == 0)
        kbuf_adds(&b, L(d, "迷惑メールとして削除してください。", " Delete it as spam."));
    else
        kbuf_adds(&b, L(d, "危険を示す所見は見つかりませんでした。",
                        " Nothing in it points to a threat."));
    char *s = kbuf_take_arena(&b, d->a);
    kbuf_free(&b);
    span(d, para(d, HB_PARA), HS_PLAIN, mail(c, s));
}

static void sec_footer(ctx *c)
{
    hm_doc *d = c->d;
    const struct kensa_report *r = c->r;
    hm_inline *p = para(d, HB_NOTE);
    span(d, p, HS_PLAIN, L(d, "解析対象: ", "Analyzed: "));
    span(d, p, HS_CODE, r->path ? r->path : "(stdin)");
    spanf(d, p, HS_PLAIN, " (%zu %s, SHA-256 ", r->size, L(d, "バイト", "bytes"));
    span(d, p, HS_CODE, r->sha256);
    if (r->online)
        span(d, p, HS_PLAIN, L(d, ")。kensa による自動解析（オンライン調査あり）。",
                               "). Automatic analysis by kensa (with online lookups)."));
    else
        span(d, p, HS_PLAIN, L(d, ")。kensa による自動解析（オフライン）。",
                               "). Automatic analysis by kensa (offline)."));
    if (c->shows_asn && r->ip_attribution && *r->ip_attribution) {
        p = para(d, HB_NOTE);
        span(d, p, HS_PLAIN, r->ip_attribution);
    }
}

hm_doc *hm_build(const struct kensa_report *r, const char *lang)
{
    arena *a = arena_new((size_t)256 << 20);
    if (!a)
        return NULL;
    hm_doc *d = arena_alloc(a, sizeof *d);
    ctx *c = arena_alloc(a, sizeof *c);
    if (!d || !c) {
        arena_free(a);
        return NULL;
    }
    d->a = a;
    d->ja = !lang || strcmp(lang, "en") != 0;
    d->lang = d->ja ? "ja" : "en";
    d->label = r->verdict.label ? r->verdict.label : "clean";
    c->d = d;
    c->r = r;
    collect_lure_hosts(r, &c->hosts);
    c->nfind = order_findings(&r->verdict, c->order);

    const char *subj = r->msg->subject ? mail(c, r->msg->subject) : NULL;
    d->subject = subj ? clean(d, subj, 0) : NULL;
    d->title = clean(d, arena_printf(a, "%s: %s", L(d, "kensa 解析レポート", "kensa report"),
                                     subj ? subj : L(d, "（件名なし）", "(no subject)")),
                     0);
    hm_block *t = blk(d, HB_TITLE);
    if (t)
        span(d, &t->text, HS_PLAIN, L(d, "メール解析レポート", "Mail analysis report"));
    sec_summary(c);
    sec_subject(c);
    sec_sender(c);
    sec_body(c);
    sec_flags(c);
    sec_actions(c);
    sec_route(c);
    sec_links(c);
    sec_conclusion(c);
    sec_footer(c);
    if (d->failed) {
        arena_free(a);
        return NULL;
    }
    return d;
}

void hm_free(hm_doc *d)
{
    if (d)
        arena_free(d->a);
}

/* East Asian Wide/Fullwidth ranges (enough for Japanese text) */
static int wide(unsigned long cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
           (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t hm_width(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        size_t adv;
        unsigned long cp = u8(p, &adv);
        w += wide(cp) ? 2 : 1;
        p += adv;
    }
    return w;
}
