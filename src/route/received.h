/*
 * received.h - parse one Received: header value into a structured hop.
 *
 * Hand-written because no maintained C library parses Received headers: RFC
 * 5321 only fixes the clause keywords (from/by/via/with/id/for) and the date
 * after the last ';', while every MTA (Postfix, Sendmail, Exim, qmail,
 * Exchange, Gmail, ...) fills the clauses and comments its own way. The parser
 * is a pure, bounded, best-effort function: it never fails on odd input, it
 * just leaves fields NULL and records in `flags` what it understood.
 */
#ifndef KENSA_ROUTE_RECEIVED_H
#define KENSA_ROUTE_RECEIVED_H

#include <stddef.h>

#include "../util/arena.h"

/* Caps applied to every extracted string and to comment nesting. */
#define RCV_MAX_VALUE 1024
#define RCV_MAX_DEPTH 32
/* Values longer than this are parsed only up to this many bytes. */
#define RCV_MAX_INPUT 16384

/* flags: which clauses were present in the text (RCV_HAS_*), which were
 * understood (RCV_PARSED_*), and per-hop facts. */
enum {
    RCV_HAS_FROM = 1u << 0,
    RCV_HAS_BY = 1u << 1,
    RCV_HAS_WITH = 1u << 2,
    RCV_HAS_ID = 1u << 3,
    RCV_HAS_FOR = 1u << 4,
    RCV_HAS_DATE = 1u << 5,
    RCV_HAS_VIA = 1u << 6,
    RCV_PARSED_FROM = 1u << 7,  /* value found and, if the clause holds an IP, from_ip set */
    RCV_PARSED_BY = 1u << 8,
    RCV_PARSED_WITH = 1u << 9,
    RCV_PARSED_ID = 1u << 10,
    RCV_PARSED_FOR = 1u << 11,
    RCV_PARSED_DATE = 1u << 12,
    RCV_PARSED_VIA = 1u << 13,
    RCV_UNPARSED_REST = 1u << 14, /* words outside any understood clause */
    RCV_HELO_IS_IP = 1u << 15,    /* HELO was a bare IP or [address literal] */
    RCV_RDNS_UNKNOWN = 1u << 16,  /* reverse DNS given as "unknown" */
    RCV_HELO_RDNS_MISMATCH = 1u << 17, /* last two labels of helo and rdns differ */
    RCV_IP_PRIVATE = 1u << 18,    /* from_ip is private/reserved/link-local/CGNAT/... */
    RCV_IP_LOOPBACK = 1u << 19,   /* from_ip is 127/8 or ::1 */
    RCV_TLS = 1u << 20,           /* TLS details given or protocol implies TLS */
    RCV_AUTH = 1u << 21,          /* authenticated submission (ESMTPA, "Authenticated sender") */
    RCV_MAY_BE_FORGED = 1u << 22, /* sendmail "(may be forged)" */
    RCV_NO_SEMICOLON = 1u << 23,  /* date found without the ';' separator */
    RCV_TOO_DEEP = 1u << 24,      /* comment nesting beyond RCV_MAX_DEPTH */
    RCV_TRUNCATED = 1u << 25,     /* input longer than RCV_MAX_INPUT */
    RCV_FROM_HAS_IP = 1u << 26,   /* raw from-clause text contains an IP address */
    RCV_IP_FROM_HELO = 1u << 27,  /* from_ip taken from the HELO literal (no better source) */
    RCV_DATE_NO_ZONE = 1u << 28,  /* date had no zone; treated as +0000 */
};

/* All clauses present were understood (the coverage tool's "fully parsed"). */
#define RCV_FULLY_PARSED(f) \
    (!((f) & RCV_UNPARSED_REST) && \
     (!((f) & RCV_HAS_FROM) || ((f) & RCV_PARSED_FROM)) && \
     (!((f) & RCV_HAS_BY) || ((f) & RCV_PARSED_BY)) && \
     (!((f) & RCV_HAS_WITH) || ((f) & RCV_PARSED_WITH)) && \
     (!((f) & RCV_HAS_ID) || ((f) & RCV_PARSED_ID)) && \
     (!((f) & RCV_HAS_FOR) || ((f) & RCV_PARSED_FOR)) && \
     (!((f) & RCV_HAS_VIA) || ((f) & RCV_PARSED_VIA)) && \
     (!((f) & RCV_HAS_DATE) || ((f) & RCV_PARSED_DATE)))

