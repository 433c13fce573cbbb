/*
 * test_links.c - unit tests of the links stage (src/links): extraction from
 * text and HTML, Japanese-adjacent URL endings, defanged input, obfuscation
 * tricks, redirector unwrapping, IDN equality, mismatch and defanging, and
 * the limits. Messages are built by hand (m->parts) or parsed from bytes.
 * usage: test_links [DATA_DIR]   (default $KENSA_DATA_DIR, else ./data)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/links.h"
#include "../../src/links/links_int.h"
#include "../../src/util/kbuf.h"
#include "../../src/report/json_links.h"
#include "../tap.h"

static const links_data *D;

static links_result run(arena *a, const char *text, const char *html)
{
    km_message *m = arena_alloc(a, sizeof *m);
    m->a = a;
    m->parts = arena_alloc(a, 2 * sizeof *m->parts);
    if (text) {
        km_part *p = &m->parts[m->nparts++];
        p->content_type = "text/plain";
        p->text = arena_strdup(a, text);
        p->text_len = strlen(text);
    }
    if (html) {
        km_part *p = &m->parts[m->nparts++];
        p->content_type = "text/html";
        p->text = arena_strdup(a, html);
        p->text_len = strlen(html);
        m->html = p->text;
    }
    links_result r;
    if (links_extract(a, D, m, &r) != 0)
        memset(&r, 0, sizeof r);
    return r;
}

static const link_t *by_url(const links_result *r, const char *url)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].url, url) == 0)
            return &r->v[i];
    return NULL;
}

static const link_t *by_host(const links_result *r, const char *host)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].host && strcmp(r->v[i].host, host) == 0)
            return &r->v[i];
    return NULL;
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* one URL found in text, exactly `want` */
static void text_one(arena *a, const char *text, const char *want, const char *what)
{
    links_result r = run(a, text, NULL);
    int ok = r.n == 1 && streq(r.v[0].url, want);
    TAP_OK(ok, "text: %s", what);
    if (!ok)
        for (size_t i = 0; i < r.n; i++)
            printf("#   got %s\n", r.v[i].url);
}


/* spans of links_scan_text as "start-end/kind;" */
typedef struct {
    char buf[4096];
    size_t n;
} span_log;

static int log_span(void *ctx, const char *text, size_t s, size_t e, int kind)
{
    span_log *l = ctx;
    (void)text;
    int w = snprintf(l->buf + l->n, sizeof l->buf - l->n, "%zu-%zu/%d;", s, e, kind);
    if (w > 0 && (size_t)w < sizeof l->buf - l->n)
        l->n += (size_t)w;
    return 0;
}

/* the same spans with and without the plain-word skip */
static int skip_same(const char *t, size_t len, int bare)
{
    span_log x = {{0}, 0}, y = {{0}, 0};
    links_scan_skip_plain = 1;
    size_t nx = links_scan_text(t, len, bare, log_span, &x);
    links_scan_skip_plain = 0;
    size_t ny = links_scan_text(t, len, bare, log_span, &y);
    links_scan_skip_plain = 1;
    if (nx != ny || strcmp(x.buf, y.buf) != 0) {
        printf("#   differs (bare %d): %.*s\n#   skip %s\n#   full %s\n", bare, (int)len, t, x.buf,
               y.buf);
        return 0;
    }
    return 1;
}

/* links_scan_text jumps over runs of plain words to the word before the
 * next hot byte: words next to each hot byte, at every offset, give the
 * same spans as a scan of every word */
