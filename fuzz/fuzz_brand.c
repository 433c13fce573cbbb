/*
 * fuzz_brand.c - libFuzzer entry for brand detection and lookalikes: the
 * input is split at NUL bytes into display name, subject, text, From domain
 * and link domains, and its first 300 bytes are also tried as one domain.
 * Build: clang -fsanitize=fuzzer,address,undefined (see the lead's meson).
 * Needs the data directory: KENSA_DATA_DIR env, default "data".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/intel/brand.h"

static brand_data *data;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("KENSA_DATA_DIR");
    char *err = NULL;
    data = brand_data_load(dir ? dir : "data", &err);
    if (!data)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    if (len > 1 << 16)
        return 0;
    char *s = malloc(len + 1);
    if (!s)
        return 0;
    memcpy(s, buf, len);
    s[len] = '\0';
    const char *f[8] = {0};
    size_t nf = 0;
    for (size_t i = 0; i <= len && nf < 8;) {
        f[nf++] = s + i;
        i += strlen(s + i) + 1;
    }
    arena *a = arena_new(64u << 20);
    brand_input in = {0};
    in.display_name = f[0];
    in.subject = f[1];
    in.text = f[2];
    in.from_domain = f[3];
    in.return_path_domain = f[4];
    in.link_domains = nf > 5 ? f + 5 : NULL;
    in.nlinks = nf > 5 ? nf - 5 : 0;
    brand_result r;
    brand_detect(a, data, &in, &r);
    char dom[301];
    size_t dl = len < 300 ? len : 300;
    memcpy(dom, buf, dl);
    dom[dl] = '\0';
    lookalike_hit h;
    brand_lookalike(a, data, dom, &h);
    for (size_t i = 0; i < nf; i++) {
        brand_lookalike(a, data, f[i], &h);
        brand_suspicious_tld(data, f[i], NULL);
    }
    arena_free(a);
    free(s);
    return 0;
}
