/*
 * http.c - `kensa serve`: the HTTP API and the single page, on libmicrohttpd.
 *
 *   POST /v1/analyze?format=json|html|md&lang=ja|en&online=0|1   raw message body
 *   GET  /v1/reports/{sha256}      the stored JSON report (404 when absent)
 *   GET  /v1/trends?week=D | ?since=D&until=D   trends JSON from the store
 *   GET  /healthz                  {"status":"ok"}
 *   GET  /                         the page (src/server/page.h)
 *
 * One thread per connection (MHD internal polling thread), bound exactly to
 * the configured address (MHD_OPTION_SOCK_ADDR; without it MHD binds
 * 0.0.0.0). Limits: POST body bytes (413, checked on Content-Length before
 * the body is read and again while it arrives), /v1 requests in flight
 * (503 busy), analysis time per request (503 timeout, --analysis-timeout),
 * idle connection timeout. The bearer token, when set, guards /v1/...
 * only: the page and /healthz stay open, the page sends the token the user
 * types. Errors are JSON: {"error": {"code", "message"}}. One log line per
 * request on stderr: method, path, status, bytes, ms.
 *
 * An analysis runs on its own thread; the request thread waits for it until
 * the time limit, then answers 503 and lets go. The analysis keeps its
 * /v1 slot until it really ends (so runaway analyses count against
 * --max-concurrent) and is freed by whichever side lets go last. Analyses
 * are stored when the server has a store (GET /v1/reports/{sha256} then
 * finds a posted mail), timed out or not.
 *
 * The analyzer contexts are a live generation (live.h): SIGHUP reloads the
 * data, requests in flight finish on the generation they started with.
 * SIGTERM/SIGINT stop: MHD finishes the connections, then the analyses
 * still running are waited for.
 *
 * The store handle is one connection, so store queries are serialized by a
 * mutex. No global state: everything hangs off the server struct passed to
 * MHD as the callbacks' closure.
 */
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../../include/kensa.h"
#include "../cli/server_cmds.h"
#include "../report/report.h"
#include "../store/db.h"
#include "../store/store.h"
#include "../store/trends.h"
#include "../util/arena.h"
#include "live.h"
#include "page.h"

typedef struct {
    const http_config *cfg;
    live data;                   /* the analyzer contexts (online: only with --online) */
    store *st;                   /* NULL without --db/--pg */
    pthread_mutex_t st_mu;
    atomic_uint in_flight;
    pthread_mutex_t run_mu;      /* analysis threads still running, for shutdown */
    pthread_cond_t run_cv;
    unsigned running;
} server;

/* One analysis, shared by the request thread and its worker thread. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs, done;
    int holds_slot;  /* the request gave up: the worker frees the /v1 slot */
    server *s;
    live_gen *g;
    int online;
    char *body;      /* taken from the request */
    size_t len;
    kensa_status st;
    kensa_report *rep;
} ajob;

/* One request, from the first call of the access handler to completion. */
typedef struct {
    struct timespec t0;
    char method[16];
    char path[160];
    unsigned status;
    size_t bytes;
    int counted;    /* holds one of the in-flight slots */
    int too_big;    /* body went past max_body: discarded, 413 at the end */
    char *body;
    size_t len, cap;
} request;

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Queue a response; buf is malloc'd (or NULL for an empty body) and is taken. */
static enum MHD_Result respond(struct MHD_Connection *c, request *r, unsigned status,
                               const char *ctype, char *buf, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, buf ? buf : (void *)"",
                                        buf ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(buf);
        return MHD_NO;
    }
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    r->status = status;
    r->bytes = len;
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result respond_str(struct MHD_Connection *c, request *r, unsigned status,
                                   const char *ctype, char *buf)
{
    if (!buf)
        return respond(c, r, 500, "text/plain", strdup("out of memory\n"), 14);
    return respond(c, r, status, ctype, buf, strlen(buf));
}

/* {"error": {"code": code, "message": msg}}; code and msg are constants of ours
 * (never request data), so no escaping is needed. */