static void test_skip_plain(void)
{
    static const char *const pieces[] = {
        "word ", "http", "https", "hxxp", "h**p", "ftp", "fxp", "mailto", "www", "x", "ab",
        "evil", "top", "jp", "co", "login", "info", ":", "[:]", "(:)", "://", ":\\\\", ".",
        "[.]", "(.)", "{.}", "[dot]", "(dot)", "-", "_", "@", "*", "/", "?", "#", "=", "&",
        "%", "+", "~", ",", ")", "]", "}", " ", "\n", "\t", "\"", "'", "<", ">", "日本",
        "čau", "。", "\xe2\x80\x8b", "\xc3", "\xff", "1.2", "a.b.c", "www.", "user@",
        "x.jp", "evil.top/", "ab.cd.", "::", "[", "(", "{",
    };
    size_t np = sizeof pieces / sizeof pieces[0];
    int same = 1;
    unsigned long long seed = 88172645463325252ULL;
    char t[512];
    for (int round = 0; round < 20000 && same; round++) {
        size_t n = 0;
        int parts = 1 + (int)(round % 24);
        for (int k = 0; k < parts; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            const char *p = pieces[seed % np];
            size_t l = strlen(p);
            if (n + l >= sizeof t)
                break;
            memcpy(t + n, p, l);
            n += l;
        }
        same &= skip_same(t, n, 0) && skip_same(t, n, 1);
        /* every prefix and suffix of the mix too (the ends and the 8/16-byte steps) */
        for (size_t c = 0; c + 1 < n && same && round < 1000; c++)
            same &= skip_same(t + c, n - c, round & 1) && skip_same(t, c, !(round & 1));
    }
    TAP_OK(same, "text: skipping plain words gives the same spans as scanning every word");
    const char *fixed[] = {"a b c d e f g h i j k l m n o p q r s t u v w x y z https://x.jp/a",
                           "plain words then www.x.jp/b and more plain words then evil[.]top x",
                           "plain words then a-b.evil.top/login and mailto:a@b.jp the end",
                           "long plain prose without any hot byte at all until the very end"};
    int fixed_ok = 1;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        fixed_ok &= skip_same(fixed[i], strlen(fixed[i]), 0) && skip_same(fixed[i], strlen(fixed[i]), 1);
    TAP_OK(fixed_ok, "text: plain-word skip, fixed cases");
}

static void test_text(arena *a)
{
    text_one(a, "詳細はhttps://x.jp/aこちら", "https://x.jp/a", "ends before こ");
    text_one(a, "（https://x.jp/a）をご確認", "https://x.jp/a", "fullwidth parens");
    text_one(a, "「https://x.jp」から", "https://x.jp/", "kagi brackets");
    text_one(a, "https://x.jp/a、次に", "https://x.jp/a", "ideographic comma");
    text_one(a, "こちら https://x.jp/path?a=1&b=2。", "https://x.jp/path?a=1&b=2",
             "ideographic full stop");
    text_one(a, "https://x.jpをクリック", "https://x.jp/", "host then kana");
    text_one(a, "see (https://example.com/a_(b)) now.", "https://example.com/a_(b)",
             "balanced ASCII parens kept, closing one dropped");
    text_one(a, "Visit https://example.com/x.", "https://example.com/x", "trailing dot dropped");
    text_one(a, "go to www.x.jp/login now", "http://www.x.jp/login", "www without scheme");
    text_one(a, "ログインwww.x.co.jp/loginへ", "http://www.x.co.jp/login", "www after kanji");
    text_one(a, "<https://x.jp/a>", "https://x.jp/a", "angle brackets");
    text_one(a, "mail mailto:info@Brand.co.jp please", "mailto:info@brand.co.jp", "mailto");
    text_one(a, "URL: https://日本語.jp/a です", "https://xn--wgv71a119e.jp/a", "Japanese IDN host");
    links_result r = run(a, "version 1.2.3, file.txt, a.b, user.name@example.com, 3.14 e.g.", NULL);
    TAP_OK(r.n == 0, "text: no false URLs (%zu)", r.n);
    /* the scanner skips eight bytes at a time and whole plain words: URLs
     * after every offset of words, punctuation and kana */
    int at_all = 1, bare_all = 1, www_all = 1, none_all = 1;
    for (int k = 0; k < 20; k++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s https://x.jp/a", k, "ab c-d e_f g@h i:j k/l mn");
        r = run(a, buf, NULL);
        at_all &= r.n == 1 && streq(r.v[0].url, "https://x.jp/a");
        snprintf(buf, sizeof buf, "%.*s ab-cd.evil.top/login", k, "abcdefghijklmnopqrstuvw");
        r = run(a, buf, NULL);
        bare_all &= r.n == 1 && streq(r.v[0].url, "http://ab-cd.evil.top/login");
        snprintf(buf, sizeof buf, "%.*s あwww.x.jp/b", k, "ww w. www wwww.w wwwwwww");
        r = run(a, buf, NULL);
        www_all &= r.n == 1 && streq(r.v[0].url, "http://www.x.jp/b");
        snprintf(buf, sizeof buf, "%.*sxhttps://x.jp/a zwww.y.jp/b", k, "abcdefghijklmnopqrstuvw");
        r = run(a, buf, NULL);
        none_all &= !by_url(&r, "https://x.jp/a") && !by_url(&r, "http://www.y.jp/b");
    }
    TAP_OK(at_all, "text: scheme URL after 0..19 bytes");
    TAP_OK(bare_all, "text: bare host with path after a word of 0..19 bytes");
    TAP_OK(www_all, "text: www after kana, 0..19 bytes in");
    TAP_OK(none_all, "text: no URL starts inside a word, 0..19 bytes in");
}

