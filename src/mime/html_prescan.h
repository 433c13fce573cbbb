/*
 * html_prescan.h - what no stage reads (the contents of <style>, <script>
 * and <title>, comments' text, runs of whitespace, the attributes no stage
 * reads), removed before an HTML part goes to gumbo (see html_prescan.c for
 * what exactly, and when it does not apply).
 */
#ifndef KENSA_HTML_PRESCAN_H
#define KENSA_HTML_PRESCAN_H

#include <stddef.h>

/* HTML's white space (tab, LF, FF, CR, space) */
static inline int html_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* The HTML tokenizer's end of a comment whose "<!--" ends at j: just past
 * "-->" or "--!>" ("<!-->" and "<!--->" end at once), with the end of its
 * text in *text_end; 0 when the comment does not end in s[0..n). */
size_t html_comment_close(const char *s, size_t n, size_t j, size_t *text_end);

/* Writes s without what no stage reads (among it the text of its <style>
 * elements and the attributes html_prescan_keeps_attr() says no to) to out
 * (room for n bytes), and returns its length; 0 when nothing was removed or
 * the scan gave up (then parse s as it is). */
size_t html_strip_style(const char *s, size_t n, char *out);

/* Text pieces html_prescan() sent to gumbo as markers (see html_prescan.c):
 * their text as gumbo would have put it in the tree, back to back; piece k
 * is text[k ? end[k - 1] : 0 .. end[k]). Zero it before the first use. */
typedef struct {
    char *text;
    size_t len;
    unsigned *end;
    size_t n, cap;
    size_t text_cap; /* room at text; a zeroed html_pieces may be reused */
} html_pieces;

/* html_strip_style(), and with pc also long runs of text as markers, whose
 * text html_pieces_expand() puts back into gumbo's tree of out. pc->n is 0
 * when none were made. */
size_t html_prescan(const char *s, size_t n, char *out, html_pieces *pc);

/* Puts the pieces' text back into the text nodes of a GumboOutput parsed
 * from html_prescan()'s out, with gumbo's allocator functions (the old text
 * goes to dealloc). 0, or -1 when memory ran out (the tree is then partly
 * expanded: do not use it). */
int html_pieces_expand(void *gumbo_output, const html_pieces *pc,
                       void *(*alloc)(void *, size_t), void (*dealloc)(void *, void *), void *ud);

void html_pieces_free(html_pieces *pc);

/* 1 if the prescan keeps attribute `name` (lower case, as gumbo names it)
 * on a start tag `tag` (lower case) of the HTML namespace */
int html_prescan_keeps_attr(const char *tag, const char *name);

#endif
