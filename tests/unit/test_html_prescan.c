/*
 * test_html_prescan.c - src/mime/html_prescan.c: what it cuts, where it
 * gives up, and that gumbo builds the same tree (but for what no stage reads,
 * see html_tree.h) from its output as from the original, for hand-made cases and for every HTML
 * part of the .eml files under the directories given.
 *
 * usage: test_html_prescan DATA_DIR [DIR|FILE ...]
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../src/mime/html_guard.h"
#include "../../src/mime/html_prescan.h"
#include "../../src/mime/message.h"
#include "../tap.h"
#include "html_tree.h"

/* 1: same tree; 0: different; -1: gumbo failed */
static int same_tree(const char *a, size_t an, const char *b, size_t bn)
{
    char *x = html_tree_dump(a, an), *y = html_tree_dump(b, bn);
    int r = x && y ? strcmp(x, y) == 0 : -1;
    free(x);
    free(y);
    return r;
}

/* 1 if the tree of html_prescan()'s output, its pieces put back, is the
 * tree of s (both as html_tree.h writes them); pieces counts the parts
 * where some text went as markers */
static size_t with_pieces;
static int same_tree_pieces(const char *s, size_t n)
{
    html_pieces pc = {0};
    char *out = malloc(n ? n : 1);
    size_t m = out ? html_prescan(s, n, out, &pc) : 0;
    int r = 1;
    if (m) {
        with_pieces += pc.n > 0;
        char *x = html_tree_dump(s, n), *y = html_tree_dump_pieces(out, m, &pc);
        r = x && y ? strcmp(x, y) == 0 : -1;
        free(x);
        free(y);
    }
    html_pieces_free(&pc);
    free(out);
    return r;
}

static void one_case(const char *in, const char *want)
{
    size_t n = strlen(in);
    TAP_OK(same_tree_pieces(in, n) == 1, "same tree with text as markers: %s", in);
    char *out = malloc(n + 1);
    size_t m = html_strip_style(in, n, out);
    if (want == NULL) {
        TAP_OK(m == 0, "left as it is: %s", in);
    } else {
        out[m] = '\0';
        TAP_OK(m > 0 && strcmp(out, want) == 0, "%s -> %s (got %s)", in, want, m ? out : "(0)");
        TAP_OK(same_tree(in, n, out, m) == 1, "same tree but what the prescan cuts: %s", in);
    }
    free(out);
}

/* only the trees: with markers, and after html_strip_style() */
static void tree_case(const char *in)
{
    size_t n = strlen(in);
    TAP_OK(same_tree_pieces(in, n) == 1, "same tree with text as markers: %s", in);
    char *out = malloc(n + 1);
    size_t m = html_strip_style(in, n, out);
    TAP_OK(m == 0 || same_tree(in, n, out, m) == 1, "same tree but what the prescan cuts: %s", in);
    free(out);
}

static mime_config *mc;
static size_t files, parts, cut, differ, guarded, deepest;

