/*
 * html_tree.h - a gumbo tree written out as text, for comparing two parses:
 * the prescan (src/mime/html_prescan.c) must leave the tree as it was but
 * for what no stage reads: the text inside <style>, <script> and <title>,
 * comments' text, the attributes it cuts, an <img> src after "data:", and
 * how long a run of whitespace in text is. Used by test_html_prescan and
 * fuzz_html.
 * Iterative (explicit stack), so deep nesting is fine.
 */
#ifndef KENSA_TEST_HTML_TREE_H
#define KENSA_TEST_HTML_TREE_H

#include <ctype.h>
#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/mime/html_prescan.h"
#include "../../src/util/kbuf.h"

typedef struct {
    kbuf k;
    int oom;
} ht_buf;

static void ht_put(ht_buf *b, const char *s, size_t n)
{
    if (kbuf_add(&b->k, s, n) != KBUF_OK)
        b->oom = 1;
}

static void ht_str(ht_buf *b, const char *s)
{
    ht_put(b, s, strlen(s));
}

/* An unknown element's name, lower case, from its source text: the first
 * '<' followed by a letter, up to whitespace, '/' or '>'. Not
 * gumbo_tag_from_original_text(): gumbo starts a tag's original text at a
 * token it dropped before it ("</><t a>" is all t's), and that function then
 * returns "><t a" - the cut attributes would show in the name. */
static size_t ht_unknown_name(const GumboElement *e, char *out, size_t outsz)
{
    const char *s = e->original_tag.data;
    size_t n = e->original_tag.length, k = 0, i = 0;
    while (i + 1 < n && !(s[i] == '<' && isalpha((unsigned char)s[i + 1])))
        i++;
    if (i + 1 >= n)
        return 0;
    for (i++; i < n && k + 1 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '/' || c == '>')
            break;
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
    return k;
}

/* text with each run of HTML whitespace written as one space: the
 * prescan squeezes runs, and every reader of text collapses them */
static void ht_text(ht_buf *b, const char *t)
{
    for (const char *p = t; *p && !b->oom;) {
        size_t k = strcspn(p, " \t\n\f\r");
        ht_put(b, p, k);
        p += k;
        if (*p) {
            ht_put(b, " ", 1);
            p += strspn(p, " \t\n\f\r");
        }
    }
}

static void ht_tag(ht_buf *b, const GumboElement *e)
{
    if (e->tag != GUMBO_TAG_UNKNOWN) {
        ht_str(b, gumbo_normalized_tagname(e->tag));
        return;
    }
    char name[256];
    ht_unknown_name(e, name, sizeof name);
    ht_str(b, name);
}

/* the attributes the prescan keeps: all of them outside the HTML namespace
 * and on elements gumbo does not name (the prescan knows a tag by its
 * name alone; an unknown element keeps what html_prescan_keeps_attr says
 * for its lower-cased name) */
static int html_tree_attr_kept(const GumboElement *e, const char *name)
{
    if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
        return 1;
    char tag[16] = "";
    if (e->tag != GUMBO_TAG_UNKNOWN) {
        const char *t = gumbo_normalized_tagname(e->tag);
        if (strlen(t) < sizeof tag)
            strcpy(tag, t);
    } else if (ht_unknown_name(e, tag, sizeof tag) == sizeof tag - 1) {
        tag[0] = '\0'; /* longer than any name the prescan knows */
    }
    return html_prescan_keeps_attr(tag, name);
}

/* NULL on failure; else a malloc'd dump of the tree of html, with the
 * text of pc's pieces put back (html is html_prescan()'s output) */
static char *html_tree_dump_pieces(const char *html, size_t len, const html_pieces *pc)
{
    GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, html, len);
    if (!g)
        return NULL;
    if (pc && html_pieces_expand(g, pc, kGumboDefaultOptions.allocator,
                                 kGumboDefaultOptions.deallocator,
                                 kGumboDefaultOptions.userdata) != 0) {
        gumbo_destroy_output(&kGumboDefaultOptions, g);
        return NULL;
    }
    ht_buf b = {.oom = 0};
    kbuf_init(&b.k, (size_t)1 << 30);
    const GumboDocument *d = &g->document->v.document;
    ht_str(&b, "doctype:");
    ht_str(&b, d->has_doctype ? d->name : "-");
    ht_str(&b, d->public_identifier);
    ht_str(&b, d->system_identifier);
    ht_put(&b, d->doc_type_quirks_mode == GUMBO_DOCTYPE_QUIRKS ? "Q\n" : "q\n", 2);
    size_t cap = 1024, top = 0;
    const GumboNode **st = malloc(cap * sizeof *st);
    if (!st)
        b.oom = 1;
    else
        st[top++] = g->document;
    while (st && top && !b.oom) {
        const GumboNode *n = st[--top];
        if (!n) {
            ht_str(&b, ")\n");
            continue;
        }
        const GumboVector *kids = NULL;
        switch (n->type) {
        case GUMBO_NODE_DOCUMENT:
            kids = &n->v.document.children;
            ht_str(&b, "(document\n");
            break;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE:
            ht_str(&b, "(");
            ht_tag(&b, &n->v.element);
            ht_str(&b, n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML ? "" : "@ns");
            for (size_t i = 0; i < n->v.element.attributes.length; i++) {
                const GumboAttribute *a = n->v.element.attributes.data[i];
                if (!html_tree_attr_kept(&n->v.element, a->name))
                    continue; /* the other thing the prescan removes */
                ht_str(&b, " ");
                ht_str(&b, a->name);
                ht_str(&b, "=\"");
                if (n->v.element.tag == GUMBO_TAG_IMG &&
                    n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
                    strcmp(a->name, "src") == 0 && strncasecmp(a->value, "data:", 5) == 0)
                    ht_put(&b, a->value, 5); /* links skip an <img> data: URL whole */
                else
                    ht_str(&b, a->value);
                ht_str(&b, "\"");
            }
            ht_str(&b, "\n");
            kids = &n->v.element.children;
            break;
        default: {
            const GumboNode *p = n->parent;
            if (p && p->type == GUMBO_NODE_ELEMENT &&
                (p->v.element.tag == GUMBO_TAG_STYLE || p->v.element.tag == GUMBO_TAG_SCRIPT ||
                 p->v.element.tag == GUMBO_TAG_TITLE) &&
                p->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
                (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE))
                continue; /* hidden text the prescan removes */
            static const char *const kind[] = {"D", "E", "T", "C", "#", "W", "Tm"};
            ht_str(&b, n->type < 7 ? kind[n->type] : "?");
            ht_str(&b, ":");
            if (n->type != GUMBO_NODE_COMMENT) /* a comment's text goes too */
                ht_text(&b, n->v.text.text);
            ht_str(&b, "\n");
        }
        }
        if (!kids)
            continue;
        if (top + kids->length + 1 > cap) {
            size_t nc = cap;
            while (top + kids->length + 1 > nc)
                nc *= 2;
            const GumboNode **p = realloc(st, nc * sizeof *st);
            if (!p) {
                b.oom = 1;
                break;
            }
            st = p;
            cap = nc;
        }
        st[top++] = NULL;
        for (size_t i = kids->length; i > 0; i--)
            st[top++] = kids->data[i - 1];
    }
    free(st);
    gumbo_destroy_output(&kGumboDefaultOptions, g);
    char *r = b.oom ? NULL : strdup(kbuf_str(&b.k));
    kbuf_free(&b.k);
    return r;
}

static char *html_tree_dump(const char *html, size_t len)
{
    return html_tree_dump_pieces(html, len, NULL);
}

#endif
