/*
 * fuzz_content.c - libFuzzer entry for the content stage.
 *
 * First byte selects the target: even = content_analyze() with the bytes as
 * subject (up to the first newline) and body text; odd = the deadline parser
 * alone on the raw bytes. Data is loaded once from KENSA_DATA (default "data").
 * Build: clang -fsanitize=fuzzer,address,undefined (see the report for the line).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/content/content.h"

static content_data *data;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("KENSA_DATA");
    char *err = NULL;
    data = content_data_load(dir ? dir : "data", &err);
    if (!data)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    if (len < 1)
        return 0;
    int mode = buf[0] & 1;
    const char *s = (const char *)buf + 1;
    size_t n = len - 1;
    if (mode) {
        content_deadline d;
        size_t lp[2] = {0, n / 2};
        content_deadline_find(s, n, (buf[0] & 2) ? "2026-01-29T10:00:00+09:00" : NULL,
                              (buf[0] & 4) != 0, lp, 2, &d);
        double sc;
        char lab[64];
        size_t l = n < sizeof lab - 1 ? n : sizeof lab - 1;
        memcpy(lab, s, l);
        lab[l] = 0;
        content_random_domain(lab, &sc);
        return 0;
    }
    arena *a = arena_new(0);
    km_message *m = arena_alloc(a, sizeof *m);
    const char *nl = memchr(s, '\n', n);
    size_t sl = nl ? (size_t)(nl - s) : 0;
    m->a = a;
    m->subject = arena_strndup(a, s, sl);
    m->text = arena_strndup(a, s + sl, n - sl);
    m->text_source = "text/plain";
    m->received_at = (buf[0] & 2) ? "2026-01-29T10:00:00+09:00" : NULL;
    km_part p;
    memset(&p, 0, sizeof p);
    p.filename = m->subject;
    p.disposition = "attachment";
    p.content_type = "application/octet-stream";
    m->parts = &p;
    m->nparts = 1;
    content_result r;
    content_analyze(a, data, m, &r);
    arena_free(a);
    return 0;
}
