/*
 * report.h - the analysis result every stage fills and every writer reads.
 * Owned by one arena; freed with kensa_report_free().
 */
#ifndef KENSA_REPORT_H
#define KENSA_REPORT_H

#include <stddef.h>

#include "../../include/kensa.h"
#include "../mime/message.h"
#include "../route/route.h"
#include "../route/sender.h"
#include "../verdict/verdict.h"
#include "../util/arena.h"

struct kensa_report {
    arena *a;
    char *path;        /* as given, or NULL for stdin */
    char sha256[65];   /* of the raw input bytes */
    size_t size;       /* raw input size */
    km_message *msg;
    const char *ip_attribution; /* credit for the IP data (context-owned), "" when absent */
    const char *psl_date;
    route_result route;
    sender_result sender;
    verdict_result verdict;
};

/* Writers: each returns a malloc'd NUL-terminated string. */
char *report_json(const struct kensa_report *r, int pretty);
char *report_text(const struct kensa_report *r, const char *lang);

#endif
