#!/bin/sh
# store.sh - kensa ingest / kensa trends against SQLite and a private
# PostgreSQL started here (tests/pg.sh): the stored aggregates equal what jq
# counts over `kensa analyze --format ndjson` of the same inputs, totals
# equal the input file counts, SQLite and PostgreSQL agree, re-ingest adds
# nothing, a killed ingest resumes without duplicates, two ingesters into one
# PostgreSQL lose and duplicate nothing; migrations, usage errors, escaping.
# Inputs: tests/cases/*.eml always, plus ../shared/corpus ja-synth and
# phish-pot when present (else those steps say # SKIP corpus absent).
# Prints TAP; exits non-zero when a test failed.
set -u
K=${KENSA:?}
T=$(cd "$(dirname "$0")" && pwd)
C=${KENSA_CORPUS:-$T/../../shared/corpus}
W=$(mktemp -d)
. "$T/pg.sh"
BG=""
cleanup() {
    for p in $BG; do kill "$p" 2>/dev/null; done
    pg_stop
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
n=0; failed=0
ok() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
t() { desc=$1; shift; if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# same(A, B, desc): two JSON files equal (shown on failure)
same() {
    if [ "$(cat "$1")" = "$(cat "$2")" ]; then ok 0 "$3"; else
        ok 1 "$3"; diff "$1" "$2" | head -20 | sed 's/^/#   /'; fi
}

# ---- inputs ----
mkdir -p "$W/in"
ln -s "$T"/cases/*.eml "$W/in/"
CORPUS=0
if [ -d "$C/ja-synth" ] && [ -d "$C/phish-pot" ]; then
    CORPUS=1; C=$(cd "$C" && pwd)
    ln -s "$C"/ja-synth/*.eml "$C"/phish-pot/*.eml "$W/in/"
else
    echo "# corpus not found at $C: store tests run on tests/cases only"
fi
NFILES=$(ls "$W/in" | wc -l)
J=2

# ---- reference: kensa's own verdicts over the same inputs ----
"$K" analyze --format ndjson -j $J "$W/in" > "$W/ref.ndjson" 2>/dev/null
# the trends the store must give, computed by jq from the reports
cat > "$W/expect.jq" <<'EOF'
def counts: group_by(.) | map([.[0], length]) | sort;
def nonempty: select(. != null and . != "");
[.[] | select(.error == null)] | unique_by(.source.sha256) as $r
| ($r | map(select(.verdict.label != "clean"))) as $u
| {
  total: ($r | length),
  verdicts: {
    phishing: ($r | map(select(.verdict.label == "phishing")) | length),
    spam: ($r | map(select(.verdict.label == "spam")) | length),
    suspicious: ($r | map(select(.verdict.label == "suspicious")) | length),
    clean: ($r | map(select(.verdict.label == "clean")) | length)},
  brands: ($r | map(select(.brand != null and .brand.impersonated == true) | .brand.id) | counts),
  lures: ($u | map(.content.lure | nonempty) | counts),
  providers: ($u | map(.route.origin | select(. != null)
      | [((.provider | nonempty) // (.as_org | nonempty)),
         (if (.asn // 0) == 0 then null else .asn end)]
      | select(.[0] != null or .[1] != null)) | group_by(.) | map(.[0] + [length]) | sort),
  countries: ($u | map(.route.origin.country | nonempty) | counts),
  tlds: ($u | map((.brand.official_domains // []) as $off
      | [.links[] | select((.domain // "") != "")]
      | reduce .[] as $l ([]; if any(.[]; .domain == $l.domain) then . else . + [$l] end)
      | .[:64]
      | map(.domain as $d
          | select(([$off[] as $o | select($d == $o or ($d | endswith("." + $o)))] | length) == 0)
          | .tld | nonempty)
      | unique)
    | flatten | counts),
  deadlines: ($u | map(select(.content.deadline != null) | .content.deadline_facts) | {
    with_deadline: length,
    weekend: map(select(.weekend == true)) | length,
    month_end: map(select(.month_end == true)) | length,
    within_72h: map(select(.hours != null and .hours >= 0 and .hours <= 72)) | length})
}
EOF
# the same shape from `kensa trends --format json`
cat > "$W/shape.jq" <<'EOF'
{total, verdicts,
 brands: [.brands[] | [.id, .count]] | sort,
 lures: [.lures[] | [.id, .count]] | sort,
 providers: [.providers[] | [.name, .asn, .count]] | sort,
 countries: [.countries[] | [.code, .count]] | sort,
 tlds: [.tlds[] | [.tld, .count]] | sort,
 deadlines}
EOF
jq -s -S -f "$W/expect.jq" "$W/ref.ndjson" > "$W/expect.json" 2>"$W/jq.err"
ok $? "jq computes the expected trends from analyze --format ndjson"
[ -s "$W/jq.err" ] && sed 's/^/#   /' "$W/jq.err"
errs=$(jq -s '[.[] | select(.error)] | length' "$W/ref.ndjson")
uniq=$(jq -s '[.[] | select(.error == null) | .source.sha256] | unique | length' "$W/ref.ndjson")
dups=$(jq -s '[.[] | select(.error == null)] | length - ([.[] | select(.error == null)
    | .source.sha256] | unique | length)' "$W/ref.ndjson")
echo "# $NFILES input files: $uniq distinct messages, $dups duplicates, $errs not analyzable"

# ---- SQLite ----
DB="$W/kensa.db"
"$K" ingest --db "$DB" -j $J "$W/in" > "$W/ing1.out" 2>"$W/ing1.err"; rc=$?
sed 's/^/# sqlite: /' "$W/ing1.out"
ok $([ $rc -le 2 ] && grep -q "^ingested $NFILES inputs" "$W/ing1.out" && echo 0 || echo 1) \
    "ingest into SQLite runs over every input (exit $rc)"
t "SQLite store is in WAL mode" sh -c "[ \"\$(sqlite3 '$DB' 'PRAGMA journal_mode')\" = wal ]"
t "schema version recorded" sh -c "[ \"\$(sqlite3 '$DB' 'SELECT MAX(version) FROM schema_version')\" = 2 ]"
stored=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM reports')
ok $([ "$stored" -eq "$uniq" ] && [ $((stored + errs + dups)) -eq "$NFILES" ] && echo 0 || echo 1) \
    "stored reports = distinct messages ($stored), + duplicates + failures = files ($NFILES)"
t "stored full JSON is the report (sha256 matches the key)" sh -c "[ \"\$(sqlite3 '$DB' \
    \"SELECT COUNT(*) FROM reports WHERE json_extract(report, '\$.source.sha256') = sha256\")\" = $stored ]"
"$K" trends --db "$DB" --top 1000 --format json > "$W/lite.json" 2>"$W/lite.err"
ok $? "trends --format json from SQLite"
cat > "$W/keys.jq" <<'EOF'
has("period") and (.period | has("since") and has("until")) and has("total")
and (.verdicts | has("phishing") and has("spam") and has("suspicious") and has("clean"))
and has("brands") and has("lures") and has("providers") and has("countries") and has("tlds")
and (.deadlines | has("with_deadline") and has("weekend") and has("month_end")
                  and has("within_72h"))
and ([.brands[] | has("id") and has("name") and has("count") and has("previous")] | all)
and ([.providers[] | has("name") and has("asn") and has("count")] | all)
and ([.lures[] | has("id") and has("count")] | all)
and ([.countries[] | has("code") and has("count")] | all)
and ([.tlds[] | has("tld") and has("count")] | all)
EOF
t "trends JSON has every contract key" jq -e -f "$W/keys.jq" "$W/lite.json"
jq -S -f "$W/shape.jq" "$W/lite.json" > "$W/lite.shape"
for k in total verdicts brands lures providers countries tlds deadlines; do
    jq -c ".$k" "$W/expect.json" > "$W/e.$k"; jq -c ".$k" "$W/lite.shape" > "$W/g.$k"
    same "$W/e.$k" "$W/g.$k" "SQLite trends $k = jq over analyze ndjson"
done
if [ $CORPUS = 1 ]; then
    # folder labels: every ja-synth phishing mail of truth.jsonl is stored as such
    tp=$(jq -s '[.[] | select(.label == "phishing")] | length' "$C/ja-synth/truth.jsonl")
    gp=$(sqlite3 "$DB" "SELECT COUNT(*) FROM reports WHERE path LIKE '%/phish-%'")
    ok $([ "$tp" -eq "$gp" ] && echo 0 || echo 1) "ja-synth: $gp stored phishing files, truth.jsonl says $tp"
    pp=$(ls "$C"/phish-pot/*.eml | wc -l)
    gpp=$(sqlite3 "$DB" "SELECT COUNT(*) FROM reports WHERE path LIKE '%/sample-%'")
    epp=$(jq -s '[.[] | select(.error == null and (.source.path | contains("/sample-")))] | unique_by(.source.sha256) | length' "$W/ref.ndjson")
    ok $([ "$gpp" -eq "$epp" ] && echo 0 || echo 1) "phish-pot: $gpp of $pp files stored, $epp analyzable and distinct"
else
    skip "ja-synth phishing count against truth.jsonl" "corpus absent"
    skip "phish-pot stored count against the folder" "corpus absent"
fi

# --week: the 7 days ending at the newest mail; brands' previous = the 7 before
last=$(jq '.period.until' -r "$W/lite.json")
"$K" trends --db "$DB" --week --top 1000 --format json > "$W/week.json"
since=$(date -u -d "$last - 6 days" +%F); psince=$(date -u -d "$last - 13 days" +%F)
puntil=$(date -u -d "$last - 7 days" +%F)
t "--week covers the 7 days ending at the newest mail" jq -e --arg s "$since" --arg u "$last" '.period.since == $s and .period.until == $u and .week == true' "$W/week.json"
cat > "$W/week.jq" <<'EOF'
[.[] | select(.error == null)] | unique_by(.source.sha256)
| map(((.message.received_at // .message.date) // "") as $d | select($d != "") | . + {day: $d[0:10]})
| {total: map(select(.day >= $s and .day <= $u)) | length,
   prev: (map(select(.day >= $ps and .day <= $pu and .brand != null and .brand.impersonated == true)
     | .brand.id) | group_by(.) | map({key: .[0], value: length}) | from_entries)}
EOF
jq -s --arg s "$since" --arg u "$last" --arg ps "$psince" --arg pu "$puntil" -f "$W/week.jq" "$W/ref.ndjson" > "$W/week.expect"
t "--week total = mail received in those 7 days" sh -c "[ \"\$(jq .total '$W/week.json')\" = \"\$(jq .total '$W/week.expect')\" ]"
jq -c --slurpfile e "$W/week.expect" '[.brands[] | .previous == ($e[0].prev[.id] // 0)] | all' "$W/week.json" > "$W/wp"
t "--week brands' previous = count in the 7 days before" grep -qx true "$W/wp"

# human formats
"$K" trends --db "$DB" --week --format md > "$W/t.md"; rc1=$?
"$K" trends --db "$DB" --format html --lang ja > "$W/t.html"; rc2=$?
"$K" trends --db "$DB" --week --format md --lang en > "$W/en.md"; rc3=$?
"$K" trends --db "$DB" --week --format html --lang ja > "$W/w.html"
ok $([ $rc1 = 0 ] && [ $rc2 = 0 ] && [ $rc3 = 0 ] && echo 0 || echo 1) "md and html, ja and en"
t "md: ja headings 最近のスパム動向 / 今週のスパム傾向" sh -c "grep -q '^# 最近のスパム動向' '$W/t.md' && grep -q '^## 今週のスパム傾向' '$W/t.md'"
t "md: en headings" sh -c "grep -q '^# Recent spam trends' '$W/en.md' && grep -q \"^## This week's spam trends\" '$W/en.md'"
t "html: inline SVG bar charts, no script, CSP" sh -c "grep -q '<svg' '$W/t.html' && grep -q '<rect' '$W/t.html' && ! grep -qi '<script' '$W/t.html' && grep -q 'Content-Security-Policy' '$W/t.html' && grep -q '<h2>今週のスパム傾向' '$W/w.html'"
t "paragraph built from the numbers names the top brand" sh -c "name=\$(jq -r '.brands[0].name' '$W/lite.json'); \"$K\" trends --db '$DB' --format md | grep -q \"は特に\$name\""
# a hostile subject claiming a brand: markup and a URL that must come out
# escaped and defanged in every human format
cat > "$W/hostile.eml" <<'EOF'
From: =?UTF-8?B?44Oe44ON44OD44Kv44K56Ki85Yi4?= <info@monex-secure-login.top>
To: user@example.jp
Subject: <script>alert(1)</script> | http://evil-monex.top/login
Date: Mon, 04 May 2026 15:48:28 +0900
Received: from vps.example.net (vps.example.net [203.0.113.9]) by mx.example.jp; Mon, 04 May 2026 15:48:30 +0900
Message-ID: <hostile@monex-secure-login.top>
Content-Type: text/plain; charset=UTF-8

マネックス証券をご利用のお客様へ。ログインして確認してください http://evil-monex.top/login
EOF
"$K" ingest --db "$W/hostile.db" "$W/hostile.eml" > /dev/null 2>&1
"$K" trends --db "$W/hostile.db" --format html > "$W/h.html" 2>/dev/null
"$K" trends --db "$W/hostile.db" --format md > "$W/h.md" 2>/dev/null
t "hostile subject: escaped in html, defanged in md and html" sh -c "grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' '$W/h.html' && grep -qF 'hxxp://evil-monex[.]top' '$W/h.html' && ! grep -qF 'http://evil-monex' '$W/h.html' '$W/h.md' && grep -qF '\\<script\\>' '$W/h.md' && ! grep -qi '<script' '$W/h.html'"

# idempotency: the same inputs again add nothing, trends unchanged
"$K" ingest --db "$DB" -j $J "$W/in" > "$W/ing2.out" 2>/dev/null
t "re-ingest: 0 new" grep -q ": 0 new, $stored already stored" "$W/ing2.out"
"$K" trends --db "$DB" --top 1000 --format json > "$W/lite2.json"
same "$W/lite.json" "$W/lite2.json" "re-ingest: trends unchanged"

# ---- PostgreSQL ----
if pg_available && pg_start "$W" 2>"$W/pg.err"; then
    "$K" ingest --pg "$PG_CONNINFO" -j $J "$W/in" > "$W/pg1.out" 2>/dev/null; rc=$?
    sed 's/^/# postgresql: /' "$W/pg1.out"
    ok $([ $rc -le 2 ] && grep -q ": $stored new" "$W/pg1.out" && echo 0 || echo 1) "ingest into PostgreSQL stores the same $stored reports"
    "$K" trends --pg "$PG_CONNINFO" --top 1000 --format json > "$W/pg.json"
    same "$W/lite.json" "$W/pg.json" "PostgreSQL trends = SQLite trends (every key)"
    "$K" trends --pg "$PG_CONNINFO" --week --top 1000 --format json > "$W/pgweek.json"
    same "$W/week.json" "$W/pgweek.json" "PostgreSQL --week = SQLite --week"
    "$K" ingest --pg "$PG_CONNINFO" -j $J "$W/in" > "$W/pg2.out" 2>/dev/null
    t "PostgreSQL re-ingest: 0 new" grep -q ": 0 new, $stored already stored" "$W/pg2.out"

    # two ingesters at once into a fresh database, opposite input orders
    pg_psql "CREATE DATABASE conc" >/dev/null
    CONC=$(echo "$PG_CONNINFO" | sed 's/dbname=postgres/dbname=conc/')
    ls "$W/in" | head -200 | sed "s|^|$W/in/|" > "$W/c.list"
    sort -r "$W/c.list" > "$W/c.rlist"
    cn=$(wc -l < "$W/c.list")
    # shellcheck disable=SC2046
    "$K" ingest --pg "$CONC" --batch 25 $(cat "$W/c.list") > "$W/c1.out" 2>/dev/null & p1=$!
    # shellcheck disable=SC2046
    "$K" ingest --pg "$CONC" --batch 25 $(cat "$W/c.rlist") > "$W/c2.out" 2>/dev/null & p2=$!
    BG="$p1 $p2"
    wait $p1; r1=$?; wait $p2; r2=$?; BG=""
    ce=$(jq -s --rawfile l "$W/c.list" '($l | split("\n") | map(select(. != ""))) as $f | [.[] | select(.error == null and (.source.path as $p | $f | index([$p])))] | unique_by(.source.sha256) | length' "$W/ref.ndjson")
    cs=$(pg_psql "SELECT COUNT(*) FROM reports" "$CONC")
    cd=$(pg_psql "SELECT COUNT(DISTINCT sha256) FROM reports" "$CONC")
    new1=$(sed -n 's/.*: \([0-9]*\) new.*/\1/p' "$W/c1.out"); new2=$(sed -n 's/.*: \([0-9]*\) new.*/\1/p' "$W/c2.out")
    echo "# concurrent: $cn inputs, ingester 1 stored ${new1:-?}, ingester 2 stored ${new2:-?}"
    ok $([ $r1 -le 2 ] && [ $r2 -le 2 ] && echo 0 || echo 1) "two concurrent ingesters both finish (exit $r1, $r2)"
    ok $([ "$cs" = "$ce" ] && [ "$cd" = "$cs" ] && echo 0 || echo 1) "concurrent: $cs stored = $ce expected, no duplicates"
    ok $([ $(( ${new1:-0} + ${new2:-0} )) -eq "$ce" ] && echo 0 || echo 1) "concurrent: new counts add up to the stored ones"
    lk=$(pg_psql "SELECT COUNT(*) FROM report_links l WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.sha256 = l.sha256)" "$CONC")
    t "concurrent: no link row without its report" test "$lk" = 0
    pg_stop
else
    sed 's/^/#   /' "$W/pg.err" 2>/dev/null | head -5
    for d in "ingest into PostgreSQL" "PostgreSQL trends = SQLite trends" "PostgreSQL --week" \
        "PostgreSQL re-ingest" "two concurrent ingesters" "concurrent: no duplicates" \
        "concurrent: counts add up" "concurrent: link rows"; do
        skip "$d" "PostgreSQL server not available"
    done
fi

# ---- interrupted ingest resumes ----
NGEN=1500
mkdir -p "$W/gen"
awk -v n=$NGEN 'BEGIN { for (i = 0; i < n; i++) {
    printf "From gen@example.jp Mon May  4 15:48:28 2026\n"
    printf "From: Sender <s%d@example.jp>\nTo: u@example.jp\nSubject: gen %d\n", i, i
    printf "Date: Mon, 04 May 2026 15:48:28 +0900\nMessage-ID: <%d@gen.example.jp>\n\nbody %d\n\n", i, i } }' \
    > "$W/gen/gen.mbox"
