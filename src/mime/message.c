/*
 * message.c - raw bytes to kensa's message model (message.h).
 *
 * GMime 3 gives the MIME tree, header fields in order and their raw bytes.
 * We do not use GMime's decoded header values, address names, filenames,
 * base64 or charset conversion: on Debian 12 (3.2.13) each of them loses
 * or garbles Japanese text (see DEPENDENCIES.md). Instead: raw header bytes
 * -> rfc2047_decode(); base64 -> decode_base64(); text -> charset_to_utf8().
 * Trusts nothing in the input; every count and length is bounded by limits.h.
 */
#include "message.h"

#include <ctype.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../../include/kensa.h"
#include "../util/civil.h"
#include "../util/kbuf.h"
#include "charset.h"
#include "decode.h"
#include "html_text.h"
#include "limits.h"
#include "rfc2047.h"

struct mime_config {
    char **tag_words; /* lowercase keywords that make a subject prefix a filter tag */
    size_t ntag_words;
    char **qual_words; /* words allowed beside them ("suspected") */
    size_t nqual_words;
};

void mime_global_init(void)
{
    g_mime_init();
}

void mime_global_shutdown(void)
{
    g_mime_shutdown();
}

/* ------------------------------------------------------------------ config */

mime_config *mime_config_load(const char *data_dir, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/subject_tags.tsv", data_dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (err && asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return NULL;
    }
    mime_config *c = calloc(1, sizeof *c);
    char line[512];
    size_t cap = 0, qcap = 0;
    while (c && fgets(line, sizeof line, f)) {
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || *s == '\0')
            continue;
        s[strcspn(s, "\r\n")] = '\0';
        char *kind = strchr(s, '\t');
        if (kind)
            *kind++ = '\0';
        for (char *p = s; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        int qual = kind && strcmp(kind, "qualifier") == 0;
        char ***vec = qual ? &c->qual_words : &c->tag_words;
        size_t *n = qual ? &c->nqual_words : &c->ntag_words;
        size_t *cp = qual ? &qcap : &cap;
        if (*n == *cp) {
            *cp = *cp ? *cp * 2 : 16;
            char **nw = realloc(*vec, *cp * sizeof *nw);
            if (!nw)
                break;
            *vec = nw;
        }
        (*vec)[(*n)++] = strdup(s);
    }
    fclose(f);
    if (c && c->ntag_words == 0) {
        if (err && asprintf(err, "%s: no subject tag keywords", path) < 0)
            *err = NULL;
        mime_config_free(c);
        return NULL;
    }
    return c;
}

void mime_config_free(mime_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ntag_words; i++)
        free(c->tag_words[i]);
    free(c->tag_words);
    for (size_t i = 0; i < c->nqual_words; i++)
        free(c->qual_words[i]);
    free(c->qual_words);
    free(c);
}

/* ---------------------------------------------------------------- warnings */

void mime_warn(km_message *m, const char *fmt, ...)
{
    if (m->nwarnings >= KM_MAX_WARNINGS)
        return;
    if (!m->warnings) {
        m->warnings = arena_alloc(m->a, KM_MAX_WARNINGS * sizeof *m->warnings);
        if (!m->warnings)
            return;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < m->nwarnings; i++)
        if (strcmp(m->warnings[i], buf) == 0)
            return;
    m->warnings[m->nwarnings++] = arena_strdup(m->a, buf);
}

/* ----------------------------------------------------------------- helpers */

