/*
 * kensa.c - libkensa's public entry points (include/kensa.h): the context
 * with its read-only data, and one analysis = one arena running the stages
 * in order. Stages only read what earlier stages produced.
 */
#include <errno.h>
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co: see kensa_sha256_hex */
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../include/kensa.h"
#include "mime/limits.h"
#include "content/content.h"
#include "intel/enrich.h"
#include "intel/freemail.h"
#include "intel/ipintel.h"
#include "links/links.h"
#include "mime/html_guard.h"
#include "mime/html_text.h"
#include "mime/message.h"
#include "online/online.h"
#include "util/domain.h"
#include "report/report.h"

#ifndef KENSA_DATA_DIR
#define KENSA_DATA_DIR "data"
#endif
#ifndef KENSA_VERSION
#define KENSA_VERSION "0.1.0"
#endif

struct kensa_ctx {
    char *data_dir;
    int online;
    mime_config *mime;
    route_config route;
    char *authserv_id;
    verdict_rules *rules;
    intel_data *intel;
    content_data *content;
    links_data *links;
    brand_data *brands;
    freemail_data *freemail;
    online_ctx *online_ctx; /* --online only: resolver config, RDAP bootstrap, DNSBLs, feeds */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    mime_global_init();
}

const char *kensa_version(void)
{
    return KENSA_VERSION;
}

static void set_err(char **err, const char *fmt, const char *a, const char *b)
{
    if (!err)
        return;
    if (asprintf(err, fmt, a, b) < 0)
        *err = NULL;
}

kensa_ctx *kensa_open(const kensa_options *opts, char **err)
{
    pthread_once(&global_once, global_init);
    kensa_ctx *k = calloc(1, sizeof *k);
    if (!k) {
        set_err(err, "%s%s", "out of memory", "");
        return NULL;
    }
    const char *dd = opts && opts->data_dir ? opts->data_dir : getenv("KENSA_DATA_DIR");
    if (!dd || !*dd)
        dd = KENSA_DATA_DIR;
    k->data_dir = strdup(dd);
    k->online = opts ? opts->online : 0;
    if (opts && opts->authserv_id)
        k->authserv_id = strdup(opts->authserv_id);
    if (opts && opts->trusted_relays && route_config_add(&k->route, opts->trusted_relays) != 0) {
        set_err(err, "--trusted-relay: more than %s entries%s", "64", "");
        kensa_close(k);
        return NULL;
    }
    char *e = NULL;
    k->mime = mime_config_load(k->data_dir, &e);
    if (k->mime)
        k->rules = verdict_rules_load(k->data_dir, &e);
    if (k->rules)
        k->intel = intel_load(k->data_dir, NULL, &e);
    if (k->intel)
        k->content = content_data_load(k->data_dir, &e);
    if (k->content)
        k->links = links_data_load(k->data_dir, &e);
    if (k->links)
        k->brands = brand_data_load(k->data_dir, &e);
    if (k->brands)
        k->freemail = freemail_load(k->data_dir, &e);
    if (!k->mime || !k->rules || !k->intel || !k->content || !k->links || !k->brands ||
        !k->freemail) {
        set_err(err, "data: %s%s", e ? e : "cannot load", "");
        free(e);
        kensa_close(k);
        return NULL;
    }
    if (k->online) {
        online_config oc = {
            .dns_server = opts->dns_server, .rdap_url = opts->rdap_url,
            .whois_server = opts->whois_server,
            .allow_private_targets = opts->allow_private_targets,
            .screenshot = opts->screenshot, .screenshot_dir = opts->screenshot_dir,
            .feeds = opts->feeds, .nfeeds = opts->nfeeds, .cache_path = opts->cache_path,
            .no_cache = opts->no_cache};
        k->online_ctx = online_open(&oc, k->data_dir, &e);
        if (!k->online_ctx) {
            set_err(err, "--online: %s%s", e ? e : "cannot start", "");
            free(e);
            kensa_close(k);
            return NULL;
        }
    }
    return k;
}

void kensa_close(kensa_ctx *k)
{
    if (!k)
        return;
    mime_config_free(k->mime);
    verdict_rules_free(k->rules);
    intel_free(k->intel);
    content_data_free(k->content);
    links_data_free(k->links);
    brand_data_free(k->brands);
    freemail_free(k->freemail);
    online_close(k->online_ctx);
    for (size_t i = 0; i < k->route.ntrusted; i++)
        free((char *)k->route.trusted[i]);
    free(k->authserv_id);
    free(k->data_dir);
    free(k);
}

