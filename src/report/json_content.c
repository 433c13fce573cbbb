/*
 * json_content.c - content_result as JSON (jansson).
 *
 * The contract keys (language, lure, deadline, deadline_text, phones) always
 * present, null when unknown; extra keys: deadline_facts, mt_tells,
 * attachments, lure_evidence, lure_scores. Strings are UTF-8 from the content
 * stage; an invalid one (should not happen) becomes "" rather than a lost key.
 */
#include <string.h>

#include "json_content.h"

static json_t *js(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    return j ? j : json_string("");
}

json_t *report_json_content(const content_result *r)
{
    if (!r)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "language", js(r->language));
    json_object_set_new(o, "lure", js(r->lure));
    json_object_set_new(o, "deadline", js(r->deadline));
    json_object_set_new(o, "deadline_text", js(r->deadline_text));
    json_t *ph = json_array();
    for (size_t i = 0; i < r->nphones; i++)
        json_array_append_new(ph, js(r->phones[i]));
    json_object_set_new(o, "phones", ph);

    if (r->deadline) {
        json_t *f = json_object();
        double h = r->deadline_hours;
        h = (double)(long long)(h * 10 + (h < 0 ? -0.5 : 0.5)) / 10.0; /* one decimal */
        json_object_set_new(f, "hours", r->deadline_has_receipt ? json_real(h) : json_null());
        json_object_set_new(f, "has_time", json_boolean(r->deadline_has_hours));
        json_object_set_new(f, "weekend", json_boolean(r->deadline_weekend));
        json_object_set_new(f, "month_end", json_boolean(r->deadline_month_end));
        json_object_set_new(f, "off_hours", json_boolean(r->deadline_off_hours));
        json_object_set_new(o, "deadline_facts", f);
    } else {
        json_object_set_new(o, "deadline_facts", json_null());
    }
    json_t *t = json_array();
    for (size_t i = 0; i < r->ntells; i++)
        json_array_append_new(t, json_pack("{s:o,s:o,s:o}", "kind", js(r->tells[i].kind), "text",
                                           js(r->tells[i].text), "suggestion",
                                           js(r->tells[i].suggestion)));
    json_object_set_new(o, "mt_tells", t);
    json_t *at = json_array();
    for (size_t i = 0; i < r->nattach; i++)
        json_array_append_new(at, json_pack("{s:o,s:o,s:o}", "name", js(r->attach[i].name),
                                            "kind", js(r->attach[i].kind), "why",
                                            js(r->attach[i].why)));
    json_object_set_new(o, "attachments", at);
    json_object_set_new(o, "lure_evidence", js(r->lure_evidence));
    json_t *ls = json_array();
    for (size_t i = 0; i < r->nlures; i++)
        json_array_append_new(ls, json_pack("{s:o,s:f,s:o}", "id", js(r->lures[i].id), "score",
                                            r->lures[i].score, "evidence",
                                            js(r->lures[i].evidence)));
    json_object_set_new(o, "lure_scores", ls);
    return o;
}
