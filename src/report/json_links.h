#ifndef KENSA_JSON_LINKS_H
#define KENSA_JSON_LINKS_H

#include <jansson.h>

#include "jw.h"
#include "report.h"

/* links[] (value): per link the contract's keys and kensa's extras, then
 * what offline intel (facts: one per link, or NULL) and --online (online, or
 * NULL) know about it. */
void report_json_links_write(jw *w, const links_result *r, const link_facts *facts,
                             const online_result *online);
/* links[] without intel or online facts, as a jansson tree (tests, fuzzers). */
json_t *report_json_links(const links_result *r);

#endif