static void test_defanged(arena *a)
{
    const char *in[] = {"hxxps://www[.]threnodycode[.]cfd/0zOog1",
                        "hXXps://www[.]threnodycode[.]cfd/0zOog1",
                        "h**ps://www(.)threnodycode(.)cfd/0zOog1",
                        "https[:]//www[.]threnodycode[.]cfd/0zOog1",
                        "www[.]threnodycode[.]cfd/0zOog1"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        links_result r = run(a, in[i], NULL);
        int ok = r.n == 1 && (r.v[0].flags & LINK_DEFANGED_INPUT) &&
                 streq(r.v[0].host, "www.threnodycode.cfd") &&
                 streq(r.v[0].domain, "threnodycode.cfd");
        TAP_OK(ok, "defanged input refanged: %s", in[i]);
    }
    links_result r = run(a, "report: threnodycode[.]cfd was used", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].host, "threnodycode.cfd"), "bare defanged domain");
    TAP_OK(streq(links_defang_url(a, "https://www.threnodycode.cfd/0zOog1"),
                 "hxxps://www[.]threnodycode[.]cfd/0zOog1"),
           "links_defang_url https");
    TAP_OK(streq(links_defang_url(a, "http://a.b.jp/x.html?q=a.b"),
                 "hxxp://a[.]b[.]jp/x.html?q=a.b"),
           "defang keeps path dots");
    r = run(a, "https://www.threnodycode.cfd/0zOog1", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].defanged, "hxxps://www[.]threnodycode[.]cfd/0zOog1"),
           "defanged field");
    const char *t = "手続き https://open.monex.co.jp/mfa こちら www.x.jp/a と hxxp://e[.]vil.top";
    char *d = links_defang_text(a, &r, t);
    TAP_OK(streq(d, "手続き hxxps://open[.]monex[.]co[.]jp/mfa こちら www[.]x[.]jp/a と "
                    "hxxp://e[.]vil[.]top"),
           "links_defang_text");
    if (d && !streq(d, "手続き hxxps://open[.]monex[.]co[.]jp/mfa こちら www[.]x[.]jp/a と "
                         "hxxp://e[.]vil[.]top"))
        printf("#   got %s\n", d);
    /* links_extract keeps the spans of text/plain parts: defanging that very
     * text (the same pointer, as message.text is) replays them and must give
     * what a fresh scan gives, also past the candidate limit */
    int same = 1, replayed = 1;
    size_t big = 25000 * 12 + 1; /* 25,000 URLs: past LINKS_MAX_CANDIDATES */
    char *many = arena_alloc(a, big);
    for (size_t i = 0; i < 25000; i++)
        memcpy(many + 12 * i, "http://a.jp ", 12);
    many[big - 1] = '\0';
    const char *texts[] = {t, "no links here", "mail a@b.jp, https://x.example/p?q=1 and ftp://f.example",
                           many};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        km_message *m = arena_alloc(a, sizeof *m);
        m->a = a;
        m->parts = arena_alloc(a, sizeof *m->parts);
        m->parts[0].content_type = "text/plain";
        m->parts[0].text = (char *)texts[i];
        m->parts[0].text_len = strlen(texts[i]);
        m->nparts = 1;
        links_result kept, fresh;
        memset(&fresh, 0, sizeof fresh);
        if (links_extract(a, D, m, &kept) != 0) {
            same = 0;
            continue;
        }
        if (!kept.scans)
            replayed = 0;
        char *x = links_defang_text(a, &kept, texts[i]), *y = links_defang_text(a, &fresh, texts[i]);
        if (!x || !y || strcmp(x, y) != 0)
            same = 0;
    }
    TAP_OK(replayed, "links_extract keeps the spans of each text/plain part");
    TAP_OK(same, "defanging from the kept spans equals a fresh scan (4 texts, one past the limit)");
}

