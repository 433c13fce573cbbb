/*
 * trends.c - the trends model from the store (trends_build()). See trends.h.
 *
 * Every query is a constant with bound parameters ?1 since, ?2 until,
 * ?3 "all" (1: no bounds, undated mail included) and ?4 a limit or a brand
 * id; the same text runs on SQLite and PostgreSQL. Ties are broken on
 * values, not on engine order, so both engines give the same rankings.
 */
#include "trends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/civil.h"
#include "db.h"

#define PERIOD " (?3 = 1 OR (received_day >= ?1 AND received_day <= ?2)) "
#define UNWANTED " verdict <> 'clean' "

static const char Q_RANGE[] = "SELECT MIN(received_day), MAX(received_day) FROM reports";
static const char Q_BEFORE[] = "SELECT COUNT(*) FROM reports WHERE received_day < ?1";
static const char Q_VERDICTS[] =
    "SELECT verdict, COUNT(*) FROM reports WHERE" PERIOD "GROUP BY verdict";
static const char Q_BRANDS[] =
    "SELECT brand_id, MAX(brand_name), MAX(brand_name_en), COUNT(*) FROM reports"
    " WHERE" PERIOD "AND impersonated = 1 AND brand_id IS NOT NULL"
    " GROUP BY brand_id ORDER BY COUNT(*) DESC, brand_id LIMIT ?4";
static const char Q_IMPERSONATED[] =
    "SELECT COUNT(*) FROM reports WHERE" PERIOD "AND impersonated = 1 AND brand_id IS NOT NULL";
static const char Q_BRANDS_PREV[] =
    "SELECT brand_id, COUNT(*) FROM reports"
    " WHERE" PERIOD "AND impersonated = 1 AND brand_id IS NOT NULL GROUP BY brand_id";
static const char Q_EXAMPLES[] =
    "SELECT subject, COALESCE(MAX(received_epoch), 0) FROM reports"
    " WHERE" PERIOD "AND impersonated = 1 AND brand_id = ?4 AND subject IS NOT NULL"
    " GROUP BY subject ORDER BY 2 DESC, subject LIMIT 3";
static const char Q_LURES[] =
    "SELECT lure, COUNT(*) FROM reports WHERE" PERIOD "AND" UNWANTED "AND lure IS NOT NULL"
    " GROUP BY lure ORDER BY COUNT(*) DESC, lure LIMIT ?4";
static const char Q_LURES_PREV[] =
    "SELECT lure, COUNT(*) FROM reports WHERE" PERIOD "AND" UNWANTED "AND lure IS NOT NULL"
    " GROUP BY lure";
static const char Q_PROVIDERS[] =
    "SELECT COALESCE(origin_provider, origin_as_org), origin_asn, COUNT(*) FROM reports"
    " WHERE" PERIOD "AND" UNWANTED
    "AND (origin_provider IS NOT NULL OR origin_as_org IS NOT NULL OR origin_asn IS NOT NULL)"
    " GROUP BY COALESCE(origin_provider, origin_as_org), origin_asn"
    " ORDER BY COUNT(*) DESC, COALESCE(origin_asn, 0),"
    " COALESCE(COALESCE(origin_provider, origin_as_org), '') LIMIT ?4";
static const char Q_COUNTRIES[] =
    "SELECT origin_country, COUNT(*) FROM reports WHERE" PERIOD "AND" UNWANTED
    "AND origin_country IS NOT NULL"
    " GROUP BY origin_country ORDER BY COUNT(*) DESC, origin_country LIMIT ?4";
static const char Q_TLDS[] =
    "SELECT l.tld, COUNT(DISTINCT l.sha256) FROM report_links l"
    " JOIN reports r ON r.sha256 = l.sha256"
    " WHERE" PERIOD "AND" UNWANTED "AND l.lure = 1 AND l.tld IS NOT NULL"
    " GROUP BY l.tld ORDER BY COUNT(DISTINCT l.sha256) DESC, l.tld LIMIT ?4";
static const char Q_DOMAINS[] =
    "SELECT l.domain, COUNT(DISTINCT l.sha256) FROM report_links l"
    " JOIN reports r ON r.sha256 = l.sha256"
    " WHERE" PERIOD "AND" UNWANTED "AND l.lure = 1"
    " GROUP BY l.domain ORDER BY COUNT(DISTINCT l.sha256) DESC, l.domain LIMIT ?4";
static const char Q_AGES[] =
    "SELECT COUNT(*),"
    " SUM(CASE WHEN l.age_days < 30 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN l.age_days >= 30 AND l.age_days < 365 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN l.age_days >= 365 THEN 1 ELSE 0 END)"
    " FROM report_links l JOIN reports r ON r.sha256 = l.sha256"
    " WHERE" PERIOD "AND" UNWANTED "AND l.lure = 1 AND l.age_days IS NOT NULL";
static const char Q_DEADLINES[] =
    "SELECT COUNT(*), SUM(deadline_weekend), SUM(deadline_month_end),"
    " SUM(CASE WHEN deadline_hours >= 0 AND deadline_hours <= 72 THEN 1 ELSE 0 END)"
    " FROM reports WHERE" PERIOD "AND" UNWANTED "AND deadline IS NOT NULL";
