/*
 * test_brand.c - brand data, claims and lookalikes over data/: every brand
 * loads with an official domain, fullwidth/halfwidth names match, the longest
 * name wins, legit brand mail is not impersonation, the three lookalike kinds
 * hit and short tokens (au, ana, jcb) stay quiet inside ordinary words.
 * Run from the source root or pass the data directory as argv[1].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/intel/brand.h"
#include "../../src/intel/brand_int.h"
#include "../tap.h"

static brand_result detect(arena *a, const brand_data *d, const char *dn, const char *subj,
                           const char *text, const char *from, const char *const *links,
                           size_t nlinks)
{
    brand_input in = {0};
    in.display_name = dn;
    in.subject = subj;
    in.text = text;
    in.from_domain = from;
    in.link_domains = links;
    in.nlinks = nlinks;
    brand_result r;
    if (brand_detect(a, d, &in, &r) != 0)
        memset(&r, 0, sizeof r);
    return r;
}

static const char *id_of(const brand_result *r)
{
    return r->brand ? r->brand->id : "(none)";
}

static const char *look(arena *a, const brand_data *d, const char *dom, const char **kind)
{
    lookalike_hit h;
    *kind = "";
    if (brand_lookalike(a, d, dom, &h) != 1)
        return "(none)";
    *kind = h.kind;
    return h.brand->id;
}

/* --- fast paths against their simple forms ------------------------------ */

static unsigned long rnd_state = 12345;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rnd_state >> 33) % n);
}

/* pieces of adversarial text: ASCII of both cases, spaces and controls,
 * characters NFKC / NFKC_Casefold map (fullwidth, halfwidth kana with
 * voicing marks, compatibility forms, ligatures, sharp s, dotted I, default
 * ignorables), combining marks and Hangul jamo that compose with what is
 * before them, characters outside the BMP, and ill-formed UTF-8 */
static const char *const norm_pieces[] = {
    "a", "A", "Z", "x", "7", " ", "  ", "\t", "\n", "\r\n", "\v", "\f", "\x01", ".", "-", "@",
    "Amazon", "AMAZON", "amazon", "au", "AU", "Au", "JCB", "jcb", "SMBC", "AT&T", "monex",
    "\xef\xbd\xb1", "\xef\xbd\xb6\xef\xbe\x9e", "\xef\xbe\x9e", "\xe3\x81\x8c", "\xe3\x81\x8b",
    "\xe3\x82\x99", "\xe3\x82\x9a", "\xc3\x9f", "\xc4\xb0", "\xc3\x89", "\xc3\xa9", "e\xcc\x81",
    "\xcc\x81", "\xe3\x80\x80", "\xc2\xa0", "\xef\xbc\x81", "\xef\xbc\xa1", "\xef\xbd\x8d\xef\xbd\x8f",
    "\xe3\x88\xb1", "\xe3\x8d\xbb", "\xef\xac\x81", "\xef\xb8\x8f", "\xe2\x80\x8b", "\xc2\xad",
    "\xf0\x9f\x98\x80", "\xf0\x9d\x90\x80", "\xc3", "\xff", "\xed\xa0\x80", "\xe0\x80\xaf",
    "\xc0\xaf", "\xf4\x90\x80\x80", "\xce\xa9", "\xe2\x84\xa6", "\xe2\x84\xab", "\xc3\x85",
    "A\xcc\x8a", "\xe1\x84\x80", "\xe1\x85\xa1", "\xea\xb0\x80", "\xe2\x84\xa1",
    "\xef\xbc\x8e", "\xc7\x85", "\xe3\x83\x9e\xe3\x83\x8d\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9",
    "\xef\xbe\x93\xef\xbe\x88\xef\xbd\xaf\xef\xbd\xb8\xef\xbd\xbd", "\xe6\xa5\xbd\xe5\xa4\xa9",
    "\xef\xbc\xa1\xef\xbc\xad\xef\xbc\xa1\xef\xbc\xba\xef\xbc\xaf\xef\xbc\xae", "\xd0\xbe",
    "\xe2\x91\xa0", "\xe3\x8c\x94", "\xef\xbf\xbd", "\xe2\x80\xa8", "\xe1\xba\x9e",
    "\xef\xbd\x9e", "\xe3\x80\x9c", "\xe2\x80\x83", "\xc2\xb5", "\xe1\xbe\xbe"};

