/*
 * json_content.c - content_result as JSON.
 *
 * The contract keys (language, lure, deadline, deadline_text, phones) always
 * present, null when unknown; extra keys: deadline_facts, mt_tells,
 * attachments, lure_evidence, lure_scores. Strings are UTF-8 from the content
 * stage; an invalid one (should not happen) becomes "" rather than a lost key.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../mime/charset.h"
#include "json_content.h"

static void js(jw *w, const char *s)
{
    if (!s)
        jw_null(w);
    else if (charset_utf8_valid(s, strlen(s)))
        jw_strn(w, s, strlen(s));
    else
        jw_strn(w, "", 0);
}

/* {kind|name, text|kind, suggestion|why}: three string members */
static void triple(jw *w, const char *k1, const char *v1, const char *k2, const char *v2,
                   const char *k3, const char *v3)
{
    jw_obj(w);
    jw_key(w, k1);
    js(w, v1);
    jw_key(w, k2);
    js(w, v2);
    jw_key(w, k3);
    js(w, v3);
    jw_end(w);
}

void report_json_content_write(jw *w, const content_result *r)
{
    if (!r) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    jw_key(w, "language");
    js(w, r->language);
    jw_key(w, "lure");
    js(w, r->lure);
    jw_key(w, "deadline");
    js(w, r->deadline);
    jw_key(w, "deadline_text");
    js(w, r->deadline_text);
    jw_key(w, "phones");
    jw_arr(w);
    for (size_t i = 0; i < r->nphones; i++)
        js(w, r->phones[i]);
    jw_end(w);

    jw_key(w, "deadline_facts");
    if (r->deadline) {
        double h = r->deadline_hours;
        h = (double)(long long)(h * 10 + (h < 0 ? -0.5 : 0.5)) / 10.0; /* one decimal */
        jw_obj(w);
        if (r->deadline_has_receipt)
            jw_key_real(w, "hours", h);
        else {
            jw_key(w, "hours");
            jw_null(w);
        }
        jw_key(w, "has_time");
        jw_bool(w, r->deadline_has_hours);
        jw_key(w, "weekend");
        jw_bool(w, r->deadline_weekend);
        jw_key(w, "month_end");
        jw_bool(w, r->deadline_month_end);
        jw_key(w, "off_hours");
        jw_bool(w, r->deadline_off_hours);
        jw_end(w);
    } else {
        jw_null(w);
    }
    jw_key(w, "mt_tells");
    jw_arr(w);
    for (size_t i = 0; i < r->ntells; i++)
        triple(w, "kind", r->tells[i].kind, "text", r->tells[i].text, "suggestion",
               r->tells[i].suggestion);
    jw_end(w);
    jw_key(w, "attachments");
    jw_arr(w);
    for (size_t i = 0; i < r->nattach; i++)
        triple(w, "name", r->attach[i].name, "kind", r->attach[i].kind, "why",
               r->attach[i].why);
    jw_end(w);
    jw_key(w, "document");
    js(w, r->document);
    jw_key(w, "lure_evidence");
    js(w, r->lure_evidence);
    jw_key(w, "lure_scores");
    jw_arr(w);
    for (size_t i = 0; i < r->nlures; i++) {
        if (!isfinite(r->lures[i].score))
            continue; /* jansson could not pack it */
        jw_obj(w);
        jw_key(w, "id");
        js(w, r->lures[i].id);
        jw_key(w, "score");
        jw_real(w, r->lures[i].score);
        jw_key(w, "evidence");
        js(w, r->lures[i].evidence);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

json_t *report_json_content(const content_result *r)
{
    jw w;
    jw_init(&w, 0);
    report_json_content_write(&w, r);
    char *s = jw_finish(&w);
    json_t *j = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
    free(s);
    return j;
}
