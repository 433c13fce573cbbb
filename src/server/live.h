/*
 * live.h - what `kensa serve` and `kensa milter` share: the analyzer
 * contexts in use (a reference-counted "generation" swapped on reload) and
 * the signals (SIGHUP reload, SIGTERM/SIGINT stop).
 *
 * Reload: SIGHUP builds a whole new generation (kensa_open() again, so every
 * data file the context loads is read afresh: rules.tsv, brands, lures,
 * typos, providers...). Only when that succeeds is it swapped in; requests
 * and messages that already hold the old generation finish on it and the
 * last one to let go frees it. A report points into the data it was made
 * with (finding ids, provider names...), so a user holds its generation
 * until the report is freed. When the new data does not load, the old
 * generation stays and one line says why.
 *
 * Signals: a handler writes the signal number into a self-pipe and the main
 * thread reads it (live_signal_next). The handler is installed in the main
 * thread only, which never blocks these signals; every thread the servers
 * start (MHD's, libmilter's, the analysis workers) is created with them
 * blocked (live_signals_block before, live_signals_unblock after). For the
 * milter this matters: libmilter's own signal thread sigwait()s on SIGHUP,
 * SIGTERM and SIGINT and stops the milter on any of them. Linux hands a
 * process-directed signal to the main thread first when that thread does
 * not block it ("if the main thread wants the signal, it gets first crack",
 * kernel/signal.c complete_signal), so with the main thread always
 * accepting them libmilter's thread never sees SIGHUP once it sleeps in
 * sigwait(). Two windows remain, both needing the main thread to be chosen
 * but not yet scheduled: a signal arriving just as libmilter's thread makes
 * its first sigwait() call at start-up (it dequeues what is pending), and a
 * second signal arriving while another is still pending on the main thread.
 * libmilter then takes it and stops the milter cleanly (as on SIGTERM): a
 * stop, never a crash or a lost message.
 */
#ifndef KENSA_SERVER_LIVE_H
#define KENSA_SERVER_LIVE_H

#include <pthread.h>

#include "../../include/kensa.h"

/* One set of loaded data: the offline context, and the online one when the
 * server allows ?online=1. */
typedef struct live_gen {
    kensa_ctx *offline, *online;
    unsigned refs;  /* holders: the live slot (while current) + users */
    unsigned long id; /* 1 for the data loaded at start, +1 per reload */
} live_gen;

typedef struct {
    pthread_mutex_t mu;
    live_gen *cur;
    kensa_options opts; /* as given; online forced per context */
    int with_online;
    unsigned long next_id;
} live;

/* Load the first generation; 0, or -1 with *err (malloc'd). */
int live_init(live *l, const kensa_options *opts, int with_online, char **err);
/* Drop the current generation (freed unless a user still holds it). */
void live_destroy(live *l);
/* The current generation with one more reference; never NULL after init. */
live_gen *live_get(live *l);
/* Drop a reference from live_get; frees a replaced generation at the last. */
void live_put(live *l, live_gen *g);
/* Load a new generation and swap it in. 0 and *id = its id; -1 and *err when
 * the data does not load (the current generation stays). */
int live_reload(live *l, unsigned long *id, char **err);

/* Signals (see the header comment). live_signals_install: the self-pipe and
 * the handlers for SIGHUP, SIGTERM, SIGINT (SIGPIPE ignored); call it in the
 * main thread before any other thread starts. -1 on failure. */
int live_signals_install(void);
/* Block (before starting threads) / unblock (in the main thread after). */
void live_signals_block(void);
void live_signals_unblock(void);
/* The next signal number from the pipe (blocks); 0 = a wake-up written with
 * live_signal_wake (e.g. the milter's thread ended on its own). */
int live_signal_next(void);
void live_signal_wake(void);

#endif
