#!/bin/sh
# campaign.sh BUILD_DIR [UNTIL_EPOCH] [HARNESS...] - the long fuzzing runs of
# issue 9: every harness until it has run 10 million executions or one hour
# in all, summed over sessions from BUILD_DIR/ledger.tsv (fuzz/run.sh appends
# to it). Runs go in chunks of at most FUZZ_CHUNK seconds (default 600) so an
# interrupted campaign loses little; a chunk that finds a crash, leak, timeout
# or OOM stops the campaign with run.sh's report (the reproducer is in
# BUILD_DIR/crash-NAME-*). UNTIL_EPOCH (date +%s): start no chunk that would
# end after it. Prints the ledger totals at the end (fuzz/campaign.sh B --sum).
# fuzz/ledger-history.tsv (committed) carries the runs of machines whose
# build-fuzz is gone (append BUILD_DIR/ledger.tsv to it at the end of a
# session); the sums include it, each line once.
# Exit code 72 in the ledger is libFuzzer's "interrupted" (the run was
# stopped from outside), not a finding. Timeouts are wall-clock: on a busy
# machine run at a mild nice level and re-run any timeout reproducer alone
# (FUZZ_TIMEOUT raises the per-input limit).
set -u
B=$1; shift
UNTIL=${1:-0}; [ $# -gt 0 ] && shift
T=$(cd "$(dirname "$0")/.." && pwd)
GOAL_EXECS=${FUZZ_GOAL_EXECS:-10000000}
GOAL_SECS=${FUZZ_GOAL_SECS:-3600}
CHUNK=${FUZZ_CHUNK:-600}
L="$B/ledger.tsv"
# totals carried from earlier machines (committed; comment lines start with #)
H="$T/fuzz/ledger-history.tsv"

total() { # harness -> "seconds executions findings"
    # sort -u: a run copied into the history at the end of a session is
    # still in this build's ledger; count it once
    cat "$H" "$L" 2>/dev/null | sort -u | awk -F'\t' -v h="$1" '$2 == h { s += $3; e += $4; if ($5 != 0 && $5 != 72) f++ }
        END { printf "%d %d %d\n", s, e, f }'
}

summary() {
    printf '%-14s %10s %14s %9s  %s\n' harness seconds executions findings goal
    for h in "$B"/fuzz/fuzz_*; do
        [ -f "$h" ] && [ -x "$h" ] || continue
        n=$(basename "$h"); set -- $(total "$n")
        if [ "$2" -ge "$GOAL_EXECS" ] || [ "$1" -ge "$GOAL_SECS" ]; then g=reached; else g=open; fi
        printf '%-14s %10s %14s %9s  %s\n' "$n" "$1" "$2" "$3" "$g"
    done
}

if [ "$UNTIL" = "--sum" ]; then summary; exit 0; fi
[ "$UNTIL" = 0 ] && UNTIL=$(( $(date +%s) + 365 * 86400 ))

want=" $* "
progress=1
while [ $progress = 1 ]; do
    progress=0
    for h in "$B"/fuzz/fuzz_*; do
        [ -f "$h" ] && [ -x "$h" ] || continue
        n=$(basename "$h")
        [ "$want" = "  " ] || case $want in *" $n "*) ;; *) continue ;; esac
        set -- $(total "$n")
        secs=$1; execs=$2
        [ "$execs" -ge "$GOAL_EXECS" ] && continue
        [ "$secs" -ge "$GOAL_SECS" ] && continue
        left=$((GOAL_SECS - secs)); [ $left -gt "$CHUNK" ] && left=$CHUNK
        now=$(date +%s)
        [ $((now + left)) -le "$UNTIL" ] || { left=$((UNTIL - now)); [ $left -ge 60 ] || continue; }
        FUZZ_RUNS=$((GOAL_EXECS - execs)) sh "$T/fuzz/run.sh" "$B" "$left" "$n" | grep -v '^1\.\.'
        last=$(tail -1 "$L" | cut -f5)
        if [ "$(tail -1 "$L" | cut -f2)" = "$n" ] && [ "$last" != 0 ] && [ "$last" != 72 ]; then
            echo "# campaign stopped: $n found something (see $B/$n.log)"; summary; exit 1
        fi
        progress=1
    done
done
summary
