/*
 * http.c - bounded network clients: one HTTP(S) GET with libcurl and one
 * WHOIS query over TCP port 43.
 *
 * Names are resolved through libunbound (dns.c) and the address is pinned
 * with CURLOPT_RESOLVE, so curl never asks the system resolver and the
 * address checked for loopback/private ranges is the one connected to.
 * Redirects are not followed here (the caller records each hop). Proxies
 * from the environment are ignored; only http and https are allowed; the
 * body is cut at `max` bytes; every call has a deadline. TLS is not
 * verified (phishing sites are inspected, not trusted): the certificate's
 * subject, issuer, start date and the verify result are recorded instead.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

#define BROWSER_UA                                                                              \
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "       \
    "Chrome/124.0.0.0 Safari/537.36"

void ohttp_resp_clear(ohttp_resp *r)
{
    free(r->body);
    free(r->redirect);
    free(r->content_type);
    free(r->tls_subject);
    free(r->tls_issuer);
    free(r->tls_not_before);
    free(r->error);
    free(r->ip);
    memset(r, 0, sizeof *r);
}

typedef struct {
    ohttp_resp *r;
    size_t max;
} sink;

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    sink *s = arg;
    size_t len = sz * n;
    if (s->r->len + len > s->max) {
        size_t room = s->max - s->r->len;
        memcpy(s->r->body + s->r->len, p, room);
        s->r->len += room;
        s->r->body[s->r->len] = '\0';
        s->r->truncated = 1;
        return 0; /* stop the transfer: enough read */
    }
    memcpy(s->r->body + s->r->len, p, len);
    s->r->len += len;
    s->r->body[s->r->len] = '\0';
    return len;
}

static int set_err(ohttp_resp *r, const char *fmt, const char *a)
{
    free(r->error);
    if (asprintf(&r->error, fmt, a ? a : "") < 0)
        r->error = NULL;
    return -1;
}

/* Resolve host through d (or take the literal); the chosen address in ip. */
static int resolve(odns *d, const char *host, long long deadline, char ip[INET6_ADDRSTRLEN],
                   const char **why)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1) {
        snprintf(ip, INET6_ADDRSTRLEN, "%s", host);
        return 0;
    }
    odns_q q[2] = {{.name = host, .type = 1}, {.name = host, .type = 28}};
    long long cap = online_now_ms() + ONLINE_DNS_TIMEOUT_MS;
    odns_batch(d, q, 2, deadline < cap ? deadline : cap);
    int rc = -1;
    *why = q[0].status == ODNS_NXDOMAIN ? "NXDOMAIN"
           : q[0].status == ODNS_TIMEOUT ? "DNS timeout"
                                         : "no address";
    for (int k = 0; k < 2 && rc; k++)
        if (q[k].n) {
            snprintf(ip, INET6_ADDRSTRLEN, "%s", q[k].v[0]);
            rc = 0;
        }
    odns_q_clear(&q[0]);
    odns_q_clear(&q[1]);
    return rc;
}

static char *dup_after(const char *s, const char *prefix)
{
    size_t l = strlen(prefix);
    return strncmp(s, prefix, l) == 0 ? strdup(s + l) : NULL;
}