static void random_text(char *buf, size_t cap, size_t pieces)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < pieces; i++) {
        const char *p = norm_pieces[rnd(sizeof norm_pieces / sizeof *norm_pieces)];
        size_t l = strlen(p);
        if (w + l + 1 > cap)
            break;
        memcpy(buf + w, p, l + 1);
        w += l;
    }
}

static int lowered(const char *cf, const char *ck, size_t n1, size_t n2)
{
    if (n1 != n2)
        return 0;
    for (size_t i = 0; i < n1; i++)
        if (cf[i] != (ck[i] >= 'A' && ck[i] <= 'Z' ? ck[i] + 32 : ck[i]))
            return 0;
    return 1;
}

/* one text both ways: 1 when the forms are equal and each "same" is true */
static int norm_agrees(const brand_data *d, const char *t, size_t n)
{
    arena *a = arena_new(0);
    char *cf[2], *ck[2];
    size_t n1[2] = {0, 0}, n2[2] = {0, 0};
    int same[2];
    for (int f = 0; f < 2; f++) {
        bi_norm_fast = f;
        bi_normalize_both(a, d, t, n, &cf[f], &n1[f], &ck[f], &n2[f], &same[f]);
    }
    bi_norm_fast = 1;
    int ok = cf[0] && cf[1] && ck[0] && ck[1] && n1[0] == n1[1] && n2[0] == n2[1] &&
             strcmp(cf[0], cf[1]) == 0 && strcmp(ck[0], ck[1]) == 0 &&
             strlen(cf[1]) == n1[1] && strlen(ck[1]) == n2[1];
    for (int f = 0; f < 2 && ok; f++)
        ok = !same[f] || lowered(cf[f], ck[f], n1[f], n2[f]);
    if (!ok)
        printf("# differs: [%s]\n#   icu  cf [%s] ck [%s]\n#   fast cf [%s] ck [%s]\n", t,
               cf[0] ? cf[0] : "(null)", ck[0] ? ck[0] : "(null)", cf[1] ? cf[1] : "(null)",
               ck[1] ? ck[1] : "(null)");
    arena_free(a);
    return ok;
}

static void test_normalize_fast(const brand_data *d)
{
    char buf[4096];
    int ok = 1, n = 0;
    for (int i = 0; i < 20000 && ok; i++, n++) {
        random_text(buf, sizeof buf, 1 + rnd(40));
        ok = norm_agrees(d, buf, strlen(buf));
    }
    TAP_OK(ok, "character-wise NFKC / NFKC_Casefold equal ICU's on %d adversarial texts", n);
    /* ASCII only: the run-by-run whitespace collapse */
    static const char *const ascii[] = {" ", "  ", "\n", "\r\n", "\t \t", "a", "Bc", "DEF", "ghij",
                                        "KLMNOPQ", "rstuvwxyz", ".", "-", "\x01", "\x7f", "x y"};
    ok = 1;
    for (int i = 0; i < 20000 && ok; i++) {
        size_t w = 0, pieces = 1 + rnd(60);
        for (size_t k = 0; k < pieces; k++) {
            const char *p = ascii[rnd(sizeof ascii / sizeof *ascii)];
            size_t l = strlen(p);
            if (w + l + 1 > sizeof buf)
                break;
            memcpy(buf + w, p, l + 1);
            w += l;
        }
        /* the simple form: whitespace runs -> one space, none in front or
         * at the end; A-Z lowered for the folded form */
        char want[4096];
        size_t o = 0;
        int sp = 0;
        for (size_t k = 0; k < w; k++) {
            char c = buf[k];
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                sp = 1;
                continue;
            }
            if (sp && o)
                want[o++] = ' ';
            sp = 0;
            want[o++] = c;
        }
        want[o] = '\0';
        arena *a = arena_new(0);
        char *cf, *ck;
        size_t n1, n2;
        int same;
        bi_normalize_both(a, d, buf, w, &cf, &n1, &ck, &n2, &same);
        ok = ck && cf && n2 == o && strcmp(ck, want) == 0 && same && lowered(cf, ck, n1, n2);
        if (!ok)
            printf("# collapse differs: [%s] -> [%s], want [%s]\n", buf, ck ? ck : "", want);
        arena_free(a);
    }
    TAP_OK(ok, "ASCII whitespace collapse equals the byte-by-byte form");
    /* a character cut at BRAND_MAX_TEXT: ill-formed at the end, the ICU way */
    size_t big = BRAND_MAX_TEXT + 16;
    char *t = malloc(big + 1);
    if (t) {
        for (size_t i = 0; i + 3 <= big; i += 3)
            memcpy(t + i, "\xe3\x81\x8b", 3);
        t[big - big % 3] = '\0';
        for (size_t off = 0; off < 3; off++)
            ok &= norm_agrees(d, t + off, strlen(t + off));
        free(t);
    }
    TAP_OK(ok, "text cut inside a character at BRAND_MAX_TEXT");
}

