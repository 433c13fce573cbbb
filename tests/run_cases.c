/*
 * run_cases.c - the declarative test runner (after curl's tests/data).
 *
 * For every tests/cases/NAME.eml it analyzes the message through the public
 * API, renders the JSON report (or the error record) and checks it against
 * NAME.expect.json, which lists only the fields that matter:
 *   - objects: every key given must match; other keys are ignored;
 *   - arrays: same length, element by element;
 *   - {"$contains": "s"}: a string containing s;
 *   - {"$len": n}: an array or string (bytes) of that length;
 *   - {"$not_contains": "s"}: a string (or null) not containing s;
 *   - {"$has_ids": [..]} / {"$lacks_ids": [..]}: an array of objects whose "id"s
 *     include / do not include each one (findings);
 *   - anything else: equal.
 * usage: run_cases CASES_DIR [DATA_DIR]
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/kensa.h"
#include "tap.h"

static int match(json_t *exp, json_t *act, const char *path, char *why, size_t wl)
{
    if (json_is_object(exp)) {
        json_t *c = json_object_get(exp, "$contains");
        json_t *nc = json_object_get(exp, "$not_contains");
        json_t *ln = json_object_get(exp, "$len");
        json_t *hi = json_object_get(exp, "$has_ids");
        json_t *li = json_object_get(exp, "$lacks_ids");
        if (hi || li) {
            json_t *want = hi ? hi : li;
            for (size_t i = 0; i < json_array_size(want); i++) {
                const char *id = json_string_value(json_array_get(want, i));
                int found = 0;
                for (size_t j = 0; json_is_array(act) && j < json_array_size(act); j++) {
                    const char *aid =
                        json_string_value(json_object_get(json_array_get(act, j), "id"));
                    if (aid && id && strcmp(aid, id) == 0)
                        found = 1;
                }
                if (found != (hi != NULL)) {
                    snprintf(why, wl, "%s: %s %s", path, hi ? "lacks" : "has", id ? id : "?");
                    return 0;
                }
            }
            return 1;
        }
        if (c) {
            if (!json_is_string(act) || !strstr(json_string_value(act), json_string_value(c))) {
                snprintf(why, wl, "%s: does not contain \"%s\"", path, json_string_value(c));
                return 0;
            }
            return 1;
        }
        if (nc) {
            if (json_is_string(act) && strstr(json_string_value(act), json_string_value(nc))) {
                snprintf(why, wl, "%s: contains \"%s\"", path, json_string_value(nc));
                return 0;
            }
            return 1;
        }
        if (ln) {
            size_t n = json_is_array(act)    ? json_array_size(act)
                       : json_is_string(act) ? json_string_length(act)
                                             : (size_t)-1;
            if (n != (size_t)json_integer_value(ln)) {
                snprintf(why, wl, "%s: length %zd, expected %lld", path, (ssize_t)n,
                         (long long)json_integer_value(ln));
                return 0;
            }
            return 1;
        }
        if (!json_is_object(act)) {
            snprintf(why, wl, "%s: not an object", path);
            return 0;
        }
        const char *k;
        json_t *v;
        json_object_foreach(exp, k, v)
        {
            char sub[512];
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            json_t *av = json_object_get(act, k);
            if (!av) {
                snprintf(why, wl, "%s: missing", sub);
                return 0;
            }
            if (!match(v, av, sub, why, wl))
                return 0;
        }
        return 1;
    }
    if (json_is_array(exp)) {
        if (!json_is_array(act) || json_array_size(act) != json_array_size(exp)) {
            snprintf(why, wl, "%s: array of %zu expected, got %zu", path, json_array_size(exp),
                     json_is_array(act) ? json_array_size(act) : 0);
            return 0;
        }
        for (size_t i = 0; i < json_array_size(exp); i++) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (!match(json_array_get(exp, i), json_array_get(act, i), sub, why, wl))
                return 0;
        }
        return 1;
    }
    if (!json_equal(exp, act)) {
        char *e = json_dumps(exp, JSON_ENCODE_ANY);
        char *a = json_dumps(act, JSON_ENCODE_ANY);
        snprintf(why, wl, "%s: expected %s, got %s", path, e ? e : "?", a ? a : "?");
        free(e);
        free(a);
        return 0;
    }
    return 1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    if (len)
        *len = n;
    return b;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: run_cases CASES_DIR [DATA_DIR]\n");
        return 1;
    }
    const char *dir = argv[1];
    kensa_options o = {.data_dir = argc > 2 ? argv[2] : NULL};
    char *err = NULL;
    kensa_ctx *k = kensa_open(&o, &err);
    if (!k) {
        printf("not ok 1 - kensa_open: %s\n", err ? err : "?");
        return 1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        printf("not ok 1 - cannot open %s\n", dir);
        return 1;
    }
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".eml") == 0)
            names[n++] = strndup(e->d_name, l - 4);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s.eml", dir, names[i]);
        size_t len = 0;
        char *raw = slurp(p, &len);
        snprintf(p, sizeof p, "%s/%s.expect.json", dir, names[i]);
        json_error_t je;
        json_t *exp = json_load_file(p, 0, &je);
        if (!raw || !exp) {
            TAP_OK(0, "case %s: cannot read input or %s (%s)", names[i], p, je.text);
            free(raw);
            json_decref(exp);
            free(names[i]);
            continue;
        }
        kensa_report *r = NULL;
        char *aerr = NULL;
        char *out;
        if (kensa_analyze(k, raw, len, names[i], &r, &aerr) == KENSA_OK) {
            out = kensa_report_render(r, KENSA_FMT_NDJSON, "ja", NULL);
            kensa_report_free(r);
        } else {
            out = kensa_error_record(names[i], NULL, (long long)len, "not_a_message", aerr);
        }
        json_t *act = out ? json_loads(out, 0, &je) : NULL;
        char why[1024] = "";
        int ok = act && match(exp, act, "$", why, sizeof why);
        TAP_OK(ok, "case %s", names[i]);
        if (!ok)
            printf("#   %s\n", act ? why : "report is not valid JSON");
        json_decref(act);
        json_decref(exp);
        free(out);
        free(aerr);
        free(raw);
        free(names[i]);
    }
    kensa_close(k);
    return TAP_DONE();
}
