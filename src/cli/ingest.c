/*
 * ingest.c - `kensa ingest`: analyze every input and store the reports.
 *
 * inputs (inputs.c) -> N worker threads: read, hash, skip what the store
 * already holds, analyze, extract the indexed row -> the main thread, the
 * store's only writer, takes the rows in input order and inserts them in
 * batched transactions (STORE batch size or one second, whichever first).
 * Inserts are idempotent, so an ingest killed midway is simply run again:
 * the committed batches are skipped, the rest is stored. A batch that fails
 * on PostgreSQL (deadlock with another host, serialization) is retried.
 * Workers run at most a window ahead of the writer, so memory stays bounded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../include/kensa.h"
#include "../store/store.h"
#include "commands.h"
#include "inputs.h"

#define INGEST_BATCH 200       /* rows per transaction */
#define INGEST_BATCH_MS 1000   /* or this long since the last commit */
#define INGEST_RETRIES 5       /* attempts of one batch */
#define INGEST_WINDOW_PER_JOB 8

typedef struct {
    arena *a;     /* owns row */
    store_row row;
    char *err_line;
    int failed, skipped, done;
} item;

typedef struct {
    kensa_ctx *k;
    input_list *in;
    const store_seen *seen;
    item *res;
    size_t next, consumed, window;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pool;

static void usage(FILE *f)
{
    fputs("usage: kensa ingest [--db PATH|--pg CONNINFO] [-j N] INPUT...\n"
          "  analyze every INPUT (file, Maildir/directory, mbox, -) and store the reports\n"
          "  --db PATH              SQLite store (default ./kensa.db)\n"
          "  --pg CONNINFO          PostgreSQL store, e.g. \"host=db dbname=kensa\"\n"
          "  -j N                   parallel analysis workers (default 1)\n"
          "  --batch N              reports per transaction (default 200)\n"
          "  --no-progress          no progress bar even on a terminal\n"
          "  --data-dir DIR, --trusted-relay LIST, --authserv-id ID   as for analyze\n",
          f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail_item(item *r, const input_job *j, const char *why)
{
    if (asprintf(&r->err_line, "kensa: %s: %s", j->label, why) < 0)
        r->err_line = NULL;
    r->failed = 1;
}

static void run_job(pool *p, size_t i)
{
    input_job *j = &p->in->jobs[i];
    item *r = &p->res[i];
    if (j->err_code) {
        fail_item(r, j, j->err_msg ? j->err_msg : j->err_code);
        return;
    }
    char *owned = NULL;
    const char *data = j->data;
    size_t len = j->len;
    if (j->path) {
        const char *why = NULL;
        if (inputs_read_file(j->path, &owned, &len, &why) != 0) {
            fail_item(r, j, why ? why : "unreadable");
            return;
        }
        data = owned;
    }
    char sha[65];
    kensa_sha256_hex(data ? data : "", len, sha);
    if (store_seen_has(p->seen, sha)) {
        r->skipped = 1;
        free(owned);
        return;
    }
    kensa_report *rep = NULL;
    char *err = NULL;
    if (kensa_analyze(p->k, data, len, j->label, &rep, &err) != KENSA_OK) {
        fail_item(r, j, len == 0 ? "empty input" : err ? err : "cannot analyze");
    } else {
        r->a = arena_new(0);
        if (!r->a || store_row_from_report(rep, r->a, &r->row) != 0) {
            arena_free(r->a);
            r->a = NULL;
            fail_item(r, j, "out of memory extracting the stored columns");
        }
        kensa_report_free(rep);
    }
    free(err);
    free(owned);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->next < p->in->n && p->next >= p->consumed + p->window)
            pthread_cond_wait(&p->cv, &p->mu);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->in->n)
            break;
        run_job(p, i);
        pthread_mutex_lock(&p->mu);
        p->res[i].done = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

typedef struct {
    store *s;
    item **v;
    size_t n, cap;
    long long stored, known;
    double last;
} batch;

static void batch_clear(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        arena_free(b->v[i]->a);
        b->v[i]->a = NULL;
    }
    b->n = 0;
}

/* Write the batch in one transaction, retrying it whole on failure. */
static int flush(batch *b)
{
    if (b->n == 0)
        return 0;
    char *err = NULL;
    for (int attempt = 1;; attempt++) {
        long long stored = 0, known = 0;
        int ok = store_begin(b->s, &err) == 0;
        for (size_t i = 0; ok && i < b->n; i++) {
            int ins = 0;
            ok = store_put(b->s, &b->v[i]->row, &ins, &err) == 0;
            stored += ins;
            known += !ins;
        }
        if (ok && store_commit(b->s, &err) == 0) {
            b->stored += stored;
            b->known += known;
            break;
        }
        store_rollback(b->s);
        if (attempt >= INGEST_RETRIES || !store_is_pg(b->s)) {
            fprintf(stderr, "kensa: ingest: %s\n", err ? err : "cannot store");
            free(err);
            batch_clear(b);
            return -1;
        }
        free(err);
        err = NULL;
        usleep(50000u * (unsigned)attempt);
    }
    free(err);
    batch_clear(b);
    b->last = now_s();
    return 0;
}

static void progress(size_t done, size_t n, const batch *b, long long skipped, long long failed,
                     double t0, int final)
{
    int width = 30, fill = n ? (int)(done * (size_t)width / n) : width;
    double dt = now_s() - t0;
    fprintf(stderr, "\r[");
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %zu/%zu  new %lld  known %lld  failed %lld  %.1f msg/s%s", done, n,
            b->stored, b->known + skipped, failed, dt > 0 ? (double)done / dt : 0.0,
            final ? "\n" : "");
    fflush(stderr);
}

