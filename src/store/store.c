/*
 * store.c - schema, migrations and idempotent inserts. See store.h.
 *
 * The schema is written once for both engines (TEXT, BIGINT, INTEGER and
 * DOUBLE PRECISION mean the same thing to SQLite and PostgreSQL). Migrations
 * run in one transaction under a lock - SQLite's write lock (BEGIN
 * IMMEDIATE), PostgreSQL's advisory transaction lock - so two ingesters
 * starting together on an empty store cannot both create it. A report goes in
 * with INSERT ... ON CONFLICT DO NOTHING; its link and finding rows follow
 * only when the report row was new, in the same transaction.
 */
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"

struct store {
    db *d;
};

/* ---- schema: one entry per version, applied in order ---- */
typedef struct {
    int version;
    const char *const *sql; /* NULL-terminated */
} migration;

static const char *const m1[] = {
    "CREATE TABLE reports ("
    " sha256 TEXT PRIMARY KEY,"
    " path TEXT,"
    " size BIGINT,"
    " received_at TEXT,"
    " received_epoch BIGINT,"
    " received_day TEXT,"
    " subject TEXT,"
    " verdict TEXT NOT NULL,"
    " score DOUBLE PRECISION,"
    " brand_id TEXT,"
    " brand_name TEXT,"
    " brand_name_en TEXT,"
    " impersonated INTEGER NOT NULL DEFAULT 0,"
    " lure TEXT,"
    " origin_ip TEXT,"
    " origin_asn BIGINT,"
    " origin_provider TEXT,"
    " origin_as_org TEXT,"
    " origin_country TEXT,"
    " sender_domain TEXT,"
    " deadline TEXT,"
    " deadline_weekend INTEGER NOT NULL DEFAULT 0,"
    " deadline_month_end INTEGER NOT NULL DEFAULT 0,"
    " deadline_hours DOUBLE PRECISION,"
    " findings TEXT,"
    " report TEXT NOT NULL,"
    " ingested_at BIGINT)",
    "CREATE TABLE report_links ("
    " sha256 TEXT NOT NULL,"
    " domain TEXT NOT NULL,"
    " tld TEXT,"
    " lure INTEGER NOT NULL DEFAULT 1,"
    " age_days BIGINT,"
    " PRIMARY KEY (sha256, domain))",
    "CREATE TABLE report_findings ("
    " sha256 TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " PRIMARY KEY (sha256, id))",
    NULL,
};

/* version 2: the indexes the trends queries walk */
static const char *const m2[] = {
    "CREATE INDEX reports_day ON reports (received_day)",
    "CREATE INDEX reports_brand ON reports (brand_id, received_day)",
    "CREATE INDEX report_findings_id ON report_findings (id)",
    NULL,
};

static const migration migrations[] = {{1, m1}, {2, m2}};

static const char SQL_VERSION_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
static const char SQL_VERSION[] = "SELECT MAX(version) FROM schema_version";
static const char SQL_VERSION_ADD[] = "INSERT INTO schema_version (version) VALUES (?1)";
static const char SQL_PG_LOCK[] = "SELECT pg_advisory_xact_lock(7021996147)";

static const char SQL_PUT[] =
    "INSERT INTO reports (sha256, path, size, received_at, received_epoch, received_day,"
    " subject, verdict, score, brand_id, brand_name, brand_name_en, impersonated, lure,"
    " origin_ip, origin_asn, origin_provider, origin_as_org, origin_country, sender_domain,"
    " deadline, deadline_weekend, deadline_month_end, deadline_hours, findings, report,"
    " ingested_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"
    " ON CONFLICT (sha256) DO NOTHING";
static const char SQL_PUT_LINK[] =
    "INSERT INTO report_links (sha256, domain, tld, lure, age_days) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (sha256, domain) DO NOTHING";
static const char SQL_PUT_FINDING[] = "INSERT INTO report_findings (sha256, id) VALUES (?1, ?2)"
                                      " ON CONFLICT (sha256, id) DO NOTHING";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM reports";
static const char SQL_SEEN[] = "SELECT sha256 FROM reports";

static int first_int(void *ctx, int ncol, const char *const *col)
{
    long long *v = ctx;
    *v = ncol > 0 && col[0] ? atoll(col[0]) : 0;
    return 0;
}

static int migrate(store *s, char **err)
{
    if (db_begin(s->d, err) != 0)
        return -1;
    long long v = 0;
    if ((db_is_pg(s->d) && db_query(s->d, SQL_PG_LOCK, NULL, 0, NULL, NULL, err) != 0) ||
        db_exec(s->d, SQL_VERSION_TABLE, NULL, 0, NULL, err) != 0 ||
        db_query(s->d, SQL_VERSION, NULL, 0, first_int, &v, err) != 0)
        goto fail;
    if (v > STORE_SCHEMA_VERSION) {
        free(*err);
        if (asprintf(err, "store schema version %lld is newer than this kensa's (%d)", v,
                     STORE_SCHEMA_VERSION) < 0)
            *err = NULL;
        goto fail;
    }
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        const migration *m = &migrations[i];
        if (m->version <= v)
            continue;
        for (const char *const *q = m->sql; *q; q++)
            if (db_exec(s->d, *q, NULL, 0, NULL, err) != 0)
                goto fail;
        db_val p = db_int(m->version);
        if (db_exec(s->d, SQL_VERSION_ADD, &p, 1, NULL, err) != 0)
            goto fail;
    }
    return db_commit(s->d, err);