static enum MHD_Result respond_err(struct MHD_Connection *c, request *r, unsigned status,
                                   const char *code, const char *msg)
{
    char *buf = NULL;
    if (asprintf(&buf, "{\"error\": {\"code\": \"%s\", \"message\": \"%s\"}}\n", code, msg) < 0)
        buf = NULL;
    return respond_str(c, r, status, "application/json; charset=utf-8", buf);
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static int authorized(const server *s, struct MHD_Connection *c)
{
    if (!s->cfg->token)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return 0;
    /* constant time over the token's length */
    const char *t = s->cfg->token, *g = h + 7;
    size_t tl = strlen(t), gl = strlen(g);
    unsigned diff = tl != gl;
    for (size_t i = 0; i < tl; i++)
        diff |= (unsigned char)t[i] ^ (unsigned char)(i < gl ? g[i] : 0);
    return diff == 0;
}

static int is_sha256(const char *p)
{
    size_t n = 0;
    for (; p[n]; n++)
        if (!((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'a' && p[n] <= 'f')))
            return 0;
    return n == 64;
}

typedef struct {
    char *json;
} one_col;

static int take_first(void *ctx, int ncol, const char *const *col)
{
    one_col *o = ctx;
    if (ncol >= 1 && col[0] && !o->json)
        o->json = strdup(col[0]);
    return 0;
}

static enum MHD_Result get_report(server *s, struct MHD_Connection *c, request *r,
                                  const char *sha)
{
    if (!is_sha256(sha))
        return respond_err(c, r, 400, "bad_sha256", "a lowercase hex SHA-256 is expected");
    if (!s->st)
        return respond_err(c, r, 404, "no_store", "the server was started without a store");
    static const char SQL[] = "SELECT report FROM reports WHERE sha256 = ?1";
    db_val p[1] = {db_text(sha)};
    one_col o = {NULL};
    char *err = NULL;
    pthread_mutex_lock(&s->st_mu);
    int rc = db_query(store_db(s->st), SQL, p, 1, take_first, &o, &err);
    pthread_mutex_unlock(&s->st_mu);
    if (rc != 0) {
        fprintf(stderr, "kensa: serve: store: %s\n", err ? err : "query failed");
        free(err);
        free(o.json);
        return respond_err(c, r, 500, "store", "the store query failed");
    }
    if (!o.json)
        return respond_err(c, r, 404, "not_found", "no report with this SHA-256 is stored");
    return respond_str(c, r, 200, "application/json; charset=utf-8", o.json);
}

static enum MHD_Result get_trends(server *s, struct MHD_Connection *c, request *r)
{
    if (!s->st)
        return respond_err(c, r, 404, "no_store", "the server was started without a store");
    trends_query q = {.top = 10};
    const char *week = arg(c, "week"), *since = arg(c, "since"), *until = arg(c, "until");
    const char *lang = arg(c, "lang");
    if (lang && strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0)
        return respond_err(c, r, 400, "bad_lang", "lang is ja or en");
    if ((week && trends_parse_day(week) < 0) || (since && trends_parse_day(since) < 0) ||
        (until && trends_parse_day(until) < 0))
        return respond_err(c, r, 400, "bad_date", "dates are YYYY-MM-DD");
    if (week && (since || until))
        return respond_err(c, r, 400, "bad_period", "week does not go with since/until");
    if (since && until && strcmp(since, until) > 0)
        return respond_err(c, r, 400, "bad_period", "since is after until");
    if (week) {
        q.week = 1;
        q.until = week;
    } else {
        q.since = since;
        q.until = until;
    }
    trends_model m;
    char *err = NULL;
    pthread_mutex_lock(&s->st_mu);
    int rc = trends_build(s->st, &q, &m, &err);
    pthread_mutex_unlock(&s->st_mu);
    if (rc != 0) {
        fprintf(stderr, "kensa: serve: trends: %s\n", err ? err : "query failed");
        free(err);
        trends_free(&m);
        return respond_err(c, r, 500, "store", "the trends query failed");
    }
    char *out = trends_json(&m, lang ? lang : "ja");
    trends_free(&m);
    return respond_str(c, r, 200, "application/json; charset=utf-8", out);
}

static void job_release(ajob *j)
{
    pthread_mutex_lock(&j->mu);
    int last = --j->refs == 0;
    pthread_mutex_unlock(&j->mu);
    if (!last)
        return;
    kensa_report_free(j->rep);
    live_put(&j->s->data, j->g); /* after the report: it points into the data */
    free(j->body);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}

/* Store one report (the server has a store); errors are logged only: the
 * client still gets its report. */
static void store_report(server *s, const kensa_report *rep)
{
    arena *a = arena_new(0);
    store_row row;
    char *err = NULL;
    int ins = 0;
    if (!a || store_row_from_report(rep, a, &row) != 0) {
        fprintf(stderr, "kensa: serve: store: out of memory\n");
        arena_free(a);
        return;
    }
    pthread_mutex_lock(&s->st_mu);
    if (store_begin(s->st, &err) != 0 || store_put(s->st, &row, &ins, &err) != 0 ||
        store_commit(s->st, &err) != 0) {
        store_rollback(s->st);
        fprintf(stderr, "kensa: serve: store: %s\n", err ? err : "insert failed");
    }
    pthread_mutex_unlock(&s->st_mu);
    free(err);
    arena_free(a);
}

static void *analysis_thread(void *arg)
{
    ajob *j = arg;
    server *s = j->s;
    char *err = NULL;
    kensa_ctx *k = j->online ? j->g->online : j->g->offline;
    j->st = kensa_analyze(k, j->body, j->len, "upload.eml", &j->rep, &err);
    free(err);
    if (j->st == KENSA_OK && s->st)
        store_report(s, j->rep);
    pthread_mutex_lock(&j->mu);
    j->done = 1;
    int slot = j->holds_slot;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (slot)
        atomic_fetch_sub(&s->in_flight, 1);
    job_release(j);
    pthread_mutex_lock(&s->run_mu);
    if (--s->running == 0)
        pthread_cond_broadcast(&s->run_cv);
    pthread_mutex_unlock(&s->run_mu);
    return NULL;
}

/* Run the analysis of r's body on a thread and wait for it until the time
 * limit. Returns the finished job (release it), or NULL: *timed_out set when
 * the limit passed (the analysis goes on and takes r's /v1 slot with it),
 * else out of memory / no thread. */
static ajob *analyze_in_time(server *s, request *r, int online, int *timed_out)
{
    *timed_out = 0;
    ajob *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->refs = 2;
    j->s = s;
    j->online = online;
    j->body = r->body; /* the job owns the body now */
    j->len = r->len;
    r->body = NULL;
    r->len = r->cap = 0;
    j->g = live_get(&s->data);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    long long ns = (long long)(s->cfg->analysis_timeout_s * 1e9);
    deadline.tv_sec += (time_t)(ns / 1000000000LL);
    deadline.tv_nsec += (long)(ns % 1000000000LL);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->run_mu);
    s->running++;
    pthread_mutex_unlock(&s->run_mu);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    int trc = pthread_create(&t, &at, analysis_thread, j);
    pthread_attr_destroy(&at);
    if (trc != 0) {
        pthread_mutex_lock(&s->run_mu);
        if (--s->running == 0)
            pthread_cond_broadcast(&s->run_cv);
        pthread_mutex_unlock(&s->run_mu);
        j->refs = 1;
        job_release(j);
        return NULL;
    }
    pthread_mutex_lock(&j->mu);
    int wrc = 0;
    while (!j->done && wrc != ETIMEDOUT)
        wrc = pthread_cond_timedwait(&j->cv, &j->mu, &deadline);
    int done = j->done;
    if (!done && r->counted) { /* hand the slot over to the analysis */
        j->holds_slot = 1;
        r->counted = 0;
    }
    pthread_mutex_unlock(&j->mu);
    if (!done) {
        *timed_out = 1;
        job_release(j);
        return NULL;
    }
    return j;
}