static int parse_jobs(const char *v, int *jobs)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 1 || n > 256) {
        fprintf(stderr, "kensa: -j %s: a number from 1 to 256\n", v);
        return -1;
    }
    *jobs = (int)n;
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    const char *dbpath = NULL, *pg = NULL;
    int jobs = 1, show = isatty(2), only_inputs = 0;
    long bsize = INGEST_BATCH;
    kensa_options opts = {0};
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int ninputs = 0;
    if (!inputs)
        return 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (only_inputs || a[0] != '-' || strcmp(a, "-") == 0) {
            inputs[ninputs++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            only_inputs = 1;
        } else if (strcmp(a, "--db") == 0 && v) {
            dbpath = v;
            i++;
        } else if (strcmp(a, "--pg") == 0 && v) {
            pg = v;
            i++;
        } else if ((strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) && v) {
            if (parse_jobs(v, &jobs) != 0)
                goto usage_fail;
            i++;
        } else if (strncmp(a, "-j", 2) == 0 && a[2]) {
            if (parse_jobs(a + 2, &jobs) != 0)
                goto usage_fail;
        } else if (strcmp(a, "--batch") == 0 && v) {
            char *end;
            bsize = strtol(v, &end, 10);
            if (*end || bsize < 1 || bsize > 100000) {
                fprintf(stderr, "kensa: --batch %s: a number from 1 to 100000\n", v);
                goto usage_fail;
            }
            i++;
        } else if (strcmp(a, "--no-progress") == 0) {
            show = 0;
        } else if (strcmp(a, "--progress") == 0) {
            show = 1;
        } else if (strcmp(a, "--data-dir") == 0 && v) {
            opts.data_dir = v;
            i++;
        } else if (strcmp(a, "--trusted-relay") == 0 && v) {
            opts.trusted_relays = v;
            i++;
        } else if (strcmp(a, "--authserv-id") == 0 && v) {
            opts.authserv_id = v;
            i++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(inputs);
            return 0;
        } else {
            fprintf(stderr, "kensa: %s: unknown option or missing value\n", a);
            usage(stderr);
            goto usage_fail;
        }
    }
    if (dbpath && pg) {
        fprintf(stderr, "kensa: ingest: --db and --pg: choose one store\n");
        goto usage_fail;
    }
    if (ninputs == 0) {
        fprintf(stderr, "kensa: ingest: no INPUT given\n");
        usage(stderr);
        goto usage_fail;
    }

    char *err = NULL;
    store *s = store_open(dbpath ? dbpath : "kensa.db", pg, 1, &err);
    if (!s) {
        fprintf(stderr, "kensa: ingest: %s\n", err ? err : "cannot open the store");
        free(err);
        free(inputs);
        return 1;
    }
    store_seen seen;
    if (store_seen_load(s, &seen, &err) != 0) {
        fprintf(stderr, "kensa: ingest: %s\n", err ? err : "cannot read the store");
        free(err);
        store_close(s);
        free(inputs);
        return 1;
    }
    kensa_ctx *k = kensa_open(&opts, &err);
    if (!k) {
        fprintf(stderr, "kensa: %s\n", err ? err : "cannot start");
        free(err);
        store_seen_free(&seen);
        store_close(s);
        free(inputs);
        return 1;
    }
    input_list in;
    inputs_init(&in);
    for (int i = 0; i < ninputs; i++)
        inputs_add(&in, inputs[i]);
    free(inputs);

    pool p = {.k = k, .in = &in, .seen = &seen};
    p.window = (size_t)jobs * INGEST_WINDOW_PER_JOB + 16;
    p.res = calloc(in.n ? in.n : 1, sizeof *p.res);
    batch b = {.s = s, .cap = (size_t)bsize, .last = now_s()};
    b.v = calloc(b.cap, sizeof *b.v);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    if ((size_t)jobs > in.n)
        jobs = in.n ? (int)in.n : 1;
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    int started = 0;
    if (p.res && b.v && th) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64u * 1024 * 1024); /* deep MIME recursion in GMime */
        for (int t = 0; t < jobs; t++)
            if (pthread_create(&th[t], &attr, worker, &p) == 0)
                started++;
        pthread_attr_destroy(&attr);
    }
    int failed_any = 0, store_failed = !started;
    long long skipped = 0, failed = 0;
    double t0 = now_s(), shown = 0;
    for (size_t i = 0; started && i < in.n; i++) {
        pthread_mutex_lock(&p.mu);
        while (!p.res[i].done)
            pthread_cond_wait(&p.cv, &p.mu);
        pthread_mutex_unlock(&p.mu);
        item *r = &p.res[i];
        if (r->err_line) {
            if (show)
                fputs("\r\033[K", stderr);
            fprintf(stderr, "%s\n", r->err_line);
            free(r->err_line);
            r->err_line = NULL;
        }
        failed += r->failed;
        skipped += r->skipped;
        if (r->a && !store_failed) {
            b.v[b.n++] = r;
            if (b.n == b.cap || (now_s() - b.last) * 1000 >= INGEST_BATCH_MS)
                store_failed = flush(&b) != 0;
        } else if (r->a) {
            arena_free(r->a);
            r->a = NULL;
        }
        pthread_mutex_lock(&p.mu);
        p.consumed = i + 1;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        if (show && now_s() - shown >= 0.1) {
            progress(i + 1, in.n, &b, skipped, failed, t0, 0);
            shown = now_s();
        }
    }
    if (!store_failed)
        store_failed = flush(&b) != 0;
    batch_clear(&b);
    if (show)
        progress(in.n, in.n, &b, skipped, failed, t0, 1);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    double dt = now_s() - t0;
    failed_any = failed > 0 || store_failed;
    printf("ingested %zu inputs into %s: %lld new, %lld already stored, %lld failed "
           "(%.2f s, %.1f msg/s)\n",
           in.n, pg ? "PostgreSQL" : (dbpath ? dbpath : "kensa.db"), b.stored,
           b.known + skipped, failed, dt, dt > 0 ? (double)in.n / dt : 0.0);
    free(th);
    free(b.v);
    free(p.res);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    inputs_free(&in);
    kensa_close(k);
    store_seen_free(&seen);
    store_close(s);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "kensa: write error: %s\n", strerror(errno));
        return 2;
    }
    return failed_any ? 2 : 0;
usage_fail:
    free(inputs);
    return 1;
}
