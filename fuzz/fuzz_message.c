/*
 * fuzz_message.c - libFuzzer entry: arbitrary bytes as a whole message
 * through the public API (every stage) and every writer: json, ndjson, text,
 * Markdown, HTML and colour text. Nothing may crash, leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../include/kensa.h"

static kensa_ctx *k;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!k) {
        kensa_options o = {0};
        k = kensa_open(&o, NULL);
        if (!k)
            abort();
    }
    kensa_report *r = NULL;
    char *err = NULL;
    if (kensa_analyze(k, (const char *)data, size, "fuzz", &r, &err) == KENSA_OK) {
        for (int f = KENSA_FMT_JSON; f <= KENSA_FMT_TEXT_COLOR; f++)
            free(kensa_report_render(r, (kensa_format)f, "ja", NULL));
        kensa_report_free(r);
    }
    free(err);
    return 0;
}
