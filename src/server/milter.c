/*
 * milter.c - `kensa milter`: kensa's verdict on mail as the MTA receives it
 * (Postfix smtpd_milters / Sendmail INPUT_MAIL_FILTER), on libmilter.
 *
 * Per connection: the client IP, PTR name and HELO (xxfi_connect/helo); per
 * message: MAIL FROM, the headers and the body, kept in one buffer bounded
 * by --max-message (what goes past is dropped, the verdict is taken on the
 * truncated message). At end of message the message is rebuilt with a
 * synthetic top Received header made from the connection's real facts:
 *
 *   Received: from HELO (PTR [IP])
 *           by kensa-milter (envelope-from <MAIL FROM>); DATE
 *
 * so the route stage sees the real origin hop (rather than guessing from the
 * sender-supplied headers) without any change to kensa_options. Then:
 * X-Kensa-Verdict (label), X-Kensa-Score (%.1f), X-Kensa-Findings (finding
 * ids, space-separated) are added (copies of these headers already in the
 * message are deleted first, so a sender cannot forge them); the Subject is
 * prefixed per label (--subject-tag); phishing (or any label given) is
 * rejected with 550 5.7.1 (--reject) or put on hold (--quarantine); the report
 * is stored when --db/--pg is given.
 *
 * The analysis runs on a worker thread so the connection thread can give up
 * after --timeout seconds; at most --max-concurrent analyses run at once
 * (a counting semaphore, also waited for within the timeout). On timeout or
 * internal error the message is accepted with X-Kensa-Verdict: unscanned
 * (--fail-open, the default) or answered 451 (--fail-closed). A job outlives
 * a timed-out wait: it is reference counted and freed by whichever side
 * (connection or worker) lets go last.
 *
 * Global state: libmilter's callbacks have no closure argument, so the
 * server's configuration, analyzer context, store and semaphore live in one
 * singleton (M below), set before smfi_main() and torn down after it
 * returns. It is the only mutable global. libmilter does not join its session
 * threads when smfi_main() returns, so shutdown first waits (bounded) for
 * end-of-message callbacks and analyses in progress. SIGTERM/SIGINT/SIGHUP are handled
 * by libmilter's own signal thread, which stops the listener (as smfi_stop()
 * does); smfi_main() then returns and we wait for running analyses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../../include/kensa.h"
#include "../cli/server_cmds.h"
#include "../report/report.h"
#include "../store/store.h"
#include "../util/arena.h"

#define FIELD_MAX 256      /* bytes kept of the IP, PTR name, HELO, MAIL FROM */
#define FINDINGS_MAX 1024  /* bytes of the X-Kensa-Findings value */
#define SUBJECT_MAX 2048   /* bytes of the original Subject kept for the prefix */

/* The singleton (see the header comment). */
static struct {
    const milter_config *cfg;
    kensa_ctx *k;
    store *st;
    pthread_mutex_t st_mu;
    sem_t slots;
    atomic_int in_eom;   /* connection threads inside on_eom */
    atomic_int stopping; /* smfi_main() returned: no new analysis */
} M;

typedef struct {
    char ip[FIELD_MAX], ptr[FIELD_MAX], helo[FIELD_MAX], from[FIELD_MAX];
    char *buf; /* headers + blank line + body, CRLF */
    size_t len, cap;
    int truncated;
    int in_body;
    char subject[SUBJECT_MAX];
    int has_subject;
    int ours[3]; /* X-Kensa-Verdict/Score/Findings already in the message */
} conn;

static const char *const OUR_HEADERS[3] = {"X-Kensa-Verdict", "X-Kensa-Score",
                                           "X-Kensa-Findings"};

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs, done, ok;
    char *data;
    size_t len;
    char label[16];
    double score;
    char findings[FINDINGS_MAX];
} job;

/* Copy s into dst[FIELD_MAX] keeping printable ASCII only (the value goes
 * into a header we build). */
static void clean_copy(char *dst, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < FIELD_MAX; s++) {
        unsigned char ch = (unsigned char)*s;
        dst[n++] = ch > 32 && ch < 127 && ch != '(' && ch != ')' ? (char)ch : '?';
    }
    dst[n] = 0;
}

