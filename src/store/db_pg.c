/*
 * db_pg.c - the PostgreSQL side of db.h (libpq): statements prepared once per
 * connection, every parameter sent as text, notices silenced (CREATE ... IF
 * NOT EXISTS talks), a lost connection reset on the next statement. db.c
 * calls in through d->pg_ops only, so programs that never open PostgreSQL
 * do not load libpq.
 */
#include "db_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* "?12" -> "$12" (the SQL is a constant of ours: no literals hold '?'). */
static int pg_sql(const char *sql, char *out, size_t cap)
{
    size_t n = strlen(sql);
    if (n >= cap)
        return -1;
    for (size_t i = 0; i <= n; i++)
        out[i] = (sql[i] == '?' && sql[i + 1] >= '0' && sql[i + 1] <= '9') ? '$' : sql[i];
    return 0;
}

static int pg_run(db *d, const char *sql, const db_val *p, int np, long long *changes,
                  db_row_cb cb, void *ctx, char **err)
{
    char text[DB_MAX_PARAMS][32];
    const char *vals[DB_MAX_PARAMS];
    if (np > DB_MAX_PARAMS) {
        db_set_err(err, "too many parameters");
        return -1;
    }
    for (int i = 0; i < np; i++) {
        switch (p[i].k) {
        case DBV_NULL:
            vals[i] = NULL;
            break;
        case DBV_TEXT:
            vals[i] = p[i].s;
            break;
        case DBV_INT:
            snprintf(text[i], sizeof text[i], "%lld", p[i].i);
            vals[i] = text[i];
            break;
        case DBV_REAL:
            snprintf(text[i], sizeof text[i], "%.17g", p[i].d);
            vals[i] = text[i];
            break;
        }
    }
    PGconn *pg = d->pg;
    char q[DB_MAX_SQL];
    if (pg_sql(sql, q, sizeof q) != 0) {
        db_set_err(err, "SQL constant too long");
        return -1;
    }
    if (PQstatus(pg) == CONNECTION_BAD) {
        /* the server went away (restart, network): a long-running process
         * (kensa serve / milter) reconnects on its next statement; the
         * prepared statements went with the old session */
        PQreset(pg);
        d->ncache = 0;
        if (PQstatus(pg) != CONNECTION_OK || PQsetClientEncoding(pg, "UTF8") != 0) {
            db_set_err(err, "PostgreSQL: connection lost: %s", PQerrorMessage(pg));
            return -1;
        }
    }
    cached *c = db_cache_find(d, sql);
    PGresult *res;
    if (!c && d->ncache < DB_CACHE) {
        c = &d->cache[d->ncache];
        snprintf(c->name, sizeof c->name, "k%d", d->ncache);
        res = PQprepare(pg, c->name, q, np, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            db_set_err(err, "PostgreSQL: %s", PQresultErrorMessage(res));
            PQclear(res);
            return -1;
        }
        PQclear(res);
        c->key = sql;
        d->ncache++;
    }
    if (c)
        res = PQexecPrepared(pg, c->name, np, vals, NULL, NULL, 0);
    else
        res = PQexecParams(pg, q, np, NULL, vals, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        db_set_err(err, "PostgreSQL: %s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    int ret = 0;
    if (cb && s == PGRES_TUPLES_OK) {
        int nr = PQntuples(res), nc = PQnfields(res);
        if (nc > DB_MAX_PARAMS)
            nc = DB_MAX_PARAMS;
        for (int r = 0; r < nr && ret == 0; r++) {
            const char *col[DB_MAX_PARAMS];
            for (int i = 0; i < nc; i++)
                col[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
            ret = cb(ctx, nc, col);
        }
    }
    if (changes) {
        const char *t = PQcmdTuples(res);
        *changes = t && *t ? atoll(t) : 0;
    }
    PQclear(res);
    return ret;
}

static void pg_close(db *d)
{
    PQfinish(d->pg);
    d->pg = NULL;
}

static const db_pg_ops pg_ops = {pg_run, pg_close};

db *db_open_pg(const char *conninfo, char **err)
{
    db *d = calloc(1, sizeof *d);
    if (!d) {
        db_set_err(err, "out of memory");
        return NULL;
    }
    PGconn *pg = PQconnectdb(conninfo);
    d->pg = pg;
    d->pg_ops = &pg_ops;
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        db_set_err(err, "PostgreSQL: %s", pg ? PQerrorMessage(pg) : "cannot connect");
        db_close(d);
        return NULL;
    }
    PQsetNoticeProcessor(pg, pg_quiet, NULL);
    if (PQsetClientEncoding(pg, "UTF8") != 0) {
        db_set_err(err, "PostgreSQL: cannot use UTF8: %s", PQerrorMessage(pg));
        db_close(d);
        return NULL;
    }
    return d;
}
