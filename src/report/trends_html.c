/*
 * trends_html.c - `kensa trends --format html`: one self-contained page,
 * the generated paragraph, tables, and horizontal bar charts drawn here as
 * inline SVG. No script, no external resource (a Content-Security-Policy
 * meta forbids both); every string is entity-escaped after control and
 * bidi characters were made visible; lure domains are defanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trends_out.h"

#define HTML_MAX ((size_t)8 << 20)
#define CHART_W 640
#define CHART_LABEL_W 230
#define CHART_BAR_W 330
#define CHART_ROW_H 24
#define CHART_LABEL_CHARS 24 /* characters of a label drawn in a chart */

static void h_put(kbuf *b, const char *s, size_t n)
{
    if (n == 1) {
        switch (s[0]) {
        case '&':
            kbuf_adds(b, "&amp;");
            return;
        case '<':
            kbuf_adds(b, "&lt;");
            return;
        case '>':
            kbuf_adds(b, "&gt;");
            return;
        case '"':
            kbuf_adds(b, "&quot;");
            return;
        case '\'':
            kbuf_adds(b, "&#39;");
            return;
        }
    }
    kbuf_add(b, s, n);
}

static void h(kbuf *b, const char *s)
{
    trends_add_visible(b, s, h_put);
}

/* at most max characters of s (UTF-8), with "…" when cut; malloc'd */
static char *clip(const char *s, size_t max)
{
    size_t i = 0, chars = 0;
    s = s ? s : "";
    while (s[i] && chars < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    char *r = malloc(i + 4);
    if (!r)
        return NULL;
    memcpy(r, s, i);
    strcpy(r + i, s[i] ? "\xE2\x80\xA6" : "");
    return r;
}

typedef struct {
    const char *label;
    long long value, previous; /* previous < 0: not drawn */
} bar;

/* A horizontal bar chart; bars scale to the largest value (current or previous). */
static void chart(kbuf *b, const char *title, const bar *v, size_t n, const char *lang)
{
    if (!n)
        return;
    long long max = 1;
    int with_prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].value > max)
            max = v[i].value;
        if (v[i].previous > max)
            max = v[i].previous;
        if (v[i].previous >= 0)
            with_prev = 1;
    }
    int height = (int)n * CHART_ROW_H + 10 + (with_prev ? 20 : 0);
    kbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" "
                   "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                CHART_W, height, CHART_W, height);
    h(b, title);
    kbuf_adds(b, "\"><title>");
    h(b, title);
    kbuf_adds(b, "</title>\n");
    for (size_t i = 0; i < n; i++) {
        int y = 5 + (int)i * CHART_ROW_H;
        int w = (int)(v[i].value * CHART_BAR_W / max);
        char *lab = clip(v[i].label, CHART_LABEL_CHARS);
        kbuf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"l\">",
                    CHART_LABEL_W - 8, y + 15);
        h(b, lab ? lab : "");
        free(lab);
        kbuf_adds(b, "</text>");
        kbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"c\"/>",
                    CHART_LABEL_W, y + 3, w > 0 ? w : 1, with_prev ? 12 : 16);
        if (v[i].previous >= 0) {
            int pw = (int)(v[i].previous * CHART_BAR_W / max);
            kbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"5\" class=\"p\"/>",
                        CHART_LABEL_W, y + 16, pw > 0 ? pw : 1);
        }
        kbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"v\">%lld</text>\n",
                    CHART_LABEL_W + (w > 0 ? w : 1) + 6, y + 15, v[i].value);
    }
    if (with_prev) {
        int y = 5 + (int)n * CHART_ROW_H;
        int en = trends_lang_en(lang);
        kbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" class=\"c\"/>"
                       "<text x=\"%d\" y=\"%d\" class=\"k\">%s</text>"
                       "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"5\" class=\"p\"/>"
                       "<text x=\"%d\" y=\"%d\" class=\"k\">%s</text>\n",
                    CHART_LABEL_W, y + 4, CHART_LABEL_W + 20, y + 13,
                    en ? "this period" : "今期", CHART_LABEL_W + 110, y + 7,
                    CHART_LABEL_W + 130, y + 13, en ? "previous period" : "前の期間");
    }
    kbuf_adds(b, "</svg>\n");
}

