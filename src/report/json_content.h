#ifndef KENSA_JSON_CONTENT_H
#define KENSA_JSON_CONTENT_H

#include <jansson.h>

#include "../content/content.h"
#include "jw.h"

/* The report's "content" value. */
void report_json_content_write(jw *w, const content_result *r);
/* The same as a jansson tree (tests and fuzzers). */
json_t *report_json_content(const content_result *r);

#endif
