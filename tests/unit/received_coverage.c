/*
 * received_coverage.c - measure how much of real-world Received headers the
 * hand-written parser understands.
 *
 * Usage: received_coverage FILE|DIR...   (directories are walked recursively)
 * Each file is one message; every Received header of its header block is
 * unfolded, parsed by route_parse_received(), and counted as fully parsed when
 * RCV_FULLY_PARSED() holds (every clause present was understood, the date
 * parsed, from_ip extracted whenever the from clause holds an IP). Prints the
 * share and the 20 most frequent unparsed shapes (digits masked) with one example.
 * With --dump first, also prints one TSV line per header (flags and fields).
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../src/route/received.h"

#define MAX_FILE (8u << 20)

typedef struct {
    char *key, *example;
    unsigned flags;
    long count;
} unparsed;

typedef struct {
    int dump;
    long total, full, files;
    unparsed *u;
    size_t nu, cap;
} stats;

static void add_unparsed(stats *st, const char *v, size_t n, unsigned flags)
{
    char key[160];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof key; i++) {
        char ch = v[i];
        if (ch == ' ' || ch == '\t') {
            if (k == 0 || key[k - 1] != ' ')
                key[k++] = ' ';
            continue;
        }
        if (ch >= '0' && ch <= '9') {
            if (k == 0 || key[k - 1] != '#')
                key[k++] = '#';
            continue;
        }
        key[k++] = ch;
    }
    key[k] = '\0';
    for (size_t i = 0; i < st->nu; i++) {
        if (strcmp(st->u[i].key, key) == 0) {
            st->u[i].count++;
            return;
        }
    }
    if (st->nu == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 64;
        unparsed *nu = realloc(st->u, nc * sizeof *nu);
        if (!nu)
            return;
        st->u = nu;
        st->cap = nc;
    }
    st->u[st->nu].key = strdup(key);
    st->u[st->nu].example = strndup(v, n > 600 ? 600 : n);
    st->u[st->nu].flags = flags;
    st->u[st->nu].count = 1;
    st->nu++;
}

static void one_header(stats *st, const char *v, size_t n)
{
    arena *a = arena_new(0);
    if (!a)
        return;
    rcv_hop h;
    route_parse_received(a, v, n, &h);
    st->total++;
    if (st->dump)
        printf("D\t%08x\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.flags,
               h.from_helo ? h.from_helo : "-", h.from_rdns ? h.from_rdns : "-",
               h.from_ip ? h.from_ip : "-", h.by ? h.by : "-", h.by_ip ? h.by_ip : "-",
               h.protocol ? h.protocol : "-", h.tls ? h.tls : "-", h.id ? h.id : "-",
               h.for_addr ? h.for_addr : "-", h.time_iso ? h.time_iso : "-");
    if (RCV_FULLY_PARSED(h.flags))
        st->full++;
    else
        add_unparsed(st, v, n, h.flags);
    arena_free(a);
}

static void do_file(stats *st, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char *buf = malloc(MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        return;
    }
    size_t n = fread(buf, 1, MAX_FILE, f);
    fclose(f);
    buf[n] = '\0';
    st->files++;
    size_t i = 0;
    if (n >= 5 && memcmp(buf, "From ", 5) == 0) { /* mbox separator line */
        while (i < n && buf[i] != '\n')
            i++;
        i++;
    }
    char *un = malloc(n + 1);
    if (!un) {
        free(buf);
        return;
    }
    while (i < n) {
        size_t ls = i;
        while (i < n && buf[i] != '\n')
            i++;
        size_t le = i;
        if (le > ls && buf[le - 1] == '\r')
            le--;
        i++;
        if (le == ls)
            break; /* end of header block */
        if (le - ls < 9 || strncasecmp(buf + ls, "Received:", 9) != 0)
            continue;
        size_t un_n = 0;
        for (size_t k = ls + 9; k < le; k++)
            un[un_n++] = buf[k];
        /* continuation lines */
        while (i < n && (buf[i] == ' ' || buf[i] == '\t')) {
            size_t cs = i;
            while (i < n && buf[i] != '\n')
                i++;
            size_t ce = i;
            if (ce > cs && buf[ce - 1] == '\r')
                ce--;
            i++;
            un[un_n++] = ' ';
            for (size_t k = cs; k < ce; k++)
                un[un_n++] = buf[k];
        }
        size_t s0 = 0;
        while (s0 < un_n && (un[s0] == ' ' || un[s0] == '\t'))
            s0++;
        one_header(st, un + s0, un_n - s0);
    }
    free(un);
    free(buf);
}

static void walk(stats *st, const char *path, int depth)
{
    struct stat sb;
    if (depth > 16 || stat(path, &sb) != 0)
        return;
    if (S_ISREG(sb.st_mode)) {
        do_file(st, path);
        return;
    }
    if (!S_ISDIR(sb.st_mode))
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = NULL;
        if (asprintf(&sub, "%s/%s", path, e->d_name) < 0)
            continue;
        walk(st, sub, depth + 1);
        free(sub);
    }
    closedir(d);
}

static int by_count(const void *x, const void *y)
{
    const unparsed *a = x, *b = y;
    return (b->count > a->count) - (b->count < a->count);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    stats st = {0};
    int first = 1;
    if (strcmp(argv[1], "--dump") == 0) {
        st.dump = 1;
        first = 2;
    }
    for (int i = first; i < argc; i++)
        walk(&st, argv[i], 0);
    printf("files: %ld\nreceived headers: %ld\nfully parsed: %ld (%.2f%%)\n", st.files, st.total,
           st.full, st.total ? 100.0 * (double)st.full / (double)st.total : 0.0);
    qsort(st.u, st.nu, sizeof *st.u, by_count);
    printf("top unparsed shapes (%zu distinct):\n", st.nu);
    for (size_t i = 0; i < st.nu && i < (getenv("RC_ALL") ? st.nu : 20); i++)
        printf("%5ld  flags=0x%08x  %s\n", st.u[i].count, st.u[i].flags, st.u[i].example);
    for (size_t i = 0; i < st.nu; i++) {
        free(st.u[i].key);
        free(st.u[i].example);
    }
    free(st.u);
    return 0;
}
