/*
 * test_util.c - arena, bounded buffer and transfer decoders, including the
 * bounds: a kbuf refuses to grow past its maximum, an arena past its cap.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../src/mime/decode.h"
#include "../../src/report/jw.h"
#include "../../src/util/arena.h"
#include "../../src/util/kbuf.h"
#include "../../src/util/lanes.h"
#include "../tap.h"

static const char *dec64(kbuf *b, const char *in, long *junk)
{
    kbuf_reset(b);
    *junk = decode_base64(in, strlen(in), b);
    return kbuf_str(b);
}

/* jw's strings against jansson's for every ASCII byte at every offset of
 * 1-24 byte strings (the writer skips 8 plain bytes at a time), and UTF-8 */
static void test_jw_strings(void)
{
    int same = 1;
    char buf[32];
    for (size_t len = 1; len <= 24 && same; len++) {
        for (size_t pos = 0; pos < len && same; pos++) {
            for (int c = 1; c < 0x80 && same; c++) {
                memset(buf, 'a', len);
                buf[pos] = (char)c;
                jw w;
                jw_init(&w, 0);
                jw_strn(&w, buf, len);
                char *mine = jw_finish(&w);
                json_t *j = json_stringn(buf, len);
                char *theirs = json_dumps(j, JSON_ENCODE_ANY);
                if (!mine || !theirs || strcmp(mine, theirs) != 0)
                    same = 0;
                free(mine);
                free(theirs);
                json_decref(j);
            }
        }
    }
    TAP_OK(same, "jw strings equal jansson's: every ASCII byte at every offset of 1-24 bytes");
    jw w;
    jw_init(&w, 0);
    jw_strn(&w, "\xe6\xa4\x9c\xe6\x9f\xbb \"x\"\\\x7f\n", 13);
    char *mine = jw_finish(&w);
    TAP_OK(mine && strcmp(mine, "\"\xe6\xa4\x9c\xe6\x9f\xbb \\\"x\\\"\\\\\x7f\\n\"") == 0,
           "jw: UTF-8 kept, quote, backslash and newline escaped, DEL kept (%s)", mine ? mine : "-");
    free(mine);
}

/* jw_int's hand conversion against "%lld" */
static void test_jw_int(void)
{
    static const long long v[] = {0, 1, -1, 9, 10, -10, 99, 100, 12345, -987654321,
                                  2147483647LL, -2147483648LL, 9223372036854775807LL,
                                  -9223372036854775807LL - 1};
    int same = 1;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        jw w;
        jw_init(&w, 0);
        jw_int(&w, v[i]);
        char *mine = jw_finish(&w), want[32];
        snprintf(want, sizeof want, "%lld", v[i]);
        if (!mine || strcmp(mine, want) != 0) {
            printf("#   %s != %s\n", mine ? mine : "(null)", want);
            same = 0;
        }
        free(mine);
    }
    TAP_OK(same, "jw_int equals %%lld for 0, +-1, digit-count edges, INT and LLONG limits");
}

/* lanes_word4 and lanes_prefix4: "key k starts at s[i]" by the pre-test
 * equals memcmp of k's first four bytes, at every offset of a short text
 * (including the last three, where the word is zero-padded) */
static void test_prefix4(void)
{
    const char *s = "abcdabcab\xe3\x81\x82\xe3";
    size_t n = strlen(s);
    static const char *const keys[] = {"ab", "abc", "abcd", "abcdab", "b", "ca", "cab",
                                       "\xe3\x81", "\xe3\x81\x82\xe3", "\xe3\x81\x82\xe3\x81"};
    int same = 1;
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        size_t kl = strlen(keys[k]), pl = kl < 4 ? kl : 4;
        uint32_t pre, mask;
        lanes_prefix4(keys[k], kl, &pre, &mask);
        for (size_t i = 0; i < n; i++) {
            int want = i + pl <= n && memcmp(s + i, keys[k], pl) == 0;
            if (((lanes_word4(s, i, n) & mask) == pre) != want)
                same = 0;
        }
    }
    TAP_OK(same, "lanes_word4/lanes_prefix4 test a key's first four bytes at every offset");
}

int main(void)
{
    test_prefix4();
    test_jw_int();
    test_jw_strings();
    arena *a = arena_new(256 * 1024);
    TAP_OK(a != NULL, "arena_new");
    char *s = arena_strdup(a, "hello");
    TAP_OK(s && strcmp(s, "hello") == 0, "arena_strdup");
    TAP_OK(arena_alloc(a, 100 * 1024) != NULL, "arena large chunk within cap");
    TAP_OK(arena_alloc(a, 200 * 1024) == NULL, "arena refuses past its cap");
    char *p = arena_printf(a, "%d-%s", 42, "x");
    TAP_OK(p && strcmp(p, "42-x") == 0, "arena_printf");
    arena_free(a);

    kbuf b;
    kbuf_init(&b, 8);
    TAP_OK(kbuf_adds(&b, "12345678") == KBUF_OK, "kbuf fills to max");
    TAP_OK(kbuf_addc(&b, '9') == KBUF_TOOBIG, "kbuf refuses past max");
    TAP_OK(strcmp(kbuf_str(&b), "12345678") == 0, "kbuf keeps content on overflow");
    kbuf_free(&b);

    kbuf_init(&b, 1 << 20);
    TAP_OK(kbuf_add_utf8(&b, 0x3042) == 0 && strcmp(kbuf_str(&b), "\xe3\x81\x82") == 0,
           "kbuf_add_utf8 U+3042");
    kbuf_reset(&b);
    kbuf_add_utf8(&b, 0xD800);
    TAP_OK(strcmp(kbuf_str(&b), "\xef\xbf\xbd") == 0, "surrogate becomes U+FFFD");

    long junk;
    TAP_OK(strcmp(dec64(&b, "aGVsbG8=", &junk), "hello") == 0 && junk == 0, "base64 basic");
    /* GMime 3.2.13 stops at the first padding: chunked bodies lose data */
    TAP_OK(strcmp(dec64(&b, "Zmlyc3Q=\nc2Vjb25k", &junk), "firstsecond") == 0,
           "base64 continues after padding (GMime 3.2.13 loses 'second')");
    TAP_OK(strcmp(dec64(&b, "aGVs!!bG8", &junk), "hello") == 0 && junk == 2,
           "base64 skips invalid characters and counts them");
    TAP_OK(strcmp(dec64(&b, "", &junk), "") == 0, "base64 empty");

    kbuf_reset(&b);
    decode_qp("caf=C3=A9 =\nend=ZZ  \nx", strlen("caf=C3=A9 =\nend=ZZ  \nx"), &b);
    TAP_OK(strcmp(kbuf_str(&b), "caf\xc3\xa9 end=ZZ\nx") == 0,
           "quoted-printable: hex, soft break, bad escape kept, trailing space dropped");
    kbuf_free(&b);
    return TAP_DONE();
}