static void append(conn *c, const char *p, size_t n)
{
    if (c->truncated)
        return;
    if (n > M.cfg->max_message - c->len) {
        c->truncated = 1;
        return;
    }
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 16384;
        while (cap < c->len + n)
            cap *= 2;
        if (cap > M.cfg->max_message)
            cap = M.cfg->max_message;
        char *b = realloc(c->buf, cap);
        if (!b) {
            c->truncated = 1;
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

static void reset_message(conn *c)
{
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
    c->truncated = c->in_body = c->has_subject = 0;
    c->subject[0] = 0;
    memset(c->ours, 0, sizeof c->ours);
}

static sfsistat on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return M.cfg->fail_closed ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
    char ip[INET6_ADDRSTRLEN] = "";
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr, ip, sizeof ip);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, ip, sizeof ip);
    clean_copy(c->ip, ip);
    clean_copy(c->ptr, host && host[0] != '[' ? host : "unknown");
    smfi_setpriv(ctx, c);
    return SMFIS_CONTINUE;
}

static sfsistat on_helo(SMFICTX *ctx, char *helo)
{
    conn *c = smfi_getpriv(ctx);
    if (c)
        clean_copy(c->helo, helo);
    return SMFIS_CONTINUE;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
    conn *c = smfi_getpriv(ctx);
    if (!c)
        return SMFIS_CONTINUE;
    reset_message(c);
    const char *f = argv && argv[0] ? argv[0] : "";
    if (*f == '<')
        f++;
    clean_copy(c->from, f);
    size_t n = strlen(c->from);
    if (n && c->from[n - 1] == '>')
        c->from[n - 1] = 0;
    return SMFIS_CONTINUE;
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
    conn *c = smfi_getpriv(ctx);
    if (!c)
        return SMFIS_CONTINUE;
    for (int i = 0; i < 3; i++)
        if (strcasecmp(name, OUR_HEADERS[i]) == 0)
            c->ours[i]++;
    if (!c->has_subject && strcasecmp(name, "Subject") == 0) {
        c->has_subject = 1;
        snprintf(c->subject, sizeof c->subject, "%s", value);
    }
    append(c, name, strlen(name));
    append(c, ": ", 2);
    append(c, value, strlen(value));
    append(c, "\r\n", 2);
    return SMFIS_CONTINUE;
}

static sfsistat on_eoh(SMFICTX *ctx)
{
    conn *c = smfi_getpriv(ctx);
    if (c) {
        append(c, "\r\n", 2);
        c->in_body = 1;
    }
    return SMFIS_CONTINUE;
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
    conn *c = smfi_getpriv(ctx);
    if (c)
        append(c, (const char *)p, n);
    return SMFIS_CONTINUE;
}

static void job_release(job *j)
{
    pthread_mutex_lock(&j->mu);
    int last = --j->refs == 0;
    pthread_mutex_unlock(&j->mu);
    if (last) {
        pthread_mutex_destroy(&j->mu);
        pthread_cond_destroy(&j->cv);
        free(j->data);
        free(j);
    }
}

static void store_report(const kensa_report *rep)
{
    arena *a = arena_new(0);
    store_row row;
    char *err = NULL;
    int ins = 0;
    if (!a || store_row_from_report(rep, a, &row) != 0) {
        fprintf(stderr, "kensa: milter: store: out of memory\n");
        arena_free(a);
        return;
    }
    pthread_mutex_lock(&M.st_mu);
    if (store_begin(M.st, &err) != 0 || store_put(M.st, &row, &ins, &err) != 0 ||
        store_commit(M.st, &err) != 0) {
        store_rollback(M.st);
        fprintf(stderr, "kensa: milter: store: %s\n", err ? err : "insert failed");
    }
    pthread_mutex_unlock(&M.st_mu);
    free(err);
    arena_free(a);
}

