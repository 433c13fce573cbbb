/*
 * sender.h - what the receiving site said about the mail (SPF, DKIM, DMARC,
 * spam-filter verdicts), why the subject carries its tag, and how the
 * sender's identities line up (From, Return-Path, Reply-To, DKIM d=, origin).
 *
 * Only Authentication-Results from the receiving site are trusted: the
 * authserv-id of the top-most Authentication-Results header, or one whose
 * registrable domain is the receiving site's (route.h), or one configured.
 * Anything a sender wrote below that is ignored and said so.
 */
#ifndef KENSA_SENDER_H
#define KENSA_SENDER_H

#include <stddef.h>

#include "../mime/message.h"
#include "route.h"

#define SENDER_MAX_DKIM 16
#define SENDER_MAX_NOTES 32

typedef struct {
    const char *ja, *en;
} sender_note; /* one-liners in both languages (arena strings) */

typedef struct {
    const char *result; /* pass|fail|softfail|neutral|none|temperror|permerror */
    char *domain;
    char *ip;     /* client IP the result is about, when known */
    char *reason;
} sender_spf;

typedef struct {
    const char *result; /* the same words */
    char *domain, *selector;
} sender_dkim;

typedef struct {
    const char *result; /* the same words */
    char *policy, *domain;
} sender_dmarc;

typedef struct {
    char *authserv_id;   /* whose results were used; NULL when none trusted */
    const char *authserv_why;
    int has_spf, has_dmarc;
    sender_spf spf;
    sender_dkim dkim[SENDER_MAX_DKIM];
    size_t ndkim;
    sender_dmarc dmarc;
    size_t ignored_authres; /* Authentication-Results from others, ignored */

    /* spam filters */
    int spam_flag;              /* X-Spam-Flag: 1 yes, 0 no, -1 absent */
    int has_sa_score;
    double sa_score, sa_required;
    char *sa_tests;             /* comma list */
    int has_rspamd;
    double rspamd_score, rspamd_required;
    int ms_scl;                 /* -2 absent */
    char *ms_sfv, *ms_cat;
    int ms_cat_spam;            /* EOP category or verdict says spam/phish/spoof/malware */
    int upstream_spam;          /* any filter of the receiving site called it spam */
    int mailing_list;           /* List-Id & co.: Return-Path/Reply-To rewriting expected */
    int is_bounce;              /* a delivery status notification (multipart/report, MAILER-DAEMON) */
    int has_unsubscribe;        /* List-Unsubscribe: what legitimate bulk senders must send */

    /* DKIM-Signature domains (d=) present in the message, signed or not */
    char *dkim_sig_domains[SENDER_MAX_DKIM];
    size_t ndkim_sig;

    sender_note tag_reasons[SENDER_MAX_NOTES]; /* why the server tagged it */
    size_t ntag_reasons;
    sender_note identity[SENDER_MAX_NOTES];    /* alignment facts */
    size_t nidentity;
    int from_return_path_mismatch, from_reply_to_mismatch, display_name_other_address;
} sender_result;

int sender_analyze(arena *a, const km_message *m, const route_result *route,
                   const char *authserv_id, sender_result *out);

#endif
