/*
 * html_text.h - the text a reader sees in an HTML part (gumbo, HTML5 tree
 * building as browsers do). Script, style, head, template and comments are
 * not shown; block elements and <br> break lines; runs of whitespace collapse.
 */
#ifndef KENSA_HTML_TEXT_H
#define KENSA_HTML_TEXT_H

#include <stddef.h>

#include "../util/arena.h"

/* html must be UTF-8. Returns the visible text in the arena (never NULL
 * unless the arena is exhausted). max bounds the output bytes. */
char *html_visible_text(arena *a, const char *html, size_t len, size_t max);

/* The gumbo tree of html (a GumboOutput *), shared by the stages that walk
 * the same part: the last tree parsed on this thread is kept (with a copy of
 * its bytes) and returned again for identical bytes. Owned by the cache:
 * valid until the next call on this thread; freed at thread exit. NULL when
 * gumbo fails. */
const void *html_parse_cached(const char *html, size_t len);

/* How many of this thread's html_parse_cached() calls since the last take
 * returned a tree parsed with the nesting bounded (html_guard.h); resets. */
unsigned html_guarded_take(void);

/* The charset named by a <meta charset> or <meta http-equiv content=...;
 * charset=...> in the first 4 KiB of raw bytes, in the arena, or NULL. */
char *html_sniff_meta_charset(arena *a, const char *raw, size_t len);

#endif
