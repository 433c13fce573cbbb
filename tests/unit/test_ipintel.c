/*
 * test_ipintel.c - src/intel/ipintel.c: provider table by rDNS and ASN (always), country names,
 * asn.bin validation on hand-made good and corrupt images (always), and lookups against the real
 * ip-location-db data in .deps/ip (RouteViews + DB-IP.com, CC BY 4.0) when `make deps` fetched it,
 * else those checks print "# SKIP ip data absent". Also every origin_ip of ja-synth truth.jsonl
 * must map to its origin_provider. Usage: test_ipintel [data_dir [ip_dir [corpus_dir]]]
 * (defaults: KENSA_DATA_DIR or "data"; $KENSA_IP_DIR or ".deps/ip"; $KENSA_CORPUS or
 * "../shared/corpus"). INTEL_BENCH=1 also times 1e6 lookups and the load.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/intel/ipintel.h"
#include "../tap.h"

#ifndef KENSA_DATA_DIR
#define KENSA_DATA_DIR "data"
#endif

#define SKIP_IF(absent, cond, ...)                                                            \
    do {                                                                                      \
        if (absent) {                                                                         \
            printf("ok %d - ", ++tap_n);                                                      \
            printf(__VA_ARGS__);                                                              \
            printf(" # SKIP ip data absent\n");                                               \
        } else {                                                                              \
            TAP_OK(cond, __VA_ARGS__);                                                        \
        }                                                                                     \
    } while (0)

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------ hand-made asn.bin images */

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void putbe32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* 2 v4 ranges (10.0.0.0/8 -> AS64500 "Test Org", 192.0.2.0/24 -> AS64501 "テスト"),
 * 1 v6 range (2001:db8::/32 -> AS64500). Returns the size. */
/* zeroes b[0..total) and writes an asn.bin header (source string at strtab offset 0) */
static void put_header(unsigned char *b, size_t total, uint32_t n4, size_t o4, uint32_t n6,
                       size_t o6, uint32_t nas, size_t oas, size_t ssz, size_t ostr)
{
    memset(b, 0, total);
    memcpy(b, ASNBIN_MAGIC, 8);
    put32(b + 8, ASNBIN_VERSION);
    put32(b + 12, ASNBIN_HEADER_SIZE);
    put32(b + 16, (uint32_t)total);
    put32(b + 20, n4);
    put32(b + 24, (uint32_t)o4);
    put32(b + 28, n6);
    put32(b + 32, (uint32_t)o6);
    put32(b + 36, nas);
    put32(b + 40, (uint32_t)oas);
    put32(b + 44, (uint32_t)ssz);
    put32(b + 48, (uint32_t)ostr);
    put32(b + 52, 0);
}

static size_t make_image(unsigned char *b)
{
    static const char strtab[] = "test source\0Test Org\0\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88";
    const size_t ssz = sizeof strtab; /* includes the final NUL */
    size_t o4 = ASNBIN_HEADER_SIZE, o6 = o4 + 2 * ASNBIN_V4_REC, oas = o6 + ASNBIN_V6_REC;
    size_t ostr = oas + 2 * ASNBIN_AS_REC, total = ostr + ssz;
    put_header(b, total, 2, o4, 1, o6, 2, oas, ssz, ostr);
    putbe32(b + o4, 0x0a000000);
    putbe32(b + o4 + 4, 0x0affffff);
    put32(b + o4 + 8, 0);
    putbe32(b + o4 + 12, 0xc0000200);
    putbe32(b + o4 + 16, 0xc00002ff);
    put32(b + o4 + 20, 1);
    static const unsigned char s6[16] = {0x20, 0x01, 0x0d, 0xb8};
    memcpy(b + o6, s6, 16);
    memcpy(b + o6 + 16, s6, 16);
    memset(b + o6 + 16 + 4, 0xff, 12);
    put32(b + o6 + 32, 0);
    put32(b + oas, 64500);
    put32(b + oas + 4, 12);
    put32(b + oas + 8, 64501);
    put32(b + oas + 12, 21);
    memcpy(b + ostr, strtab, ssz);
    return total;
}

