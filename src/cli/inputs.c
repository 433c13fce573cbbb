/*
 * inputs.c - command-line inputs to jobs. See inputs.h.
 * Trusts nothing about the file system: every read is bounded, directories
 * are walked with a depth cap and a visited set of (device, inode).
 */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void inputs_init(input_list *l)
{
    memset(l, 0, sizeof *l);
}

void inputs_free(input_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->jobs[i].label);
        free(l->jobs[i].path);
        free(l->jobs[i].err_msg);
    }
    for (size_t i = 0; i < l->nbuf; i++)
        free(l->buffers[i]);
    free(l->jobs);
    free(l->buffers);
    memset(l, 0, sizeof *l);
}

static input_job *push(input_list *l, const char *label)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        input_job *nj = realloc(l->jobs, nc * sizeof *nj);
        if (!nj) {
            fprintf(stderr, "kensa: out of memory\n");
            exit(2);
        }
        l->jobs = nj;
        l->cap = nc;
    }
    input_job *j = &l->jobs[l->n++];
    memset(j, 0, sizeof *j);
    j->label = strdup(label);
    return j;
}

static void push_error(input_list *l, const char *label, const char *code, const char *msg)
{
    input_job *j = push(l, label);
    j->err_code = code;
    j->err_msg = strdup(msg);
}

static void keep_buffer(input_list *l, char *buf)
{
    if (l->nbuf == l->capbuf) {
        size_t nc = l->capbuf ? l->capbuf * 2 : 8;
        char **nb = realloc(l->buffers, nc * sizeof *nb);
        if (!nb) {
            fprintf(stderr, "kensa: out of memory\n");
            exit(2);
        }
        l->buffers = nb;
        l->capbuf = nc;
    }
    l->buffers[l->nbuf++] = buf;
}

static int read_fd(int fd, char **out, size_t *len, const char **why)
{
    size_t cap = 65536, n = 0;
    char *b = malloc(cap);
    if (!b) {
        *why = "out of memory";
        return -1;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= INPUT_MAX_FILE) {
                free(b);
                *why = "input larger than 1 GiB";
                return -1;
            }
            size_t nc = cap * 2 > INPUT_MAX_FILE ? INPUT_MAX_FILE : cap * 2;
            char *nb = realloc(b, nc);
            if (!nb) {
                free(b);
                *why = "out of memory";
                return -1;
            }
            b = nb;
            cap = nc;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            free(b);
            *why = strerror(errno);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *out = b;
    *len = n;
    return 0;
}

int inputs_read_file(const char *path, char **out, size_t *len, const char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        *why = "is a directory";
        return -1;
    }
    int rc = read_fd(fd, out, len, why);
    close(fd);
    return rc;
}

/* Index just past the line starting at i; lines end in LF, CRLF or CR. */
static size_t next_line(const char *b, size_t i, size_t n)
{
    while (i < n && b[i] != '\n' && b[i] != '\r')
        i++;
    if (i < n && b[i] == '\r') {
        i++;
        if (i < n && b[i] == '\n')
            i++;
    } else if (i < n) {
        i++;
    }
    return i;
}

/* An mbox starts with a "From " envelope line: "From sender date...". */
static int is_mbox(const char *b, size_t n)
{
    if (n < 7 || memcmp(b, "From ", 5) != 0)
        return 0;
    size_t ll = 0;
    while (ll < n && b[ll] != '\n' && b[ll] != '\r')
        ll++;
    /* a header "From: x" has a colon right after the name; the envelope has
     * a space and at least two more words */
    int words = 0, inw = 0;
    for (size_t i = 5; i < ll; i++) {
        if (b[i] == ' ' || b[i] == '\t' || b[i] == '\r')
            inw = 0;
        else if (!inw) {
            inw = 1;
            words++;
        }
    }
    return words >= 2;
}

/* Split an mbox held in buf into jobs; each message starts after its
 * "From " line. A "From " line counts as a separator at the start or after
 * an empty line. */
