/*
 * ipintel.h - offline IP intelligence: ASN + AS organisation (asn.bin, built from
 * ip-location-db = RouteViews + DB-IP.com IP to ASN Lite, CC BY 4.0), country (ip-location-db
 * geo-whois-asn-country mmdb = RIR/NRO data, CC BY 4.0) and hosting/mail provider
 * (data/providers.tsv, by ASN and reverse-DNS pattern). Reports showing these facts must print
 * intel_attribution(). Everything is loaded once, read-only (mmap) and safe to share between
 * threads. Missing IP files are not an error: lookups then give only rDNS-based provider facts.
 */
#ifndef KENSA_IPINTEL_H
#define KENSA_IPINTEL_H

#include <stddef.h>

typedef struct intel_data intel_data; /* read-only after load (mmap), shared by threads */

/* data_dir: the repo data/ (providers.tsv, countries.tsv); ip_dir: where asn.bin and
 * geo-whois-asn-country.mmdb live (NULL = $KENSA_IP_DIR, else KENSA_IP_DIR_DEFAULT). Missing IP
 * files are not an error (intel_ip_available() = 0); a present file with a bad header (magic,
 * version, size: truncated or padded, sections out of bounds, string table, source string) is.
 * Damage inside asn.bin's tables is found by the lookup that reaches it, which then answers
 * nothing from the damaged range or AS entry (checking all 11.5 MB at load cost ~4 ms a start).
 * NULL + *err (malloc'd, caller frees) on failure. */
intel_data *intel_load(const char *data_dir, const char *ip_dir, char **err);
void intel_free(intel_data *d);

/* 1 when asn.bin is loaded (ASN/org lookups work), else 0. */
int intel_ip_available(const intel_data *d);
/* 1 when the country mmdb is loaded, else 0. */
int intel_geo_available(const intel_data *d);

typedef struct {
    unsigned asn;              /* 0 = unknown */
    const char *as_org;        /* NULL = unknown */
    char country[3];           /* ISO 3166-1 alpha-2, "" = unknown */
    const char *provider;      /* display name from providers.tsv, NULL = none */
    const char *provider_kind; /* "cloud","cdn","mailbox","esp","isp" or NULL */
    const char *rdns_claim;    /* provider named by the rDNS but refuted by the ASN (a PTR
                                * record is set by whoever holds the IP), else NULL */
} ip_info; /* strings point into intel_data (read-only) */

/* ip: IPv4/IPv6 literal ("[...]", "IPv6:" prefix and ::ffff:a.b.c.d accepted); rdns may be NULL.
 * 0 found something, -1 nothing (or ip unparsable and no rDNS match). Thread-safe. */
int intel_lookup(const intel_data *d, const char *ip, const char *rdns, ip_info *out);

/* One line crediting the data sources and versions; to be shown wherever ASN/country appear. */
const char *intel_attribution(const intel_data *d);

/* "JP","ja" -> "日本"; "US","en" -> "United States"; NULL for an unknown code. Table
 * data/countries.tsv, loaded once per process from $KENSA_DATA_DIR or KENSA_DATA_DIR. */
const char *intel_country_name(const char *cc, const char *lang);
/* Same, from the table loaded by intel_load() (no process-wide state). */
const char *intel_country_name_d(const intel_data *d, const char *cc, const char *lang);

/* For tests and fuzzing: a handle over an in-memory asn.bin image (not copied: it must outlive
 * the handle), with no mmdb and no provider table. NULL + *err when the header is invalid (the
 * same checks as intel_load). */
intel_data *intel_load_asn_image(const void *image, size_t len, char **err);

/* asn.bin layout (all integers little-endian u32 unless noted; built by tools/asn_build.c):
 * header (64 bytes): magic "KENSAASN", version, header_size, file_size, n_v4, off_v4, n_v6, off_v6,
 * n_as, off_as, strtab_size, off_strtab, source_off (string in strtab), 2 reserved words.
 * v4 record (12): start, end (big-endian = network order), as_idx.
 * v6 record (36): start[16], end[16] (network order), as_idx.
 * as record (8): asn, org_off (into strtab). strtab: NUL-terminated UTF-8 strings.
 * Ranges are sorted by start and do not overlap. */
#define ASNBIN_MAGIC "KENSAASN"
#define ASNBIN_VERSION 1u
#define ASNBIN_HEADER_SIZE 64u
#define ASNBIN_V4_REC 12u
#define ASNBIN_V6_REC 36u
#define ASNBIN_AS_REC 8u

#endif