static const char Q_NEW_BRANDS[] =
    "SELECT brand_id, MAX(brand_name), MAX(brand_name_en), COUNT(*) FROM reports r"
    " WHERE" PERIOD "AND impersonated = 1 AND brand_id IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.brand_id = r.brand_id"
    " AND o.impersonated = 1 AND o.received_day < ?1)"
    " GROUP BY brand_id ORDER BY COUNT(*) DESC, brand_id LIMIT ?4";
static const char Q_NEW_LURES[] =
    "SELECT lure, COUNT(*) FROM reports r WHERE" PERIOD "AND" UNWANTED "AND lure IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.lure = r.lure"
    " AND o.verdict <> 'clean' AND o.received_day < ?1)"
    " GROUP BY lure ORDER BY COUNT(*) DESC, lure LIMIT ?4";

/* ---- days ---- */
/* "YYYY-MM-DD" of day z since 1970-01-01, the year clamped to 0-9999 */
static void day_text(long z, char out[11])
{
    int y, m, d;
    civil_from_days(z, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u, (unsigned)d % 32u);
}

long trends_parse_day(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    long y = atol(s);
    unsigned m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return -1;
    return (long)civil_days(y, m, d);
}

/* ---- row collectors ---- */
typedef struct {
    trends_model *m;
    trend_list *l;
    size_t cap;
    int kind; /* 0: id,count  1: brand id,name,name_en,count  2: provider name,asn,count */
    int fail;
} list_ctx;