static int is_wsp(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copy s[0..n) to o without the bytes equal to c, a run at a time (o may
 * be s: the copy never gets ahead of the reading); returns the length. */
static size_t copy_without(char *o, const char *s, size_t n, char c)
{
    size_t k = 0;
    while (n) {
        const char *p = memchr(s, c, n);
        size_t run = p ? (size_t)(p - s) : n;
        memmove(o + k, s, run);
        k += run;
        if (!p)
            break;
        s = p + 1;
        n -= run + 1;
    }
    return k;
}

/* Unfold a raw header value: drop CR/LF, trim both ends. */
static char *unfold(arena *a, const char *raw, size_t n, size_t *out_len)
{
    char *o = arena_alloc_raw(a, n + 1);
    if (!o)
        return NULL;
    size_t k = copy_without(o, raw, n, '\n'); /* runs between line ends whole */
    if (memchr(o, '\r', k))
        k = copy_without(o, o, k, '\r');
    size_t s = 0;
    while (s < k && (o[s] == ' ' || o[s] == '\t'))
        s++;
    while (k > s && (o[k - 1] == ' ' || o[k - 1] == '\t'))
        k--;
    memmove(o, o + s, k - s);
    o[k - s] = '\0';
    *out_len = k - s;
    return o;
}

static char *sanitize(arena *a, const char *s, size_t n)
{
    return charset_utf8_sanitize(a, s, n, NULL);
}

static char *lower_dup(arena *a, const char *s, size_t n)
{
    char *o = arena_strndup(a, s, n);
    if (o)
        for (char *p = o; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return o;
}

static char *trim_dup(arena *a, const char *s, size_t n)
{
    while (n && is_wsp((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && is_wsp((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

/* GMime builds each date's zone with g_time_zone_new_identifier("+hhmm"),
 * which GLib looks up in its table of live zones before building one (an
 * array, a strdup, a hash insert; and a hash remove when the last reference
 * goes). Holding one reference per zone seen (per thread, a few dozen at
 * most) keeps the common zones live, so the next date finds them. */
#define TZ_KEEP 32
static _Thread_local GTimeZone *tz_kept[TZ_KEEP];

static void keep_zone(GDateTime *dt)
{
    GTimeZone *tz = g_date_time_get_timezone(dt);
    if (!tz)
        return;
    for (int i = 0; i < TZ_KEEP; i++) {
        if (tz_kept[i] == tz)
            return;
        if (!tz_kept[i]) {
            tz_kept[i] = g_time_zone_ref(tz);
            return;
        }
    }
}

/* Date string -> ISO 8601 with the original offset, or NULL. */
static char *iso_date(arena *a, const char *s)
{
    if (!s || !*s)
        return NULL;
    GDateTime *dt = g_mime_utils_header_decode_date(s);
    if (!dt)
        return NULL;
    keep_zone(dt);
    /* civil_iso writes what g_date_time_format's "%Y-%m-%dT%H:%M:%S%:z" does
     * for four-digit years and whole-minute offsets, in a tenth of the time */
    GTimeSpan off = g_date_time_get_utc_offset(dt);
    int year = g_date_time_get_year(dt);
    if (year >= 1000 && year <= 9999 && off % (60 * G_TIME_SPAN_SECOND) == 0) {
        char buf[96]; /* room for snprintf's widest, which the hand path never needs */
        civil_iso(g_date_time_to_unix(dt), (int)(off / (60 * G_TIME_SPAN_SECOND)), buf, sizeof buf);
        g_date_time_unref(dt);
        return arena_strdup(a, buf);
    }
    char *f = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");
    g_date_time_unref(dt);
    char *r = f ? arena_strdup(a, f) : NULL;
    g_free(f);
    return r;
}

/* ---------------------------------------------------------- address lists */

/*
 * RFC 5322 address lists, by hand: GMime's parser decodes display names with
 * its truncating RFC 2047 decoder. Splits on top-level commas (outside quotes,
 * comments and angle brackets); groups ("name: a, b;") are flattened.
 */
static void set_addr(arena *a, km_addr *out, const char *spec, size_t n)
{
    while (n && (is_wsp((unsigned char)*spec) || *spec == '<')) {
        spec++;
        n--;
    }
    while (n && (is_wsp((unsigned char)spec[n - 1]) || spec[n - 1] == '>'))
        n--;
    if (n == 0)
        return;
    /* drop a source route "@a,@b:" */
    if (*spec == '@') {
        const char *colon = memchr(spec, ':', n);
        if (colon) {
            n -= (size_t)(colon + 1 - spec);
            spec = colon + 1;
        }
    }
    const char *at = NULL;
    for (size_t i = n; i > 0; i--)
        if (spec[i - 1] == '@') {
            at = spec + i - 1;
            break;
        }
    if (at) {
        size_t local = (size_t)(at - spec), dl = n - local - 1;
        char *dom = lower_dup(a, at + 1, dl);
        char *addr = arena_alloc(a, n + 1);
        if (addr && dom) {
            memcpy(addr, spec, local + 1);
            memcpy(addr + local + 1, dom, dl);
            addr[n] = '\0';
        }
        out->address = sanitize(a, addr ? addr : "", addr ? n : 0);
        out->domain = dl ? sanitize(a, dom, dl) : NULL;
    } else {
        out->address = sanitize(a, spec, n);
    }
}

static char *decode_phrase(arena *a, const char *s, size_t n)
{
    /* unquote (with backslash escapes) then RFC 2047: real mail puts encoded
     * words inside quotes, which a strict reading would leave encoded */
    kbuf b;
    kbuf_init(&b, KM_MAX_HEADER_LEN);
    int inq = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            inq = !inq;
            continue;
        }
        if (c == '\\' && inq && i + 1 < n) {
            kbuf_addc(&b, s[++i]);
            continue;
        }
        kbuf_addc(&b, c);
    }
    char *r = rfc2047_decode(a, kbuf_str(&b), b.len, NULL);
    kbuf_free(&b);
    if (r) {
        size_t l = strlen(r);
        char *t = trim_dup(a, r, l);
        if (t && *t)
            return t;
    }
    return NULL;
}

static void parse_mailbox(arena *a, const char *s, size_t n, km_addr *out)
{
    memset(out, 0, sizeof *out);
    /* find an angle-addr outside quotes and comments */
    int inq = 0, depth = 0;
    const char *lt = NULL, *gt = NULL;
    const char *cstart = NULL, *cend = NULL; /* first top-level comment */
    kbuf bare;
    kbuf_init(&bare, KM_MAX_HEADER_LEN);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (inq) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '"')
                inq = 0;
            continue;
        }
        if (depth) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '(' && depth < 32)
                depth++;
            else if (c == ')' && --depth == 0 && !cend)
                cend = s + i;
            continue;
        }
        if (c == '"') {
            inq = 1;
        } else if (c == '(') {
            depth = 1;
            if (!cstart)
                cstart = s + i + 1;
        } else if (c == '<' && !lt) {
            lt = s + i;
        } else if (c == '>' && lt && !gt) {
            gt = s + i;
        } else if (!lt) {
            kbuf_addc(&bare, c);
        }
    }
    if (lt) {
        const char *end = gt ? gt : s + n;
        set_addr(a, out, lt + 1, (size_t)(end - lt - 1));
        out->display_name = decode_phrase(a, s, (size_t)(lt - s));
    } else {
        set_addr(a, out, kbuf_str(&bare), bare.len);
        if (cstart && cend && cend > cstart)
            out->display_name = decode_phrase(a, cstart, (size_t)(cend - cstart));
    }
    kbuf_free(&bare);
    if (out->address && !*out->address)
        out->address = NULL;
}

static size_t parse_address_list(arena *a, const char *s, size_t n, km_addr **out)
{
    /* an address ends at a ',' or ';' or at the end: no more than those */
    size_t most = 1;
    for (size_t i = 0; i < n && most < KM_MAX_ADDRESSES; i++)
        most += s[i] == ',' || s[i] == ';';
    km_addr *v = arena_alloc(a, most * sizeof *v);
    size_t cnt = 0;
    if (!v)
        return 0;
    int inq = 0, depth = 0, angle = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && cnt < KM_MAX_ADDRESSES; i++) {
        char c = i < n ? s[i] : ',';
        if (i < n) {
            if (inq) {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    inq = 0;
                continue;
            }
            if (depth) {
                if (c == '\\')
                    i++;
                else if (c == '(' && depth < 32)
                    depth++;
                else if (c == ')')
                    depth--;
                continue;
            }
            if (c == '"') {
                inq = 1;
                continue;
            }
            if (c == '(') {
                depth = 1;
                continue;
            }
            if (c == '<')
                angle = 1;
            else if (c == '>')
                angle = 0;
            if (c == ':' && !angle) {
                /* group name: what precedes is not an address */
                start = i + 1;
                continue;
            }
        }
        if ((c == ',' || c == ';') && !angle) {
            size_t len = i - start;
            const char *p = s + start;
            while (len && is_wsp((unsigned char)*p)) {
                p++;
                len--;
            }
            if (len) {
                km_addr ad;
                parse_mailbox(a, p, len, &ad);
                if (ad.address || ad.display_name)
                    v[cnt++] = ad;
            }
            start = i + 1;
        }
    }
    *out = v;
    return cnt;
}