fail:
    db_rollback(s->d);
    return -1;
}

store *store_open(const char *sqlite_path, const char *pg_conninfo, int create, char **err)
{
    store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->d = pg_conninfo ? db_open_pg(pg_conninfo, err)
                       : db_open_sqlite(sqlite_path ? sqlite_path : "kensa.db", create, err);
    if (!s->d || migrate(s, err) != 0) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    if (!s)
        return;
    db_close(s->d);
    free(s);
}

int store_is_pg(const store *s)
{
    return db_is_pg(s->d);
}

struct db *store_db(store *s)
{
    return s->d;
}

int store_schema_version(store *s, char **err)
{
    long long v = -1;
    if (db_query(s->d, SQL_VERSION, NULL, 0, first_int, &v, err) != 0)
        return -1;
    return (int)v;
}

int store_begin(store *s, char **err)
{
    return db_begin(s->d, err);
}

int store_commit(store *s, char **err)
{
    return db_commit(s->d, err);
}

void store_rollback(store *s)
{
    db_rollback(s->d);
}

int store_put(store *s, const store_row *r, int *inserted, char **err)
{
    db_val p[27] = {
        db_text(r->sha256),
        db_text(r->path),
        db_int(r->size),
        db_text(r->received_at),
        r->received_at ? db_int(r->received_epoch) : db_null(),
        db_text(r->received_day[0] ? r->received_day : NULL),
        db_text(r->subject),
        db_text(r->verdict),
        db_real(r->score),
        db_text(r->brand_id),
        db_text(r->brand_name),
        db_text(r->brand_name_en),
        db_int(r->impersonated),
        db_text(r->lure),
        db_text(r->origin_ip),
        r->origin_asn ? db_int(r->origin_asn) : db_null(),
        db_text(r->origin_provider),
        db_text(r->origin_as_org),
        db_text(r->origin_country),
        db_text(r->sender_domain),
        db_text(r->deadline),
        db_int(r->deadline_weekend),
        db_int(r->deadline_month_end),
        r->deadline && r->deadline_has_hours ? db_real(r->deadline_hours) : db_null(),
        db_text(r->findings_list),
        db_text(r->json),
        db_int((long long)time(NULL)),
    };
    long long ch = 0;
    *inserted = 0;
    if (db_exec(s->d, SQL_PUT, p, 27, &ch, err) != 0)
        return -1;
    if (ch == 0)
        return 0;
    *inserted = 1;
    for (size_t i = 0; i < r->nlinks; i++) {
        const store_link *l = &r->links[i];
        db_val q[5] = {db_text(r->sha256), db_text(l->domain), db_text(l->tld), db_int(l->lure),
                       l->age_days >= 0 ? db_int(l->age_days) : db_null()};
        if (db_exec(s->d, SQL_PUT_LINK, q, 5, NULL, err) != 0)
            return -1;
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        db_val q[2] = {db_text(r->sha256), db_text(r->findings[i])};
        if (db_exec(s->d, SQL_PUT_FINDING, q, 2, NULL, err) != 0)
            return -1;
    }
    return 0;
}

long long store_count(store *s, char **err)
{
    long long v = -1;
    if (db_query(s->d, SQL_COUNT, NULL, 0, first_int, &v, err) != 0)
        return -1;
    return v;
}

/* ---- the set of stored SHA-256 values ---- */
static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                              : -1;
}

static int unhex(const char *hex, unsigned char out[32])
{
    for (int i = 0; i < 32; i++) {
        int h = hexval(hex[2 * i]), l = h < 0 ? -1 : hexval(hex[2 * i + 1]);
        if (h < 0 || l < 0)
            return -1;
        out[i] = (unsigned char)(h << 4 | l);
    }
    return hex[64] == '\0' ? 0 : -1;
}

typedef struct {
    store_seen *set;
    size_t cap;
    int oom;
} seen_ctx;

static int seen_row(void *ctx, int ncol, const char *const *col)
{
    seen_ctx *c = ctx;
    unsigned char b[32];
    if (ncol < 1 || !col[0] || unhex(col[0], b) != 0)
        return 0;
    if (c->set->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        void *nv = realloc(c->set->v, nc * 32);
        if (!nv) {
            c->oom = 1;
            return 1;
        }
        c->set->v = nv;
        c->cap = nc;
    }
    memcpy(c->set->v[c->set->n++], b, 32);
    return 0;
}

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

int store_seen_load(store *s, store_seen *out, char **err)
{
    memset(out, 0, sizeof *out);
    seen_ctx c = {out, 0, 0};
    int rc = db_query(s->d, SQL_SEEN, NULL, 0, seen_row, &c, err);
    if (rc != 0 || c.oom) {
        if (c.oom && err && !*err)
            *err = strdup("out of memory loading the stored SHA-256 set");
        store_seen_free(out);
        return -1;
    }
    if (out->n)
        qsort(out->v, out->n, 32, cmp32);
    return 0;
}

int store_seen_has(const store_seen *set, const char hex[65])
{
    unsigned char b[32];
    if (!set || !set->n || unhex(hex, b) != 0)
        return 0;
    return bsearch(b, set->v, set->n, 32, cmp32) != NULL;
}

void store_seen_free(store_seen *set)
{
    free(set->v);
    memset(set, 0, sizeof *set);
}
