/*
 * fuzz_received.c - libFuzzer entry: bytes as a Received value, and as
 * Authentication-Results / Received-SPF / DKIM-Signature / spam headers.
 * The input is copied without a NUL so reads past len are caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/route/authres.h"
#include "../src/route/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size ? size : 1);
    if (!v)
        return 0;
    memcpy(v, data, size);
    arena *a = arena_new(0);
    rcv_hop h;
    route_parse_received(a, v, size, &h);
    authres_header ar;
    authres_parse(a, v, size, &ar);
    authres_spf spf;
    authres_parse_received_spf(a, v, size, &spf);
    authres_dkim_sig ds;
    authres_parse_dkim_signature(a, v, size, &ds);
    authres_spam_status st;
    authres_parse_spam_status(a, v, size, &st);
    authres_rspamd rs;
    authres_parse_spamd_result(a, v, size, &rs);
    authres_ms_antispam ms;
    authres_parse_ms_antispam(a, v, size, &ms);
    arena_free(a);
    free(v);
    return 0;
}
