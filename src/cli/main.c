/*
 * main.c - the kensa command line (../shared/CONTRACT.md "CLI").
 *
 * analyze: inputs -> jobs (inputs.c) -> N worker threads, each analyzing
 * with its own arena -> results printed strictly in input order by the main
 * thread (with -j 1 the main thread analyzes too: no worker). One bad input
 * yields an error record and exit status 2; the others are still reported.
 * Only this file calls exit().
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../include/kensa.h"
#include "commands.h"
#include "inputs.h"
#include "progress.h"
#include "server_cmds.h"

enum { FMT_DEFAULT = -1 };

typedef struct {
    input_job job;
    char *out;       /* rendered record (malloc'd) */
    size_t out_len;  /* its length */
    char *err_line;  /* "kensa: PATH: reason" for stderr, or NULL */
    int failed;
    int done;
} result;

/* Jobs stream from the input iterator; job i lives in ring[i % window] from
 * when it is fetched until the main thread has printed it, and no worker
 * runs ahead of the printed one by more than the window: memory stays
 * bounded for a batch of any length. */
typedef struct {
    kensa_ctx *k;
    input_iter *it;
    result *ring;
    size_t window;
    int fmt;
    const char *lang;
    size_t fetched, claimed, printed; /* job counts */
    int ended;                        /* the iterator is exhausted */
    pthread_mutex_t mu;
    pthread_cond_t cv_done, cv_work;
} batch;

static void usage(FILE *f)
{
    fputs("usage: kensa analyze [options] INPUT...\n"
          "  INPUT: a file, a Maildir or directory (recursive), an mbox, or - (stdin)\n"
          "  --format json|ndjson|md|html|text  default: text on a terminal, json otherwise;\n"
          "                                     several inputs: ndjson\n"
          "  --lang ja|en                       language of human-readable output (default ja)\n"
          "  -j N                               parallel workers (default 1)\n"
          "  --online                           allow network lookups (default offline)\n"
          "  --dns-server IP:PORT, --rdap-url URL, --whois-server HOST:PORT,\n"
          "  --allow-private-targets, --screenshot, --screenshot-dir DIR,\n"
          "  --feed FILE (repeatable), --cache PATH, --no-cache   online options\n"
          "  --trusted-relay LIST               hosts/CIDRs inside the receiving site, comma-separated\n"
          "                                     (repeatable; \".example.jp\" = a whole domain)\n"
          "  --authserv-id ID                   trust only Authentication-Results from ID\n"
          "  --config FILE                      key = value lines: trusted-relay, authserv-id\n"
          "                                     (default: $KENSA_CONFIG when set)\n"
          "  --data-dir DIR                     data files (default: the build's data/)\n"
          "kensa --version\n",
          f);
}

static char *render_error(const input_job *j, const char *sha, long long size, const char *code,
                          const char *msg, char **err_line)
{
    if (asprintf(err_line, "kensa: %s: %s", j->label, msg) < 0)
        *err_line = NULL;
    return kensa_error_record(j->label, sha, size, code, msg);
}

/* A worker's read buffer, kept from mail to mail (dropped when large). */
typedef struct {
    char *p;
    size_t cap;
} readbuf;

enum { READBUF_KEEP = 4 << 20 };

static void run_job(batch *b, result *r, readbuf *rb)
{
    input_job *j = &r->job;
    if (j->err_code) {
        r->out = render_error(j, NULL, -1, j->err_code, j->err_msg, &r->err_line);
        r->failed = 1;
        return;
    }
    const char *data = j->data;
    size_t len = j->len;
    if (j->path) {
        const char *why = NULL;
        if (inputs_read_job(j, &rb->p, &rb->cap, &len, &why) != 0) {
            r->out = render_error(j, NULL, -1, "unreadable", why, &r->err_line);
            r->failed = 1;
            return;
        }
        data = rb->p;
    }
    kensa_report *rep = NULL;
    char *err = NULL;
    kensa_status st = kensa_analyze(b->k, data, len, j->label, &rep, &err);
    if (st != KENSA_OK) {
        char sha[65];
        kensa_sha256_hex(data ? data : "", len, sha);
        const char *code = st == KENSA_ERR_INPUT ? "not_a_message"
                           : st == KENSA_ERR_NOMEM ? "too_large"
                                                   : "error";
        if (len == 0)
            code = "empty";
        r->out = render_error(j, sha, (long long)len, code, err ? err : "cannot analyze",
                              &r->err_line);
        r->out_len = r->out ? strlen(r->out) : 0;
        r->failed = 1;
    } else {
        int f = b->fmt;
        r->out = kensa_report_render(rep, (kensa_format)f, b->lang, &r->out_len);
        kensa_report_free(rep);
    }
    free(err);
    if (rb->cap > READBUF_KEEP) {
        free(rb->p);
        rb->p = NULL;
        rb->cap = 0;
    }
}

