#!/bin/sh
# received_coverage.sh [DIR...] - share of Received headers the route parser
# understands fully (every clause present was parsed, from_ip found when the
# from-clause holds an IP). Default: phish-pot + sa-ham of ../shared/corpus.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ROOT/build/tests/received_coverage" ] || make -C "$ROOT" >/dev/null
C=${KENSA_CORPUS:-$ROOT/../shared/corpus}
[ $# -gt 0 ] || set -- "$C/phish-pot" "$C/sa-ham"
exec "$ROOT/build/tests/received_coverage" "$@"
