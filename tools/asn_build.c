/*
 * asn_build.c - convert the ip-location-db ASN CSVs (asn-ipv4.csv, asn-ipv6.csv; lines
 * `start,end,asn,org` with org optionally "quoted") into the compact asn.bin that
 * src/intel/ipintel.c maps read-only: sorted non-overlapping ranges (IPv4 32-bit, IPv6 128-bit
 * big-endian), an (asn, org) table and a deduplicated NUL-terminated string table. Layout: see
 * ASNBIN_* in src/intel/ipintel.h. Build-time tool, run by scripts/fetch_data.sh.
 * Data licence: RouteViews + DB-IP.com IP to ASN Lite (CC BY 4.0) - the output carries the
 * source string given with -s so reports can credit it.
 * Usage: asn_build -o asn.bin -s "source text" asn-ipv4.csv [asn-ipv6.csv]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/intel/ipintel.h"

#define MAX_LINE 4096
#define MAX_ROWS 20000000u /* far above the ~0.5 M rows of 2026 */

typedef struct {
    unsigned char start[16], end[16]; /* v4 uses the first 4 bytes */
    uint32_t as_idx;
} range;

typedef struct {
    range *v;
    size_t n, cap;
} range_vec;

typedef struct {
    uint32_t asn, org_off;
} as_ent;

typedef struct {
    /* string table */
    char *str;
    size_t str_len, str_cap;
    uint32_t *str_hash; /* open addressing: offset + 1, 0 = empty */
    size_t str_hcap, str_n;
    /* (asn, org) table */
    as_ent *as;
    size_t as_n, as_cap;
    uint32_t *as_hash; /* index + 1 */
    size_t as_hcap;
} tables;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "asn_build: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory", NULL);
    return q;
}

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static void str_rehash(tables *t, size_t ncap)
{
    uint32_t *nh = calloc(ncap, sizeof *nh);
    if (!nh)
        die("out of memory", NULL);
    for (size_t i = 0; i < t->str_hcap; i++) {
        if (!t->str_hash[i])
            continue;
        const char *s = t->str + t->str_hash[i] - 1;
        size_t j = fnv1a(s, strlen(s), 14695981039346656037ull) & (ncap - 1);
        while (nh[j])
            j = (j + 1) & (ncap - 1);
        nh[j] = t->str_hash[i];
    }
    free(t->str_hash);
    t->str_hash = nh;
    t->str_hcap = ncap;
}

/* offset of s (NUL-terminated, len bytes) in the string table, adding it once */
static uint32_t str_intern(tables *t, const char *s, size_t len)
{
    if ((t->str_n + 1) * 2 > t->str_hcap)
        str_rehash(t, t->str_hcap ? t->str_hcap * 2 : 1024);
    size_t j = fnv1a(s, len, 14695981039346656037ull) & (t->str_hcap - 1);
    while (t->str_hash[j]) {
        const char *o = t->str + t->str_hash[j] - 1;
        if (strlen(o) == len && memcmp(o, s, len) == 0)
            return t->str_hash[j] - 1;
        j = (j + 1) & (t->str_hcap - 1);
    }
    if (t->str_len + len + 1 > UINT32_MAX - 2)
        die("string table too large", NULL);
    while (t->str_len + len + 1 > t->str_cap) {
        t->str_cap = t->str_cap ? t->str_cap * 2 : 65536;
        t->str = xrealloc(t->str, t->str_cap);
    }
    uint32_t off = (uint32_t)t->str_len;
    memcpy(t->str + off, s, len);
    t->str[off + len] = '\0';
    t->str_len += len + 1;
    t->str_hash[j] = off + 1;
    t->str_n++;
    return off;
}

static uint32_t as_intern(tables *t, uint32_t asn, uint32_t org_off)
{
    if ((t->as_n + 1) * 2 > t->as_hcap) {
        size_t ncap = t->as_hcap ? t->as_hcap * 2 : 1024;
        uint32_t *nh = calloc(ncap, sizeof *nh);
        if (!nh)
            die("out of memory", NULL);
        for (size_t i = 0; i < t->as_n; i++) {
            uint32_t key[2] = {t->as[i].asn, t->as[i].org_off};
            size_t j = fnv1a(key, sizeof key, 14695981039346656037ull) & (ncap - 1);
            while (nh[j])
                j = (j + 1) & (ncap - 1);
            nh[j] = (uint32_t)i + 1;
        }
        free(t->as_hash);
        t->as_hash = nh;
        t->as_hcap = ncap;
    }
    uint32_t key[2] = {asn, org_off};
    size_t j = fnv1a(key, sizeof key, 14695981039346656037ull) & (t->as_hcap - 1);
    while (t->as_hash[j]) {
        as_ent *e = &t->as[t->as_hash[j] - 1];
        if (e->asn == asn && e->org_off == org_off)
            return t->as_hash[j] - 1;
        j = (j + 1) & (t->as_hcap - 1);
    }
    if (t->as_n == t->as_cap) {
        t->as_cap = t->as_cap ? t->as_cap * 2 : 4096;
        t->as = xrealloc(t->as, t->as_cap * sizeof *t->as);
    }
    t->as[t->as_n] = (as_ent){asn, org_off};
    t->as_hash[j] = (uint32_t)t->as_n + 1;
    return (uint32_t)t->as_n++;
}

