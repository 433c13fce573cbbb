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
 * internal error the message is accepted (--fail-open, the default) with
 * copies of our headers the sender put in removed and X-Kensa-Verdict:
 * unscanned - so a sender cannot get a forged "clean" through by making the
 * analysis time out - or answered 451 4.7.1 (--fail-closed). A report that
 * cannot be stored is an internal error too: --fail-closed answers 451 so
 * the MTA retries once the store is back; --fail-open delivers the message
 * with its verdict. A job outlives a timed-out wait: it is reference counted
 * and freed by whichever side (connection or worker) lets go last.
 *
 * Global state: libmilter's callbacks have no closure argument, so the
 * server's configuration, analyzer generations, store and semaphore live in
 * one singleton (M below), set before smfi_main() and torn down after it
 * returns. It is the only mutable global.
 *
 * Signals and reload: smfi_main() runs on a thread of its own, started with
 * SIGHUP/SIGTERM/SIGINT blocked (libmilter's signal thread and session
 * threads inherit that); the main thread takes the signals (live.h explains
 * why libmilter's own signal thread, which would stop the milter on SIGHUP,
 * does not get them). SIGHUP loads a new analyzer generation and swaps it in:
 * each message takes the generation current at its end of message, so
 * messages being analyzed finish on the old data and connections are never
 * dropped. SIGTERM/SIGINT call smfi_stop(); smfi_main() returns and, since
 * libmilter does not join its session threads, shutdown waits (bounded) for
 * end-of-message callbacks and analyses in progress.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
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
#include "../store/store.h"
#include "../util/arena.h"
#include "live.h"

#define FIELD_MAX 256      /* bytes kept of the IP, PTR name, HELO, MAIL FROM */
#define FINDINGS_MAX 1024  /* bytes of the X-Kensa-Findings value */
#define SUBJECT_MAX 2048   /* bytes of the original Subject kept for the prefix */
#define SHUTDOWN_WAIT_S 120 /* how long a stop waits for running analyses */