/* Under b->mu: make job b->fetched available; 0, or -1 at the end. */
static int fetch(batch *b)
{
    if (b->ended)
        return -1;
    if (inputs_next(b->it, &b->ring[b->fetched % b->window].job) != 0) {
        b->ended = 1;
        pthread_cond_broadcast(&b->cv_done);
        pthread_cond_broadcast(&b->cv_work);
        return -1;
    }
    b->fetched++;
    return 0;
}

/* Without worker threads (-j 1, or none could start): run job i on the
 * printing thread, and fetch one more so that the printer knows whether
 * another follows. One thread does all: no futex calls and no context
 * switches per mail, and the record is printed while it is still in cache. */
static void run_inline(batch *b, size_t i, readbuf *rb)
{
    pthread_mutex_lock(&b->mu);
    while (b->claimed <= i && (b->claimed < b->fetched || fetch(b) == 0)) {
        size_t c = b->claimed++;
        pthread_mutex_unlock(&b->mu);
        run_job(b, &b->ring[c % b->window], rb);
        pthread_mutex_lock(&b->mu);
        b->ring[c % b->window].done = 1;
    }
    if (b->fetched <= i + 1)
        fetch(b);
    pthread_mutex_unlock(&b->mu);
}

/* Results are handed to the printing thread in groups of up to
 * DONE_BATCH: waking it for every mail cost two futex calls and a context
 * switch per mail. It is also woken before a worker waits for room in the
 * window and once the inputs are exhausted, so nothing done waits long. */
enum { DONE_BATCH = 8 };

static void *worker(void *arg)
{
    batch *b = arg;
    readbuf rb = {0};
    unsigned unsignalled = 0;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (b->claimed >= b->printed + b->window && !(b->ended && b->claimed >= b->fetched)) {
            if (unsignalled) {
                pthread_cond_broadcast(&b->cv_done);
                unsignalled = 0;
            }
            pthread_cond_wait(&b->cv_work, &b->mu);
        }
        if (b->claimed >= b->fetched && fetch(b) != 0)
            break;
        size_t i = b->claimed++;
        pthread_mutex_unlock(&b->mu);
        run_job(b, &b->ring[i % b->window], &rb);
        pthread_mutex_lock(&b->mu);
        b->ring[i % b->window].done = 1;
        if (++unsignalled >= DONE_BATCH || b->ended) {
            pthread_cond_broadcast(&b->cv_done);
            unsignalled = 0;
        }
    }
    if (unsignalled)
        pthread_cond_broadcast(&b->cv_done);
    pthread_mutex_unlock(&b->mu);
    free(rb.p);
    return NULL;
}

/* Append "a,b" to a malloc'd comma list. */
static void list_append(char **list, const char *v)
{
    size_t ol = *list ? strlen(*list) : 0, vl = strlen(v);
    char *n = realloc(*list, ol + vl + 2);
    if (!n)
        return;
    if (ol)
        n[ol++] = ',';
    memcpy(n + ol, v, vl + 1);
    *list = n;
}