static void test_tricks(arena *a)
{
    links_result r = run(a, "https://www.monex.co.jp@evil.top/login", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].host, "evil.top") && (r.v[0].flags & LINK_USERINFO),
           "userinfo trick: host is evil.top");
    r = run(a, "http://3232235777/", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].host, "192.168.1.1") && (r.v[0].flags & LINK_NUMERIC_IP) &&
               (r.v[0].flags & LINK_IP_HOST) && !r.v[0].domain,
           "decimal IP 3232235777 -> 192.168.1.1");
    r = run(a, "http://0xC0.0xA8.1.1/a", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].host, "192.168.1.1"), "hex IP");
    r = run(a, "http://0300.0250.01.01/a", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].host, "192.168.1.1"), "octal IP");
    r = run(a, "http://192.168.1.1:8080/a", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].host, "192.168.1.1") &&
               !(r.v[0].flags & LINK_NUMERIC_IP) && streq(r.v[0].url, "http://192.168.1.1:8080/a"),
           "dotted IP with port");
    r = run(a, "http://[2001:db8::1]/x", NULL);
    TAP_OK(r.n == 1 && streq(r.v[0].host, "2001:db8::1") && (r.v[0].flags & LINK_IP_HOST),
           "IPv6 literal");
    r = run(a, NULL, "<a href=\"https://ev\xE2\x80\x8Bil.top/\xE2\x80\xAEx\">x</a>");
    TAP_OK(r.n == 1 && streq(r.v[0].host, "evil.top") && (r.v[0].flags & LINK_INVISIBLE_CHARS),
           "zero-width and bidi stripped and flagged");
    r = run(a, NULL, "<a href=\"https://evil.top/a\r\nb\t\">x</a>");
    TAP_OK(r.n == 1 && streq(r.v[0].url, "https://evil.top/ab"), "CR LF stripped from href");
    r = run(a, NULL, "<a href=\"https://%65vil.top/\">x</a>");
    TAP_OK(r.n == 1 && streq(r.v[0].host, "evil.top") && (r.v[0].flags & LINK_PCT_HOST),
           "percent-encoded host decoded");
    r = run(a, NULL, "<a href=\"https://xn--80akgskdkd.xn--p1ai/\">x</a>");
    TAP_OK(r.n == 1 && (r.v[0].flags & LINK_IDN) && streq(r.v[0].host_unicode, "спаморез.рф"),
           "punycode host has unicode form");
    r = run(a, NULL, "<a href=\"https://ＥＸＡＭＰＬＥ。ｃｏｍ/\">x</a>");
    TAP_OK(r.n == 1 && streq(r.v[0].host, "example.com"), "fullwidth host folded");
    r = run(a, NULL, "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>"
                     "<a href=\"javascript:location='https://evil.top/j'\">y</a>");
    int dat = 0, js = 0;
    for (size_t i = 0; i < r.n; i++) {
        dat |= (r.v[i].flags & LINK_DATA_URI) != 0;
        js |= (r.v[i].flags & LINK_JS_URI) != 0;
    }
    TAP_OK(dat && js && by_host(&r, "evil.top"), "data: and javascript: flagged, URL inside js");
    r = run(a, "https://bit.ly/3abc and https://t.co/xyz", NULL);
    TAP_OK(r.n == 2 && (r.v[0].flags & LINK_SHORTENER) && (r.v[1].flags & LINK_SHORTENER),
           "shorteners flagged");
}

