#!/bin/sh
# run.sh BUILD_DIR - run every kensa test and print the totals.
# Each test program prints TAP lines ("ok N - ..." / "not ok N - ..." /
# "ok N - ... # SKIP why"); this driver counts them. A program that crashes
# or exits non-zero without a "not ok" line counts as one failure. The last
# line is "N passed, N failed" (", N skipped" when any were skipped).
set -u
B=${1:-build-check}
T=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$T/.." && pwd)
export KENSA_DATA_DIR="$ROOT/data"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$T/lsan.supp:print_suppressions=0"
export KENSA="$ROOT/$B/kensa"

pass=0; fail=0; skip=0
out=$(mktemp); trap 'rm -f "$out"' EXIT

run() { # name, command...
    name=$1; shift
    echo "== $name"
    "$@" >"$out" 2>&1
    rc=$?
    cat "$out"
    p=$(grep -E '^ok [0-9]+' "$out" | grep -vc '# SKIP')
    s=$(grep -E '^ok [0-9]+' "$out" | grep -c '# SKIP')
    f=$(grep -cE '^not ok [0-9]+' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited with status $rc"
        f=1
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

run unit/util "$ROOT/$B/tests/test_util"
run unit/charset "$ROOT/$B/tests/test_charset"
run unit/route "$ROOT/$B/tests/test_route"
run unit/links "$ROOT/$B/tests/test_links" "$ROOT/data"
run unit/brand "$ROOT/$B/tests/test_brand" "$ROOT/data"
run unit/content sh -c "cd '$ROOT' && '$ROOT/$B/tests/test_content'"
run unit/ipintel "$ROOT/$B/tests/test_ipintel" "$ROOT/data" "$ROOT/.deps/ip"
run unit/html_prescan "$ROOT/$B/tests/test_html_prescan" "$ROOT/data" "$T/cases" \
    "${KENSA_CORPUS:-$ROOT/../shared/corpus}"
run cases "$ROOT/$B/tests/run_cases" "$T/cases" "$ROOT/data"
run reports sh "$T/reports.sh"
run online sh "$T/online.sh"
run store sh "$T/store.sh"
run servers sh "$T/servers.sh"
run cli sh "$T/cli.sh"
run hostile sh "$T/hostile.sh"
run fuzz_smoke sh "$T/fuzz_smoke.sh"
run corpus sh "$T/corpus.sh"

if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
