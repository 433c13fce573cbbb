#!/bin/sh
# run.sh BUILD_DIR SECONDS - run every fuzz harness for SECONDS each, seeded
# from tests/cases (and ../shared/corpus samples when present). Prints TAP:
# one line per harness, "not ok" when it found a crash (artifact kept in
# BUILD_DIR/crash-NAME-*).
set -u
B=$1; S=${2:-60}
T=$(cd "$(dirname "$0")/.." && pwd)
export KENSA_DATA_DIR="$T/data"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$T/tests/lsan.supp:print_suppressions=0"
n=0; rcall=0
for h in "$B"/fuzz/fuzz_*; do
    [ -f "$h" ] && [ -x "$h" ] || continue
    name=$(basename "$h")
    c="$B/corpus-$name"; mkdir -p "$c"
    if [ -z "$(ls -A "$c")" ]; then
        cp "$T"/tests/cases/*.eml "$c"/ 2>/dev/null
        if [ -d "$T/../shared/corpus/ja-synth" ]; then
            ls "$T"/../shared/corpus/ja-synth/*.eml | head -40 | xargs -I{} cp {} "$c"/
            ls "$T"/../shared/corpus/phish-pot/* | head -40 | xargs -I{} cp {} "$c"/
        fi
    fi
    n=$((n + 1))
    log="$B/$name.log"
    "$h" -max_total_time="$S" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$B/crash-$name-" "$c" > "$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    [ -n "$execs" ] || execs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
    if [ $rc -eq 0 ]; then echo "ok $n - $name: ${execs:-?} executions in ${S}s, no crash"
    else echo "not ok $n - $name: crashed (see $log)"; tail -30 "$log" | sed 's/^/#   /'; rcall=1; fi
done
echo "1..$n"
exit $rcall
