/*
 * fuzz_rfc2047.c - libFuzzer entry: bytes as a header value for the RFC 2047
 * decoder, and as text in an unknown charset; the output must be valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/mime/charset.h"
#include "../src/mime/rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new(0);
    int flags = 0;
    char *s = rfc2047_decode(a, (const char *)data, size, &flags);
    if (s && !charset_utf8_valid(s, strlen(s)))
        abort();
    static const char *const labels[] = {NULL, "iso-2022-jp", "shift_jis", "euc-jp", "utf-8", "gb2312"};
    const char *label = labels[size % (sizeof labels / sizeof labels[0])];
    size_t ol = 0;
    char *t = charset_to_utf8(a, label, (const char *)data, size, &ol, NULL);
    if (t && !charset_utf8_valid(t, ol))
        abort();
    arena_free(a);
    return 0;
}