/* --config FILE: "key = value" lines, '#' comments. Returns 0 or -1 (message printed). */
static int read_config(const char *path, char **relays, char **authserv)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "kensa: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int ln = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        s[strcspn(s, "\r\n")] = '\0';
        if (*s == '#' || *s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "kensa: %s:%d: expected key = value\n", path, ln);
            rc = -1;
            break;
        }
        char *k = s, *v = eq + 1;
        *eq = '\0';
        for (char *e = eq - 1; e >= k && (*e == ' ' || *e == '\t'); e--)
            *e = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        if (strcmp(k, "trusted-relay") == 0) {
            list_append(relays, v);
        } else if (strcmp(k, "authserv-id") == 0) {
            free(*authserv);
            *authserv = strdup(v);
        } else {
            fprintf(stderr, "kensa: %s:%d: unknown key %s\n", path, ln, k);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int parse_format(const char *s)
{
    if (strcmp(s, "json") == 0)
        return KENSA_FMT_JSON;
    if (strcmp(s, "ndjson") == 0)
        return KENSA_FMT_NDJSON;
    if (strcmp(s, "text") == 0) /* colour only on a terminal, and not under NO_COLOR */
        return isatty(1) && !getenv("NO_COLOR") ? KENSA_FMT_TEXT_COLOR : KENSA_FMT_TEXT;
    if (strcmp(s, "md") == 0)
        return KENSA_FMT_MD;
    if (strcmp(s, "html") == 0)
        return KENSA_FMT_HTML;
    return -2;
}

static int cmd_analyze(int argc, char **argv)
{
    int fmt = FMT_DEFAULT, jobs = 1;
    const char *lang = "ja";
    kensa_options opts = {0};
    const char *feeds[16]; /* --feed FILE (ONLINE_MAX_FEEDS) */
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int ninputs = 0, only_inputs = 0;
    char *relays = NULL, *authserv = NULL;
    const char *config = getenv("KENSA_CONFIG");
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0)
            config = argv[i + 1];
    if (config && *config && read_config(config, &relays, &authserv) != 0) {
        goto fail;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (only_inputs || a[0] != '-' || strcmp(a, "-") == 0) {
            inputs[ninputs++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            only_inputs = 1;
        } else if (strcmp(a, "--format") == 0 && v) {
            fmt = parse_format(v);
            if (fmt == -2) {
                fprintf(stderr, "kensa: --format %s: unknown format "
                                "(json, ndjson, md, html, text)\n", v);
                goto fail;
            }
            i++;
        } else if (strcmp(a, "--lang") == 0 && v) {
            if (strcmp(v, "ja") != 0 && strcmp(v, "en") != 0) {
                fprintf(stderr, "kensa: --lang %s: use ja or en\n", v);
                goto fail;
            }
            lang = v;
            i++;
        } else if ((strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "kensa: -j %s: a number from 1 to 256\n", v);
                goto fail;
            }
            jobs = (int)n;
            i++;
        } else if (strncmp(a, "-j", 2) == 0 && a[2]) {
            char *end;
            long n = strtol(a + 2, &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "kensa: %s: a number from 1 to 256\n", a);
                goto fail;
            }
            jobs = (int)n;
        } else if (strcmp(a, "--trusted-relay") == 0 && v) {
            list_append(&relays, v);
            i++;
        } else if (strcmp(a, "--authserv-id") == 0 && v) {
            free(authserv);
            authserv = strdup(v);
            i++;
        } else if (strcmp(a, "--config") == 0 && v) {
            i++; /* read above, before the other options */
        } else if (strcmp(a, "--data-dir") == 0 && v) {
            opts.data_dir = v;
            i++;
        } else if (strcmp(a, "--online") == 0) {
            opts.online = 1;
        } else if (strcmp(a, "--dns-server") == 0 && v) {
            opts.dns_server = argv[++i];
        } else if (strcmp(a, "--rdap-url") == 0 && v) {
            opts.rdap_url = argv[++i];
        } else if (strcmp(a, "--whois-server") == 0 && v) {
            opts.whois_server = argv[++i];
        } else if (strcmp(a, "--screenshot-dir") == 0 && v) {
            opts.screenshot_dir = argv[++i];
        } else if (strcmp(a, "--cache") == 0 && v) {
            opts.cache_path = argv[++i];
        } else if (strcmp(a, "--feed") == 0 && v) {
            if (opts.nfeeds == sizeof feeds / sizeof feeds[0]) {
                fprintf(stderr, "kensa: --feed: at most %zu files\n", opts.nfeeds);
                goto fail;
            }
            feeds[opts.nfeeds++] = argv[++i];
            opts.feeds = feeds;
        } else if (strcmp(a, "--no-cache") == 0) {
            opts.no_cache = 1;
        } else if (strcmp(a, "--allow-private-targets") == 0) {
            opts.allow_private_targets = 1;
        } else if (strcmp(a, "--screenshot") == 0) {
            opts.screenshot = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(inputs);
            return 0;
        } else {
            fprintf(stderr, "kensa: %s: unknown option or missing value\n", a);
            usage(stderr);
            goto fail;
        }
    }
    if (ninputs == 0) {
        fprintf(stderr, "kensa: analyze: no INPUT given\n");
        usage(stderr);
        goto fail;
    }

    opts.trusted_relays = relays;
    opts.authserv_id = authserv;
    char *err = NULL;
    kensa_ctx *k = kensa_open(&opts, &err);
    free(relays);
    free(authserv);
    relays = authserv = NULL;
    if (!k) {
        fprintf(stderr, "kensa: %s\n", err ? err : "cannot start");
        free(err);
        free(inputs);
        return 1;
    }
    batch b = {.k = k, .lang = lang};
    b.window = 4 * (size_t)jobs + 16;
    b.it = inputs_open(inputs, ninputs);
    inputs_keep_fds(b.it); /* at most the window's jobs are held */
    b.ring = calloc(b.window, sizeof *b.ring);
    if (!b.it || !b.ring) {
        fprintf(stderr, "kensa: out of memory\n");
        inputs_close(b.it);
        free(b.ring);
        free(inputs);
        kensa_close(k);
        return 2;
    }
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv_done, NULL);
    pthread_cond_init(&b.cv_work, NULL);
    /* the first two jobs decide between one report and a batch */
    fetch(&b);
    fetch(&b);
    int multi = b.fetched > 1;
    progress *prog = multi ? progress_start(inputs, ninputs) : NULL;
    free(inputs);

    int array = 0;
    static char outbuf[1 << 16]; /* records are ~10 KB: fewer write calls than stdio's 4 KB */
    if (multi && !isatty(1))
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (fmt == FMT_DEFAULT)
        fmt = multi ? KENSA_FMT_NDJSON : isatty(1) ? parse_format("text") : KENSA_FMT_JSON;
    else if (fmt == KENSA_FMT_JSON && multi)
        array = 1; /* several reports asked as json: one valid JSON array */
    b.fmt = fmt;
    if (!multi)
        jobs = 1;
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64u * 1024 * 1024); /* deep MIME recursion in GMime */
    int started = 0;
    for (int t = 0; t < jobs && jobs > 1; t++)
        if (pthread_create(&th[t], &attr, worker, &b) == 0)
            started++;
    pthread_attr_destroy(&attr);

    int failed = 0;
    readbuf inline_rb = {0};
    if (array)
        fputs("[\n", stdout);
    for (size_t i = 0;; i++) {
        result *r = &b.ring[i % b.window];
        if (!started)
            run_inline(&b, i, &inline_rb);
        pthread_mutex_lock(&b.mu);
        /* printed once done and once it is known whether another follows */
        while (!(b.ended && i >= b.fetched) &&
               !(i < b.fetched && r->done && (b.ended || b.fetched > i + 1)))
            pthread_cond_wait(&b.cv_done, &b.mu);
        int more = i + 1 < b.fetched;
        pthread_mutex_unlock(&b.mu);
        if (i >= b.fetched)
            break;
        if (r->err_line) {
            fflush(stdout);
            progress_clear(prog);
            fprintf(stderr, "%s\n", r->err_line);
        }
        if (r->failed) {
            failed = 1;
            /* error records belong to machine formats; humans read stderr */
            if ((fmt == KENSA_FMT_JSON || fmt == KENSA_FMT_NDJSON) && r->out &&
                (multi || fmt == KENSA_FMT_NDJSON))
                printf("%s%s\n", r->out, array && more ? "," : "");
        } else if (r->out) {
            if (fmt != KENSA_FMT_JSON && fmt != KENSA_FMT_NDJSON && i > 0)
                fputs("\n", stdout);
            size_t ol = r->out_len;
            fwrite(r->out, 1, ol, stdout);
            if (array && more)
                fputs(",", stdout);
            if (ol == 0 || r->out[ol - 1] != '\n')
                fputs("\n", stdout);
        }
        free(r->out);
        free(r->err_line);
        r->out = r->err_line = NULL;
        r->out_len = 0;
        inputs_job_free(&r->job);
        pthread_mutex_lock(&b.mu);
        r->done = r->failed = 0;
        b.printed = i + 1;
        pthread_cond_broadcast(&b.cv_work);
        pthread_mutex_unlock(&b.mu);
        progress_tick(prog, i + 1);
    }
    progress_end(prog);
    if (array)
        fputs("]\n", stdout);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    free(inline_rb.p);
    free(th);
    free(b.ring);
    pthread_mutex_destroy(&b.mu);
    pthread_cond_destroy(&b.cv_done);
    pthread_cond_destroy(&b.cv_work);
    inputs_close(b.it);
    kensa_close(k);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "kensa: write error: %s\n", strerror(errno));
        return 2;
    }
    return failed ? 2 : 0;
fail:
    free(inputs);
    free(relays);
    free(authserv);
    return 1;
}

char **kensa_main_argv;

int main(int argc, char **argv)
{
    kensa_main_argv = argv;
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("kensa %s\n", kensa_version());
        return 0;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "analyze") == 0)
        return cmd_analyze(argc - 2, argv + 2);
    if (strcmp(argv[1], "ingest") == 0)
        return cmd_ingest(argc - 2, argv + 2);
    if (strcmp(argv[1], "trends") == 0)
        return cmd_trends(argc - 2, argv + 2);
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(argv[1], "milter") == 0)
        return cmd_milter(argc - 2, argv + 2);
    fprintf(stderr, "kensa: %s: unknown command\n", argv[1]);
    usage(stderr);
    return 1;
}
