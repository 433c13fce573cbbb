/*
 * trends.c - `kensa trends`: the spam trends of a period from the store.
 *
 * Options are checked before the store is touched (dates must be real
 * YYYY-MM-DD days, since <= until, --week excludes --since). Output: json
 * (the contract's "Trends JSON"), md or html; default md on a terminal, json
 * otherwise. The store must exist (a missing SQLite file is an error, not a
 * new empty store).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store/store.h"
#include "../store/trends.h"
#include "commands.h"

static void usage(FILE *f)
{
    fputs("usage: kensa trends [--db PATH|--pg CONNINFO] [--since YYYY-MM-DD] "
          "[--until YYYY-MM-DD]\n"
          "                    [--week] [--format json|md|html] [--lang ja|en] [--top N]\n"
          "  --week      the 7 days ending at --until, or at the newest mail in the store\n"
          "  default period: everything stored; default format: md on a terminal, else json\n",
          f);
}

int cmd_trends(int argc, char **argv)
{
    const char *dbpath = NULL, *pg = NULL, *fmt = NULL, *lang = "ja";
    trends_query q = {.top = 10};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--db") == 0 && v) {
            dbpath = v;
        } else if (strcmp(a, "--pg") == 0 && v) {
            pg = v;
        } else if ((strcmp(a, "--since") == 0 || strcmp(a, "--until") == 0) && v) {
            if (trends_parse_day(v) < 0) {
                fprintf(stderr, "kensa: %s %s: a date YYYY-MM-DD\n", a, v);
                return 1;
            }
            if (a[2] == 's')
                q.since = v;
            else
                q.until = v;
        } else if (strcmp(a, "--week") == 0) {
            q.week = 1;
            continue;
        } else if (strcmp(a, "--format") == 0 && v) {
            if (strcmp(v, "json") != 0 && strcmp(v, "md") != 0 && strcmp(v, "html") != 0) {
                fprintf(stderr, "kensa: --format %s: use json, md or html\n", v);
                return 1;
            }
            fmt = v;
        } else if (strcmp(a, "--lang") == 0 && v) {
            if (strcmp(v, "ja") != 0 && strcmp(v, "en") != 0) {
                fprintf(stderr, "kensa: --lang %s: use ja or en\n", v);
                return 1;
            }
            lang = v;
        } else if (strcmp(a, "--top") == 0 && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > TRENDS_MAX_TOP) {
                fprintf(stderr, "kensa: --top %s: a number from 1 to %d\n", v, TRENDS_MAX_TOP);
                return 1;
            }
            q.top = (size_t)n;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "kensa: %s: unknown option or missing value\n", a);
            usage(stderr);
            return 1;
        }
        i++;
    }
    if (dbpath && pg) {
        fprintf(stderr, "kensa: trends: --db and --pg: choose one store\n");
        return 1;
    }
    if (q.week && q.since) {
        fprintf(stderr, "kensa: trends: --week is the 7 days ending at --until; "
                        "--since does not go with it\n");
        return 1;
    }
    if (q.since && q.until && strcmp(q.since, q.until) > 0) {
        fprintf(stderr, "kensa: trends: --since %s is after --until %s\n", q.since, q.until);
        return 1;
    }
    if (!fmt)
        fmt = isatty(1) ? "md" : "json";

    char *err = NULL;
    store *s = store_open(dbpath ? dbpath : "kensa.db", pg, 0, &err);
    if (!s) {
        fprintf(stderr, "kensa: trends: %s\n", err ? err : "cannot open the store");
        free(err);
        return 1;
    }
    trends_model m;
    int rc = trends_build(s, &q, &m, &err);
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "kensa: trends: %s\n", err ? err : "query failed");
        free(err);
        trends_free(&m);
        return 2;
    }
    char *out = strcmp(fmt, "json") == 0 ? trends_json(&m, lang)
                : strcmp(fmt, "md") == 0 ? trends_md(&m, lang)
                                         : trends_html(&m, lang);
    trends_free(&m);
    if (!out) {
        fprintf(stderr, "kensa: trends: out of memory\n");
        return 2;
    }
    fputs(out, stdout);
    if (!*out || out[strlen(out) - 1] != '\n')
        fputc('\n', stdout);
    free(out);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "kensa: write error: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}
