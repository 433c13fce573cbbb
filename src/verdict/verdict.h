/*
 * verdict.h - the only stage that judges. It reads the facts every earlier
 * stage produced and turns them into findings with stable ids, a score and a
 * label (phishing / spam / suspicious / clean). Weights, severities, wording
 * and thresholds are data (data/rules.tsv); the code decides only which facts
 * make which finding and what evidence to quote.
 */
#ifndef KENSA_VERDICT_H
#define KENSA_VERDICT_H

#include <stddef.h>

#include "../util/arena.h"

struct kensa_report;

typedef struct verdict_rules verdict_rules;

typedef struct {
    const char *id;
    const char *severity;             /* info|low|medium|high */
    double score;
    const char *summary_ja, *summary_en; /* from rules.tsv */
    char *evidence;                   /* the concrete facts, quoted */
} finding;

#define VERDICT_MAX_FINDINGS 64

typedef struct {
    finding v[VERDICT_MAX_FINDINGS];
    size_t n;
    double score;
    const char *label;     /* phishing|spam|suspicious|clean */
    const char *why;       /* which rule of the label applied (English) */
} verdict_result;

verdict_rules *verdict_rules_load(const char *data_dir, char **err);
void verdict_rules_free(verdict_rules *r);

int verdict_run(arena *a, const verdict_rules *rules, const struct kensa_report *r,
                verdict_result *out);

#endif
