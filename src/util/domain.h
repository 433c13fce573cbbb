/*
 * domain.h - host names: IP literal test, IDN (libidn2, UTS #46) to the
 * A-label form, registrable domain and public suffix (libpsl with Debian's
 * publicsuffix list). Every comparison of domains in kensa goes through
 * domain_ascii() first, so `čau.cz` and `xn--au-dma.cz` are the same.
 * The PSL is loaded once per process, read-only: safe from any thread.
 */
#ifndef KENSA_DOMAIN_H
#define KENSA_DOMAIN_H

#include "arena.h"

/* 4 for an IPv4 literal (dotted, also in brackets), 6 for IPv6, else 0. */
int domain_ip_family(const char *host);

/* Lowercase A-label form ("xn--..."), trailing dot removed, fullwidth folded
 * by UTS #46. NULL when the name is not a valid host name. */
char *domain_ascii(arena *a, const char *host);

/* Unicode (U-label) form for display; the input when it has no A-labels. */
char *domain_unicode(arena *a, const char *host);

/* Registrable domain (eTLD+1) in A-label form: www.threnodycode.cfd ->
 * threnodycode.cfd, open.monex.co.jp -> monex.co.jp. NULL for IP literals,
 * bare public suffixes and invalid names. */
char *domain_registrable(arena *a, const char *host);

/* domain_registrable() without an arena, for a host that is already in the
 * form domain_ascii() gives (ASCII, lowercase, no trailing dot): 1 with the
 * registrable domain in buf, 0 when there is none (NULL from
 * domain_registrable), -1 when host is not in that form or buf (cap bytes)
 * is too small - then ask domain_registrable(). */
int domain_registrable_buf(const char *host, char *buf, size_t cap);

/* Public suffix in A-label form (co.jp, cfd), or NULL. */
char *domain_suffix(arena *a, const char *host);

/* 1 when the host's public suffix is listed in the PSL itself (not only
 * matched by the implicit "*" rule): "r.hughes" is not a domain name. */
int domain_suffix_known(const char *host);

/* Date of the public suffix list in use (YYYY-MM-DD) for reports. */
const char *domain_psl_date(void);

#endif
