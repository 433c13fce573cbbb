/*
 * freemail.c - see freemail.h. A sorted array searched with bsearch; the
 * domain is compared as written (lowercase) and as its registrable domain.
 */
#include "freemail.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/domain.h"

#define FREEMAIL_MAX 4096

struct freemail_data {
    char **v;
    size_t n;
};

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void freemail_free(freemail_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i]);
    free(d->v);
    free(d);
}

freemail_data *freemail_load(const char *data_dir, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/freemail.tsv", data_dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (err && asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return NULL;
    }
    freemail_data *d = calloc(1, sizeof *d);
    if (d)
        d->v = calloc(FREEMAIL_MAX, sizeof *d->v);
    char line[512];
    while (d && d->v && fgets(line, sizeof line, f) && d->n < FREEMAIL_MAX) {
        line[strcspn(line, "\t\r\n#")] = '\0';
        if (!line[0])
            continue;
        for (char *p = line; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        d->v[d->n++] = strdup(line);
    }
    fclose(f);
    if (!d || !d->v || d->n == 0) {
        if (err && asprintf(err, "%s: no domains", path) < 0)
            *err = NULL;
        freemail_free(d);
        return NULL;
    }
    qsort(d->v, d->n, sizeof *d->v, cmp);
    return d;
}

int freemail_is(const freemail_data *d, const char *domain)
{
    if (!d || !domain || !*domain)
        return 0;
    char low[256];
    size_t n = strlen(domain);
    if (n >= sizeof low)
        return 0;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)domain[i]);
    const char *key = low;
    if (bsearch(&key, d->v, d->n, sizeof *d->v, cmp))
        return 1;
    arena *a = arena_new(4096);
    const char *reg = a ? domain_registrable(a, low) : NULL;
    int hit = reg && bsearch(&reg, d->v, d->n, sizeof *d->v, cmp) != NULL;
    arena_free(a);
    return hit;
}
