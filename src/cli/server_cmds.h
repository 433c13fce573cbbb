/*
 * server_cmds.h - `kensa serve` (HTTP API, src/server/http.c) and
 * `kensa milter` (libmilter, src/server/milter.c).
 *
 * src/cli/serve.c parses the command line into the configs below and runs
 * the server until SIGTERM/SIGINT; SIGHUP reloads the data (src/server/live.h). Both return the exit status (0 clean
 * shutdown, 1 usage error or cannot start).
 */
#ifndef KENSA_SERVER_CMDS_H
#define KENSA_SERVER_CMDS_H

#include <stddef.h>

#include "../../include/kensa.h"

int cmd_serve(int argc, char **argv);
int cmd_milter(int argc, char **argv);

/* kensa serve */
typedef struct {
    const char *host;          /* numeric address or name, bound exactly */
    unsigned port;
    const char *db, *pg;       /* the store (both NULL: no store, 404 for reports/trends) */
    const char *token;         /* bearer token for /v1/... (NULL: none) */
    size_t max_body;           /* bytes of one POST body (413 beyond) */
    unsigned max_concurrent;   /* /v1 requests in flight (503 beyond) */
    unsigned timeout_s;        /* idle connection timeout */
    double analysis_timeout_s; /* analysis time per request (503 timeout beyond) */
    int online;                /* allow ?online=1 */
    kensa_options opts;        /* offline analysis options (online forced 0/1 per ctx) */
} http_config;

int http_serve(const http_config *c);

/* verdict labels the milter acts on, as a bit per label */
enum { MV_PHISHING = 1, MV_SPAM = 2, MV_SUSPICIOUS = 4, MV_CLEAN = 8 };

/* kensa milter */
typedef struct {
    const char *listen;        /* "inet:PORT@HOST" or "unix:PATH" (libmilter syntax) */
    const char *db, *pg;       /* store the reports when set */
    const char *tag[4];        /* subject prefix per label (phishing, spam, suspicious,
                                  clean), NULL: none */
    unsigned reject;           /* MV_* labels answered with 550 */
    unsigned quarantine;       /* MV_* labels put on hold (smfi_quarantine) */
    int fail_closed;           /* internal error / timeout: tempfail instead of accept */
    double timeout_s;          /* analysis time per message (slot wait included) */
    unsigned max_concurrent;   /* analyses at once (more wait, within the timeout) */
    size_t max_message;        /* bytes of headers + body kept per message */
    kensa_options opts;
} milter_config;

int milter_serve(const milter_config *c);

#endif
