/*
 * dns.c - DNS for the online stage through libunbound.
 *
 * One ub_ctx per thread, in asynchronous thread mode: a batch of queries is
 * sent at once and collected until a deadline, then whatever is still open
 * is cancelled, so a dead resolver costs at most the deadline. The context is
 * configured from the private client config written by online_open(): the
 * special-use names libunbound would otherwise answer itself (test.,
 * invalid., private reverse zones...) go to the resolver like any other, and
 * a forwarder on loopback is allowed. --dns-server sets the forwarder; else
 * /etc/resolv.conf. Answers are decoded from rdata (A/AAAA/TXT/PTR/MX/NS);
 * the full wire answer is kept for libopendkim.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#include "internal.h"

struct odns {
    struct ub_ctx *ctx;
    int ok;
};

long long online_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

odns *odns_new(const online_ctx *c)
{
    odns *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->ctx = ub_ctx_create();
    if (!d->ctx) {
        free(d);
        return NULL;
    }
    int rc = 0;
    /* libunbound reads config files with a non-reentrant flex scanner: two
     * threads in ub_ctx_config() at once abort the process. This lock is the
     * only process-wide state of the online stage; it guards no data. */
    static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&config_lock);
    if (c->ub_conf)
        rc |= ub_ctx_config(d->ctx, c->ub_conf);
    if (c->dns_server)
        rc |= ub_ctx_set_fwd(d->ctx, c->dns_server);
    else
        rc |= ub_ctx_resolvconf(d->ctx, NULL);
    pthread_mutex_unlock(&config_lock);
    rc |= ub_ctx_async(d->ctx, 1);
    d->ok = rc == 0;
    return d;
}

void odns_free(odns *d)
{
    if (!d)
        return;
    ub_ctx_delete(d->ctx);
    free(d);
}

void odns_q_clear(odns_q *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->v[i]);
    free(q->v);
    free(q->packet);
    q->v = NULL;
    q->packet = NULL;
    q->n = q->packet_len = 0;
}

/* wire-format name (uncompressed, as libunbound hands rdata) -> "a.b.c" */
static char *wire_name(const unsigned char *p, size_t len)
{
    char out[256];
    size_t o = 0, i = 0;
    while (i < len && p[i]) {
        size_t l = p[i++];
        if (l > 63 || i + l > len || o + l + 2 > sizeof out)
            return NULL;
        if (o)
            out[o++] = '.';
        for (size_t k = 0; k < l; k++) {
            unsigned char ch = p[i + k];
            out[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch < 33 || ch > 126 ? '?' : ch);
        }
        i += l;
    }
    out[o] = '\0';
    return strdup(o ? out : ".");
}

static char *decode_rdata(int type, const unsigned char *p, size_t len)
{
    char buf[INET6_ADDRSTRLEN];
    switch (type) {
    case 1: /* A */
        return len == 4 && inet_ntop(AF_INET, p, buf, sizeof buf) ? strdup(buf) : NULL;
    case 28: /* AAAA */
        return len == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf) ? strdup(buf) : NULL;
    case 16: { /* TXT: character-strings joined (DKIM keys come split at 255) */
        char *s = malloc(len + 1);
        size_t o = 0, i = 0;
        if (!s)
            return NULL;
        while (i < len) {
            size_t l = p[i++];
            if (i + l > len)
                break;
            memcpy(s + o, p + i, l);
            o += l;
            i += l;
        }
        s[o] = '\0';
        return s;
    }
    case 12: /* PTR */
    case 2:  /* NS */
    case 5:  /* CNAME */
        return wire_name(p, len);
    case 15: /* MX: preference + name */
        return len > 2 ? wire_name(p + 2, len - 2) : NULL;
    default:
        return NULL;
    }
}

typedef struct {
    odns_q *q;
    int done, id;
} qstate;

