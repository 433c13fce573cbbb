/*
 * brand_corpus.c - run by hand: brand detection over the shared corpora.
 * ja-synth: for every message the claimed brand has truth brand_domains[0]
 * among its official domains, phishing is impersonated and ham is not.
 * Ham dirs (sa-ham): link hosts taken from the raw bytes with a simple regex
 * must (almost) never be lookalikes, and mail should (almost) never claim a
 * brand falsely. Links for brand_detect come from m->html and m->text.
 * Other dirs (path without "ham"): no crash, figures only.
 * usage: brand_corpus DATA_DIR JA_SYNTH_DIR [DIR...]     (prints TAP)
 */
#include <dirent.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/intel/brand.h"
#include "../../src/mime/message.h"
#include "../../src/util/domain.h"
#include "../tap.h"

#define MAX_HOSTS 256

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b)
        b[n] = '\0';
    fclose(f);
    *len = b ? (size_t)n : 0;
    return b;
}

/* Registrable domains of http(s) URL hosts in s, deduplicated, appended. */
static size_t hosts(arena *a, const regex_t *re, const char *s, const char **out, size_t n,
                    int registrable)
{
    regmatch_t m[2];
    while (s && n < MAX_HOSTS && regexec(re, s, 2, m, 0) == 0) {
        char *h = arena_strndup(a, s + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
        s += m[0].rm_eo;
        char *r = h ? (registrable ? domain_registrable(a, h) : domain_ascii(a, h)) : NULL;
        if (!r)
            continue;
        int dup = 0;
        for (size_t i = 0; i < n && !dup; i++)
            dup = strcmp(out[i], r) == 0;
        if (!dup)
            out[n++] = r;
    }
    return n;
}

static const char *at_domain(arena *a, const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (!at)
        return NULL;
    char *d = arena_strdup(a, at + 1);
    char *e = d ? strpbrk(d, ">; \t") : NULL;
    if (e)
        *e = '\0';
    return d && *d ? d : NULL;
}

/* header.d= of a dkim=pass result in Authentication-Results */
static const char *dkim_pass_domain(arena *a, const km_message *m)
{
    const km_header *h[8];
    size_t n = mime_headers_named(m, "Authentication-Results", h, 8);
    for (size_t i = 0; i < n; i++) {
        const char *v = h[i]->value ? h[i]->value : "";
        const char *p = strstr(v, "dkim=pass");
        const char *d = p ? strstr(p, "header.d=") : NULL;
        if (!d)
            continue;
        d += 9;
        size_t l = strcspn(d, " ;\t\r\n)");
        return arena_strndup(a, d, l);
    }
    return NULL;
}

typedef struct {
    km_message *m;
    brand_result r;
    const char *links[MAX_HOSTS];
    size_t nlinks;
} one_result;

static int analyze(arena *a, const mime_config *mc, const brand_data *d, const regex_t *re,
                   const char *path, one_result *o)
{
    size_t len;
    char *raw = slurp(path, &len);
    if (!raw)
        return -1;
    const char *why = NULL;
    int ok = mime_parse(a, mc, raw, len, &o->m, &why) == 0 && o->m;
    free(raw);
    if (!ok)
        return -1;
    km_message *m = o->m;
    o->nlinks = hosts(a, re, m->html, o->links, 0, 1);
    o->nlinks = hosts(a, re, m->text, o->links, o->nlinks, 1);
    brand_input in = {0};
    in.display_name = m->from.display_name;
    in.subject = m->subject;
    in.text = m->text;
    in.from_domain = m->from.domain;
    in.from_address = m->from.address;
    in.return_path_domain = at_domain(a, m->return_path);
    in.dkim_domain = dkim_pass_domain(a, m);
    in.link_domains = o->links;
    in.nlinks = o->nlinks;
    return brand_detect(a, d, &in, &o->r);
}

static void ja_synth(const mime_config *mc, const brand_data *d, const regex_t *re,
                     const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/truth.jsonl", dir);
    FILE *f = fopen(p, "r");
    TAP_OK(f != NULL, "open %s", p);
    if (!f)
        return;
    char line[8192];
    size_t n = 0, phish = 0, ham = 0, right = 0, imp_ok = 0, ham_ok = 0, dm = 0, dm_truth = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j)
            continue;
        const char *file = json_string_value(json_object_get(j, "file"));
        const char *label = json_string_value(json_object_get(j, "label"));
        const char *tbrand = json_string_value(json_object_get(j, "brand"));
        json_t *bd = json_object_get(j, "brand_domains");
        const char *tdom = json_string_value(json_array_get(bd, 0));
        int is_phish = label && strcmp(label, "phishing") == 0;
        int display_trick = 0;
        json_t *tr = json_object_get(j, "tricks"), *v;
        size_t k;
        json_array_foreach(tr, k, v) display_trick |=
            json_string_value(v) && strcmp(json_string_value(v), "display_name_brand") == 0;
        snprintf(p, sizeof p, "%s/%s", dir, file ? file : "?");
        arena *a = arena_new(0);
        one_result o;
        memset(&o, 0, sizeof o);
        int rc = analyze(a, mc, d, re, p, &o);
        int has = 0;
        for (size_t i = 0; o.r.brand && tdom && i < o.r.brand->ndomains; i++)
            has |= strcmp(o.r.brand->official_domains[i], tdom) == 0;
        int imp_right = is_phish ? o.r.impersonated == 1 : o.r.impersonated == 0;
        n++;
        phish += is_phish;
        ham += !is_phish;
        right += has;
        imp_ok += is_phish && imp_right;
        ham_ok += !is_phish && imp_right;
        dm += o.r.display_mismatch;
        dm_truth += display_trick;
        TAP_OK(rc == 0 && has && imp_right, "%s %s: brand %s (truth %s), impersonated %d%s%s",
               file ? file : "?", label ? label : "?", o.r.brand ? o.r.brand->id : "none",
               tbrand ? tbrand : "?", o.r.impersonated, o.r.evidence ? " - " : "",
               o.r.evidence ? o.r.evidence : "");
        if (display_trick && !o.r.display_mismatch)
            printf("# display_name_brand trick without display_mismatch: %s\n", file);
        arena_free(a);
        json_decref(j);
    }
    fclose(f);
    printf("# ja-synth: %zu messages; brand right %zu; phishing impersonated %zu/%zu; "
           "ham not impersonated %zu/%zu; display_mismatch %zu (truth display_name_brand %zu)\n",
           n, right, imp_ok, phish, ham_ok, ham, dm, dm_truth);
}

