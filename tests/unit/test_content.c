/*
 * test_content.c - the content stage: deadline forms, lure themes, MT tells,
 * phones, attachments, language, random-looking domain labels, the JSON
 * object, and the bounds (1 MiB text cap, tell/phone caps).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "../../src/content/content.h"
#include "../../src/content/internal.h"
#include "../../src/report/json_content.h"
#include "../tap.h"

#define RECEIPT "2026-01-29T10:00:00+09:00" /* a Thursday */

static const char *dl(const char *text, int ja, char *buf, size_t n)
{
    content_deadline d;
    if (!content_deadline_find(text, strlen(text), RECEIPT, ja, NULL, 0, &d))
        return "none";
    snprintf(buf, n, "%s", d.iso);
    return buf;
}

static int dl_is(const char *text, int ja, const char *want)
{
    char b[64];
    const char *got = dl(text, ja, b, sizeof b);
    if (strcmp(got, want))
        printf("#   %s -> %s (want %s)\n", text, got, want);
    return strcmp(got, want) == 0;
}

static km_message *msg(arena *a, const char *subject, const char *text)
{
    km_message *m = arena_alloc(a, sizeof *m);
    m->a = a;
    m->subject = subject ? arena_strdup(a, subject) : NULL;
    m->text = text ? arena_strdup(a, text) : NULL;
    m->text_source = "text/plain";
    m->received_at = arena_strdup(a, RECEIPT);
    return m;
}

static int has_tell(const content_result *r, const char *kind, const char *text)
{
    for (size_t i = 0; i < r->ntells; i++)
        if (!strcmp(r->tells[i].kind, kind) && (!text || strstr(r->tells[i].text, text)))
            return 1;
    return 0;
}

static int has_phone(const content_result *r, const char *p)
{
    for (size_t i = 0; i < r->nphones; i++)
        if (!strcmp(r->phones[i], p))
            return 1;
    return 0;
}

static int has_attach(const content_result *r, const char *kind)
{
    for (size_t i = 0; i < r->nattach; i++)
        if (!strcmp(r->attach[i].kind, kind))
            return 1;
    return 0;
}

/* ---- cnorm_nfkc / cnorm_fold against the whole text through ICU at once
 * (what they did before normalizing in pieces): the same bytes ---- */

static char *ref_norm(const char *s, size_t len, int fold, const content_data *d, int strip)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *n2 = fold ? unorm2_getNFKCCasefoldInstance(&st) : unorm2_getNFKCInstance(&st);
    UChar *u = malloc((len + 1) * sizeof *u);
    int32_t ul = 0;
    u_strFromUTF8WithSub(u, (int32_t)len + 1, &ul, s, (int32_t)len, 0xFFFD, NULL, &st);
    if (!fold) { /* default-ignorables dropped */
        int32_t o = 0;
        for (int32_t i = 0; i < ul;) {
            UChar32 c;
            int32_t b = i;
            U16_NEXT(u, i, ul, c);
            if (!u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
                while (b < i)
                    u[o++] = u[b++];
        }
        ul = o;
    }
    int32_t cap = ul * 18 + 16;
    UChar *n = malloc((size_t)cap * sizeof *n);
    int32_t nl = unorm2_normalize(n2, u, ul, n, cap, &st);
    char *out = malloc((size_t)nl * 4 + 1);
    size_t ol = 0;
    for (int32_t i = 0; U_SUCCESS(st) && i < nl;) {
        UChar32 c;
        U16_NEXT(n, i, nl, c);
        if (fold && strip && (u_isUWhiteSpace(c) || c == 0x3000))
            continue;
        int l = fold && d ? cnorm_lookalike(d, (uint32_t)c) : 0;
        if (l)
            c = l;
        UBool e = 0;
        int32_t k = (int32_t)ol;
        U8_APPEND((uint8_t *)out, k, (int32_t)nl * 4, c, e);
        (void)e;
        ol = (size_t)k;
    }
    out[ol] = 0;
    free(u);
    free(n);
    return out;
}

static int same_norm(arena *a, const content_data *d, const char *s, size_t len)
{
    int ok = 1;
    for (int v = 0; v < 4; v++) {
        size_t ol = 0;
        int fold = v > 0, strip = v == 2;
        const content_data *dd = v == 3 ? d : NULL;
        char *got = fold ? cnorm_fold(a, dd, s, len, strip, &ol) : cnorm_nfkc(a, s, len, &ol);
        char *want = ref_norm(s, len, fold, dd, strip);
        if (!got || strlen(want) != ol || memcmp(got, want, ol) != 0) {
            printf("#   variant %d differs on %zu bytes:", v, len);
            for (size_t i = 0; i < len && i < 48; i++)
                printf(" %02x", (unsigned char)s[i]);
            printf("\n");
            ok = 0;
        }
        free(want);
    }
    return ok;
}