/* bi_match_text's matches both ways (merged scan or one per table) */
static int match_agrees(const brand_data *d, const char *t)
{
    arena *a = arena_new(0);
    bmatch_pub m[2][BRAND_MAX_MATCHES];
    const char *fo[2];
    size_t fl[2], n[2];
    for (int f = 0; f < 2; f++) {
        bi_scan_merged = f;
        n[f] = bi_match_text(a, d, t, m[f], &fo[f], &fl[f]);
    }
    bi_scan_merged = 1;
    int ok = n[0] == n[1] && fl[0] == fl[1];
    for (size_t i = 0; ok && i < n[0]; i++)
        ok = m[0][i].start == m[1][i].start && m[0][i].len == m[1][i].len &&
             m[0][i].brand == m[1][i].brand && !m[0][i].text == !m[1][i].text &&
             (!m[0][i].text || m[0][i].text - fo[0] == m[1][i].text - fo[1]);
    if (!ok)
        printf("# matches differ (%zu / %zu): [%s]\n", n[0], n[1], t);
    arena_free(a);
    return ok;
}

static void test_scan_merged(const brand_data *d)
{
    /* brand names in both cases, glued to letters, digits and punctuation */
    const char *names[64];
    size_t nn = 0;
    for (size_t i = 0; i < brand_count(d) && nn + 2 <= 64; i += 3) {
        names[nn++] = brand_at(d, i)->name_en;
        names[nn++] = brand_at(d, i)->name_ja;
    }
    static const char *const glue[] = {" ", "", "x", "1", ".", "-", "_", "@", "/", ":", "=", "(",
                                       "\xe3\x80\x80", "\xe3\x81\x8c", "\n", "AU", "au ", "JCB",
                                       "jcb", "ANA ", "ana", "Ａｕ", "SMBC.", "aeon", "AEON"};
    char buf[4096];
    int ok = 1, cnt = 0;
    for (int i = 0; i < 5000 && ok; i++, cnt++) {
        size_t w = 0, pieces = 1 + rnd(30);
        for (size_t k = 0; k < pieces; k++) {
            const char *p = rnd(2) ? glue[rnd(sizeof glue / sizeof *glue)] : names[rnd((unsigned)nn)];
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s", p);
            if (rnd(3) == 0) /* case games */
                for (char *q = tmp; *q; q++)
                    if (*q >= 'a' && *q <= 'z' && rnd(2))
                        *q = (char)(*q - 32);
            size_t l = strlen(tmp);
            if (w + l + 1 > sizeof buf)
                break;
            memcpy(buf + w, tmp, l + 1);
            w += l;
        }
        ok = match_agrees(d, buf);
    }
    TAP_OK(ok, "one scan for both tables gives the matches of two (%d texts)", cnt);
    /* more matches than BRAND_MAX_MATCHES, of both tables */
    char *many = malloc(20000);
    if (many) {
        size_t w = 0;
        for (int i = 0; i < 600 && w + 32 < 20000; i++)
            w += (size_t)snprintf(many + w, 20000 - w, "%s ", i % 3 ? "JCB au" : "amazon");
        ok = match_agrees(d, many);
        free(many);
    }
    TAP_OK(ok, "the match limit cuts both ways alike");
}

/* brand_lookalike through the indexes (d1) and the plain scans (d2): the
 * two loads keep separate per-thread memos */