static const char *dup(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static int list_row(void *ctx, int ncol, const char *const *col)
{
    list_ctx *c = ctx;
    int need = c->kind == 1 ? 4 : c->kind == 2 ? 3 : 2;
    if (ncol < need || c->l->n >= c->cap)
        return 0;
    trend_item *it = &c->l->v[c->l->n];
    memset(it, 0, sizeof *it);
    it->id = dup(c->m->a, col[0]);
    if (c->kind == 1) {
        it->name = dup(c->m->a, col[1]);
        it->name_en = dup(c->m->a, col[2]);
        it->count = col[3] ? atoll(col[3]) : 0;
    } else if (c->kind == 2) {
        it->asn = col[1] ? atoll(col[1]) : 0;
        it->count = col[2] ? atoll(col[2]) : 0;
    } else {
        it->count = col[1] ? atoll(col[1]) : 0;
    }
    if (col[0] && !it->id) {
        c->fail = 1;
        return 1;
    }
    c->l->n++;
    return 0;
}

static int run_list(store *s, trends_model *m, const char *sql, const db_val *p, int kind,
                    size_t cap, trend_list *l, char **err)
{
    l->v = arena_alloc(m->a, (cap ? cap : 1) * sizeof *l->v);
    l->n = 0;
    if (!l->v)
        return -1;
    list_ctx c = {m, l, cap, kind, 0};
    if (db_query(store_db(s), sql, p, 4, list_row, &c, err) != 0 || c.fail)
        return -1;
    return 0;
}

typedef struct {
    trend_list *l;
} prev_ctx;

static int prev_row(void *ctx, int ncol, const char *const *col)
{
    prev_ctx *c = ctx;
    if (ncol < 2 || !col[0])
        return 0;
    for (size_t i = 0; i < c->l->n; i++)
        if (c->l->v[i].id && strcmp(c->l->v[i].id, col[0]) == 0)
            c->l->v[i].previous = col[1] ? atoll(col[1]) : 0;
    return 0;
}

static int verdict_row(void *ctx, int ncol, const char *const *col)
{
    trends_model *m = ctx;
    static const char *const names[TV_N] = {"phishing", "spam", "suspicious", "clean"};
    if (ncol < 2)
        return 0;
    long long n = col[1] ? atoll(col[1]) : 0;
    m->total += n;
    for (int i = 0; i < TV_N; i++)
        if (col[0] && strcmp(col[0], names[i]) == 0)
            m->verdicts[i] += n;
    return 0;
}

typedef struct {
    long long v[4];
} ints4;

static int ints_row(void *ctx, int ncol, const char *const *col)
{
    ints4 *r = ctx;
    for (int i = 0; i < ncol && i < 4; i++)
        r->v[i] = col[i] ? atoll(col[i]) : 0;
    return 0;
}

typedef struct {
    char lo[11], hi[11];
} range_ctx;

static int range_row(void *ctx, int ncol, const char *const *col)
{
    range_ctx *r = ctx;
    if (ncol >= 2 && col[0] && col[1] && strlen(col[0]) == 10 && strlen(col[1]) == 10) {
        memcpy(r->lo, col[0], 11);
        memcpy(r->hi, col[1], 11);
    }
    return 0;
}

typedef struct {
    trend_item *it;
    arena *a;
} ex_ctx;

static int example_row(void *ctx, int ncol, const char *const *col)
{
    ex_ctx *c = ctx;
    if (ncol >= 1 && col[0] && c->it->nexamples < TRENDS_EXAMPLES)
        c->it->examples[c->it->nexamples++] = arena_strdup(c->a, col[0]);
    return 0;
}

int trends_build(store *s, const trends_query *q, trends_model *m, char **err)
{
    memset(m, 0, sizeof *m);
    m->a = arena_new(0);
    if (!m->a)
        return -1;
    db *d = store_db(s);
    size_t top = q->top ? q->top : 10;
    if (top > TRENDS_MAX_TOP)
        top = TRENDS_MAX_TOP;
    m->week = q->week;

    range_ctx rg = {"", ""};
    if (db_query(d, Q_RANGE, NULL, 0, range_row, &rg, err) != 0)
        return -1;
    long lo = -1, hi = -1;
    if (q->week) {
        hi = q->until ? trends_parse_day(q->until) : trends_parse_day(rg.hi);
        lo = hi >= 0 ? hi - 6 : -1;
    } else {
        m->all = !q->since && !q->until;
        lo = q->since ? trends_parse_day(q->since) : trends_parse_day(rg.lo);
        hi = q->until ? trends_parse_day(q->until) : trends_parse_day(rg.hi);
        if (lo < 0 && hi >= 0) /* --until before anything is stored: an empty period */
            lo = hi;
        if (hi < 0 && lo >= 0)
            hi = lo;
    }
    if (lo >= 0 && hi >= 0) {
        day_text(lo, m->since);
        day_text(hi, m->until);
        long len = hi - lo + 1;
        if (len < 1)
            len = 1;
        day_text(lo - len, m->prev_since);
        day_text(lo - 1, m->prev_until);
    } else if (!m->all) {
        return 0; /* empty store: an empty model */
    }

    db_val p[4] = {db_text(m->since), db_text(m->until), db_int(m->all), db_int((long long)top)};
    db_val pp[4] = {db_text(m->prev_since), db_text(m->prev_until), db_int(0),
                    db_int((long long)top)};
    if (db_query(d, Q_VERDICTS, p, 3, verdict_row, m, err) != 0)
        return -1;
    m->unwanted = m->total - m->verdicts[TV_CLEAN];
    if (!m->all) {
        ints4 pt = {{0}};
        trends_model tmp = {0};
        if (db_query(d, Q_VERDICTS, pp, 3, verdict_row, &tmp, err) != 0)
            return -1;
        m->prev_total = tmp.total;
        if (db_query(d, Q_BEFORE, p, 1, ints_row, &pt, err) != 0)
            return -1;
        m->history = pt.v[0] > 0;
    }
    if (run_list(s, m, Q_BRANDS, p, 1, top, &m->brands, err) != 0 ||
        run_list(s, m, Q_LURES, p, 0, top, &m->lures, err) != 0 ||
        run_list(s, m, Q_PROVIDERS, p, 2, top, &m->providers, err) != 0 ||
        run_list(s, m, Q_COUNTRIES, p, 0, top, &m->countries, err) != 0 ||
        run_list(s, m, Q_TLDS, p, 0, top, &m->tlds, err) != 0 ||
        run_list(s, m, Q_DOMAINS, p, 0, top, &m->domains, err) != 0)
        return -1;
    if (!m->all) {
        prev_ctx pc = {&m->brands};
        if (db_query(d, Q_BRANDS_PREV, pp, 3, prev_row, &pc, err) != 0)
            return -1;
        pc.l = &m->lures;
        if (db_query(d, Q_LURES_PREV, pp, 3, prev_row, &pc, err) != 0)
            return -1;
    }
    if (m->history && (run_list(s, m, Q_NEW_BRANDS, p, 1, top, &m->new_brands, err) != 0 ||
                       run_list(s, m, Q_NEW_LURES, p, 0, top, &m->new_lures, err) != 0))
        return -1;
    for (size_t i = 0; i < m->brands.n && i < TRENDS_EXAMPLE_BRANDS; i++) {
        db_val e[4] = {p[0], p[1], p[2], db_text(m->brands.v[i].id)};
        ex_ctx ec = {&m->brands.v[i], m->a};
        if (db_query(d, Q_EXAMPLES, e, 4, example_row, &ec, err) != 0)
            return -1;
    }
    ints4 dl = {{0}}, ag = {{0}}, im = {{0}};
    if (db_query(d, Q_IMPERSONATED, p, 3, ints_row, &im, err) != 0 ||
        db_query(d, Q_DEADLINES, p, 3, ints_row, &dl, err) != 0 ||
        db_query(d, Q_AGES, p, 3, ints_row, &ag, err) != 0)
        return -1;
    m->impersonated = im.v[0];
    m->dl_with = dl.v[0];
    m->dl_weekend = dl.v[1];
    m->dl_month_end = dl.v[2];
    m->dl_72h = dl.v[3];
    m->ages_known = ag.v[0];
    m->ages_under_30 = ag.v[1];
    m->ages_under_365 = ag.v[2];
    m->ages_older = ag.v[3];
    return 0;
}

void trends_free(trends_model *m)
{
    if (m && m->a)
        arena_free(m->a);
    if (m)
        memset(m, 0, sizeof *m);
}
