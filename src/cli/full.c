/*
 * full.c - the offline `kensa` binary's door to `kensa-full`.
 *
 * `kensa` is linked without libcurl, libunbound, libopendkim, libpq,
 * libmicrohttpd and libmilter: loading and relocating those and the ~30
 * libraries they pull in (GnuTLS, Kerberos, LDAP, nghttp2, ...) cost ~20 ms
 * of CPU per process, far more than analyzing one mail. What needs them
 * (analyze/ingest --online, --pg, serve, milter) is in `kensa-full`, the same
 * program linked with everything. The stand-ins below take the place of the
 * functions that lead there and re-execute kensa-full with the same
 * arguments and environment (git does the same with git-remote-https and
 * libcurl). They are called before any input is read or output written:
 * online_open() from kensa_open(), db_open_pg() from store_open(),
 * cmd_serve()/cmd_milter() from main().
 *
 * kensa-full is looked for in KENSA_FULL (a path), then beside this program
 * (/proc/self/exe), then in KENSA_LIBEXEC_DIR.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "server_cmds.h"
#include "../online/online.h"
#include "../store/db.h"

#ifndef KENSA_LIBEXEC_DIR
#define KENSA_LIBEXEC_DIR "/usr/local/libexec/kensa"
#endif

static void try_exec(const char *path)
{
    if (path && *path && access(path, X_OK) == 0) {
        fflush(NULL);
        execv(path, kensa_main_argv);
    }
}

void kensa_exec_full(const char *why, char **err)
{
    char self[PATH_MAX], beside[PATH_MAX + 16];
    try_exec(getenv("KENSA_FULL"));
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    beside[0] = '\0';
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            slash[1] = '\0';
            snprintf(beside, sizeof beside, "%skensa-full", self);
            try_exec(beside);
        }
    }
    try_exec(KENSA_LIBEXEC_DIR "/kensa-full");
    if (!err)
        return;
    free(*err);
    *err = NULL;
    if (asprintf(err, "%s%sneeds kensa-full, not found as %s%s%s/kensa-full%s", why ? why : "",
                 why ? " " : "", beside[0] ? beside : "", beside[0] ? ", " : "",
                 KENSA_LIBEXEC_DIR, getenv("KENSA_FULL") ? " or $KENSA_FULL" : "") < 0)
        *err = NULL;
}

online_ctx *online_open(const online_config *cfg, const char *data_dir, char **err)
{
    (void)cfg;
    (void)data_dir;
    kensa_exec_full(NULL, err);
    return NULL;
}

/* online_open() never returns a context here: no online stage */
void online_close(online_ctx *c)
{
    (void)c;
}

int online_analyze(arena *a, const online_ctx *c, const struct intel_data *intel,
                   const struct kensa_report *r, online_result **out)
{
    (void)a, (void)c, (void)intel, (void)r;
    *out = NULL;
    return 0;
}

db *db_open_pg(const char *conninfo, char **err)
{
    (void)conninfo;
    kensa_exec_full("PostgreSQL", err);
    return NULL;
}

static int server_cmd(const char *name)
{
    char *err = NULL;
    kensa_exec_full(NULL, &err);
    fprintf(stderr, "kensa: %s: %s\n", name, err ? err : "cannot run kensa-full");
    free(err);
    return 1;
}

int cmd_serve(int argc, char **argv)
{
    (void)argc, (void)argv;
    return server_cmd("serve");
}

int cmd_milter(int argc, char **argv)
{
    (void)argc, (void)argv;
    return server_cmd("milter");
}