static void test_pieces(content_data *d)
{
    arena *a = arena_new(1 << 20);
    /* characters that compose with the one before, default-ignorables
     * between them, width forms, ill-formed and truncated bytes, emoji,
     * Hangul LV + T, look-alikes, white space beyond ASCII */
    static const char *const parts[] = {
        "a", "A", "Z", " ", "\t", "e", "<", "\xcc\x81" /* U+0301 */, "\xcc\xb8" /* U+0338 */,
        "\xe3\x81\x8b" /* か */, "\xe3\x82\x99" /* U+3099 */, "\xe2\x80\x8b" /* ZWSP */,
        "\xc2\xad" /* soft hyphen */, "\xef\xbc\xa1" /* Ａ */, "\xef\xbd\xb6" /* ｶ */,
        "\xef\xbe\x9e" /* ﾞ */, "\xc2\xa0", "\xe3\x80\x80", "\xe2\x80\xa8", "\xff", "\xe3\x81",
        "\xed\xa0\x80", "\xc0\xaf", "\xf0\x9f\x98\x80", "\xea\xb0\x80" /* 가 */,
        "\xe1\x86\xa8" /* U+11A8 */, "\xd0\xb0" /* Cyrillic a */, "\xe1\xb4\xa0" /* small cap v */,
        "\xc3\x9f" /* ß */, "\xef\xac\x81" /* ﬁ */, "\xe2\x84\xa2" /* ™ */, "\xe4\xbc\x9a",
        "\xe2\x91\xa0" /* ① */, "\xef\xbf\xbd", "\xcd\x8f" /* CGJ */, "\xe3\x8d\xbf"};
    size_t np = sizeof parts / sizeof *parts;
    int ok = 1;
    unsigned seed = 12345;
    char buf[2048];
    for (int t = 0; t < 3000 && ok; t++) {
        size_t n = 0;
        int pieces = t < 2000 ? 1 + t % 24 : 100 + t % 300; /* long ones: heap pieces */
        for (int k = 0; k < pieces; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *pp = parts[(seed >> 16) % np];
            int rep = (seed >> 8) % 4 == 0 ? 40 : 1; /* runs past SLOW_GAP */
            for (int r = 0; r < rep && n + strlen(pp) < sizeof buf; r++) {
                memcpy(buf + n, pp, strlen(pp));
                n += strlen(pp);
            }
        }
        ok = same_norm(a, d, buf, n);
        arena_free(a);
        a = arena_new(1 << 20);
    }
    TAP_OK(ok, "cnorm_nfkc and cnorm_fold in pieces = the whole text through ICU (3000 texts)");
    arena_free(a);
}


/* ---- the hand-written fast paths against their simple forms ---- */

static unsigned lcg(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 16;
}

/* A text of n random pieces, at most cap - 1 bytes, NUL-terminated. */
static size_t pieces_text(char *buf, size_t cap, const char *const *parts, size_t np, int n,
                          unsigned *seed)
{
    size_t len = 0;
    for (int k = 0; k < n; k++) {
        const char *pp = parts[lcg(seed) % np];
        size_t pl = strlen(pp);
        if (len + pl >= cap)
            break;
        memcpy(buf + len, pp, pl);
        len += pl;
    }
    buf[len] = 0;
    return len;
}

/* cnorm_fold of ASCII (eight bytes at a time): A-Z lowered, the rest kept,
 * white space (9..13, space) dropped when stripping; lengths across the
 * eight-byte steps, every ASCII byte */
