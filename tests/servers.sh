#!/bin/sh
# servers.sh - `kensa serve` and `kensa milter`, all on loopback.
#   HTTP: curl against kensa serve on a free 127.0.0.1 port (JSON/HTML/MD
#   analysis, 401/403/413/503/404, reports and trends from a SQLite store
#   filled by kensa ingest, the exact bind address, one log line per request,
#   clean SIGTERM), and the page driven by headless Chromium (/?demo=1 makes
#   the page POST its bundled sample; --dump-dom shows the rendered report,
#   --screenshot must not be blank).
#   Milter: a private Postfix (tests/servers/postfix.sh) whose smtpd_milters is
#   kensa milter; mail injected with swaks and smtp-source, delivered by
#   virtual(8) to a Maildir; headers, subject tag, forged headers removed,
#   store, 1,000 mails over 20 connections, --reject, clean SIGTERM.
# Servers are started here and stopped by PID in the trap. Prints TAP; exits
# non-zero when a test failed.
set -u
K=${KENSA:?}
T=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
chmod 755 "$W"
SRV=""; MIL=""; PF=""
cleanup() {
    [ -n "$SRV" ] && kill "$SRV" 2>/dev/null
    [ -n "$MIL" ] && kill "$MIL" 2>/dev/null
    [ -n "$PF" ] && sh "$T/servers/postfix.sh" stop "$W/pf" >/dev/null 2>&1
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

EML=$T/cases/demo-ja.eml
SHA=$(sha256sum "$EML" | cut -d' ' -f1)

# ================= HTTP =================
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

# ================= milter + Postfix =================
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
start_milter() { # extra options...
    "$K" milter --listen "inet:$MP@127.0.0.1" --db "$MDB" \
        --subject-tag 'phishing=[phishing],spam=[spam]' --max-concurrent 20 "$@" \
        2>>"$W/milter.log" &
    MIL=$!
    wait_port "$MP"
}
start_milter
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
swaks --server "127.0.0.1:$SP" --from phisher@evil.example --to user@test.example \
    --data "$EML" >"$W/swaks3.log" 2>&1
t "--reject phishing: the SMTP client gets 550 5.7.1" grep -q '550 5.7.1' "$W/swaks3.log"
stop "$MIL"
ok $? "SIGTERM: the rejecting milter exits 0"
MIL=""
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