/* --------------------------------------------------------------- headers */

size_t mime_headers_named(const km_message *m, const char *name, const km_header **out,
                          size_t max)
{
    size_t k = 0;
    /* first bytes equal but for case (|0x20 never parts two bytes that
     * strcasecmp calls equal) before the call: most names differ there */
    unsigned f = (unsigned char)name[0] | 0x20;
    if (!name[0]) {
        for (size_t i = 0; i < m->nheaders && k < max; i++)
            if (!m->headers[i].name[0])
                out[k++] = &m->headers[i];
        return k;
    }
    /* and the lengths (strcasecmp-equal names have equal lengths) */
    size_t nl = strlen(name);
    for (size_t i = 0; i < m->nheaders && k < max; i++) {
        const km_header *h = &m->headers[i];
        if (h->name_len == nl && ((unsigned char)h->name[0] | 0x20u) == f &&
            strcasecmp(h->name, name) == 0)
            out[k++] = h;
    }
    return k;
}

const km_header *mime_header_first(const km_message *m, const char *name)
{
    const km_header *h = NULL;
    mime_headers_named(m, name, &h, 1);
    return h;
}

typedef struct {
    GMimeHeader *h;
    gint64 off;
} hdr_ref;

static int cmp_hdr(const void *a, const void *b)
{
    const hdr_ref *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* GMime files Content-* fields under the body part, the rest under the
 * message; merge both lists back into file order by their byte offsets. */
static void read_headers(km_message *m, GMimeMessage *msg)
{
    GMimeHeaderList *lists[2] = {g_mime_object_get_header_list(GMIME_OBJECT(msg)), NULL};
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    if (body)
        lists[1] = g_mime_object_get_header_list(body);
    int total = 0;
    for (int l = 0; l < 2; l++)
        if (lists[l])
            total += g_mime_header_list_get_count(lists[l]);
    hdr_ref *refs = arena_alloc(m->a, (size_t)(total > 0 ? total : 1) * sizeof *refs);
    if (!refs)
        return;
    int n = 0, ordered = 1, split = 0;
    for (int l = 0; l < 2; l++) {
        int c = lists[l] ? g_mime_header_list_get_count(lists[l]) : 0;
        for (int i = 0; i < c && n < total; i++) {
            GMimeHeader *h = g_mime_header_list_get_header_at(lists[l], i);
            refs[n].h = h;
            refs[n].off = g_mime_header_get_offset(h);
            if (i > 0 && refs[n].off <= refs[n - 1].off)
                ordered = 0;
            n++;
        }
        if (l == 0)
            split = n;
    }
    hdr_ref *merged = ordered && split < n && split > 0
                          ? arena_alloc_raw(m->a, (size_t)n * sizeof *refs)
                          : NULL;
    if (merged) {
        /* each list is in file order (strictly increasing offsets): merged,
         * ties to the first list as the stable sort below would */
        int i = 0, j = split, k = 0;
        while (i < split && j < n)
            merged[k++] = refs[j].off < refs[i].off ? refs[j++] : refs[i++];
        while (i < split)
            merged[k++] = refs[i++];
        while (j < n)
            merged[k++] = refs[j++];
        refs = merged;
    } else if (!ordered || split < n)
        qsort(refs, (size_t)n, sizeof *refs, cmp_hdr);
    int count = n;
    if (count > KM_MAX_HEADERS) {
        mime_warn(m, "header count %d exceeds limit %d: the rest were ignored", count,
                  KM_MAX_HEADERS);
        count = KM_MAX_HEADERS;
    }
    m->headers = arena_alloc(m->a, (size_t)(count > 0 ? count : 1) * sizeof *m->headers);
    if (!m->headers)
        return;
    for (int i = 0; i < count; i++) {
        GMimeHeader *h = refs[i].h;
        const char *name = g_mime_header_get_name(h);
        const char *raw = g_mime_header_get_raw_value(h);
        if (!name)
            continue;
        if (!raw)
            raw = "";
        size_t rl = strlen(raw);
        /* the line end is not content: a value cut by cap_header_fields()
         * (warned there) ends in '\n' right after KM_MAX_HEADER_LEN bytes */
        size_t cl = rl > 0 && raw[rl - 1] == '\n' ? rl - 1 : rl;
        if (cl > KM_MAX_HEADER_LEN) {
            mime_warn(m, "header %.64s is %zu bytes, truncated to %u", name, rl,
                      KM_MAX_HEADER_LEN);
            rl = KM_MAX_HEADER_LEN;
        }
        km_header *kh = &m->headers[m->nheaders];
        size_t nml = strlen(name), kl = 0;
        kh->name = charset_utf8_sanitize(m->a, name, nml > 256 ? 256 : nml, &kl);
        size_t ul = 0;
        char *u = unfold(m->a, raw, rl, &ul);
        if (!u || !kh->name)
            return;
        kh->raw_bytes = u;
        kh->name_len = kl;
        kh->raw_len = ul;
        if (rfc2047_plain(u, ul)) {
            /* ASCII (TABs of folded lines too), no encoded word (most
             * fields): sanitizing and decoding would both give u back, so
             * all three share it */
            kh->raw = kh->value = u;
        } else {
            kh->raw = sanitize(m->a, u, ul);
            kh->value = rfc2047_decode(m->a, u, ul, NULL);
            if (!kh->value)
                kh->value = kh->raw;
        }
        m->nheaders++;
    }
}

static int in_list(char *const *v, size_t n, const char *w)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], w) == 0)
            return 1;
    return 0;
}