/* the least nesting bound html_depth_guard() lets s through with */
static size_t guard_need(const char *s, size_t n)
{
    size_t lo = 1, hi = HTML_MAX_DEPTH + 1; /* need in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, gl;
        char *g = html_depth_guard(s, n, mid, &gl);
        if (g)
            lo = mid + 1;
        else
            hi = mid;
        free(g);
    }
    return lo;
}

/* a hostile part: the guard cuts it, its copy passes, the text stays */
static void guard_case(const char *unit, size_t times, int want_cut)
{
    size_t ul = strlen(unit), n = ul * times + 16;
    char *s = malloc(n);
    size_t k = 0;
    for (size_t i = 0; i < times; i++, k += ul)
        memcpy(s + k, unit, ul);
    memcpy(s + k, "<i>end-text</i>", 15);
    k += 15;
    size_t gl = 0;
    char *g = html_depth_guard(s, k, HTML_MAX_DEPTH, &gl);
    if (!want_cut) {
        TAP_OK(g == NULL, "guard: %zu x \"%s\" passes untouched", times, unit);
    } else {
        size_t gl2;
        char *g2 = g ? html_depth_guard(g, gl, HTML_MAX_DEPTH, &gl2) : NULL;
        TAP_OK(g && gl < k && !g2 && memmem(g, gl, "end-text", 8),
               "guard: %zu x \"%s\" cut to %zu of %zu bytes, the cut copy within the bound, its text kept",
               times, unit, gl, k);
        free(g2);
    }
    free(g);
    free(s);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)f;
    if (type != FTW_F || st->st_size <= 0 || st->st_size > (32 << 20))
        return 0;
    size_t l = strlen(path);
    if (!(l > 4 && strcmp(path + l - 4, ".eml") == 0) && !strstr(path, "/sa-ham/") &&
        !strstr(path, "/sa-spam/") && !strstr(path, "/phish-pot/"))
        return 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    char *raw = malloc((size_t)st->st_size);
    size_t len = raw ? fread(raw, 1, (size_t)st->st_size, fp) : 0;
    fclose(fp);
    arena *a = arena_new(0);
    km_message *m = NULL;
    const char *why = NULL;
    if (raw && mime_parse(a, mc, raw, len, &m, &why) == 0 && m) {
        files++;
        for (size_t i = 0; i < m->nparts; i++) {
            const km_part *p = &m->parts[i];
            if (!p->text || !p->content_type || strcmp(p->content_type, "text/html") != 0)
                continue;
            parts++;
            char *out = malloc(p->text_len + 1);
            size_t k = out ? html_strip_style(p->text, p->text_len, out) : 0;
            if (k) {
                cut++;
                if (same_tree(p->text, p->text_len, out, k) != 1) {
                    differ++;
                    printf("# tree differs after the prescan: %s part %zu\n", path, i);
                }
            }
            size_t need = guard_need(p->text, p->text_len);
            if (need > HTML_MAX_DEPTH) {
                guarded++;
                printf("# the nesting guard would cut: %s part %zu\n", path, i);
            }
            if (need > deepest)
                deepest = need;
            if (same_tree_pieces(p->text, p->text_len) != 1) {
                differ++;
                printf("# tree differs with text as markers: %s part %zu\n", path, i);
            }
            free(out);
        }
    }
    arena_free(a);
    free(raw);
    return 0;
}