/* The singleton (see the header comment). */
static struct {
    const milter_config *cfg;
    live data;
    store *st;
    pthread_mutex_t st_mu;
    sem_t slots;
    atomic_int running;  /* analyses holding a slot (logged: shows the limit holds) */
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
    int store_failed;  /* analyzed, but the report could not be stored */
    int running;       /* analyses running when this one started, itself included */
    live_gen *g;       /* the data this message is analyzed with */
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

/* 0 stored (or already there), -1 not stored (logged). */
static int store_report(const kensa_report *rep)
{
    arena *a = arena_new(0);
    store_row row;
    char *err = NULL;
    int ins = 0;
    if (!a || store_row_from_report(rep, a, &row) != 0) {
        fprintf(stderr, "kensa: milter: store: out of memory\n");
        arena_free(a);
        return -1;
    }
    int rc = 0;
    pthread_mutex_lock(&M.st_mu);
    if (store_begin(M.st, &err) != 0 || store_put(M.st, &row, &ins, &err) != 0 ||
        store_commit(M.st, &err) != 0) {
        store_rollback(M.st);
        fprintf(stderr, "kensa: milter: store: %s\n", err ? err : "insert failed");
        rc = -1;
    }
    pthread_mutex_unlock(&M.st_mu);
    free(err);
    arena_free(a);
    return rc;
}

static void *worker(void *arg)
{
    job *j = arg;
    kensa_report *rep = NULL;
    char *err = NULL;
    int ok = kensa_analyze(j->g->offline, j->data, j->len, "milter", &rep, &err) == KENSA_OK;
    if (!ok)
        fprintf(stderr, "kensa: milter: cannot analyze: %s\n", err ? err : "?");
    free(err);
    char label[16] = "", findings[FINDINGS_MAX] = "";
    double score = 0;
    int store_failed = 0;
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
        if (M.st && store_report(rep) != 0)
            store_failed = 1;
        kensa_report_free(rep);
    }
    live_put(&M.data, j->g); /* after the report: it points into the data */
    j->g = NULL;
    atomic_fetch_sub(&M.running, 1);
    sem_post(&M.slots); /* the last touch of M: shutdown takes every slot back */
    pthread_mutex_lock(&j->mu);
    j->ok = ok;
    j->store_failed = store_failed;
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

/* Remove the copies of X-Kensa-Verdict/Score/Findings the message came with. */
static void drop_forged(SMFICTX *ctx, const conn *c)
{
    for (int i = 0; c && i < 3; i++)
        for (int k = c->ours[i]; k >= 1; k--)
            smfi_chgheader(ctx, (char *)OUR_HEADERS[i], k, NULL);
}

/* The fail-open / fail-closed answer to a message that was not scanned. */
static sfsistat fail(SMFICTX *ctx, conn *c, const char *why)
{
    fprintf(stderr, "kensa: milter: [%s] from=<%s> %s (%s)\n", c ? c->ip : "?",
            c ? c->from : "", why, M.cfg->fail_closed ? "tempfail" : "accepted unscanned");
    if (M.cfg->fail_closed) {
        if (c)
            reset_message(c);
        smfi_setreply(ctx, "451", "4.7.1", "kensa: message could not be scanned, try later");
        return SMFIS_TEMPFAIL;
    }
    drop_forged(ctx, c);
    if (c)
        reset_message(c);
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
    sfsistat rc =
        atomic_load(&M.stopping) ? fail(ctx, smfi_getpriv(ctx), "shutting down") : eom(ctx);
    atomic_fetch_sub(&M.in_eom, 1);
    return rc;
}

static sfsistat eom(SMFICTX *ctx)
{
    conn *c = smfi_getpriv(ctx);
    if (!c)
        return fail(ctx, NULL, "no connection state");
    struct timespec t0, deadline;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_REALTIME, &deadline);
    long long ns = (long long)(M.cfg->timeout_s * 1e9);
    deadline.tv_sec += (time_t)(ns / 1000000000LL);
    deadline.tv_nsec += (long)(ns % 1000000000LL);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }

    job *j = calloc(1, sizeof *j);
    if (!j)
        return fail(ctx, c, "out of memory");
    j->data = rebuild(c, &j->len);
    if (!j->data) {
        free(j);
        return fail(ctx, c, "out of memory");
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
        return fail(ctx, c, "timeout waiting for a free analysis slot");
    }
    j->running = atomic_fetch_add(&M.running, 1) + 1;
    j->g = live_get(&M.data);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    int trc = pthread_create(&t, &at, worker, j);
    pthread_attr_destroy(&at);
    if (trc != 0) {
        live_put(&M.data, j->g);
        atomic_fetch_sub(&M.running, 1);
        sem_post(&M.slots);
        j->refs = 1;
        job_release(j);
        return fail(ctx, c, "cannot start an analysis thread");
    }
    pthread_mutex_lock(&j->mu);
    int wrc = 0;
    while (!j->done && wrc != ETIMEDOUT)
        wrc = pthread_cond_timedwait(&j->cv, &j->mu, &deadline);
    int done = j->done, ok = j->ok, store_failed = j->store_failed, running = j->running;
    char label[16], findings[FINDINGS_MAX];
    memcpy(label, j->label, sizeof label);
    memcpy(findings, j->findings, sizeof findings);
    double score = j->score;
    pthread_mutex_unlock(&j->mu);
    job_release(j);
    if (!done)
        return fail(ctx, c, "analysis timed out");
    if (!ok)
        return fail(ctx, c, "the message could not be analyzed");
    if (store_failed && M.cfg->fail_closed)
        return fail(ctx, c, "the report could not be stored");

    /* headers: drop forged copies of ours, then add the verdict */
    drop_forged(ctx, c);
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
    fprintf(stderr, "kensa: milter: [%s] helo=%s from=<%s> %s %s %.0fms running=%d%s%s\n",
            c->ip, c->helo, c->from, label, sc, ms_since(&t0), running,
            c->truncated ? " (truncated)" : "", store_failed ? " (not stored)" : "");
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

typedef struct {
    sem_t go;   /* posted once the main thread takes the signals */
    int status; /* smfi_main()'s */
} milter_run;

