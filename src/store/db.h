/*
 * db.h - the one SQL connection the store talks through: SQLite (a file, WAL)
 * or PostgreSQL (libpq conninfo), behind the same few calls.
 *
 * SQL text given here is always a constant of the caller's (never built from
 * data); values travel only as bound parameters. Placeholders are written
 * SQLite-style "?1".."?N" and rewritten to "$1".."$N" for PostgreSQL. Rows
 * come back as text (NULL for SQL NULL), which both engines give exactly for
 * the integers, dates and names the store keeps. A connection is used by one
 * thread at a time; prepared statements are cached per SQL constant.
 */
#ifndef KENSA_STORE_DB_H
#define KENSA_STORE_DB_H

typedef struct db db;

typedef enum { DBV_NULL = 0, DBV_TEXT, DBV_INT, DBV_REAL } db_kind;

typedef struct {
    db_kind k;
    const char *s;
    long long i;
    double d;
} db_val;

static inline db_val db_text(const char *s)
{
    db_val v = {s ? DBV_TEXT : DBV_NULL, s, 0, 0};
    return v;
}
static inline db_val db_int(long long i)
{
    db_val v = {DBV_INT, 0, i, 0};
    return v;
}
static inline db_val db_real(double d)
{
    db_val v = {DBV_REAL, 0, 0, d};
    return v;
}
static inline db_val db_null(void)
{
    db_val v = {DBV_NULL, 0, 0, 0};
    return v;
}

#define DB_MAX_PARAMS 32
#define DB_MAX_SQL 4096 /* bytes of one SQL constant */

/* Open; on failure NULL and *err (malloc'd one-line reason). */
/* create: make the file when missing (ingest); 0 for readers (trends). */
db *db_open_sqlite(const char *path, int create, char **err);
db *db_open_pg(const char *conninfo, char **err);
void db_close(db *d);
int db_is_pg(const db *d);

/* Run one statement. *changes (may be NULL) gets the rows it changed.
 * Returns 0, or -1 with *err set (malloc'd). */
int db_exec(db *d, const char *sql, const db_val *p, int np, long long *changes, char **err);

/* Run a query; cb is called once per row with ncol text columns (NULL = SQL
 * NULL); a non-zero return from cb stops the query (db_query returns it). */
typedef int (*db_row_cb)(void *ctx, int ncol, const char *const *col);
int db_query(db *d, const char *sql, const db_val *p, int np, db_row_cb cb, void *ctx,
             char **err);

/* Transactions: SQLite takes the write lock at BEGIN (IMMEDIATE), so one
 * writer at a time and no deadlock on upgrade. */
int db_begin(db *d, char **err);
int db_commit(db *d, char **err);
void db_rollback(db *d);

#endif
