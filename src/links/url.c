/*
 * url.c - turn one URL candidate, as written in hostile mail, into the form
 * kensa compares and reports: controls and zero-width/bidi characters
 * removed, defanging undone (hxxp, [.], (.), [:]), scheme lowercased, the
 * real host taken past any userinfo, percent-decoded, numeric IPv4 forms
 * (3232235777, 0xC0.0xA8.1.1, 0300.0250.1.1) parsed as WHATWG does, IDN to
 * A-label via domain.h. Bounded: candidates are cut at LINKS_MAX_URL bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/domain.h"
#include "../util/kbuf.h"
#include "../util/lanes.h"
#include "links_int.h"

int url_has_scheme(const char *s, size_t len)
{
    if (!len || !isalpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < len && i < 32; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':')
            return 1;
        if (!isalnum(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *url_pct_decode(arena *a, const char *s, size_t len)
{
    char *o = arena_alloc(a, len + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len + 0 && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
            o[j++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
            i += 2;
        } else {
            o[j++] = s[i];
        }
    }
    o[j] = '\0';
    return o;
}

const char *url_site(const url_info *u)
{
    if (!u || !u->host)
        return NULL;
    if (u->flags & LINK_IP_HOST)
        return u->host;
    return u->domain;
}

/* Copy raw into b without controls and invisible code points; trim spaces. */
static void clean(kbuf *b, const char *raw, size_t len, unsigned *flags)
{
    const unsigned char *s = (const unsigned char *)raw;
    while (len && (s[0] == ' ' || s[0] < 0x20))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] < 0x20))
        len--;
    size_t i = 0;
    while (i < len) {
        /* a run of printable ASCII other than space is copied as it is: at
         * once when it fits (else byte by byte, as the limit wants) */
        size_t r = i;
        while (r + 8 <= len) {
            uint64_t x = lanes_load(s + r);
            uint64_t bad = ~(lanes_ge(x, 0x21) & ~lanes_ge(x, 0x7F)) & LANES_ALL;
            if (bad) {
                r += (size_t)__builtin_ctzll(bad) >> 3;
                break;
            }
            r += 8;
        }
        if (r + 8 > len)
            while (r < len && s[r] > 0x20 && s[r] < 0x7F)
                r++;
        if (r - i > 1 && kbuf_add(b, s + i, r - i) == KBUF_OK) {
            i = r;
            continue;
        }
        size_t adv = 1;
        unsigned long cp = s[i];
        if (cp >= 0x80)
            cp = links_u8(s + i, len - i, &adv);
        if (cp < 0x20 || cp == 0x7f) {
            i += adv;
            continue;
        }
        if (links_is_invisible(cp)) {
            *flags |= LINK_INVISIBLE_CHARS;
            i += adv;
            continue;
        }
        int rc = cp == ' ' ? kbuf_adds(b, "%20") : kbuf_add(b, s + i, adv);
        if (rc) {
            *flags |= LINK_TRUNCATED;
            return;
        }
        i += adv;
    }
}

/* Undo defanging in place; returns 1 when something was refanged. */
static int refang(kbuf *b)
{
    static const struct {
        const char *from, *to;
    } rep[] = {{"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."},
               {"[:]", ":"}, {"(:)", ":"}, {"[://]", "://"}, {"[/]", "/"}};
    int did = 0;
    /* scheme: hxxp, hXXp, h**p, hxxps, fxp, and the like */
    char *p = b->p;
    if (b->len >= 4 && (p[0] == 'h' || p[0] == 'H') &&
        strchr("xX*tT", p[1]) && strchr("xX*tT", p[2]) && (p[3] == 'p' || p[3] == 'P') &&
        !(strchr("tT", p[1]) && strchr("tT", p[2]))) {
        size_t k = 4;
        if (k < b->len && (p[k] == 's' || p[k] == 'S'))
            k++;
        if (k < b->len && (p[k] == ':' || p[k] == '[' || p[k] == '(')) {
            p[1] = p[2] = 't';
            did = 1;
        }
    } else if (b->len >= 4 && (p[0] == 'f' || p[0] == 'F') && (p[1] == 'x' || p[1] == 'X') &&
               (p[2] == 'p' || p[2] == 'P') && p[3] == ':') {
        p[1] = 't';
        did = 1;
    }
    /* up to the first byte a pattern starts with nothing moves: skip
     * there eight bytes at a time (most URLs have none) */
    size_t j = 0, i0 = 0;
    while (i0 + 8 <= b->len) {
        uint64_t x = lanes_load(p + i0);
        uint64_t m = ~(lanes_ne(x, '[') & lanes_ne(x, '(') & lanes_ne(x, '{')) & LANES_ALL;
        if (m) {
            i0 += (size_t)__builtin_ctzll(m) >> 3;
            break;
        }
        i0 += 8;
    }
    while (i0 < b->len && p[i0] != '[' && p[i0] != '(' && p[i0] != '{')
        i0++;
    j = i0;
    for (size_t i = i0; i < b->len;) {
        if (p[i] != '[' && p[i] != '(' && p[i] != '{') { /* no pattern starts here */
            p[j++] = p[i++];
            continue;
        }
        size_t r;
        for (r = 0; r < sizeof rep / sizeof rep[0]; r++) {
            size_t fl = strlen(rep[r].from);
            if (i + fl <= b->len && strncasecmp(p + i, rep[r].from, fl) == 0)
                break;
        }
        if (r < sizeof rep / sizeof rep[0]) {
            size_t tl = strlen(rep[r].to);
            memcpy(p + j, rep[r].to, tl); /* to is never longer than from */
            j += tl;
            i += strlen(rep[r].from);
            did = 1;
        } else {
            p[j++] = p[i++];
        }
    }
    b->len = j;
    p[j] = '\0';
    return did;
}

