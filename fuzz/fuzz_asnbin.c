/*
 * fuzz_asnbin.c - libFuzzer harness for the asn.bin loader of src/intel/ipintel.c: arbitrary
 * bytes are offered as an asn.bin image (intel_load_asn_image), and when accepted, looked up
 * with fixed and input-derived IPv4/IPv6 addresses. With the first byte odd the harness first
 * repairs magic, version, header size and file size, so mutations reach the deeper checks
 * (offsets, counts, ordering, string table). Build (clang 14):
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -o fuzz_asnbin \
 *     fuzz/fuzz_asnbin.c src/intel/ipintel.c $(pkg-config --cflags --libs libmaxminddb) -lpthread
 * Seeds: any real or hand-made asn.bin (tools/asn_build.c output) is a good corpus entry.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/intel/ipintel.h"

#define FUZZ_MAX_IMAGE (1u << 20)

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* What ipintel.h promises of an org string it returns: at most 4096 bytes
 * of valid UTF-8 (RFC 3629: no overlongs, surrogates or values past
 * U+10FFFF) without control bytes. A damaged one must give no answer. */
static void check_org(const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    if (n > 4096)
        abort();
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c < 0x20 || c == 0x7f)
            abort();
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
        if (k == 0 || c > 0xf4 || n - i <= k)
            abort();
        unsigned v = c & (0x3f >> k);
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                abort();
            v = v << 6 | (p[i + j] & 0x3f);
        }
        if ((k == 2 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
            (k == 3 && (v < 0x10000 || v > 0x10ffff)))
            abort();
        i += k + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_IMAGE)
        return 0;
    int repair = data[0] & 1;
    data++;
    size--;
    unsigned char *img = malloc(size ? size : 1);
    if (!img)
        return 0;
    memcpy(img, data, size);
    if (repair && size >= ASNBIN_HEADER_SIZE) {
        memcpy(img, ASNBIN_MAGIC, 8);
        put32(img + 8, ASNBIN_VERSION);
        put32(img + 12, ASNBIN_HEADER_SIZE);
        put32(img + 16, (uint32_t)size);
    }
    char *err = NULL;
    intel_data *d = intel_load_asn_image(img, size, &err);
    free(err);
    if (d) {
        static const char *const fixed[] = {
            "0.0.0.0", "255.255.255.255", "10.1.2.3", "35.187.195.231", "::",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::1", "::ffff:192.0.2.1"};
        ip_info r;
        for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
            intel_lookup(d, fixed[i], i & 1 ? "mail-x.google.com" : NULL, &r);
            check_org(r.as_org);
        }
        /* addresses taken from the image itself hit range boundaries */
        char buf[INET6_ADDRSTRLEN];
        for (size_t off = ASNBIN_HEADER_SIZE; off + 16 <= size && off < 4096; off += 12) {
            if (inet_ntop(AF_INET, img + off, buf, sizeof buf)) {
                intel_lookup(d, buf, NULL, &r);
                check_org(r.as_org);
            }
            if (inet_ntop(AF_INET6, img + off, buf, sizeof buf)) {
                intel_lookup(d, buf, NULL, &r);
                check_org(r.as_org);
            }
        }
        if (r.as_org) /* the org string must be readable and terminated */
            (void)strlen(r.as_org);
        (void)strlen(intel_attribution(d));
        intel_free(d);
    }
    free(img);
    return 0;
}
