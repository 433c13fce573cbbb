/*
 * html.c - the analyst's report as one self-contained HTML file (--format html).
 *
 * Renders the model of human.c. The page loads nothing: inline CSS only, no
 * scripts, a Content-Security-Policy that forbids every fetch except data:
 * images, and no link to any lure (the only anchor is the DB-IP credit the
 * IP data licence asks for, shown when IP data is shown). Every text is
 * entity-escaped (& < > " '); control and bidi characters were already made
 * visible by the model. The hop table is a <details> element. The layout is
 * one column that wraps long values, readable on a phone.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/kbuf.h"
#include "human.h"
#include "report.h"

static void esc(kbuf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&':
            kbuf_adds(b, "&amp;");
            break;
        case '<':
            kbuf_adds(b, "&lt;");
            break;
        case '>':
            kbuf_adds(b, "&gt;");
            break;
        case '"':
            kbuf_adds(b, "&quot;");
            break;
        case '\'':
            kbuf_adds(b, "&#39;");
            break;
        default:
            kbuf_addc(b, *p);
        }
    }
}

static void h_inline(kbuf *b, const hm_inline *in)
{
    static const char *const open[] = {"", "<code>", "<strong>", "<strong class=\"bad\">",
                                       "<strong class=\"warn\">", "<strong class=\"good\">",
                                       "<span class=\"muted\">"};
    static const char *const close[] = {"", "</code>", "</strong>", "</strong>", "</strong>",
                                        "</strong>", "</span>"};
    for (size_t i = 0; i < in->n; i++) {
        const hm_span *s = &in->v[i];
        unsigned st = (unsigned)s->style < 7 ? (unsigned)s->style : 0;
        kbuf_adds(b, open[st]);
        esc(b, s->text);
        kbuf_adds(b, close[st]);
    }
}

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;padding:16px;font:15px/1.6 -apple-system,'Hiragino Sans','Noto Sans CJK JP',"
    "'IPAGothic','Yu Gothic',sans-serif;color:#1f2328;background:#fff}"
    "main{max-width:860px;margin:0 auto}"
    "h1{font-size:1.5em;margin:0 0 .5em}"
    "h2{font-size:1.25em;border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin:1.6em 0 .6em}"
    "h3{font-size:1.05em;margin:1.2em 0 .4em}"
    ".verdict{padding:12px 16px;border-radius:6px;border:1px solid #d0d7de;background:#f6f8fa}"
    ".v-phishing{border-color:#cf222e;background:#ffebe9}"
    ".v-spam,.v-suspicious{border-color:#bf8700;background:#fff8c5}"
    ".v-clean{border-color:#1a7f37;background:#dafbe1}"
    "table{border-collapse:collapse;width:100%;margin:.4em 0 1em;display:block;overflow-x:auto}"
    "th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}"
    "th{background:#f6f8fa;white-space:nowrap}"
    "code{font:13px/1.4 ui-monospace,'DejaVu Sans Mono',monospace;background:#f6f8fa;"
    "padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:12px;"
    "border-radius:6px;border:1px solid #d0d7de;font:13px/1.5 ui-monospace,'DejaVu Sans Mono',"
    "'IPAGothic',monospace}"
    ".bad{color:#cf222e}.warn{color:#9a6700}.good{color:#1a7f37}.muted{color:#656d76}"
    ".note{font-size:.85em;color:#656d76}"
    "details{margin:.4em 0 1em}summary{cursor:pointer;font-weight:600}"
    "img{max-width:100%;border:1px solid #d0d7de}"
    "footer{margin-top:2em;border-top:1px solid #d0d7de;padding-top:.6em}"
    "@media (max-width:600px){body{padding:10px;font-size:14px}"
    "td,th{padding:3px 5px}}";

static void cells(kbuf *b, const hm_inline *v, size_t n, const char *tag)
{
    kbuf_adds(b, "<tr>");
    for (size_t k = 0; k < n; k++) {
        kbuf_printf(b, "<%s>", tag);
        h_inline(b, &v[k]);
        kbuf_printf(b, "</%s>", tag);
    }
    kbuf_adds(b, "</tr>\n");
}

char *report_html(const struct kensa_report *r, const char *lang)
{
    hm_doc *d = hm_build(r, lang);
    if (!d)
        return NULL;
    kbuf b;
    kbuf_init(&b, HM_MAX_OUTPUT);
    kbuf_printf(&b,
                "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "img-src data:; style-src 'unsafe-inline'; form-action 'none'; "
                "base-uri 'none'\">\n"
                "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
                d->lang);
    esc(&b, d->title ? d->title : "kensa");
    kbuf_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", css);
    int in_summary = 0, footer = 0;
    for (size_t i = 0; i < d->n; i++) {
        const hm_block *bl = &d->v[i];
        switch (bl->kind) {
        case HB_TITLE:
            kbuf_adds(&b, "<h1>");
            h_inline(&b, &bl->text);
            kbuf_adds(&b, "</h1>\n");
            break;
        case HB_HEADING:
            if (in_summary) {
                kbuf_adds(&b, "</div>\n");
                in_summary = 0;
            }
            kbuf_printf(&b, "<h%d id=\"%s\">", bl->level <= 2 ? 2 : 3, bl->id ? bl->id : "");
            h_inline(&b, &bl->text);
            kbuf_printf(&b, "</h%d>\n", bl->level <= 2 ? 2 : 3);
            if (bl->id && strcmp(bl->id, "summary") == 0) {
                kbuf_printf(&b, "<div class=\"verdict v-%s\">\n", d->label);
                in_summary = 1;
            }
            break;
        case HB_PARA:
            kbuf_adds(&b, "<p>");
            h_inline(&b, &bl->text);
            kbuf_adds(&b, "</p>\n");
            break;
        case HB_NOTE:
            if (!footer) {
                /* the notes after the last section form the footer */
                int tail = 1;
                for (size_t k = i; k < d->n; k++)
                    if (d->v[k].kind != HB_NOTE)
                        tail = 0;
                if (tail) {
                    kbuf_adds(&b, "<footer>\n");
                    footer = 1;
                }
            }
            kbuf_adds(&b, "<p class=\"note\">");
            h_inline(&b, &bl->text);
            kbuf_adds(&b, "</p>\n");
            break;
        case HB_LIST:
        case HB_OLIST:
            if (!bl->nitems)
                break;
            kbuf_adds(&b, bl->kind == HB_OLIST ? "<ol>\n" : "<ul>\n");
            for (size_t k = 0; k < bl->nitems; k++) {
                kbuf_adds(&b, "<li>");
                h_inline(&b, &bl->items[k]);
                kbuf_adds(&b, "</li>\n");
            }
            kbuf_adds(&b, bl->kind == HB_OLIST ? "</ol>\n" : "</ul>\n");
            break;
        case HB_KV:
            kbuf_adds(&b, "<table>\n");
            for (size_t k = 0; k + 1 < bl->nitems; k += 2) {
                kbuf_adds(&b, "<tr><th>");
                h_inline(&b, &bl->items[k]);
                kbuf_adds(&b, "</th><td>");
                h_inline(&b, &bl->items[k + 1]);
                kbuf_adds(&b, "</td></tr>\n");
            }
            kbuf_adds(&b, "</table>\n");
            break;
        case HB_TABLE:
            if (!bl->ncols || bl->nitems < bl->ncols)
                break;
            kbuf_adds(&b, "<table>\n<thead>");
            cells(&b, bl->items, bl->ncols, "th");
            kbuf_adds(&b, "</thead>\n<tbody>\n");
            for (size_t k = bl->ncols; k + bl->ncols <= bl->nitems; k += bl->ncols)
                cells(&b, &bl->items[k], bl->ncols, "td");
            kbuf_adds(&b, "</tbody>\n</table>\n");
            break;
        case HB_PRE:
            kbuf_adds(&b, "<pre>");
            if (bl->text.n)
                esc(&b, bl->text.v[0].text);
            kbuf_adds(&b, "</pre>\n");
            break;
        case HB_DETAILS:
            kbuf_adds(&b, "<details>\n<summary>");
            h_inline(&b, &bl->text);
            kbuf_adds(&b, "</summary>\n");
            break;
        case HB_END:
            kbuf_adds(&b, "</details>\n");
            break;
        case HB_IMAGE:
            /* only a base64 PNG data: URI, checked character by character */
            if (bl->data && strncmp(bl->data, "data:image/png;base64,", 22) == 0 &&
                strspn(bl->data + 22, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789+/=") == strlen(bl->data + 22)) {
                kbuf_adds(&b, "<p><img alt=\"");
                h_inline(&b, &bl->text);
                kbuf_printf(&b, "\" src=\"%s\"></p>\n", bl->data);
            }
            break;
        }
    }
    if (in_summary)
        kbuf_adds(&b, "</div>\n");
    if (!footer)
        kbuf_adds(&b, "<footer>\n");
    if (r->ip_attribution && *r->ip_attribution)
        kbuf_adds(&b, "<p class=\"note\"><a href=\"https://db-ip.com\" rel=\"noreferrer\">"
                      "IP Geolocation by DB-IP</a></p>\n");
    kbuf_adds(&b, "</footer>\n</main>\n</body>\n</html>\n");
    char *s = strdup(kbuf_str(&b));
    kbuf_free(&b);
    hm_free(d);
    return s;
}
