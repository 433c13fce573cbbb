/*
 * serve.c - the command lines of `kensa serve` and `kensa milter`: parse and
 * check every option, then hand the config to src/server/http.c or
 * src/server/milter.c, which run until SIGTERM/SIGINT (SIGHUP reloads the
 * data files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_cmds.h"

static void serve_usage(FILE *f)
{
    fputs("usage: kensa serve --listen HOST:PORT [--db PATH|--pg CONNINFO] [--token TOKEN]\n"
          "                   [--max-body BYTES] [--max-concurrent N] [--timeout S]\n"
          "                   [--analysis-timeout S] [--online]\n"
          "  POST /v1/analyze?format=json|html|md&lang=ja|en&online=0|1, GET /v1/reports/SHA256,\n"
          "  GET /v1/trends?week=YYYY-MM-DD|since=&until=, GET /healthz, the page at /\n"
          "  --listen HOST:PORT     bind exactly this address ([::1]:PORT for IPv6)\n"
          "  --token TOKEN          require Authorization: Bearer TOKEN on /v1/...\n"
          "  --max-body BYTES       largest message accepted (default 10485760; 413 beyond)\n"
          "  --max-concurrent N     /v1 requests at once (default 16; 503 beyond)\n"
          "  --timeout S            idle connection timeout (default 30)\n"
          "  --analysis-timeout S   analysis time per request, decimals allowed (default 30;\n"
          "                         503 timeout beyond)\n"
          "  --online               allow ?online=1 (network lookups)\n"
          "  --data-dir DIR, --trusted-relay LIST, --authserv-id ID   as for analyze\n"
          "  SIGHUP reloads the data files, SIGTERM/SIGINT stop\n",
          f);
}

static void milter_usage(FILE *f)
{
    fputs("usage: kensa milter --listen inet:PORT@HOST|unix:PATH [--db PATH|--pg CONNINFO]\n"
          "                    [--subject-tag LABEL=TAG,...] [--reject LABELS]\n"
          "                    [--quarantine LABELS] [--fail-open|--fail-closed] [--timeout S]\n"
          "                    [--max-concurrent N] [--max-message BYTES]\n"
          "  --subject-tag phishing=[phishing],spam=[spam]   prefix the Subject per verdict\n"
          "  --reject phishing       answer 550 5.7.1 to these verdicts (comma-separated)\n"
          "  --quarantine phishing   put these verdicts on hold in the MTA's queue\n"
          "  --fail-open (default)   accept unscanned on internal error or timeout\n"
          "  --fail-closed           answer 451 (try later) instead\n"
          "  --timeout S             analysis time per message, decimals allowed (default 20)\n"
          "  --max-concurrent N      analyses at once (default 8)\n"
          "  --max-message BYTES     bytes of one message kept (default 10485760)\n"
          "  --data-dir DIR, --trusted-relay LIST, --authserv-id ID   as for analyze\n"
          "  SIGHUP reloads the data files, SIGTERM/SIGINT stop\n",
          f);
}

/* Seconds with an optional decimal fraction ("20", "0.5"), from 0.001 to 3600. */
static int parse_seconds(const char *opt, const char *v, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end || !(d >= 0.001 && d <= 3600)) {
        fprintf(stderr, "kensa: %s %s: seconds from 0.001 to 3600\n", opt, v);
        return -1;
    }
    *out = d;
    return 0;
}

static int parse_num(const char *opt, const char *v, unsigned long long lo,
                     unsigned long long hi, unsigned long long *out)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*v || *end || v[0] == '-' || n < lo || n > hi) {
        fprintf(stderr, "kensa: %s %s: a number from %llu to %llu\n", opt, v, lo, hi);
        return -1;
    }
    *out = n;
    return 0;
}

/* Options both commands share; returns 1 consumed (with value), 0 not ours. */
static int common_opt(const char *a, const char *v, kensa_options *o, const char **db,
                      const char **pg)
{
    if (!v)
        return 0;
    if (strcmp(a, "--db") == 0)
        *db = v;
    else if (strcmp(a, "--pg") == 0)
        *pg = v;
    else if (strcmp(a, "--data-dir") == 0)
        o->data_dir = v;
    else if (strcmp(a, "--trusted-relay") == 0)
        o->trusted_relays = v;
    else if (strcmp(a, "--authserv-id") == 0)
        o->authserv_id = v;
    else
        return 0;
    return 1;
}