static int image_rejected(const unsigned char *img, size_t len)
{
    char *err = NULL;
    intel_data *d = intel_load_asn_image(img, len, &err);
    int rejected = d == NULL && err != NULL;
    intel_free(d);
    free(err);
    return rejected;
}

/* range starts, ends, insides and the gaps around them in the images below */
static const char *const probes[] = {
    "0.0.0.0", "9.255.255.255", "10.0.0.0", "10.0.0.1", "10.1.2.3", "10.255.255.255",
    "11.0.0.0", "192.0.1.255", "192.0.2.0", "192.0.2.128", "192.0.2.255", "192.0.3.0",
    "255.255.255.255", "::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::",
    "2001:db8::5", "2001:db8::ffff", "2001:db8::1:0", "2001:db8::1:5", "2001:db8:0:1::",
    "2001:db8:0:1::1", "2001:db8:0:1::5", "2001:db8:ffff::1", "2001:db9::", "2001:db9::1",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};

static int same_answer(const ip_info *a, const ip_info *b)
{
    return a->asn == b->asn && (a->as_org == b->as_org || streq(a->as_org, b->as_org));
}

/* asn.bin's records are checked by the lookup that reaches them, not at load. A damaged
 * image must be refused at load, or answer at every probe nothing or what the good image
 * answers, and nothing at hit (an address whose range or AS entry is damaged). hit NULL:
 * the damage is in what intel_load checks, so it must be refused. */
static int damage_harmless(const unsigned char *good, const unsigned char *bad, size_t len,
                           const char *hit)
{
    char *err = NULL;
    intel_data *d = intel_load_asn_image(bad, len, &err);
    int ok = d ? hit != NULL : err != NULL;
    free(err);
    if (!d)
        return ok;
    err = NULL;
    intel_data *g = intel_load_asn_image(good, len, &err);
    free(err);
    ip_info r, rg;
    for (size_t i = 0; g && i < sizeof probes / sizeof *probes; i++) {
        intel_lookup(d, probes[i], NULL, &r);
        intel_lookup(g, probes[i], NULL, &rg);
        if ((r.asn || r.as_org) && !same_answer(&r, &rg)) {
            fprintf(stderr, "# damaged image: %s -> AS%u \"%s\"\n", probes[i], r.asn,
                    r.as_org ? r.as_org : "");
            ok = 0;
        }
    }
    if (!g || (hit && (intel_lookup(d, hit, NULL, &r) != -1 || r.asn || r.as_org)))
        ok = 0;
    intel_free(g);
    intel_free(d);
    return ok;
}

