/*
 * content_corpus.c - the content stage over the shared corpora (run by hand).
 *
 * usage: content_corpus CORPUS_DIR   (e.g. ../shared/corpus)
 * ja-synth: deadline date and lure against truth.jsonl, tells for ja_typo /
 * split_word mails; sa-ham, phish-pot: no crash, counts. TAP on stdout.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/content/content.h"
#include "../../src/mime/message.h"
#include "../tap.h"

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long l = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)l + 1);
    if (b && fread(b, 1, (size_t)l, f) != (size_t)l) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        b[l] = 0;
    *n = (size_t)l;
    return b;
}

static int analyze(const mime_config *mc, const content_data *cd, const char *path, arena *a,
                   content_result *r)
{
    size_t n = 0;
    char *raw = slurp(path, &n);
    if (!raw)
        return -1;
    km_message *m = NULL;
    const char *why = NULL;
    int rc = mime_parse(a, mc, raw, n, &m, &why);
    if (rc == 0)
        rc = content_analyze(a, cd, m, r);
    free(raw);
    return rc;
}

static void bulk(const mime_config *mc, const content_data *cd, const char *dir, const char *name)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        printf("# %s: not found, skipped\n", dir);
        return;
    }
    struct dirent *e;
    size_t files = 0, failed = 0, lures = 0, dls = 0, tells = 0, phones = 0, att = 0;
    size_t ja = 0, en = 0;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.' || strstr(e->d_name, "LICENSE") || strstr(e->d_name, ".md"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        arena *a = arena_new(0);
        content_result r;
        if (analyze(mc, cd, path, a, &r) == 0) {
            lures += r.lure != NULL;
            dls += r.deadline != NULL;
            tells += r.ntells > 0;
            phones += r.nphones > 0;
            att += r.nattach > 0;
            ja += strcmp(r.language, "ja") == 0;
            en += strcmp(r.language, "en") == 0;
        } else {
            failed++;
        }
        arena_free(a);
        files++;
    }
    closedir(dp);
    printf("# %s: %zu files (%zu not parsed); ja %zu en %zu; lure %zu, deadline %zu, tells %zu, "
           "phones %zu, lure-type attachments %zu\n",
           name, files, failed, ja, en, lures, dls, tells, phones, att);
    TAP_OK(files > 0, "%s: %zu files analyzed without a crash", name, files);
}

int main(int argc, char **argv)
{
    const char *corpus = argc > 1 ? argv[1] : "../shared/corpus";
    char *err = NULL;
    mime_global_init();
    mime_config *mc = mime_config_load("data", &err);
    content_data *cd = content_data_load("data", &err);
    if (!mc || !cd) {
        printf("not ok 1 - load data: %s\n", err ? err : "?");
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/ja-synth/truth.jsonl", corpus);
    FILE *tf = fopen(path, "r");
    size_t dl_n = 0, dl_ok = 0, lure_n = 0, lure_ok = 0, trick_n = 0, trick_ok = 0;
    size_t ham = 0, ham_dl = 0, ham_lure = 0, phish_lure_none = 0;
    char line[8192];
    while (tf && fgets(line, sizeof line, tf)) {
        json_t *t = json_loads(line, 0, NULL);
        if (!t)
            continue;
        const char *file = json_string_value(json_object_get(t, "file"));
        const char *label = json_string_value(json_object_get(t, "label"));
        const char *tdl = json_string_value(json_object_get(t, "deadline"));
        const char *tlure = json_string_value(json_object_get(t, "lure"));
        json_t *tricks = json_object_get(t, "tricks");
        snprintf(path, sizeof path, "%s/ja-synth/%s", corpus, file ? file : "");
        arena *a = arena_new(0);
        content_result r;
        int rc = analyze(mc, cd, path, a, &r);
        int phish = label && strcmp(label, "phishing") == 0;
        if (rc) {
            TAP_OK(0, "%s parses", file);
        } else if (phish) {
            if (tdl) {
                dl_n++;
                int ok = r.deadline && strncmp(r.deadline, tdl, 10) == 0;
                dl_ok += ok;
                if (!ok)
                    printf("# deadline %s: truth %s got %s (%s)\n", file, tdl,
                           r.deadline ? r.deadline : "null",
                           r.deadline_text ? r.deadline_text : "");
            }
            if (tlure) {
                lure_n++;
                lure_ok += r.lure && strcmp(r.lure, tlure) == 0;
                if (!r.lure || strcmp(r.lure, tlure))
                    printf("# lure %s: truth %s got %s (%s)\n", file, tlure,
                           r.lure ? r.lure : "null", r.lure_evidence ? r.lure_evidence : "");
                phish_lure_none += !r.lure;
            }
            size_t i;
            json_t *v;
            json_array_foreach(tricks, i, v)
            {
                const char *s = json_string_value(v);
                if (s && (!strcmp(s, "ja_typo") || !strcmp(s, "split_word"))) {
                    trick_n++;
                    int found = 0;
                    for (size_t k = 0; k < r.ntells; k++) {
                        const char *kd = r.tells[k].kind;
                        if (!strcmp(s, "ja_typo")
                                ? (!strcmp(kd, "typo") || !strcmp(kd, "simplified_chinese"))
                                : !strcmp(kd, "split_word"))
                            found = 1;
                    }
                    trick_ok += found;
                }
            }
        } else {
            ham++;
            ham_dl += r.deadline != NULL;
            ham_lure += r.lure != NULL;
            if (r.ntells)
                printf("# ham %s has tell %s '%s'\n", file, r.tells[0].kind, r.tells[0].text);
        }
        arena_free(a);
        json_decref(t);
    }
    if (tf)
        fclose(tf);
    printf("# ja-synth: deadline date agrees %zu/%zu; lure agrees %zu/%zu; "
           "ja_typo/split_word tells found %zu/%zu (tricks tagged; not every template has the "
           "word); ham %zu: deadline %zu, lure %zu\n",
           dl_ok, dl_n, lure_ok, lure_n, trick_ok, trick_n, ham, ham_dl, ham_lure);
    TAP_OK(dl_n > 0 && dl_ok == dl_n, "ja-synth: every phishing deadline date matches (%zu/%zu)",
           dl_ok, dl_n);
    TAP_OK(lure_n > 0 && lure_ok * 100 >= lure_n * 95, "ja-synth: lure agrees >= 95%% (%zu/%zu)",
           lure_ok, lure_n);
    TAP_OK(trick_ok > 0, "ja-synth: tells found in mails tagged ja_typo/split_word (%zu/%zu)",
           trick_ok, trick_n);
    snprintf(path, sizeof path, "%s/sa-ham", corpus);
    bulk(mc, cd, path, "sa-ham");
    snprintf(path, sizeof path, "%s/phish-pot", corpus);
    bulk(mc, cd, path, "phish-pot");
    content_data_free(cd);
    mime_config_free(mc);
    mime_global_shutdown();
    return TAP_DONE();
}