int main(int argc, char **argv)
{
    /* the nesting guard (html_guard.c): hostile nesting is cut, mail is not */
    guard_case("<div>", 5000, 1);
    guard_case("<span><div></span>", 3000, 1);
    guard_case("<b><div></b>", 3000, 1);
    guard_case("<ul><li>", 3000, 1);
    guard_case("<div title=\"</div>\">", 3000, 1);
    guard_case("<div><!--</div>-->", 3000, 1);
    guard_case("<DIV>", 5000, 1);
    guard_case("<rt>", 5000, 1);
    guard_case("<div></div>", 50000, 0);
    guard_case("<p>para<br>", 50000, 0);
    guard_case("<li>item", 50000, 0);
    guard_case("<tr><td>a<td>b", 50000, 0);
    guard_case("<a href=x>link", 50000, 0);
    guard_case("<img src=x><br><hr><meta a=b>", 50000, 0);
    guard_case("<span>a</span><b>b</b><!-- <div> -->", 50000, 0);
    guard_case("<div a='x>y'></div><div b=\"</div>\"></div>", 50000, 0);

    one_case("<p>a</p><style>p{x}</style><p>b</p>", "<p>a</p><style></style><p>b</p>");
    one_case("<!-- <style>x</style> --><style>y</style>", "<!----><style></style>");
    one_case("<!--><style>k</style>", "<!--><style></style>");
    one_case("<!---><style>k</style>", "<!---><style></style>");
    one_case("<!-- a --!><style>k</style>", "<!----!><style></style>");
    one_case("<a title=\"<style>\">t</a><style>z</style>", "<a >t</a><style></style>");
    one_case("<div title='x>'><style>k</style>", "<div ><style></style>");
    one_case("<textarea><style>q</style></textarea>", NULL);
    one_case("<title><style></title><style>k</style>", "<title></title><style></style>");
    one_case("<script>var s=\"<style>\";</script><style>k</style>",
             "<script></script><style></style>");
    one_case("<script><!-- x --></script><style>k</style>", NULL);
    one_case("<svg><style>k</style></svg>", NULL);
    one_case("<math><mi><style>k</style></mi></math>", NULL);
    one_case("<select><style>k</style></select>", NULL);
    one_case("<noscript><style>k</style></noscript>", NULL);
    one_case("<plaintext><style>k</style>", NULL);
    one_case("<frameset><style>k</style>", NULL);
    one_case("<STYLE type=text/css>k</STYLE >x", "<STYLE type=text/css></STYLE >x");
    one_case("<style>a</stylex>b</style>c", "<style></style>c");
    one_case("<style/>k</style>", "<style/></style>");
    one_case("<style>unterminated", "<style>");
    one_case("<style>k</style", "<style>");
    one_case("<div <style>k</style>", "<div >k</style>"); /* an attribute named "<style" */
    one_case("<a href=x<style>k</style>", NULL);
    one_case("<div a=\"unterminated<style>k</style>", NULL);
    one_case("<![CDATA[<style>]]><style>k</style>", NULL);
    one_case("<!DOCTYPE html><style>k</style>", "<!DOCTYPE html><style></style>");
    one_case("<?xml x?><style>k</style>", "<?xml x?><style></style>");
    one_case("</p foo='<style>'><style>k</style>", "</p foo='<style>'><style></style>");
    one_case("</ x><style>k</style>", "</ x><style></style>");
    one_case("<table><tr><style>k</style><td>x</td></tr></table>",
             "<table><tr><style></style><td>x</td></tr></table>");
    one_case("<p>no style at all</p>", NULL);
    one_case("<style></style>", NULL);
    /* attributes no stage reads are cut, one space for each */
    one_case("<td style=\"color:red\" class=x href=y>t</td>", "<td href=y>t</td>");
    one_case("<p style=\"a\"href=\"b\">t", "<p href=\"b\">t");
    one_case("<td/style=x>t", "<td/ >t"); /* still not self-closing */
    one_case("<br clear/>", "<br />");
    one_case("<img src=a width=1 height=1 alt=b>", "<img src=a alt=b>");
    one_case("<div STYLE=x Href=y ONCLICK=z>", "<div Href=y ONCLICK=z>");
    one_case("<div style=x style=y href=z href=w>", "<div href=z href=w>");
    one_case("<div =x>t", "<div >t"); /* a leading '=' is part of the name */
    one_case("<div a='x\"' b=\"y'\" c=z>t", "<div >t");
    one_case("<meta name=x http-equiv=refresh content=\"0;url=y\">", NULL);
    one_case("<table><tr><td class=c><input type=hidden style=s></td></tr></table>",
             "<table><tr><td ><input type=hidden style=s></td></tr></table>");
    one_case("<p class=x><b class=y>1<p class=z>2</b>3", "<p ><b class=y>1<p >2</b>3");
    one_case("<a href=x style=y><div class=d>t</div></a>", "<a href=x ><div >t</div></a>");
    one_case("<b id=1><b id=1><b id=1><b id=1><p style=q>x</b>", "<b id=1><b id=1><b id=1><b id=1><p >x</b>");
    one_case("<html lang=ja><body class=x><div class=q><html id=y><body style=z>t",
             "<html lang=ja><body class=x><div ><html id=y><body style=z>t");
    one_case("<isindex prompt=x style=y>", NULL);
    one_case("</p style=x>", NULL); /* end tags are left alone */
    one_case("<p style=\"unterminated>t", NULL);
    one_case("<textarea style=x>a<b class=c></textarea>", "<textarea >a<b class=c></textarea>");
    /* fuzz_html, stop 16: gumbo starts the source text of <t> at the dropped
     * "</>", so a name read with gumbo_tag_from_original_text showed the cut
     * attribute; html_tree.h reads the name after the first "<" + letter */
    one_case("</><t \">", "</><t >");
    one_case("</></><unknowntag class=x title=y>t", "</></><unknowntag >t");
    /* runs of whitespace in text become one character; comments lose their
     * text; <script> and <title> lose theirs like <style>; an <img> data:
     * URL keeps its "data:" */
    one_case("<p>a  \n\t b</p>\n\n<p> </p>", "<p>a b</p>\n<p> </p>");
    one_case("<table>\n  <tr>\n    <td>x  y</td></tr></table>",
             "<table>\n<tr>\n<td>x y</td></tr></table>");
    one_case("<pre>\n\nx  y</pre>", "<pre>\n\nx y</pre>"); /* the first newline stays whole */
    one_case("<listing>\r\n\r\nx  y</listing>", "<listing>\r\n\r\nx y</listing>");
    one_case("<pre>a\n\nb</pre>", "<pre>a\nb</pre>");
    one_case("<pre></>\n\nx  y</pre>", "<pre></>\n\nx y</pre>"); /* "</>" makes no token */
    one_case("<pre><!---->\n\nx</pre>", "<pre><!---->\nx</pre>");
    one_case("<pre>< \n\nx</pre>", "<pre>< x</pre>");
    one_case("<textarea>\n\n a  b </textarea>  c", "<textarea>\n\n a b </textarea> c");
    one_case("<xmp>a  <b>  c</xmp>", "<xmp>a <b> c</xmp>");
    one_case("a<!-- x -->b<!--->c<!-->d<!---x-- -->e", "a<!---->b<!--->c<!-->d<!---->e");
    one_case("<!-- a --->t", "<!---->t");
    one_case("<script>if (a < b) x();</script>t", "<script></script>t");
    one_case("<title>T  i</title><p>x", "<title></title><p>x");
    one_case("<img src=\"data:image/png;base64,AAAA\" alt=x>", "<img src=\"data:\" alt=x>");
    one_case("<img SRC=DATA:xyz alt=x>", "<img SRC=DATA: alt=x>");
    one_case("<img src=data:x src=\"data:yy\">", "<img src=data: src=\"data:\">");
    one_case("<iframe src=\"data:text/html,x\"></iframe>t  u", "<iframe src=\"data:text/html,x\"></iframe>t u");
    one_case("<b  id=1 \n  class=x  >t</b>", "<b id=1 class=x >t</b>");
    one_case("<td\n  style=x\n  class=y\n  >t", "<td\n>t");
    one_case("<td href=\"1\"style=\"x\"/>t", "<td href=\"1\" />t");
    one_case("<p>a &amp;  b&#32; &nbsp;  c</p>", "<p>a &amp; b&#32; &nbsp; c</p>");
    /* text as markers (same_tree_pieces, run by one_case on every case):
     * foster parenting, formatting elements, modes before <body>, character
     * references, controls, CR, and where markers are not used */
    tree_case("<table>long text here<tr><td>cell text long</td>more text</tr></table>after");
    tree_case("before the table<table>long text here<tr><td>x</td></tr></table>");
    tree_case("<table><colgroup> abcdefgh ijk <col></table>");
    tree_case("<template><col>abcdefgh ijklmnop</template>text after it");
    tree_case("<b>1<p>abcdefghij</b>klmnopqrst<i>uvwxyz0123");
    tree_case("leading text, no html at all");
    tree_case("<html><head> </head> text after head");
    tree_case("</body></html>trailing text after html");
    tree_case("text &amp; more text here &notit; more &#x41;bcdefgh &ampabcdefgh");
    tree_case("<p>abcdefgh\x01ijklmnop\x7f qrstuvwxyz \xc2\x85 0123456789</p>");
    tree_case("<p>abcdefgh\xef\xb7\x90ijklmnop \xef\xbf\xbe qrstuvwxyz</p>");
    tree_case("<pre>\nabcdefghij</pre><pre>abcdefghij\n\nklm</pre><textarea>abcdefghij</textarea>");
    tree_case("abc\r\ndefghijkl\r\n\r\nmnop\rqrstuvwxyz");
    tree_case("\xee\x80\x80\xee\xa0\x80 abcdefghij");
    tree_case("&#xE000;&#xE800; abcdefghij");
    tree_case("&#57344;&#59392;abcdefghij klmnopqrst");
    tree_case("<p>\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87 \xf0\x9f\x98\x80\xf0\x9f\x98\x80</p>");
    tree_case("<a href=x>click here now</a> and <a href=y>http://example.com/very/long</a>");
    tree_case("<p>http://exa<!-- -->mple.com/a/b/c</p>");
    /* attribute values as markers: equal values stay equal (Noah's Ark) */
    tree_case("<p><b id=abcdefgh><b id=abcdefgh><b id=abcdefgh><b id=abcdefgh></p><p>x");
    tree_case("<p><b id=abcdefgh><b id=abcdefgi><b id=abcdefgh><b id=\"abcdefgh\"></p><p>x");
    tree_case("<p><b id=abcdefgh><template></template><b id=abcdefgh><b id=abcdefgh><b id=abcdefgh></p><p>x");
    tree_case("<a href=\"http://e.com/&amp;x\"><a href=\"http://e.com/&x\">t</a>");
    /* runs of a value around character references, CR and replaced characters */
    tree_case("<a href=\"http://x&#159;mk&#156;jfyj.webrentals.eu.com/ra769\">x</a>");
    tree_case("<a href=\"abcdefgh&amp=abcdefgh&ampabcdefgh&amp;&amp;abcdefgh&#x41;bcdefgh&notin;abcdefgh\">x</a>");
    tree_case("<img src=\"abcdefgh\r\nabcdefgh\rabcdefgh\n\rabcdefgh\">");
    tree_case("<img src=\"abcdefgh\xc2\x85" "abcdefgh\x01" "abcdefgh\xef\xbf\xbf" "abcdefgh\xc3" "abcdefgh\">");
    tree_case("<img src=abcdefgh&lt;abcdefgh alt='abcdefgh&gt'>");
    /* <a> values are markers even so: at most one <a> is ever in the list */
    tree_case("<p><a href=abcdefghA><a href=abcdefgh&#x41;><a href=abcdefghA><a href=abcdefghA></p><p>x");
    tree_case("<table><td><a href=abcdefghA><td><a href=abcdefghA></table><a href=abcdefghA>x<p>y");
    tree_case("<p><font color=abcdefgh&#x41;><font color=abcdefghA><font color=abcdefghA><font color=abcdefghA></p><p>r");
    tree_case("<table><input type=\"hidden\"><input type=\"HIDDEN\" value=abcdefghij></table>");
    tree_case("<a href=\"abc\r\ndefghij\">x</a><img src=\"a\tb\nc defgh\" alt='alt text here'>");
    tree_case("<a href=abcdefgh href=ijklmnop>x</a><html lang=abcdefghij><body background=abcdefghij>");


    char *err = NULL;
    mime_global_init();
    mc = mime_config_load(argc > 1 ? argv[1] : "data", &err);
    TAP_OK(mc != NULL, "subject tags load (%s)", err ? err : "ok");
    free(err);
    if (!mc)
        return TAP_DONE();
    for (int i = 2; i < argc; i++) {
        size_t f0 = files, p0 = parts, c0 = cut, d0 = differ, g0 = guarded;
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            printf("ok %d - %s # SKIP not present\n", ++tap_n, argv[i]);
            continue;
        }
        size_t w0 = with_pieces;
        nftw(argv[i], visit, 16, FTW_PHYS);
        TAP_OK(differ == d0,
               "%s: %zu files, %zu HTML parts, %zu cut by the prescan, %zu with text as markers, %zu trees differ",
               argv[i], files - f0, parts - p0, cut - c0, with_pieces - w0, differ - d0);
        TAP_OK(guarded == g0, "%s: the nesting guard cuts %zu HTML parts (deepest so far needs %zu of %d)",
               argv[i], guarded - g0, deepest, HTML_MAX_DEPTH);
    }
    mime_config_free(mc);
    mime_global_shutdown();
    return TAP_DONE();
}