static void *milter_thread(void *arg)
{
    milter_run *run = arg;
    /* smfi_main() starts libmilter's sigwait() thread: not before the main
     * thread has unblocked the signals, or a signal pending meanwhile would
     * go to libmilter's thread (and stop the milter) instead */
    while (sem_wait(&run->go) != 0 && errno == EINTR)
        ;
    run->status = smfi_main() == MI_SUCCESS ? 0 : 1;
    live_signal_wake(); /* smfi_main() may also end on its own */
    return NULL;
}

int milter_serve(const milter_config *cfg)
{
    static char name[] = "kensa";
    char conn_spec[512];
    snprintf(conn_spec, sizeof conn_spec, "%s", cfg->listen);
    M.cfg = cfg;
    atomic_init(&M.in_eom, 0);
    atomic_init(&M.stopping, 0);
    atomic_init(&M.running, 0);
    pthread_mutex_init(&M.st_mu, NULL);
    sem_init(&M.slots, 0, cfg->max_concurrent);
    int status = 1, have_data = 0;
    char *err = NULL;
    if (live_signals_install() != 0) {
        fprintf(stderr, "kensa: milter: cannot install the signal handlers\n");
        goto out;
    }
    if (live_init(&M.data, &cfg->opts, 0, &err) != 0) {
        fprintf(stderr, "kensa: milter: %s\n", err ? err : "cannot load the data");
        goto out;
    }
    have_data = 1;
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
    /* libmilter's threads start from this one with the signals blocked */
    milter_run run = {.status = 1};
    sem_init(&run.go, 0, 0);
    pthread_t mt;
    live_signals_block();
    int trc = pthread_create(&mt, NULL, milter_thread, &run);
    live_signals_unblock();
    if (trc != 0) {
        fprintf(stderr, "kensa: milter: cannot start the milter thread\n");
        sem_destroy(&run.go);
        goto out;
    }
    sem_post(&run.go);
    int asked_to_stop = 0;
    for (;;) {
        int sig = live_signal_next();
        if (sig == SIGHUP) {
            unsigned long id = 0;
            if (live_reload(&M.data, &id, &err) == 0)
                fprintf(stderr, "kensa: milter: reloaded the data (generation %lu)\n", id);
            else
                fprintf(stderr, "kensa: milter: reload failed, keeping the current data: %s\n",
                        err ? err : "cannot load the data");
            free(err);
            err = NULL;
            continue;
        }
        if (sig == SIGTERM || sig == SIGINT) {
            fprintf(stderr, "kensa: milter: signal %d, shutting down\n", sig);
            asked_to_stop = 1;
        }
        smfi_stop();
        break;
    }
    pthread_join(mt, NULL);
    sem_destroy(&run.go);
    /* a stop asked for is a clean exit, even when it came before libmilter's
     * listener loop started (smfi_main() then reports a failure) */
    status = asked_to_stop ? 0 : run.status;
    fprintf(stderr, "kensa: milter: stopped\n");
    /* libmilter does not wait for its session threads: refuse new analyses,
     * wait (bounded) for the end-of-message callbacks in progress, then for
     * the analyses still running (take every slot back) */
    atomic_store(&M.stopping, 1);
    for (int i = 0; atomic_load(&M.in_eom) > 0 && i < 100 * SHUTDOWN_WAIT_S; i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += SHUTDOWN_WAIT_S;
    unsigned back = 0;
    while (back < cfg->max_concurrent) { /* every slot back: no analysis left */
        if (sem_timedwait(&M.slots, &dl) == 0)
            back++;
        else if (errno != EINTR)
            break;
    }
    if (atomic_load(&M.in_eom) > 0 || back < cfg->max_concurrent) {
        /* never free what a thread still uses: leave it to the exit */
        fprintf(stderr, "kensa: milter: analyses still running after %ds, exiting anyway\n",
                SHUTDOWN_WAIT_S);
        free(err);
        return status;
    }
out:
    free(err);
    if (M.st)
        store_close(M.st);
    if (have_data)
        live_destroy(&M.data);
    M.st = NULL;
    sem_destroy(&M.slots);
    pthread_mutex_destroy(&M.st_mu);
    return status;
}