int ohttp_get(odns *d, const online_ctx *c, const char *url, const char *accept, size_t max,
              int check_private, long long deadline, ohttp_resp *out)
{
    memset(out, 0, sizeof *out);
    out->tls_verify = -1;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        set_err(out, "unparsable URL%s", NULL);
        goto done;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        set_err(out, "scheme %s not fetched", scheme);
        goto done;
    }
    char bare[256];
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && hl < sizeof bare) {
        memcpy(bare, host + 1, hl - 2);
        bare[hl - 2] = '\0';
    } else if (hl < sizeof bare) {
        memcpy(bare, host, hl + 1);
    } else {
        set_err(out, "host name too long%s", NULL);
        goto done;
    }
    char ip[INET6_ADDRSTRLEN];
    const char *why = NULL;
    if (resolve(d, bare, deadline, ip, &why) != 0) {
        set_err(out, "%s", why);
        goto done;
    }
    out->ip = strdup(ip);
    if (check_private && !c->allow_private && online_ip_is_private(ip)) {
        set_err(out, "refused: %s is not a public address (see --allow-private-targets)", ip);
        goto done;
    }
    long long left = deadline - online_now_ms();
    if (left <= 0) {
        set_err(out, "time budget exhausted%s", NULL);
        goto done;
    }
    out->body = malloc(max + 1);
    if (!out->body) {
        set_err(out, "out of memory%s", NULL);
        goto done;
    }
    out->body[0] = '\0';
    CURL *h = curl_easy_init();
    if (!h) {
        set_err(out, "curl init failed%s", NULL);
        goto done;
    }
    char pin[400];
    int v6 = strchr(ip, ':') != NULL;
    snprintf(pin, sizeof pin, "%s:%s:%s%s%s", bare, port, v6 ? "[" : "", ip, v6 ? "]" : "");
    struct curl_slist *res = curl_slist_append(NULL, pin);
    struct curl_slist *hdr = NULL;
    char acc[200];
    snprintf(acc, sizeof acc, "Accept: %s", accept ? accept : "*/*");
    hdr = curl_slist_append(hdr, acc);
    hdr = curl_slist_append(hdr, "Accept-Language: ja,en;q=0.8");
    sink s = {.r = out, .max = max};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_RESOLVE, res);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_USERAGENT, BROWSER_UA);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(left < ONLINE_CONNECT_TIMEOUT_MS ? left : ONLINE_CONNECT_TIMEOUT_MS));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     (long)(left < ONLINE_HTTP_TIMEOUT_MS ? left : ONLINE_HTTP_TIMEOUT_MS));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)64 * 1024 * 1024);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode cr = curl_easy_perform(h);
    if (cr != CURLE_OK && !(cr == CURLE_WRITE_ERROR && out->truncated)) {
        set_err(out, "%s", curl_easy_strerror(cr));
    } else {
        rc = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
        char *loc = NULL, *ct = NULL;
        if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
            out->redirect = strdup(loc);
        if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
            out->content_type = strdup(ct);
        if (strcmp(scheme, "https") == 0) {
            curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &out->tls_verify);
            struct curl_certinfo *ci = NULL;
            if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci &&
                ci->num_of_certs > 0)
                for (struct curl_slist *e = ci->certinfo[0]; e; e = e->next) {
                    char *v;
                    if (!out->tls_subject && (v = dup_after(e->data, "Subject:")))
                        out->tls_subject = v;
                    else if (!out->tls_issuer && (v = dup_after(e->data, "Issuer:")))
                        out->tls_issuer = v;
                    else if (!out->tls_not_before && (v = dup_after(e->data, "Start date:")))
                        out->tls_not_before = v;
                }
        }
    }
    curl_slist_free_all(res);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

int owhois_query(odns *d, const char *host, int port, const char *query, long long deadline,
                 char **out, const char **err)
{
    *out = NULL;
    char ip[INET6_ADDRSTRLEN];
    const char *why = NULL;
    if (resolve(d, host, deadline, ip, &why) != 0) {
        *err = why;
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((unsigned short)port);
        sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((unsigned short)port);
        sl = sizeof *s6;
    } else {
        *err = "bad address";
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = "socket failed";
        return -1;
    }
    char *buf = NULL;
    size_t len = 0;
    *err = "connection failed";
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS)
        goto fail;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    long long left = deadline - online_now_ms();
    if (left <= 0 || poll(&p, 1, (int)left) != 1) {
        *err = "connect timeout";
        goto fail;
    }
    int soerr = 0;
    socklen_t el = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0 || soerr)
        goto fail;
    char q[300];
    int ql = snprintf(q, sizeof q, "%s\r\n", query);
    if (ql <= 0 || (size_t)ql >= sizeof q || send(fd, q, (size_t)ql, MSG_NOSIGNAL) != ql) {
        *err = "send failed";
        goto fail;
    }
    buf = malloc(ONLINE_MAX_WHOIS + 1);
    if (!buf)
        goto fail;
    for (;;) {
        left = deadline - online_now_ms();
        p.events = POLLIN;
        if (left <= 0 || poll(&p, 1, (int)left) != 1) {
            if (len)
                break; /* keep what arrived */
            *err = "read timeout";
            goto fail;
        }
        ssize_t n = recv(fd, buf + len, ONLINE_MAX_WHOIS - len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len >= ONLINE_MAX_WHOIS)
            break;
    }
    close(fd);
    buf[len] = '\0';
    *out = buf;
    *err = NULL;
    return 0;
fail:
    free(buf);
    close(fd);
    return -1;
}
