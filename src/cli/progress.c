/*
 * progress.c - see progress.h.
 */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inputs.h"

#define PROGRESS_AFTER_S 2.0
#define PROGRESS_EVERY_S 0.2

struct progress {
    double t0, last;
    int shown;
    pthread_t counter;
    int have_counter;
    input_iter *it;
    size_t total;  /* atomic: jobs counted so far */
    int counted;   /* atomic: the count is complete */
    int stop;      /* atomic: ask the counter to stop */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *count_jobs(void *arg)
{
    progress *p = arg;
    input_job j;
    while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE) && inputs_next(p->it, &j) == 0) {
        inputs_job_free(&j);
        __atomic_add_fetch(&p->total, 1, __ATOMIC_RELEASE);
    }
    if (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
        __atomic_store_n(&p->counted, 1, __ATOMIC_RELEASE);
    return NULL;
}

progress *progress_start(char *const *args, int nargs)
{
    const char *off = getenv("KENSA_NO_PROGRESS");
    if (!isatty(2) || (off && *off))
        return NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->t0 = p->last = now_s();
    int from_stdin = 0;
    for (int i = 0; i < nargs; i++)
        if (strcmp(args[i], "-") == 0)
            from_stdin = 1;
    if (!from_stdin && (p->it = inputs_open(args, nargs)) != NULL)
        p->have_counter = pthread_create(&p->counter, NULL, count_jobs, p) == 0;
    return p;
}

static void fmt_time(char *b, size_t n, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

void progress_tick(progress *p, size_t done)
{
    if (!p)
        return;
    double t = now_s();
    if (t - p->t0 < PROGRESS_AFTER_S || t - p->last < PROGRESS_EVERY_S)
        return;
    p->last = t;
    double rate = (double)done / (t - p->t0);
    size_t total = __atomic_load_n(&p->total, __ATOMIC_ACQUIRE);
    int counted = __atomic_load_n(&p->counted, __ATOMIC_ACQUIRE);
    char line[160];
    if (counted && total >= done && total > 0) {
        char eta[32];
        fmt_time(eta, sizeof eta, rate > 0 ? (double)(total - done) / rate : 0);
        snprintf(line, sizeof line, "kensa: %zu/%zu (%.0f%%)  %.0f msg/s  ETA %s", done, total,
                 100.0 * (double)done / (double)total, rate, eta);
    } else if (total > done) {
        snprintf(line, sizeof line, "kensa: %zu of %zu+  %.0f msg/s", done, total, rate);
    } else {
        snprintf(line, sizeof line, "kensa: %zu  %.0f msg/s", done, rate);
    }
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->shown = 1;
}

void progress_clear(progress *p)
{
    if (p && p->shown) {
        fputs("\r\033[K", stderr);
        p->shown = 0;
    }
}

void progress_end(progress *p)
{
    if (!p)
        return;
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    if (p->have_counter)
        pthread_join(p->counter, NULL);
    inputs_close(p->it);
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    free(p);
}