static enum MHD_Result post_analyze(server *s, struct MHD_Connection *c, request *r)
{
    const char *fmt = arg(c, "format"), *lang = arg(c, "lang"), *online = arg(c, "online");
    kensa_format f = KENSA_FMT_JSON;
    const char *ctype = "application/json; charset=utf-8";
    if (!fmt || strcmp(fmt, "json") == 0) {
    } else if (strcmp(fmt, "html") == 0) {
        f = KENSA_FMT_HTML;
        ctype = "text/html; charset=utf-8";
    } else if (strcmp(fmt, "md") == 0) {
        f = KENSA_FMT_MD;
        ctype = "text/markdown; charset=utf-8";
    } else {
        return respond_err(c, r, 400, "bad_format", "format is json, html or md");
    }
    if (lang && strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0)
        return respond_err(c, r, 400, "bad_lang", "lang is ja or en");
    int use_online = 0;
    if (online && strcmp(online, "1") == 0) {
        if (!s->cfg->online)
            return respond_err(c, r, 403, "online_disabled",
                               "online=1 needs a server started with --online");
        use_online = 1;
    } else if (online && strcmp(online, "0") != 0) {
        return respond_err(c, r, 400, "bad_online", "online is 0 or 1");
    }
    if (r->len == 0)
        return respond_err(c, r, 400, "empty", "the request body is the raw message");
    int timed_out = 0;
    ajob *j = analyze_in_time(s, r, use_online, &timed_out);
    if (!j && timed_out) {
        return respond_err(c, r, 503, "timeout",
                           "the analysis took longer than the server's time limit");
    }
    if (!j)
        return respond_err(c, r, 500, "nomem", "cannot start the analysis");
    if (j->st != KENSA_OK) {
        kensa_status st = j->st;
        job_release(j);
        return respond_err(c, r, st == KENSA_ERR_INPUT ? 422 : 500, "cannot_analyze",
                           "the body could not be analyzed as a mail message");
    }
    const kensa_report *rep = j->rep;
    size_t len = 0;
    char *out = kensa_report_render(rep, f, lang ? lang : "ja", &len);
    char verdict[32], score[32], sha[65];
    snprintf(verdict, sizeof verdict, "%s", rep->verdict.label ? rep->verdict.label : "");
    snprintf(score, sizeof score, "%.1f", rep->verdict.score);
    memcpy(sha, rep->sha256, sizeof sha);
    job_release(j);
    if (!out)
        return respond_err(c, r, 500, "nomem", "out of memory rendering the report");
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, out, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(out);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Kensa-Verdict", verdict);
    MHD_add_response_header(resp, "X-Kensa-Score", score);
    MHD_add_response_header(resp, "X-Kensa-Sha256", sha);
    r->status = 200;
    r->bytes = len;
    enum MHD_Result rc = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

static int append_body(server *s, request *r, const char *data, size_t n)
{
    if (r->too_big || n > s->cfg->max_body - r->len) {
        r->too_big = 1;
        free(r->body);
        r->body = NULL;
        r->len = r->cap = 0;
        return 0;
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 16384;
        while (cap < r->len + n)
            cap *= 2;
        if (cap > s->cfg->max_body)
            cap = s->cfg->max_body;
        char *b = realloc(r->body, cap);
        if (!b)
            return -1;
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    return 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version,
                               const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *r = *con_cls;
    int post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    int is_v1 = strncmp(url, "/v1/", 4) == 0;
    int is_analyze = strcmp(url, "/v1/analyze") == 0;

    if (!r) { /* first call: headers only */
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->path, sizeof r->path, "%s", url);
        *con_cls = r;
        if (is_v1 && !authorized(s, c))
            return respond_err(c, r, 401, "unauthorized", "a valid bearer token is required");
        if (is_v1) {
            if (atomic_fetch_add(&s->in_flight, 1) >= s->cfg->max_concurrent) {
                atomic_fetch_sub(&s->in_flight, 1);
                return respond_err(c, r, 503, "busy", "too many requests in flight");
            }
            r->counted = 1;
        }
        if (is_analyze && post) {
            const char *cl =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (cl && strtoull(cl, NULL, 10) > s->cfg->max_body)
                return respond_err(c, r, 413, "too_large", "the message exceeds --max-body");
            return MHD_YES; /* the body follows */
        }
    } else if (post && *upload_size) { /* a piece of the body */
        if (append_body(s, r, upload_data, *upload_size) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }

    if (is_analyze) {
        if (!post)
            return respond_err(c, r, 405, "method", "use POST");
        if (r->too_big)
            return respond_err(c, r, 413, "too_large", "the message exceeds --max-body");
        return post_analyze(s, c, r);
    }
    if (!get)
        return respond_err(c, r, 405, "method", "use GET");
    if (strcmp(url, "/healthz") == 0)
        return respond_str(c, r, 200, "application/json", strdup("{\"status\": \"ok\"}\n"));
    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
        return respond_str(c, r, 200, "text/html; charset=utf-8", strdup(KENSA_PAGE_HTML));
    if (strncmp(url, "/v1/reports/", 12) == 0)
        return get_report(s, c, r, url + 12);
    if (strcmp(url, "/v1/trends") == 0)
        return get_trends(s, c, r);
    return respond_err(c, r, 404, "not_found", "no such endpoint");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode why)
{
    (void)c;
    server *s = cls;
    request *r = *con_cls;
    if (!r)
        return;
    if (r->counted)
        atomic_fetch_sub(&s->in_flight, 1);
    fprintf(stderr, "kensa: serve: %s %s %u %zu %.1fms%s\n", r->method, r->path, r->status,
            r->bytes, ms_since(&r->t0),
            why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    free(r->body);
    free(r);
    *con_cls = NULL;
}

int http_serve(const http_config *cfg)
{
    server s = {.cfg = cfg};
    atomic_init(&s.in_flight, 0);
    pthread_mutex_init(&s.st_mu, NULL);
    pthread_mutex_init(&s.run_mu, NULL);
    pthread_cond_init(&s.run_cv, NULL);
    int status = 1, have_data = 0;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%u", cfg->port);
    char *err = NULL;
    int gai = getaddrinfo(cfg->host, port, &hints, &ai);
    if (gai != 0 || !ai) {
        fprintf(stderr, "kensa: serve: %s: %s\n", cfg->host, gai_strerror(gai));
        goto out;
    }
    if (live_signals_install() != 0) {
        fprintf(stderr, "kensa: serve: cannot install the signal handlers\n");
        goto out;
    }
    if (live_init(&s.data, &cfg->opts, cfg->online, &err) != 0) {
        fprintf(stderr, "kensa: serve: %s\n", err ? err : "cannot load the data");
        goto out;
    }
    have_data = 1;
    if (cfg->db || cfg->pg) {
        s.st = store_open(cfg->db, cfg->pg, 1, &err);
        if (!s.st) {
            fprintf(stderr, "kensa: serve: store: %s\n", err ? err : "cannot open");
            goto out;
        }
    }

    /* MHD's threads (and the analysis threads they start) inherit a mask
     * with SIGHUP/SIGTERM/SIGINT blocked; the main thread takes them */
    live_signals_block();
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, handler, &s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(cfg->max_concurrent * 4 + 16),
        MHD_OPTION_NOTIFY_COMPLETED, completed, &s, MHD_OPTION_END);
    live_signals_unblock();
    if (!d) {
        fprintf(stderr, "kensa: serve: cannot listen on %s:%u\n", cfg->host, cfg->port);
        goto out;
    }
    fprintf(stderr, "kensa: serve: listening on %s:%u\n", cfg->host, cfg->port);
    for (;;) {
        int sig = live_signal_next();
        if (sig == SIGHUP) {
            unsigned long id = 0;
            if (live_reload(&s.data, &id, &err) == 0)
                fprintf(stderr, "kensa: serve: reloaded the data (generation %lu)\n", id);
            else
                fprintf(stderr, "kensa: serve: reload failed, keeping the current data: %s\n",
                        err ? err : "cannot load the data");
            free(err);
            err = NULL;
            continue;
        }
        if (sig == SIGTERM || sig == SIGINT) {
            fprintf(stderr, "kensa: serve: signal %d, shutting down\n", sig);
            break;
        }
    }
    MHD_stop_daemon(d);
    /* analyses that outlived their request (timed out) */
    pthread_mutex_lock(&s.run_mu);
    while (s.running > 0)
        pthread_cond_wait(&s.run_cv, &s.run_mu);
    pthread_mutex_unlock(&s.run_mu);
    status = 0;
out:
    free(err);
    if (ai)
        freeaddrinfo(ai);
    if (s.st)
        store_close(s.st);
    if (have_data)
        live_destroy(&s.data);
    pthread_cond_destroy(&s.run_cv);
    pthread_mutex_destroy(&s.run_mu);
    pthread_mutex_destroy(&s.st_mu);
    return status;
}
