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

typedef struct {
    char *label;       /* what reports and errors call it: path, "path#3", "-" */
    char *path;        /* file to read in the worker, or NULL when data is set */
    const char *data;  /* preloaded bytes (stdin, mbox slice), not owned */
    size_t len;
    const char *err_code; /* set when the input already failed (static) */
    char *err_msg;
} input_job;

typedef struct {
    input_job *jobs;
    size_t n, cap;
    char **buffers; /* owned preloaded buffers (mbox files, stdin) */
    size_t nbuf, capbuf;
} input_list;

#define INPUT_MAX_FILE ((size_t)1 << 30) /* bytes read from one file or stdin */
#define INPUT_MAX_DEPTH 64              /* directory recursion */

void inputs_init(input_list *l);
void inputs_free(input_list *l);
/* Adds the jobs for one command-line argument. Never fails: problems become
 * error jobs. */
void inputs_add(input_list *l, const char *arg);

/* Read a whole file, bounded by INPUT_MAX_FILE. Returns 0 or -1 with a
 * static reason in *why. *out is malloc'd. */
int inputs_read_file(const char *path, char **out, size_t *len, const char **why);

#endif
