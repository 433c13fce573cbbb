/*
 * live.c - reference-counted analyzer generations and the signal pipe of
 * `kensa serve` / `kensa milter` (see live.h for why it is done this way).
 *
 * The only globals are the two ends of the signal self-pipe: a signal
 * handler has no other way to reach the server.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live.h"

static live_gen *gen_open(const live *l, char **err)
{
    live_gen *g = calloc(1, sizeof *g);
    if (!g) {
        *err = strdup("out of memory");
        return NULL;
    }
    kensa_options o = l->opts;
    o.online = 0;
    g->offline = kensa_open(&o, err);
    if (g->offline && l->with_online) {
        o.online = 1;
        g->online = kensa_open(&o, err);
    }
    if (!g->offline || (l->with_online && !g->online)) {
        kensa_close(g->offline);
        free(g);
        return NULL;
    }
    return g;
}

static void gen_free(live_gen *g)
{
    kensa_close(g->online);
    kensa_close(g->offline);
    free(g);
}

int live_init(live *l, const kensa_options *opts, int with_online, char **err)
{
    memset(l, 0, sizeof *l);
    l->opts = *opts;
    l->with_online = with_online;
    live_gen *g = gen_open(l, err);
    if (!g)
        return -1;
    pthread_mutex_init(&l->mu, NULL);
    g->refs = 1;
    g->id = l->next_id = 1;
    l->cur = g;
    return 0;
}

void live_destroy(live *l)
{
    if (!l->cur)
        return;
    live_put(l, l->cur);
    l->cur = NULL;
    pthread_mutex_destroy(&l->mu);
}

live_gen *live_get(live *l)
{
    pthread_mutex_lock(&l->mu);
    live_gen *g = l->cur;
    g->refs++;
    pthread_mutex_unlock(&l->mu);
    return g;
}

void live_put(live *l, live_gen *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&l->mu);
    int last = --g->refs == 0;
    pthread_mutex_unlock(&l->mu);
    if (last)
        gen_free(g);
}

int live_reload(live *l, unsigned long *id, char **err)
{
    /* the slow part (reading every data file) runs outside the lock, so
     * requests keep getting the current generation meanwhile */
    live_gen *g = gen_open(l, err);
    if (!g)
        return -1;
    g->refs = 1;
    pthread_mutex_lock(&l->mu);
    g->id = ++l->next_id;
    live_gen *old = l->cur;
    l->cur = g;
    pthread_mutex_unlock(&l->mu);
    *id = g->id;
    live_put(l, old); /* the slot's reference; users still hold theirs */
    return 0;
}

/* ---- signals ---- */

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(sig_pipe[1], &b, 1); /* full pipe: the signal is dropped */
    (void)n;
    errno = saved;
}

int live_signals_install(void)
{
    if (sig_pipe[0] < 0) {
        if (pipe(sig_pipe) != 0)
            return -1;
        for (int i = 0; i < 2; i++)
            fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
        fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGHUP, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGINT, &sa, NULL) != 0)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static void mask(int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGINT);
    pthread_sigmask(how, &s, NULL);
}

void live_signals_block(void)
{
    mask(SIG_BLOCK);
}

void live_signals_unblock(void)
{
    mask(SIG_UNBLOCK);
}

int live_signal_next(void)
{
    unsigned char b;
    for (;;) {
        ssize_t n = read(sig_pipe[0], &b, 1);
        if (n == 1)
            return b;
        if (n < 0 && errno == EINTR)
            continue;
        return SIGTERM; /* the pipe is gone: stop */
    }
}

void live_signal_wake(void)
{
    unsigned char b = 0;
    ssize_t n = write(sig_pipe[1], &b, 1);
    (void)n;
}