/* every word of the bracket is a tag word, a qualifier or a number, and at
 * least one is a tag word; non-ASCII words must contain a tag word */
static int tag_words_only(const mime_config *cfg, char *inner)
{
    int tags = 0;
    char *p = inner;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
            p++;
        if (!*p)
            break;
        char *w = p;
        int ascii = 1, digits = 1;
        while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)) {
            if ((unsigned char)*p >= 0x80)
                ascii = 0;
            if (!isdigit((unsigned char)*p))
                digits = 0;
            p++;
        }
        char save = *p;
        *p = '\0';
        int ok = 0;
        if (digits) {
            ok = 1;
        } else if (in_list(cfg->tag_words, cfg->ntag_words, w)) {
            ok = 1;
            tags++;
        } else if (in_list(cfg->qual_words, cfg->nqual_words, w)) {
            ok = 1;
        } else if (!ascii) {
            for (size_t k = 0; k < cfg->ntag_words && !ok; k++)
                if (strstr(w, cfg->tag_words[k])) {
                    ok = 1;
                    tags++;
                }
        }
        *p = save;
        if (!ok)
            return 0;
    }
    return tags > 0;
}

/* Subject tag: a leading bracketed token added by a filter ("[spam]",
 * "***SPAM***", "[迷惑メール]") whose words are in data/subject_tags.tsv. */
static char *find_subject_tag(arena *a, const mime_config *cfg, const char *subj)
{
    const char *s = subj;
    while (*s == ' ' || *s == '\t')
        s++;
    const char *end = NULL;
    static const struct {
        const char *open, *close;
    } pairs[] = {{"[", "]"}, {"(", ")"}, {"{", "}"}, {"***", "***"}, {"**", "**"},
                 {"【", "】"}, {"［", "］"}, {"<", ">"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0] && !end; i++) {
        size_t ol = strlen(pairs[i].open);
        if (strncmp(s, pairs[i].open, ol) != 0)
            continue;
        const char *c = strstr(s + ol, pairs[i].close);
        if (!c || c - s > 64)
            continue;
        /* inner text must hold a tag keyword */
        char inner[128];
        size_t il = (size_t)(c - s - (ptrdiff_t)ol);
        if (il == 0 || il >= sizeof inner)
            continue;
        for (size_t k = 0; k < il; k++)
            inner[k] = (char)tolower((unsigned char)s[ol + k]);
        inner[il] = '\0';
        if (tag_words_only(cfg, inner))
            end = c + strlen(pairs[i].close);
    }
    if (!end)
        return NULL;
    return arena_strndup(a, s, (size_t)(end - s));
}

/* ------------------------------------------------------------- MIME walk */

typedef struct {
    km_message *m;
    size_t cap;
    int depth_warned, parts_warned;
} walk_state;

static void stream_read_all(GMimeStream *st, kbuf *b)
{
    char tmp[16384];
    g_mime_stream_reset(st);
    /* room for all of it at once when the length is known and allowed:
     * the reads then land in the buffer (same sizes asked, so the same
     * pieces as through tmp, and no regrowth) */
    gint64 sl = g_mime_stream_length(st);
    if (sl > 0 && b->max - b->len >= sizeof tmp &&
        (guint64)sl <= (guint64)(b->max - b->len - sizeof tmp))
        kbuf_reserve(b, (size_t)sl + sizeof tmp);
    for (;;) {
        int direct = b->p && b->cap - b->len > sizeof tmp; /* len + r stays within max */
        char *dst = direct ? b->p + b->len : tmp;
        ssize_t r = g_mime_stream_read(st, dst, sizeof tmp);
        if (r <= 0)
            break;
        if (direct) {
            b->len += (size_t)r;
            b->p[b->len] = '\0';
        } else if (kbuf_add(b, tmp, (size_t)r))
            break;
    }
}

/* The bytes of a memory stream (the message's own stream or a part's
 * substream of it) seen in place: what stream_read_all would copy out, read
 * from the array as GMime's mem stream_read does. 0 when st is not such a
 * stream or is too large for the copy to have been whole. */
