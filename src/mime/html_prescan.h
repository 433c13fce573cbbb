/*
 * html_prescan.h - what no stage reads (the contents of <style>, <script>
 * and <title>, comments' text, runs of whitespace, the attributes no stage
 * reads), removed before an HTML part goes to gumbo (see html_prescan.c for
 * what exactly, and when it does not apply).
 */
#ifndef KENSA_HTML_PRESCAN_H
#define KENSA_HTML_PRESCAN_H

#include <stddef.h>

/* Writes s without what no stage reads (among it the text of its <style>
 * elements and the attributes html_prescan_keeps_attr() says no to) to out
 * (room for n bytes), and returns its length; 0 when nothing was removed or
 * the scan gave up (then parse s as it is). */
size_t html_strip_style(const char *s, size_t n, char *out);

/* 1 if the prescan keeps attribute `name` (lower case, as gumbo names it)
 * on a start tag `tag` (lower case) of the HTML namespace */
int html_prescan_keeps_attr(const char *tag, const char *name);

#endif
