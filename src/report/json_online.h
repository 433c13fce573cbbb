/*
 * json_online.h - the --online facts in the JSON report (jw.h writer).
 */
#ifndef KENSA_JSON_ONLINE_H
#define KENSA_JSON_ONLINE_H

#include "../online/online.h"
#include "jw.h"

/* The checked facts of link i, or NULL (offline, or link not checked). */
const online_link *report_online_link(const online_result *res, size_t i);
/* The link's "online" object (value only). */
void report_json_online_link_extra(jw *w, const online_link *l);
/* One verified SPF/DKIM/DMARC result as an auth object (value only). */
void report_json_online_auth_obj(jw *w, const online_auth *a, int dkim, int dmarc);
/* auth.verified (value only). */
void report_json_online_verified(jw *w, const online_result *res);
/* The top-level "online" value: null when offline. */
void report_json_online(jw *w, const online_result *res);

#endif