static int stream_view(GMimeStream *st, const char **p, size_t *n)
{
    if (!st || !GMIME_IS_STREAM_MEM(st))
        return 0;
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
    if (!ba)
        return 0;
    gint64 s = st->bound_start, e = st->bound_end != -1 ? st->bound_end : (gint64)ba->len;
    if (s < 0 || e > (gint64)ba->len)
        return 0;
    if (e < s)
        e = s;
    if ((guint64)(e - s) > KM_MAX_MESSAGE_SIZE / 2)
        return 0;
    *p = ba->data ? (const char *)ba->data + s : "";
    *n = (size_t)(e - s);
    return 1;
}

/* Raw param value (unquoted) of `name` in a structured header, by hand, so
 * RFC 2047 words in filenames can be decoded by our decoder. Returns NULL if
 * the parameter is absent. Parameters with '*' (RFC 2231) are not matched. */
static char *raw_param(arena *a, const char *v, size_t n, const char *name)
{
    size_t nl = strlen(name);
    int inq = 0;
    for (size_t i = 0; i < n; i++) {
        if (inq) {
            if (v[i] == '\\')
                i++;
            else if (v[i] == '"')
                inq = 0;
            continue;
        }
        if (v[i] == '"') {
            inq = 1;
            continue;
        }
        if (v[i] != ';')
            continue;
        size_t j = i + 1;
        while (j < n && is_wsp((unsigned char)v[j]))
            j++;
        if (j + nl >= n || strncasecmp(v + j, name, nl) != 0)
            continue;
        size_t k = j + nl;
        while (k < n && is_wsp((unsigned char)v[k]))
            k++;
        if (k >= n || v[k] != '=')
            continue;
        k++;
        while (k < n && is_wsp((unsigned char)v[k]))
            k++;
        kbuf b;
        kbuf_init(&b, KM_MAX_HEADER_LEN);
        if (k < n && v[k] == '"') {
            for (k++; k < n && v[k] != '"'; k++) {
                if (v[k] == '\\' && k + 1 < n)
                    k++;
                kbuf_addc(&b, v[k]);
            }
        } else {
            for (; k < n && v[k] != ';'; k++)
                kbuf_addc(&b, v[k]);
        }
        char *r = trim_dup(a, kbuf_str(&b), b.len);
        kbuf_free(&b);
        return r;
    }
    return NULL;
}

static char *part_filename(km_message *m, GMimeObject *obj)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    static const char *const hdrs[] = {"Content-Disposition", "Content-Type"};
    static const char *const params[] = {"filename", "name"};
    for (int h = 0; h < 2; h++) {
        GMimeHeader *hd = hl ? g_mime_header_list_get_header(hl, hdrs[h]) : NULL;
        const char *raw = hd ? g_mime_header_get_raw_value(hd) : NULL;
        if (!raw)
            continue;
        size_t rl = strlen(raw);
        if (rl > KM_MAX_HEADER_LEN)
            rl = KM_MAX_HEADER_LEN;
        size_t ul;
        char *u = unfold(m->a, raw, rl, &ul);
        char *pv = u ? raw_param(m->a, u, ul, params[h]) : NULL;
        if (pv && *pv)
            return rfc2047_decode(m->a, pv, strlen(pv), NULL);
    }
    /* RFC 2231 forms (filename*=, filename*0*=) through GMime */
    if (GMIME_IS_PART(obj)) {
        const char *fn = g_mime_part_get_filename(GMIME_PART(obj));
        if (fn && *fn)
            return sanitize(m->a, fn, strlen(fn));
    }
    return NULL;
}

static km_part *new_part(walk_state *w)
{
    km_message *m = w->m;
    if (m->nparts >= KM_MAX_PARTS) {
        if (!w->parts_warned)
            mime_warn(m, "more than %d MIME parts: the rest were ignored", KM_MAX_PARTS);
        w->parts_warned = 1;
        return NULL;
    }
    if (m->nparts == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 8;
        km_part *np = arena_alloc(m->a, nc * sizeof *np);
        if (!np)
            return NULL;
        if (m->nparts)
            memcpy(np, m->parts, m->nparts * sizeof *np);
        m->parts = np;
        w->cap = nc;
    }
    return &m->parts[m->nparts++];
}

