/*
 * fuzz_authres.c - libFuzzer entry for Authentication-Results alone
 * (authres_parse, RFC 8601 and the Microsoft dialect) and its lookups. The
 * value is copied without a terminating NUL so a read past len is caught.
 * The first byte, when it is '\x01', is dropped and the value is parsed as
 * an ARC-Authentication-Results ("i=N;" prefix) the same way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/route/authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    char *v = malloc(size ? size : 1);
    if (!v)
        return 0;
    memcpy(v, data, size);
    arena *a = arena_new(64u << 20);
    authres_header h;
    if (authres_parse(a, v, size, &h) == 0) {
        static const char *const methods[] = {"spf", "dkim", "dmarc", "arc", "compauth", "iprev", "auth"};
        for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
            const authres_result *r = authres_find(&h, methods[i]);
            if (!r)
                continue;
            authres_prop_get(r, "smtp.mailfrom");
            authres_prop_get(r, "header.d");
            authres_prop_get(r, "header.from");
            if (r->result && strlen(r->result) > AUTHRES_MAX_VALUE)
                abort();
        }
        for (int i = 0; i < h.nresults; i++)
            if (h.results[i].nprops > AUTHRES_MAX_PROPS)
                abort();
        if (h.nresults > AUTHRES_MAX_RESULTS)
            abort();
    }
    arena_free(a);
    free(v);
    return 0;
}