typedef struct {
    size_t msgs, unparsed, claims, impersonated, hosts, look;
} ham_stats;

static void ham_file(const mime_config *mc, const brand_data *d, const regex_t *re,
                     const char *path, ham_stats *st)
{
    arena *a = arena_new(0);
    one_result o;
    memset(&o, 0, sizeof o);
    if (analyze(a, mc, d, re, path, &o) != 0) {
        st->unparsed++;
        arena_free(a);
        return;
    }
    st->msgs++;
    if (o.r.brand) {
        st->claims++;
        st->impersonated += o.r.impersonated;
        if (o.r.impersonated && (strstr(path, "ham") || getenv("BRAND_CORPUS_VERBOSE")))
            printf("# claim %s: %s\n", path, o.r.evidence ? o.r.evidence : "");
    }
    /* lookalikes over every URL host in the raw bytes */
    size_t len;
    char *raw = slurp(path, &len);
    const char *h[MAX_HOSTS];
    size_t nh = raw ? hosts(a, re, raw, h, 0, 0) : 0;
    free(raw);
    for (size_t i = 0; i < nh; i++) {
        lookalike_hit hit;
        st->hosts++;
        if (brand_lookalike(a, d, h[i], &hit) == 1) {
            st->look++;
            if (strstr(path, "ham") || getenv("BRAND_CORPUS_VERBOSE"))
                printf("# lookalike %s: %s %s\n", path, hit.kind, hit.evidence);
        }
    }
    arena_free(a);
}

static void walk(const mime_config *mc, const brand_data *d, const regex_t *re, const char *dir,
                 ham_stats *st, int depth)
{
    DIR *dd = opendir(dir);
    if (!dd || depth > 4) {
        if (dd)
            closedir(dd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dd))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR)
            walk(mc, d, re, p, st, depth + 1);
        else if (e->d_type == DT_REG && strcmp(e->d_name, "truth.jsonl") != 0 &&
                 strcmp(e->d_name, "LICENSE") != 0)
            ham_file(mc, d, re, p, st);
    }
    closedir(dd);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: brand_corpus DATA_DIR JA_SYNTH_DIR [HAM_DIR...]\n");
        return 1;
    }
    mime_global_init();
    char *err = NULL;
    mime_config *mc = mime_config_load(argv[1], &err);
    brand_data *d = mc ? brand_data_load(argv[1], &err) : NULL;
    TAP_OK(mc && d, "load data (%s)", err ? err : "ok");
    if (!mc || !d)
        return TAP_DONE();
    regex_t re;
    if (regcomp(&re, "https?://([A-Za-z0-9.-]+)", REG_EXTENDED | REG_ICASE) != 0)
        return 1;
    ja_synth(mc, d, &re, argv[2]);
    for (int i = 3; i < argc; i++) {
        ham_stats st = {0};
        walk(mc, d, &re, argv[i], &st, 0);
        printf("# %s: %zu messages (%zu not parsed), %zu claim a brand, %zu impersonated; "
               "%zu URL hosts, %zu lookalike hits\n",
               argv[i], st.msgs, st.unparsed, st.claims, st.impersonated, st.hosts, st.look);
        TAP_OK(st.msgs > 0, "%s: %zu messages without crash", argv[i], st.msgs);
        if (!strstr(argv[i], "ham"))
            continue; /* other dirs (phish-pot, sa-spam): figures only */
        TAP_OK(st.look * 1000 <= st.hosts * 2, "%s: lookalike false hits %zu of %zu hosts (<0.2%%)",
               argv[i], st.look, st.hosts);
        TAP_OK(st.impersonated * 100 <= st.msgs, "%s: impersonation claims %zu of %zu (<1%%)",
               argv[i], st.impersonated, st.msgs);
    }
    regfree(&re);
    brand_data_free(d);
    mime_config_free(mc);
    mime_global_shutdown();
    return TAP_DONE();
}