static void leaf(walk_state *w, GMimeObject *obj, int depth, int in_rfc822)
{
    km_message *m = w->m;
    km_part *p = new_part(w);
    if (!p)
        return;
    p->depth = depth;
    p->in_rfc822 = in_rfc822;
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    p->content_type = lower_dup(m->a, mt ? mt : "text/plain", strlen(mt ? mt : "text/plain"));
    g_free(mt);
    p->content_type = sanitize(m->a, p->content_type, strlen(p->content_type));
    const char *cs = g_mime_object_get_content_type_parameter(obj, "charset");
    if (cs)
        p->charset = sanitize(m->a, cs, strlen(cs) > 64 ? 64 : strlen(cs));
    const char *disp = g_mime_object_get_disposition(obj);
    if (disp)
        p->disposition = lower_dup(m->a, disp, strlen(disp) > 32 ? 32 : strlen(disp));
    p->filename = part_filename(m, obj);

    kbuf raw, dec;
    const char *body = NULL; /* the decoded bytes: dec's, or a view of the message */
    size_t blen = 0;
    kbuf_init(&raw, KM_MAX_MESSAGE_SIZE);
    kbuf_init(&dec, KM_MAX_MESSAGE_SIZE);
    GMimeDataWrapper *wr = GMIME_IS_PART(obj) ? g_mime_part_get_content(GMIME_PART(obj)) : NULL;
    if (wr) {
        GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(wr);
        const char *en = g_mime_content_encoding_to_string(enc);
        if (en)
            p->transfer_encoding = arena_strdup(m->a, en);
        GMimeStream *st = g_mime_data_wrapper_get_stream(wr);
        if (enc == GMIME_CONTENT_ENCODING_BASE64) {
            const char *in = "";
            size_t inl = 0;
            if (st && !stream_view(st, &in, &inl)) {
                stream_read_all(st, &raw);
                in = raw.p ? raw.p : "";
                inl = raw.len;
            }
            kbuf_reserve(&dec, inl / 4 * 3 + 3); /* one allocation (may fail: then it grows) */
            long junk = decode_base64(in, inl, &dec);
            if (junk > 0)
                mime_warn(m, "part %zu: %ld invalid base64 characters skipped", m->nparts, junk);
        } else if (enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
                   enc != GMIME_CONTENT_ENCODING_UUENCODE) {
            /* 7bit, 8bit, binary or none: GMime's write_to_stream adds no
             * filter for these and copies the stream as it is; read it (in
             * place when it is a piece of the message's own bytes) */
            if (st && !stream_view(st, &body, &blen)) {
                stream_read_all(st, &dec);
                body = dec.p;
                blen = dec.len;
            }
        } else {
            /* other encodings: GMime's decoders are correct; let it filter */
            GMimeStream *ms = g_mime_stream_mem_new();
            g_mime_data_wrapper_write_to_stream(wr, ms);
            stream_read_all(ms, &dec);
            g_object_unref(ms);
        }
        if (body == NULL) {
            body = dec.p;
            blen = dec.len;
        }
    }
    if (!body)
        body = "";
    p->size = blen;
    kensa_sha256_hex(body, blen, p->sha256);

    int is_plain = strcmp(p->content_type, "text/plain") == 0;
    int is_html = strcmp(p->content_type, "text/html") == 0;
    if (is_plain || is_html) {
        size_t tl = blen;
        if (tl > KM_MAX_TEXT) {
            mime_warn(m, "part %zu: text of %zu bytes truncated to %u", m->nparts, tl,
                      KM_MAX_TEXT);
            tl = KM_MAX_TEXT;
        }
        const char *label = p->charset;
        if (!label && is_html)
            label = html_sniff_meta_charset(m->a, body, tl);
        charset_info ci;
        memset(&ci, 0, sizeof ci);
        size_t ol = 0;
        p->text = charset_to_utf8(m->a, label, body, tl, &ol, &ci);
        p->text_len = ol;
        p->charset_used = ci.used ? arena_strdup(m->a, ci.used) : NULL;
        p->charset_mismatch = ci.mismatch;
        if (ci.mismatch)
            mime_warn(m, "part %zu: declared charset %s but the bytes are %s", m->nparts,
                      label ? label : "(none)", ci.used ? ci.used : "?");
        else if (label && *label && !ci.declared)
            mime_warn(m, "part %zu: unknown charset %.64s, decoded as %s", m->nparts, label,
                      ci.used ? ci.used : "?");
        if (ci.errors)
            mime_warn(m, "part %zu: %d byte sequences invalid in %s replaced", m->nparts,
                      ci.errors, ci.used ? ci.used : "?");
    }
    kbuf_free(&raw);
    kbuf_free(&dec);
}

static void walk(walk_state *w, GMimeObject *obj, int depth, int in_rfc822)
{
    if (!obj)
        return;
    if (depth > KM_MAX_MIME_DEPTH) {
        if (!w->depth_warned)
            mime_warn(w->m, "MIME nesting deeper than %d: inner parts ignored",
                      KM_MAX_MIME_DEPTH);
        w->depth_warned = 1;
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n && w->m->nparts < KM_MAX_PARTS + 1; i++)
            walk(w, g_mime_multipart_get_part(mp, i), depth + 1, in_rfc822);
        if (n > KM_MAX_PARTS && !w->parts_warned) {
            mime_warn(w->m, "more than %d MIME parts: the rest were ignored", KM_MAX_PARTS);
            w->parts_warned = 1;
        }
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        km_part *p = new_part(w);
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (p) {
            p->depth = depth;
            p->in_rfc822 = in_rfc822;
            p->content_type = arena_strdup(w->m->a, "message/rfc822");
            p->filename = part_filename(w->m, obj);
            const char *disp = g_mime_object_get_disposition(obj);
            if (disp)
                p->disposition = lower_dup(w->m->a, disp, strlen(disp) > 32 ? 32 : strlen(disp));
            kbuf b;
            kbuf_init(&b, KM_MAX_MESSAGE_SIZE);
            if (inner) {
                GMimeStream *ms = g_mime_stream_mem_new();
                g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, ms);
                stream_read_all(ms, &b);
                g_object_unref(ms);
            }
            p->size = b.len;
            kensa_sha256_hex(b.p ? b.p : "", b.len, p->sha256);
            kbuf_free(&b);
        }
        if (inner)
            walk(w, g_mime_message_get_mime_part(inner), depth + 1, 1);
    } else if (GMIME_IS_PART(obj)) {
        leaf(w, obj, depth, in_rfc822);
    }
}

static int only_space(const char *s)
{
    for (; s && *s; s++)
        if (!is_wsp((unsigned char)*s) && (unsigned char)*s != 0xC2 && (unsigned char)*s != 0xA0)
            return 0;
    return 1;
}