static void add_mbox(input_list *l, const char *label, char *buf, size_t n)
{
    keep_buffer(l, buf);
    size_t starts_cap = 64, nstarts = 0;
    size_t *starts = malloc(starts_cap * sizeof *starts);
    if (!starts) {
        push_error(l, label, "nomem", "out of memory");
        return;
    }
    int prev_empty = 1; /* the line before this one was empty (or none) */
    for (size_t i = 0; i < n;) {
        size_t e = next_line(buf, i, n);
        int at_sep = prev_empty && n - i >= 5 && memcmp(buf + i, "From ", 5) == 0;
        prev_empty = buf[i] == '\n' || buf[i] == '\r';
        if (at_sep) {
            if (nstarts == starts_cap) {
                starts_cap *= 2;
                size_t *ns = realloc(starts, starts_cap * sizeof *ns);
                if (!ns)
                    break;
                starts = ns;
            }
            starts[nstarts++] = i;
        }
        i = e;
    }
    for (size_t k = 0; k < nstarts; k++) {
        size_t s = starts[k], e = k + 1 < nstarts ? starts[k + 1] : n;
        size_t body = next_line(buf, s, e);
        char lab[4096];
        if (nstarts == 1)
            snprintf(lab, sizeof lab, "%s", label);
        else
            snprintf(lab, sizeof lab, "%s#%zu", label, k + 1);
        input_job *j = push(l, lab);
        j->data = buf + body;
        j->len = e - body;
    }
    free(starts);
}

static void add_preloaded(input_list *l, const char *label, char *buf, size_t n)
{
    if (is_mbox(buf, n)) {
        add_mbox(l, label, buf, n);
        return;
    }
    keep_buffer(l, buf);
    input_job *j = push(l, label);
    j->data = buf;
    j->len = n;
}

typedef struct {
    dev_t dev;
    ino_t ino;
} dir_id;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(input_list *l, const char *path, dir_id *seen, size_t nseen, int depth);

static void add_dir(input_list *l, const char *path, const struct stat *st, dir_id *seen,
                    size_t nseen, int depth)
{
    if (depth >= INPUT_MAX_DEPTH) {
        push_error(l, path, "too_deep", "directory nesting deeper than 64 levels");
        return;
    }
    for (size_t i = 0; i < nseen; i++)
        if (seen[i].dev == st->st_dev && seen[i].ino == st->st_ino) {
            push_error(l, path, "symlink_loop", "directory loop (symlink to an ancestor)");
            return;
        }
    DIR *d = opendir(path);
    if (!d) {
        push_error(l, path, "unreadable", strerror(errno));
        return;
    }
    size_t cap = 64, n = 0;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap *= 2;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (!names) {
        push_error(l, path, "nomem", "out of memory");
        return;
    }
    qsort(names, n, sizeof *names, cmp_str);
    dir_id *s2 = malloc((nseen + 1) * sizeof *s2);
    if (s2) {
        if (nseen)
            memcpy(s2, seen, nseen * sizeof *s2);
        s2[nseen].dev = st->st_dev;
        s2[nseen].ino = st->st_ino;
        for (size_t i = 0; i < n; i++) {
            size_t pl = strlen(path);
            char *child = malloc(pl + strlen(names[i]) + 2);
            if (child) {
                sprintf(child, "%s%s%s", path, (pl && path[pl - 1] == '/') ? "" : "/", names[i]);
                add_path(l, child, s2, nseen + 1, depth + 1);
                free(child);
            }
        }
        free(s2);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void add_path(input_list *l, const char *path, dir_id *seen, size_t nseen, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        push_error(l, path, errno == ELOOP ? "symlink_loop" : "unreadable", strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        add_dir(l, path, &st, seen, nseen, depth);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        push_error(l, path, "not_a_file", "not a regular file");
        return;
    }
    /* peek: an mbox is split now, a plain message is read by its worker */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        push_error(l, path, "unreadable", strerror(errno));
        return;
    }
    char head[512];
    ssize_t r = read(fd, head, sizeof head);
    close(fd);
    if (r > 0 && is_mbox(head, (size_t)r)) {
        char *buf;
        size_t n;
        const char *why;
        if (inputs_read_file(path, &buf, &n, &why) != 0) {
            push_error(l, path, "unreadable", why);
            return;
        }
        add_mbox(l, path, buf, n);
        return;
    }
    input_job *j = push(l, path);
    j->path = strdup(path);
}

void inputs_add(input_list *l, const char *arg)
{
    if (strcmp(arg, "-") == 0) {
        char *buf;
        size_t n;
        const char *why;
        if (read_fd(0, &buf, &n, &why) != 0) {
            push_error(l, "-", "unreadable", why);
            return;
        }
        add_preloaded(l, "-", buf, n);
        return;
    }
    add_path(l, arg, NULL, 0, 0);
}