static void test_lookalike_index(const brand_data *d1, const brand_data *d2)
{
    static const char *const glue[] = {"", "-", "secure", "login", "jp", "-jp", "1", "24",
                                       "support", "my", "x", "card", "online", "info"};
    static const char *const tlds[] = {".com", ".top", ".co.jp", ".net", ".xyz", ".jp", ".cfd"};
    arena *a = arena_new(0);
    int ok = 1, n = 0;
    char dom[256], lab[128];
    for (int i = 0; i < 6000 && ok; i++, n++) {
        const brand_info *b = brand_at(d1, rnd((unsigned)brand_count(d1)));
        const char *od = b->official_domains[rnd((unsigned)b->ndomains)];
        size_t l = strcspn(od, ".");
        if (l >= sizeof lab - 8)
            l = sizeof lab - 8;
        memcpy(lab, od, l);
        lab[l] = '\0';
        switch (rnd(6)) { /* an edit or two of the label */
        case 0:
            if (l)
                lab[rnd((unsigned)l)] = (char)('a' + rnd(26));
            break;
        case 1:
            if (l > 1) {
                size_t k = rnd((unsigned)l - 1);
                char c = lab[k];
                lab[k] = lab[k + 1];
                lab[k + 1] = c;
            }
            break;
        case 2:
            if (l > 1)
                memmove(lab + rnd((unsigned)l), lab + rnd((unsigned)l) + 1, 1);
            break;
        case 3: {
            size_t k = rnd((unsigned)l + 1);
            memmove(lab + k + 1, lab + k, l - k + 1);
            lab[k] = (char)('a' + rnd(26));
            break;
        }
        default:
            break;
        }
        int form = rnd(4);
        if (form == 0)
            snprintf(dom, sizeof dom, "%s%s%s", glue[rnd(14)], lab, tlds[rnd(7)]);
        else if (form == 1)
            snprintf(dom, sizeof dom, "%s%s%s%s", lab, glue[rnd(14)], glue[rnd(14)], tlds[rnd(7)]);
        else if (form == 2)
            snprintf(dom, sizeof dom, "%s.%s%s", od, lab, tlds[rnd(7)]);
        else
            snprintf(dom, sizeof dom, "%s%s", lab, tlds[rnd(7)]);
        lookalike_hit h1, h2;
        bi_lookalike_indexed = 1;
        int r1 = brand_lookalike(a, d1, dom, &h1);
        bi_lookalike_indexed = 0;
        int r2 = brand_lookalike(a, d2, dom, &h2);
        bi_lookalike_indexed = 1;
        ok = r1 == r2 && (r1 != 1 || (h1.brand - brand_at(d1, 0) == h2.brand - brand_at(d2, 0) &&
                                      strcmp(h1.kind, h2.kind) == 0 &&
                                      strcmp(h1.evidence, h2.evidence) == 0));
        if (!ok)
            printf("# lookalike differs: %s (%d %s / %d %s)\n", dom, r1, r1 == 1 ? h1.evidence : "",
                   r2, r2 == 1 ? h2.evidence : "");
    }
    arena_free(a);
    TAP_OK(ok, "lookalike indexes answer as the plain scans (%d names)", n);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data";
    char *err = NULL;
    brand_data *d = brand_data_load(dir, &err);
    TAP_OK(d != NULL, "brand_data_load(%s) %s", dir, err ? err : "");
    if (!d)
        return TAP_DONE();
    TAP_OK(brand_count(d) >= 90, "at least 90 brands (%zu)", brand_count(d));
    int alldom = 1;
    for (size_t i = 0; i < brand_count(d); i++)
        alldom &= brand_at(d, i)->ndomains > 0;
    TAP_OK(alldom, "every brand has an official domain");
    const brand_info *monex = brand_by_id(d, "monex");
    TAP_OK(monex && strcmp(monex->official_domains[0], "monex.co.jp") == 0, "monex.co.jp");
    TAP_OK(brand_domain_is_official(d, brand_by_id(d, "nta"), "e-tax.nta.go.jp"),
           "subdomain e-tax.nta.go.jp is official for nta");
    TAP_OK(!brand_domain_is_official(d, brand_by_id(d, "google"), "sites.google.com"),
           "sites.google.com ('!' entry) is not official for google");
    TAP_OK(brand_domain_is_official(d, brand_by_id(d, "google"), "accounts.google.com"),
           "accounts.google.com is official");
    TAP_OK(!brand_domain_is_official(d, monex, "monex.co.jp.evil.top"),
           "monex.co.jp.evil.top is not official");
    TAP_OK(brand_domain_is_official(d, monex, "MONEX.CO.JP."), "case and trailing dot");

    arena *a = arena_new(0);
    brand_result r;

    const char *lure[] = {"odypel.cfd"};
    r = detect(a, d, "マネックス証券", "【重要】お取引の確認", "お客様各位", "nimody.top", lure, 1);
    TAP_OK(strcmp(id_of(&r), "monex") == 0 && r.impersonated && r.display_mismatch,
           "display name マネックス証券 from nimody.top -> monex, impersonated, mismatch (%s)",
           id_of(&r));
    TAP_OK(r.claimed_in && strcmp(r.claimed_in, "display_name") == 0, "claimed_in display_name");
    TAP_OK(r.evidence && strstr(r.evidence, "nimody.top"), "evidence names the address: %s",
           r.evidence ? r.evidence : "");

    r = detect(a, d, "ﾏﾈｯｸｽ証券", NULL, NULL, "x.top", NULL, 0);
    TAP_OK(strcmp(id_of(&r), "monex") == 0, "halfwidth katakana ﾏﾈｯｸｽ証券 (%s)", id_of(&r));
    r = detect(a, d, "ＳＢＩ証券", NULL, NULL, "x.top", NULL, 0);
    TAP_OK(strcmp(id_of(&r), "sbi") == 0, "fullwidth ＳＢＩ証券 (%s)", id_of(&r));
    r = detect(a, d, NULL, "三井住友カード ご利用確認", "三井住友カードをご利用いただき", "a.top",
               NULL, 0);
    TAP_OK(strcmp(id_of(&r), "smbccard") == 0, "三井住友カード beats 三井住友銀行 (%s)", id_of(&r));
    r = detect(a, d, NULL, "楽天カード 利用停止", "楽天カードをご利用の方へ", "a.top", NULL, 0);
    TAP_OK(strcmp(id_of(&r), "rakutencard") == 0, "楽天カード beats 楽天 (%s)", id_of(&r));
    r = detect(a, d, NULL, "PayPay銀行 からのお知らせ", NULL, "a.top", NULL, 0);
    TAP_OK(strcmp(id_of(&r), "paypaybank") == 0, "PayPay銀行 beats PayPay (%s)", id_of(&r));
    r = detect(a, d, "AMAZON.CO.JP", NULL, NULL, "a.top", NULL, 0);
    TAP_OK(strcmp(id_of(&r), "amazon") == 0, "case-folded AMAZON.CO.JP (%s)", id_of(&r));

    const char *mufg_links[] = {"mufg.jp", "mufg.jp"};
    r = detect(a, d, "三菱UFJ銀行", "フィッシング詐欺にご注意ください", "三菱UFJ銀行を装った",
               "bk.mufg.jp", mufg_links, 2);
    TAP_OK(strcmp(id_of(&r), "mufg") == 0 && !r.impersonated && r.from_is_official &&
               !r.display_mismatch,
           "legit mufg notice: not impersonated");
    const char *spoof_links[] = {"zenorb.sbs"};
    r = detect(a, d, "野村證券", "【要対応】お客様情報の確認", "いつも野村證券をご利用",
               "nomura.co.jp", spoof_links, 1);
    TAP_OK(strcmp(id_of(&r), "nomura") == 0 && r.impersonated && r.from_is_official &&
               r.links_foreign == 1,
           "official From but lure link -> impersonated");
    const char *mixed[] = {"nomura.co.jp", "zenorb.sbs"};
    r = detect(a, d, "野村證券", NULL, NULL, "nomura.co.jp", mixed, 2);
    TAP_OK(r.impersonated && r.links_official == 1 && r.links_total == 2,
           "link text official + href lure -> impersonated");
    const char *store[] = {"apple.com", "google.com"};
    r = detect(a, d, "NTTドコモ", "ご利用料金のお知らせ", "ドコモをご利用いただき", "docomo.ne.jp",
               store, 2);
    TAP_OK(strcmp(id_of(&r), "docomo") == 0 && !r.impersonated,
           "links to other brands' stores are neutral");

    r = detect(a, d, "John Smith", "Re: meeting", "see you at the sauna in canada", "example.com",
               NULL, 0);
    TAP_OK(r.brand == NULL, "no brand in plain mail");
    r = detect(a, d, NULL, "Re: [SAtalk] Microsoft patch", "the patch", "example.com", NULL, 0);
    TAP_OK(r.brand == NULL, "brand in a reply subject alone is no claim (%s)", id_of(&r));
    r = detect(a, d, "scripting", "RSS feeds for Google news, a success",
               "feeds for Google news", "example.org", NULL, 0);
    TAP_OK(r.brand == NULL, "brand mid-sentence in subject and body is a mention (%s)",
           id_of(&r));
    r = detect(a, d, NULL, "Google: security alert", NULL, "x.top", NULL, 0);
    TAP_OK(strcmp(id_of(&r), "google") == 0 && r.impersonated, "brand leading the subject");
    {
        brand_input in = {0};
        in.display_name = "Microsoft Outlook";
        in.from_domain = "outlook.com";
        in.from_address = "postmaster@outlook.com";
        brand_detect(a, d, &in, &r);
        TAP_OK(r.brand && !r.impersonated, "postmaster@outlook.com is Microsoft's own");
        in.from_address = "ms-security-team@outlook.com";
        brand_detect(a, d, &in, &r);
        TAP_OK(r.brand && r.impersonated && r.display_mismatch,
               "a free-mail user on outlook.com is not Microsoft");
    }
    r = detect(a, d, NULL, "auからのお知らせ", NULL, "x.top", NULL, 0);
    TAP_OK(strcmp(id_of(&r), "au") == 0, "au next to kana (%s)", id_of(&r));
    r = detect(a, d, NULL, "beautiful aurora", "AU revoir", "x.top", NULL, 0);
    TAP_OK(r.brand == NULL, "au inside words and AU in caps: no claim (%s)", id_of(&r));

    /* the scan goes eight bytes at a time and the ASCII normalizer copies
     * eight at a time: names at every offset, across whitespace runs */
    {
        int all_kana = 1, all_ascii = 1, all_inside = 1, all_ws = 1;
        /* k filler letters ("xx...", not a placeholder) put each name at
         * every offset of scan_one's eight-position steps */
        for (int k = 0; k < 20; k++) {
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s 楽天カード", k, "xxxxxxxxxxxxxxxxxxxxxxxxx");
            r = detect(a, d, buf, NULL, NULL, "x.top", NULL, 0);
            all_kana &= strcmp(id_of(&r), "rakutencard") == 0;
            snprintf(buf, sizeof buf, "%.*s Amazon", k, "x x x x x x x x x x x x x x");
            r = detect(a, d, buf, NULL, NULL, "x.top", NULL, 0);
            all_ascii &= strcmp(id_of(&r), "amazon") == 0;
            snprintf(buf, sizeof buf, "%.*sAmazonian", k, "xxxxxxxxxxxxxxxxxxxxxxxxx");
            r = detect(a, d, buf, NULL, NULL, "x.top", NULL, 0);
            all_inside &= r.brand == NULL;
            snprintf(buf, sizeof buf, "%.*s\t \r\n  Apple \t\t ID  ", k, "abcdefghijklmnopqrstu");
            r = detect(a, d, buf, NULL, NULL, "x.top", NULL, 0);
            all_ws &= strcmp(id_of(&r), "apple") == 0;
        }
        TAP_OK(all_kana, "楽天カード after 0..19 bytes");
        TAP_OK(all_ascii, "Amazon after 0..19 bytes");
        TAP_OK(all_inside, "Amazon inside a word at 0..19: no claim");
        TAP_OK(all_ws, "Apple ID across whitespace runs at 0..19");
    }

    const char *kind;
    const char *id = look(a, d, "monex-jp.top", &kind);
    TAP_OK(strcmp(id, "monex") == 0 && strcmp(kind, "token") == 0, "monex-jp.top token (%s %s)",
           id, kind);
    id = look(a, d, "sbisec-co-jp.top", &kind);
    TAP_OK(strcmp(id, "sbi") == 0 && strcmp(kind, "token") == 0, "sbisec-co-jp.top (%s %s)", id,
           kind);
    id = look(a, d, "smbc-card-info.click", &kind);
    TAP_OK(strcmp(id, "smbccard") == 0, "smbc-card-info.click (%s %s)", id, kind);
    id = look(a, d, "www.amazon-login.xyz", &kind);
    TAP_OK(strcmp(id, "amazon") == 0, "host www.amazon-login.xyz (%s %s)", id, kind);
    id = look(a, d, "docomo-login.top", &kind);
    TAP_OK(strcmp(id, "docomo") == 0, "docomo-login.top is docomo, not dカード (%s)", id);
    id = look(a, d, "japanpost-jp.top", &kind);
    TAP_OK(strcmp(id, "japanpost") == 0, "japanpost-jp.top is 日本郵便, not ゆうちょ (%s)", id);
    id = look(a, d, "rnonex.co.jp", &kind);
    TAP_OK(strcmp(id, "monex") == 0 && strcmp(kind, "homoglyph") == 0, "rnonex.co.jp (%s %s)", id,
           kind);
    id = look(a, d, "xn--mnex-55d.com", &kind); /* Cyrillic о */
    TAP_OK(strcmp(id, "monex") == 0 && strcmp(kind, "homoglyph") == 0, "mоnex Cyrillic (%s %s)",
           id, kind);
    id = look(a, d, "аррӏе.com", &kind);
    TAP_OK(strcmp(id, "apple") == 0 && strcmp(kind, "homoglyph") == 0, "аррӏе palochka (%s %s)",
           id, kind);
    id = look(a, d, "paypa1.com", &kind);
    TAP_OK(strcmp(id, "paypal") == 0, "paypa1.com (%s %s)", id, kind);
    id = look(a, d, "マネックス.com", &kind);
    TAP_OK(strcmp(id, "monex") == 0 && strcmp(kind, "punycode") == 0, "マネックス.com (%s %s)", id,
           kind);
    id = look(a, d, "amazom.com", &kind);
    TAP_OK(strcmp(id, "amazon") == 0 && strcmp(kind, "edit") == 0, "amazom.com (%s %s)", id,
           kind);
    id = look(a, d, "monex.co.jp.secure-check.top", &kind);
    TAP_OK(strcmp(id, "monex") == 0, "official domain inside host (%s %s)", id, kind);
    static const char *const quiet[] = {"monex.co.jp", "www.sbisec.co.jp", "amazonaws.com",
                                        "sauna.com", "canada.ca", "banana.com", "pineapple.com",
                                        "jcbrown.com", "groups.com", "japan.com", "example.com",
                                        "bookingsystem.org", "live-chat.com", "line-up.net",
                                        "sites.google.com", "daiwa.com", "money.com",
                                        "sourceforge.net", "python.org", "postfix.org"};
    for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++) {
        id = look(a, d, quiet[i], &kind);
        TAP_OK(strcmp(id, "(none)") == 0, "no lookalike: %s (%s %s)", quiet[i], id, kind);
    }
    /* answers are remembered per thread: asking again gives the same */
    {
        static const char *const again[] = {"amazom.com", "rnonex.co.jp", "monex-jp.top",
                                            "example.com", "amazom.com", "example.com"};
        int same = 1;
        for (size_t i = 0; i < sizeof again / sizeof *again; i++) {
            const char *k1, *k2;
            const char *i1 = look(a, d, again[i], &k1);
            arena *b = arena_new(0);
            const char *i2 = look(b, d, again[i], &k2);
            same &= strcmp(i1, i2) == 0 && strcmp(k1, k2) == 0;
            arena_free(b);
        }
        TAP_OK(same, "lookalike answers repeat");
        lookalike_hit h1, h2;
        TAP_OK(brand_lookalike(a, d, "amazom.com", &h1) == 1 &&
                   brand_lookalike(a, d, "amazom.com", &h2) == 1 && h1.evidence != h2.evidence &&
                   strcmp(h1.evidence, h2.evidence) == 0,
               "a remembered hit gives its own copy of the evidence (%s)",
               h1.evidence ? h1.evidence : "");
    }
    const char *why = NULL;
    TAP_OK(brand_suspicious_tld(d, "top", &why) && why, "top is a risky TLD (%s)", why ? why : "");
    TAP_OK(brand_suspicious_tld(d, ".CFD", NULL), ".CFD is risky");
    TAP_OK(brand_suspicious_tld(d, "www.threnodycode.sbs", NULL), "host under .sbs");
    TAP_OK(!brand_suspicious_tld(d, "jp", NULL) && !brand_suspicious_tld(d, "com", NULL),
           "jp, com are not listed");

    test_normalize_fast(d);
    test_scan_merged(d);
    brand_data *d2 = brand_data_load(dir, &err);
    TAP_OK(d2 != NULL, "a second load");
    if (d2) {
        test_lookalike_index(d, d2);
        brand_data_free(d2);
    }

    arena_free(a);
    brand_data_free(d);
    return TAP_DONE();
}