KDB="$W/kill.db"
"$K" ingest --db "$KDB" --batch 10 "$W/gen/gen.mbox" > /dev/null 2>&1 & kp=$!
BG=$kp
tries=0
while [ $tries -lt 1000 ]; do
    got=$(sqlite3 "$KDB" "SELECT COUNT(*) FROM reports" 2>/dev/null)
    [ "${got:-0}" -gt 0 ] && break
    kill -0 $kp 2>/dev/null || break
    sleep 0.02; tries=$((tries + 1))
done
kill -9 $kp 2>/dev/null; wait $kp 2>/dev/null; BG=""
part=$(sqlite3 "$KDB" "SELECT COUNT(*) FROM reports")
if [ "$part" -eq $NGEN ]; then
    skip "ingest killed midway" "it finished before it could be killed"
else
    ok $([ "$part" -gt 0 ] && echo 0 || echo 1) "ingest killed midway left $part of $NGEN committed"
fi
"$K" ingest --db "$KDB" "$W/gen/gen.mbox" > "$W/resume.out" 2>/dev/null
sed 's/^/# resume: /' "$W/resume.out"
t "resumed ingest stores only the rest" grep -q ": $((NGEN - part)) new, $part already stored, 0 failed" "$W/resume.out"
t "after resume: $NGEN reports, no duplicates" sh -c "[ \"\$(sqlite3 '$KDB' 'SELECT COUNT(*), COUNT(DISTINCT sha256) FROM reports')\" = '$NGEN|$NGEN' ]"

