/*
 * links_corpus.c - run by hand: the links stage over the shared corpora.
 * ja-synth: every phishing lure_domain is among links[].domain, and some
 * link mismatches exactly for the messages whose tricks include
 * link_text_mismatch (never for ham). Other dirs: no crash, figures printed.
 * usage: links_corpus DATA_DIR JA_SYNTH_DIR [OTHER_DIR...]   (prints TAP)
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/links/links.h"
#include "../tap.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = b ? (size_t)n : 0;
    return b;
}

typedef struct {
    size_t msgs, links, mism_msgs, unparsed, max_links;
} stats;

/* Parse and extract one file; returns the arena (caller frees) or NULL. */
static arena *one(const mime_config *mc, const links_data *d, const char *path,
                  links_result *r, stats *st)
{
    size_t len;
    char *raw = slurp(path, &len);
    if (!raw)
        return NULL;
    arena *a = arena_new(0);
    km_message *m = NULL;
    const char *why = NULL;
    int ok = mime_parse(a, mc, raw, len, &m, &why) == 0 && m;
    free(raw);
    if (!ok || links_extract(a, d, m, r) != 0) {
        st->unparsed++;
        arena_free(a);
        return NULL;
    }
    st->msgs++;
    st->links += r->n;
    if (r->n > st->max_links)
        st->max_links = r->n;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].mismatch) {
            st->mism_msgs++;
            break;
        }
    return a;
}

static int any_mismatch(const links_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].mismatch)
            return 1;
    return 0;
}

static void ja_synth(const mime_config *mc, const links_data *d, const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/truth.jsonl", dir);
    FILE *f = fopen(p, "r");
    TAP_OK(f != NULL, "open %s", p);
    if (!f)
        return;
    char line[8192];
    size_t lure_ok = 0, lure_n = 0, mm_ok = 0, mm_n = 0;
    stats st = {0};
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *t = json_loads(line, 0, &je);
        if (!t)
            continue;
        const char *file = json_string_value(json_object_get(t, "file"));
        const char *label = json_string_value(json_object_get(t, "label"));
        const char *lure = json_string_value(json_object_get(t, "lure_domain"));
        int want_mm = 0;
        json_t *tr = json_object_get(t, "tricks"), *v;
        size_t k;
        json_array_foreach(tr, k, v) if (strcmp(json_string_value(v), "link_text_mismatch") == 0)
            want_mm = 1;
        snprintf(p, sizeof p, "%s/%s", dir, file ? file : "");
        links_result r;
        arena *a = one(mc, d, p, &r, &st);
        if (!a) {
            TAP_OK(0, "ja-synth %s parsed", file);
            json_decref(t);
            continue;
        }
        int is_ph = label && strcmp(label, "phishing") == 0;
        if (is_ph && lure) {
            int found = 0;
            for (size_t i = 0; i < r.n; i++)
                if (r.v[i].domain && strcmp(r.v[i].domain, lure) == 0)
                    found = 1;
            lure_n++;
            lure_ok += found;
            if (!found)
                printf("# %s: lure %s not among link domains\n", file, lure);
        }
        int got = any_mismatch(&r);
        mm_n++;
        if (got == want_mm)
            mm_ok++;
        else
            printf("# %s (%s): mismatch %d, expected %d\n", file, label, got, want_mm);
        arena_free(a);
        json_decref(t);
    }
    fclose(f);
    TAP_OK(lure_ok == lure_n, "ja-synth: lure_domain among links[].domain for %zu/%zu phishing",
           lure_ok, lure_n);
    TAP_OK(mm_ok == mm_n, "ja-synth: mismatch exactly as truth for %zu/%zu messages", mm_ok, mm_n);
    printf("# ja-synth: %zu messages, %zu links (%.2f per message, max %zu), %zu with mismatch\n",
           st.msgs, st.links, st.msgs ? (double)st.links / (double)st.msgs : 0.0, st.max_links,
           st.mism_msgs);
}

static void walk(const mime_config *mc, const links_data *d, const char *dir, stats *st, int depth)
{
    DIR *dd = opendir(dir);
    if (!dd || depth > 8) {
        if (dd)
            closedir(dd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dd))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR) {
            walk(mc, d, p, st, depth + 1);
            continue;
        }
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 4, ".eml") != 0)
            continue;
        links_result r;
        arena *a = one(mc, d, p, &r, st);
        if (a) {
            /* exercise the other entry points too */
            for (size_t i = 0; i < r.n; i++)
                if (r.v[i].mismatch && getenv("LINKS_SHOW"))
                    printf("#   %s: %s [%s]\n", e->d_name,
                           links_mismatch_evidence(a, &r.v[i]), r.v[i].text);
            arena_free(a);
        }
    }
    closedir(dd);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: links_corpus DATA_DIR JA_SYNTH_DIR [DIR...]\n");
        return 1;
    }
    mime_global_init();
    char *err = NULL;
    mime_config *mc = mime_config_load(argv[1], &err);
    links_data *d = links_data_load(argv[1], &err);
    TAP_OK(mc && d, "load data (%s)", err ? err : "ok");
    if (!mc || !d)
        return TAP_DONE();
    ja_synth(mc, d, argv[2]);
    for (int i = 3; i < argc; i++) {
        stats st = {0};
        walk(mc, d, argv[i], &st, 0);
        TAP_OK(st.msgs > 0, "%s: %zu messages without crash (%zu not parsed)", argv[i], st.msgs,
               st.unparsed);
        printf("# %s: %zu links (%.2f per message, max %zu), %zu messages with mismatch\n",
               argv[i], st.links, st.msgs ? (double)st.links / (double)st.msgs : 0.0,
               st.max_links, st.mism_msgs);
    }
    links_data_free(d);
    mime_config_free(mc);
    mime_global_shutdown();
    return TAP_DONE();
}