static void test_images(void)
{
    unsigned char good[512], bad[512];
    size_t len = make_image(good);
    char *err = NULL;
    intel_data *d = intel_load_asn_image(good, len, &err);
    TAP_OK(d != NULL, "hand-made asn.bin image loads (%s)", err ? err : "no error");
    free(err);
    ip_info r;
    TAP_OK(d && intel_lookup(d, "10.1.2.3", NULL, &r) == 0 && r.asn == 64500 &&
               streq(r.as_org, "Test Org"),
           "image: 10.1.2.3 -> AS64500 Test Org");
    TAP_OK(d && intel_lookup(d, "192.0.2.255", NULL, &r) == 0 && r.asn == 64501 &&
               streq(r.as_org, "テスト"),
           "image: 192.0.2.255 (range end) -> AS64501 UTF-8 org");
    TAP_OK(d && intel_lookup(d, "192.0.3.0", NULL, &r) == -1 && r.asn == 0,
           "image: 192.0.3.0 (just past a range) -> nothing");
    TAP_OK(d && intel_lookup(d, "9.255.255.255", NULL, &r) == -1, "image: below first range");
    TAP_OK(d && intel_lookup(d, "2001:db8:ffff::1", NULL, &r) == 0 && r.asn == 64500,
           "image: IPv6 2001:db8:ffff::1 -> AS64500");
    TAP_OK(d && intel_lookup(d, "2001:db9::", NULL, &r) == -1, "image: IPv6 past the range");
    TAP_OK(d && intel_lookup(d, "::ffff:10.0.0.1", NULL, &r) == 0 && r.asn == 64500,
           "image: v4-mapped IPv6 looked up as IPv4");
    TAP_OK(d && intel_lookup(d, "[10.0.0.1]", NULL, &r) == 0 && r.asn == 64500,
           "image: bracketed literal");
    TAP_OK(d && intel_lookup(d, "10.0.0.1.", NULL, &r) == -1 &&
               intel_lookup(d, "", NULL, &r) == -1 && intel_lookup(d, NULL, NULL, &r) == -1,
           "image: malformed IPs give nothing");
    TAP_OK(d && strstr(intel_attribution(d), "DB-IP") &&
               strstr(intel_attribution(d), "test source"),
           "image: attribution credits DB-IP and carries the source string");
    TAP_OK(d && intel_ip_available(d) == 1 && intel_geo_available(d) == 0,
           "image: ip available, geo not");
    intel_free(d);

    /* one corruption per case: header damage is refused at load; a damaged range or AS
     * entry is not reported by the lookup that reaches it (hit); none may crash (ASan) */
    struct {
        size_t off;
        unsigned char val;
        const char *what, *hit;
    } flips[] = {
        {0, 'X', "bad magic", NULL},
        {8, 2, "unknown version", NULL},
        {16, 0xff, "file size mismatch", NULL},
        {24, 0xf0, "v4 offset out of bounds", NULL},
        {20, 0xff, "v4 count too large", NULL},
        {32, 0xff, "v6 offset out of bounds", NULL},
        {36, 0x7f, "AS count too large", NULL},
        {44, 0x70, "strtab size too large", NULL},
        {52, 0x70, "source offset outside strtab", NULL},
        {64 + 8, 5, "AS index out of range", "10.1.2.3"},
        {64 + 12, 0x0a, "overlapping v4 ranges", "10.1.2.3"},
        {64 + 4, 0x09, "v4 range end below start", "10.1.2.3"},
        {64 + 24 + 32, 9, "v6 AS index out of range", "2001:db8::1"},
        {64 + 24 + 36 + 4, 0xff, "org offset outside strtab", "10.1.2.3"},
    };
    for (size_t i = 0; i < sizeof flips / sizeof *flips; i++) {
        memcpy(bad, good, len);
        bad[flips[i].off] = flips[i].val;
        TAP_OK(damage_harmless(good, bad, len, flips[i].hit), "corrupt image %s: %s",
               flips[i].hit ? "not reported" : "refused", flips[i].what);
    }
    memcpy(bad, good, len);
    bad[len - 1] = 'x';
    TAP_OK(image_rejected(bad, len), "corrupt image refused: strtab not NUL-terminated");
    memcpy(bad, good, len);
    bad[len - 3] = 0xff;
    TAP_OK(damage_harmless(good, bad, len, "192.0.2.255"),
           "corrupt image not reported: invalid UTF-8 in an org string");
    memcpy(bad, good, len);
    bad[len - 10] = 0x01;
    TAP_OK(damage_harmless(good, bad, len, "192.0.2.255"),
           "corrupt image not reported: control byte in an org string");
    /* a bad byte at every position of the string table: in the source string (and its
     * NUL) refused at load, in an org string (and its NUL) never reported */
    size_t ostr = len - (sizeof "test source\0Test Org\0\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88");
    int seen = 1, passed = 1;
    static const unsigned char bytes[] = {0x01, 0x09, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xff};
    for (size_t pos = ostr; pos < len - 1; pos++) {
        const char *hit = pos - ostr < sizeof "test source" ? NULL
                          : pos - ostr < sizeof "test source\0Test Org" ? "10.1.2.3"
                                                                          : "192.0.2.255";
        for (size_t b = 0; b < sizeof bytes; b++) {
            if ((good[pos] & 0xc0) == 0x80 && (bytes[b] & 0xc0) == 0x80)
                continue; /* a continuation byte for another: still valid */
            memcpy(bad, good, len);
            bad[pos] = bytes[b];
            if (!damage_harmless(good, bad, len, hit)) {
                seen = 0;
                fprintf(stderr, "# byte 0x%02x at strtab offset %zu accepted\n", bytes[b], pos - ostr);
            }
        }
        if (good[pos] < 0x80 && good[pos] != 0) {
            static const unsigned char fine[] = {' ', '~', 'A', '0'};
            for (size_t b = 0; b < sizeof fine; b++) {
                memcpy(bad, good, len);
                bad[pos] = fine[b];
                if (image_rejected(bad, len))
                    passed = 0;
            }
        }
    }
    TAP_OK(seen, "control, DEL or stray UTF-8 byte at every strtab offset: refused or not reported");
    TAP_OK(passed, "printable ASCII at every strtab offset is accepted");
    int all_trunc = 1;
    for (size_t n = 0; n < len; n++)
        if (!image_rejected(good, n))
            all_trunc = 0;
    TAP_OK(all_trunc, "every truncation of the image is refused");
}

