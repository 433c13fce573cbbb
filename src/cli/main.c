/*
 * main.c - the kensa command line (../shared/CONTRACT.md "CLI").
 *
 * analyze: inputs -> jobs (inputs.c) -> N worker threads, each analyzing
 * with its own arena -> results printed strictly in input order by the main
 * thread. One bad input yields an error record and exit status 2; the others
 * are still reported. Only this file calls exit().
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../include/kensa.h"
#include "inputs.h"

enum { FMT_DEFAULT = -1 };

typedef struct {
    char *out;       /* rendered record (malloc'd) */
    char *err_line;  /* "kensa: PATH: reason" for stderr, or NULL */
    int failed;
    int done;
} result;

typedef struct {
    kensa_ctx *k;
    input_list *in;
    result *res;
    int fmt;
    const char *lang;
    size_t next;
    pthread_mutex_t mu;
    pthread_cond_t cv;
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
          "  --dns-server HOST:PORT, --rdap-url URL, --whois-server HOST:PORT,\n"
          "  --allow-private-targets, --screenshot   online options\n"
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

static void run_job(batch *b, size_t i)
{
    input_job *j = &b->in->jobs[i];
    result *r = &b->res[i];
    if (j->err_code) {
        r->out = render_error(j, NULL, -1, j->err_code, j->err_msg, &r->err_line);
        r->failed = 1;
        return;
    }
    char *owned = NULL;
    const char *data = j->data;
    size_t len = j->len;
    if (j->path) {
        const char *why = NULL;
        if (inputs_read_file(j->path, &owned, &len, &why) != 0) {
            r->out = render_error(j, NULL, -1, "unreadable", why, &r->err_line);
            r->failed = 1;
            return;
        }
        data = owned;
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
        r->failed = 1;
    } else {
        int f = b->fmt;
        r->out = kensa_report_render(rep, (kensa_format)f, b->lang, NULL);
        kensa_report_free(rep);
    }
    free(err);
    free(owned);
}

static void *worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        size_t i = b->next++;
        pthread_mutex_unlock(&b->mu);
        if (i >= b->in->n)
            break;
        run_job(b, i);
        pthread_mutex_lock(&b->mu);
        b->res[i].done = 1;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
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
    if (strcmp(s, "text") == 0)
        return KENSA_FMT_TEXT;
    return -2;
}

static int cmd_analyze(int argc, char **argv)
{
    int fmt = FMT_DEFAULT, jobs = 1;
    const char *lang = "ja";
    kensa_options opts = {0};
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
                if (strcmp(v, "md") == 0 || strcmp(v, "html") == 0)
                    fprintf(stderr, "kensa: --format %s: not available in this version "
                                    "(json, ndjson, text)\n", v);
                else
                    fprintf(stderr, "kensa: --format %s: unknown format\n", v);
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
        } else if ((strcmp(a, "--dns-server") == 0 || strcmp(a, "--rdap-url") == 0 ||
                    strcmp(a, "--whois-server") == 0) && v) {
            i++;
        } else if (strcmp(a, "--allow-private-targets") == 0 || strcmp(a, "--screenshot") == 0) {
            /* online options: accepted, used once online enrichment exists */
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
    if (opts.online)
        fprintf(stderr, "kensa: --online: this version has no online lookups yet; "
                        "the analysis is offline\n");

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
    input_list in;
    inputs_init(&in);
    for (int i = 0; i < ninputs; i++)
        inputs_add(&in, inputs[i]);
    free(inputs);

    int array = 0;
    if (fmt == FMT_DEFAULT)
        fmt = in.n > 1 ? KENSA_FMT_NDJSON : isatty(1) ? KENSA_FMT_TEXT : KENSA_FMT_JSON;
    else if (fmt == KENSA_FMT_JSON && in.n > 1)
        array = 1; /* several reports asked as json: one valid JSON array */

    batch b = {.k = k, .in = &in, .fmt = fmt, .lang = lang, .next = 0};
    b.res = calloc(in.n ? in.n : 1, sizeof *b.res);
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    if ((size_t)jobs > in.n)
        jobs = in.n ? (int)in.n : 1;
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64u * 1024 * 1024); /* deep MIME recursion in GMime */
    int started = 0;
    for (int t = 0; t < jobs; t++)
        if (pthread_create(&th[t], &attr, worker, &b) == 0)
            started++;
    pthread_attr_destroy(&attr);
    if (!started)
        worker(&b);

    int failed = 0;
    if (array)
        fputs("[\n", stdout);
    for (size_t i = 0; i < in.n; i++) {
        pthread_mutex_lock(&b.mu);
        while (!b.res[i].done)
            pthread_cond_wait(&b.cv, &b.mu);
        pthread_mutex_unlock(&b.mu);
        result *r = &b.res[i];
        if (r->err_line) {
            fflush(stdout);
            fprintf(stderr, "%s\n", r->err_line);
        }
        if (r->failed) {
            failed = 1;
            /* error records belong to machine formats; humans read stderr */
            if (fmt != KENSA_FMT_TEXT && r->out && (in.n > 1 || fmt == KENSA_FMT_NDJSON))
                printf("%s%s\n", r->out, array && i + 1 < in.n ? "," : "");
        } else if (r->out) {
            if (fmt == KENSA_FMT_TEXT && i > 0)
                fputs("\n", stdout);
            fputs(r->out, stdout);
            if (array && i + 1 < in.n)
                fputs(",", stdout);
            size_t ol = strlen(r->out);
            if (ol == 0 || r->out[ol - 1] != '\n')
                fputs("\n", stdout);
        }
        free(r->out);
        free(r->err_line);
        r->out = r->err_line = NULL;
    }
    if (array)
        fputs("]\n", stdout);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    free(th);
    free(b.res);
    pthread_mutex_destroy(&b.mu);
    pthread_cond_destroy(&b.cv);
    inputs_free(&in);
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

int main(int argc, char **argv)
{
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
    if (strcmp(argv[1], "ingest") == 0 || strcmp(argv[1], "trends") == 0 ||
        strcmp(argv[1], "serve") == 0 || strcmp(argv[1], "milter") == 0) {
        fprintf(stderr, "kensa: %s: not available in this version\n", argv[1]);
        return 1;
    }
    fprintf(stderr, "kensa: %s: unknown command\n", argv[1]);
    usage(stderr);
    return 1;
}
