/*
 * html_text.c - visible text of an HTML part, via gumbo. See html_text.h.
 * gumbo's tree walk is made iterative (explicit stack) so hostile nesting
 * cannot exhaust the C stack; gumbo itself caps nothing, so input size is
 * bounded by the caller (KM_MAX_TEXT).
 */
#include "html_text.h"

#include <ctype.h>
#include <gumbo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/kbuf.h"
#include "html_guard.h"
#include "html_prescan.h"

static int is_hidden_tag(GumboTag t)
{
    return t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_HEAD ||
           t == GUMBO_TAG_TEMPLATE || t == GUMBO_TAG_NOSCRIPT || t == GUMBO_TAG_TITLE;
}

static int is_block_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_TR:
    case GUMBO_TAG_LI: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
    case GUMBO_TAG_HR: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_CENTER: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: case GUMBO_TAG_FORM: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_BODY:
        return 1;
    default:
        return 0;
    }
}

typedef struct {
    kbuf out;
    int pending_space, pending_nl;
} text_sink;

static void sink_break(text_sink *s)
{
    s->pending_nl = 1;
}

static int sink_space(const unsigned char *p)
{
    return *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
           (p[0] == 0xC2 && p[1] == 0xA0); /* U+00A0 no-break space counts as space too */
}

/* appends what fits of p[0..n) (the bytes up to the bound, as byte by byte) */
static void sink_add(kbuf *b, const unsigned char *p, size_t n)
{
    if (n > b->max - b->len)
        n = b->max - b->len;
    if (n)
        kbuf_add(b, p, n);
}

/* runs of whitespace become one space (a newline after a break), none at
 * the start */
static void sink_text(text_sink *s, const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    while (*p) {
        if (sink_space(p)) {
            s->pending_space = 1;
            p += *p == 0xC2 ? 2 : 1;
            continue;
        }
        const unsigned char *q = p + 1;
        while (*q && !sink_space(q))
            q++;
        if (s->out.len) {
            if (s->pending_nl)
                kbuf_addc(&s->out, '\n');
            else if (s->pending_space)
                kbuf_addc(&s->out, ' ');
        }
        s->pending_nl = s->pending_space = 0;
        sink_add(&s->out, p, (size_t)(q - p));
        p = q;
    }
}

/* gumbo's memory for a part of up to GP_MAX_INPUT bytes: a per-thread bump
 * allocator whose deallocate does nothing; the tree goes at once when the
 * next part is parsed. gumbo makes several small mallocs per node and grows
 * its buffers by copy and free, which made malloc/free a large share of a
 * parse. Larger parts use malloc and free as before, so that a hostile
 * part's abandoned buffers cannot pile up. */
enum { GP_CHUNK = 256 * 1024, GP_MAX_INPUT = 512 * 1024 };
typedef struct gp_chunk {
    struct gp_chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} gp_chunk;

static void *gp_alloc(void *ud, size_t n)
{
    gp_chunk **head = ud;
    n = (n + 15) & ~(size_t)15;
    gp_chunk *c = *head;
    if (!c || c->size - c->used < n) {
        size_t sz = n > GP_CHUNK ? n : GP_CHUNK;
        c = malloc(sizeof *c + sz);
        if (!c)
            return NULL;
        c->size = sz;
        c->used = 0;
        c->next = *head;
        *head = c;
    }
    void *r = c->data + c->used;
    c->used += n;
    return r;
}

static void gp_free(void *ud, void *p)
{
    (void)ud;
    (void)p;
}

/* Keeps the oldest chunk (a plain GP_CHUNK) for the next parse. */
static void gp_reset(gp_chunk **head, int keep)
{
    gp_chunk *c = *head, *last = NULL;
    while (c) {
        gp_chunk *n = c->next;
        if (!n && keep && c->size == GP_CHUNK) {
            last = c;
            last->used = 0;
        } else {
            free(c);
        }
        c = n;
    }
    *head = last;
}

/* One tree per thread (no state shared between threads): mime, links and
 * content each walked their own parse of the same part before. */
typedef struct {
    char *bytes;
    size_t len;
    GumboOutput *out;
    size_t bytes_cap;
    int pooled;     /* out lives in pool */
    gp_chunk *pool;
    /* per-thread scratch reused from part to part (a malloc of the part's
     * size per parse, freed at once, made malloc consolidate its fastbins):
     * the prescan's output and its pieces */
    char *scratch;
    size_t scratch_cap;
    html_pieces pcs;
    int guarded; /* out was parsed from html_depth_guard()'s copy */
} parse_cache;