static void *worker(void *arg)
{
    job *j = arg;
    kensa_report *rep = NULL;
    char *err = NULL;
    int ok = kensa_analyze(M.k, j->data, j->len, "milter", &rep, &err) == KENSA_OK;
    if (!ok)
        fprintf(stderr, "kensa: milter: cannot analyze: %s\n", err ? err : "?");
    free(err);
    char label[16] = "", findings[FINDINGS_MAX] = "";
    double score = 0;
    if (ok) {
        snprintf(label, sizeof label, "%s", rep->verdict.label ? rep->verdict.label : "clean");
        score = rep->verdict.score;
        size_t n = 0;
        for (size_t i = 0; i < rep->verdict.n; i++) {
            const char *id = rep->verdict.v[i].id;
            size_t l = id ? strlen(id) : 0;
            if (!l || n + l + 2 > sizeof findings)
                continue;
            if (n)
                findings[n++] = ' ';
            memcpy(findings + n, id, l);
            n += l;
            findings[n] = 0;
        }
        if (M.st)
            store_report(rep);
        kensa_report_free(rep);
    }
    sem_post(&M.slots);
    pthread_mutex_lock(&j->mu);
    j->ok = ok;
    memcpy(j->label, label, sizeof label);
    memcpy(j->findings, findings, sizeof findings);
    j->score = score;
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    job_release(j);
    return NULL;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static unsigned label_bit(const char *label)
{
    if (strcmp(label, "phishing") == 0)
        return MV_PHISHING;
    if (strcmp(label, "spam") == 0)
        return MV_SPAM;
    if (strcmp(label, "suspicious") == 0)
        return MV_SUSPICIOUS;
    return MV_CLEAN;
}

static int label_index(unsigned bit)
{
    return bit == MV_PHISHING ? 0 : bit == MV_SPAM ? 1 : bit == MV_SUSPICIOUS ? 2 : 3;
}

static sfsistat fail(SMFICTX *ctx, const char *why)
{
    fprintf(stderr, "kensa: milter: %s (%s)\n", why,
            M.cfg->fail_closed ? "tempfail" : "accepted unscanned");
    if (M.cfg->fail_closed) {
        smfi_setreply(ctx, "451", "4.7.1", "kensa: message could not be scanned, try later");
        return SMFIS_TEMPFAIL;
    }
    smfi_addheader(ctx, "X-Kensa-Verdict", "unscanned");
    return SMFIS_ACCEPT;
}

/* Rebuild the message with the synthetic Received on top; NULL on OOM. */
static char *rebuild(const conn *c, size_t *len)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
    char *rcv = NULL;
    int n = asprintf(&rcv, "Received: from %s (%s [%s])\r\n\tby kensa-milter "
                           "(envelope-from <%s>); %s\r\n",
                     c->helo[0] ? c->helo : "unknown", c->ptr, c->ip[0] ? c->ip : "127.0.0.1",
                     c->from, date);
    if (n < 0)
        return NULL;
    char *out = malloc((size_t)n + c->len + 1);
    if (out) {
        memcpy(out, rcv, (size_t)n);
        if (c->len)
            memcpy(out + n, c->buf, c->len);
        out[(size_t)n + c->len] = 0;
        *len = (size_t)n + c->len;
    }
    free(rcv);
    return out;
}

static sfsistat eom(SMFICTX *ctx);

/* on_eom counts itself in M.in_eom so shutdown can wait for it. */
static sfsistat on_eom(SMFICTX *ctx)
{
    atomic_fetch_add(&M.in_eom, 1);
    sfsistat rc = atomic_load(&M.stopping) ? fail(ctx, "shutting down") : eom(ctx);
    atomic_fetch_sub(&M.in_eom, 1);
    return rc;
}

static sfsistat eom(SMFICTX *ctx)
{
    conn *c = smfi_getpriv(ctx);
    if (!c)
        return fail(ctx, "no connection state");
    struct timespec t0, deadline;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)M.cfg->timeout_s;

    job *j = calloc(1, sizeof *j);
    if (!j)
        return fail(ctx, "out of memory");
    j->data = rebuild(c, &j->len);
    if (!j->data) {
        free(j);
        return fail(ctx, "out of memory");
    }
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->refs = 2;
    int got;
    while ((got = sem_timedwait(&M.slots, &deadline)) != 0 && errno == EINTR)
        ;
    if (got != 0) {
        j->refs = 1;
        job_release(j);
        return fail(ctx, "timeout waiting for a free analysis slot");
    }
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    int trc = pthread_create(&t, &at, worker, j);
    pthread_attr_destroy(&at);
    if (trc != 0) {
        sem_post(&M.slots);
        j->refs = 1;
        job_release(j);
        return fail(ctx, "cannot start an analysis thread");
    }
    pthread_mutex_lock(&j->mu);
    int wrc = 0;
    while (!j->done && wrc != ETIMEDOUT)
        wrc = pthread_cond_timedwait(&j->cv, &j->mu, &deadline);
    int done = j->done, ok = j->ok;
    char label[16], findings[FINDINGS_MAX];
    memcpy(label, j->label, sizeof label);
    memcpy(findings, j->findings, sizeof findings);
    double score = j->score;
    pthread_mutex_unlock(&j->mu);
    job_release(j);
    if (!done)
        return fail(ctx, "analysis timed out");
    if (!ok)
        return fail(ctx, "the message could not be analyzed");

    /* headers: drop forged copies of ours, then add the verdict */
    for (int i = 0; i < 3; i++)
        for (int k = c->ours[i]; k >= 1; k--)
            smfi_chgheader(ctx, (char *)OUR_HEADERS[i], k, NULL);
    char sc[32];
    snprintf(sc, sizeof sc, "%.1f", score);
    smfi_addheader(ctx, "X-Kensa-Verdict", label);
    smfi_addheader(ctx, "X-Kensa-Score", sc);
    smfi_addheader(ctx, "X-Kensa-Findings", findings[0] ? findings : "none");
    unsigned bit = label_bit(label);
    const char *tag = M.cfg->tag[label_index(bit)];
    if (tag && *tag) {
        size_t tl = strlen(tag);
        const char *old = c->subject;
        while (*old == ' ')
            old++;
        if (strncmp(old, tag, tl) != 0) {
            char *ns = NULL;
            if (asprintf(&ns, "%s%s%s", tag, *old ? " " : "", old) >= 0) {
                if (c->has_subject)
                    smfi_chgheader(ctx, "Subject", 1, ns);
                else
                    smfi_addheader(ctx, "Subject", ns);
                free(ns);
            }
        }
    }
    fprintf(stderr, "kensa: milter: [%s] helo=%s from=<%s> %s %s %.0fms%s\n", c->ip, c->helo,
            c->from, label, sc,
            ms_since(&t0),
            c->truncated ? " (truncated)" : "");
    reset_message(c);
    if (M.cfg->reject & bit) {
        char msg[96];
        snprintf(msg, sizeof msg, "kensa: message rejected as %s", label);
        smfi_setreply(ctx, "550", "5.7.1", msg);
        return SMFIS_REJECT;
    }
    if (M.cfg->quarantine & bit) {
        char why[64];
        snprintf(why, sizeof why, "kensa: %s", label);
        smfi_quarantine(ctx, why);
    }
    return SMFIS_CONTINUE;
}

