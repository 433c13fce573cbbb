/*
 * store.h - kensa's report store: every analyzed message once, by the
 * SHA-256 of its raw bytes, with the full JSON report and the columns the
 * trends read (received day, verdict, brand, lure, origin, sender domain,
 * lure link domains and TLDs, deadline facts, finding ids).
 *
 * Backends: a SQLite file (default; WAL, one writer, batched transactions)
 * or PostgreSQL through a libpq conninfo, with the same schema, so several
 * ingesting hosts can share one store. Inserts are idempotent (INSERT ...
 * ON CONFLICT DO NOTHING on the SHA-256), which is also what makes an
 * interrupted ingest safe to run again. The schema is versioned
 * (table schema_version) and upgraded by the migrations in store.c; a store
 * newer than this kensa is refused rather than guessed at.
 *
 * A store handle is one connection, used by one thread at a time.
 */
#ifndef KENSA_STORE_H
#define KENSA_STORE_H

#include <stddef.h>

#include "../../include/kensa.h"
#include "../util/arena.h"

#define STORE_SCHEMA_VERSION 2
#define STORE_MAX_LINKS 64     /* distinct link domains indexed per message */
#define STORE_MAX_FINDINGS 64  /* finding ids indexed per message */
#define STORE_MAX_SUBJECT 400  /* bytes of the (defanged) subject kept as an example */

typedef struct store store;

/* One link domain of a message, as indexed. lure: the domain is not one of
 * the claimed brand's own (the link leads somewhere else). */
typedef struct {
    const char *domain, *tld;
    int lure;
    long long age_days; /* -1 when unknown (offline analysis) */
} store_link;

/* The indexed columns of one report. Strings are in the arena passed to
 * store_row_from_report(); NULL means SQL NULL. */
typedef struct {
    char sha256[65];
    const char *path;
    long long size;
    const char *received_at;  /* ISO 8601 with offset: top Received, else Date */
    long long received_epoch; /* UTC seconds, valid when received_at */
    char received_day[11];    /* "YYYY-MM-DD" in the mail's own offset, "" when no date */
    const char *subject;      /* defanged, at most STORE_MAX_SUBJECT bytes */
    const char *verdict;
    double score;
    const char *brand_id, *brand_name, *brand_name_en;
    int impersonated;
    const char *lure;
    const char *origin_ip, *origin_provider, *origin_as_org, *origin_country;
    long long origin_asn;     /* 0 when unknown */
    const char *sender_domain;
    const char *deadline;     /* ISO 8601 or NULL */
    int deadline_weekend, deadline_month_end;
    int deadline_has_hours;   /* deadline_hours valid (the receipt time is known) */
    double deadline_hours;
    store_link links[STORE_MAX_LINKS];
    size_t nlinks;
    const char *findings[STORE_MAX_FINDINGS];
    size_t nfindings;
    const char *findings_list; /* the ids space-separated, in report order */
    const char *json;          /* the full report, compact JSON */
} store_row;

/* Extract the indexed columns and render the compact JSON of r into *out,
 * all strings in arena a (which must outlive *out). Returns 0, or -1 when
 * memory or a bound ran out. */
int store_row_from_report(const kensa_report *r, arena *a, store_row *out);

/* Open: pg_conninfo non-NULL selects PostgreSQL, else the SQLite file
 * sqlite_path. create: make the SQLite file when missing (ingest; trends
 * passes 0 and gets an error instead). Either way the schema is created or
 * migrated to STORE_SCHEMA_VERSION. NULL + *err (malloc'd) on failure. */
store *store_open(const char *sqlite_path, const char *pg_conninfo, int create, char **err);
void store_close(store *s);
int store_is_pg(const store *s);
int store_schema_version(store *s, char **err); /* -1 on error */

/* Batching: rows put between begin and commit land together. */
int store_begin(store *s, char **err);
int store_commit(store *s, char **err);
void store_rollback(store *s);

/* Insert one row (idempotent). *inserted: 1 new, 0 already stored. */
int store_put(store *s, const store_row *row, int *inserted, char **err);

/* Number of stored reports; -1 on error. */
long long store_count(store *s, char **err);

/* The SHA-256 values already stored, as a sorted set for a quick "seen?"
 * before analysis (read-only once loaded, so shared by worker threads). */
typedef struct {
    unsigned char (*v)[32];
    size_t n;
} store_seen;
int store_seen_load(store *s, store_seen *out, char **err);
int store_seen_has(const store_seen *set, const char hex[65]);
void store_seen_free(store_seen *set);

/* For trends.c: the connection underneath. */
struct db *store_db(store *s);

#endif