/* asn.bin as a file: the good image loads via intel_load(), a corrupt one is an error */
/* IPv6 ranges out of order in either 64-bit half: the lookup that reaches one answers nothing */
static void test_v6_order(void)
{
    enum { N6 = 3 };
    unsigned char img[512], bad[512];
    static const char strtab[] = "src\0Org";
    size_t o4 = ASNBIN_HEADER_SIZE, o6 = o4, oas = o6 + N6 * ASNBIN_V6_REC;
    size_t ostr = oas + ASNBIN_AS_REC, total = ostr + sizeof strtab;
    put_header(img, total, 0, o4, N6, o6, 1, oas, sizeof strtab, ostr);
    put32(img + oas, 64500);
    put32(img + oas + 4, 4);
    memcpy(img + ostr, strtab, sizeof strtab);
    /* [2001:db8::, 2001:db8::ffff] [2001:db8::1:0, 2001:db8:0:1::] [2001:db8:0:1::1, 2001:db9::] */
    unsigned char *r0 = img + o6, *r1 = r0 + ASNBIN_V6_REC, *r2 = r1 + ASNBIN_V6_REC;
    static const unsigned char base[16] = {0x20, 0x01, 0x0d, 0xb8};
    for (unsigned char *r = r0; r <= r2; r += ASNBIN_V6_REC) {
        memcpy(r, base, 16);
        memcpy(r + 16, base, 16);
    }
    r0[16 + 14] = 0xff, r0[16 + 15] = 0xff;
    r1[13] = 1;
    r1[16 + 7] = 1;
    r2[7] = 1, r2[15] = 1;
    r2[16 + 3] = 0xb9;
    TAP_OK(!image_rejected(img, total), "three adjacent IPv6 ranges load");
    struct {
        unsigned char *at;
        size_t off;
        unsigned char val;
        const char *what, *hit; /* hit: an address in the damaged range */
    } f[] = {
        {r1, 13, 0, "start inside the previous range", "2001:db8::1:5"},
        {r2, 7, 0, "start below the previous end (high half)", "2001:db8:0:1::5"},
        {r2, 16 + 3, 0xb8, "end below start (high half)", "2001:db8:0:1::5"},
        {r1, 16 + 7, 0, "end below start (low half)", "2001:db8::1:5"},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        memcpy(bad, img, total);
        bad[f[i].at - img + f[i].off] = f[i].val;
        TAP_OK(damage_harmless(img, bad, total, f[i].hit), "IPv6 range not reported: %s", f[i].what);
    }
    memcpy(bad, img, total);
    bad[r2 - img + 15] = 0;
    /* r2 starts at 2001:db8:0:1:: = r1's end: overlap by one address */
    TAP_OK(damage_harmless(img, bad, total, "2001:db8:0:1::"),
           "IPv6 range not reported: start equal to the previous end");
}