static void table_head(kbuf *b, const char *a, const char *c, const char *d)
{
    kbuf_adds(b, "<table><thead><tr><th>");
    h(b, a);
    kbuf_adds(b, "</th><th>");
    h(b, c);
    kbuf_adds(b, "</th>");
    if (d) {
        kbuf_adds(b, "<th>");
        h(b, d);
        kbuf_adds(b, "</th>");
    }
    kbuf_adds(b, "</tr></thead><tbody>\n");
}

static void section(kbuf *b, int which, const char *lang)
{
    kbuf_adds(b, "<section><h3>");
    h(b, trends_heading(which, lang));
    kbuf_adds(b, "</h3>\n");
}

/* a ranking: chart + two-column table; defang: the ids are lure domains */
static void ranking(kbuf *b, int which, const trend_list *l, const char *col, int defang,
                    const char *lang)
{
    if (!l->n)
        return;
    section(b, which, lang);
    bar *v = calloc(l->n, sizeof *v);
    char **owned = calloc(l->n, sizeof *owned);
    if (!v || !owned) {
        free(v);
        free(owned);
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        owned[i] = defang ? trends_defang_domain(l->v[i].id) : NULL;
        v[i].label = defang ? owned[i] : l->v[i].id;
        v[i].value = l->v[i].count;
        v[i].previous = -1;
    }
    chart(b, trends_heading(which, lang), v, l->n, lang);
    table_head(b, col, trends_lang_en(lang) ? "Count" : "件数", NULL);
    for (size_t i = 0; i < l->n; i++) {
        kbuf_adds(b, "<tr><td>");
        h(b, v[i].label ? v[i].label : "?");
        kbuf_printf(b, "</td><td class=\"n\">%lld</td></tr>\n", v[i].value);
        free(owned[i]);
    }
    kbuf_adds(b, "</tbody></table></section>\n");
    free(v);
    free(owned);
}

static const char CSS[] =
    "body{font-family:sans-serif;max-width:760px;margin:2em auto;color:#222;line-height:1.6}"
    "table{border-collapse:collapse;margin:.5em 0 1em}"
    "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
    "td.n{text-align:right}.chart{display:block;margin:.5em 0}"
    ".chart .l,.chart .v,.chart .k{font-size:12px;fill:#333}"
    ".chart .c{fill:#c0392b}.chart .p{fill:#95a5a6}"
    "p.summary{background:#f6f6f6;padding:.8em;border-left:4px solid #c0392b}"
    "li.ex{font-family:monospace;font-size:90%}";

