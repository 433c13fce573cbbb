#!/bin/sh
# servers.sh - `kensa serve` and `kensa milter`, all on loopback.
#   HTTP: curl against kensa serve on a free 127.0.0.1 port (JSON/HTML/MD
#   analysis, 401/403/413/503/404, reports and trends from a SQLite store
#   filled by kensa ingest, posted mails stored, the exact bind address, one
#   log line per request, clean SIGTERM), SIGHUP reload of a private data dir
#   (a rules.tsv threshold changed: the next verdict changes; a broken
#   rules.tsv: the old data stays, one log line), the per-request time limit
#   (--analysis-timeout 0.001 against a 7 MB hostile mail: 503 timeout, the
#   analysis keeps its slot until it ends, the server keeps serving), and the
#   page driven by headless Chromium (/?demo=1 makes the page POST its
#   bundled sample; --dump-dom shows the rendered report, --screenshot must
#   not be blank).
#   Milter: a private Postfix (tests/servers/postfix.sh) whose smtpd_milters is
#   kensa milter; mail injected with swaks and smtp-source, delivered by
#   virtual(8) to a Maildir; headers, subject tag (configurable per verdict),
#   forged headers removed, store, 1,000 mails over 20 connections, --reject
#   (the 550 reply), --quarantine (the hold queue, postqueue/postcat), SIGHUP
#   reload under load, fail-open / fail-closed forced by real conditions
#   (--timeout 0.001 with a large mail; the PostgreSQL store stopped), the
#   message size limit (a 30 MB mail through --max-message 1 MiB: delivered
#   whole, analyzed truncated, bounded peak memory), the concurrency limit
#   (never more analyses at once than --max-concurrent), --pg for the milter
#   and serve against a private PostgreSQL (tests/pg.sh), clean SIGTERM.
# Servers are started here and stopped by PID in the trap. Prints TAP; exits
# non-zero when a test failed. KENSA_SERVERS=http or =milter runs one half
# (for quick loops; tests/run.sh runs both).
set -u
K=${KENSA:?}
T=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$T/.." && pwd)
W=$(mktemp -d)
chmod 755 "$W"
ONLY=${KENSA_SERVERS:-all}
. "$T/pg.sh"
SRV=""; MIL=""; PF=""; BGP=""
cleanup() {
    [ -n "$SRV" ] && kill "$SRV" 2>/dev/null
    [ -n "$MIL" ] && kill "$MIL" 2>/dev/null
    for p in $BGP; do kill "$p" 2>/dev/null; done
    [ -n "$PF" ] && sh "$T/servers/postfix.sh" stop "$W/pf" >/dev/null 2>&1
    pg_stop
    wait 2>/dev/null
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
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
# wait_port PORT: until something listens on 127.0.0.1:PORT (30 s at most)
wait_port() {
    i=0
    while [ $i -lt 300 ]; do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" \
            2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
# stop PID: SIGTERM, then its exit status (ASan's leak check included)
stop() { kill -TERM "$1" 2>/dev/null; wait "$1"; }
# wait_log FILE PATTERN [N]: until FILE has N lines (default 1) matching the
# ERE PATTERN (60 s at most)
wait_log() {
    i=0
    while [ $i -lt 600 ]; do
        [ "$(grep -Ec "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
# big_mail FILE MB: a hostile HTML mail of about MB megabytes (one link per
# line, brand text, lure phrases) that carries a forged X-Kensa-Verdict: clean
big_mail() {
    python3 - "$1" "$2" <<'PYEOF'
import sys
path, mb = sys.argv[1], float(sys.argv[2])
head = ["From: =?UTF-8?B?44Ki44Oe44K+44Oz?= <info@amaz0n-jp.example>",
        "To: user@test.example", "Subject: big hostile mail",
        "X-Kensa-Verdict: clean", "Date: Mon, 2 Jun 2025 10:00:00 +0900",
        "Message-ID: <big-%s@amaz0n-jp.example>" % mb, "MIME-Version: 1.0",
        "Content-Type: text/html; charset=utf-8", ""]
out, i, size = [], 0, 0
while size < mb * 1048576:
    line = ('<p><a href="http://x%d.amaz0n-%d.top/login?id=%d">https://www.amazon.co.jp/%d</a>'
            ' アカウントを確認してください %d</p>' % (i, i % 97, i, i, i))
    out.append(line); size += len(line.encode()) + 2; i += 1
open(path, "w").write("\r\n".join(head) + "\r\n" + "\r\n".join(out) + "\r\n")
PYEOF
}

EML=$T/cases/demo-ja.eml
SHA=$(sha256sum "$EML" | cut -d' ' -f1)

# ================= HTTP =================
if [ "$ONLY" != milter ]; then
DB=$W/store.db
# (some cases are limit/hostile inputs that fail on purpose: exit 2 is fine)
"$K" ingest --db "$DB" "$T"/cases/*.eml >/dev/null 2>&1
t "kensa ingest fills a temp SQLite store" \
    sh -c "[ \$(sqlite3 '$DB' \"SELECT COUNT(*) FROM reports WHERE sha256 = '$SHA'\") = 1 ]"
P=$(free_port)
U=http://127.0.0.1:$P
"$K" serve --listen "127.0.0.1:$P" --db "$DB" --token s3cret --max-body 100000 \
    2>"$W/serve.log" &
SRV=$!
wait_port "$P"
ok $? "kensa serve listens on 127.0.0.1:$P"
t "it binds exactly 127.0.0.1, not the wildcard" \
    sh -c "ss -ltn | grep -q ' 127.0.0.1:$P ' && ! ss -ltn | grep -Eq ' (0.0.0.0|\*|\[::\]):$P '"
t "GET /healthz is {\"status\": \"ok\"} without a token" \
    sh -c "curl -sf '$U/healthz' | jq -e '.status == \"ok\"'"
AUTH="Authorization: Bearer s3cret"
code=$(curl -s -o "$W/401.json" -w '%{http_code}' --data-binary @"$EML" "$U/v1/analyze")
t "POST /v1/analyze without the token: 401 with a JSON error" \
    sh -c "[ '$code' = 401 ] && jq -e '.error.code == \"unauthorized\"' '$W/401.json'"
code=$(curl -s -o "$W/401b.json" -w '%{http_code}' -H "Authorization: Bearer nope" \
    --data-binary @"$EML" "$U/v1/analyze")
t "a wrong token: 401" test "$code" = 401
curl -s -H "$AUTH" --data-binary @"$EML" "$U/v1/analyze" >"$W/a.json"
t "POST a tests/cases .eml: JSON verdict phishing with the input's sha256" \
    jq -e ".verdict.label == \"phishing\" and .source.sha256 == \"$SHA\"" "$W/a.json"
"$K" analyze --format json "$EML" >"$W/cli.json" 2>/dev/null
t "the API verdict equals kensa analyze's" \
    sh -c "[ \"\$(jq -c .verdict '$W/a.json')\" = \"\$(jq -c .verdict '$W/cli.json')\" ]"
curl -s -D "$W/h.hdr" -H "$AUTH" --data-binary @"$EML" \
    "$U/v1/analyze?format=html&lang=en" >"$W/a.html"
t "format=html: text/html with the report and X-Kensa-Verdict" \
    sh -c "grep -qi '^content-type: text/html' '$W/h.hdr' &&
           grep -qi '^x-kensa-verdict: phishing' '$W/h.hdr' && grep -qi '<html' '$W/a.html'"
code=$(curl -s -o "$W/a.md" -w '%{http_code}' -H "$AUTH" --data-binary @"$EML" \
    "$U/v1/analyze?format=md")
t "format=md: 200 with Markdown" sh -c "[ '$code' = 200 ] && grep -q '^#' '$W/a.md'"
code=$(curl -s -o "$W/400.json" -w '%{http_code}' -H "$AUTH" --data-binary @"$EML" \
    "$U/v1/analyze?format=pdf")
t "format=pdf: 400" test "$code" = 400
code=$(curl -s -o "$W/403.json" -w '%{http_code}' -H "$AUTH" --data-binary @"$EML" \
    "$U/v1/analyze?online=1")
t "online=1 on a server without --online: 403 with a JSON error" \
    sh -c "[ '$code' = 403 ] && jq -e '.error.code == \"online_disabled\"' '$W/403.json'"
head -c 150000 /dev/zero | tr '\0' 'a' >"$W/big.eml"
code=$(curl -s -o "$W/413.json" -w '%{http_code}' -H "$AUTH" --data-binary @"$W/big.eml" \
    "$U/v1/analyze")
t "a body over --max-body: 413 (Content-Length)" \
    sh -c "[ '$code' = 413 ] && jq -e '.error.code == \"too_large\"' '$W/413.json'"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Transfer-Encoding: chunked' \
    --data-binary @"$W/big.eml" "$U/v1/analyze")
t "a chunked body over --max-body: 413" test "$code" = 413
code=$(curl -s -o "$W/r.json" -w '%{http_code}' -H "$AUTH" "$U/v1/reports/$SHA")
t "GET /v1/reports/{sha256} of an ingested mail: the stored report" \
    sh -c "[ '$code' = 200 ] && jq -e '.source.sha256 == \"$SHA\" and .verdict.label' '$W/r.json'"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$U/v1/reports/$(printf '%064d' 0)")
t "GET /v1/reports/{unknown sha256}: 404" test "$code" = 404
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$U/v1/reports/xyz")
t "GET /v1/reports/{not a sha256}: 400" test "$code" = 400
{
    printf 'From: Support <help@posted.example>\r\nTo: user@test.example\r\n'
    printf 'Subject: posted, never ingested\r\nDate: Tue, 3 Jun 2025 10:00:00 +0900\r\n'
    printf 'Message-ID: <posted@posted.example>\r\n\r\nOnly the API saw this one.\r\n'
} >"$W/posted.eml"
PSHA=$(sha256sum "$W/posted.eml" | cut -d' ' -f1)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$U/v1/reports/$PSHA")
t "a mail never posted nor ingested: 404" test "$code" = 404
curl -s -D "$W/p.hdr" -o /dev/null -H "$AUTH" --data-binary @"$W/posted.eml" "$U/v1/analyze"
t "POST /v1/analyze names the input's SHA-256 (X-Kensa-Sha256)" \
    grep -qi "^x-kensa-sha256: $PSHA" "$W/p.hdr"
code=$(curl -s -o "$W/pr.json" -w '%{http_code}' -H "$AUTH" "$U/v1/reports/$PSHA")
t "the posted mail is stored: GET /v1/reports/{its sha256} finds it" \
    sh -c "[ '$code' = 200 ] && jq -e '.source.sha256 == \"$PSHA\"' '$W/pr.json'"
curl -s -H "$AUTH" "$U/v1/trends" >"$W/tr.json"
t "GET /v1/trends: trends JSON with the contract's keys, total = stored" \
    sh -c "jq -e 'has(\"period\") and has(\"total\") and has(\"verdicts\")
                  and has(\"brands\") and has(\"lures\") and has(\"tlds\")
                  and has(\"domains\")' '$W/tr.json' &&
           [ \"\$(jq .total '$W/tr.json')\" = \
             \"\$(sqlite3 '$DB' 'SELECT COUNT(*) FROM reports')\" ]"
curl -s -H "$AUTH" "$U/v1/trends?week=2026-01-31" >"$W/tw.json"
t "GET /v1/trends?week=YYYY-MM-DD: the 7 days ending that day" \
    jq -e '.period.until == "2026-01-31" and .period.since == "2026-01-25"' "$W/tw.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$U/v1/trends?week=2026-02-30")
t "GET /v1/trends?week=<not a day>: 400" test "$code" = 400
curl -s "$U/" >"$W/page.html"
t "GET /: the page (upload form, iframe, no external assets)" \
    sh -c "grep -q '<iframe' '$W/page.html' && grep -q '/v1/analyze?format=html' '$W/page.html' &&
           ! grep -Eq '(src|href)=\"(https?:)?//' '$W/page.html'"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/nope")
t "an unknown path: 404" test "$code" = 404

t "one log line per request: method, path, status, bytes, ms" \
    sh -c "grep -Eq '^kensa: serve: POST /v1/analyze 200 [0-9]+ [0-9.]+ms' '$W/serve.log' &&
           grep -Eq '^kensa: serve: POST /v1/analyze 401 ' '$W/serve.log' &&
           grep -Eq '^kensa: serve: GET /v1/reports/[0-9a-f]{64} 404 ' '$W/serve.log'"
stop "$SRV"
ok $? "SIGTERM: kensa serve exits 0 (ASan/LSan clean)"
SRV=""

# --max-concurrent 1: a slow upload holds the only slot, the next request gets 503
P2=$(free_port)
"$K" serve --listen "127.0.0.1:$P2" --max-concurrent 1 2>"$W/serve2.log" &
SRV=$!
wait_port "$P2"
head -c 60000 /dev/zero | tr '\0' 'b' >"$W/slow.eml"
curl -s -o /dev/null --limit-rate 15k --data-binary @"$W/slow.eml" \
    "http://127.0.0.1:$P2/v1/analyze" &
slow=$!
sleep 1
code=$(curl -s -o "$W/503.json" -w '%{http_code}' --data-binary @"$EML" \
    "http://127.0.0.1:$P2/v1/analyze")
t "a request past --max-concurrent: 503 with a JSON error" \
    sh -c "[ '$code' = 503 ] && jq -e '.error.code == \"busy\"' '$W/503.json'"
wait "$slow"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$EML" \
    "http://127.0.0.1:$P2/v1/analyze")
t "once the slot is free again: 200" test "$code" = 200
# the page in headless Chromium (this server has no token): /?demo=1 POSTs the
# bundled sample
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
    cflags="--headless --no-sandbox --disable-gpu --disable-background-networking
        --disable-component-update --disable-sync --no-first-run --disable-quic
        --disable-dev-shm-usage --virtual-time-budget=15000"
    # shellcheck disable=SC2086
    timeout 60 "$CHROME" $cflags --user-data-dir="$W/chr1" \
        --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --dump-dom "http://127.0.0.1:$P2/?demo=1" >"$W/dom.html" 2>"$W/chr1.log"
    t "Chromium: the page posts the sample and shows the report (data-state=done)" \
        sh -c "grep -q 'data-state=\"done\"' '$W/dom.html' && grep -q 'srcdoc=' '$W/dom.html'"
    t "Chromium: the status line names the verdict" \
        grep -q 'verdict: phishing' "$W/dom.html"
    # shellcheck disable=SC2086
    timeout 60 "$CHROME" $cflags --user-data-dir="$W/chr2" \
        --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" --window-size=1280,900 \
        --screenshot="$W/page.png" "http://127.0.0.1:$P2/?demo=1" >"$W/chr2.log" 2>&1
    t "Chromium: a screenshot of the page with the report rendered, not blank" \
        python3 "$T/servers/png_check.py" "$W/page.png"
else
    skip "Chromium: the page posts the sample" "chromium not installed"
    skip "Chromium: the status line names the verdict" "chromium not installed"
    skip "Chromium: screenshot" "chromium not installed"
fi
t "without a store: /v1/reports is 404 no_store" \
    sh -c "curl -s 'http://127.0.0.1:$P2/v1/reports/$SHA' | jq -e '.error.code == \"no_store\"'"
stop "$SRV"
ok $? "SIGTERM: the second server exits 0"
SRV=""
t "usage: serve without --listen exits 1" sh -c "'$K' serve 2>/dev/null; [ \$? = 1 ]"
"$K" serve --listen 127.0.0.1:99999 >/dev/null 2>&1
t "usage: serve --listen with a bad port exits 1" test $? = 1
"$K" serve --listen 127.0.0.1:1 --analysis-timeout 0 >/dev/null 2>&1
t "usage: serve --analysis-timeout 0 exits 1" test $? = 1

# ---- SIGHUP reload: a private data dir whose rules.tsv changes ----
RD=$W/data-http
cp -r "$ROOT/data" "$RD"
cp "$RD/rules.tsv" "$W/rules.orig"
P3=$(free_port)
U3=http://127.0.0.1:$P3
"$K" serve --listen "127.0.0.1:$P3" --data-dir "$RD" 2>"$W/serve3.log" &
SRV=$!
wait_port "$P3"
verdict3() { curl -s --data-binary @"$EML" "$U3/v1/analyze" | jq -r .verdict.label; }
t "reload server: the sample is phishing with the shipped rules" test "$(verdict3)" = phishing
# @phishing 6 -> 100: the same score (21.5) now only reaches spam
sed 's/^@phishing\t.*/@phishing\t100/' "$W/rules.orig" >"$RD/rules.tsv"
kill -HUP "$SRV"
wait_log "$W/serve3.log" 'reloaded the data \(generation 2\)'
ok $? "SIGHUP: kensa serve logs the reload (generation 2)"
t "after SIGHUP the next request uses the new rules.tsv: spam" test "$(verdict3)" = spam
{ cat "$RD/rules.tsv"; printf 'SPF_FAIL\tnot-a-number\tmedium\tx\ty\n'; } >"$W/rules.bad"
cp "$W/rules.bad" "$RD/rules.tsv"
kill -HUP "$SRV"
wait_log "$W/serve3.log" 'reload failed'
t "a broken rules.tsv on SIGHUP: one clear log line naming the file and line" \
    sh -c "[ \$(grep -c 'reload failed' '$W/serve3.log') = 1 ] &&
           grep -q 'reload failed, keeping the current data: data: .*rules.tsv:[0-9]*: ' \
               '$W/serve3.log'"
t "... the server keeps the last good data (still spam) and keeps serving" \
    sh -c "[ \"\$(curl -s --data-binary @'$EML' '$U3/v1/analyze' | jq -r .verdict.label)\" = spam ]"
# a slow request in flight across a reload finishes (on the data it began with)
big_mail "$W/big7.eml" 7
cp "$W/rules.orig" "$RD/rules.tsv"
curl -s -o "$W/slowbig.json" -w '%{http_code}' --data-binary @"$W/big7.eml" "$U3/v1/analyze" \
    >"$W/slowbig.code" &
slowbig=$!
wait_log "$W/serve3.log" 'POST /v1/analyze' 4
sleep 0.5
kill -HUP "$SRV"
# twenty more SIGHUPs while requests run: none fails, the server stays up
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do kill -HUP "$SRV"; done
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
    c=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$EML" "$U3/v1/analyze")
    [ "$c" = 200 ] || bad=$((bad + 1))
done
wait "$slowbig"
t "a request in flight during SIGHUP completes (200)" test "$(cat "$W/slowbig.code")" = 200
t "... and a reload happened while it ran (logged before its request line)" \
    sh -c "grep -nE 'reloaded the data|POST /v1/analyze 200 [0-9]{6,}' '$W/serve3.log' |
           head -2 | head -1 | grep -q reloaded"
t "21 SIGHUPs under requests: every request 200 ($bad failed)" test "$bad" = 0
wait_log "$W/serve3.log" 'reloaded the data' 2
t "after the good rules.tsv is back: phishing again" test "$(verdict3)" = phishing
t "healthz after the reloads" sh -c "curl -sf '$U3/healthz' | jq -e '.status == \"ok\"'"
stop "$SRV"
ok $? "SIGTERM after reloads: exits 0 (ASan/LSan clean: old generations freed)"
SRV=""

# ---- the per-request time limit: a real overrun, not a mock ----
# --analysis-timeout 0.001 s against the 7 MB hostile mail (seconds of work);
# --max-concurrent 1 shows that the runaway analysis keeps its slot
P4=$(free_port)
U4=http://127.0.0.1:$P4
DB4=$W/store4.db
"$K" serve --listen "127.0.0.1:$P4" --db "$DB4" --analysis-timeout 0.001 --max-concurrent 1 \
    2>"$W/serve4.log" &
SRV=$!
wait_port "$P4"
BSHA=$(sha256sum "$W/big7.eml" | cut -d' ' -f1)
code=$(curl -s -o "$W/to.json" -w '%{http_code}' --data-binary @"$W/big7.eml" "$U4/v1/analyze")
t "an analysis over --analysis-timeout: 503 with JSON error code timeout" \
    sh -c "[ '$code' = 503 ] && jq -e '.error.code == \"timeout\"' '$W/to.json'"
code=$(curl -s -o "$W/busy.json" -w '%{http_code}' --data-binary @"$EML" "$U4/v1/analyze")
t "... the analysis still runs and holds the only slot: the next POST is 503 busy" \
    sh -c "[ '$code' = 503 ] && jq -e '.error.code == \"busy\"' '$W/busy.json'"
t "... the server keeps serving (healthz 200)" \
    sh -c "curl -sf '$U4/healthz' | jq -e '.status == \"ok\"'"
# once it ends the report is stored (the slot comes back too)
i=0; code=404
while [ $i -lt 600 ] && [ "$code" != 200 ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$U4/v1/reports/$BSHA"); sleep 0.2; i=$((i + 1))
done
t "... when it ends its report is stored anyway (GET /v1/reports 200)" test "$code" = 200
nreq=$(grep -cE '^kensa: serve: (GET|POST) ' "$W/serve4.log")
t "one log line per request ($nreq lines for $((3 + i)) requests)" test "$nreq" = $((3 + i))
stop "$SRV"
ok $? "SIGTERM with the time-limited server: exits 0"
SRV=""
fi

# ================= milter + Postfix =================
[ "$ONLY" = http ] && { [ "$failed" = 0 ]; exit; }
if ! command -v postfix >/dev/null 2>&1 || ! command -v swaks >/dev/null 2>&1 ||
   [ "$(id -u)" != 0 ]; then
    for d in "postfix starts" "milter headers" "subject tag" "forged headers removed" \
             "stored" "load test" "reject" "milter SIGTERM"; do
        skip "milter: $d" "needs root, postfix and swaks"
    done
    [ "$failed" = 0 ]; exit
fi
SP=$(free_port); MP=$(free_port)
MDB=$W/milter.db
BOX=$W/pf/mail/box/new
ML=$W/milter.log
start_milter() { # options... (log: $ML)
    "$K" milter --listen "inet:$MP@127.0.0.1" "$@" 2>>"$ML" &
    MIL=$!
    wait_port "$MP"
}
start_milter --db "$MDB" --subject-tag 'phishing=[phishing],spam=[spam]' --max-concurrent 20
ok $? "kensa milter listens on inet:$MP@127.0.0.1"
mkdir -p "$W/pf"
sh "$T/servers/postfix.sh" start "$W/pf" "$SP" "$MP" >"$W/pf.log" 2>&1 && PF=1
wait_port "$SP"
ok $? "a private Postfix listens on 127.0.0.1:$SP with smtpd_milters = kensa"
# count_box N: wait (60 s at most) until the Maildir holds N messages
count_box() {
    i=0
    while [ $i -lt 600 ]; do
        [ "$(ls "$BOX" 2>/dev/null | wc -l)" -ge "$1" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
swaks --server "127.0.0.1:$SP" --helo mail.evil.example --from phisher@evil.example \
    --to user@test.example --data "$EML" >"$W/swaks1.log" 2>&1
ok $? "swaks: the phishing sample is accepted (250)"
count_box 1
ok $? "it is delivered to the Maildir"
F1=$(ls "$BOX"/* 2>/dev/null | head -1)
t "delivered mail carries X-Kensa-Verdict: phishing and X-Kensa-Score" \
    sh -c "grep -q '^X-Kensa-Verdict: phishing' '$F1' &&
           grep -Eq '^X-Kensa-Score: [0-9]+\.[0-9]' '$F1'"
t "X-Kensa-Findings lists finding ids" grep -Eq '^X-Kensa-Findings: [A-Z_]+( [A-Z_]+)*' "$F1"
t "the subject is prefixed with [phishing]" grep -q '^Subject: \[phishing\] ' "$F1"
t "the analysis saw the real client (log: IP, HELO, MAIL FROM)" \
    grep -q '\[127.0.0.1\] helo=mail.evil.example from=<phisher@evil.example> phishing' \
    "$W/milter.log"
{
    printf 'From: a@clean.example\r\nTo: user@test.example\r\nSubject: lunch\r\n'
    printf 'X-Kensa-Verdict: clean\r\nX-Kensa-Score: 0.0\r\n'
    printf 'Date: Mon, 2 Jun 2025 10:00:00 +0900\r\nMessage-ID: <f1@clean.example>\r\n'
    printf '\r\nSee you at noon.\r\n'
} >"$W/forged.eml"
swaks --server "127.0.0.1:$SP" --from a@clean.example --to user@test.example \
    --data "$W/forged.eml" >"$W/swaks2.log" 2>&1
count_box 2
F2=$(grep -l 'Subject: lunch' "$BOX"/* 2>/dev/null | head -1)
t "X-Kensa-* headers sent by the sender are removed, ours added once" \
    sh -c "[ -n '$F2' ] && [ \$(grep -c '^X-Kensa-Verdict:' '$F2') = 1 ] &&
           [ \$(grep -c '^X-Kensa-Score:' '$F2') = 1 ]"
t "reports are stored in the --db store" \
    sh -c "[ \$(sqlite3 '$MDB' \"SELECT COUNT(*) FROM reports WHERE verdict = 'phishing'\") -ge 1 ]"
# load: 1,000 mails over 20 concurrent SMTP sessions
before=$(ls "$BOX" | wc -l)
smtp-source -s 20 -m 1000 -f load@evil.example -t user@test.example -S "load test" \
    "127.0.0.1:$SP" >"$W/load.log" 2>&1
ok $? "smtp-source: 1,000 mails over 20 connections accepted"
count_box $((before + 1000))
ok $? "load: all 1,000 delivered, none lost ($(ls "$BOX" | wc -l) - $before)"
nohdr=$(grep -L '^X-Kensa-Verdict: ' "$BOX"/* | wc -l)
t "load: every delivered mail carries X-Kensa-Verdict" test "$nohdr" = 0
t "load: no 'unscanned' verdict (no timeout or error)" \
    sh -c "! grep -l '^X-Kensa-Verdict: unscanned' '$BOX'/* | grep -q ."
stop "$MIL"
ok $? "SIGTERM: kensa milter exits 0 (ASan/LSan clean)"
MIL=""
start_milter --reject phishing
before=$(ls "$BOX" | wc -l)
swaks --server "127.0.0.1:$SP" --from phisher@evil.example --to user@test.example \
    --data "$EML" >"$W/swaks3.log" 2>&1
t "--reject phishing: the SMTP client gets 550 5.7.1 from Postfix" \
    grep -q '^<.* 550 5.7.1 kensa: message rejected as phishing' "$W/swaks3.log"
sleep 1
t "... and nothing is delivered or queued" \
    sh -c "[ \$(ls '$BOX' | wc -l) = $before ] &&
           postqueue -c '$W/pf/etc' -p | grep -q 'Mail queue is empty'"
stop "$MIL"
ok $? "SIGTERM: the rejecting milter exits 0"
MIL=""

# send ID FILE: FILE with "X-Test-Id: ID" on top through Postfix; swaks log in $W/swaks-ID.log
send() {
    { printf 'X-Test-Id: %s\r\n' "$1"; cat "$2"; } >"$W/m-$1.eml"
    swaks --server "127.0.0.1:$SP" --helo mail.evil.example --from phisher@evil.example \
        --to user@test.example --data "$W/m-$1.eml" >"$W/swaks-$1.log" 2>&1
}
# got ID: the delivered file of test mail ID (waits 60 s at most), "" when none
got() {
    i=0
    while [ $i -lt 600 ]; do
        for f in $(ls -t "$BOX" | head -5); do
            sed -n '/^$/q;p' "$BOX/$f" | grep -q "^X-Test-Id: $1\$" && { echo "$BOX/$f"; return 0; }
        done
        sleep 0.1; i=$((i + 1))
    done
    echo ""
}
hdr() { sed -n '/^$/q;p' "$2" | grep "^$1: " | head -1 | cut -d' ' -f2-; } # NAME FILE
queue_empty() { postqueue -c "$W/pf/etc" -p | grep -q 'Mail queue is empty'; }

# ---- --quarantine: phishing goes to Postfix's hold queue ----
start_milter --quarantine phishing
send q1 "$EML"
t "--quarantine phishing: Postfix accepts the mail (250)" grep -q '^<.* 250 2.0.0 Ok' "$W/swaks-q1.log"
sleep 1
postqueue -c "$W/pf/etc" -p >"$W/pq.txt" 2>&1
QID=$(grep -Eo '^[0-9A-F]{6,}!' "$W/pq.txt" | head -1 | tr -d '!')
t "... it is in the hold queue (postqueue -p marks it !)" test -n "$QID"
postcat -c "$W/pf/etc" -q "$QID" >"$W/pc.txt" 2>&1
t "... postcat: the held message carries X-Kensa-Verdict: phishing" \
    grep -q 'X-Kensa-Verdict: phishing' "$W/pc.txt"
t "... Postfix logs the hold (milter-hold) for that queue id" \
    sh -c "grep -q '$QID: milter-hold: END-OF-MESSAGE' '$W/pf/maillog'"
t "... it is not delivered" sh -c "! grep -l '^X-Test-Id: q1' '$BOX'/* 2>/dev/null | grep -q ."
send q2 "$W/forged.eml"
F=$(got q2)
t "... a clean mail through the quarantining milter is delivered" \
    sh -c "[ -n '$F' ] && [ \"\$(sed -n '/^\$/q;p' '$F' | grep '^X-Kensa-Verdict:' | cut -d' ' -f2)\" = clean ]"
postsuper -c "$W/pf/etc" -d ALL >/dev/null 2>&1
stop "$MIL"
ok $? "SIGTERM: the quarantining milter exits 0"
MIL=""

# ---- SIGHUP reload, per-verdict subject tags ----
RDM=$W/data-milter
cp -r "$ROOT/data" "$RDM"
cp "$RDM/rules.tsv" "$W/rules.orig"
: >"$ML"
start_milter --data-dir "$RDM" --subject-tag 'phishing=***PHISH***,clean=[ok]' --max-concurrent 10
send r1 "$EML"; F=$(got r1)
t "--subject-tag phishing=***PHISH***: the phishing sample's subject starts with it" \
    sh -c "[ -n '$F' ] && grep -q '^Subject: \*\*\*PHISH\*\*\* ' '$F'"
send r2 "$W/forged.eml"; F=$(got r2)
t "--subject-tag clean=[ok]: a clean mail gets [ok]" grep -q '^Subject: \[ok\] lunch' "$F"
sed 's/^@phishing\t.*/@phishing\t100/' "$W/rules.orig" >"$RDM/rules.tsv"
kill -HUP "$MIL"
wait_log "$ML" 'milter: reloaded the data \(generation 2\)'
ok $? "SIGHUP: kensa milter logs the reload (generation 2)"
send r3 "$EML"; F=$(got r3)
t "after SIGHUP the next mail gets the new rules' verdict: spam" \
    sh -c "[ \"\$(sed -n '/^\$/q;p' '$F' | grep '^X-Kensa-Verdict:' | cut -d' ' -f2)\" = spam ]"
t "... and no tag (none configured for spam): the Subject line is the sender's" \
    sh -c "[ \"\$(grep '^Subject:' '$F')\" = \"\$(grep '^Subject:' '$EML')\" ]"
{ cat "$W/rules.orig"; printf 'SPF_FAIL\tnot-a-number\tmedium\tx\ty\n'; } >"$RDM/rules.tsv"
kill -HUP "$MIL"
wait_log "$ML" 'milter: reload failed'
t "a broken rules.tsv on SIGHUP: one log line, naming the file and line" \
    sh -c "[ \$(grep -c 'reload failed' '$ML') = 1 ] &&
           grep -q 'reload failed, keeping the current data: data: .*rules.tsv:[0-9]*: ' '$ML'"
send r4 "$EML"; F=$(got r4)
t "... the milter stays up on the last good data (spam)" \
    sh -c "[ -n '$F' ] && grep -q '^X-Kensa-Verdict: spam' '$F'"
# reload under load: 200 mails over 10 sessions while SIGHUPs arrive
cp "$W/rules.orig" "$RDM/rules.tsv"
before=$(ls "$BOX" | wc -l)
smtp-source -s 10 -m 200 -f load@evil.example -t user@test.example -S "reload load" \
    "127.0.0.1:$SP" >"$W/load2.log" 2>&1 &
load=$!
BGP="$load"
for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.3; kill -HUP "$MIL"; done
wait "$load"
ok $? "200 mails over 10 sessions with 10 SIGHUPs meanwhile: all accepted"
BGP=""
count_box $((before + 200))
ok $? "... all 200 delivered, none lost"
t "... every one scanned (no unscanned verdict)" \
    sh -c "! grep -l '^X-Kensa-Verdict: unscanned' '$BOX'/* | grep -q ."
t "... the reloads happened (logged) and the milter is still up" \
    sh -c "[ \$(grep -c 'milter: reloaded the data' '$ML') -ge 3 ] && kill -0 $MIL"
send r5 "$EML"; F=$(got r5)
t "... after them the restored rules apply: phishing again" grep -q '^X-Kensa-Verdict: phishing' "$F"
stop "$MIL"
ok $? "SIGTERM after reloads: the milter exits 0 (ASan/LSan clean)"
MIL=""

# ---- fail-open / fail-closed on a real timeout ----
# --timeout 0.001 s with a 2 MB hostile mail: the analysis takes far longer
big_mail "$W/big2.eml" 2
: >"$ML"
start_milter --timeout 0.001
send fo1 "$W/big2.eml"
t "fail-open (default), analysis over --timeout: Postfix accepts (250)" \
    grep -q '^<.* 250 2.0.0 Ok' "$W/swaks-fo1.log"
F=$(got fo1)
t "... delivered with X-Kensa-Verdict: unscanned" \
    sh -c "[ -n '$F' ] && [ \"\$(sed -n '/^\$/q;p' '$F' | grep '^X-Kensa-Verdict:')\" = \
           'X-Kensa-Verdict: unscanned' ]"
t "... the sender's forged X-Kensa-Verdict: clean is removed" \
    sh -c "! grep -q '^X-Kensa-Verdict: clean' '$F'"
t "... the milter logs why (analysis timed out, accepted unscanned)" \
    grep -q 'analysis timed out (accepted unscanned)' "$ML"
stop "$MIL"
ok $? "SIGTERM with an analysis still running: waits for it, exits 0"
MIL=""
start_milter --timeout 0.001 --fail-closed
before=$(ls "$BOX" | wc -l)
send fc1 "$W/big2.eml"
t "fail-closed, analysis over --timeout: the SMTP client gets 451 4.7.1" \
    grep -q '^<.* 451 4.7.1 kensa: message could not be scanned' "$W/swaks-fc1.log"
sleep 1
t "... nothing delivered, nothing queued (the sender retries)" \
    sh -c "[ \$(ls '$BOX' | wc -l) = $before ] && postqueue -c '$W/pf/etc' -p |
           grep -q 'Mail queue is empty'"
t "... the milter logs it (tempfail)" grep -q 'analysis timed out (tempfail)' "$ML"
stop "$MIL"
ok $? "SIGTERM: the fail-closed milter exits 0"
MIL=""

# ---- bounded memory: --max-message 64 KiB and a 30 MB mail ----
big_mail "$W/big30.eml" 30
: >"$ML"
# (ASan's quarantine would keep every freed 64 KiB body chunk resident: keep it small)
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=1" start_milter --max-message 65536
hwm0=$(awk '/^VmHWM/ {print $2}' "/proc/$MIL/status")
send sz1 "$W/big30.eml"
F=$(got sz1)
hwm1=$(awk '/^VmHWM/ {print $2}' "/proc/$MIL/status")
echo "# milter peak RSS before/after a 30 MB mail with --max-message 64 KiB: $hwm0 / $hwm1 kB"
t "a 30 MB mail over --max-message 64 KiB: delivered whole" \
    sh -c "[ -n '$F' ] && [ \$(wc -c <'$F') -gt 30000000 ]"
t "... with a verdict taken on the first 64 KiB (logged truncated)" \
    sh -c "grep -Eq '^X-Kensa-Verdict: (phishing|spam|suspicious|clean)' '$F' &&
           grep -q '(truncated)' '$ML'"
t "... the milter's peak memory grew by less than the mail (+$(( (hwm1 - hwm0) / 1024 )) MB < 30 MB)" \
    test $((hwm1 - hwm0)) -lt 30720
stop "$MIL"
ok $? "SIGTERM: the size-limited milter exits 0"
MIL=""

# ---- concurrency limit: never more analyses at once than --max-concurrent ----
: >"$ML"
start_milter --max-concurrent 2
before=$(ls "$BOX" | wc -l)
smtp-source -s 10 -m 60 -l 200000 -f load@evil.example -t user@test.example -S "limit" \
    "127.0.0.1:$SP" >"$W/load3.log" 2>&1
ok $? "60 mails of 200 kB over 10 sessions through --max-concurrent 2: accepted"
count_box $((before + 60))
ok $? "... all delivered"
maxrun=$(grep -o 'running=[0-9]*' "$ML" | cut -d= -f2 | sort -n | tail -1)
t "... at most 2 analyses ran at once (max logged running=$maxrun)" test "${maxrun:-0}" -le 2
t "... and the limit was reached (running=2 seen)" test "${maxrun:-0}" = 2
t "... no mail unscanned (they waited for a slot within --timeout)" \
    sh -c "! grep -q 'unscanned' '$ML'"
stop "$MIL"
ok $? "SIGTERM: the limited milter exits 0"
MIL=""

# ---- --pg: the milter and serve on a private PostgreSQL ----
if pg_available && pg_start "$W" 2>"$W/pg.err"; then
    pg_up() {
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -p $PG_PORT -c fsync=off" \
            start >/dev/null 2>&1
    }
    pg_down() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1; }
    pgcount() { pg_psql "SELECT COUNT(*) FROM reports${1:+ WHERE $1}" 2>/dev/null; }
    : >"$ML"
    start_milter --pg "$PG_CONNINFO" --fail-closed
    send pg1 "$EML"; F=$(got pg1)
    t "milter --pg: the mail is delivered with its verdict" grep -q '^X-Kensa-Verdict: phishing' "$F"
    t "... and its report is in PostgreSQL" test "$(pgcount "verdict = 'phishing'")" -ge 1
    PGSHA=$(pg_psql "SELECT sha256 FROM reports LIMIT 1")
    P5=$(free_port)
    "$K" serve --listen "127.0.0.1:$P5" --pg "$PG_CONNINFO" 2>"$W/serve5.log" &
    SRV=$!
    wait_port "$P5"
    code=$(curl -s -o "$W/pgr.json" -w '%{http_code}' "http://127.0.0.1:$P5/v1/reports/$PGSHA")
    t "serve --pg: GET /v1/reports/{sha256} finds the report the milter stored" \
        sh -c "[ '$code' = 200 ] && jq -e '.verdict.label == \"phishing\"' '$W/pgr.json'"
    n0=$(pgcount)
    { printf 'X-Test-Id: pgpost\r\n'; cat "$EML"; } >"$W/pgpost.eml"
    curl -s -o /dev/null --data-binary @"$W/pgpost.eml" "http://127.0.0.1:$P5/v1/analyze"
    t "serve --pg: POST /v1/analyze stores the analysis in PostgreSQL" \
        test "$(pgcount)" = $((n0 + 1))
    stop "$SRV"
    ok $? "SIGTERM: serve --pg exits 0"
    SRV=""
    # the store goes away: fail-closed tempfails, and recovers when it is back
    pg_down
    send pg2 "$W/forged.eml"
    t "fail-closed, PostgreSQL down (report cannot be stored): 451 4.7.1" \
        grep -q '^<.* 451 4.7.1' "$W/swaks-pg2.log"
    t "... the milter logs the store error and the tempfail" \
        sh -c "grep -q 'milter: store: PostgreSQL' '$ML' &&
               grep -q 'the report could not be stored (tempfail)' '$ML'"
    pg_up
    send pg2 "$W/forged.eml"; F=$(got pg2)
    t "PostgreSQL back: the retried mail is accepted and delivered" \
        sh -c "[ -n '$F' ] && grep -q '^X-Kensa-Verdict: clean' '$F'"
    t "... and stored (the milter reconnected)" \
        test "$(pgcount "subject LIKE '%lunch%'")" -ge 1
    stop "$MIL"
    ok $? "SIGTERM: the fail-closed --pg milter exits 0"
    MIL=""
    start_milter --pg "$PG_CONNINFO"
    pg_down
    send pg3 "$EML"; F=$(got pg3)
    t "fail-open, PostgreSQL down: delivered with its verdict (scanned, not stored)" \
        sh -c "[ -n '$F' ] && grep -q '^X-Kensa-Verdict: phishing' '$F' &&
               grep -q '(not stored)' '$ML'"
    stop "$MIL"
    ok $? "SIGTERM: the fail-open --pg milter exits 0"
    MIL=""
    pg_stop
else
    for d in "milter --pg stores" "serve --pg reads the milter's report" "serve --pg stores" \
             "fail-closed with PostgreSQL down" "fail-open with PostgreSQL down"; do
        skip "$d" "no PostgreSQL server binaries (postgresql)"
    done
fi
"$K" milter --listen "unix:$W/m.sock" 2>"$W/milter-unix.log" &
MIL=$!
i=0; while [ ! -S "$W/m.sock" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
t "milter --listen unix:PATH makes the socket" test -S "$W/m.sock"
stop "$MIL"
ok $? "SIGTERM: the unix-socket milter exits 0"
MIL=""
t "usage: milter --listen without inet:/unix: exits 1" \
    sh -c "'$K' milter --listen 1234 2>/dev/null; [ \$? = 1 ]"

[ "$failed" = 0 ]
