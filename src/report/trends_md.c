/*
 * trends_md.c - `kensa trends --format md`, the generated paragraph and the
 * display names shared with trends_html.c.
 *
 * The paragraph is built from the model's numbers only, in the style of the
 * seed reports ("今週は特にマネックス証券やSBI証券を装ったフィッシングが多く…").
 * Everything taken from mail (brand names come from data, but subjects,
 * domains, provider names do not) is sanitized - control and bidi characters
 * shown as <U+XXXX> - and Markdown-escaped; subjects were defanged at ingest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/trends.h"
#include "../util/kbuf.h"
#include "trends_out.h"

#define MD_MAX ((size_t)4 << 20) /* bytes of one trends document */

/* Lure themes of data/lures.tsv as readers call them (presentation wording);
 * every @class there that can become content.lure (credential, theme, scam,
 * attachment) needs a line here, or trends show the bare id. */
static const struct {
    const char *id, *ja, *en;
} lure_names[] = {
    {"advance_fee", "前払い金・遺産詐欺", "advance-fee scam"},
    {"attachment", "添付ファイルを開かせる", "open-the-attachment"},
    {"callback", "電話をかけさせる詐欺", "call-back scam"},
    {"crypto", "暗号資産の配布・投資", "crypto giveaway"},
    {"delivery", "不在・配送", "parcel delivery"},
    {"mfa", "多要素認証", "multi-factor authentication"},
    {"payment", "支払い情報の更新", "payment update"},
    {"points", "ポイント", "reward points"},
    {"prize", "当選・特典", "prize"},
    {"suspension", "利用停止", "account suspension"},
    {"tax", "税金・還付", "tax"},
    {"verify", "本人確認", "identity verification"},
};

const char *trends_lure_name(const char *id, const char *lang)
{
    int en = lang && strcmp(lang, "en") == 0;
    for (size_t i = 0; id && i < sizeof lure_names / sizeof lure_names[0]; i++)
        if (strcmp(lure_names[i].id, id) == 0)
            return en ? lure_names[i].en : lure_names[i].ja;
    return id ? id : "?";
}

int trends_lang_en(const char *lang)
{
    return lang && strcmp(lang, "en") == 0;
}

const char *trends_brand_name(const trend_item *it, const char *lang)
{
    if (trends_lang_en(lang) && it->name_en && *it->name_en)
        return it->name_en;
    if (it->name && *it->name)
        return it->name;
    return it->id ? it->id : "?";
}

/* Append s with C0/C1 controls, DEL and bidi/zero-width characters made
 * visible as <U+XXXX>; invalid UTF-8 bytes become U+FFFD. */
