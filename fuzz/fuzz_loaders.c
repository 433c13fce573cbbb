/*
 * fuzz_loaders.c - libFuzzer entry for every data-file loader. The first
 * input byte picks a data file; the rest of the input becomes that file in a
 * private temporary data directory whose other files are symlinks to the real
 * data (so a loader reading several files reaches the fuzzed one), and the
 * loader that reads it is called, then freed. A loaded table is also queried
 * once, so a bad row that loads but breaks a lookup is caught too.
 * Needs the data directory: KENSA_DATA_DIR env, default "data". No asn.bin is
 * linked into the directory (validating the real 11 MB one costs 0.2 s per
 * run; fuzz_asnbin covers that format), so intel_load() parses providers.tsv
 * and countries.tsv and then fails on the missing asn.bin, freeing them.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/content/content.h"
#include "../src/intel/brand.h"
#include "../src/intel/freemail.h"
#include "../src/intel/ipintel.h"
#include "../src/links/links.h"
#include "../src/mime/message.h"
#include "../src/online/internal.h"
#include "../src/verdict/verdict.h"

static const char *const files[] = {
    "rules.tsv",       "lures.tsv",    "typos.tsv",     "freemail.tsv",  "brands.tsv",
    "tlds.tsv",        "lookalike_words.tsv", "redirectors.tsv", "subject_tags.tsv",
    "providers.tsv",   "countries.tsv", "dnsbl.tsv",    "rdap_dns.json", "feed.txt",
};
#define NFILES (sizeof files / sizeof files[0])

static char dir[PATH_MAX];
static char real[PATH_MAX];

static void cleanup(void)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[PATH_MAX + 300];
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

static void link_real(const char *name)
{
    char from[PATH_MAX + 300], to[PATH_MAX + 300];
    snprintf(from, sizeof from, "%s/%s", real, name);
    snprintf(to, sizeof to, "%s/%s", dir, name);
    unlink(to);
    if (access(from, R_OK) == 0 && symlink(from, to) != 0)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *d = getenv("KENSA_DATA_DIR");
    if (!realpath(d ? d : "data", real))
        abort();
    mime_global_init();
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/kensa-fuzz-loaders-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    for (size_t i = 0; i < NFILES; i++)
        link_real(files[i]);
    return 0;
}

static void load(size_t which, const char *path)
{
    char *err = NULL;
    switch (which) {
    case 0: {
        verdict_rules *r = verdict_rules_load(dir, &err);
        verdict_rules_free(r);
        break;
    }
    case 1:
    case 2: {
        content_data *c = content_data_load(dir, &err);
        if (c) {
            arena *a = arena_new(64u << 20);
            km_message *m = arena_alloc(a, sizeof *m);
            memset(m, 0, sizeof *m);
            m->a = a;
            m->subject = "【重要】アカウント確認のお願い";
            m->text = "本日中にログインして確認してください。期限: 2026年1月31日 17:00";
            content_result cr;
            content_analyze(a, c, m, &cr);
            arena_free(a);
        }
        content_data_free(c);
        break;
    }
    case 3: {
        freemail_data *f = freemail_load(dir, &err);
        if (f)
            freemail_is(f, "gmail.com");
        freemail_free(f);
        break;
    }
    case 4:
    case 5:
    case 6: {
        brand_data *b = brand_data_load(dir, &err);
        if (b) {
            arena *a = arena_new(64u << 20);
            brand_input in = {0};
            in.display_name = "Amazon";
            in.subject = "アマゾン アカウント";
            in.text = "amazon.co.jp 三井住友カード";
            in.from_domain = "amaz0n-co-jp.top";
            brand_result br;
            brand_detect(a, b, &in, &br);
            lookalike_hit h;
            brand_lookalike(a, b, "rnufg.jp", &h);
            const char *why;
            brand_suspicious_tld(b, "top", &why);
            arena_free(a);
        }
        brand_data_free(b);
        break;
    }
    case 7: {
        links_data *l = links_data_load(dir, &err);
        if (l) {
            arena *a = arena_new(64u << 20);
            static const char txt[] = "https://bit.ly/abc https://t.co/x?url=https%3A%2F%2Fevil.example%2F "
                                      "https://urldefense.com/v3/__https://e.example/__;!!x";
            km_message *m = arena_alloc(a, sizeof *m);
            memset(m, 0, sizeof *m);
            m->a = a;
            m->text = (char *)txt;
            links_result r;
            links_extract(a, l, m, &r);
            arena_free(a);
        }
        links_data_free(l);
        break;
    }
    case 8: {
        mime_config *c = mime_config_load(dir, &err);
        if (c) {
            static const char msg[] = "Subject: [spam] ***SPAM*** [迷惑メール] hello\n\nbody\n";
            arena *a = arena_new(64u << 20);
            km_message *m = NULL;
            mime_parse(a, c, msg, sizeof msg - 1, &m, NULL);
            arena_free(a);
        }
        mime_config_free(c);
        break;
    }
    case 9:
    case 10: {
        intel_data *d = intel_load(dir, dir, &err);
        intel_free(d);
        break;
    }
    case 11:
    case 12:
    case 13: {
        online_ctx c;
        memset(&c, 0, sizeof c);
        if (which == 11) {
            online_zones_load(&c, path, &err);
            online_zones_free(&c);
        } else if (which == 12) {
            if (online_rdap_load(&c, path, &err) == 0)
                online_rdap_base(&c, "jp");
            online_rdap_free(&c);
        } else {
            const char *p[1] = {path};
            online_feeds_load(&c, p, 1, &err);
            online_feeds_free(&c);
        }
        break;
    }
    }
    free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20))
        return 0;
    size_t which = data[0] % NFILES;
    char path[PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", dir, files[which]);
    unlink(path);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
        abort();
    if (fclose(f) != 0)
        abort();
    load(which, path);
    link_real(files[which]);
    return 0;
}