# ---- migrations and errors ----
sqlite3 "$KDB" "DELETE FROM schema_version WHERE version = 2; DROP INDEX reports_day; DROP INDEX reports_brand; DROP INDEX report_findings_id"
"$K" trends --db "$KDB" --format json > /dev/null 2>&1
t "a version-1 store is migrated to 2 (indexes back)" sh -c "[ \"\$(sqlite3 '$KDB' \"SELECT MAX(version) FROM schema_version; SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'report%'\" | tr '\n' ' ')\" = '2 3 ' ]"
sqlite3 "$KDB" "INSERT INTO schema_version VALUES (99)"
"$K" ingest --db "$KDB" "$W/hostile.eml" > /dev/null 2>"$W/newer.err"; rc=$?
t "a store newer than this kensa is refused" sh -c "[ $rc = 1 ] && grep -q 'schema version 99 is newer' '$W/newer.err'"
"$K" trends --db "$W/missing.db" > /dev/null 2>"$W/miss.err"; rc=$?
t "trends on a missing SQLite file: exit 1, no file created" sh -c "[ $rc = 1 ] && [ ! -e '$W/missing.db' ] && grep -q '^kensa: trends: ' '$W/miss.err'"
"$K" trends --db "$DB" --since 2026-02-30 > /dev/null 2>&1; r1=$?
"$K" trends --db "$DB" --week --since 2026-01-01 > /dev/null 2>&1; r2=$?
"$K" trends --db "$DB" --since 2026-05-02 --until 2026-05-01 > /dev/null 2>&1; r3=$?
"$K" ingest --db "$DB" --pg "x" "$W/hostile.eml" > /dev/null 2>&1; r4=$?
ok $([ $r1 = 1 ] && [ $r2 = 1 ] && [ $r3 = 1 ] && [ $r4 = 1 ] && echo 0 || echo 1) "usage errors exit 1 (bad date, --week with --since, since > until, --db with --pg)"
"$K" trends --db "$DB" --since 2030-01-01 --until 2030-01-07 --format json > "$W/empty.json"
t "a period with no mail: total 0, empty rankings" jq -e '.total == 0 and .brands == [] and .period.since == "2030-01-01"' "$W/empty.json"
"$K" ingest --pg "host=$W/nowhere port=1 user=x dbname=x connect_timeout=2" "$W/hostile.eml" > /dev/null 2>"$W/pgbad.err"; rc=$?
t "unreachable PostgreSQL: exit 1 with a one-line reason" sh -c "[ $rc = 1 ] && [ \$(wc -l < '$W/pgbad.err') = 1 ] && grep -q '^kensa: ingest: PostgreSQL: ' '$W/pgbad.err'"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$W"/*.err 2>/dev/null; then
    ok 1 "no sanitizer report"; grep -hE -m 5 'AddressSanitizer|LeakSanitizer|runtime error:' "$W"/*.err | sed 's/^/#   /'
else ok 0 "no sanitizer report"; fi

echo "1..$n"
exit $failed
