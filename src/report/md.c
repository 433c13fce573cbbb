/*
 * md.c - the analyst's report as GitHub-flavoured Markdown (--format md).
 *
 * Renders the model of human.c. Mail text is made inert: every ASCII character
 * Markdown or GitHub give meaning to (\ ` * _ [ ] < > | ~ & $ and friends) is
 * backslash-escaped in running text; technical values go in code spans whose
 * fence is longer than any backtick run inside, with | still escaped because a
 * GFM table splits cells on it even inside code; the body is a fenced block
 * whose fence no line of the body can close. Control and bidi characters were
 * already made visible by the model. Nothing is a link.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/kbuf.h"
#include "human.h"
#include "report.h"

/* running text: escape everything that could start markup. Always: the
 * characters with inline meaning (and @, which GitHub autolinks in addresses);
 * at the start of a span: block markers (# + - = > and "1." / "1)"); "://". */
static void md_text_n(kbuf *b, const char *s, size_t n, int in_table)
{
    size_t digits = strspn(s, "0123456789");
    for (const char *p = s; p < s + n && *p; p++) {
        unsigned char c = (unsigned char)*p;
        int esc = 0;
        if (strchr("\\`*_[]<>|~&$@", c))
            esc = 1;
        else if (p == s && strchr("#+-=!{}:\"'^", c))
            esc = 1;
        else if (digits && p == s + digits && (c == '.' || c == ')'))
            esc = 1;
        else if (c == ':' && p + 2 < s + n && p[1] == '/' && p[2] == '/')
            esc = 1;
        if (esc)
            kbuf_printf(b, "\\%c", c);
        else if (c == '\n')
            kbuf_adds(b, in_table ? " " : "<br>");
        else
            kbuf_addc(b, (char)c);
    }
}

static void md_text(kbuf *b, const char *s, int in_table)
{
    md_text_n(b, s, strlen(s), in_table);
}

/* `code`: fence longer than the longest backtick run; pipes escaped in tables */
static void md_code(kbuf *b, const char *s, int in_table)
{
    size_t run = 0, best = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    if (!*s)
        return;
    for (size_t i = 0; i <= best; i++)
        kbuf_addc(b, '`');
    int pad = s[0] == '`' || s[strlen(s) - 1] == '`' || s[0] == ' ';
    if (pad)
        kbuf_addc(b, ' ');
    for (const char *p = s; *p; p++) {
        if (*p == '|' && in_table)
            kbuf_adds(b, "\\|");
        else
            kbuf_addc(b, *p);
    }
    if (pad)
        kbuf_addc(b, ' ');
    for (size_t i = 0; i <= best; i++)
        kbuf_addc(b, '`');
}

/* **text**: the spaces stay outside the markers so the emphasis still parses */
static void md_emph(kbuf *b, const char *s, const char *mark, int in_table)
{
    size_t n = strlen(s), lead = strspn(s, " ");
    while (n > lead && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < lead; i++)
        kbuf_addc(b, ' ');
    if (n > lead) {
        kbuf_adds(b, mark);
        md_text_n(b, s + lead, n - lead, in_table);
        kbuf_adds(b, mark);
    }
    for (size_t i = lead + (n > lead ? n - lead : 0); s[i]; i++)
        kbuf_addc(b, ' ');
}

static void md_inline(kbuf *b, const hm_inline *in, int in_table)
{
    for (size_t i = 0; i < in->n; i++) {
        const hm_span *s = &in->v[i];
        if (!*s->text)
            continue;
        switch (s->style) {
        case HS_CODE:
            md_code(b, s->text, in_table);
            break;
        case HS_STRONG:
        case HS_BAD:
        case HS_WARN:
        case HS_GOOD:
            md_emph(b, s->text, "**", in_table);
            break;
        case HS_MUTED:
            md_emph(b, s->text, "*", in_table);
            break;
        default:
            md_text(b, s->text, in_table);
        }
    }
}