static void test_html(arena *a)
{
    const char *h =
        "<html><head><base href=\"https://base.example.jp/dir/page.html\">"
        "<meta http-equiv=\"refresh\" content=\"0; url=https://meta.example/x\"></head><body>"
        "<a href=\"rel/a.html\">rel</a><area href=\"https://area.example/\" alt=\"map\">"
        "<form action=\"https://form.example/post\"></form><img src=\"https://img.example/p.gif\""
        " srcset=\"https://s1.example/a.png 1x, https://s2.example/b.png 2x\">"
        "<iframe src=\"https://frame.example/\"></iframe>"
        "<div onclick=\"location.href='https://click.example/go'\">x</div>"
        "<p>text link https://textnode.example/t here</p></body></html>";
    links_result r = run(a, NULL, h);
    TAP_OK(by_url(&r, "https://base.example.jp/dir/rel/a.html") != NULL, "base href resolves");
    const link_t *l = by_host(&r, "meta.example");
    TAP_OK(l && streq(l->element, "meta"), "meta refresh");
    TAP_OK((l = by_host(&r, "area.example")) && streq(l->element, "area"), "area href");
    TAP_OK((l = by_host(&r, "form.example")) && streq(l->element, "form"), "form action");
    TAP_OK((l = by_host(&r, "img.example")) && streq(l->element, "img"), "img src");
    TAP_OK(by_host(&r, "s1.example") && by_host(&r, "s2.example"), "srcset");
    TAP_OK((l = by_host(&r, "frame.example")) && streq(l->element, "iframe"), "iframe src");
    TAP_OK((l = by_host(&r, "click.example")) && streq(l->element, "onclick"), "onclick location");
    TAP_OK((l = by_host(&r, "textnode.example")) && streq(l->source, "html"), "URL in HTML text");
    /* broken HTML */
    r = run(a, NULL, "<b><a href=https://broken.example/a?x=1&amp;y=2>click</b> more <a href='"
                     "https://unterminated.example/");
    TAP_OK(by_url(&r, "https://broken.example/a?x=1&y=2") != NULL, "broken HTML: unquoted href");
    r = run(a, NULL, "<table><tr><td><a href=\"https://t.example/\">in table<td>next</table>"
                     "<a href=\"https://u.example/\"><a href=\"https://v.example/\">nested</a>");
    TAP_OK(by_host(&r, "t.example") && by_host(&r, "u.example") && by_host(&r, "v.example"),
           "broken HTML: misnested table and anchors");
    /* hostile depth: no recursion */
    size_t depth = 100000;
    char *deep = malloc(depth * 5 + 200);
    size_t n = 0;
    for (size_t i = 0; i < depth; i++) {
        memcpy(deep + n, "<div>", 5);
        n += 5;
    }
    strcpy(deep + n, "<a href=\"https://deep.example/\">deep</a>");
    r = run(a, NULL, deep);
    free(deep);
    TAP_OK(by_host(&r, "deep.example") != NULL, "100000 nested divs walked iteratively");
    /* anchor text and count */
    r = run(a, "https://dup.example/a", "<a href=\"https://dup.example/a\">  See\n <b>here</b></a>"
                                       "<a href=\"https://dup.example/a\">again</a>");
    l = by_host(&r, "dup.example");
    TAP_OK(r.n == 1 && l && l->count == 3 && l->count_text == 1 && l->count_html == 2 &&
               streq(l->text, "See here") && streq(l->source, "text"),
           "dedupe keeps count and places");
}

