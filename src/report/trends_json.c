/*
 * trends_json.c - `kensa trends --format json` (../shared/CONTRACT.md,
 * "Trends JSON"). The contract keys come first and keep their names; the rest
 * (previous period, lure domains, domain ages, new brands and lures, example
 * subjects, the generated summary) are additions. Missing values are null.
 */
#include <jansson.h>
#include <stdlib.h>

#include "../store/trends.h"

static json_t *jstr(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *period(const char *since, const char *until)
{
    return json_pack("{s:o,s:o}", "since", jstr(since), "until", jstr(until));
}

static json_t *brands(const trend_list *l, int with_examples)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const trend_item *it = &l->v[i];
        json_t *o = json_pack("{s:o,s:o,s:I,s:I,s:o}", "id", jstr(it->id), "name",
                              jstr(it->name), "count", (json_int_t)it->count, "previous",
                              (json_int_t)it->previous, "name_en", jstr(it->name_en));
        if (with_examples) {
            json_t *ex = json_array();
            for (int k = 0; k < it->nexamples; k++)
                json_array_append_new(ex, jstr(it->examples[k]));
            json_object_set_new(o, "examples", ex);
        }
        json_array_append_new(a, o);
    }
    return a;
}

/* [{key: id, count}] (+ previous when asked) */
static json_t *counts(const trend_list *l, const char *key, int with_previous)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) {
        json_t *o = json_pack("{s:o,s:I}", key, jstr(l->v[i].id), "count",
                              (json_int_t)l->v[i].count);
        if (with_previous)
            json_object_set_new(o, "previous", json_integer((json_int_t)l->v[i].previous));
        json_array_append_new(a, o);
    }
    return a;
}

char *trends_json(const trends_model *m, const char *lang)
{
    json_t *root = json_object();
    json_object_set_new(root, "period", period(m->since, m->until));
    json_object_set_new(root, "total", json_integer(m->total));
    json_object_set_new(root, "verdicts",
                        json_pack("{s:I,s:I,s:I,s:I}", "phishing",
                                  (json_int_t)m->verdicts[TV_PHISHING], "spam",
                                  (json_int_t)m->verdicts[TV_SPAM], "suspicious",
                                  (json_int_t)m->verdicts[TV_SUSPICIOUS], "clean",
                                  (json_int_t)m->verdicts[TV_CLEAN]));
    json_object_set_new(root, "brands", brands(&m->brands, 1));
    json_object_set_new(root, "lures", counts(&m->lures, "id", 1));
    json_t *prov = json_array();
    for (size_t i = 0; i < m->providers.n; i++) {
        const trend_item *it = &m->providers.v[i];
        json_array_append_new(prov, json_pack("{s:o,s:o,s:I}", "name", jstr(it->id), "asn",
                                              it->asn ? json_integer(it->asn) : json_null(),
                                              "count", (json_int_t)it->count));
    }
    json_object_set_new(root, "providers", prov);
    json_object_set_new(root, "countries", counts(&m->countries, "code", 0));
    json_object_set_new(root, "tlds", counts(&m->tlds, "tld", 0));
    json_object_set_new(root, "deadlines",
                        json_pack("{s:I,s:I,s:I,s:I}", "with_deadline", (json_int_t)m->dl_with,
                                  "weekend", (json_int_t)m->dl_weekend, "month_end",
                                  (json_int_t)m->dl_month_end, "within_72h",
                                  (json_int_t)m->dl_72h));
    /* additions */
    json_object_set_new(root, "week", json_boolean(m->week));
    json_t *prev = period(m->prev_since, m->prev_until);
    json_object_set_new(prev, "total", m->all ? json_null() : json_integer(m->prev_total));
    json_object_set_new(root, "previous_period", prev);
    json_object_set_new(root, "unwanted", json_integer(m->unwanted));
    json_object_set_new(root, "domains", counts(&m->domains, "domain", 0));
    json_object_set_new(root, "domain_ages",
                        json_pack("{s:I,s:I,s:I,s:I}", "known", (json_int_t)m->ages_known,
                                  "under_30d", (json_int_t)m->ages_under_30, "under_1y",
                                  (json_int_t)m->ages_under_365, "older",
                                  (json_int_t)m->ages_older));
    json_object_set_new(root, "new_brands", brands(&m->new_brands, 0));
    json_object_set_new(root, "new_lures", counts(&m->new_lures, "id", 0));
    char *para = trends_paragraph(m, lang);
    json_object_set_new(root, "summary", jstr(para));
    free(para);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return s;
}