/* SHA-256 through libcrypto's low-level SHA256_Init/Update/Final (its
 * SHA-NI/AVX2 code; GLib's portable C costs ~44 instructions a byte, and
 * every message and part is hashed). Not EVP, and not the one-shot SHA256(),
 * which OpenSSL 3 routes through EVP: the first fetch initialises OpenSSL's
 * library context (openssl.cnf, providers: ~6 M instructions, ~1 ms of every
 * process) for one fixed digest. The low-level calls need no context, no
 * allocation and no init; they are deprecated in OpenSSL 3, not removed. */
void kensa_sha256_hex(const void *bytes, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, bytes, len);
    SHA256_Final(d, &c);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = '\0';
}

kensa_status kensa_analyze(kensa_ctx *k, const char *bytes, size_t len, const char *path,
                           kensa_report **out, char **err)
{
    *out = NULL;
    if (!k || (!bytes && len)) {
        set_err(err, "%s%s", "bad arguments", "");
        return KENSA_ERR_USAGE;
    }
    arena *a = arena_new(KM_ARENA_MAX);
    struct kensa_report *r = a ? arena_alloc(a, sizeof *r) : NULL;
    if (!r) {
        arena_free(a);
        set_err(err, "%s%s", "out of memory", "");
        return KENSA_ERR_NOMEM;
    }
    r->a = a;
    r->path = path ? arena_strdup(a, path) : NULL;
    r->size = len;
    kensa_sha256_hex(bytes ? bytes : "", len, r->sha256);
    const char *why = NULL;
    html_guarded_take(); /* counts this analysis's parses only */
    if (mime_parse(a, k->mime, bytes ? bytes : "", len, &r->msg, &why) != 0) {
        set_err(err, "%s%s", why ? why : "cannot parse", "");
        arena_free(a);
        return KENSA_ERR_INPUT;
    }
    r->ip_attribution = intel_attribution(k->intel);
    r->psl_date = domain_psl_date();
    r->from_freemail = r->msg->has_from && freemail_is(k->freemail, r->msg->from.domain);
    for (size_t i = 0; i < r->msg->nreply_to && !r->reply_to_freemail; i++) {
        const char *d = r->msg->reply_to[i].domain;
        r->reply_to_freemail = d && freemail_is(k->freemail, d) &&
                               !(r->msg->from.domain && strcasecmp(d, r->msg->from.domain) == 0);
    }
    /* stages, in order; each reads only the message and earlier stages */
    if (route_analyze(a, &k->route, r->msg, &r->route) != 0 ||
        enrich_origin(a, k->intel, &r->route) != 0 ||
        sender_analyze(a, r->msg, &r->route, k->authserv_id, &r->sender) != 0 ||
        links_extract(a, k->links, r->msg, &r->links) != 0 ||
        enrich_links(a, k->intel, k->brands, &r->links, &r->link_facts) != 0 ||
        online_analyze(a, k->online_ctx, k->intel, r, &r->online) != 0 ||
        content_analyze(a, k->content, r->msg, &r->content) != 0 ||
        enrich_brand(a, k->brands, r, &r->brand) != 0 ||
        enrich_sender_lookalike(a, k->brands, r) != 0 ||
        verdict_run(a, k->rules, r, &r->verdict) != 0) {
        set_err(err, "%s%s", "out of memory in the analysis stages", "");
        arena_free(a);
        return KENSA_ERR_NOMEM;
    }
    if (html_guarded_take())
        mime_warn(r->msg, "HTML nested deeper than %d elements: the start tags past that depth "
                          "were left out of its parse",
                  HTML_MAX_DEPTH);
    if (r->msg->text)
        r->text_defanged = links_defang_text(a, &r->links, r->msg->text);
    *out = r;
    return KENSA_OK;
}

char *kensa_report_render(const kensa_report *r, kensa_format fmt, const char *lang, size_t *len)
{
    char *s = NULL;
    size_t n = 0;
    switch (fmt) {
    case KENSA_FMT_JSON:
        s = report_json_len(r, 1, &n);
        break;
    case KENSA_FMT_NDJSON:
        s = report_json_len(r, 0, &n);
        break;
    case KENSA_FMT_TEXT:
        s = report_text(r, lang, 0);
        break;
    case KENSA_FMT_TEXT_COLOR:
        s = report_text(r, lang, 1);
        break;
    case KENSA_FMT_MD:
        s = report_md(r, lang);
        break;
    case KENSA_FMT_HTML:
        s = report_html(r, lang);
        break;
    }
    if (s && len)
        *len = fmt == KENSA_FMT_JSON || fmt == KENSA_FMT_NDJSON ? n : strlen(s);
    return s;
}

void kensa_report_free(kensa_report *r)
{
    if (r)
        arena_free(r->a);
}
