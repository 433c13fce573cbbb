/*
 * inputs.c - command-line inputs to jobs. See inputs.h.
 * Trusts nothing about the file system: every read is bounded, directories
 * are walked with a depth cap and a check against the directories being
 * walked (device, inode). Jobs stream out of an iterator: one directory's
 * sorted names at a time, an mbox read (small) or mmap'd (large) and split as it goes.
 */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/lanes.h"

/* Read to EOF into *buf (capacity *cap, grown as needed; kept by the
 * caller from job to job: no malloc and no fresh pages per mail); hint: the
 * expected size (fstat), 0 when unknown. One byte more than the hint is
 * asked for so that EOF is seen without a realloc. */
static int read_fd_reuse(int fd, size_t hint, char **buf, size_t *cap, size_t *len,
                         const char **why)
{
    size_t want = hint > 0 && hint < INPUT_MAX_FILE ? hint + 1 : 65536, n = 0;
    if (*cap < want) {
        char *nb = realloc(*buf, want);
        if (!nb) {
            *why = "out of memory";
            return -1;
        }
        *buf = nb;
        *cap = want;
    }
    char *b = *buf;
    for (;;) {
        if (n == *cap) {
            if (*cap >= INPUT_MAX_FILE) {
                *why = "input larger than 1 GiB";
                return -1;
            }
            size_t nc = *cap * 2 > INPUT_MAX_FILE ? INPUT_MAX_FILE : *cap * 2;
            char *nb = realloc(b, nc);
            if (!nb) {
                *why = "out of memory";
                return -1;
            }
            *buf = b = nb;
            *cap = nc;
        }
        ssize_t r = read(fd, b + n, *cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *why = strerror(errno);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        /* a regular file of the expected size is read: a read shorter than
         * asked at that size is the end of the file (one read() per mail
         * instead of a second one that returns 0) */
        if (hint > 0 && n == hint && n < *cap)
            break;
    }
    *len = n;
    return 0;
}

/* read_fd_reuse into a buffer of its own */
static int read_fd(int fd, size_t hint, char **out, size_t *len, const char **why)
{
    char *b = NULL;
    size_t cap = 0;
    if (read_fd_reuse(fd, hint, &b, &cap, len, why) != 0) {
        free(b);
        return -1;
    }
    *out = b;
    return 0;
}

/* Opens path for reading: the descriptor and a size hint (0 unless a
 * non-empty regular file), or -1 with *why set (directories refused). */
static int open_input(const char *path, size_t *hint, const char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    struct stat st;
    int have_st = fstat(fd, &st) == 0;
    if (have_st && S_ISDIR(st.st_mode)) {
        close(fd);
        *why = "is a directory";
        return -1;
    }
    *hint = have_st && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 0;
    return fd;
}

int inputs_read_file(const char *path, char **out, size_t *len, const char **why)
{
    size_t hint;
    int fd = open_input(path, &hint, why);
    if (fd < 0)
        return -1;
    int rc = read_fd(fd, hint, out, len, why);
    close(fd);
    return rc;
}

int inputs_read_job(input_job *j, char **buf, size_t *cap, size_t *len, const char **why)
{
    if (j->fd1 > 0) {
        int fd = j->fd1 - 1;
        j->fd1 = 0;
        /* the iterator's peek was a pread(): the offset is still 0 */
        int rc = read_fd_reuse(fd, j->size, buf, cap, len, why);
        close(fd);
        return rc;
    }
    size_t hint;
    int fd = open_input(j->path, &hint, why);
    if (fd < 0)
        return -1;
    int rc = read_fd_reuse(fd, hint, buf, cap, len, why);
    close(fd);
    return rc;
}

/* Index just past the line starting at i; lines end in LF, CRLF or CR. */
static size_t next_line(const char *b, size_t i, size_t n)
{
    /* eight at a time while neither CR nor LF (a mailbox is scanned whole) */
    while (n - i >= 8) {
        uint64_t w = lanes_load(b + i);
        if ((lanes_ne(w, '\n') & lanes_ne(w, '\r')) != LANES_ALL)
            break;
        i += 8;
    }
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


/* Bytes that jobs point into: an mmap'd mbox or a heap buffer (a small mbox, stdin). */
struct input_map {
    char *base;
    size_t size;
    int mapped;
    size_t released; /* pages below this offset were given back */
    unsigned refs;   /* the iterator's frame + one per job (atomic) */
};

static input_map *map_new(char *base, size_t size, int mapped)
{
    input_map *m = calloc(1, sizeof *m);
    if (!m) {
        if (mapped)
            munmap(base, size);
        else
            free(base);
        return NULL;
    }
    m->base = base;
    m->size = size;
    m->mapped = mapped;
    m->refs = 1;
    if (mapped)
        madvise(base, size, MADV_SEQUENTIAL);
    return m;
}

static void map_unref(input_map *m)
{
    if (!m || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (m->mapped)
        munmap(m->base, m->size);
    else
        free(m->base);
    free(m);
}

void inputs_job_free(input_job *j)
{
    if (j->map && j->map->mapped && j->data) {
        /* jobs of one mbox are freed in order: the pages wholly before the end
         * of this message are not needed again (the next one starts there) */
        size_t pg = (size_t)sysconf(_SC_PAGESIZE);
        size_t end = (size_t)(j->data - j->map->base) + j->len;
        size_t upto = end / pg * pg;
        size_t from = __atomic_load_n(&j->map->released, __ATOMIC_ACQUIRE);
        if (upto > from) {
            madvise(j->map->base + from, upto - from, MADV_DONTNEED);
            __atomic_store_n(&j->map->released, upto, __ATOMIC_RELEASE);
        }
    }
    map_unref(j->map);
    if (j->fd1 > 0)
        close(j->fd1 - 1);
    free(j->label);
    free(j->path);
    free(j->err_msg);
    memset(j, 0, sizeof *j);
}

static void job_error(input_job *j, const char *label, const char *code, const char *msg)
{
    memset(j, 0, sizeof *j);
    j->label = strdup(label);
    j->err_code = code;
    j->err_msg = strdup(msg);
}

/* ---- the iterator: a stack of open directories and mboxes */

enum { F_DIR, F_MBOX };

typedef struct {
    int kind;
    char *path;
    /* F_DIR: sorted names packed in one buffer */
    dev_t dev;
    ino_t ino;
    int depth;
    char *names;
    size_t *off;
    size_t n, i;
    /* F_MBOX */
    input_map *map;
    size_t pos; /* start of the next "From " line */
    size_t k;   /* messages given out */
} frame;

struct input_iter {
    char **args;
    int nargs, argi;
    frame *st;
    size_t sp, cap;
    int keep_fds;
};

void inputs_keep_fds(input_iter *it)
{
    if (it)
        it->keep_fds = 1;
}

input_iter *inputs_open(char *const *args, int nargs)
{
    input_iter *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->args = calloc((size_t)nargs + 1, sizeof *it->args);
    if (!it->args) {
        free(it);
        return NULL;
    }
    for (int i = 0; i < nargs; i++)
        it->args[i] = strdup(args[i]);
    it->nargs = nargs;
    return it;
}

static void frame_free(frame *f)
{
    free(f->path);
    free(f->names);
    free(f->off);
    map_unref(f->map);
}

void inputs_close(input_iter *it)
{
    if (!it)
        return;
    while (it->sp)
        frame_free(&it->st[--it->sp]);
    free(it->st);
    for (int i = 0; i < it->nargs; i++)
        free(it->args[i]);
    free(it->args);
    free(it);
}

static frame *push_frame(input_iter *it, int kind, const char *path)
{
    if (it->sp == it->cap) {
        size_t nc = it->cap ? it->cap * 2 : 16;
        frame *ns = realloc(it->st, nc * sizeof *ns);
        if (!ns)
            return NULL;
        it->st = ns;
        it->cap = nc;
    }
    frame *f = &it->st[it->sp++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->path = strdup(path);
    return f;
}

static int cmp_off(const void *a, const void *b, void *base)
{
    return strcmp((const char *)base + *(const size_t *)a, (const char *)base + *(const size_t *)b);
}

/* 1: *j filled (error job); 0: a frame was pushed */
static int open_dir(input_iter *it, const char *path, const struct stat *st, int depth,
                    input_job *j)
{
    if (depth >= INPUT_MAX_DEPTH) {
        job_error(j, path, "too_deep", "directory nesting deeper than 64 levels");
        return 1;
    }
    for (size_t i = 0; i < it->sp; i++)
        if (it->st[i].kind == F_DIR && it->st[i].dev == st->st_dev && it->st[i].ino == st->st_ino) {
            job_error(j, path, "symlink_loop", "directory loop (symlink to an ancestor)");
            return 1;
        }
    DIR *d = opendir(path);
    if (!d) {
        job_error(j, path, "unreadable", strerror(errno));
        return 1;
    }
    size_t bcap = 4096, blen = 0, cap = 64, n = 0;
    char *buf = malloc(bcap);
    size_t *off = malloc(cap * sizeof *off);
    struct dirent *e;
    while (buf && off && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t l = strlen(e->d_name) + 1;
        if (blen + l > bcap) {
            while (blen + l > bcap)
                bcap *= 2;
            char *nb = realloc(buf, bcap);
            if (!nb)
                break;
            buf = nb;
        }
        if (n == cap) {
            cap *= 2;
            size_t *no = realloc(off, cap * sizeof *no);
            if (!no)
                break;
            off = no;
        }
        memcpy(buf + blen, e->d_name, l);
        off[n++] = blen;
        blen += l;
    }
    closedir(d);
    frame *f = buf && off ? push_frame(it, F_DIR, path) : NULL;
    if (!f) {
        free(buf);
        free(off);
        job_error(j, path, "nomem", "out of memory");
        return 1;
    }
    qsort_r(off, n, sizeof *off, cmp_off, buf);
    f->names = buf;
    f->off = off;
    f->n = n;
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    f->depth = depth;
    return 0;
}

static void push_mbox(input_iter *it, const char *label, input_map *m)
{
    frame *f = push_frame(it, F_MBOX, label);
    if (!f) {
        map_unref(m);
        return;
    }
    f->map = m;
    f->pos = 0;
}

/* 1 if p (> body) starts a line of the text lines from body: lines end in
 * LF, CR or CRLF, so this depends only on the bytes just before p. */
static int line_start(const char *b, size_t body, size_t p)
{
    return p == body || b[p - 1] == '\n' || (b[p - 1] == '\r' && b[p] != '\n');
}

/* Where the next message starts in b[body, n): the first "From " line
 * after an empty line, or n. The same answer as walking the lines from body
 * (the first line never counts as after an empty one), found with memmem:
 * a line break's kind (LF, CR, CRLF) is decided by the bytes around it. */
static size_t mbox_separator(const char *b, size_t body, size_t n)
{
    for (size_t i = body + 1; i < n;) {
        const char *f = memmem(b + i, n - i, "From ", 5);
        if (!f)
            break;
        size_t p = (size_t)(f - b);
        i = p + 1;
        if (!line_start(b, body, p))
            continue;
        /* the line before ends with the break at q; it is empty when it
         * starts there */
        size_t q = b[p - 1] == '\n' && p - 1 > body && b[p - 2] == '\r' ? p - 2 : p - 1;
        if (q >= body && line_start(b, body, q))
            return p;
    }
    return n;
}

/* Next message of an mbox frame: 1 with *j filled, 0 when it has none left.
 * A "From " line is a separator at the start or after an empty line. */
static int mbox_next(frame *f, input_job *j)
{
    const char *buf = f->map->base;
    size_t n = f->map->size, s = f->pos;
    if (s >= n)
        return 0;
    size_t body = next_line(buf, s, n);
    size_t e = mbox_separator(buf, body, n);
    f->k++;
    char lab[4096];
    if (f->k == 1 && e == n)
        snprintf(lab, sizeof lab, "%s", f->path);
    else
        snprintf(lab, sizeof lab, "%s#%zu", f->path, f->k);
    memset(j, 0, sizeof *j);
    j->label = strdup(lab);
    j->data = buf + body;
    j->len = e - body;
    j->map = f->map;
    __atomic_add_fetch(&f->map->refs, 1, __ATOMIC_ACQ_REL);
    f->pos = e;
    return 1;
}

/* 1: *j filled; 0: a frame was pushed (or nothing to give) */
static int open_path(input_iter *it, const char *path, int depth, input_job *j)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        job_error(j, path, errno == ELOOP ? "symlink_loop" : "unreadable", strerror(errno));
        return 1;
    }
    if (S_ISDIR(st.st_mode))
        return open_dir(it, path, &st, depth, j);
    if (!S_ISREG(st.st_mode)) {
        job_error(j, path, "not_a_file", "not a regular file");
        return 1;
    }
    /* peek: an mbox is split here, a plain message is read by its worker */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        job_error(j, path, "unreadable", strerror(errno));
        return 1;
    }
    char head[512];
    ssize_t r = pread(fd, head, sizeof head, 0);
    if (r > 0 && is_mbox(head, (size_t)r)) {
        input_map *im;
        if (st.st_size > 0 && (unsigned long long)st.st_size <= INPUT_MBOX_READ_MAX) {
            /* a small mbox (a single mail with its envelope line, often) is
             * read, from offset 0 (the peek was a pread), with the size from
             * stat() as a hint only: read_fd reads to the end, bounded.
             * Mapping costs mmap, madvise and a munmap whose TLB shootdown
             * interrupts every core running a worker. */
            char *buf = NULL;
            size_t n = 0;
            const char *why = NULL;
            int rc = read_fd(fd, (size_t)st.st_size, &buf, &n, &why);
            close(fd);
            if (rc != 0) {
                job_error(j, path, "unreadable", why ? why : strerror(errno));
                return 1;
            }
            im = map_new(buf, n, 0);
        } else {
            /* mapped: the size is the descriptor's own */
            struct stat fst;
            if (fstat(fd, &fst) != 0 || fst.st_size <= 0) {
                job_error(j, path, "unreadable", strerror(errno ? errno : EIO));
                close(fd);
                return 1;
            }
            if ((unsigned long long)fst.st_size > INPUT_MAX_FILE) {
                job_error(j, path, "unreadable", "input larger than 1 GiB");
                close(fd);
                return 1;
            }
            void *m = mmap(NULL, (size_t)fst.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            close(fd);
            if (m == MAP_FAILED) {
                job_error(j, path, "unreadable", strerror(errno));
                return 1;
            }
            im = map_new(m, (size_t)fst.st_size, 1);
        }
        if (!im) {
            job_error(j, path, "nomem", "out of memory");
            return 1;
        }
        push_mbox(it, path, im);
        return 0;
    }
    memset(j, 0, sizeof *j);
    j->label = strdup(path);
    j->path = strdup(path);
    if (it->keep_fds && st.st_size > 0) {
        /* the worker reads from here: no second open and stat of the path */
        j->fd1 = fd + 1;
        j->size = (size_t)st.st_size;
    } else {
        close(fd);
    }
    return 1;
}

static int open_stdin(input_iter *it, input_job *j)
{
    char *buf;
    size_t n;
    const char *why;
    if (read_fd(0, 0, &buf, &n, &why) != 0) {
        job_error(j, "-", "unreadable", why);
        return 1;
    }
    input_map *m = map_new(buf, n, 0);
    if (!m) {
        job_error(j, "-", "nomem", "out of memory");
        return 1;
    }
    if (is_mbox(buf, n)) {
        push_mbox(it, "-", m);
        return 0;
    }
    memset(j, 0, sizeof *j);
    j->label = strdup("-");
    j->data = buf;
    j->len = n;
    j->map = m; /* the job holds the only reference */
    return 1;
}

int inputs_next(input_iter *it, input_job *j)
{
    for (;;) {
        if (it->sp == 0) {
            if (it->argi >= it->nargs)
                return -1;
            const char *arg = it->args[it->argi++];
            if (strcmp(arg, "-") == 0 ? open_stdin(it, j) : open_path(it, arg, 0, j))
                return 0;
            continue;
        }
        frame *f = &it->st[it->sp - 1];
        if (f->kind == F_MBOX) {
            if (mbox_next(f, j))
                return 0;
        } else if (f->i < f->n) {
            const char *name = f->names + f->off[f->i++];
            size_t pl = strlen(f->path);
            char *child = malloc(pl + strlen(name) + 2);
            if (!child) {
                job_error(j, f->path, "nomem", "out of memory");
                return 0;
            }
            sprintf(child, "%s%s%s", f->path, (pl && f->path[pl - 1] == '/') ? "" : "/", name);
            int got = open_path(it, child, f->depth + 1, j); /* may move it->st */
            free(child);
            if (got)
                return 0;
            continue;
        }
        frame_free(&it->st[--it->sp]);
    }
}

/* ---- the list form (all jobs at once), on top of the iterator */

void inputs_init(input_list *l)
{
    memset(l, 0, sizeof *l);
}

void inputs_free(input_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        inputs_job_free(&l->jobs[i]);
    free(l->jobs);
    memset(l, 0, sizeof *l);
}

void inputs_add(input_list *l, const char *arg)
{
    char *a = (char *)arg;
    input_iter *it = inputs_open(&a, 1);
    input_job j;
    while (it && inputs_next(it, &j) == 0) {
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
        l->jobs[l->n++] = j;
    }
    inputs_close(it);
}
