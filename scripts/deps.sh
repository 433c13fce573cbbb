#!/bin/sh
# deps.sh - install what kensa needs from Debian 12 packages, only what is
# missing (so a second run is instant and needs no network). Run as root or
# with sudo available. Used by `make demo` and `make check`.
set -eu

PKGS="gcc make pkg-config meson ninja-build
libglib2.0-dev libgmime-3.0-dev libjansson-dev libgumbo-dev libuchardet-dev
libpsl-dev publicsuffix libidn2-dev libmaxminddb-dev libicu-dev
jq
chromium fonts-ipafont-gothic python3-jsonschema cmark-gfm
libunbound-dev libcurl4-openssl-dev libssl-dev libopendkim-dev opendkim-tools unbound strace
libsqlite3-dev sqlite3 libpq-dev postgresql
libmicrohttpd-dev libmilter-dev postfix swaks
clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
# npm fetches the IP data packages (scripts/fetch_data.sh); Debian's npm only
# when none is installed (a nodesource nodejs already brings its own)
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "deps: need root (or sudo) to install:$missing" >&2; exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
# postfix (for tests/servers.sh) must not ask which mail setup to write: a
# private instance is configured by the test itself
case " $missing " in *" postfix "*)
    echo "postfix postfix/main_mailer_type select No configuration" |
        $SUDO debconf-set-selections ;;
esac
# a stale package index is the usual cause of a failed install on a fresh box
$SUDO apt-get update -q >/dev/null || $SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
