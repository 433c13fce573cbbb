#!/bin/sh
# run.sh BUILD_DIR SECONDS [HARNESS...] - run every fuzz harness (or the named
# ones) for SECONDS each. Prints TAP: one line per harness with its real
# execution count, "not ok" when it found a crash, leak, timeout or OOM
# (artifact kept in BUILD_DIR/crash-NAME-*).
#
# Corpora live in BUILD_DIR/corpus-NAME (outside git). The first time, each
# is seeded from tests/cases and a sample of ../shared/corpus, cut to what the
# harness takes (header values for the header parsers, data files for the
# loaders), and minimized with -merge=1 (into an existing corpus the
# first time too; BUILD_DIR/corpus-NAME.seeded marks it done).
#
# FUZZ_SMOKE=1: smoke mode for CI - its own corpus BUILD_DIR/smoke-corpus-NAME,
# seeded from tests/cases only, no merge, -timeout=10, and the harness's own crash/leak checks.
# FUZZ_TIMEOUT (default 1 s outside smoke mode): per-input time limit.
# FUZZ_RUNS: stop each harness after that many executions (-runs) too.
# Outside smoke mode every run appends a line to BUILD_DIR/ledger.tsv
# (utc time, harness, seconds, executions, exit code): fuzz/campaign.sh sums
# it to know how far each harness is from its goal (10 M executions or 1 h).
set -u
B=$1; S=${2:-60}; shift 2 2>/dev/null || shift $#
T=$(cd "$(dirname "$0")/.." && pwd)
C=$T/../shared/corpus
SMOKE=${FUZZ_SMOKE:-0}
export KENSA_DATA_DIR="$T/data" KENSA_DATA="$T/data"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$T/tests/lsan.supp:print_suppressions=0"
if [ "$SMOKE" = 1 ]; then TO=${FUZZ_TIMEOUT:-10}; else TO=${FUZZ_TIMEOUT:-1}; fi

# sample of real messages: tests/cases always, the shared corpus unless smoke
messages() { # -> file names on stdout
    ls "$T"/tests/cases/*.eml
    [ "$SMOKE" = 1 ] && return 0
    [ -d "$C" ] || return 0
    for d in ja-synth phish-pot sa-ham sa-spam ja-bounce edge-fixtures; do
        [ -d "$C/$d" ] || continue
        find "$C/$d" -type f -size -256k | sort | awk 'NR % 7 == 1' | head -40
    done
}

# header values named $1 (case-insensitive), unfolded, one file each
headers() { # name dest
    messages | while read -r f; do
        awk -v want="$1" -v out="$2/$(basename "$f")" '
            BEGIN { IGNORECASE = 1; n = 0 }
            /^\r?$/ { flush(); exit }
            /^[ \t]/ { if (cur != "") cur = cur $0; next }
            { flush(); if (tolower(substr($0, 1, length(want) + 1)) == tolower(want) ":") cur = substr($0, length(want) + 2); }
            function flush() { if (cur != "") { n++; printf "%s", cur > (out "-" n); close(out "-" n) } cur = "" }
            END { flush() }' "$f" 2>/dev/null
    done
}

# maxlen harness: the largest input it gets. Header values are cut at 64 KB
# before any parser sees them and body text is scanned in one pass, so
# inputs beyond these sizes only slow the search down (hostile.sh covers
# the multi-megabyte cases).
maxlen() {
    case $1 in
    fuzz_received|fuzz_authres|fuzz_rfc2047|fuzz_deadline) echo 16384 ;;
    fuzz_links|fuzz_html|fuzz_content|fuzz_brand) echo 65536 ;;
    *) echo 262144 ;;
    esac
}

seed() { # harness dest
    case $1 in
    fuzz_received) headers received "$2" ;;
    fuzz_authres) headers authentication-results "$2"; headers arc-authentication-results "$2" ;;
    fuzz_rfc2047) headers subject "$2"; headers from "$2" ;;
    fuzz_loaders)
        i=0
        for f in rules.tsv lures.tsv typos.tsv freemail.tsv brands.tsv tlds.tsv lookalike_words.tsv \
                 redirectors.tsv subject_tags.tsv providers.tsv countries.tsv dnsbl.tsv rdap_dns.json; do
            if [ -f "$T/data/$f" ]; then
                { printf "\\$(printf %03o $i)"; head -c 200000 "$T/data/$f"; } > "$2/$f"
            fi
            i=$((i + 1))
        done
        printf '\015https://evil.example/login\nevil.example\n# comment\n' > "$2/feed.txt" ;;
    fuzz_asnbin) : ;; # mutations start from scratch (the real asn.bin is > -max_len)
    *) messages | while read -r f; do cp "$f" "$2/" 2>/dev/null; done ;;
    esac
}

n=0; rcall=0
for h in "$B"/fuzz/fuzz_*; do
    [ -f "$h" ] && [ -x "$h" ] || continue
    name=$(basename "$h")
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    c="$B/corpus-$name"
    [ "$SMOKE" = 1 ] && c="$B/smoke-corpus-$name" # small: the run is seconds long
    if [ ! -f "$c.seeded" ] || [ -z "$(ls -A "$c" 2>/dev/null)" ]; then
        mkdir -p "$c"
        sd=$(mktemp -d)
        seed "$name" "$sd"
        if [ "$SMOKE" = 1 ]; then
            cp "$sd"/* "$c"/ 2>/dev/null
        else
            "$h" -merge=1 -max_len=262144 -timeout=10 -rss_limit_mb=2048 "$c" "$sd" > "$B/$name.merge.log" 2>&1 ||
                cp "$sd"/* "$c"/ 2>/dev/null
        fi
        rm -rf "$sd"
        [ "$SMOKE" = 1 ] || : > "$c.seeded"
    fi
    n=$((n + 1))
    # one log per run (two campaign streams may run the same harness at once;
    # sharing a log mixed their final stats), NAME.log points at the latest
    if [ "$SMOKE" = 1 ]; then
        log="$B/smoke-$name.log" # never clobber a long run's log
    else
        log="$B/$name.$$.log"
        ln -sfn "$(basename "$log")" "$B/$name.log"
    fi
    ml=$(maxlen "$name")
    t0=$(date +%s)
    "$h" -max_total_time="$S" -max_len="$ml" -timeout="$TO" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
        -print_final_stats=1 -artifact_prefix="$B/crash-$name-" "$c" > "$log" 2>&1
    rc=$?
    t1=$(date +%s)
    execs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    [ -n "$execs" ] || execs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    files=$(ls "$c" | wc -l)
    [ "$SMOKE" = 1 ] || printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" \
        $((t1 - t0)) "${execs:-0}" "$rc" >> "$B/ledger.tsv"
    if [ $rc -eq 0 ]; then echo "ok $n - $name: ${execs:-?} executions in $((t1 - t0))s, corpus $files, no crash"
    else echo "not ok $n - $name: failed after ${execs:-?} executions (see $log)"; grep -a -m3 -E 'ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/#   /'; rcall=1; fi
done
echo "1..$n"
exit $rcall
