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

    arena_free(a);
    brand_data_free(d);
    return TAP_DONE();
}