static sfsistat on_abort(SMFICTX *ctx)
{
    conn *c = smfi_getpriv(ctx);
    if (c)
        reset_message(c);
    return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
    conn *c = smfi_getpriv(ctx);
    if (c) {
        reset_message(c);
        free(c);
        smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

int milter_serve(const milter_config *cfg)
{
    static char name[] = "kensa";
    char conn_spec[512];
    snprintf(conn_spec, sizeof conn_spec, "%s", cfg->listen);
    M.cfg = cfg;
    atomic_init(&M.in_eom, 0);
    atomic_init(&M.stopping, 0);
    pthread_mutex_init(&M.st_mu, NULL);
    sem_init(&M.slots, 0, cfg->max_concurrent);
    int status = 1;
    char *err = NULL;
    kensa_options o = cfg->opts;
    M.k = kensa_open(&o, &err);
    if (!M.k) {
        fprintf(stderr, "kensa: milter: %s\n", err ? err : "cannot load the data");
        goto out;
    }
    if (cfg->db || cfg->pg) {
        M.st = store_open(cfg->db, cfg->pg, 1, &err);
        if (!M.st) {
            fprintf(stderr, "kensa: milter: store: %s\n", err ? err : "cannot open");
            goto out;
        }
    }
    struct smfiDesc desc = {
        .xxfi_name = name,
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
        .xxfi_connect = on_connect,
        .xxfi_helo = on_helo,
        .xxfi_envfrom = on_envfrom,
        .xxfi_header = on_header,
        .xxfi_eoh = on_eoh,
        .xxfi_body = on_body,
        .xxfi_eom = on_eom,
        .xxfi_abort = on_abort,
        .xxfi_close = on_close,
    };
    if (smfi_setconn(conn_spec) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
        smfi_opensocket(1) != MI_SUCCESS) {
        fprintf(stderr, "kensa: milter: cannot listen on %s\n", cfg->listen);
        goto out;
    }
    fprintf(stderr, "kensa: milter: listening on %s\n", cfg->listen);
    status = smfi_main() == MI_SUCCESS ? 0 : 1;
    fprintf(stderr, "kensa: milter: stopped\n");
    /* libmilter does not wait for its session threads: refuse new analyses,
     * wait (bounded) for the end-of-message callbacks in progress, then for
     * the analyses still running (take every slot back) */
    atomic_store(&M.stopping, 1);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += (time_t)cfg->timeout_s + 1;
    for (int i = 0; atomic_load(&M.in_eom) > 0 && i < (int)cfg->timeout_s * 100 + 100; i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    for (unsigned i = 0; i < cfg->max_concurrent; i++)
        if (sem_timedwait(&M.slots, &dl) != 0)
            break;
out:
    free(err);
    if (M.st)
        store_close(M.st);
    kensa_close(M.k);
    M.st = NULL;
    M.k = NULL;
    sem_destroy(&M.slots);
    pthread_mutex_destroy(&M.st_mu);
    return status;
}
