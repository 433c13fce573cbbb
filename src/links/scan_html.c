/*
 * scan_html.c - links in an HTML part, through gumbo (HTML5 tree building,
 * so broken markup yields what a browser would show and link).
 *
 * Reads a/area href (with the anchor's visible text, or area alt), form
 * action, img/iframe/frame/embed/source/input src, srcset, background,
 * meta refresh, base href (which also resolves later relative URLs),
 * onclick handlers and javascript: bodies (URLs in them), and URLs in the
 * visible text outside anchors. The walk is iterative with an explicit,
 * bounded stack: hostile nesting cannot exhaust the C stack.
 */
#include <ctype.h>
#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../mime/html_text.h"
#include "../util/kbuf.h"
#include "links_int.h"

#define HTML_MAX_STACK (1u << 20) /* pending nodes */
#define HTML_MAX_TEXT_NODES 4096  /* nodes visited to build one anchor text */

typedef struct {
    GumboNode *n;
    unsigned char in_a, hidden;
} frame;

typedef struct {
    links_ctx *c;
    char *base; /* absolute base URL or NULL */
} html_ctx;

static const char *attr(GumboNode *n, const char *name)
{
    GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

static int hidden_tag(GumboTag t)
{
    return t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_TEMPLATE ||
           t == GUMBO_TAG_TITLE || t == GUMBO_TAG_NOSCRIPT;
}

/* Visible text of an element's subtree, whitespace collapsed, bounded. */
static char *anchor_text(arena *a, GumboNode *root)
{
    kbuf b;
    kbuf_init(&b, LINKS_MAX_TEXT);
    GumboNode *st[256];
    size_t sp = 0, visited = 0;
    st[sp++] = root;
    int space = 0;
    while (sp && visited++ < HTML_MAX_TEXT_NODES) {
        GumboNode *n = st[--sp];
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
            n->type == GUMBO_NODE_WHITESPACE) {
            for (const char *p = n->v.text.text; *p; p++) {
                if (isspace((unsigned char)*p)) {
                    space = b.len > 0;
                    continue;
                }
                if (space)
                    kbuf_addc(&b, ' ');
                space = 0;
                if (kbuf_addc(&b, *p))
                    break;
            }
            space = b.len > 0;
            continue;
        }
        if (n->type != GUMBO_NODE_ELEMENT || hidden_tag(n->v.element.tag))
            continue;
        GumboVector *ch = &n->v.element.children;
        for (size_t i = ch->length; i > 0 && sp < sizeof st / sizeof st[0]; i--)
            st[sp++] = ch->data[i - 1];
    }
    /* do not end inside a UTF-8 sequence cut by the bound */
    if (b.len) {
        size_t k = b.len - 1, back = 0;
        while (k > 0 && back < 3 && ((unsigned char)b.p[k] & 0xC0) == 0x80)
            k--, back++;
        unsigned c = (unsigned char)b.p[k];
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (b.len - k < need) {
            b.len = k;
            b.p[k] = '\0';
        }
    }
    char *r = b.len ? kbuf_take_arena(&b, a) : NULL;
    kbuf_free(&b);
    return r;
}

/* Resolve a relative reference against the base; NULL when it cannot be. */
static char *resolve(html_ctx *h, const char *v)
{
    arena *a = links_ctx_arena(h->c);
    while (*v && (unsigned char)*v <= ' ')
        v++;
    size_t n = strlen(v);
    if (!n || v[0] == '#')
        return NULL;
    if (url_has_scheme(v, n) || strncasecmp(v, "www.", 4) == 0 || strncmp(v, "//", 2) == 0)
        return (char *)v;
    if (!h->base)
        return NULL;
    const char *bs = strstr(h->base, "://");
    if (!bs)
        return NULL;
    const char *ae = bs + 3 + strcspn(bs + 3, "/?#");
    if (v[0] == '/')
        return arena_printf(a, "%.*s%s", (int)(ae - h->base), h->base, v);
    const char *q = ae + strcspn(ae, "?#");
    const char *last = ae;
    for (const char *p = ae; p < q; p++)
        if (*p == '/')
            last = p + 1;
    if (last == ae)
        return arena_printf(a, "%.*s/%s", (int)(ae - h->base), h->base, v);
    return arena_printf(a, "%.*s%s", (int)(last - h->base), h->base, v);
}

static void add(html_ctx *h, const char *v, const char *text, const char *el)
{
    if (!v)
        return;
    char *r = resolve(h, v);
    if (!r)
        return;
    size_t n = strlen(r);
    if (n >= 11 && strncasecmp(r, "javascript:", 11) == 0)
        links_add_text_run(h->c, r + 11, n - 11, 1, el);
    links_add(h->c, r, n, text, 1, el);
}