void trends_add_visible(kbuf *b, const char *s, void (*put)(kbuf *, const char *, size_t))
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned long cp;
        size_t n;
        if (p[0] < 0x80) {
            cp = p[0];
            n = 1;
        } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            cp = (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
            n = 2;
        } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            cp = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
            n = 3;
        } else if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
                   (p[3] & 0xC0) == 0x80) {
            cp = (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 |
                 (p[3] & 0x3Fu);
            n = 4;
        } else {
            kbuf_adds(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
            (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
            (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF) {
            kbuf_printf(b, "<U+%04lX>", cp);
        } else {
            put(b, (const char *)p, n);
        }
        p += n;
    }
}

static void md_put(kbuf *b, const char *s, size_t n)
{
    if (n == 1 && strchr("\\`*_[]<>|~", s[0]))
        kbuf_addc(b, '\\');
    kbuf_add(b, s, n);
}

static void md(kbuf *b, const char *s)
{
    trends_add_visible(b, s, md_put);
}

static void plain_put(kbuf *b, const char *s, size_t n)
{
    kbuf_add(b, s, n);
}

/* text from the store inside the paragraph: visible, not yet escaped */
static void plain(kbuf *b, const char *s)
{
    trends_add_visible(b, s, plain_put);
}

char *trends_defang_domain(const char *d)
{
    kbuf b;
    kbuf_init(&b, 4096);
    for (const char *p = d ? d : ""; *p; p++)
        if (*p == '.')
            kbuf_adds(&b, "[.]");
        else
            kbuf_addc(&b, *p);
    char *s = strdup(kbuf_str(&b));
    kbuf_free(&b);
    return s;
}

/* ---- the paragraph ---- */
static long long pct(long long a, long long b)
{
    return b > 0 ? (a * 100 + b / 2) / b : 0;
}

static void para_ja(kbuf *b, const trends_model *m)
{
    const char *when = m->week ? "今週" : "この期間";
    if (m->total == 0) {
        kbuf_printf(b, "%sに保存された解析結果はありません。", when);
        return;
    }
    size_t nb = m->brands.n < 3 ? m->brands.n : 3;
    /* name the brands that stand out: at least a third of the leader's count */
    while (nb > 1 && m->brands.v[nb - 1].count * 3 < m->brands.v[0].count)
        nb--;
    if (nb > 0) {
        long long k = 0;
        kbuf_printf(b, "%sは特に", when);
        for (size_t i = 0; i < nb; i++) {
            kbuf_printf(b, "%s%s", i == 0 ? "" : i + 1 == nb ? "や" : "、",
                        trends_brand_name(&m->brands.v[i], "ja"));
            k += m->brands.v[i].count;
        }
        kbuf_printf(b, "を装ったフィッシングが多く、"
                       "ブランドを騙るメール%lld件のうち%lld件(%lld%%)を占めました。",
                    m->impersonated, k, pct(k, m->impersonated));
        const trend_item *t = &m->brands.v[0];
        if (!m->all && t->previous > 0 && t->count != t->previous)
            kbuf_printf(b, "%sは前の期間の%lld件から%lld件に%sしています。",
                        trends_brand_name(t, "ja"), t->previous, t->count,
                        t->count > t->previous ? "増加" : "減少");
        else if (!m->all && m->history && t->previous == 0)
            kbuf_printf(b, "%sは前の期間には見られませんでした。", trends_brand_name(t, "ja"));
    } else {
        kbuf_printf(b, "%sはブランドを騙るメールは見つかりませんでした。", when);
    }
    kbuf_printf(b, "解析した%lld件の内訳は、フィッシング%lld件、スパム%lld件、要注意%lld件、"
                   "問題なし%lld件です。",
                m->total, m->verdicts[TV_PHISHING], m->verdicts[TV_SPAM],
                m->verdicts[TV_SUSPICIOUS], m->verdicts[TV_CLEAN]);
    if (m->lures.n > 0) {
        kbuf_adds(b, "口実は");
        for (size_t i = 0; i < m->lures.n && i < 2; i++)
            kbuf_printf(b, "「%s」", trends_lure_name(m->lures.v[i].id, "ja"));
        kbuf_printf(b, "が中心で(%lld件", m->lures.v[0].count);
        if (m->lures.n > 1)
            kbuf_printf(b, "・%lld件", m->lures.v[1].count);
        kbuf_adds(b, ")、");
    }
    if (m->dl_with > 0) {
        int we = pct(m->dl_weekend, m->dl_with) >= 30, me = pct(m->dl_month_end, m->dl_with) >= 30;
        if (we || me)
            kbuf_printf(b, "期限を%s%s%sに設定する手口が目立ちます", we ? "週末" : "",
                        we && me ? "や" : "", me ? "月末" : "");
        else
            kbuf_adds(b, "期限を切って急がせる手口が見られます");
        kbuf_printf(b, "(期限あり%lld件のうち週末%lld件・月末%lld件・72時間以内%lld件)。",
                    m->dl_with, m->dl_weekend, m->dl_month_end, m->dl_72h);
    } else if (m->lures.n > 0) {
        kbuf_adds(b, "期限を示すものはありませんでした。");
    }
    if (m->providers.n > 0) {
        const trend_item *p = &m->providers.v[0];
        kbuf_adds(b, "送信元は");
        plain(b, p->id ? p->id : "?");
        if (p->asn)
            kbuf_printf(b, "(AS%lld)", p->asn);
        kbuf_printf(b, "が最も多く%lld件", p->count);
        if (m->countries.n > 0) {
            kbuf_adds(b, "、国別では");
            plain(b, m->countries.v[0].id);
            kbuf_printf(b, "が%lld件で最多", m->countries.v[0].count);
        }
        kbuf_adds(b, "でした。");
    }
    if (m->new_brands.n > 0) {
        kbuf_adds(b, "新たに");
        for (size_t i = 0; i < m->new_brands.n && i < 3; i++)
            kbuf_printf(b, "%s%s", i ? "・" : "", trends_brand_name(&m->new_brands.v[i], "ja"));
        kbuf_adds(b, "を装うメールが現れました。");
    }
}

static void para_en(kbuf *b, const trends_model *m)
{
    const char *when = m->week ? "This week" : "In this period";
    if (m->total == 0) {
        kbuf_printf(b, "%s no analyses were stored.", when);
        return;
    }
    size_t nb = m->brands.n < 3 ? m->brands.n : 3;
    while (nb > 1 && m->brands.v[nb - 1].count * 3 < m->brands.v[0].count)
        nb--;
    if (nb > 0) {
        long long k = 0;
        kbuf_printf(b, "%s phishing impersonating ", when);
        for (size_t i = 0; i < nb; i++) {
            kbuf_printf(b, "%s%s", i == 0 ? "" : i + 1 == nb ? " and " : ", ",
                        trends_brand_name(&m->brands.v[i], "en"));
            k += m->brands.v[i].count;
        }
        kbuf_printf(b, " stood out: %lld of the %lld brand impersonations (%lld%%).", k,
                    m->impersonated, pct(k, m->impersonated));
        const trend_item *t = &m->brands.v[0];
        if (!m->all && t->previous > 0 && t->count != t->previous)
            kbuf_printf(b, " %s %s from %lld to %lld compared with the previous period.",
                        trends_brand_name(t, "en"), t->count > t->previous ? "rose" : "fell",
                        t->previous, t->count);
        else if (!m->all && m->history && t->previous == 0)
            kbuf_printf(b, " %s was not seen in the previous period.", trends_brand_name(t, "en"));
    } else {
        kbuf_printf(b, "%s no brand impersonation was found.", when);
    }
    kbuf_printf(b, " Of %lld analyses, %lld were phishing, %lld spam, %lld suspicious and %lld "
                   "clean.",
                m->total, m->verdicts[TV_PHISHING], m->verdicts[TV_SPAM],
                m->verdicts[TV_SUSPICIOUS], m->verdicts[TV_CLEAN]);
    if (m->lures.n > 0) {
        kbuf_printf(b, " The main lures were %s (%lld)", trends_lure_name(m->lures.v[0].id, "en"),
                    m->lures.v[0].count);
        if (m->lures.n > 1)
            kbuf_printf(b, " and %s (%lld)", trends_lure_name(m->lures.v[1].id, "en"),
                        m->lures.v[1].count);
        kbuf_adds(b, ".");
    }
    if (m->dl_with > 0) {
        int we = pct(m->dl_weekend, m->dl_with) >= 30, me = pct(m->dl_month_end, m->dl_with) >= 30;
        if (we || me)
            kbuf_printf(b, " Deadlines were often set on %s%s%s", we ? "weekends" : "",
                        we && me ? " and " : "", me ? "month-ends" : "");
        else
            kbuf_adds(b, " Deadlines pressed the reader");
        kbuf_printf(b, " (%lld with a deadline: %lld on a weekend, %lld at month-end, %lld within "
                       "72 hours).",
                    m->dl_with, m->dl_weekend, m->dl_month_end, m->dl_72h);
    }
    if (m->providers.n > 0) {
        const trend_item *p = &m->providers.v[0];
        kbuf_adds(b, " Most was sent from ");
        plain(b, p->id ? p->id : "?");
        if (p->asn)
            kbuf_printf(b, " (AS%lld)", p->asn);
        kbuf_printf(b, ", %lld message%s", p->count, p->count == 1 ? "" : "s");
        if (m->countries.n > 0) {
            kbuf_adds(b, "; by country, ");
            plain(b, m->countries.v[0].id);
            kbuf_printf(b, " led with %lld", m->countries.v[0].count);
        }
        kbuf_adds(b, ".");
    }
    if (m->new_brands.n > 0) {
        kbuf_adds(b, " New this period: impersonation of ");
        for (size_t i = 0; i < m->new_brands.n && i < 3; i++)
            kbuf_printf(b, "%s%s", i ? ", " : "", trends_brand_name(&m->new_brands.v[i], "en"));
        kbuf_adds(b, ".");
    }
}

char *trends_paragraph(const trends_model *m, const char *lang)
{
    kbuf b;
    kbuf_init(&b, 64 * 1024);
    if (trends_lang_en(lang))
        para_en(&b, m);
    else
        para_ja(&b, m);
    char *s = strdup(kbuf_str(&b));
    kbuf_free(&b);
    return s;
}

/* ---- Markdown ---- */
const char *trends_title(const trends_model *m, const char *lang, int level)
{
    int en = trends_lang_en(lang);
    if (level == 1)
        return en ? "Recent spam trends" : "最近のスパム動向";
    if (m->week)
        return en ? "This week's spam trends" : "今週のスパム傾向";
    return en ? "Spam trends for the period" : "期間のスパム傾向";
}

const char *trends_heading(int which, const char *lang)
{
    static const char *const ja[] = {"判定", "なりすまされたブランド", "件名の例", "口実(ルアー)",
                                     "送信元の事業者・AS", "送信元の国", "ルアーリンクのTLD",
                                     "ルアーリンクのドメイン", "ドメインの登録からの日数",
                                     "期限の設定", "初めて現れたブランド・口実"};
    static const char *const en[] = {"Verdicts", "Impersonated brands", "Example subjects",
                                     "Lures", "Origin providers and ASNs", "Origin countries",
                                     "Lure link TLDs", "Lure link domains", "Domain ages",
                                     "Deadlines", "New brands and lures"};
    if (which < 0 || which >= TH_N)
        return "";
    return trends_lang_en(lang) ? en[which] : ja[which];
}

const char *trends_verdict_name(int v, const char *lang)
{
    static const char *const ja[TV_N] = {"フィッシング", "スパム", "要注意", "問題なし"};
    static const char *const en[TV_N] = {"Phishing", "Spam", "Suspicious", "Clean"};
    return trends_lang_en(lang) ? en[v] : ja[v];
}

void trends_change(char out[32], const trends_model *m, const trend_item *it, const char *lang)
{
    if (m->all)
        snprintf(out, 32, "-");
    else if (it->previous == 0)
        snprintf(out, 32, "%s", trends_lang_en(lang) ? "new" : "新規");
    else
        snprintf(out, 32, it->count == it->previous ? "±0" : "%+lld",
                 it->count - it->previous);
}

static void md_list(kbuf *b, const trend_list *l, const char *col, const char *lang)
{
    kbuf_printf(b, "| %s | %s |\n|---|---:|\n", col, trends_lang_en(lang) ? "Count" : "件数");
    for (size_t i = 0; i < l->n; i++) {
        kbuf_adds(b, "| ");
        md(b, l->v[i].id);
        kbuf_printf(b, " | %lld |\n", l->v[i].count);
    }
}

char *trends_md(const trends_model *m, const char *lang)
{
    int en = trends_lang_en(lang);
    kbuf b;
    kbuf_init(&b, MD_MAX);
    kbuf_printf(&b, "# %s\n\n## %s", trends_title(m, lang, 1), trends_title(m, lang, 2));
    if (m->since[0])
        kbuf_printf(&b, " (%s – %s)", m->since, m->until);
    kbuf_adds(&b, "\n\n");
    char *para = trends_paragraph(m, lang);
    md(&b, para ? para : "");
    kbuf_adds(&b, "\n\n");
    free(para);

    kbuf_printf(&b, "### %s\n\n| %s | %s |\n|---|---:|\n", trends_heading(TH_VERDICTS, lang),
                en ? "Verdict" : "判定", en ? "Count" : "件数");
    for (int v = 0; v < TV_N; v++)
        kbuf_printf(&b, "| %s | %lld |\n", trends_verdict_name(v, lang), m->verdicts[v]);
    kbuf_printf(&b, "| **%s** | **%lld** |\n\n", en ? "Total" : "合計", m->total);

    if (m->brands.n) {
        kbuf_printf(&b, "### %s\n\n| %s | %s | %s | %s |\n|---|---:|---:|---:|\n",
                    trends_heading(TH_BRANDS, lang), en ? "Brand" : "ブランド",
                    en ? "Count" : "件数", en ? "Previous" : "前の期間", en ? "Change" : "増減");
        for (size_t i = 0; i < m->brands.n; i++) {
            const trend_item *it = &m->brands.v[i];
            char ch[32];
            trends_change(ch, m, it, lang);
            kbuf_adds(&b, "| ");
            md(&b, trends_brand_name(it, lang));
            kbuf_printf(&b, " | %lld | %lld | %s |\n", it->count, it->previous, ch);
        }
        kbuf_printf(&b, "\n### %s\n\n", trends_heading(TH_EXAMPLES, lang));
        for (size_t i = 0; i < m->brands.n; i++) {
            const trend_item *it = &m->brands.v[i];
            if (!it->nexamples)
                continue;
            kbuf_adds(&b, "- **");
            md(&b, trends_brand_name(it, lang));
            kbuf_adds(&b, "**\n");
            for (int k = 0; k < it->nexamples; k++) {
                kbuf_adds(&b, "  - ");
                md(&b, it->examples[k]);
                kbuf_adds(&b, "\n");
            }
        }
        kbuf_adds(&b, "\n");
    }
    if (m->lures.n) {
        kbuf_printf(&b, "### %s\n\n| %s | %s | %s |\n|---|---:|---:|\n",
                    trends_heading(TH_LURES, lang), en ? "Lure" : "口実", en ? "Count" : "件数",
                    en ? "Previous" : "前の期間");
        for (size_t i = 0; i < m->lures.n; i++) {
            kbuf_adds(&b, "| ");
            md(&b, trends_lure_name(m->lures.v[i].id, lang));
            kbuf_printf(&b, " | %lld | %lld |\n", m->lures.v[i].count, m->lures.v[i].previous);
        }
        kbuf_adds(&b, "\n");
    }
    if (m->providers.n) {
        kbuf_printf(&b, "### %s\n\n| %s | AS | %s |\n|---|---|---:|\n",
                    trends_heading(TH_PROVIDERS, lang), en ? "Provider" : "事業者",
                    en ? "Count" : "件数");
        for (size_t i = 0; i < m->providers.n; i++) {
            const trend_item *it = &m->providers.v[i];
            kbuf_adds(&b, "| ");
            md(&b, it->id ? it->id : "?");
            if (it->asn)
                kbuf_printf(&b, " | AS%lld | %lld |\n", it->asn, it->count);
            else
                kbuf_printf(&b, " | - | %lld |\n", it->count);
        }
        kbuf_adds(&b, "\n");
    }
    if (m->countries.n) {
        kbuf_printf(&b, "### %s\n\n", trends_heading(TH_COUNTRIES, lang));
        md_list(&b, &m->countries, en ? "Country" : "国", lang);
        kbuf_adds(&b, "\n");
    }
    if (m->tlds.n) {
        kbuf_printf(&b, "### %s\n\n", trends_heading(TH_TLDS, lang));
        md_list(&b, &m->tlds, "TLD", lang);
        kbuf_adds(&b, "\n");
    }
    if (m->domains.n) {
        kbuf_printf(&b, "### %s\n\n| %s | %s |\n|---|---:|\n", trends_heading(TH_DOMAINS, lang),
                    en ? "Domain (defanged)" : "ドメイン(無害化)", en ? "Count" : "件数");
        for (size_t i = 0; i < m->domains.n; i++) {
            char *d = trends_defang_domain(m->domains.v[i].id);
            kbuf_adds(&b, "| ");
            md(&b, d ? d : "?");
            kbuf_printf(&b, " | %lld |\n", m->domains.v[i].count);
            free(d);
        }
        kbuf_adds(&b, "\n");
    }
    if (m->ages_known) {
        kbuf_printf(&b, "### %s\n\n", trends_heading(TH_AGES, lang));
        kbuf_printf(&b, "- %s: %lld\n- %s: %lld\n- %s: %lld\n\n",
                    en ? "under 30 days" : "30日未満", m->ages_under_30,
                    en ? "30 days to 1 year" : "30日〜1年", m->ages_under_365,
                    en ? "1 year or older" : "1年以上", m->ages_older);
    }
    kbuf_printf(&b, "### %s\n\n", trends_heading(TH_DEADLINES, lang));
    kbuf_printf(&b, "- %s: %lld\n- %s: %lld\n- %s: %lld\n- %s: %lld\n\n",
                en ? "with a deadline" : "期限あり", m->dl_with,
                en ? "on a weekend" : "週末が期限", m->dl_weekend,
                en ? "at month-end" : "月末が期限", m->dl_month_end,
                en ? "within 72 hours of receipt" : "受信から72時間以内", m->dl_72h);
    if (m->new_brands.n || m->new_lures.n) {
        kbuf_printf(&b, "### %s\n\n", trends_heading(TH_NEW, lang));
        for (size_t i = 0; i < m->new_brands.n; i++) {
            kbuf_adds(&b, "- ");
            md(&b, trends_brand_name(&m->new_brands.v[i], lang));
            kbuf_printf(&b, " (%lld)\n", m->new_brands.v[i].count);
        }
        for (size_t i = 0; i < m->new_lures.n; i++) {
            kbuf_adds(&b, "- ");
            md(&b, trends_lure_name(m->new_lures.v[i].id, lang));
            kbuf_printf(&b, " (%lld)\n", m->new_lures.v[i].count);
        }
        kbuf_adds(&b, "\n");
    }
    char *s = b.len < MD_MAX ? strdup(kbuf_str(&b)) : NULL;
    kbuf_free(&b);
    return s;
}