static void choose_text(km_message *m)
{
    /* pass 0: outside attached messages; pass 1: anywhere */
    for (int pass = 0; pass < 2 && !m->text; pass++) {
        km_part *plain = NULL, *html = NULL;
        for (size_t i = 0; i < m->nparts; i++) {
            km_part *p = &m->parts[i];
            if (!p->text || (pass == 0 && p->in_rfc822))
                continue;
            if (p->disposition && strcmp(p->disposition, "attachment") == 0 && p->filename)
                continue;
            if (!plain && strcmp(p->content_type, "text/plain") == 0 && !only_space(p->text))
                plain = p;
            if (!html && strcmp(p->content_type, "text/html") == 0)
                html = p;
        }
        if (html && !m->html)
            m->html = html->text;
        if (plain) {
            m->text = plain->text;
            m->text_source = "text/plain";
        } else if (html) {
            m->text = html_visible_text(m->a, html->text, html->text_len, KM_MAX_TEXT);
            m->text_source = "text/html";
        }
    }
}

/* ------------------------------------------------------------------ parse */

/* GMime grows its header buffer in small steps, so one field of many
 * megabytes costs quadratic copying (84 s for a 5 MB line under ASan, 13 s
 * for 60 MB without). Fields of the top-level header block whose value is
 * longer than KM_MAX_HEADER_LEN are cut to that length (with the warning
 * read_headers would give) in a copy handed to GMime; m->raw keeps the bytes.
 * s is LF-only. Returns s itself when nothing is cut, NULL when out of memory. */
static const char *cap_header_fields(km_message *m, const char *s, size_t n, size_t *out_len)
{
    *out_len = n;
    char *o = NULL;
    size_t ol = 0, copied = 0; /* bytes of s already accounted for in o */
    size_t i = 0;
    while (i < n && s[i] != '\n') { /* one field per iteration; stops at the empty line */
        size_t start = i;
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : n;
        while (end < n && (s[end] == ' ' || s[end] == '\t')) {
            nl = memchr(s + end, '\n', n - end);
            end = nl ? (size_t)(nl - s) + 1 : n;
        }
        i = end;
        const char *colon = memchr(s + start, ':', end - start);
        size_t vstart = colon ? (size_t)(colon - s) + 1 : start;
        if (end - vstart <= KM_MAX_HEADER_LEN)
            continue;
        size_t cut = vstart + KM_MAX_HEADER_LEN; /* + the '\n' added below */
        while (cut > vstart && s[cut - 1] == '\n')
            cut--; /* never leave an empty line: it would end the header block */
        size_t nlen = colon ? (size_t)(colon - s) - start : 0;
        mime_warn(m, "header %.*s is %zu bytes, truncated to %u", (int)(nlen < 64 ? nlen : 64),
                  s + start, end - vstart, KM_MAX_HEADER_LEN);
        if (!o) {
            o = arena_alloc(m->a, n + 1);
            if (!o)
                return NULL;
        }
        memcpy(o + ol, s + copied, cut - copied);
        ol += cut - copied;
        o[ol++] = '\n';
        copied = end;
    }
    if (!o)
        return s;
    memcpy(o + ol, s + copied, n - copied);
    ol += n - copied;
    *out_len = ol;
    return o;
}

/* LF line ends everywhere (CRLF and bare CR both occur), so GMime and our
 * own scanners see one convention. *has_nul tells whether a NUL byte is in
 * the copy (found on the way, not by a second pass over the message). */
static char *normalize_eol(arena *a, const char *in, size_t n, size_t *out_len, int *has_nul)
{
    char *o = arena_alloc_raw(a, n + 1);
    if (!o)
        return NULL;
    size_t k = 0, i = 0;
    int nul = 0;
#ifdef __SSE2__
    /* 16 bytes a turn, copied and scanned for CR and NUL in one pass; as
     * k <= i, the 16-byte store at o + k stays inside o[0..n). Bytes stored
     * past a CR are written again on the next turn. */
    const __m128i cr = _mm_set1_epi8('\r'), zero = _mm_setzero_si128();
    __m128i zs = zero;
    while (n - i >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
        _mm_storeu_si128((__m128i *)(void *)(o + k), x);
        zs = _mm_or_si128(zs, _mm_cmpeq_epi8(x, zero));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, cr));
        if (!m) {
            i += 16;
            k += 16;
            continue;
        }
        size_t r = (size_t)__builtin_ctz(m);
        i += r;
        k += r;
        o[k++] = '\n'; /* CRLF or a bare CR becomes LF */
        i += i + 1 < n && in[i + 1] == '\n' ? 2 : 1;
    }
    nul = _mm_movemask_epi8(zs) != 0;
    while (i < n) {
        char c = in[i];
        if (c == '\r') {
            o[k++] = '\n';
            i += i + 1 < n && in[i + 1] == '\n' ? 2 : 1;
            continue;
        }
        nul |= c == '\0';
        o[k++] = c;
        i++;
    }
#else
    while (i < n) { /* runs without CR are copied whole (most mail has none) */
        const char *cr = memchr(in + i, '\r', n - i);
        size_t run = cr ? (size_t)(cr - (in + i)) : n - i;
        memcpy(o + k, in + i, run);
        k += run;
        i += run;
        if (i < n) { /* at a CR: CRLF or a bare CR becomes LF */
            o[k++] = '\n';
            i += i + 1 < n && in[i + 1] == '\n' ? 2 : 1;
        }
    }
    nul = k && memchr(o, '\0', k) != NULL;
#endif
    o[k] = '\0';
    *out_len = k;
    *has_nul = nul;
    return o;
}