static void md_fenced(kbuf *b, const char *s)
{
    size_t run = 0, best = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    size_t n = best + 1 < 3 ? 3 : best + 1;
    for (size_t i = 0; i < n; i++)
        kbuf_addc(b, '`');
    kbuf_adds(b, "text\n");
    kbuf_adds(b, s);
    kbuf_addc(b, '\n');
    for (size_t i = 0; i < n; i++)
        kbuf_addc(b, '`');
    kbuf_addc(b, '\n');
}

static void md_row(kbuf *b, const hm_inline *cells, size_t n)
{
    kbuf_adds(b, "|");
    for (size_t k = 0; k < n; k++) {
        kbuf_addc(b, ' ');
        md_inline(b, &cells[k], 1);
        kbuf_adds(b, " |");
    }
    kbuf_addc(b, '\n');
}

static void md_sep(kbuf *b, size_t n)
{
    kbuf_adds(b, "|");
    for (size_t k = 0; k < n; k++)
        kbuf_adds(b, "---|");
    kbuf_addc(b, '\n');
}

char *report_md(const struct kensa_report *r, const char *lang)
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
            kbuf_adds(&b, "# ");
            md_inline(&b, &bl->text, 0);
            kbuf_adds(&b, "\n\n");
            break;
        case HB_HEADING:
            kbuf_adds(&b, bl->level <= 2 ? "## " : "### ");
            md_inline(&b, &bl->text, 0);
            kbuf_adds(&b, "\n\n");
            break;
        case HB_DETAILS:
            kbuf_adds(&b, "#### ");
            md_inline(&b, &bl->text, 0);
            kbuf_adds(&b, "\n\n");
            break;
        case HB_PARA:
            md_inline(&b, &bl->text, 0);
            kbuf_adds(&b, "\n\n");
            break;
        case HB_NOTE:
            kbuf_adds(&b, "<sub>");
            md_inline(&b, &bl->text, 0);
            kbuf_adds(&b, "</sub>\n\n");
            break;
        case HB_LIST:
        case HB_OLIST:
            for (size_t k = 0; k < bl->nitems; k++) {
                if (bl->kind == HB_OLIST)
                    kbuf_printf(&b, "%zu. ", k + 1);
                else
                    kbuf_adds(&b, "- ");
                md_inline(&b, &bl->items[k], 0);
                kbuf_addc(&b, '\n');
            }
            if (bl->nitems)
                kbuf_addc(&b, '\n');
            break;
        case HB_KV: {
            hm_inline head[2] = {{0}, {0}};
            hm_span hs[2] = {{d->ja ? "項目" : "Item", HS_PLAIN},
                             {d->ja ? "内容" : "Value", HS_PLAIN}};
            head[0].v = &hs[0], head[0].n = 1;
            head[1].v = &hs[1], head[1].n = 1;
            md_row(&b, head, 2);
            md_sep(&b, 2);
            for (size_t k = 0; k + 1 < bl->nitems; k += 2)
                md_row(&b, &bl->items[k], 2);
            kbuf_addc(&b, '\n');
            break;
        }
        case HB_TABLE:
            if (!bl->ncols || bl->nitems < bl->ncols)
                break;
            md_row(&b, bl->items, bl->ncols);
            md_sep(&b, bl->ncols);
            for (size_t k = bl->ncols; k + bl->ncols <= bl->nitems; k += bl->ncols)
                md_row(&b, &bl->items[k], bl->ncols);
            kbuf_addc(&b, '\n');
            break;
        case HB_PRE:
            if (bl->text.n)
                md_fenced(&b, bl->text.v[0].text);
            kbuf_addc(&b, '\n');
            break;
        case HB_IMAGE:
            kbuf_adds(&b, d->ja ? "*（画像は HTML 版に埋め込まれています）*\n\n"
                                : "*(the image is embedded in the HTML report)*\n\n");
            break;
        case HB_END:
            break;
        }
    }
    /* one trailing newline */
    while (b.len >= 2 && b.p[b.len - 1] == '\n' && b.p[b.len - 2] == '\n')
        b.p[--b.len] = '\0';
    char *s = b.len ? strdup(kbuf_str(&b)) : NULL;
    kbuf_free(&b);
    hm_free(d);
    return s;
}
