#!/bin/sh
# corpus.sh - kensa over every file of ../shared/corpus (or $KENSA_CORPUS),
# under the sanitizers of the build being tested: no crash, no leak, no
# sanitizer report, exactly one ndjson record per message (mbox files: one
# per message inside), every record valid JSON; and for ja-synth every
# subject decodes exactly to truth.jsonl and every body names the brand.
# Prints TAP; when the corpus is absent (a fresh clone) it says so and skips.
set -u
K=${KENSA:?}
T=$(cd "$(dirname "$0")" && pwd)
C=${KENSA_CORPUS:-$T/../../shared/corpus}
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
if [ ! -d "$C/ja-synth" ]; then
    echo "# corpus not found at $C: corpus-wide tests skipped (set KENSA_CORPUS to run them)"
    for d in "every corpus file analyzed, one record per message" "ja-synth subjects exact" "ja-synth bodies name the brand" "ja-synth origin ip" "ja-synth lure domains in links" "ja-synth link mismatch" "ja-synth brand domains" "ja-synth impersonation"; do
        n=$((n + 1)); echo "ok $n - $d # SKIP corpus absent"
    done
    echo "1..$n"; exit 0
fi
C=$(cd "$C" && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT

# expected record count: one per file, but an mbox (first line "From x y")
# counts its messages: "From " lines at the start or after an empty line
empties=$(find "$C" -type f -empty | wc -l)
expected=$(find "$C" -type f -print0 | xargs -0 awk '
    FNR == 1 { mbox = ($0 ~ /^From / && NF >= 3); if (!mbox) c++; prev = "" }
    mbox && /^From / && (FNR == 1 || prev == "" || prev == "\r") { c++ }
    { prev = $0 }
    END { print c + 0 }' | awk '{ s += $1 } END { print s }')
expected=$((expected + empties))

"$K" analyze --format ndjson -j 2 "$C" > "$W/all.ndjson" 2> "$W/all.err"
rc=$?
got=$(wc -l < "$W/all.ndjson")
ok $([ "$rc" -le 2 ] && echo 0 || echo 1) "whole corpus run exits 0 or 2 (got $rc), no crash"
ok $([ "$got" -eq "$expected" ] && echo 0 || echo 1) "one ndjson record per message: $got records, $expected expected"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$W/all.err"; then
    ok 1 "no sanitizer report over the corpus"; grep -E -m 5 'AddressSanitizer|LeakSanitizer|runtime error:' "$W/all.err" | sed 's/^/#   /'
else ok 0 "no sanitizer report over the corpus"; fi
valid=$(jq -c '.source.sha256 // "x"' "$W/all.ndjson" 2>/dev/null | wc -l)
ok $([ "$valid" -eq "$got" ] && echo 0 || echo 1) "every record is valid JSON ($valid of $got)"
errs=$(jq -r 'select(.error) | .error.code' "$W/all.ndjson" | sort | uniq -c | tr '\n' ' ')
echo "# error records by code: $errs"
jq -r 'select(.error) | .source.path' "$W/all.ndjson" | sed "s|$C/||" | head -20 | sed 's/^/#   /'
# every error record is one line on stderr too
e1=$(jq -r 'select(.error) | .source.path' "$W/all.ndjson" | wc -l)
e2=$(grep -c '^kensa: ' "$W/all.err")
ok $([ "$e1" -eq "$e2" ] && echo 0 || echo 1) "each error record has its stderr line ($e1 records, $e2 lines)"
# nothing in ja-synth, sa-ham, sa-spam or phish-pot may be refused
bad=$(jq -r 'select(.error) | .source.path' "$W/all.ndjson" | grep -E '/(ja-synth|sa-ham|sa-spam|phish-pot)/' | grep -v -E '/(truth.jsonl|LICENSE|README[^/]*)$' | wc -l)
ok $([ "$bad" -eq 0 ] && echo 0 || echo 1) "no real message of ja-synth, sa-ham, sa-spam, phish-pot refused ($bad refused)"

# ja-synth: subjects exact, body names the brand
jq -c 'select(.message) | select(.source.path | test("/ja-synth/")) | {f: (.source.path | split("/") | last), s: .message.subject, t: .message.text}' "$W/all.ndjson" > "$W/js.ndjson"
jq -s -r --slurpfile truth "$C/ja-synth/truth.jsonl" '
  (map({key: .f, value: .}) | from_entries) as $got
  | [$truth[] | select(($got[.file].s // "") != .subject) | .file] | length' "$W/js.ndjson" > "$W/subj.bad"
total=$(wc -l < "$C/ja-synth/truth.jsonl")
sb=$(cat "$W/subj.bad")
ok $([ "$sb" = 0 ] && echo 0 || echo 1) "ja-synth subjects exact: $((total - sb))/$total"
jq -s -r --slurpfile truth "$C/ja-synth/truth.jsonl" '
  (map({key: .f, value: .}) | from_entries) as $got
  | [$truth[] | . as $tr | select(($got[$tr.file].t // "") | contains($tr.brand_name) | not) | .file] | length' "$W/js.ndjson" > "$W/body.bad"
bb=$(cat "$W/body.bad")
ok $([ "$bb" = 0 ] && echo 0 || echo 1) "ja-synth bodies contain the brand name: $((total - bb))/$total"

# ja-synth: the origin hop is the truth's origin_ip wherever truth names one
jq -c 'select(.message) | select(.source.path | test("/ja-synth/")) | {f: (.source.path | split("/") | last), ip: .route.origin.ip}' "$W/all.ndjson" > "$W/origin.ndjson"
ob=$(jq -s -r --slurpfile truth "$C/ja-synth/truth.jsonl" '
  (map({key: .f, value: .ip}) | from_entries) as $got
  | [$truth[] | select(.origin_ip != "" and .origin_ip != null) | select($got[.file] != .origin_ip) | .file] | length' "$W/origin.ndjson")
ot=$(jq -r 'select(.origin_ip != "" and .origin_ip != null) | .file' "$C/ja-synth/truth.jsonl" | wc -l)
ok $([ "$ob" = 0 ] && echo 0 || echo 1) "ja-synth route.origin.ip equals truth origin_ip: $((ot - ob))/$ot"
# ja-synth: the origin's provider (offline IP data) is the truth's origin_provider
if [ -f "$T/../.deps/ip/asn.bin" ]; then
    jq -c 'select(.message) | select(.source.path | test("/ja-synth/")) | {f: (.source.path | split("/") | last), p: .route.origin.provider}' "$W/all.ndjson" > "$W/prov.ndjson"
    pb=$(jq -s -r --slurpfile truth "$C/ja-synth/truth.jsonl" '
      (map({key: .f, value: .p}) | from_entries) as $got
      | [$truth[] | select(.origin_provider != "" and .origin_provider != null) | select($got[.file] != .origin_provider) | .file] | length' "$W/prov.ndjson")
    pt=$(jq -r 'select(.origin_provider != "" and .origin_provider != null) | .file' "$C/ja-synth/truth.jsonl" | wc -l)
    ok $([ "$pb" = 0 ] && echo 0 || echo 1) "ja-synth route.origin.provider equals truth origin_provider: $((pt - pb))/$pt"
else
    n=$((n + 1)); echo "ok $n - ja-synth origin provider # SKIP ip data absent (make deps)"
fi
# ja-synth links and brands against truth.jsonl
jq -c 'select(.message) | select(.source.path | test("/ja-synth/")) | {f: (.source.path | split("/") | last), d: [.links[].domain], mm: ([.links[] | select(.mismatch)] | length > 0), b: .brand}' "$W/all.ndjson" > "$W/lb.ndjson"
chk() { # jq filter over truth rows with $got -> number of failures
    jq -s -r --slurpfile truth "$C/ja-synth/truth.jsonl" "(map({key: .f, value: .}) | from_entries) as \$got | [\$truth[] | . as \$t | \$got[\$t.file] as \$g | select($1) | .file] | length" "$W/lb.ndjson"
}
np=$(jq -r 'select(.label == "phishing") | .file' "$C/ja-synth/truth.jsonl" | wc -l)
f=$(chk '$t.label == "phishing" and (($g.d // []) | index($t.lure_domain) | not)')
ok $([ "$f" = 0 ] && echo 0 || echo 1) "ja-synth: the lure domain is among links[].domain ($((np - f))/$np phishing)"
f=$(chk '(($t.tricks // []) | index("link_text_mismatch") != null) != $g.mm')
ok $([ "$f" = 0 ] && echo 0 || echo 1) "ja-synth: a link mismatch exactly where truth has link_text_mismatch ($f differ)"
f=$(chk '(($g.b.official_domains // []) | index($t.brand_domains[0])) == null')
ok $([ "$f" = 0 ] && echo 0 || echo 1) "ja-synth: the detected brand's official domains include truth brand_domains[0] ($f differ)"
f=$(chk '($g.b.impersonated // false) != ($t.label == "phishing")')
ok $([ "$f" = 0 ] && echo 0 || echo 1) "ja-synth: impersonated exactly for phishing ($f differ)"
echo "1..$n"
