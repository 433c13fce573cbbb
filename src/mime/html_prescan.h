/*
 * html_prescan.h - the contents of <style> elements removed before an HTML
 * part goes to gumbo (see html_prescan.c for when it does not apply).
 */
#ifndef KENSA_HTML_PRESCAN_H
#define KENSA_HTML_PRESCAN_H

#include <stddef.h>

/* Writes s without the text of its <style> elements to out (room for n
 * bytes) and returns its length; 0 when nothing was removed or the scan
 * gave up (then parse s as it is). */
size_t html_strip_style(const char *s, size_t n, char *out);

#endif
