#!/bin/sh
# eval.sh [DIR...] - kensa's verdicts against labels. Labels: truth.jsonl
# beside the files when present (label per file), else the folder name:
# phish-pot = phishing, sa-spam = spam, sa-ham / ja-bounce = ham.
# Prints per set: count, label counts, recall (phishing or spam counts as
# caught; phishing alone too), false-positive rate (ham labelled phishing or
# spam; suspicious reported apart), and a confusion table.
# Default sets: ja-synth phish-pot sa-ham sa-spam ja-bounce of ../shared/corpus.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=${KENSA:-$ROOT/build/kensa}
[ -x "$K" ] || make -C "$ROOT" >/dev/null
C=${KENSA_CORPUS:-$ROOT/../shared/corpus}
[ $# -gt 0 ] || set -- "$C/ja-synth" "$C/phish-pot" "$C/sa-ham" "$C/sa-spam" "$C/ja-bounce"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
printf '%-10s %6s %8s %6s %10s %6s %6s  %s\n' set n phishing spam suspicious clean error "recall / fp"
for d in "$@"; do
    set_name=$(basename "$d")
    "$K" analyze --format ndjson -j "${JOBS:-2}" "$d" > "$W/out.ndjson" 2>/dev/null || true
    if [ -f "$d/truth.jsonl" ]; then
        jq -c '{f: .file, l: (if .label == "phishing" then "phishing" elif .label == "spam" then "spam" else "ham" end)}' "$d/truth.jsonl" > "$W/labels"
    else
        case "$set_name" in
            phish-pot) lab=phishing ;; sa-spam) lab=spam ;; *) lab=ham ;;
        esac
        jq -c --arg l "$lab" 'select(.message) | {f: (.source.path | split("/") | last), l: $l}' "$W/out.ndjson" > "$W/labels"
    fi
    jq -s -r --slurpfile lab "$W/labels" --arg set "$set_name" '
      (map(select(.message) | {key: (.source.path | split("/") | last), value: .verdict.label}) | from_entries) as $v
      | [$lab[] | {l: .l, v: ($v[.f] // "error")}] as $rows
      | ($rows | length) as $n
      | def cnt(f): [$rows[] | select(f)] | length;
      [ $set, $n, cnt(.v == "phishing"), cnt(.v == "spam"), cnt(.v == "suspicious"), cnt(.v == "clean"), cnt(.v == "error") ] as $c
      | (cnt(.l != "ham")) as $pos | (cnt(.l == "ham")) as $neg
      | (if $pos > 0 then "recall \(100 * cnt(.l != "ham" and (.v == "phishing" or .v == "spam")) / $pos | floor)% (phishing alone \(100 * cnt(.l == "phishing" and .v == "phishing") / ([cnt(.l == "phishing"), 1] | max) | floor)%)" else "" end) as $rec
      | (if $neg > 0 then "fp \(cnt(.l == "ham" and (.v == "phishing" or .v == "spam"))) of \($neg) = \(10000 * cnt(.l == "ham" and (.v == "phishing" or .v == "spam")) / $neg | floor / 100)%, suspicious \(cnt(.l == "ham" and .v == "suspicious"))" else "" end) as $fp
      | "\($c[0])\t\($c[1])\t\($c[2])\t\($c[3])\t\($c[4])\t\($c[5])\t\($c[6])\t\($rec) \($fp)"' "$W/out.ndjson" |
      awk -F'\t' '{printf "%-10s %6s %8s %6s %10s %6s %6s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8}'
    if [ -n "${EVAL_TOP:-}" ]; then
        jq -r 'select(.findings) | .findings[].id' "$W/out.ndjson" | sort | uniq -c | sort -rn | head -15 | sed 's/^/    /'
    fi
done