static void test_image_file(const char *data_dir)
{
    char dir[] = "/tmp/test_ipintel.XXXXXX", path[64];
    unsigned char img[512];
    size_t len = make_image(img);
    if (!mkdtemp(dir)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/asn.bin", dir);
    for (int round = 0; round < 2; round++) {
        FILE *f = fopen(path, "wb");
        size_t want = round == 0 ? len : len - 1;
        int wrote = f && fwrite(img, 1, want, f) == want;
        if (f)
            fclose(f);
        char *err = NULL;
        intel_data *d = wrote ? intel_load(data_dir, dir, &err) : NULL;
        if (round == 0)
            TAP_OK(d && intel_ip_available(d) && !intel_geo_available(d),
                   "asn.bin file without mmdb loads (%s)", err ? err : "ok");
        else
            TAP_OK(!d && err && strstr(err, "asn.bin"), "truncated asn.bin file is an error (%s)",
                   err ? err : "none");
        free(err);
        intel_free(d);
    }
    unlink(path);
    rmdir(dir);
}

/* ------------------------------------------------------------ rDNS and tables (no IP data) */

static void test_no_ip_data(const char *data_dir)
{
    char *err = NULL;
    intel_data *d = intel_load(data_dir, "/nonexistent/kensa-ip", &err);
    TAP_OK(d != NULL, "load without IP data is not an error (%s)", err ? err : "ok");
    free(err);
    if (!d)
        return;
    TAP_OK(intel_ip_available(d) == 0 && intel_geo_available(d) == 0, "ip data reported absent");
    TAP_OK(streq(intel_attribution(d), ""), "no attribution without IP data");
    struct {
        const char *ip, *rdns, *prov, *kind;
    } cases[] = {
        {"18.183.44.9", "ec2-18-183-44-9.ap-northeast-1.compute.amazonaws.com", "Amazon AWS",
         "cloud"},
        {"35.187.195.231", "231.195.187.35.bc.googleusercontent.com.", "Google Cloud", "cloud"},
        {NULL, "mail-sor-f41.google.com", "Gmail / Google Workspace", "mailbox"},
        {"209.85.220.41", "MAIL-SOR-F41.GOOGLE.COM", "Gmail / Google Workspace", "mailbox"},
        {NULL, "mail-ty1jpn01on2101.outbound.protection.outlook.com", "Microsoft 365 / Outlook.com",
         "mailbox"},
        {NULL, "a8-30.smtp-out.amazonses.com", "Amazon SES", "esp"},
        {NULL, "o1.ptr1234.example.sendgrid.net", "SendGrid", "esp"},
        {NULL, "45.77.130.12.vultrusercontent.com", "Vultr", "cloud"},
        {NULL, "myvm.japaneast.cloudapp.azure.com", "Microsoft Azure", "cloud"},
        {NULL, "www1234.sakura.ne.jp", "Sakura Internet", "cloud"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ip_info r;
        int rc = intel_lookup(d, cases[i].ip, cases[i].rdns, &r);
        TAP_OK(rc == 0 && streq(r.provider, cases[i].prov) && streq(r.provider_kind, cases[i].kind),
               "rDNS %s -> %s (%s) [got %s]", cases[i].rdns, cases[i].prov, cases[i].kind,
               r.provider ? r.provider : "none");
    }
    ip_info r;
    TAP_OK(intel_lookup(d, NULL, "mail.example.co.jp", &r) == -1 && !r.provider,
           "unknown rDNS -> nothing");
    TAP_OK(intel_lookup(d, NULL, "google.com", &r) == -1,
           "mail-*.google.com needs the mail- label");
    TAP_OK(intel_lookup(d, NULL, "evilgoogleusercontent.com", &r) == -1,
           "*.googleusercontent.com does not match a name that merely ends with it");
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    TAP_OK(intel_lookup(d, NULL, longname, &r) == -1, "over-long rDNS ignored");
    TAP_OK(intel_lookup(d, "1.2.3.4", NULL, &r) == -1 && r.asn == 0 && !r.country[0],
           "IP without data and rDNS -> nothing");

    TAP_OK(streq(intel_country_name_d(d, "JP", "ja"), "日本"), "JP ja = 日本");
    TAP_OK(streq(intel_country_name_d(d, "US", "en"), "United States"), "US en = United States");
    TAP_OK(streq(intel_country_name("JP", "ja"), "日本") &&
               streq(intel_country_name("US", "en"), "United States") &&
               streq(intel_country_name("CN", "ja"), "中国"),
           "intel_country_name (process-wide table) JP/US/CN");
    TAP_OK(intel_country_name_d(d, "jp", "ja") == NULL &&
               intel_country_name_d(d, "ZZ", "en") == NULL &&
               intel_country_name_d(d, "JPN", "en") == NULL &&
               intel_country_name_d(d, NULL, "en") == NULL,
           "bad or unknown codes -> NULL");
    int n = 0;
    char cc[3] = {0};
    for (cc[0] = 'A'; cc[0] <= 'Z'; cc[0]++)
        for (cc[1] = 'A'; cc[1] <= 'Z'; cc[1]++)
            if (intel_country_name_d(d, cc, "ja") && intel_country_name_d(d, cc, "en"))
                n++;
    TAP_OK(n >= 249, "countries.tsv: %d codes with ja and en names (ISO 3166-1 has 249)", n);
    intel_free(d);

    err = NULL;
    d = intel_load("/nonexistent/kensa-data", "/nonexistent/kensa-ip", &err);
    TAP_OK(d == NULL && err && strstr(err, "providers.tsv"), "missing providers.tsv is an error");
    free(err);
}

/* ------------------------------------------------------------ real data */

static void test_real(const char *data_dir, const char *ip_dir, const char *corpus)
{
    char *err = NULL;
    double t0 = now_ms();
    intel_data *d = intel_load(data_dir, ip_dir, &err);
    double t_load = now_ms() - t0;
    TAP_OK(d != NULL, "load %s + %s (%s)", data_dir, ip_dir, err ? err : "ok");
    free(err);
    if (!d)
        return;
    int absent = !intel_ip_available(d) || !intel_geo_available(d);
    if (absent)
        printf("# ip data absent in %s (run scripts/fetch_data.sh)\n", ip_dir);
    else
        printf("# load time %.1f ms; %s\n", t_load, intel_attribution(d));
    struct {
        const char *ip;
        unsigned asn;
        const char *org, *cc, *prov;
    } cases[] = {
        {"35.187.195.231", 396982, "Google LLC", "JP", "Google Cloud"},
        {"104.21.31.226", 13335, "Cloudflare, Inc.", "US", "Cloudflare"},
        {"18.183.44.9", 16509, "Amazon.com, Inc.", "JP", "Amazon AWS"},
        {"2001:4860:4860::8888", 15169, "Google LLC", "US", "Google Cloud"},
        {"[IPv6:2001:4860:4860::8888]", 15169, "Google LLC", "US", "Google Cloud"},
        {"::ffff:104.21.31.226", 13335, "Cloudflare, Inc.", "US", "Cloudflare"},
        {"20.78.33.4", 8075, "Microsoft Corporation", "JP", "Microsoft Azure"},
        {"103.152.178.41", 38074, "Ayao Takata", "JP", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ip_info r;
        int rc = absent ? -1 : intel_lookup(d, cases[i].ip, NULL, &r);
        SKIP_IF(absent,
                rc == 0 && r.asn == cases[i].asn && streq(r.as_org, cases[i].org) &&
                    streq(r.country, cases[i].cc) &&
                    (cases[i].prov ? streq(r.provider, cases[i].prov) : r.provider == NULL),
                "%s -> AS%u \"%s\" %s %s", cases[i].ip, cases[i].asn, cases[i].org, cases[i].cc,
                cases[i].prov ? cases[i].prov : "(no provider)");
    }
    ip_info r;
    int rc = absent ? -1 : intel_lookup(d, "45.77.130.12", "mail-x.google.com", &r);
    SKIP_IF(absent,
            rc == 0 && streq(r.provider, "Vultr") &&
                streq(r.rdns_claim, "Gmail / Google Workspace"),
            "Vultr IP with a Gmail-looking PTR stays Vultr; rdns_claim names the refuted claim");
    rc = absent ? -1 : intel_lookup(d, "209.85.220.41", "mail-sor-f41.google.com", &r);
    SKIP_IF(absent, rc == 0 && r.asn == 15169 && streq(r.provider_kind, "mailbox") && !r.rdns_claim,
            "209.85.220.41 mail-sor-f41.google.com -> Gmail (AS15169 confirms the PTR)");
    rc = absent ? -1 : intel_lookup(d, "10.1.2.3", NULL, &r);
    SKIP_IF(absent, rc == -1 && r.asn == 0 && !r.country[0], "private 10.1.2.3 -> nothing");
    SKIP_IF(absent, strstr(intel_attribution(d), "DB-IP") && strstr(intel_attribution(d), "2.3."),
            "attribution names DB-IP and the data version");

    /* every origin_ip of ja-synth truth maps to its origin_provider */
    char path[4096];
    snprintf(path, sizeof path, "%s/ja-synth/truth.jsonl", corpus);
    FILE *f = absent ? NULL : fopen(path, "r");
    if (!f) {
        printf("ok %d - ja-synth truth origin_provider # SKIP %s\n", ++tap_n,
               absent ? "ip data absent" : "corpus absent");
    } else {
        char line[8192];
        int total = 0, match = 0;
        while (fgets(line, sizeof line, f)) {
            char ip[64] = "", prov[128] = "";
            const char *p = strstr(line, "\"origin_ip\": \"");
            if (!p || sscanf(p + 14, "%63[^\"]", ip) != 1)
                continue;
            p = strstr(line, "\"origin_provider\": \"");
            if (p && sscanf(p + 20, "%127[^\"]", prov) != 1)
                prov[0] = '\0';
            total++;
            intel_lookup(d, ip, NULL, &r);
            if (prov[0] ? streq(r.provider, prov) : r.provider == NULL)
                match++;
            else
                printf("#   %s: want %s, got %s\n", ip, prov[0] ? prov : "none",
                       r.provider ? r.provider : "none");
        }
        fclose(f);
        TAP_OK(total > 0 && match == total, "ja-synth truth: %d/%d origin_ip -> origin_provider",
               match, total);
    }

    if (!absent && getenv("INTEL_BENCH")) {
        const char *ips[] = {"35.187.195.231", "104.21.31.226", "18.183.44.9",
                             "2001:4860:4860::8888", "45.77.130.12", "203.0.113.9",
                             "47.74.40.19", "133.242.1.1"};
        unsigned sum = 0;
        t0 = now_ms();
        for (int i = 0; i < 1000000; i++) {
            intel_lookup(d, ips[i & 7], (i & 1) ? "mail-x.google.com" : NULL, &r);
            sum += r.asn;
        }
        printf("# 1e6 intel_lookup (ASN + country + provider): %.0f ms (sum %u)\n", now_ms() - t0,
               sum);
    }
    intel_free(d);
}

int main(int argc, char **argv)
{
    const char *data_dir = argc > 1 ? argv[1] : getenv("KENSA_DATA_DIR");
    if (!data_dir || !*data_dir)
        data_dir = KENSA_DATA_DIR;
    const char *ip_dir = argc > 2 ? argv[2] : getenv("KENSA_IP_DIR");
    if (!ip_dir || !*ip_dir)
        ip_dir = ".deps/ip";
    const char *corpus = argc > 3 ? argv[3] : getenv("KENSA_CORPUS");
    if (!corpus || !*corpus)
        corpus = "../shared/corpus";
    test_images();
    test_v6_order();
    test_image_file(data_dir);
    test_no_ip_data(data_dir);
    test_real(data_dir, ip_dir, corpus);
    return TAP_DONE();
}