static void add_srcset(html_ctx *h, const char *v, const char *el)
{
    arena *a = links_ctx_arena(h->c);
    for (const char *p = v; p && *p;) {
        while (*p && (isspace((unsigned char)*p) || *p == ','))
            p++;
        size_t k = 0;
        while (p[k] && !isspace((unsigned char)p[k]))
            k++;
        /* a URL may itself end with ',' before the next candidate */
        size_t ul = k;
        while (ul && p[ul - 1] == ',')
            ul--;
        if (ul) {
            char *u = arena_strndup(a, p, ul);
            if (u && strncasecmp(u, "data:", 5) != 0)
                add(h, u, NULL, el);
        }
        p += k;
        while (*p && *p != ',')
            p++;
    }
}

static void meta_refresh(html_ctx *h, GumboNode *n)
{
    const char *he = attr(n, "http-equiv");
    const char *c = attr(n, "content");
    if (!he || !c || strcasecmp(he, "refresh") != 0)
        return;
    const char *u = strcasestr(c, "url");
    if (!u)
        return;
    u += 3;
    while (*u == ' ')
        u++;
    if (*u != '=')
        return;
    u++;
    while (*u == ' ' || *u == '\'' || *u == '"')
        u++;
    arena *a = links_ctx_arena(h->c);
    size_t l = strcspn(u, "'\"");
    char *v = arena_strndup(a, u, l);
    if (v)
        add(h, v, NULL, "meta");
}

static void element(html_ctx *h, GumboNode *n)
{
    if (!n->v.element.attributes.length)
        return; /* everything below reads an attribute */
    arena *a = links_ctx_arena(h->c);
    GumboTag t = n->v.element.tag;
    const char *v;
    switch (t) {
    case GUMBO_TAG_A:
        if ((v = attr(n, "href")))
            add(h, v, anchor_text(a, n), "a");
        break;
    case GUMBO_TAG_AREA:
        if ((v = attr(n, "href")))
            add(h, v, attr(n, "alt"), "area");
        break;
    case GUMBO_TAG_FORM:
        add(h, attr(n, "action"), NULL, "form");
        break;
    case GUMBO_TAG_BASE:
        if ((v = attr(n, "href"))) {
            char *r = resolve(h, v);
            url_info u;
            if (!h->base && r && url_normalize(a, r, strlen(r), &u) == 0 && u.kind == URL_WEB)
                h->base = u.url;
            add(h, v, NULL, "base");
        }
        break;
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO: {
        const char *el = t == GUMBO_TAG_IFRAME ? "iframe" : t == GUMBO_TAG_FRAME ? "frame"
                         : t == GUMBO_TAG_IMG  ? "img" : gumbo_normalized_tagname(t);
        v = attr(n, "src");
        if (v && !(t == GUMBO_TAG_IMG && strncasecmp(v, "data:", 5) == 0))
            add(h, v, NULL, el);
        if ((v = attr(n, "srcset")))
            add_srcset(h, v, el);
        break;
    }
    case GUMBO_TAG_META:
        meta_refresh(h, n);
        break;
    case GUMBO_TAG_BUTTON:
        add(h, attr(n, "formaction"), NULL, "button");
        break;
    default:
        break;
    }
    if ((v = attr(n, "background")))
        add(h, v, NULL, "background");
    if ((v = attr(n, "onclick")))
        links_add_text_run(h->c, v, strlen(v), 1, "onclick");
}

void links_scan_html(links_ctx *c, const char *html, size_t len)
{
    if (!html || !len)
        return;
    const GumboOutput *out = html_parse_cached(html, len); /* shared with mime/content */
    if (!out)
        return;
    html_ctx h = {c, NULL};
    size_t cap = 256, sp = 0;
    frame *st = malloc(cap * sizeof *st);
    if (st)
        st[sp++] = (frame){out->document, 0, 0};
    while (st && sp) {
        frame f = st[--sp];
        GumboNode *n = f.n;
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
            if (!f.in_a && !f.hidden)
                links_add_text_run(c, n->v.text.text, strlen(n->v.text.text), 1, "text");
            continue;
        }
        if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT &&
            n->type != GUMBO_NODE_TEMPLATE)
            continue;
        GumboVector *ch;
        unsigned char in_a = f.in_a, hidden = f.hidden;
        if (n->type == GUMBO_NODE_DOCUMENT) {
            ch = &n->v.document.children;
        } else {
            element(&h, n);
            ch = &n->v.element.children;
            if (n->v.element.tag == GUMBO_TAG_A && attr(n, "href"))
                in_a = 1;
            if (hidden_tag(n->v.element.tag))
                hidden = 1;
        }
        if (sp + ch->length > cap) {
            size_t nc = cap;
            while (nc < sp + ch->length)
                nc *= 2;
            if (nc > HTML_MAX_STACK)
                break;
            frame *ns = realloc(st, nc * sizeof *st);
            if (!ns)
                break;
            st = ns;
            cap = nc;
        }
        for (size_t i = ch->length; i > 0; i--)
            st[sp++] = (frame){ch->data[i - 1], in_a, hidden};
    }
    free(st);
}
