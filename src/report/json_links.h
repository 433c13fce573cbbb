/*
 * json_links.h - the report's links[] array (CONTRACT.md shape) from the
 * links stage's result. Online/intel facts are null here; src/intel and
 * src/online fill them later.
 */
#ifndef KENSA_JSON_LINKS_H
#define KENSA_JSON_LINKS_H

#include <jansson.h>

#include "../links/links.h"

json_t *report_json_links(const links_result *r);

#endif
