/*
 * trends_out.h - pieces the trends writers (trends_md.c, trends_html.c,
 * trends_json.c) share: headings, display names, the change column, the
 * sanitizer that makes control and bidi characters visible, defanging of
 * lure domains. Internal to src/report.
 */
#ifndef KENSA_TRENDS_OUT_H
#define KENSA_TRENDS_OUT_H

#include "../store/trends.h"
#include "../util/kbuf.h"

enum {
    TH_VERDICTS, TH_BRANDS, TH_EXAMPLES, TH_LURES, TH_PROVIDERS, TH_COUNTRIES,
    TH_TLDS, TH_DOMAINS, TH_AGES, TH_DEADLINES, TH_NEW, TH_N
};

int trends_lang_en(const char *lang);
const char *trends_brand_name(const trend_item *it, const char *lang);
const char *trends_title(const trends_model *m, const char *lang, int level);
const char *trends_heading(int which, const char *lang);
const char *trends_verdict_name(int v, const char *lang);
/* "+3", "-2", "新規"/"new", or "-" when there is no previous period */
void trends_change(char out[32], const trends_model *m, const trend_item *it, const char *lang);
/* Append s with controls/bidi as <U+XXXX>; put() writes each other character
 * (n bytes of UTF-8), escaping it for the output format. */
void trends_add_visible(kbuf *b, const char *s, void (*put)(kbuf *, const char *, size_t));
/* "evil.example" -> "evil[.]example" (malloc'd). */
char *trends_defang_domain(const char *d);

#endif
