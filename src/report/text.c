/*
 * text.c - the analyst's report for a terminal (--format text).
 *
 * Renders the model of human.c as plain text: section headings with a
 * marker, label/value tables aligned by display width (Japanese characters
 * take two columns), tables as one record per row, the body indented behind a
 * bar. ANSI colour only when the caller says the output is a terminal
 * (KENSA_FMT_TEXT_COLOR). The model has already replaced every control
 * character of the mail (ESC, CSI, bidi overrides) by a visible <U+XXXX>, so
 * a hostile subject cannot drive the terminal; the only escape sequences in
 * the output are the colours written here.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/kbuf.h"
#include "human.h"
#include "report.h"

#define C_RESET "\033[0m"

static const char *style_on(hm_style st)
{
    switch (st) {
    case HS_STRONG:
        return "\033[1m";
    case HS_BAD:
        return "\033[1;31m";
    case HS_WARN:
        return "\033[1;33m";
    case HS_GOOD:
        return "\033[1;32m";
    case HS_MUTED:
        return "\033[2m";
    case HS_CODE:
        return "\033[36m";
    default:
        return NULL;
    }
}

static void t_inline(kbuf *b, const hm_inline *in, int color)
{
    for (size_t i = 0; i < in->n; i++) {
        const char *on = color ? style_on(in->v[i].style) : NULL;
        if (on)
            kbuf_adds(b, on);
        kbuf_adds(b, in->v[i].text);
        if (on)
            kbuf_adds(b, C_RESET);
    }
}

static size_t inline_width(const hm_inline *in)
{
    size_t w = 0;
    for (size_t i = 0; i < in->n; i++)
        w += hm_width(in->v[i].text);
    return w;
}

static void pad(kbuf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kbuf_addc(b, ' ');
}

static void heading(kbuf *b, const hm_inline *in, const char *mark, int color)
{
    if (color)
        kbuf_adds(b, "\033[1;34m");
    kbuf_adds(b, mark);
    t_inline(b, in, 0);
    if (color)
        kbuf_adds(b, C_RESET);
    kbuf_adds(b, "\n");
}

char *report_text(const struct kensa_report *r, const char *lang, int color)
{
    hm_doc *d = hm_build(r, lang);
    if (!d)
        return NULL;
    kbuf b;
    kbuf_init(&b, HM_MAX_OUTPUT);
    for (size_t i = 0; i < d->n; i++) {
        const hm_block *bl = &d->v[i];
        switch (bl->kind) {
        case HB_TITLE:
            heading(&b, &bl->text, "━━ ", color);
            /* a mail-header-like first line, for a glance and for grep */
            kbuf_adds(&b, d->ja ? "件名: " : "Subject: ");
            kbuf_adds(&b, d->subject ? d->subject : "-");
            kbuf_addc(&b, '\n');
            break;
        case HB_HEADING:
            kbuf_addc(&b, '\n');
            heading(&b, &bl->text, bl->level <= 2 ? "■ " : "□ ", color);
            break;
        case HB_DETAILS:
            kbuf_addc(&b, '\n');
            heading(&b, &bl->text, "▸ ", color);
            break;
        case HB_PARA:
            kbuf_adds(&b, "  ");
            t_inline(&b, &bl->text, color);
            kbuf_addc(&b, '\n');
            break;
        case HB_NOTE:
            kbuf_adds(&b, "  ※ ");
            t_inline(&b, &bl->text, color);
            kbuf_addc(&b, '\n');
            break;
        case HB_LIST:
        case HB_OLIST:
            for (size_t k = 0; k < bl->nitems; k++) {
                if (bl->kind == HB_OLIST)
                    kbuf_printf(&b, "  %zu. ", k + 1);
                else
                    kbuf_adds(&b, "  - ");
                t_inline(&b, &bl->items[k], color);
                kbuf_addc(&b, '\n');
            }
            break;
        case HB_KV: {
            size_t w = 0;
            for (size_t k = 0; k + 1 < bl->nitems; k += 2) {
                size_t lw = inline_width(&bl->items[k]);
                if (lw > w)
                    w = lw;
            }
            if (w > 24)
                w = 24;
            for (size_t k = 0; k + 1 < bl->nitems; k += 2) {
                size_t lw = inline_width(&bl->items[k]);
                kbuf_adds(&b, "  ");
                t_inline(&b, &bl->items[k], 0);
                pad(&b, lw < w ? w - lw : 0);
                kbuf_adds(&b, "  ");
                t_inline(&b, &bl->items[k + 1], color);
                kbuf_addc(&b, '\n');
            }
            break;
        }
        case HB_TABLE:
            if (!bl->ncols || bl->nitems < bl->ncols)
                break;
            for (size_t k = bl->ncols; k + bl->ncols <= bl->nitems; k += bl->ncols) {
                /* first column is the row's name; the others labelled by the header */
                kbuf_adds(&b, "  ");
                t_inline(&b, &bl->items[k], color);
                kbuf_addc(&b, '\n');
                for (size_t c = 1; c < bl->ncols; c++) {
                    kbuf_adds(&b, "      ");
                    t_inline(&b, &bl->items[c], 0);
                    kbuf_adds(&b, ": ");
                    t_inline(&b, &bl->items[k + c], color);
                    kbuf_addc(&b, '\n');
                }
            }
            break;
        case HB_PRE:
            if (bl->text.n) {
                kbuf_adds(&b, "  │ ");
                for (const char *p = bl->text.v[0].text; *p; p++) {
                    if (*p == '\n')
                        kbuf_adds(&b, "\n  │ ");
                    else
                        kbuf_addc(&b, *p);
                }
                kbuf_addc(&b, '\n');
            }
            break;
        case HB_IMAGE:
            kbuf_adds(&b, lang && strcmp(lang, "en") == 0
                              ? "  (the image is embedded in the HTML report)\n"
                              : "  （画像は HTML 版に埋め込まれています）\n");
            break;
        case HB_END:
            break;
        }
    }
    char *s = strdup(kbuf_str(&b));
    kbuf_free(&b);
    hm_free(d);
    return s;
}
