/*
 * human.h - the analyst's report as a writer-independent document model.
 *
 * hm_build() turns a kensa_report into a list of blocks (headings, paragraphs,
 * key/value tables, tables, lists, the body as preformatted text, collapsible
 * groups, images) in Japanese or English, built once from the facts every stage
 * produced. md.c, html.c and text.c render the same model; each escapes for
 * its own format. Every string in the model is already cleaned: valid UTF-8,
 * control characters replaced, bidi overrides made visible as <U+202E>, and
 * mail-derived text defanged (URLs and every link host). Writers must still
 * escape their own syntax. The model lives in its own arena, freed by hm_free().
 */
#ifndef KENSA_REPORT_HUMAN_H
#define KENSA_REPORT_HUMAN_H

#include <stddef.h>

#include "../util/arena.h"

struct kensa_report;

typedef enum {
    HS_PLAIN = 0, /* running text */
    HS_CODE,      /* technical value: address, domain, IP, URL, header line */
    HS_STRONG,    /* emphasis */
    HS_BAD,       /* emphasis, red in colour output (phishing, high) */
    HS_WARN,      /* emphasis, yellow (spam, suspicious, medium) */
    HS_GOOD,      /* emphasis, green (clean) */
    HS_MUTED      /* "not checked (offline)" and other absent facts */
} hm_style;

typedef struct {
    const char *text; /* cleaned UTF-8, no control characters */
    hm_style style;
} hm_span;

typedef struct {
    hm_span *v;
    size_t n, cap;
} hm_inline;

typedef enum {
    HB_TITLE,    /* document title (text) */
    HB_HEADING,  /* section heading, level 2 or 3 (text), id = stable anchor */
    HB_PARA,     /* paragraph (text) */
    HB_NOTE,     /* small print: sources, credits (text) */
    HB_LIST,     /* bullet list (items) */
    HB_OLIST,    /* numbered list (items) */
    HB_KV,       /* two-column label/value table (items: label, value, label, value...) */
    HB_TABLE,    /* ncols columns; items: header row then rows, row-major */
    HB_PRE,      /* preformatted text with newlines (text, one span) */
    HB_DETAILS,  /* start of a collapsible group (text = summary) */
    HB_END,      /* end of the group opened by HB_DETAILS */
    HB_IMAGE     /* data: URI in data, alt text in text */
} hm_kind;

typedef struct {
    hm_kind kind;
    int level;
    const char *id;
    hm_inline text;
    hm_inline *items;
    size_t nitems, capitems;
    size_t ncols;
    const char *data;
} hm_block;

typedef struct {
    arena *a;
    int ja;              /* 1: Japanese, 0: English */
    const char *lang;    /* "ja" / "en" */
    const char *label;   /* verdict label id (phishing, spam, suspicious, clean) */
    const char *title;   /* plain title for <title> */
    const char *subject; /* cleaned, defanged subject, NULL when absent */
    hm_block *v;
    size_t n, cap;
    int failed;          /* a bound was hit while building */
} hm_doc;

/* Build the model. NULL on OOM. */
hm_doc *hm_build(const struct kensa_report *r, const char *lang);
void hm_free(hm_doc *d);

/* Display width in terminal columns of UTF-8 text (East Asian wide = 2). */
size_t hm_width(const char *s);

/* Upper bound of every rendered report, bytes. */
#define HM_MAX_OUTPUT ((size_t)32 << 20)
/* Body text shown at most (bytes); the rest is cut with a note. */
#define HM_MAX_BODY ((size_t)64 << 10)
/* Screenshot PNG embedded at most (bytes). */
#define HM_MAX_IMAGE ((size_t)4 << 20)
/* Links detailed at most; the rest counted. */
#define HM_MAX_LINKS 50

#endif