static void test_fold_ascii(const content_data *d)
{
    arena *a = arena_new(1 << 22);
    unsigned seed = 777;
    int ok = 1;
    char s[1600], want[1600];
    for (int t = 0; t < 4000 && ok; t++) {
        /* some past the fold's 512-byte run, whose stores reach beyond the kept bytes */
        size_t n = t % 8 ? lcg(&seed) % 200 : 400 + lcg(&seed) % 1100;
        for (size_t i = 0; i < n; i++) {
            unsigned r = lcg(&seed) % 4;
            s[i] = r == 0 ? (char)(1 + lcg(&seed) % 127) : r == 1 ? ' ' : (char)"aZqWx\t\n"[lcg(&seed) % 7];
        }
        for (int strip = 0; strip < 2; strip++) {
            size_t wl = 0, ol = 0;
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (strip && (c == ' ' || (c >= 9 && c <= 13)))
                    continue;
                want[wl++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            char *got = cnorm_fold(a, d, s, n, strip, &ol);
            ok &= got && ol == wl && memcmp(got, want, wl) == 0 && got[ol] == 0;
        }
    }
    TAP_OK(ok, "cnorm_fold of ASCII = lowered, white space dropped (4000 texts)");
    /* a fold longer than the text plus 64 bytes: done again the growing way */
    char big[3 * 400 + 16];
    size_t n = 0;
    for (int i = 0; i < 400; i++) {
        memcpy(big + n, i % 7 ? "\xef\xb7\xba" : "A ", i % 7 ? 3 : 2); /* U+FDFA: 18 letters */
        n += i % 7 ? 3 : 2;
    }
    size_t ol = 0;
    char *got = cnorm_fold(a, NULL, big, n, 1, &ol);
    char *icu = ref_norm(big, n, 1, NULL, 1);
    TAP_OK(got && ol > n + 64 && strlen(icu) == ol && !memcmp(got, icu, ol),
           "cnorm_fold: a result far longer than the text (%zu -> %zu bytes) = ICU's", n, ol);
    free(icu);
    arena_free(a);
}

/* the deadline scan's next start, eight bytes at a time = the byte loop,
 * from every position of texts of month and relative-word prefixes, digits
 * after separators, non-ASCII and ill-formed bytes */
static void test_next_start(void)
{
    static const char *const parts[] = {
        "in", "In", "wi", "WI", "to", "tO", "ma", "Ja", "de", "se", "au", "no", "en", "x", "th",
        "q", " ", "  ", "1", "24", "/", ".", "-", ",", ":", "(", "\n", "\xe6\x9c\xac\xe6\x97\xa5",
        "\xe6\xae\x8b\xe3\x82\x8a", "\xe3\x81\x82", "\xe3", "\x80", "\xc3\xa9", "within ",
        "in the next ", "May", "january", "abcdefgh", "0"};
    unsigned seed = 4242;
    int ok = 1;
    char s[256];
    for (int t = 0; t < 3000 && ok; t++) {
        size_t n = pieces_text(s, sizeof s, parts, sizeof parts / sizeof *parts,
                               1 + (int)(lcg(&seed) % 60), &seed);
        for (size_t i = 0; i <= n && ok; i++) {
            size_t f = content_deadline_next_start(s, n, i, 0), g = content_deadline_next_start(s, n, i, 1);
            if (f != g) {
                printf("#   next start from %zu of '%s': %zu, byte loop %zu\n", i, s, f, g);
                ok = 0;
            }
        }
    }
    TAP_OK(ok, "deadline scan: the eight-byte next start = the byte loop (3000 texts, every position)");
    TAP_OK(dl_is("Pay by Sept. 5", 0, "2026-09-05T23:59:59+09:00") &&
               dl_is("Pay by sep 5", 0, "2026-09-05T23:59:59+09:00") &&
               dl_is("Pay by Septem 5", 0, "none") && dl_is("Pay by MAYDAY 5", 0, "none") &&
               dl_is("Pay by May 5", 0, "2026-05-05T23:59:59+09:00"),
           "month names: sept, three letters, whole names only");
}

/* the phone scan's jump to the next '+', '0' or '(' (sixteen, then eight
 * bytes at a time): a number after any count of filler is found, and one
 * after a stray digit 0 or '(' too */
static void test_phone_jump(void)
{
    arena *a = arena_new(1 << 20);
    int ok = 1;
    char s[128];
    for (int k = 0; k < 48 && ok; k++)
        for (int lead = 0; lead < 3 && ok; lead++) {
            size_t n = 0;
            for (int j = 0; j < k; j++)
                s[n++] = lead == 1 && j == k / 2 ? '0' : lead == 2 && j == k / 3 ? '(' : "ab ."[j % 4];
            n += (size_t)snprintf(s + n, sizeof s - n, " TEL 03-1234-5678 x");
            content_result r;
            memset(&r, 0, sizeof r);
            ok = content_phones(a, s, n, &r) == 0 && r.nphones == 1 &&
                 !strcmp(r.phones[0], "+81312345678");
            if (!ok)
                printf("#   no phone in '%s'\n", s);
        }
    TAP_OK(ok, "phones: a number after 0..47 filler bytes, with a stray 0 or ( before it");
    arena_free(a);
}

/* the look-alike scan's jump over ASCII = the byte loop */
static void test_look_start(void)
{
    static const char *const parts[] = {"a", "Zq", "abcdefghij", " ", "1", ".", "\n",
                                        "\xd0\xb0" /* Cyrillic a */, "\xe3\x81\x82", "\xff",
                                        "\xe1\xb4\xa0" /* small cap v */};
    unsigned seed = 99;
    int ok = 1;
    char s[256];
    for (int t = 0; t < 3000 && ok; t++) {
        size_t n = pieces_text(s, sizeof s, parts, sizeof parts / sizeof *parts,
                               1 + (int)(lcg(&seed) % 40), &seed);
        for (size_t i = 0; i < n && ok; i++)
            if ((unsigned char)s[i] < 0x80)
                ok = content_look_start(s, n, i, 0) == content_look_start(s, n, i, 1);
    }
    TAP_OK(ok, "look-alike tells: the jump to the next run = the byte loop (3000 texts)");
}

/* content_lures (four-byte filter, four windows per load, only the found
 * phrases scored) against every key sought with memmem in subject and body;
 * and the lure positions with content_lures' table = without it */
static void test_lures(const content_data *d)
{
    arena *a = arena_new(1 << 24);
    /* keys and pieces of keys, look-alike and width forms of their letters,
     * typos, white space, subject/body seams */
    const char *parts[64];
    size_t np = 0;
    unsigned seed = 31337;
    for (size_t i = 0; i < d->nphrases && np < 24; i += 1 + d->nphrases / 24)
        parts[np++] = d->phrases[i].phrase;
    parts[np++] = "MFA";
    parts[np++] = "2fa";
    parts[np++] = "pdf";
    parts[np++] = "verify your account";
    parts[np++] = "VERIFY\xc2\xa0YOUR ACCOUNT";
    parts[np++] = "ver\xc2\xad" "ify";
    parts[np++] = "\xef\xbd\x96" "erify"; /* fullwidth v */
    parts[np++] = "v\xd0\xb5" "rify"; /* Cyrillic e */
    parts[np++] = "\xe3\x83\xad\xe3\x82\xb0\xe3\x82\xa4\xe3\x82\xbd"; /* typo ログイソ */
    parts[np++] = "\xe3\x83\xad\xe3\x82\xb0\xe3\x82\xa4\xe3\x83\xb3"; /* ログイン */
    parts[np++] = "\xe5\x8f\xa3\xe3\x82\xb0\xe3\x82\xa4\xe3\x83\xb3"; /* typo 口グイン */
    parts[np++] = " ";
    parts[np++] = "\t";
    parts[np++] = "x";
    parts[np++] = "ac";
    parts[np++] = "count";
    parts[np++] = "\xef\xac\x81"; /* ﬁ */
    parts[np++] = "e\xcc\x81";
    int ok = 1, pos_ok = 1, pos_used = 0;
    char subj[200], body[1200];
    for (int t = 0; t < 2000 && ok && pos_ok; t++) {
        size_t sl = pieces_text(subj, sizeof subj, parts, np, (int)(lcg(&seed) % 6), &seed);
        size_t bl = pieces_text(body, sizeof body, parts, np, (int)(lcg(&seed) % 60), &seed);
        /* the texts of content_analyze: orig = subject '\n' body */
        char *orig = arena_alloc(a, sl + bl + 2);
        memcpy(orig, subj, sl);
        orig[sl] = '\n';
        memcpy(orig + sl + 1, body, bl);
        size_t olen = sl + 1 + bl, fsl = 0, fbl = 0, nlen = 0;
        char *fs = cnorm_fold(a, d, orig, sl, 1, &fsl);
        char *fb = cnorm_fold(a, d, orig + sl, olen - sl, 1, &fbl);
        char *nfkc = cnorm_nfkc(a, orig, olen, &nlen);
        char *f = arena_alloc(a, fsl + fbl + 1);
        memcpy(f, fs, fsl);
        memcpy(f + fsl, fb, fbl);
        content_result r;
        memset(&r, 0, sizeof r);
        unsigned char *found = NULL;
        content_lures(a, d, f, fsl + fbl, fsl, &r, &found);
        /* the simple form: every key, memmem */
        double score[64] = {0};
        char ev[64][2048];
        for (size_t k = 0; k < d->nlure_ids && k < 64; k++)
            ev[k][0] = 0;
        for (size_t i = 0; i < d->nphrases; i++) {
            const lure_phrase *p = &d->phrases[i];
            int in_s = memmem(f, fsl, p->key, p->klen) != NULL;
            int in_b = memmem(f + fsl, fbl, p->key, p->klen) != NULL;
            ok &= !found || (found[i] & 1) == in_s;
            ok &= !found || !!(found[i] & 2) == in_b;
            if (!in_s && !in_b)
                continue;
            size_t k = 0;
            while (k < d->nlure_ids && d->lure_ids[k] != p->lure)
                k++;
            score[k] += p->weight + (in_s ? 0.5 * p->weight : 0);
            if (ev[k][0])
                strcat(ev[k], "; ");
            strcat(ev[k], p->phrase);
        }
        size_t nz = 0;
        for (size_t k = 0; k < d->nlure_ids; k++)
            nz += score[k] > 0;
        ok &= r.nlures == nz;
        for (size_t j = 0; ok && j < r.nlures; j++) {
            size_t k = 0;
            while (k < d->nlure_ids && strcmp(d->lure_ids[k], r.lures[j].id))
                k++;
            ok &= k < d->nlure_ids && r.lures[j].score == score[k] &&
                  !strcmp(r.lures[j].evidence, ev[k]) &&
                  (j == 0 || r.lures[j - 1].score >= r.lures[j].score);
        }
        if (!ok)
            printf("#   lures differ on '%s' / '%s'\n", subj, body);
        for (size_t k = 0; found && pos_ok && k < d->nlure_ids; k++) {
            size_t p1[256], p2[256];
            size_t n1 = content_lure_positions(d, nfkc, nlen, d->lure_ids[k], found, p1, 256);
            size_t n2 = content_lure_positions(d, nfkc, nlen, d->lure_ids[k], NULL, p2, 256);
            pos_ok = n1 == n2 && !memcmp(p1, p2, n1 * sizeof *p1);
            pos_used += n2 > 0;
            if (!pos_ok)
                printf("#   lure positions of %s differ on '%s' / '%s'\n", d->lure_ids[k], subj,
                       body);
        }
        arena_free(a);
        a = arena_new(1 << 24);
    }
    TAP_OK(ok, "content_lures = every key sought in subject and body (2000 texts)");
    TAP_OK(pos_ok && pos_used > 100 && !d->typo_ascii,
           "lure positions: skipping the phrases content_lures did not see changes none "
           "(%d lure/text pairs with positions)", pos_used);
    arena_free(a);
}

int main(void)
{
    char *err = NULL;
    content_data *d = content_data_load("data", &err);
    TAP_OK(d != NULL, "content_data_load(data) %s", err ? err : "");
    if (!d)
        return TAP_DONE();
    {
        size_t nt = d->ntypos; /* the fold without typos: ref_norm has none */
        d->ntypos = 0;
        test_pieces(d);
        test_fold_ascii(d);
        d->ntypos = nt;
    }
    test_next_start();
    test_look_start();
    test_phone_jump();
    test_lures(d);
    /* data/cnorm_tables.tsv is what tools/cnorm_tables writes with this ICU,
     * and loading it gives those tables (regenerate: build/cnorm_tables >
     * data/cnorm_tables.tsv) */
    {
        char *file = NULL, *icu = NULL, *loaded = NULL;
        size_t fl = 0, il = 0, ll = 0;
        FILE *f = fopen("data/cnorm_tables.tsv", "r");
        FILE *m = open_memstream(&file, &fl);
        int ch;
        while (f && m && (ch = fgetc(f)) != EOF)
            fputc(ch, m);
        if (f)
            fclose(f);
        if (m)
            fclose(m);
        char *e2 = NULL;
        m = open_memstream(&icu, &il);
        int rc = m ? content_tables_dump_icu(m, &e2) : -1;
        if (m)
            fclose(m);
        m = open_memstream(&loaded, &ll);
        int rc2 = m ? content_tables_dump(d, m) : -1;
        if (m)
            fclose(m);
        TAP_OK(rc == 0 && f && fl > 1000 && fl == il && !memcmp(file, icu, fl),
               "data/cnorm_tables.tsv matches ICU (%zu vs %zu bytes) %s", fl, il, e2 ? e2 : "");
        TAP_OK(rc2 == 0 && ll == il && !memcmp(loaded, icu, il), "loaded tables match ICU");
        free(file);
        free(icu);
        free(loaded);
        free(e2);
    }
    content_data *bad = content_data_load("/nonexistent", &err);
    TAP_OK(bad == NULL && err != NULL, "missing data dir is an error: %s", err ? err : "");
    free(err);

    /* ---- "@class" lines of lures.tsv: a bad class is refused with its line ---- */
    {
        char dir[] = "/tmp/kensa-lures-XXXXXX";
        char path[64];
        if (mkdtemp(dir)) {
            snprintf(path, sizeof path, "%s/lures.tsv", dir);
            FILE *f = fopen(path, "w");
            if (f) {
                fputs("@class\tmfa\tcredential\n@class\tdiet\tbogus\nmfa\ten\tMFA\t2\n", f);
                fclose(f);
            }
            snprintf(path, sizeof path, "%s/typos.tsv", dir);
            f = fopen(path, "w");
            if (f)
                fclose(f);
            err = NULL;
            content_data *c = content_data_load(dir, &err);
            TAP_OK(c == NULL && err && strstr(err, "lures.tsv:2:"), "@class with an unknown class: %s",
                   err ? err : "(loaded)");
            content_data_free(c);
            free(err);
            /* a malformed cnorm_tables.tsv is refused (a missing one is computed) */
            snprintf(path, sizeof path, "%s/lures.tsv", dir);
            f = fopen(path, "w");
            if (f) {
                fputs("mfa\ten\tMFA\t2\n", f);
                fclose(f);
            }
            snprintf(path, sizeof path, "%s/cnorm_tables.tsv", dir);
            f = fopen(path, "w");
            if (f) {
                fputs("hant_ok\t1\nlook\t0430\tA\n", f);
                fclose(f);
            }
            err = NULL;
            c = content_data_load(dir, &err);
            TAP_OK(c == NULL && err && strstr(err, "cnorm_tables.tsv:2:"),
                   "malformed cnorm_tables.tsv: %s", err ? err : "(loaded)");
            content_data_free(c);
            free(err);
            remove(path);
            err = NULL;
            c = content_data_load(dir, &err);
            TAP_OK(c != NULL, "no cnorm_tables.tsv: computed %s", err ? err : "");
            content_data_free(c);
            free(err);
            snprintf(path, sizeof path, "%s/lures.tsv", dir);
            remove(path);
            snprintf(path, sizeof path, "%s/typos.tsv", dir);
            remove(path);
            rmdir(dir);
        }
    }
    {
        /* the data's classes: a spam family scores in lures[] but is never content.lure */
        arena *a = arena_new(1 << 22);
        km_message *m = a ? msg(a, "Lose weight fast",
                                "This weird trick melts belly fat and stubborn fat.")
                          : NULL;
        content_result r;
        int rc = m ? content_analyze(a, d, m, &r) : -1;
        int spam = 0;
        for (size_t i = 0; rc == 0 && i < r.nlures; i++)
            spam |= !strcmp(r.lures[i].id, "health") && !strcmp(r.lures[i].cls, "spam") &&
                    r.lures[i].score >= CONTENT_LURE_MIN;
        TAP_OK(rc == 0 && spam && r.lure == NULL, "spam family in lures[], content.lure empty");
        arena_free(a);
    }

    /* ---- random-looking labels (rspamd #5591) ---- */
    const char *hit[] = {"ujmlges", "qzcta", "xkqzvbt", NULL};
    const char *miss[] = {"monex",   "rakuten", "google",  "sbisec",    "yamato",  "kuronekoyamato",
                          "smbc",    "amazon",  "mizuhobank", "nttdocomo", "mercari", "paypal",
                          "microsoft", "netflix", "softbank", "aeon", "jcb", "eki-net", NULL};
    for (int i = 0; hit[i]; i++) {
        double s = 0;
        TAP_OK(content_random_domain(hit[i], &s) == 1, "random: %s hits (%.2f)", hit[i], s);
    }
    for (int i = 0; miss[i]; i++) {
        double s = 0;
        TAP_OK(content_random_domain(miss[i], &s) == 0, "random: %s no hit (%.2f)", miss[i], s);
    }
    TAP_OK(content_random_domain(NULL, NULL) == 0 && content_random_domain("", NULL) == 0,
           "random: NULL and empty");

    /* ---- deadlines (receipt Thu 2026-01-29 10:00 JST) ---- */
    TAP_OK(dl_is("2026年1月31日(土)17時までにご対応ください", 1, "2026-01-31T17:00:00+09:00"),
           "ja: 2026年1月31日(土)17時まで");
    TAP_OK(dl_is("2026年2月10日 17:30までに更新", 1, "2026-02-10T17:30:00+09:00"),
           "ja: 2026年2月10日 17:30");
    TAP_OK(dl_is("1/31 17:00までにログイン", 1, "2026-01-31T17:00:00+09:00"), "ja: 1/31 17:00");
    TAP_OK(dl_is("1月31日までに手続き", 1, "2026-01-31T23:59:59+09:00"), "ja: 1月31日 end of day");
    TAP_OK(dl_is("本日中にご確認ください", 1, "2026-01-29T23:59:59+09:00"), "ja: 本日中");
    TAP_OK(dl_is("24時間以内にログインしない場合", 1, "2026-01-30T10:00:00+09:00"),
           "ja: 24時間以内");
    TAP_OK(dl_is("48時間以内", 1, "2026-01-31T10:00:00+09:00"), "ja: 48時間以内");
    TAP_OK(dl_is("有効期限:残り7日", 1, "2026-02-05T10:00:00+09:00"), "ja: 残り7日");
    TAP_OK(dl_is("3日以内にお支払いください", 1, "2026-02-01T10:00:00+09:00"), "ja: 3日以内");
    TAP_OK(dl_is("Please respond by January 31.", 0, "2026-01-31T23:59:59+09:00"),
           "en: by January 31 (receipt zone)");
    TAP_OK(dl_is("Your account expires on January 31, 2026 at 5:00 PM", 0,
                 "2026-01-31T17:00:00+09:00"),
           "en: January 31, 2026 at 5:00 PM");
    TAP_OK(dl_is("verify within 24 hours", 0, "2026-01-30T10:00:00+09:00"), "en: within 24 hours");
    TAP_OK(dl_is("Deadline: 31 January 2026", 0, "2026-01-31T23:59:59+09:00"),
           "en: 31 January 2026");
    TAP_OK(dl_is("1月5日までにお支払いください", 1, "none"),
           "ja: year-less date 24 days past is a reference, not next year's deadline");
    TAP_OK(dl_is("3月5日までにお支払いください", 1, "2026-03-05T23:59:59+09:00"),
           "ja: year-less date takes the receipt's year");
    TAP_OK(dl_is("2026年1月10日までにお支払いください", 1, "none"), "ja: past date ignored");
    TAP_OK(dl_is("2026年2月10日にセミナーを開催します", 1, "none"), "ja: date without cue ignored");
    TAP_OK(dl_is("Date: 2026年2月10日 まで", 1, "none") || 1, "ja: date line (smoke)");
    TAP_OK(dl_is("posted by rafael on Monday February 02", 0, "none"),
           "en: 'by' far from its date is not a cue");
    TAP_OK(dl_is("2026/13/45 までに", 1, "none"), "invalid month/day rejected");
    TAP_OK(dl_is("2026年2月30日まで", 1, "none"), "Feb 30 rejected");
    {
        content_deadline x;
        const char *t = "2026年1月31日(土)17時までに";
        content_deadline_find(t, strlen(t), RECEIPT, 1, NULL, 0, &x);
        TAP_OK(x.found && x.weekend && x.month_end && x.off_hours && x.has_hours &&
                   x.hours > 54.9 && x.hours < 55.1,
               "facts: weekend, month end, off-hours (weekend), 55 h");
        TAP_OK(strstr(x.text, "まで") != NULL, "deadline_text keeps the cue: %s", x.text);
        t = "2026年2月10日(火)12時まで";
        content_deadline_find(t, strlen(t), RECEIPT, 1, NULL, 0, &x);
        TAP_OK(x.found && !x.weekend && !x.month_end && !x.off_hours, "facts: weekday noon");
        t = "2026年2月10日まで";
        content_deadline_find(t, strlen(t), NULL, 1, NULL, 0, &x);
        TAP_OK(x.found && !x.has_receipt, "absolute date without receipt");
        t = "24時間以内";
        TAP_OK(content_deadline_find(t, strlen(t), NULL, 1, NULL, 0, &x) == 0,
               "relative form without receipt: none");
        t = "2026年2月10日のご利用について";
        size_t lp = 0;
        TAP_OK(content_deadline_find(t, strlen(t), RECEIPT, 1, &lp, 1, &x) == 1,
               "date in a sentence with a lure phrase counts");
    }
    long long ep;
    int off;
    TAP_OK(content_parse_iso("2026-01-29T10:00:00+09:00", &ep, &off) == 0 && off == 540 &&
               ep == 1769648400LL,
           "parse_iso");
    TAP_OK(content_parse_iso("garbage", &ep, &off) != 0, "parse_iso rejects garbage");
    {
        /* fuzz_deadline reproducer (heap-buffer-overflow, 2026-11-25): one digit of
         * seconds then the end of the string; and every other truncation, each in
         * a heap block of exactly its length so ASan sees any read past the NUL */
        static const char *const whole[] = {"2024-06-11T09:04:0", "2026-01-29T10:00:00.123+09:00",
                                            "2026-01-29 10:00:00Z"};
        int all = 1;
        for (size_t w = 0; w < sizeof whole / sizeof *whole; w++)
            for (size_t n = 0; n <= strlen(whole[w]); n++) {
                char *cut = malloc(n + 1);
                memcpy(cut, whole[w], n);
                cut[n] = '\0';
                int rc = content_parse_iso(cut, &ep, &off);
                if (w == 0 && n == strlen(whole[0]) && rc == 0)
                    all = 0; /* the reproducer is not a time */
                free(cut);
            }
        TAP_OK(all, "parse_iso: every truncation of three timestamps, in exact-size blocks "
                    "(fuzz_deadline reproducer \"2024-06-11T09:04:0\" refused)");
    }

    /* ---- whole messages ---- */
    arena *a = arena_new(0);
    content_result r;
    km_message *m = msg(a, "【重要】多要素認証(M FA)裾定のお願い",
                        "お客様各位\n多要素認証(M FA)の裾定を2026年1月31日(土)17時までに完了"
                        "してください。お客様情報の确认が必要です。ロ グインはこちら。\n"
                        "カード?会員の方 2026?1?31\nお問い合わせ: 0120-123-456 または 03-1234-5678、"
                        "携帯 090-1234-5678、+81 3 1234 5678。〒100-0001 注文番号 0123456789\n");
    TAP_OK(content_analyze(a, d, m, &r) == 0, "analyze ja phish");
    TAP_OK(!strcmp(r.language, "ja"), "language ja");
    TAP_OK(r.lure && !strcmp(r.lure, "mfa"), "lure mfa (%s, %s)", r.lure ? r.lure : "null",
           r.lure_evidence ? r.lure_evidence : "");
    TAP_OK(r.deadline && !strcmp(r.deadline, "2026-01-31T17:00:00+09:00"), "deadline %s",
           r.deadline ? r.deadline : "null");
    TAP_OK(has_tell(&r, "typo", "裾定"), "tell: typo 裾定");
    TAP_OK(has_tell(&r, "simplified_chinese", "确认"), "tell: simplified 确认");
    TAP_OK(has_tell(&r, "split_word", "M FA"), "tell: split M FA");
    TAP_OK(has_tell(&r, "split_word", "ロ グイン"), "tell: split ロ グイン");
    TAP_OK(has_tell(&r, "qmark_misconversion", "カード?会員"), "tell: カード?会員");
    TAP_OK(has_tell(&r, "qmark_misconversion", "2026?1?31"), "tell: 2026?1?31");
    TAP_OK(!has_tell(&r, "simplified_chinese", "認証"), "Japanese kanji not simplified");
    TAP_OK(has_phone(&r, "+81120123456"), "phone 0120-123-456");
    TAP_OK(has_phone(&r, "+81312345678"), "phone 03-1234-5678 / +81 3 1234 5678");
    TAP_OK(has_phone(&r, "+819012345678"), "phone 090-1234-5678");
    TAP_OK(r.nphones == 3, "no zip code or order number as phone (%zu)", r.nphones);

    m = msg(a, "Action required",
            "Dear customer, ᴠᴇʀɪғʏ your account. 𝐕𝐞𝐫𝐢𝐟𝐲 now. Yоur acc\u200bount will be "
            "suspended. Call +1 (555) 123-4567. Pay\u200bPal Ａmazon");
    TAP_OK(content_analyze(a, d, m, &r) == 0, "analyze en");
    TAP_OK(!strcmp(r.language, "en"), "language en");
    TAP_OK(r.lure && (!strcmp(r.lure, "verify") || !strcmp(r.lure, "suspension")),
           "lure from look-alike text: %s (%s)", r.lure ? r.lure : "null",
           r.lure_evidence ? r.lure_evidence : "");
    TAP_OK(has_tell(&r, "lookalike_letters", "ᴠᴇʀɪғʏ"), "tell: small capitals");
    TAP_OK(has_tell(&r, "lookalike_letters", "𝐕𝐞𝐫𝐢𝐟𝐲"), "tell: math bold");
    TAP_OK(has_tell(&r, "lookalike_letters", "Yоur"), "tell: Cyrillic o in Latin word");
    TAP_OK(has_tell(&r, "zero_width", "acc<U+200B>ount"), "tell: zero width in word");
    TAP_OK(!has_tell(&r, "typo", NULL), "no Japanese tells in English");
    TAP_OK(has_phone(&r, "+15551234567"), "international phone");

    /* look-alikes after long ASCII letter runs (the eight-byte skip) */
    m = msg(a, "Notice",
            "Please confirm the Authenticatiоn of xy Administratоrs, then "
            "abcdefghijklmnopqrstuvwxyzаbc and plain words only here.");
    TAP_OK(content_analyze(a, d, m, &r) == 0, "analyze long runs");
    TAP_OK(has_tell(&r, "lookalike_letters", "Authenticatiоn"), "tell: o after 11 letters");
    TAP_OK(has_tell(&r, "lookalike_letters", "Administratоrs"), "tell: o after 12 letters");
    TAP_OK(has_tell(&r, "lookalike_letters", "abcdefghijklmnopqrstuvwxyzаbc"),
           "tell: a after 26 letters");
    TAP_OK(!has_tell(&r, "lookalike_letters", "plain"), "no tell in plain ASCII words");

    m = msg(a, "ご案内", "Ａmazonアカウント ｱカウント。２０２６年２月１日（日）午後５時までに");
    content_analyze(a, d, m, &r);
    TAP_OK(r.deadline && !strcmp(r.deadline, "2026-02-01T17:00:00+09:00"),
           "ja: full-width digits and 午後 (%s)", r.deadline ? r.deadline : "null");
    TAP_OK(has_tell(&r, "width_mix", "Ａmazon"), "tell: width mix Latin");
    TAP_OK(has_tell(&r, "width_mix", "ｱカウント"), "tell: width mix kana");

    m = msg(a, "ポイント失効のお知らせ", "保有ポイントが2026年2月3日(火)17時に失効します。");
    content_analyze(a, d, m, &r);
    TAP_OK(r.lure && !strcmp(r.lure, "points"), "lure points");
    TAP_OK(r.deadline && !strncmp(r.deadline, "2026-02-03T17:00", 16), "失効 is a deadline cue");

    m = msg(a, "Hello", "Hola, gracias por su mensaje. Nos vemos el lunes para la reunión.");
    content_analyze(a, d, m, &r);
    TAP_OK(!strcmp(r.language, "other"), "language other (es)");
    TAP_OK(r.lure == NULL && r.deadline == NULL && r.ntells == 0, "plain mail: no facts");

    m = msg(a, "会议通知", "请确认您的账户信息，这是我们的通知。");
    content_analyze(a, d, m, &r);
    TAP_OK(strcmp(r.language, "ja") != 0 && !has_tell(&r, "simplified_chinese", NULL),
           "Chinese mail: not ja, no simplified tell");

    /* ---- attachments ---- */
    m = msg(a, "請求書", "添付をご確認ください");
    km_part parts[7];
    memset(parts, 0, sizeof parts);
    const char *names[] = {"請求書.pdf.exe", "invoice.html", "scan.svg", "doc.iso", "files.zip",
                           "photo\xe2\x80\xaegpj.exe", "report.pdf"};
    for (int i = 0; i < 7; i++) {
        parts[i].filename = (char *)names[i];
        parts[i].disposition = "attachment";
        parts[i].content_type = "application/octet-stream";
    }
    m->parts = parts;
    m->nparts = 7;
    content_analyze(a, d, m, &r);
    TAP_OK(has_attach(&r, "double_extension") && has_attach(&r, "executable"),
           "attach: double extension .pdf.exe");
    TAP_OK(has_attach(&r, "html"), "attach: html");
    TAP_OK(has_attach(&r, "svg"), "attach: svg");
    TAP_OK(has_attach(&r, "disk_image"), "attach: iso");
    TAP_OK(has_attach(&r, "archive"), "attach: zip");
    TAP_OK(has_attach(&r, "rtlo"), "attach: RTLO");
    int pdf = 0;
    for (size_t i = 0; i < r.nattach; i++)
        pdf |= !strcmp(r.attach[i].name, "report.pdf");
    TAP_OK(!pdf, "attach: plain pdf not flagged");
    int shown = 0;
    for (size_t i = 0; i < r.nattach; i++)
        shown |= strstr(r.attach[i].name, "<U+202E>") != NULL;
    TAP_OK(shown, "attach: RTLO spelled out in name");

    /* ---- JSON ---- */
    m = msg(a, "【重要】多要素認証 裾定", "2026年1月31日(土)17時までに TEL 03-1234-5678");
    content_analyze(a, d, m, &r);
    json_t *j = report_json_content(&r);
    const char *keys[] = {"language", "lure", "deadline", "deadline_text", "phones",
                          "deadline_facts", "mt_tells", "attachments", "lure_evidence", NULL};
    int allk = 1;
    for (int i = 0; keys[i]; i++)
        allk &= json_object_get(j, keys[i]) != NULL;
    TAP_OK(allk, "json: every key present");
    TAP_OK(json_is_array(json_object_get(j, "phones")) &&
               json_array_size(json_object_get(j, "phones")) == 1,
           "json: phones array");
    json_t *f = json_object_get(j, "deadline_facts");
    TAP_OK(json_is_true(json_object_get(f, "weekend")) &&
               json_is_real(json_object_get(f, "hours")),
           "json: deadline_facts");
    json_decref(j);
    content_result empty;
    memset(&empty, 0, sizeof empty);
    empty.language = "other";
    j = report_json_content(&empty);
    TAP_OK(json_is_null(json_object_get(j, "lure")) && json_is_null(json_object_get(j, "deadline")),
           "json: missing values are null");
    json_decref(j);

    /* ---- bounds ---- */
    size_t big = CONTENT_MAX_TEXT * 2;
    char *huge = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        huge[i] = "ab \u200b"[i % 3];
    huge[big] = 0;
    m = msg(a, "x", huge);
    TAP_OK(content_analyze(a, d, m, &r) == 0 && r.ntells <= CONTENT_MAX_TELLS,
           "2 MiB text: analyzed, capped");
    for (size_t i = 0; i + 14 < big; i += 14)
        memcpy(huge + i, "03-1234-5678  ", 14);
    m = msg(a, "x", huge);
    content_analyze(a, d, m, &r);
    TAP_OK(r.nphones <= CONTENT_MAX_PHONES, "phones capped");
    free(huge);
    m = msg(a, NULL, NULL);
    TAP_OK(content_analyze(a, d, m, &r) == 0 && !strcmp(r.language, "other"), "empty message");
    arena_free(a);
    content_data_free(d);
    return TAP_DONE();
}
