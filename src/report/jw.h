/*
 * jw.h - streaming JSON writer for the report.
 *
 * Writes, in one pass into a bounded buffer, the bytes jansson's json_dumps()
 * gave for the same tree with JSON_PRESERVE_ORDER and JSON_INDENT(2) (pretty)
 * or JSON_COMPACT: the report used to be built as a jansson tree only to be
 * dumped, which cost more than several analysis stages. Strings must be
 * valid UTF-8 (charset_utf8_valid(); jw_str_any() repairs them); escaping,
 * number formats and layout follow jansson 2.14 exactly.
 */
#ifndef KENSA_JW_H
#define KENSA_JW_H

#include <stddef.h>
#include <string.h>

#include "../util/kbuf.h"

#define JW_MAX_DEPTH 32
#define JW_MAX_BYTES ((size_t)1 << 30)

typedef struct {
    kbuf b;
    int pretty;
    int depth;                   /* open containers */
    unsigned count[JW_MAX_DEPTH]; /* members written in each */
    char kind[JW_MAX_DEPTH];      /* '{' or '[' */
    int err;                      /* buffer full, out of memory or misuse */
} jw;

void jw_init(jw *w, int pretty);
/* The document (malloc'd, NUL-terminated), or NULL after an error. Frees w. */
char *jw_finish(jw *w);
/* jw_finish, and the text's length in *len (no strlen over ~10 KB records) */
char *jw_finish_len(jw *w, size_t *len);
void jw_free(jw *w);

void jw_obj(jw *w);
void jw_arr(jw *w);
void jw_end(jw *w); /* closes the innermost object or array */
/* Starts the next member of the current object; the value follows. */
void jw_keyn(jw *w, const char *key, size_t n);
/* inline so that a literal key's length is known when compiling */
static inline void jw_key(jw *w, const char *key)
{
    jw_keyn(w, key, strlen(key));
}

void jw_null(jw *w);
void jw_bool(jw *w, int v);
void jw_int(jw *w, long long v);
void jw_real(jw *w, double v); /* finite only: jansson has no NaN or infinity */
/* key and value, or nothing when v is not finite (jansson dropped the member) */
void jw_key_real(jw *w, const char *key, double v);
/* s[0..n) must be valid UTF-8 */
void jw_strn(jw *w, const char *s, size_t n);
/* The value again whose bytes are w's output [from, to) (a string written
 * before): no second escaping pass over a long text. */
void jw_copy_value(jw *w, size_t from, size_t to);
/* NULL: null; invalid UTF-8: repaired (U+FFFD) by charset_utf8_sanitize() */
void jw_str_any(jw *w, const char *s);

#endif