/* WHATWG IPv4 parser: 1-4 parts, each decimal, 0x hex or 0 octal. */
static int parse_ipv4(const char *h, unsigned char out[4])
{
    unsigned long long parts[4];
    int n = 0;
    const char *p = h;
    if (!*p)
        return 0;
    for (;;) {
        if (n == 4)
            return 0;
        const char *q = p;
        int base = 10;
        if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
            base = 16;
            q += 2;
        } else if (q[0] == '0' && q[1] && q[1] != '.') {
            base = 8;
            q++;
        }
        unsigned long long v = 0;
        int digits = 0;
        while (*q && *q != '.') {
            int d = hexv((unsigned char)*q);
            if (d < 0 || d >= base)
                return 0;
            v = v * (unsigned)base + (unsigned)d;
            if (v > 0xFFFFFFFFull)
                return 0;
            digits++;
            q++;
        }
        if (!digits && !(base == 16)) {
            if (q == p)
                return 0; /* empty part */
        }
        parts[n++] = v;
        if (!*q)
            break;
        p = q + 1;
        if (!*p)
            break; /* one trailing dot is allowed */
    }
    for (int i = 0; i < n - 1; i++)
        if (parts[i] > 255)
            return 0;
    unsigned long long last = parts[n - 1];
    if (last >= (1ull << (8 * (5 - n))))
        return 0;
    unsigned long v = (unsigned long)last;
    for (int i = 0; i < n - 1; i++)
        v += (unsigned long)parts[i] << (8 * (3 - i));
    out[0] = (unsigned char)(v >> 24);
    out[1] = (unsigned char)(v >> 16);
    out[2] = (unsigned char)(v >> 8);
    out[3] = (unsigned char)v;
    return 1;
}

/* A-label host fit for registrable-domain lookups: LDH labels (and '_'),
 * no empty label, no label starting or ending with '-', at least two labels,
 * a TLD of letters (or xn--). */
static int host_syntax_ok(const char *h)
{
    size_t labels = 0;
    const char *p = h;
    const char *last = h;
    while (*p) {
        const char *q = p;
        while (*q && *q != '.') {
            unsigned char c = (unsigned char)*q;
            if (!(islower(c) || isdigit(c) || c == '-' || c == '_'))
                return 0;
            q++;
        }
        if (q == p || *p == '-' || q[-1] == '-' || q - p > 63)
            return 0;
        labels++;
        last = p;
        p = *q ? q + 1 : q;
    }
    if (labels < 2)
        return 0;
    if (strncmp(last, "xn--", 4) == 0)
        return 1;
    for (p = last; *p; p++)
        if (!islower((unsigned char)*p))
            return 0;
    return 1;
}