static void on_answer(void *arg, int err, struct ub_result *r)
{
    qstate *st = arg;
    odns_q *q = st->q;
    st->done = 1;
    if (err || !r) {
        q->status = ODNS_FAIL;
        if (r)
            ub_resolve_free(r);
        return;
    }
    q->rcode = r->rcode;
    if (r->answer_packet && r->answer_len > 0) {
        q->packet = malloc((size_t)r->answer_len);
        if (q->packet) {
            memcpy(q->packet, r->answer_packet, (size_t)r->answer_len);
            q->packet_len = (size_t)r->answer_len;
        }
    }
    if (r->nxdomain)
        q->status = ODNS_NXDOMAIN;
    else if (r->rcode != 0)
        q->status = ODNS_FAIL;
    else if (!r->havedata)
        q->status = ODNS_NODATA;
    else
        q->status = ODNS_OK;
    size_t n = 0;
    while (r->havedata && r->data[n])
        n++;
    if (n > 64)
        n = 64; /* a bound on answers kept */
    q->v = n ? calloc(n, sizeof *q->v) : NULL;
    for (size_t i = 0; q->v && i < n; i++) {
        char *s = decode_rdata(q->type, (const unsigned char *)r->data[i], (size_t)r->len[i]);
        if (s)
            q->v[q->n++] = s;
    }
    ub_resolve_free(r);
}

void odns_batch(odns *d, odns_q *q, size_t n, long long deadline)
{
    qstate *st = calloc(n ? n : 1, sizeof *st);
    size_t pending = 0;
    for (size_t i = 0; i < n; i++) {
        q[i].status = ODNS_TIMEOUT;
        q[i].v = NULL;
        q[i].n = 0;
        q[i].packet = NULL;
        q[i].packet_len = 0;
        q[i].rcode = -1;
        if (!st || !d || !d->ok || !q[i].name) {
            q[i].status = ODNS_FAIL;
            continue;
        }
        st[i].q = &q[i];
        if (ub_resolve_async(d->ctx, q[i].name, q[i].type, 1, &st[i], on_answer, &st[i].id) != 0) {
            q[i].status = ODNS_FAIL;
            st[i].done = 1;
            continue;
        }
        pending++;
    }
    while (pending) {
        long long left = deadline - online_now_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = ub_fd(d->ctx), .events = POLLIN};
        int pr = poll(&pfd, 1, (int)(left > 100 ? 100 : left));
        if (pr > 0)
            ub_process(d->ctx);
        pending = 0;
        for (size_t i = 0; i < n; i++)
            if (st[i].q && !st[i].done)
                pending++;
    }
    for (size_t i = 0; st && i < n; i++)
        if (st[i].q && !st[i].done) {
            ub_cancel(d->ctx, st[i].id);
            q[i].status = ODNS_TIMEOUT;
        }
    free(st);
}

int odns_one(odns *d, odns_q *q, const char *name, int type, long long deadline)
{
    memset(q, 0, sizeof *q);
    q->name = name;
    q->type = type;
    long long cap = online_now_ms() + ONLINE_DNS_TIMEOUT_MS;
    odns_batch(d, q, 1, deadline < cap ? deadline : cap);
    return q->status;
}

int online_ip_is_private(const char *ip)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, ip, b) == 1) {
    v4:
        if (b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224)
            return 1;
        if (b[0] == 100 && (b[1] & 0xc0) == 64)
            return 1; /* CGNAT 100.64/10 */
        if (b[0] == 169 && b[1] == 254)
            return 1;
        if (b[0] == 172 && (b[1] & 0xf0) == 16)
            return 1;
        if (b[0] == 192 && b[1] == 168)
            return 1;
        if (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))
            return 1;
        if (b[0] == 198 && (b[1] & 0xfe) == 18)
            return 1;
        if ((b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113))
            return 1;
        return 0;
    }
    const char *s = ip;
    char tmp[INET6_ADDRSTRLEN + 2];
    if (*s == '[') {
        size_t l = strcspn(s + 1, "]");
        if (l >= sizeof tmp)
            return 1;
        memcpy(tmp, s + 1, l);
        tmp[l] = '\0';
        s = tmp;
    }
    if (inet_pton(AF_INET6, s, b) != 1)
        return 1; /* not an address we understand: refuse */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) {
        memmove(b, b + 12, 4);
        goto v4;
    }
    int zero = 1;
    for (int i = 0; i < 15; i++)
        zero &= b[i] == 0;
    if (zero)
        return 1; /* :: and ::1 */
    if ((b[0] & 0xfe) == 0xfc || b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
        return 1;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return 1;
    return 0;
}