char *trends_html(const trends_model *m, const char *lang)
{
    int en = trends_lang_en(lang);
    kbuf b;
    kbuf_init(&b, HTML_MAX);
    kbuf_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'\">\n<title>",
                en ? "en" : "ja");
    h(&b, trends_title(m, lang, 1));
    kbuf_printf(&b, "</title>\n<style>%s</style></head>\n<body>\n<h1>", CSS);
    h(&b, trends_title(m, lang, 1));
    kbuf_adds(&b, "</h1>\n<h2>");
    h(&b, trends_title(m, lang, 2));
    if (m->since[0])
        kbuf_printf(&b, " (%s – %s)", m->since, m->until);
    kbuf_adds(&b, "</h2>\n<p class=\"summary\">");
    char *para = trends_paragraph(m, lang);
    h(&b, para ? para : "");
    free(para);
    kbuf_adds(&b, "</p>\n");

    /* verdicts */
    section(&b, TH_VERDICTS, lang);
    bar vb[TV_N];
    for (int v = 0; v < TV_N; v++) {
        vb[v].label = trends_verdict_name(v, lang);
        vb[v].value = m->verdicts[v];
        vb[v].previous = -1;
    }
    chart(&b, trends_heading(TH_VERDICTS, lang), vb, TV_N, lang);
    kbuf_printf(&b, "<p>%s: %lld</p></section>\n", en ? "Total" : "合計", m->total);

    /* brands, with the previous period and examples */
    if (m->brands.n) {
        section(&b, TH_BRANDS, lang);
        bar *v = calloc(m->brands.n, sizeof *v);
        for (size_t i = 0; v && i < m->brands.n; i++) {
            v[i].label = trends_brand_name(&m->brands.v[i], lang);
            v[i].value = m->brands.v[i].count;
            v[i].previous = m->all ? -1 : m->brands.v[i].previous;
        }
        if (v)
            chart(&b, trends_heading(TH_BRANDS, lang), v, m->brands.n, lang);
        free(v);
        kbuf_adds(&b, "<table><thead><tr><th>");
        h(&b, en ? "Brand" : "ブランド");
        kbuf_adds(&b, "</th><th>");
        h(&b, en ? "Count" : "件数");
        kbuf_adds(&b, "</th><th>");
        h(&b, en ? "Previous" : "前の期間");
        kbuf_adds(&b, "</th><th>");
        h(&b, en ? "Change" : "増減");
        kbuf_adds(&b, "</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < m->brands.n; i++) {
            const trend_item *it = &m->brands.v[i];
            char ch[32];
            trends_change(ch, m, it, lang);
            kbuf_adds(&b, "<tr><td>");
            h(&b, trends_brand_name(it, lang));
            kbuf_printf(&b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                            "<td class=\"n\">",
                        it->count, it->previous);
            h(&b, ch);
            kbuf_adds(&b, "</td></tr>\n");
        }
        kbuf_adds(&b, "</tbody></table>\n<h4>");
        h(&b, trends_heading(TH_EXAMPLES, lang));
        kbuf_adds(&b, "</h4>\n<ul>\n");
        for (size_t i = 0; i < m->brands.n; i++) {
            const trend_item *it = &m->brands.v[i];
            if (!it->nexamples)
                continue;
            kbuf_adds(&b, "<li><strong>");
            h(&b, trends_brand_name(it, lang));
            kbuf_adds(&b, "</strong><ul>");
            for (int k = 0; k < it->nexamples; k++) {
                kbuf_adds(&b, "<li class=\"ex\">");
                h(&b, it->examples[k]);
                kbuf_adds(&b, "</li>");
            }
            kbuf_adds(&b, "</ul></li>\n");
        }
        kbuf_adds(&b, "</ul></section>\n");
    }

    /* lures: display names, with the previous period */
    if (m->lures.n) {
        section(&b, TH_LURES, lang);
        bar *v = calloc(m->lures.n, sizeof *v);
        for (size_t i = 0; v && i < m->lures.n; i++) {
            v[i].label = trends_lure_name(m->lures.v[i].id, lang);
            v[i].value = m->lures.v[i].count;
            v[i].previous = m->all ? -1 : m->lures.v[i].previous;
        }
        if (v) {
            chart(&b, trends_heading(TH_LURES, lang), v, m->lures.n, lang);
            table_head(&b, en ? "Lure" : "口実", en ? "Count" : "件数",
                       en ? "Previous" : "前の期間");
            for (size_t i = 0; i < m->lures.n; i++) {
                kbuf_adds(&b, "<tr><td>");
                h(&b, v[i].label);
                kbuf_printf(&b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n",
                            m->lures.v[i].count, m->lures.v[i].previous);
            }
            kbuf_adds(&b, "</tbody></table>");
        }
        free(v);
        kbuf_adds(&b, "</section>\n");
    }

    /* providers: "name (ASn)" */
    if (m->providers.n) {
        section(&b, TH_PROVIDERS, lang);
        bar *v = calloc(m->providers.n, sizeof *v);
        char **lab = calloc(m->providers.n, sizeof *lab);
        for (size_t i = 0; v && lab && i < m->providers.n; i++) {
            const trend_item *it = &m->providers.v[i];
            if (it->asn) {
                if (asprintf(&lab[i], "%s (AS%lld)", it->id ? it->id : "?", it->asn) < 0)
                    lab[i] = NULL;
            } else {
                lab[i] = strdup(it->id ? it->id : "?");
            }
            v[i].label = lab[i] ? lab[i] : "?";
            v[i].value = it->count;
            v[i].previous = -1;
        }
        if (v && lab) {
            chart(&b, trends_heading(TH_PROVIDERS, lang), v, m->providers.n, lang);
            table_head(&b, en ? "Provider" : "事業者", en ? "Count" : "件数", NULL);
            for (size_t i = 0; i < m->providers.n; i++) {
                kbuf_adds(&b, "<tr><td>");
                h(&b, v[i].label);
                kbuf_printf(&b, "</td><td class=\"n\">%lld</td></tr>\n", v[i].value);
            }
            kbuf_adds(&b, "</tbody></table>");
        }
        for (size_t i = 0; lab && i < m->providers.n; i++)
            free(lab[i]);
        free(lab);
        free(v);
        kbuf_adds(&b, "</section>\n");
    }
    ranking(&b, TH_COUNTRIES, &m->countries, en ? "Country" : "国", 0, lang);
    ranking(&b, TH_TLDS, &m->tlds, "TLD", 0, lang);
    ranking(&b, TH_DOMAINS, &m->domains, en ? "Domain (defanged)" : "ドメイン(無害化)", 1,
            lang);

    if (m->ages_known) {
        section(&b, TH_AGES, lang);
        bar ab[3] = {{en ? "under 30 days" : "30日未満", m->ages_under_30, -1},
                     {en ? "30 days to 1 year" : "30日〜1年", m->ages_under_365, -1},
                     {en ? "1 year or older" : "1年以上", m->ages_older, -1}};
        chart(&b, trends_heading(TH_AGES, lang), ab, 3, lang);
        kbuf_adds(&b, "</section>\n");
    }
    section(&b, TH_DEADLINES, lang);
    bar db[4] = {{en ? "with a deadline" : "期限あり", m->dl_with, -1},
                 {en ? "on a weekend" : "週末が期限", m->dl_weekend, -1},
                 {en ? "at month-end" : "月末が期限", m->dl_month_end, -1},
                 {en ? "within 72 hours" : "72時間以内", m->dl_72h, -1}};
    chart(&b, trends_heading(TH_DEADLINES, lang), db, 4, lang);
    kbuf_adds(&b, "</section>\n");
    if (m->new_brands.n || m->new_lures.n) {
        section(&b, TH_NEW, lang);
        kbuf_adds(&b, "<ul>\n");
        for (size_t i = 0; i < m->new_brands.n; i++) {
            kbuf_adds(&b, "<li>");
            h(&b, trends_brand_name(&m->new_brands.v[i], lang));
            kbuf_printf(&b, " (%lld)</li>\n", m->new_brands.v[i].count);
        }
        for (size_t i = 0; i < m->new_lures.n; i++) {
            kbuf_adds(&b, "<li>");
            h(&b, trends_lure_name(m->new_lures.v[i].id, lang));
            kbuf_printf(&b, " (%lld)</li>\n", m->new_lures.v[i].count);
        }
        kbuf_adds(&b, "</ul></section>\n");
    }
    kbuf_adds(&b, "</body></html>\n");
    char *s = b.len < HTML_MAX ? strdup(kbuf_str(&b)) : NULL;
    kbuf_free(&b);
    return s;
}