/* Host from the authority: decode, fold, IP or IDNA. */
static void set_host(arena *a, url_info *u, const char *h, size_t hl, int bracketed)
{
    char *d = url_pct_decode(a, h, hl);
    if (!d)
        return;
    if (memchr(h, '%', hl))
        u->flags |= LINK_PCT_HOST;
    /* fullwidth / ideographic full stops act as dots (UTS #46) */
    kbuf b;
    kbuf_init(&b, 1024);
    for (const unsigned char *p = (const unsigned char *)d; *p;) {
        size_t adv = 1;
        unsigned long cp = *p >= 0x80 ? links_u8(p, strlen((const char *)p), &adv) : *p;
        if (cp == 0x3002 || cp == 0xFF0E || cp == 0xFF61)
            kbuf_addc(&b, '.');
        else if (cp < 0x80)
            kbuf_addc(&b, (char)tolower((int)cp));
        else
            kbuf_add(&b, p, adv);
        p += adv;
    }
    char *host = kbuf_take_arena(&b, a);
    kbuf_free(&b);
    if (!host)
        return;
    size_t n = strlen(host);
    while (n && host[n - 1] == '.')
        host[--n] = '\0';
    if (!n)
        return;
    if (bracketed) {
        if (domain_ip_family(host) == 6) {
            u->host = host;
            u->host_unicode = host;
            u->host_valid = 1;
            u->flags |= LINK_IP_HOST;
        }
        return;
    }
    unsigned char ip[4];
    int numeric = 1;
    for (const char *p = host; *p; p++)
        if (!isxdigit((unsigned char)*p) && *p != '.' && *p != 'x')
            numeric = 0;
    /* the last label decides (WHATWG "ends in a number") */
    const char *last = strrchr(host, '.');
    last = last ? last + 1 : host;
    int ends_num = *last && (isdigit((unsigned char)*last));
    if (numeric && ends_num && parse_ipv4(host, ip)) {
        char *q = arena_printf(a, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        if (q && strcmp(q, host) != 0)
            u->flags |= LINK_NUMERIC_IP;
        u->host = u->host_unicode = q;
        u->host_valid = q != NULL;
        u->flags |= LINK_IP_HOST;
        return;
    }
    char *ascii = domain_ascii(a, host);
    if (ascii && host_syntax_ok(ascii)) {
        u->host = ascii;
        u->host_valid = 1;
        u->host_unicode = domain_unicode(a, ascii);
        if (strncmp(ascii, "xn--", 4) == 0 || strstr(ascii, ".xn--"))
            u->flags |= LINK_IDN;
        u->domain = domain_registrable(a, ascii);
        u->tld = domain_suffix(a, ascii);
    } else {
        u->host = host;
        u->host_unicode = host;
    }
}

/* set_host through the cache: an equal raw host gives the same strings
 * (shared, never written to afterwards) and the same flags */
static void set_host_c(arena *a, url_host_cache *hc, url_info *u, const char *h, size_t hl,
                       int bracketed)
{
    if (!hc || hl > URL_HOST_KEY_MAX) {
        set_host(a, u, h, hl, bracketed);
        return;
    }
    for (unsigned k = 0; k < URL_HOST_CACHE; k++) {
        const url_host_memo *m = &hc->e[k];
        if (m->key && m->klen == hl && m->bracketed == bracketed && memcmp(m->key, h, hl) == 0) {
            u->host = m->host;
            u->host_unicode = m->host_unicode;
            u->domain = m->domain;
            u->tld = m->tld;
            u->host_valid = m->host_valid;
            u->flags |= m->flags;
            return;
        }
    }
    unsigned before = u->flags;
    u->flags = 0;
    set_host(a, u, h, hl, bracketed);
    unsigned added = u->flags;
    u->flags = before | added;
    char *key = arena_strndup(a, h, hl);
    if (!key)
        return;
    url_host_memo *m = &hc->e[hc->next];
    hc->next = (hc->next + 1) % URL_HOST_CACHE;
    *m = (url_host_memo){key,       hl,      bracketed, u->host_valid, added,
                         u->host,   u->host_unicode,   u->domain,     u->tld};
}

int url_normalize(arena *a, const char *raw, size_t len, url_info *u)
{
    return url_normalize_c(a, NULL, raw, len, u);
}

int url_normalize_c(arena *a, url_host_cache *hc, const char *raw, size_t len, url_info *u)
{
    memset(u, 0, sizeof *u);
    kbuf b;
    kbuf_init(&b, LINKS_MAX_URL);
    clean(&b, raw, len, &u->flags);
    if (b.len == 0) {
        kbuf_free(&b);
        return -1;
    }
    if (refang(&b))
        u->flags |= LINK_DEFANGED_INPUT;
    const char *s = kbuf_str(&b);
    size_t n = b.len;
    int rc = -1;
    kbuf o;
    kbuf_init(&o, LINKS_MAX_URL + 64);
    size_t i = 0;
    char scheme[16] = "";
    if (url_has_scheme(s, n)) {
        size_t k = 0;
        while (s[k] != ':' && k < sizeof scheme - 1) {
            scheme[k] = (char)tolower((unsigned char)s[k]);
            k++;
        }
        scheme[k] = '\0';
        i = (size_t)(strchr(s, ':') - s) + 1;
    } else if (n > 2 && s[0] == '/' && s[1] == '/') {
        snprintf(scheme, sizeof scheme, "http");
    } else if (n > 4 && strncasecmp(s, "www.", 4) == 0) {
        snprintf(scheme, sizeof scheme, "http");
    } else {
        /* bare host[/path] from the text scanner */
        snprintf(scheme, sizeof scheme, "http");
    }
    if (strcmp(scheme, "javascript") == 0 || strcmp(scheme, "data") == 0) {
        u->kind = scheme[0] == 'j' ? URL_JS : URL_DATA;
        u->flags |= scheme[0] == 'j' ? LINK_JS_URI : LINK_DATA_URI;
        size_t keep = n > 256 ? 256 : n;
        while (keep < n && keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--;
        u->url = arena_printf(a, "%s:%.*s%s", scheme, (int)(keep - i), s + i,
                              keep < n ? "..." : "");
        rc = u->url ? 0 : -1;
        goto out;
    }
    if (strcmp(scheme, "mailto") == 0) {
        u->kind = URL_MAILTO;
        const char *addr = s + i;
        size_t al = strcspn(addr, "?");
        const char *at = memchr(addr, '@', al);
        char *dec = url_pct_decode(a, addr, al);
        u->url = arena_printf(a, "mailto:%s", dec ? dec : "");
        if (at && (size_t)(at - addr) + 1 < al) {
            set_host_c(a, hc, u, at + 1, al - (size_t)(at - addr) - 1, 0);
            if (dec && u->host && u->host_valid) {
                const char *dat = strrchr(dec, '@');
                u->url = arena_printf(a, "mailto:%.*s@%s", (int)(dat ? dat - dec : 0), dec,
                                      u->host);
            }
        }
        rc = u->host ? 0 : -1;
        goto out;
    }
    if (strcmp(scheme, "http") && strcmp(scheme, "https") && strcmp(scheme, "ftp"))
        goto out;
    u->kind = URL_WEB;
    /* special schemes: any run of / and \ before the authority */
    while (i < n && (s[i] == '/' || s[i] == '\\'))
        i++;
    size_t as = i;
    while (i < n && s[i] != '/' && s[i] != '\\' && s[i] != '?' && s[i] != '#')
        i++;
    size_t ae = i;
    const char *at = NULL;
    for (size_t k = as; k < ae; k++)
        if (s[k] == '@')
            at = s + k;
    size_t hs = as;
    if (at) {
        u->flags |= LINK_USERINFO;
        hs = (size_t)(at - s) + 1;
    }
    size_t he = ae, ps = ae, pe = ae;
    int bracketed = 0;
    if (hs < ae && s[hs] == '[') {
        const char *rb = memchr(s + hs, ']', ae - hs);
        if (rb) {
            bracketed = 1;
            he = (size_t)(rb - s);
            hs++;
            ps = he + 1;
        }
    } else {
        const char *colon = NULL;
        for (size_t k = hs; k < ae; k++)
            if (s[k] == ':')
                colon = s + k;
        if (colon) {
            he = (size_t)(colon - s);
            ps = he;
        }
    }
    set_host_c(a, hc, u, s + hs, he - hs, bracketed);
    if (!u->host)
        goto out;
    kbuf_adds(&o, scheme);
    kbuf_adds(&o, "://");
    if (at)
        kbuf_add(&o, s + as, (size_t)(at - s) - as + 1);
    if (bracketed)
        kbuf_addc(&o, '[');
    kbuf_adds(&o, u->host);
    if (bracketed)
        kbuf_addc(&o, ']');
    /* port: keep unless empty or the default */
    if (ps < pe && s[ps] == ':' && pe - ps > 1) {
        size_t pl = pe - ps;
        int dflt = (strcmp(scheme, "http") == 0 && pl == 3 && strncmp(s + ps, ":80", 3) == 0) ||
                   (strcmp(scheme, "https") == 0 && pl == 4 && strncmp(s + ps, ":443", 4) == 0);
        if (!dflt)
            kbuf_add(&o, s + ps, pl);
    }
    size_t path_off = o.len;
    if (i >= n || s[i] == '?' || s[i] == '#')
        kbuf_addc(&o, '/');
    /* the rest as it is but backslashes (in the path of special schemes
     * they are slashes), run by run; cut where byte by byte would */
    while (i < n) {
        if (s[i] == '\\') {
            if (kbuf_addc(&o, '/')) {
                u->flags |= LINK_TRUNCATED;
                break;
            }
            i++;
            continue;
        }
        const char *bs = memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - s) - i : n - i;
        size_t room = o.max > o.len ? o.max - o.len : 0;
        if (run > room) {
            kbuf_add(&o, s + i, room);
            u->flags |= LINK_TRUNCATED;
            break;
        }
        if (kbuf_add(&o, s + i, run)) { /* out of memory */
            u->flags |= LINK_TRUNCATED;
            break;
        }
        i += run;
    }
    u->url = kbuf_take_arena(&o, a);
    if (!u->url)
        goto out;
    u->path = u->url + path_off;
    char *q = strchr(u->path, '?');
    if (q) {
        char *h = strchr(u->path, '#');
        if (!h || h > q)
            u->query = q + 1;
    }
    rc = 0;
out:
    kbuf_free(&b);
    kbuf_free(&o);
    return rc;
}
