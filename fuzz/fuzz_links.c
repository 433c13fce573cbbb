/*
 * fuzz_links.c - libFuzzer entry for the links stage: the same bytes go in
 * as a text/plain part, as a text/html part and as the subject, then through
 * links_defang_text and the JSON writer. Needs data/redirectors.tsv
 * ($KENSA_DATA_DIR, default ./data).
 * build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/fuzz_links.c plus
 *        every .c of src/links and src/util, src/report/json_links.c; gumbo libpsl libidn2 jansson
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/links/links.h"
#include "../src/links/links_int.h"
#include "../src/report/json_links.h"

static links_data *fuzz_data(void)
{
    static links_data *d; /* loaded once, read-only afterwards */
    if (!d) {
        const char *dir = getenv("KENSA_DATA_DIR");
        char *err = NULL;
        d = links_data_load(dir ? dir : "data", &err);
        free(err);
        if (!d)
            abort();
    }
    return d;
}


/* the spans of a scan folded into one number: with and without the
 * plain-word skip they must be the same */
typedef struct {
    uint64_t h, n;
} span_sum;

static int sum_span(void *ctx, const char *text, size_t s, size_t e, int kind)
{
    span_sum *m = ctx;
    (void)text;
    m->h = (m->h ^ s) * 0x100000001b3ULL;
    m->h = (m->h ^ e) * 0x100000001b3ULL;
    m->h = (m->h ^ (uint64_t)kind) * 0x100000001b3ULL;
    m->n++;
    return 0;
}

static void skip_check(const char *s, size_t n)
{
    for (int bare = 0; bare < 2; bare++) {
        span_sum x = {0, 0}, y = {0, 0};
        links_scan_skip_plain = 1;
        links_scan_text(s, n, bare, sum_span, &x);
        links_scan_skip_plain = 0;
        links_scan_text(s, n, bare, sum_span, &y);
        links_scan_skip_plain = 1;
        if (x.h != y.h || x.n != y.n)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    arena *a = arena_new(256u << 20);
    char *s = arena_strndup(a, (const char *)data, size); /* stops at the first NUL */
    skip_check(s, strlen(s));
    km_message *m = arena_alloc(a, sizeof *m);
    m->a = a;
    m->parts = arena_alloc(a, 2 * sizeof *m->parts);
    m->nparts = 2;
    m->parts[0].content_type = "text/plain";
    m->parts[0].text = s;
    m->parts[0].text_len = strlen(s);
    m->parts[1].content_type = "text/html";
    m->parts[1].text = s;
    m->parts[1].text_len = strlen(s);
    m->subject = s;
    links_result r;
    if (links_extract(a, fuzz_data(), m, &r) == 0) {
        links_defang_text(a, &r, s);
        for (size_t i = 0; i < r.n; i++) {
            links_mismatch_evidence(a, &r.v[i]);
            links_defang_url(a, r.v[i].url);
        }
        json_t *j = report_json_links(&r);
        char *out = json_dumps(j, 0);
        free(out);
        json_decref(j);
    }
    arena_free(a);
    return 0;
}