static void test_mismatch(arena *a)
{
    links_result r = run(a, NULL, "<a href=\"https://www.threnodycode.cfd/0zOog1\">"
                                  "https://open.monex.co.jp/mfa/setting</a>");
    const link_t *l = r.n ? &r.v[0] : NULL;
    TAP_OK(l && l->mismatch && streq(l->text_domain, "monex.co.jp"), "seed mismatch");
    char *ev = l ? links_mismatch_evidence(a, l) : NULL;
    TAP_OK(streq(ev, "shows open.monex.co.jp, goes to www.threnodycode.cfd"), "evidence string");
    r = run(a, NULL, "<a href=\"https://click.brand.co.jp/t?id=1\">www.brand.co.jp</a>");
    TAP_OK(r.n == 1 && !r.v[0].mismatch && streq(r.v[0].text_domain, "brand.co.jp"),
           "same-organization tracking is not a mismatch");
    r = run(a, NULL, "<a href=\"https://evil.top/\">こちらから手続きする</a>");
    TAP_OK(r.n == 1 && !r.v[0].mismatch && !r.v[0].text_domain, "plain words: no mismatch");
    r = run(a, NULL, "<a href=\"https://evil.top/\">brand.co.jp</a>");
    TAP_OK(r.n == 1 && r.v[0].mismatch && streq(r.v[0].text_domain, "brand.co.jp"),
           "bare domain in text");
    r = run(a, NULL, "<a href=\"https://evil.top/\">ログインは mizuhobank.co.jp から</a>");
    TAP_OK(r.n == 1 && r.v[0].mismatch, "domain inside Japanese text");
    r = run(a, NULL, "<a href=\"https://xn--80akgskdkd.xn--p1ai/\">www.Спаморез.РФ</a>");
    TAP_OK(r.n == 1 && !r.v[0].mismatch && r.v[0].text_domain, "IDN equality (Cyrillic)");
    r = run(a, NULL, "<a href=\"https://xn--au-dma.cz/\">čau.cz</a>");
    TAP_OK(r.n == 1 && !r.v[0].mismatch && streq(r.v[0].text_domain, "xn--au-dma.cz"),
           "IDN equality (čau.cz)");
    r = run(a, NULL, "<a href=\"https://evil.top/\">https://www.mizuho\r\nbank.co.jp/</a>");
    TAP_OK(r.n == 1 && r.v[0].text && !strchr(r.v[0].text, '\r') && !strchr(r.v[0].text, '\n'),
           "control characters never reach text");
    /* redirectors */
    r = run(a, NULL, "<a href=\"https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2F"
                     "www.brand.co.jp%2Flogin&amp;data=05%7C01\">"
                     "https://www.brand.co.jp/login</a>");
    l = by_host(&r, "nam12.safelinks.protection.outlook.com");
    TAP_OK(l && !l->mismatch && (l->flags & LINK_REDIRECTOR) &&
               streq(l->unwrapped, "https://www.brand.co.jp/login"),
           "safelinks unwrapped, no false mismatch");
    TAP_OK(by_host(&r, "www.brand.co.jp") &&
               (by_host(&r, "www.brand.co.jp")->flags & LINK_UNWRAPPED),
           "unwrapped target listed as its own link");
    r = run(a, NULL, "<a href=\"https://safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil."
                     "top%2F\">https://www.brand.co.jp/</a>");
    TAP_OK(r.n >= 1 && r.v[0].mismatch, "safelinks wrapping another site: mismatch");
    r = run(a, NULL, "<a href=\"https://urldefense.com/v3/__https://www.brand.co.jp/a*b__;Iw!!"
                     "ABC$\">https://www.brand.co.jp/a#b</a>");
    TAP_OK(r.n >= 1 && streq(r.v[0].unwrapped, "https://www.brand.co.jp/a#b") && !r.v[0].mismatch,
           "urldefense v3 unwrapped");
    r = run(a, NULL, "<a href=\"https://urldefense.proofpoint.com/v2/url?u=https-3A__www.brand.co"
                     ".jp_login&d=x\">www.brand.co.jp</a>");
    TAP_OK(r.n >= 1 && streq(r.v[0].unwrapped, "https://www.brand.co.jp/login") &&
               !r.v[0].mismatch,
           "proofpoint v2 unwrapped");
    r = run(a, NULL, "<a href=\"https://www.google.com/url?q=https://www.brand.co.jp/&sa=D\">"
                     "brand.co.jp</a>");
    TAP_OK(r.n >= 1 && !r.v[0].mismatch && r.v[0].unwrapped, "google /url?q= unwrapped");
    r = run(a, NULL, "<a href=\"https://bit.ly/abc\">https://www.brand.co.jp/</a>");
    TAP_OK(r.n == 1 && r.v[0].mismatch && (r.v[0].flags & LINK_SHORTENER),
           "shortener showing another domain: mismatch, flagged");
}

