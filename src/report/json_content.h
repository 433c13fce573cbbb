/*
 * json_content.h - the contract's `content` object from a content_result.
 */
#ifndef KENSA_JSON_CONTENT_H
#define KENSA_JSON_CONTENT_H

#include <jansson.h>

#include "../content/content.h"

/* {language, lure, deadline, deadline_text, phones[]} plus deadline_facts,
 * mt_tells, attachments, lure_evidence, lure_scores. New reference; NULL r -> null. */
json_t *report_json_content(const content_result *r);

#endif