int cmd_serve(int argc, char **argv)
{
    http_config c = {.max_body = 10 * 1024 * 1024, .max_concurrent = 16, .timeout_s = 30,
                     .analysis_timeout_s = 30};
    const char *listen = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long n;
        if (common_opt(a, v, &c.opts, &c.db, &c.pg)) {
            i++;
        } else if (strcmp(a, "--listen") == 0 && v) {
            listen = v;
            i++;
        } else if (strcmp(a, "--token") == 0 && v) {
            c.token = v;
            i++;
        } else if (strcmp(a, "--max-body") == 0 && v) {
            if (parse_num(a, v, 1, 1ULL << 30, &n) != 0)
                return 1;
            c.max_body = (size_t)n;
            i++;
        } else if (strcmp(a, "--max-concurrent") == 0 && v) {
            if (parse_num(a, v, 1, 1024, &n) != 0)
                return 1;
            c.max_concurrent = (unsigned)n;
            i++;
        } else if (strcmp(a, "--timeout") == 0 && v) {
            if (parse_num(a, v, 1, 3600, &n) != 0)
                return 1;
            c.timeout_s = (unsigned)n;
            i++;
        } else if (strcmp(a, "--analysis-timeout") == 0 && v) {
            if (parse_seconds(a, v, &c.analysis_timeout_s) != 0)
                return 1;
            i++;
        } else if (strcmp(a, "--online") == 0) {
            c.online = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            serve_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "kensa: %s: unknown option or missing value\n", a);
            serve_usage(stderr);
            return 1;
        }
    }
    if (!listen) {
        fprintf(stderr, "kensa: serve: --listen HOST:PORT is required\n");
        serve_usage(stderr);
        return 1;
    }
    if (c.db && c.pg) {
        fprintf(stderr, "kensa: serve: --db and --pg: choose one store\n");
        return 1;
    }
    if (c.token && !*c.token) {
        fprintf(stderr, "kensa: serve: --token: empty\n");
        return 1;
    }
    /* HOST:PORT, [V6]:PORT */
    char host[256];
    const char *colon = strrchr(listen, ':');
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    if (hl && listen[0] == '[' && listen[hl - 1] == ']') {
        listen++;
        hl -= 2;
    }
    unsigned long long port;
    if (!colon || hl == 0 || hl >= sizeof host) {
        fprintf(stderr, "kensa: serve: --listen %s: HOST:PORT\n", listen);
        return 1;
    }
    if (parse_num("--listen port", colon + 1, 1, 65535, &port) != 0)
        return 1;
    memcpy(host, listen, hl);
    host[hl] = 0;
    c.host = host;
    c.port = (unsigned)port;
    return http_serve(&c);
}

static int parse_labels(const char *opt, const char *v, unsigned *out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "phishing") == 0)
            *out |= MV_PHISHING;
        else if (strcmp(t, "spam") == 0)
            *out |= MV_SPAM;
        else if (strcmp(t, "suspicious") == 0)
            *out |= MV_SUSPICIOUS;
        else {
            fprintf(stderr, "kensa: %s %s: labels are phishing, spam, suspicious\n", opt, t);
            return -1;
        }
    }
    return 0;
}

/* "phishing=[phishing],spam=[spam]" into tags[4] (pointers into store[]);
 * the last --subject-tag given wins as a whole. */
static int parse_tags(const char *v, char *store, size_t cap, const char **tags)
{
    for (int i = 0; i < 4; i++)
        tags[i] = NULL;
    snprintf(store, cap, "%s", v);
    char *save = NULL;
    static const char *const names[4] = {"phishing", "spam", "suspicious", "clean"};
    for (char *t = strtok_r(store, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        int idx = -1;
        if (eq) {
            *eq = 0;
            for (int i = 0; i < 4; i++)
                if (strcmp(t, names[i]) == 0)
                    idx = i;
        }
        if (idx < 0 || !eq[1] || strpbrk(eq + 1, "\r\n")) {
            fprintf(stderr, "kensa: --subject-tag: LABEL=TAG,... with LABEL one of "
                            "phishing, spam, suspicious, clean\n");
            return -1;
        }
        tags[idx] = eq + 1;
    }
    return 0;
}

int cmd_milter(int argc, char **argv)
{
    milter_config c = {.timeout_s = 20, .max_concurrent = 8, .max_message = 10 * 1024 * 1024};
    char tagbuf[512];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long n;
        if (common_opt(a, v, &c.opts, &c.db, &c.pg)) {
            i++;
        } else if (strcmp(a, "--listen") == 0 && v) {
            c.listen = v;
            i++;
        } else if (strcmp(a, "--subject-tag") == 0 && v) {
            if (parse_tags(v, tagbuf, sizeof tagbuf, c.tag) != 0)
                return 1;
            i++;
        } else if (strcmp(a, "--reject") == 0 && v) {
            if (parse_labels(a, v, &c.reject) != 0)
                return 1;
            i++;
        } else if (strcmp(a, "--quarantine") == 0 && v) {
            if (parse_labels(a, v, &c.quarantine) != 0)
                return 1;
            i++;
        } else if (strcmp(a, "--fail-open") == 0) {
            c.fail_closed = 0;
        } else if (strcmp(a, "--fail-closed") == 0) {
            c.fail_closed = 1;
        } else if (strcmp(a, "--timeout") == 0 && v) {
            if (parse_seconds(a, v, &c.timeout_s) != 0)
                return 1;
            i++;
        } else if (strcmp(a, "--max-concurrent") == 0 && v) {
            if (parse_num(a, v, 1, 1024, &n) != 0)
                return 1;
            c.max_concurrent = (unsigned)n;
            i++;
        } else if (strcmp(a, "--max-message") == 0 && v) {
            if (parse_num(a, v, 1024, 1ULL << 30, &n) != 0)
                return 1;
            c.max_message = (size_t)n;
            i++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            milter_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "kensa: %s: unknown option or missing value\n", a);
            milter_usage(stderr);
            return 1;
        }
    }
    if (!c.listen || (strncmp(c.listen, "inet:", 5) != 0 && strncmp(c.listen, "inet6:", 6) != 0 &&
                      strncmp(c.listen, "unix:", 5) != 0 && strncmp(c.listen, "local:", 6) != 0)) {
        fprintf(stderr, "kensa: milter: --listen inet:PORT@HOST or unix:PATH is required\n");
        milter_usage(stderr);
        return 1;
    }
    if (c.db && c.pg) {
        fprintf(stderr, "kensa: milter: --db and --pg: choose one store\n");
        return 1;
    }
    return milter_serve(&c);
}