static int looks_like_header_block(const char *s, size_t n)
{
    /* the first line must be "Name:" (printable, no spaces) or an mbox
     * "From " line; at least one such field in the first 64 KiB */
    size_t lim = n < 65536 ? n : 65536;
    size_t i = 0;
    if (lim >= 5 && memcmp(s, "From ", 5) == 0) {
        while (i < lim && s[i] != '\n')
            i++;
        i++;
    }
    size_t j = i;
    while (j < lim && s[j] != ':' && s[j] != '\n') {
        unsigned char c = (unsigned char)s[j];
        if (c == ' ' || c == '\t') {
            /* obsolete syntax allows "Name :" */
            size_t k = j;
            while (k < lim && (s[k] == ' ' || s[k] == '\t'))
                k++;
            return k < lim && s[k] == ':' && j > i;
        }
        if (c < 32 || c >= 127)
            return 0;
        j++;
    }
    return j < lim && j > i && s[j] == ':';
}

int mime_parse(arena *a, const mime_config *cfg, const char *bytes, size_t len, km_message **out,
               const char **why)
{
    km_message *m = arena_alloc(a, sizeof *m);
    if (!m) {
        *why = "out of memory";
        return -1;
    }
    m->a = a;
    if (len > KM_MAX_MESSAGE_SIZE) {
        mime_warn(m, "message is %zu bytes; only the first %u were analyzed", len,
                  KM_MAX_MESSAGE_SIZE);
        len = KM_MAX_MESSAGE_SIZE;
    }
    /* a UTF-8 byte order mark and leading blank space are not part of the
     * header block; real files carry both */
    size_t skip = 0;
    if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0)
        skip = 3;
    while (skip < len && is_wsp((unsigned char)bytes[skip]))
        skip++;
    if (skip && skip < len)
        mime_warn(m, "%zu bytes of byte-order mark or blank space before the header block skipped",
                  skip);
    if (skip < len) {
        bytes += skip;
        len -= skip;
    }
    size_t nl = 0;
    int has_nul = 0;
    char *norm = normalize_eol(a, bytes, len, &nl, &has_nul);
    if (!norm) {
        *why = "out of memory";
        return -1;
    }
    if (nl == 0) {
        *why = "empty input";
        return -1;
    }
    if (!looks_like_header_block(norm, nl)) {
        *why = "not an RFC 5322 message (no header fields)";
        return -1;
    }
    if (has_nul)
        mime_warn(m, "message contains NUL bytes");
    m->raw = norm;
    m->raw_len = nl;

    size_t gl = 0;
    const char *g = cap_header_fields(m, norm, nl, &gl);
    if (!g) {
        *why = "out of memory";
        return -1;
    }
    /* GMime reads the arena's bytes in place: the stream wraps them in a
     * byte array it does not own (with_buffer would copy the whole message).
     * Part streams are substreams sharing that array, so it is released only
     * once the message is gone; the bytes stay the arena's. */
    GByteArray *ga = g_byte_array_new_take((guint8 *)g, gl);
    GMimeStream *st = g_mime_stream_mem_new_with_byte_array(ga);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(st), FALSE);
    GMimeParser *ps = g_mime_parser_new_with_stream(st);
    g_mime_parser_set_format(ps, GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_respect_content_length(ps, FALSE);
    GMimeParserOptions *po = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
    GMimeMessage *msg = g_mime_parser_construct_message(ps, po);
    g_mime_parser_options_free(po);
    g_object_unref(ps);
    g_object_unref(st);
    if (!msg) {
        g_byte_array_free(ga, FALSE);
        *why = "not an RFC 5322 message (MIME parser found no message)";
        return -1;
    }

    read_headers(m, msg);
    if (m->nheaders == 0) {
        g_object_unref(msg);
        g_byte_array_free(ga, FALSE);
        *why = "not an RFC 5322 message (no header fields)";
        return -1;
    }

    const km_header *h;
    if ((h = mime_header_first(m, "Subject"))) {
        m->subject = h->value;
        m->subject_tag = find_subject_tag(a, cfg, m->subject);
    }
    if ((h = mime_header_first(m, "From"))) {
        km_addr *list = NULL;
        size_t n = parse_address_list(a, h->raw_bytes, h->raw_len, &list);
        if (n > 0) {
            m->from = list[0];
            m->has_from = 1;
        }
    }
    if ((h = mime_header_first(m, "Return-Path"))) {
        km_addr ad;
        parse_mailbox(a, h->raw_bytes, h->raw_len, &ad);
        m->return_path = ad.address ? ad.address : arena_strdup(a, "");
    }
    if ((h = mime_header_first(m, "Reply-To")))
        m->nreply_to = parse_address_list(a, h->raw_bytes, h->raw_len, &m->reply_to);
    if ((h = mime_header_first(m, "To")))
        m->nto = parse_address_list(a, h->raw_bytes, h->raw_len, &m->to);
    if ((h = mime_header_first(m, "Date"))) {
        m->date = iso_date(a, h->raw);
        if (!m->date)
            mime_warn(m, "Date header could not be parsed");
    }
    if ((h = mime_header_first(m, "Received"))) {
        const char *semi = strrchr(h->raw, ';');
        if (semi)
            m->received_at = iso_date(a, semi + 1);
    }
    if ((h = mime_header_first(m, "Message-ID")))
        m->message_id = trim_dup(a, h->raw, strlen(h->raw));

    walk_state w = {.m = m, .cap = 0};
    walk(&w, g_mime_message_get_mime_part(msg), 0, 0);
    choose_text(m);
    g_object_unref(msg);
    g_byte_array_free(ga, FALSE); /* the array only: its bytes are the arena's */
    *out = m;
    return 0;
}
