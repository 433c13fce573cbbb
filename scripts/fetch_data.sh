#!/bin/sh
# fetch_data.sh - fetch the offline IP data for src/intel into .deps/ip/ (outside git) and build
# .deps/ip/asn.bin with tools/asn_build.c. Uses `npm pack` only (downloads a tarball, runs no
# JavaScript), PINNED versions, sha256-checked. Idempotent: a second run is a fast no-op.
# Data: ip-location-db (sapics) - @ip-location-db/asn = RouteViews + DB-IP.com IP to ASN Lite
# (CC BY 4.0, credit "IP Geolocation by DB-IP"), @ip-location-db/geo-whois-asn-country-mmdb =
# RIR/NRO delegation data (CC BY 4.0, credit nro.net). Licence files are kept in .deps/ip/LICENSES.
# Usage: scripts/fetch_data.sh [--force]   env: KENSA_IP_DIR (target dir), CC (converter build).
set -eu

ASN_PKG=@ip-location-db/asn
ASN_VER=2.3.2026061719
ASN_SHA256=b9425daf2f011c28f8586685d4f89166e77627e2c15fd93c6262c3e2dead6153
GEO_PKG=@ip-location-db/geo-whois-asn-country-mmdb
GEO_VER=2.3.2026061719
GEO_SHA256=91757a1b06cdcd1955f292e4c4cfc54e091204f998e159a3187f7a2ef3724be0
# data date = the version's YYYYMMDD part
ymd=${ASN_VER##*.}
ASN_DATE=$(echo "$ymd" | cut -c1-4)-$(echo "$ymd" | cut -c5-6)-$(echo "$ymd" | cut -c7-8)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${KENSA_IP_DIR:-$ROOT/.deps/ip}
STAMP="asn $ASN_VER $ASN_SHA256 geo $GEO_VER $GEO_SHA256"
STAMP="$STAMP builder $(cksum <"$ROOT/tools/asn_build.c")"

if [ "${1:-}" != "--force" ] && [ -f "$DIR/asn.bin" ] && [ -f "$DIR/geo-whois-asn-country.mmdb" ] &&
    [ "$(cat "$DIR/STAMP" 2>/dev/null)" = "$STAMP" ]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "fetch_data: npm not found (Debian: apt-get install npm)" >&2
    exit 1
fi

mkdir -p "$DIR/dl" "$DIR/LICENSES"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kensa-ip.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

# fetch NAME VERSION SHA256 -> prints the verified tarball path (kept in dl/ for re-runs)
fetch() {
    tgz="$DIR/dl/$(echo "$1" | sed 's/^@//; s/\//-/')-$2.tgz"
    if [ ! -f "$tgz" ] || [ "$(sha256sum "$tgz" | cut -d' ' -f1)" != "$3" ]; then
        echo "fetch_data: npm pack $1@$2" >&2
        (cd "$TMP" && npm_config_cache="$TMP/npm-cache" npm pack --ignore-scripts --silent \
            "$1@$2" >/dev/null)
        got=$(sha256sum "$TMP/$(basename "$tgz")" | cut -d' ' -f1)
        if [ "$got" != "$3" ]; then
            echo "fetch_data: $1@$2: sha256 $got, expected $3" >&2
            exit 1
        fi
        mv "$TMP/$(basename "$tgz")" "$tgz"
    fi
    echo "$tgz"
}

asn_tgz=$(fetch "$ASN_PKG" "$ASN_VER" "$ASN_SHA256")
geo_tgz=$(fetch "$GEO_PKG" "$GEO_VER" "$GEO_SHA256")

mkdir -p "$TMP/asn" "$TMP/geo"
tar -xzf "$asn_tgz" -C "$TMP/asn"
tar -xzf "$geo_tgz" -C "$TMP/geo"
for f in DBIP-LICENSE ROUTEVIEWS-LICENSE NRO_LICENSE MODIFICATIONS README.md; do
    [ -f "$TMP/asn/package/$f" ] && cp "$TMP/asn/package/$f" "$DIR/LICENSES/asn-$f"
done
cp "$TMP/geo/package/NRO_LICENSE" "$DIR/LICENSES/geo-NRO_LICENSE"
cp "$TMP/geo/package/README.md" "$DIR/LICENSES/geo-README.md"

# the converter: $ASN_BUILD if given (meson-built), else compile the single file here
builder=${ASN_BUILD:-}
if [ -z "$builder" ]; then
    builder="$TMP/asn_build"
    ${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -o "$builder" "$ROOT/tools/asn_build.c"
fi
"$builder" -o "$TMP/asn.bin" \
    -s "asn $ASN_VER ($ASN_DATE); country geo-whois-asn-country $GEO_VER" \
    "$TMP/asn/package/asn-ipv4.csv" "$TMP/asn/package/asn-ipv6.csv"

mv "$TMP/asn.bin" "$DIR/asn.bin"
mv "$TMP/geo/package/geo-whois-asn-country.mmdb" "$DIR/geo-whois-asn-country.mmdb"
echo "$STAMP" >"$DIR/STAMP"
echo "fetch_data: IP data ready in $DIR (asn $ASN_VER, geo $GEO_VER)" >&2
