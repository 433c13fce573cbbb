/*
 * db_int.h - what db.c (SQLite, the dispatch) and db_pg.c (PostgreSQL)
 * share. db.c reaches PostgreSQL only through d->pg_ops, set by
 * db_open_pg(), so linking db.o alone does not pull in libpq.
 */
#ifndef KENSA_STORE_DB_INT_H
#define KENSA_STORE_DB_INT_H

#include "db.h"

#define DB_CACHE 32 /* prepared statements kept per connection */

struct sqlite3;
struct sqlite3_stmt;

typedef struct {
    const char *key;           /* the caller's SQL constant (compared by address, then text) */
    struct sqlite3_stmt *st;
    char name[16];             /* PostgreSQL prepared statement name */
} cached;

typedef struct {
    int (*run)(db *d, const char *sql, const db_val *p, int np, long long *changes,
               db_row_cb cb, void *ctx, char **err);
    void (*close)(db *d);
} db_pg_ops;

struct db {
    struct sqlite3 *lite;
    void *pg;                  /* PGconn * (db_pg.c) */
    const db_pg_ops *pg_ops;
    cached cache[DB_CACHE];
    int ncache;
};

/* *err = the message, on one line (replaces what was there) */
void db_set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
cached *db_cache_find(db *d, const char *sql);

#endif