/* org field: plain, or "quoted" with "" as an escaped quote; control bytes become spaces */
static int parse_org(const char *s, char *out, size_t outsz, size_t *outlen)
{
    size_t n = 0;
    if (*s == '"') {
        s++;
        for (;;) {
            if (*s == '\0')
                return -1;
            if (*s == '"') {
                if (s[1] != '"')
                    break;
                s++;
            }
            if (n + 1 >= outsz)
                return -1;
            out[n++] = *s++;
        }
        s++;
        if (*s != '\0')
            return -1;
    } else {
        for (; *s; s++) {
            if (n + 1 >= outsz)
                return -1;
            out[n++] = *s;
        }
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = ' ';
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    *outlen = n;
    return 0;
}

static int cmp_range(const void *a, const void *b)
{
    const range *x = a, *y = b;
    int c = memcmp(x->start, y->start, 16);
    if (c)
        return c;
    return -memcmp(x->end, y->end, 16); /* wider first */
}

static void addr_inc(unsigned char *a, size_t len)
{
    for (size_t i = len; i-- > 0;)
        if (++a[i] != 0)
            break;
}

/* Sort, clip overlaps (the earlier range keeps the overlap), merge adjacent equal ranges. */
static void normalize(range_vec *rv, size_t alen, const char *what)
{
    qsort(rv->v, rv->n, sizeof *rv->v, cmp_range);
    size_t out = 0, clipped = 0, dropped = 0, merged = 0;
    for (size_t i = 0; i < rv->n; i++) {
        range r = rv->v[i];
        if (out > 0) {
            range *p = &rv->v[out - 1];
            if (memcmp(r.start, p->end, alen) <= 0) {
                if (memcmp(r.end, p->end, alen) <= 0) {
                    dropped++;
                    continue;
                }
                memcpy(r.start, p->end, alen);
                addr_inc(r.start, alen);
                clipped++;
            }
            unsigned char next[16];
            memcpy(next, p->end, 16);
            addr_inc(next, alen);
            if (p->as_idx == r.as_idx && memcmp(next, r.start, alen) == 0) {
                memcpy(p->end, r.end, 16);
                merged++;
                continue;
            }
        }
        rv->v[out++] = r;
    }
    fprintf(stderr, "asn_build: %s: %zu rows -> %zu ranges (%zu clipped, %zu nested dropped, "
            "%zu merged)\n", what, rv->n, out, clipped, dropped, merged);
    rv->n = out;
}

static void read_csv(const char *path, range_vec *v4, range_vec *v6, tables *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die(strerror(errno), path);
    char line[MAX_LINE], org[MAX_LINE];
    unsigned long lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strcspn(line, "\r\n");
        if (line[len] == '\0' && !feof(f))
            die("line too long", path);
        line[len] = '\0';
        if (len == 0)
            continue;
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        char *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
        if (!c3) {
            fprintf(stderr, "asn_build: %s:%lu: not 4 columns\n", path, lineno);
            exit(1);
        }
        *c1 = *c2 = *c3 = '\0';
        range r;
        memset(&r, 0, sizeof r);
        int fam = strchr(line, ':') ? AF_INET6 : AF_INET;
        size_t alen = fam == AF_INET ? 4 : 16;
        char *endp;
        errno = 0;
        unsigned long asn = strtoul(c2 + 1, &endp, 10);
        size_t olen;
        if (inet_pton(fam, line, r.start) != 1 || inet_pton(fam, c1 + 1, r.end) != 1 ||
            *endp != '\0' || endp == c2 + 1 || errno || asn > UINT32_MAX ||
            memcmp(r.start, r.end, alen) > 0 || parse_org(c3 + 1, org, sizeof org, &olen) != 0) {
            fprintf(stderr, "asn_build: %s:%lu: bad row\n", path, lineno);
            exit(1);
        }
        r.as_idx = as_intern(t, (uint32_t)asn, str_intern(t, org, olen));
        range_vec *rv = fam == AF_INET ? v4 : v6;
        if (rv->n >= MAX_ROWS)
            die("too many rows", path);
        if (rv->n == rv->cap) {
            rv->cap = rv->cap ? rv->cap * 2 : 65536;
            rv->v = xrealloc(rv->v, rv->cap * sizeof *rv->v);
        }
        rv->v[rv->n++] = r;
    }
    if (ferror(f))
        die("read error", path);
    fclose(f);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void xwrite(FILE *f, const void *p, size_t n, const char *path)
{
    if (n && fwrite(p, 1, n, f) != n)
        die("write error", path);
}

int main(int argc, char **argv)
{
    const char *out = NULL, *source = "";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            source = argv[++i];
        else
            break;
    }
    if (!out || i >= argc) {
        fprintf(stderr, "usage: asn_build -o asn.bin [-s source] asn-ipv4.csv [asn-ipv6.csv]\n");
        return 2;
    }
    tables t;
    memset(&t, 0, sizeof t);
    range_vec v4 = {0}, v6 = {0};
    uint32_t source_off = str_intern(&t, source, strlen(source));
    for (; i < argc; i++)
        read_csv(argv[i], &v4, &v6, &t);
    normalize(&v4, 4, "ipv4");
    normalize(&v6, 16, "ipv6");

    uint64_t off_v4 = ASNBIN_HEADER_SIZE;
    uint64_t off_v6 = off_v4 + (uint64_t)v4.n * ASNBIN_V4_REC;
    uint64_t off_as = off_v6 + (uint64_t)v6.n * ASNBIN_V6_REC;
    uint64_t off_str = off_as + (uint64_t)t.as_n * ASNBIN_AS_REC;
    uint64_t total = off_str + t.str_len;
    if (total > UINT32_MAX)
        die("output would exceed 4 GiB", NULL);

    unsigned char h[ASNBIN_HEADER_SIZE];
    memset(h, 0, sizeof h);
    memcpy(h, ASNBIN_MAGIC, 8);
    put32(h + 8, ASNBIN_VERSION);
    put32(h + 12, ASNBIN_HEADER_SIZE);
    put32(h + 16, (uint32_t)total);
    put32(h + 20, (uint32_t)v4.n);
    put32(h + 24, (uint32_t)off_v4);
    put32(h + 28, (uint32_t)v6.n);
    put32(h + 32, (uint32_t)off_v6);
    put32(h + 36, (uint32_t)t.as_n);
    put32(h + 40, (uint32_t)off_as);
    put32(h + 44, (uint32_t)t.str_len);
    put32(h + 48, (uint32_t)off_str);
    put32(h + 52, source_off);

    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", out) >= (int)sizeof tmp)
        die("output path too long", out);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        die(strerror(errno), tmp);
    xwrite(f, h, sizeof h, tmp);
    for (size_t k = 0; k < v4.n; k++) {
        unsigned char rec[ASNBIN_V4_REC];
        memcpy(rec, v4.v[k].start, 4); /* network order: compare as big-endian u32 */
        memcpy(rec + 4, v4.v[k].end, 4);
        put32(rec + 8, v4.v[k].as_idx);
        xwrite(f, rec, sizeof rec, tmp);
    }
    for (size_t k = 0; k < v6.n; k++) {
        unsigned char rec[ASNBIN_V6_REC];
        memcpy(rec, v6.v[k].start, 16);
        memcpy(rec + 16, v6.v[k].end, 16);
        put32(rec + 32, v6.v[k].as_idx);
        xwrite(f, rec, sizeof rec, tmp);
    }
    for (size_t k = 0; k < t.as_n; k++) {
        unsigned char rec[ASNBIN_AS_REC];
        put32(rec, t.as[k].asn);
        put32(rec + 4, t.as[k].org_off);
        xwrite(f, rec, sizeof rec, tmp);
    }
    xwrite(f, t.str, t.str_len, tmp);
    if (fclose(f) != 0)
        die("write error", tmp);
    if (rename(tmp, out) != 0)
        die(strerror(errno), out);
    fprintf(stderr, "asn_build: %s: %zu v4 + %zu v6 ranges, %zu AS entries, %zu strings "
            "(%zu bytes), %llu bytes\n", out, v4.n, v6.n, t.as_n, t.str_n, t.str_len,
            (unsigned long long)total);
    free(v4.v);
    free(v6.v);
    free(t.str);
    free(t.str_hash);
    free(t.as);
    free(t.as_hash);
    return 0;
}
