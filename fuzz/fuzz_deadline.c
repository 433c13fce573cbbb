/*
 * fuzz_deadline.c - libFuzzer entry for deadline parsing alone:
 * content_deadline_find over the bytes (copied without a NUL, so reads past
 * len are caught), with and without a receipt time, Japanese or not, with
 * lure positions taken from the input; and content_parse_iso on the bytes as
 * a receipt string. Checks the outputs stay NUL-terminated in their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/content/content.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > (1u << 16))
        return 0;
    unsigned flags = data[0], lp = data[1];
    data += 2;
    size -= 2;
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    size_t pos[3] = {0, size ? (lp * size) / 256 : 0, size};
    static const char *const receipts[] = {NULL, "2026-01-29T10:00:00+09:00", "2026-12-31T23:59:59Z",
                                           "1970-01-01T00:00+00:00"};
    content_deadline d;
    content_deadline_find(s, size, receipts[flags & 3], (flags & 4) != 0, pos, (flags >> 3) & 3, &d);
    if (d.found && (!memchr(d.iso, 0, sizeof d.iso) || !memchr(d.text, 0, sizeof d.text)))
        abort();
    /* the same bytes as the receipt (a string: stop at the first NUL) */
    char *r = malloc(size + 1);
    if (r) {
        memcpy(r, data, size);
        r[size] = 0;
        long long ep;
        int off;
        content_parse_iso(r, &ep, &off);
        content_deadline_find(s, size, r, 1, NULL, 0, &d);
        free(r);
    }
    free(s);
    return 0;
}