/* scratch kept between parts up to this size; larger is freed after use */
enum { PC_KEEP_MAX = 1 << 20 };
static __thread parse_cache pc_tls;
static __thread unsigned guarded_parses; /* see html_guarded_take() */

unsigned html_guarded_take(void)
{
    unsigned n = guarded_parses;
    guarded_parses = 0;
    return n;
}
static pthread_key_t pc_key;
static pthread_once_t pc_once = PTHREAD_ONCE_INIT;

static void pc_clear(parse_cache *c, int keep)
{
    if (c->out && !c->pooled)
        gumbo_destroy_output(&kGumboDefaultOptions, c->out);
    gp_reset(&c->pool, keep);
    c->out = NULL;
    c->len = 0;
    c->pooled = 0;
    if (!keep || c->bytes_cap > PC_KEEP_MAX) {
        free(c->bytes);
        c->bytes = NULL;
        c->bytes_cap = 0;
    }
    if (!keep) {
        free(c->scratch);
        c->scratch = NULL;
        c->scratch_cap = 0;
        html_pieces_free(&c->pcs);
    }
}

/* after a parse: what grew past PC_KEEP_MAX goes (a hostile part's size is
 * not kept for the rest of the thread's life) */
static void pc_trim(parse_cache *c)
{
    if (c->scratch_cap > PC_KEEP_MAX) {
        free(c->scratch);
        c->scratch = NULL;
        c->scratch_cap = 0;
    }
    if (c->pcs.text_cap > PC_KEEP_MAX || c->pcs.cap > PC_KEEP_MAX / sizeof *c->pcs.end)
        html_pieces_free(&c->pcs);
}

static void pc_thread_exit(void *p)
{
    pc_clear(p, 0);
}

static void pc_key_init(void)
{
    pthread_key_create(&pc_key, pc_thread_exit);
}

/* gumbo's options for a parse of an input of len bytes: the pool when
 * pooled */
static GumboOptions gumbo_options(parse_cache *c, int pooled)
{
    GumboOptions opts = kGumboDefaultOptions;
    opts.max_errors = 0; /* errors are not used; the tree is the same */
    if (pooled) {
        opts.allocator = gp_alloc;
        opts.deallocator = gp_free;
        opts.userdata = &c->pool;
    }
    return opts;
}

static GumboOutput *parse_with(parse_cache *c, const char *in, size_t in_len, int *pooled)
{
    *pooled = in_len <= GP_MAX_INPUT;
    GumboOptions opts = gumbo_options(c, *pooled);
    return gumbo_parse_with_options(&opts, in, in_len);
}

const void *html_parse_cached(const char *html, size_t len)
{
    parse_cache *c = &pc_tls;
    if (c->out && c->len == len && (len == 0 || memcmp(c->bytes, html, len) == 0)) {
        guarded_parses += c->guarded;
        return c->out;
    }
    pc_clear(c, 1);
    pthread_once(&pc_once, pc_key_init);
    pthread_setspecific(pc_key, c); /* pc_thread_exit frees the tree */
    /* what no stage reads out (html_prescan.c): the tree is the same but
     * for it, and long runs of text go as markers whose text is put back
     * after the parse; gumbo's original_* pointers into the input are never
     * read, so the copy can go once the tree is built */
    html_pieces *pcs = &c->pcs;
    pcs->n = pcs->len = 0;
    /* the cache is keyed by the part as given; gumbo parses it with the
     * nesting bounded (html_guard.c) */
    const char *key = html;
    size_t key_len = len;
    size_t glen = 0;
    char *guarded = html_depth_guard(html, len, HTML_MAX_DEPTH, &glen);
    c->guarded = guarded != NULL;
    guarded_parses += c->guarded;
    if (guarded) {
        html = guarded;
        len = glen;
    }
    const char *in = html;
    size_t in_len = len;
    char *stripped = NULL;
    if (len && c->scratch_cap < len) {
        free(c->scratch);
        c->scratch_cap = 0;
        if ((c->scratch = malloc(len)) != NULL)
            c->scratch_cap = len;
    }
    if (len && c->scratch)
        stripped = c->scratch;
    if (stripped) {
        size_t m = html_prescan(html, len, stripped, pcs);
        if (m) {
            in = stripped;
            in_len = m;
        }
    }
    int pooled;
    GumboOutput *g = parse_with(c, in, in_len, &pooled);
    if (g && pcs->n && in == stripped) {
        GumboOptions o = gumbo_options(c, pooled);
        if (html_pieces_expand(g, pcs, o.allocator, o.deallocator, o.userdata) != 0) {
            /* out of memory: the original, as it is */
            if (!pooled)
                gumbo_destroy_output(&kGumboDefaultOptions, g);
            gp_reset(&c->pool, 1);
            g = parse_with(c, html, len, &pooled);
        }
    }
    pcs->n = pcs->len = 0;
    pc_trim(c);
    free(guarded);
    html = key;
    len = key_len;
    if (!g) {
        gp_reset(&c->pool, 1);
        return NULL;
    }
    if (c->bytes_cap < (len ? len : 1)) {
        free(c->bytes);
        c->bytes_cap = 0;
        if ((c->bytes = malloc(len ? len : 1)) != NULL)
            c->bytes_cap = len ? len : 1;
    }
    if (!c->bytes) {
        if (!pooled)
            gumbo_destroy_output(&kGumboDefaultOptions, g);
        gp_reset(&c->pool, 1);
        return NULL;
    }
    memcpy(c->bytes, html, len);
    c->len = len;
    c->out = g;
    c->pooled = pooled;
    return g;
}