typedef struct {
    char *from_helo;  /* name given in HELO/EHLO (or the from-word) */
    char *from_rdns;  /* reverse DNS name as recorded by the receiver ("unknown" kept) */
    char *from_ip;    /* connecting IP, normalized (v4 dotted, v6 RFC 5952) */
    char *by;         /* receiving host as written */
    char *by_ip;      /* receiving host IP when given as `by [ip]`, `by 2002:..` or `(ip)` */
    char *protocol;   /* `with` value: ESMTPS, LMTP, "Microsoft SMTP Server", ... */
    char *tls;        /* "TLS1_2:CIPHER", "TLSv1.3:TLS_AES_256_GCM_SHA384:256", "TLS", NULL */
    char *id;         /* queue id */
    char *for_addr;   /* `for` recipient without angle brackets */
    char *via;        /* `via` value (e.g. "Frontend Transport") */
    char *envelope_from; /* from "(envelope-from <x>)" / "(envelope-sender <x>)" comments */
    char *time_iso;   /* 2026-05-04T15:48:31+09:00, NULL if no parseable date */
    long long epoch;  /* seconds since 1970 UTC (valid when has_time) */
    int has_time;
    int tz_offset_min; /* offset of the original date, minutes east of UTC */
    int ip_family;     /* 4, 6, or 0 when from_ip is NULL */
    unsigned flags;    /* RCV_* */
} rcv_hop;

/* Parse one unfolded Received value (value, len; need not be NUL-terminated).
 * Fills *out (zeroed first); strings are allocated in a. Returns 0 when at
 * least one clause or the date was understood, -1 when nothing was (out still
 * valid), -2 on arena exhaustion. */
int route_parse_received(arena *a, const char *value, size_t len, rcv_hop *out);

/* RFC 5322 date (with obsolete forms, named zones, 2-digit years, trailing
 * comments, fractional seconds; also "YYYY-MM-DD HH:MM:SS[.f] +zzzz").
 * Returns bytes consumed (>0) on success, 0 on failure. *epoch is UTC seconds,
 * *tz_min the original offset; *no_zone set to 1 when the zone was absent. */
size_t route_parse_date(const char *s, size_t len, long long *epoch, int *tz_min, int *no_zone);
/* Format epoch + offset as ISO 8601 "YYYY-MM-DDTHH:MM:SS+hh:mm" into buf (>= 26 bytes). */
void route_format_iso(long long epoch, int tz_min, char *buf, size_t bufsz);

/* Normalize an IP written as 1.2.3.4, [1.2.3.4], [1.2.3.4]:25, 1.2.3.4:25,
 * [IPv6:2001:db8::1], 2001:DB8:0::1, ::ffff:1.2.3.4 (-> 1.2.3.4), user@[ip].
 * Writes the canonical text into out (>= 46 bytes). Returns 4 or 6, 0 if
 * the input is not an IP address. */
int route_ip_normalize(const char *s, size_t len, char *out, size_t outsz);
/* inet_pton(AF_INET, s, dst) (s NUL-terminated), without the library call:
 * 1 for a dotted quad as glibc accepts it, else 0 (dst untouched). */
int route_ip4_pton(const char *s, unsigned char dst[4]);
/* The 16 bytes of an IPv6 address as inet_ntop() writes them; NULL when
 * outsz is too small. */
char *route_ip6_format(const unsigned char *b, char *out, size_t outsz);

enum {
    ROUTE_IP_PUBLIC = 0,
    ROUTE_IP_PRIVATE,     /* RFC 1918, ULA fc00::/7 */
    ROUTE_IP_LOOPBACK,    /* 127/8, ::1 */
    ROUTE_IP_LINKLOCAL,   /* 169.254/16, fe80::/10 */
    ROUTE_IP_CGNAT,       /* 100.64/10 */
    ROUTE_IP_DOC,         /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
    ROUTE_IP_RESERVED,    /* 0/8, 240/4, 224/4 multicast, 198.18/15, 192.0.0/24, ::, ff00::/8, 100::/64 */
    ROUTE_IP_INVALID = -1
};
/* Classify an IP (any form route_ip_normalize accepts, NUL-terminated). */
int route_ip_class(const char *ip);
/* Non-zero for everything that is not a public unicast address
 * (private, loopback, link-local, CGNAT, ULA, documentation, reserved). */
int route_ip_is_private(const char *ip);

#endif
