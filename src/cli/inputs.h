/*
 * inputs.h - turn the command line's INPUT... into an ordered list of jobs:
 * one per message. A file is one message unless it is an mbox (first line
 * "From "), which gives one job per message inside; a directory (Maildir or
 * not) is walked recursively in name order; "-" is standard input.
 * Symlink loops are cut, unreadable entries become error jobs so a batch
 * never loses an input.
 */
#ifndef KENSA_INPUTS_H
#define KENSA_INPUTS_H

#include <stddef.h>

typedef struct input_map input_map;

typedef struct {
    char *label;       /* what reports and errors call it: path, "path#3", "-" */
    char *path;        /* file to read in the worker, or NULL when data is set */
    const char *data;  /* preloaded bytes (stdin, mbox slice), not owned */
    size_t len;
    const char *err_code; /* set when the input already failed (static) */
    char *err_msg;
    input_map *map;    /* holds data: an mmap'd mbox or the stdin buffer (refcounted) */
    int fd1;           /* path's descriptor + 1, kept open from the peek (0 = none) */
    size_t size;       /* path's size when fd1 is set */
} input_job;

typedef struct {
    input_job *jobs;
    size_t n, cap;
} input_list;

#define INPUT_MAX_FILE ((size_t)1 << 30) /* bytes read from one file or stdin */
#define INPUT_MBOX_READ_MAX ((size_t)4 << 20) /* a larger mbox is mmap'd, not read */
#define INPUT_MAX_DEPTH 64              /* directory recursion */

void inputs_init(input_list *l);
void inputs_free(input_list *l);
/* Adds the jobs for one command-line argument. Never fails: problems become
 * error jobs. */
void inputs_add(input_list *l, const char *arg);

/* Streaming form (the batch path): jobs are produced one at a time, so a
 * batch of any length holds only the jobs in flight. Directories are listed
 * one at a time (names of one directory, sorted), an mbox is mmap'd and split
 * as it is read, and the pages of messages already done are given back.
 * Same jobs, same order and labels as inputs_add. */
typedef struct input_iter input_iter;
input_iter *inputs_open(char *const *args, int nargs);
/* Plain files' jobs keep the descriptor opened to peek at them (fd1), for
 * inputs_read_job: only for a consumer that holds few jobs at a time. */
void inputs_keep_fds(input_iter *it);
/* Fills *j (owned by the caller: inputs_job_free). Returns 0, or -1 at the end. */
int inputs_next(input_iter *it, input_job *j);
/* Frees a job's strings and its hold on mbox bytes. Free the jobs of one
 * input in order: an mbox's pages before a freed job are released. */
void inputs_job_free(input_job *j);
void inputs_close(input_iter *it);

/* Read a whole file, bounded by INPUT_MAX_FILE. Returns 0 or -1 with a
 * static reason in *why. *out is malloc'd. */
int inputs_read_file(const char *path, char **out, size_t *len, const char **why);

/* Read job j's file (its kept descriptor, else its path) into *buf, a
 * malloc'd buffer of *cap bytes reused from job to job (grown as needed;
 * NULL/0 at first). Bounded by INPUT_MAX_FILE. 0, or -1 with *why. */
int inputs_read_job(input_job *j, char **buf, size_t *cap, size_t *len, const char **why);

#endif
