/*
 * db.c - SQLite and PostgreSQL behind one small interface. See db.h.
 *
 * SQLite: WAL journal, synchronous=NORMAL (a crash loses at most the last
 * transactions, never consistency), a busy timeout so a second writer waits
 * instead of failing. PostgreSQL: libpq, statements prepared once per
 * connection, every parameter sent as text, notices silenced (CREATE ... IF
 * NOT EXISTS talks) - in db_pg.c, reached through d->pg_ops, so a program
 * that never calls db_open_pg() does not link libpq (the offline kensa
 * binary, see src/cli/full.c). Nothing here knows the schema.
 */
#include "db_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#define DB_BUSY_MS 60000     /* SQLite: how long a writer waits for the lock */

void db_set_err(char **err, const char *fmt, ...)
{
    if (!err)
        return;
    free(*err);
    *err = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(err, fmt, ap) < 0)
        *err = NULL;
    va_end(ap);
    if (*err) { /* one line */
        size_t n = strlen(*err);
        while (n && ((*err)[n - 1] == '\n' || (*err)[n - 1] == ' '))
            (*err)[--n] = '\0';
        for (char *p = *err; *p; p++)
            if (*p == '\n')
                *p = ' ';
    }
}

db *db_open_sqlite(const char *path, int create, char **err)
{
    struct stat st;
    if (!create && stat(path, &st) != 0) {
        db_set_err(err, "%s: no store there (run kensa ingest first)", path);
        return NULL;
    }
    db *d = calloc(1, sizeof *d);
    if (!d) {
        db_set_err(err, "out of memory");
        return NULL;
    }
    int fl = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &d->lite, fl, NULL) != SQLITE_OK) {
        db_set_err(err, "%s: %s", path, d->lite ? sqlite3_errmsg(d->lite) : "cannot open");
        db_close(d);
        return NULL;
    }
    sqlite3_busy_timeout(d->lite, DB_BUSY_MS);
    char *msg = NULL;
    if (sqlite3_exec(d->lite, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
                     &msg) != SQLITE_OK) {
        db_set_err(err, "%s: %s", path, msg ? msg : "cannot set WAL mode");
        sqlite3_free(msg);
        db_close(d);
        return NULL;
    }
    return d;
}

void db_close(db *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->ncache; i++)
        if (d->cache[i].st)
            sqlite3_finalize(d->cache[i].st);
    if (d->lite)
        sqlite3_close(d->lite);
    if (d->pg)
        d->pg_ops->close(d);
    free(d);
}

int db_is_pg(const db *d)
{
    return d && d->pg;
}

cached *db_cache_find(db *d, const char *sql)
{
    for (int i = 0; i < d->ncache; i++)
        if (d->cache[i].key == sql || strcmp(d->cache[i].key, sql) == 0)
            return &d->cache[i];
    return NULL;
}

/* SQLite: a prepared, bound statement (cached, or *tmp = 1 to finalize). */
static sqlite3_stmt *lite_prepare(db *d, const char *sql, const db_val *p, int np, int *tmp,
                                  char **err)
{
    cached *c = db_cache_find(d, sql);
    sqlite3_stmt *st = c ? c->st : NULL;
    *tmp = 0;
    if (!st) {
        if (sqlite3_prepare_v2(d->lite, sql, -1, &st, NULL) != SQLITE_OK) {
            db_set_err(err, "SQLite: %s", sqlite3_errmsg(d->lite));
            return NULL;
        }
        if (d->ncache < DB_CACHE) {
            d->cache[d->ncache].key = sql;
            d->cache[d->ncache].st = st;
            d->ncache++;
        } else {
            *tmp = 1;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (int i = 0; i < np; i++) {
        int rc = SQLITE_OK;
        switch (p[i].k) {
        case DBV_NULL:
            rc = sqlite3_bind_null(st, i + 1);
            break;
        case DBV_TEXT:
            rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_TRANSIENT);
            break;
        case DBV_INT:
            rc = sqlite3_bind_int64(st, i + 1, p[i].i);
            break;
        case DBV_REAL:
            rc = sqlite3_bind_double(st, i + 1, p[i].d);
            break;
        }
        if (rc != SQLITE_OK) {
            db_set_err(err, "SQLite: bind %d: %s", i + 1, sqlite3_errmsg(d->lite));
            if (*tmp)
                sqlite3_finalize(st);
            return NULL;
        }
    }
    return st;
}

static int lite_run(db *d, const char *sql, const db_val *p, int np, long long *changes,
                    db_row_cb cb, void *ctx, char **err)
{
    int tmp;
    sqlite3_stmt *st = lite_prepare(d, sql, p, np, &tmp, err);
    if (!st)
        return -1;
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!cb)
            continue;
        int nc = sqlite3_column_count(st);
        const char *col[DB_MAX_PARAMS];
        if (nc > DB_MAX_PARAMS)
            nc = DB_MAX_PARAMS;
        for (int i = 0; i < nc; i++)
            col[i] = (const char *)sqlite3_column_text(st, i);
        if ((ret = cb(ctx, nc, col)) != 0)
            break;
    }
    if (ret == 0 && rc != SQLITE_DONE) {
        db_set_err(err, "SQLite: %s", sqlite3_errmsg(d->lite));
        ret = -1;
    }
    if (ret == 0 && changes)
        *changes = sqlite3_changes(d->lite);
    if (tmp)
        sqlite3_finalize(st);
    else
        sqlite3_reset(st);
    return ret;
}

int db_exec(db *d, const char *sql, const db_val *p, int np, long long *changes, char **err)
{
    if (d->pg)
        return d->pg_ops->run(d, sql, p, np, changes, NULL, NULL, err);
    return lite_run(d, sql, p, np, changes, NULL, NULL, err);
}

int db_query(db *d, const char *sql, const db_val *p, int np, db_row_cb cb, void *ctx,
             char **err)
{
    if (d->pg)
        return d->pg_ops->run(d, sql, p, np, NULL, cb, ctx, err);
    return lite_run(d, sql, p, np, NULL, cb, ctx, err);
}

int db_begin(db *d, char **err)
{
    static const char *const lite = "BEGIN IMMEDIATE", *const pg = "BEGIN";
    return db_exec(d, d->pg ? pg : lite, NULL, 0, NULL, err);
}

int db_commit(db *d, char **err)
{
    static const char *const sql = "COMMIT";
    return db_exec(d, sql, NULL, 0, NULL, err);
}

void db_rollback(db *d)
{
    static const char *const sql = "ROLLBACK";
    char *err = NULL;
    db_exec(d, sql, NULL, 0, NULL, &err);
    free(err);
}
