#!/bin/sh
# refresh_rdap.sh - replace data/rdap_dns.json with IANA's current RDAP
# bootstrap file for domain names (RFC 9224). Needs network access; keeps the
# shipped file when the download fails or is not a bootstrap file.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
URL=${RDAP_BOOTSTRAP_URL:-https://data.iana.org/rdap/dns.json}
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
if ! curl -fsSL --max-time 60 --max-filesize 4000000 -o "$tmp" "$URL"; then
    echo "refresh_rdap: cannot fetch $URL; data/rdap_dns.json unchanged" >&2
    exit 1
fi
if ! jq -e '.version == "1.0" and (.services | length) > 100' "$tmp" >/dev/null; then
    echo "refresh_rdap: $URL is not an RDAP bootstrap file; unchanged" >&2
    exit 1
fi
mv "$tmp" "$ROOT/data/rdap_dns.json"
trap - EXIT
echo "refresh_rdap: data/rdap_dns.json updated ($(jq -r .publication "$ROOT/data/rdap_dns.json"))"
