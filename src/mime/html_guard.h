/*
 * html_guard.h - a bound on the element nesting of an HTML part before
 * gumbo parses it (see html_guard.c).
 */
#ifndef KENSA_HTML_GUARD_H
#define KENSA_HTML_GUARD_H

#include <stddef.h>

/* Nesting kept: the corpus needs at most 593 by the guard's model; past this, gumbo's stack walks
 * would make a hostile part cost seconds. */
#define HTML_MAX_DEPTH 2048

/* NULL when s (n bytes) stays within max levels of nesting by the guard's
 * conservative model (or memory ran out: parse s). Else a malloc'd copy of
 * s without the start tags that would go deeper, its length in *out_len. */
char *html_depth_guard(const char *s, size_t n, size_t max, size_t *out_len);

#endif