char *html_visible_text(arena *a, const char *html, size_t len, size_t max)
{
    const GumboOutput *g = html_parse_cached(html, len);
    text_sink s = {.pending_space = 0, .pending_nl = 0};
    kbuf_init(&s.out, max);
    if (g) {
        /* iterative pre-order walk; a NULL entry marks "leaving an element" */
        size_t cap = 256, top = 0;
        const GumboNode **stack = malloc(cap * sizeof *stack);
        if (stack)
            stack[top++] = g->root;
        while (stack && top) {
            const GumboNode *n = stack[--top];
            if (!n) {
                sink_break(&s);
                continue;
            }
            if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
                n->type == GUMBO_NODE_CDATA) {
                sink_text(&s, n->v.text.text);
                continue;
            }
            if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT &&
                n->type != GUMBO_NODE_TEMPLATE)
                continue;
            const GumboVector *kids;
            if (n->type == GUMBO_NODE_DOCUMENT) {
                kids = &n->v.document.children;
            } else {
                GumboTag t = n->v.element.tag;
                if (is_hidden_tag(t))
                    continue;
                if (is_block_tag(t))
                    sink_break(&s);
                if (t == GUMBO_TAG_TD || t == GUMBO_TAG_TH)
                    s.pending_space = 1;
                kids = &n->v.element.children;
            }
            if (top + kids->length + 1 > cap) {
                size_t nc = cap;
                while (top + kids->length + 1 > nc)
                    nc *= 2;
                const GumboNode **ns = realloc(stack, nc * sizeof *ns);
                if (!ns)
                    break;
                stack = ns;
                cap = nc;
            }
            if (n->type == GUMBO_NODE_ELEMENT && is_block_tag(n->v.element.tag))
                stack[top++] = NULL;
            for (size_t i = kids->length; i > 0; i--)
                stack[top++] = kids->data[i - 1];
        }
        free(stack);
    }
    char *r = kbuf_take_arena(&s.out, a);
    kbuf_free(&s.out);
    return r;
}

char *html_sniff_meta_charset(arena *a, const char *raw, size_t len)
{
    size_t n = len < 4096 ? len : 4096;
    for (size_t i = 0; i + 8 < n; i++) {
        if (strncasecmp(raw + i, "charset", 7) != 0)
            continue;
        /* only inside a <meta ...> tag */
        size_t lt = i;
        while (lt > 0 && raw[lt] != '<' && raw[lt] != '>')
            lt--;
        if (raw[lt] != '<' || lt + 5 > n || strncasecmp(raw + lt, "<meta", 5) != 0)
            continue;
        size_t j = i + 7;
        while (j < n && (raw[j] == ' ' || raw[j] == '\t'))
            j++;
        if (j >= n || raw[j] != '=')
            continue;
        j++;
        while (j < n && (raw[j] == ' ' || raw[j] == '"' || raw[j] == '\''))
            j++;
        size_t k = j;
        while (k < n && k - j < 40 &&
               (isalnum((unsigned char)raw[k]) || raw[k] == '-' || raw[k] == '_' ||
                raw[k] == '.' || raw[k] == ':'))
            k++;
        if (k > j)
            return arena_strndup(a, raw + j, k - j);
    }
    return NULL;
}