static void test_limits(arena *a)
{
    size_t n = LINKS_MAX + 50;
    char *t = malloc(n * 32 + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(t + k, "https://h%zu.example/ ", i);
    links_result r = run(a, t, NULL);
    free(t);
    TAP_OK(r.n == LINKS_MAX && r.dropped == 50, "LINKS_MAX kept, rest counted as dropped");
    size_t big = LINKS_MAX_URL * 2;
    char *u = malloc(big + 32);
    strcpy(u, "https://long.example/");
    memset(u + 21, 'a', big);
    u[21 + big] = '\0';
    r = run(a, u, NULL);
    free(u);
    TAP_OK(r.n == 1 && strlen(r.v[0].url) <= LINKS_MAX_URL + 64, "URL length bounded");
}

static void test_json(arena *a)
{
    links_result r = run(a, NULL, "<a href=\"http://3232235777/\">https://www.monex.co.jp/</a>");
    json_t *j = report_json_links(&r);
    json_t *o = json_array_get(j, 0);
    TAP_OK(o && json_is_string(json_object_get(o, "ip")) &&
               streq(json_string_value(json_object_get(o, "ip")), "192.168.1.1") &&
               json_is_null(json_object_get(o, "as_org")) &&
               json_is_array(json_object_get(o, "blocklists")) &&
               json_is_true(json_object_get(o, "mismatch")) &&
               json_array_size(json_object_get(o, "flags")) == 2,
           "json shape");
    json_decref(j);
}

/* --- fast paths against their simple forms ------------------------------ */

static unsigned long rs = 777;
static unsigned rnd(unsigned n)
{
    rs = rs * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rs >> 33) % n);
}

/* links_defang_url as it was: byte by byte into a growing buffer */
static char *defang_simple(arena *a, const char *url)
{
    kbuf b;
    kbuf_init(&b, LINKS_MAX_URL * 2);
    const char *p = url;
    const char *colon = strchr(url, ':');
    size_t auth_s = 0, auth_e = 0;
    if (strncmp(url, "http", 4) == 0 && (url[4] == ':' || (url[4] == 's' && url[5] == ':'))) {
        kbuf_adds(&b, "hxxp");
        p = url + 4;
    } else if (strncmp(url, "ftp:", 4) == 0) {
        kbuf_adds(&b, "fxp");
        p = url + 3;
    }
    if (colon && colon[1] == '/' && colon[2] == '/') {
        auth_s = (size_t)(colon - url) + 3;
        auth_e = auth_s + strcspn(url + auth_s, "/?#");
    } else if (strncmp(url, "mailto:", 7) == 0) {
        auth_s = 7;
        auth_e = strlen(url);
        const char *at = strrchr(url, '@');
        if (at)
            auth_s = (size_t)(at - url);
    }
    for (; *p; p++) {
        size_t off = (size_t)(p - url);
        if (*p == '.' && off >= auth_s && off < auth_e)
            kbuf_adds(&b, "[.]");
        else
            kbuf_addc(&b, *p);
    }
    char *r = kbuf_take_arena(&b, a);
    kbuf_free(&b);
    return r;
}

