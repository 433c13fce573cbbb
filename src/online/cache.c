/*
 * cache.c - lookup cache in SQLite: (kind, key) -> value until expires.
 *
 * Kinds and their TTLs are chosen by the callers: "reg" registration dates
 * (7 days), "dbl" domain blocklist answers (1 hour). Live-site checks and
 * authentication are never cached (they are about now and about this
 * message). One connection per analysis, shared by its threads under the
 * run's lock. Any cache error just means a cache miss.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

sqlite3 *ocache_open(const char *path)
{
    sqlite3 *db = NULL;
    if (!path)
        return NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                       SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 2000);
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL;"
                     "CREATE TABLE IF NOT EXISTS cache (kind TEXT NOT NULL, key TEXT NOT NULL,"
                     " value TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (kind, key));",
                     NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

void ocache_close(sqlite3 *db)
{
    sqlite3_close(db);
}

char *ocache_get(orun *o, const char *kind, const char *key)
{
    if (!o->cache)
        return NULL;
    char *out = NULL;
    pthread_mutex_lock(&o->mu);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(o->cache,
                           "SELECT value FROM cache WHERE kind = ?1 AND key = ?2 AND expires > ?3",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            out = v ? strdup((const char *)v) : NULL;
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&o->mu);
    return out;
}

void ocache_put(orun *o, const char *kind, const char *key, const char *value, long ttl_s)
{
    if (!o->cache || !value)
        return;
    pthread_mutex_lock(&o->mu);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(o->cache,
                           "INSERT OR REPLACE INTO cache (kind, key, value, expires)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)(time(NULL) + ttl_s));
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&o->mu);
}
