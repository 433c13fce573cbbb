/*
 * content.h - what the words of a mail say: language, lure theme, deadline,
 * machine-translation tells, phone numbers and lure-type attachments.
 *
 * Facts only, no scores of suspicion: src/verdict turns these into findings.
 * Input is the decoded message model (mime_parse()); text is scanned up to
 * CONTENT_MAX_TEXT bytes. The data (lure phrases, typo pairs, a table of
 * simplified-only Han characters) is loaded once and then only read, so one
 * content_data may be shared by every worker thread.
 */
#ifndef KENSA_CONTENT_H
#define KENSA_CONTENT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../mime/message.h"
#include "../util/arena.h"

#define CONTENT_MAX_TEXT ((size_t)1 << 20) /* bytes of subject + body scanned */
#define CONTENT_MAX_TELLS 32
#define CONTENT_MAX_PHONES 16
#define CONTENT_MAX_ATTACH 32
#define CONTENT_MAX_PHRASES 4096 /* lines of lures.tsv / typos.tsv */

typedef struct content_data content_data; /* read-only after load; shared by threads */

/* Load data_dir/lures.tsv and data_dir/typos.tsv. NULL + *err (malloc'd) on failure. */
content_data *content_data_load(const char *data_dir, char **err);
void content_data_free(content_data *d);
/* The look-alike and simplified-Han tables in the format of
 * data/cnorm_tables.tsv: those of d, or computed with ICU now (what
 * tools/cnorm_tables writes; the tests compare the file with it). 0 or -1. */
int content_tables_dump(const content_data *d, FILE *f);
int content_tables_dump_icu(FILE *f, char **err);

/* kind: "typo", "simplified_chinese", "split_word", "qmark_misconversion",
 * "width_mix", "zero_width", "lookalike_letters" */
typedef struct {
    const char *kind;
    char *text;       /* offending snippet, at most 40 characters */
    char *suggestion; /* what was probably meant, or NULL */
} mt_tell;

/* kind: "html", "svg", "disk_image", "archive", "executable", "double_extension", "rtlo" */
typedef struct {
    char *name; /* file name, bidi controls shown as <U+202E> */
    const char *kind;
    char *why;
} attach_fact;

/* A lure counts when its phrases score at least this (lures.tsv weights). */
#define CONTENT_LURE_MIN 2.0

typedef struct {
    const char *id;  /* lure id as in lures.tsv */
    const char *cls; /* its class (lures.tsv "@class"): credential, theme, scam, spam,
                        attachment */
    double score;
    char *evidence; /* matched phrases, "; "-separated */
} content_lure_score;

typedef struct {
    const char *language; /* "ja", "en", "other" */
    const char *lure;     /* best lure id, or NULL */
    double lure_score;
    char *lure_evidence;
    content_lure_score *lures; /* every lure with score > 0, best first */
    size_t nlures;

    char *deadline; /* ISO 8601 with offset, or NULL */
    char *deadline_text;
    double deadline_hours; /* from receipt; valid when deadline && deadline_has_receipt */
    int deadline_has_receipt;
    int deadline_has_hours; /* a time of day (or a relative hour count) was written */
    int deadline_weekend, deadline_month_end, deadline_off_hours;

    mt_tell *tells;
    size_t ntells;
    char **phones; /* E.164 ("+81312345678") */
    size_t nphones;
    attach_fact *attach;
    size_t nattach;
    const char *document; /* name of the first attached document (PDF, Office), or NULL */
    char *subject_random_token; /* a random-looking ID in the subject ("fg46qFdZiRVH3jI") */
} content_result;

/* Fill *out (all strings in arena a). Returns 0, or -1 when the arena is exhausted. */
int content_analyze(arena *a, const content_data *d, const km_message *m, content_result *out);

/* Does a registrable label (without TLD) look machine-generated ("ujmlges", "qzcta")?
 * Returns 1 (hit) or 0; *score (may be NULL) gets the evidence score (hit at >= 1.0). */
int content_random_domain(const char *label, double *score);

/* ---- deadline parser, exposed for tests and fuzzing ---- */
typedef struct {
    int found;
    char iso[40];          /* "2026-01-31T17:00:00+09:00" */
    char text[160];        /* the matched text (NFKC) */
    long long epoch;       /* UTC seconds */
    int offset_min;        /* zone of the deadline, minutes east of UTC */
    int has_hours, weekend, month_end, off_hours;
    double hours;          /* from receipt, valid when has_receipt */
    int has_receipt;
} content_deadline;

/* Find the deadline in NFKC-normalized UTF-8 text. receipt: ISO 8601 with
 * offset or NULL. ja: the text is Japanese (dates read in JST). lure_pos /
 * nlure_pos: byte offsets of lure phrase matches in text (a date in the same
 * sentence counts as a deadline). Returns 1 when found. */
int content_deadline_find(const char *text, size_t len, const char *receipt, int ja,
                          const size_t *lure_pos, size_t nlure_pos, content_deadline *out);

/* Parse "YYYY-MM-DDTHH:MM:SS+HH:MM" (also Z, no seconds). 0 on success. */
int content_parse_iso(const char *s, long long *epoch, int *offset_min);

#endif