static void test_fast_forms(arena *a)
{
    /* defanging: schemes, authorities with and without dots, userinfo,
     * mailto, odd colons, and authorities too long for the direct form */
    static const char *const pre[] = {"http://", "https://", "ftp://", "http:", "https:", "ftp:",
                                      "mailto:", "hxxp://", "HTTP://", "http", "https", "//",
                                      "", "x:", "http:/", "ftp:/"};
    static const char *const mid[] = {"a", ".", "..", "b.c", "user@", "@", ":", "8080", "x.y.z",
                                      "/", "?", "#", "q=1.2", "%2e", "\\"};
    int ok = 1, n = 0;
    char url[LINKS_MAX_URL + 200];
    for (int i = 0; i < 20000 && ok; i++, n++) {
        size_t w = (size_t)snprintf(url, sizeof url, "%s", pre[rnd(16)]);
        for (unsigned k = 0, m = rnd(12); k < m; k++)
            w += (size_t)snprintf(url + w, sizeof url - w, "%s", mid[rnd(15)]);
        char *x = links_defang_url(a, url), *y = defang_simple(a, url);
        ok = x && y && strcmp(x, y) == 0;
        if (!ok)
            printf("# defang differs: [%s] -> [%s] / [%s]\n", url, x ? x : "", y ? y : "");
    }
    for (size_t len = LINKS_MAX_URL - 8; ok && len < LINKS_MAX_URL + 80; len += 7) {
        memcpy(url, "http://", 7); /* an authority of dots: longer than the bound */
        for (size_t k = 7; k < len; k++)
            url[k] = k % 2 ? '.' : 'a';
        url[len] = '\0';
        char *x = links_defang_url(a, url), *y = defang_simple(a, url);
        ok = x && y && strcmp(x, y) == 0;
        n++;
    }
    TAP_OK(ok, "direct defanging equals the byte-by-byte form (%d URLs)", n);

    /* the redirector hash against the table scan */
    static const char *const hosts[] = {"google.com", "www.google.com", "google.co.jp", "bit.ly",
                                        "x.bit.ly", "xbit.ly", "urldefense.com",
                                        "urldefense.proofpoint.com", "l.facebook.com",
                                        "nam02.safelinks.protection.outlook.com",
                                        "a.safelinks.protection.outlook.com", "mail.google.com",
                                        "example.com", "t.co", "a.t.co", "co", "com"};
    static const char *const paths[] = {"/", "/url?q=https://e.com/", "/v3/__https://e.com__;!!x",
                                        "/v2/url?u=https-3A__e.com", "/v1/url?u=https://e.com",
                                        "/l.php?u=https%3A%2F%2Fe.com", "/x", "/ck/a?u=1", "/link"};
    ok = 1;
    n = 0;
    for (size_t h = 0; h < sizeof hosts / sizeof *hosts; h++)
        for (size_t p = 0; p < sizeof paths / sizeof *paths; p++, n++) {
            snprintf(url, sizeof url, "https://%s%s", hosts[h], paths[p]);
            url_info u;
            if (url_normalize(a, url, strlen(url), &u) != 0)
                continue;
            int k[2];
            char *t[2];
            for (int f = 0; f < 2; f++) {
                links_redir_hashed = f;
                k[f] = redir_kind(D, &u);
                t[f] = redir_unwrap(a, D, &u);
            }
            links_redir_hashed = 1;
            ok &= k[0] == k[1] && !t[0] == !t[1] && (!t[0] || strcmp(t[0], t[1]) == 0);
        }
    TAP_OK(ok, "redirector hash answers as the table scan (%d URLs)", n);

    /* the path is copied run by run: backslashes become slashes, the cut
     * at the URL limit is where byte by byte put it */
    ok = 1;
    for (size_t len = 20; ok && len < LINKS_MAX_URL + 120; len += (len < 200 ? 1 : 509)) {
        size_t w = (size_t)snprintf(url, sizeof url, "http://a.example/");
        while (w < len)
            url[w++] = "ab\\/c"[rnd(5)];
        url[w] = '\0';
        url_info u;
        if (url_normalize(a, url, w, &u) != 0) {
            ok = 0;
            break;
        }
        /* clean() keeps LINKS_MAX_URL bytes; the output may hold 64 more */
        char want[LINKS_MAX_URL + 200];
        size_t in = w < LINKS_MAX_URL ? w : LINKS_MAX_URL, o = 0;
        for (size_t k = 0; k < in && o < LINKS_MAX_URL + 64; k++)
            want[o++] = url[k] == '\\' && k >= 16 ? '/' : url[k];
        want[o] = '\0';
        ok = strcmp(u.url, want) == 0 && !!(u.flags & LINK_TRUNCATED) == (w > LINKS_MAX_URL);
        if (!ok)
            printf("# path copy differs at %zu (flags %x)\n", len, u.flags);
    }
    TAP_OK(ok, "path copy with backslashes and the length cut");
}

int main(int argc, char **argv)
{
    const char *dd = argc > 1 ? argv[1] : getenv("KENSA_DATA_DIR");
    char *err = NULL;
    links_data *d = links_data_load(dd ? dd : "data", &err);
    TAP_OK(d != NULL, "links_data_load (%s)", err ? err : "ok");
    free(err);
    if (!d)
        return TAP_DONE();
    D = d;
    arena *a = arena_new(0);
    test_text(a);
    test_skip_plain();
    test_defanged(a);
    test_tricks(a);
    test_html(a);
    test_mismatch(a);
    test_limits(a);
    test_json(a);
    test_fast_forms(a);
    char *e2 = NULL;
    links_data *bad = links_data_load("/nonexistent", &e2);
    TAP_OK(!bad && e2, "missing data file is an error");
    free(e2);
    arena_free(a);
    links_data_free(d);
    return TAP_DONE();
}
