#!/bin/sh
# cli.sh - the command line's contract: input forms (file, directory/Maildir,
# mbox, stdin), output formats, one record per input in input order, error
# records and exit codes (0 all analyzed, 1 usage, 2 some input failed).
# Prints TAP. Needs $KENSA (the binary) and jq.
set -u
K=${KENSA:?}
T=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d); trap 'chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
t() { desc=$1; shift; if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi; }

msg() { # subject -> a small message on stdout
    printf 'From: Sender <s@example.jp>\nTo: u@example.jp\nSubject: %s\nDate: Mon, 04 May 2026 15:48:28 +0900\nMessage-ID: <%s@example.jp>\n\nbody %s\n' "$1" "$1" "$1"
}

msg one > "$W/one.eml"
"$K" analyze --format json "$W/one.eml" > "$W/out.json" 2>"$W/err"; rc=$?
ok $rc "single file analyzed, exit 0"
t "json output is one object with schema_version 1" jq -e '.schema_version == 1 and .message.subject == "one"' "$W/out.json"
t "source has path, sha256 and size" jq -e --arg s "$(sha256sum "$W/one.eml" | cut -d' ' -f1)" '.source.sha256 == $s and .source.size > 0 and (.source.path | endswith("one.eml"))' "$W/out.json"
t "every contract key is present" jq -e 'has("route") and has("auth") and has("links") and has("brand") and has("content") and has("findings") and has("verdict") and (.message | has("subject_tag") and has("reply_to") and has("received_at") and has("parts"))' "$W/out.json"
"$K" analyze "$W/one.eml" > "$W/def.json" 2>/dev/null
t "default format off a terminal is json" jq -e '.message.subject == "one"' "$W/def.json"

msg stdin | "$K" analyze --format json - > "$W/stdin.json" 2>/dev/null; ok $? "stdin (-) analyzed"
t "stdin report has subject and path -" jq -e '.message.subject == "stdin" and .source.path == "-"' "$W/stdin.json"

# the splitter against the line-by-line rule on 300 random mailboxes (LF, CR,
# CRLF, "From " on and off line starts)
mkdir "$W/mbr"
if command -v python3 >/dev/null 2>&1; then
    t "mbox split: random mailboxes as the line walk gives" python3 "$T/tools/mbox_split_check.py" "$K" "$W/mbr"
else
    n=$((n + 1)); echo "ok $n - mbox split: random mailboxes # SKIP python3 not installed"
fi

# mbox with a broken message in the middle: 3 records, in order, exit 2
{ printf 'From a@b Mon May  4 15:48:28 2026\n'; msg m1; printf '\nFrom a@b Mon May  4 15:48:29 2026\n'; printf '\001\002\003 garbage, no header\n'; printf '\nFrom a@b Mon May  4 15:48:30 2026\n'; msg m3; } > "$W/box.mbox"
"$K" analyze --format ndjson "$W/box.mbox" > "$W/box.out" 2>"$W/box.err"; rc=$?
ok $([ $rc = 2 ] && echo 0 || echo 1) "mbox with a broken message exits 2"
t "mbox gives 3 records" test "$(wc -l < "$W/box.out")" -eq 3
t "mbox records in order, the broken one is an error record" sh -c "jq -s -e '.[0].message.subject == \"m1\" and .[1].error.code != null and .[2].message.subject == \"m3\" and .[1].source.path == \"$W/box.mbox#2\"' '$W/box.out'"
t "stderr names the bad input: kensa: PATH: reason" grep -q "^kensa: $W/box.mbox#2: " "$W/box.err"

# Maildir (recursive, name order), plus an empty file and a symlink loop
mkdir -p "$W/md/cur" "$W/md/new" "$W/md/tmp"
msg c1 > "$W/md/cur/1"; msg c2 > "$W/md/cur/2"; msg n1 > "$W/md/new/1"
: > "$W/md/new/0empty"
ln -s .. "$W/md/cur/loop"
"$K" analyze "$W/md" > "$W/md.out" 2>"$W/md.err"; rc=$?
ok $([ $rc = 2 ] && echo 0 || echo 1) "directory with an empty file and a symlink loop exits 2"
t "directory: 5 records (3 messages, empty, loop)" test "$(wc -l < "$W/md.out")" -eq 5
t "directory records in name order" sh -c "jq -s -e '[.[] | (.message.subject // .error.code)] == [\"c1\",\"c2\",\"symlink_loop\",\"empty\",\"n1\"]' '$W/md.out'"

# CR-only and CRLF line endings decode like LF
msg crlf | sed 's/$/\r/' > "$W/crlf.eml"
msg cr | tr '\n' '\r' > "$W/cr.eml"
t "CRLF message" sh -c "'$K' analyze --format json '$W/crlf.eml' | jq -e '.message.subject == \"crlf\" and (.message.text | startswith(\"body crlf\"))'"
t "CR-only message" sh -c "'$K' analyze --format json '$W/cr.eml' | jq -e '.message.subject == \"cr\" and (.message.text | startswith(\"body cr\"))'"

# errors and usage
"$K" analyze "$W/missing.eml" > "$W/miss.out" 2>"$W/miss.err"; rc=$?
ok $([ $rc = 2 ] && echo 0 || echo 1) "missing file exits 2"
t "missing file: one-line error on stderr" sh -c "test \$(wc -l < '$W/miss.err') -eq 1 && grep -q '^kensa: $W/missing.eml: ' '$W/miss.err'"
"$K" analyze --format ndjson "$W/missing.eml" "$W/one.eml" > "$W/mix.out" 2>/dev/null; rc=$?
t "batch with a missing file still reports the other" sh -c "[ $rc = 2 ] && jq -s -e '.[0].error.code == \"unreadable\" and .[1].message.subject == \"one\"' '$W/mix.out'"
mkfifo "$W/fifo"
"$K" analyze --format ndjson "$W/fifo" "$W/one.eml" > "$W/fifo.out" 2>/dev/null; rc=$?
t "a FIFO is refused without blocking, the batch goes on" sh -c "[ $rc = 2 ] && jq -s -e '.[0].error.code == \"not_a_file\" and .[1].message.subject == \"one\"' '$W/fifo.out'"
"$K" analyze >/dev/null 2>&1; rc=$?
ok $([ $rc = 1 ] && echo 0 || echo 1) "no input is a usage error (exit 1)"
"$K" analyze --bogus "$W/one.eml" >/dev/null 2>&1; rc=$?
ok $([ $rc = 1 ] && echo 0 || echo 1) "unknown option is a usage error (exit 1)"
"$K" analyze -j 0 "$W/one.eml" >/dev/null 2>&1; rc=$?
ok $([ $rc = 1 ] && echo 0 || echo 1) "-j 0 is a usage error (exit 1)"
"$K" frobnicate >/dev/null 2>&1; rc=$?
ok $([ $rc = 1 ] && echo 0 || echo 1) "unknown command exits 1"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    cp "$W/one.eml" "$W/secret.eml"; chmod 600 "$W/secret.eml"; chmod 755 "$W"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$K" analyze --format ndjson "$W/secret.eml" "$W/one.eml" > "$W/perm.out" 2>/dev/null; rc=$?
    t "unreadable file: error record, the other still reported" sh -c "[ $rc = 2 ] && jq -s -e '.[0].error.code == \"unreadable\" and .[1].message.subject == \"one\"' '$W/perm.out'"
elif [ "$(id -u)" != 0 ]; then
    cp "$W/one.eml" "$W/secret.eml"; chmod 000 "$W/secret.eml"
    "$K" analyze --format ndjson "$W/secret.eml" "$W/one.eml" > "$W/perm.out" 2>/dev/null; rc=$?
    t "unreadable file: error record, the other still reported" sh -c "[ $rc = 2 ] && jq -s -e '.[0].error.code == \"unreadable\" and .[1].message.subject == \"one\"' '$W/perm.out'"
else
    n=$((n + 1)); echo "ok $n - unreadable file # SKIP root without setpriv"
fi

# parallel workers keep input order and give identical records
"$K" analyze --format ndjson -j 1 "$T/cases" > "$W/j1" 2>/dev/null
"$K" analyze --format ndjson -j 4 "$T/cases" > "$W/j4" 2>/dev/null
t "-j 4 output identical to -j 1" cmp -s "$W/j1" "$W/j4"
t "-j output is non-trivial" test "$(wc -l < "$W/j1")" -gt 10

# KM_MAX_MESSAGE_SIZE (64 MiB): a bigger message is analyzed on its first 64 MiB, with a warning
{ msg big; head -c 70000000 /dev/zero | tr '\0' 'x' | fold -w 76; } > "$W/big.eml"
"$K" analyze --format json "$W/big.eml" > "$W/big.json" 2>/dev/null; rc=$?
t "a 70 MB message is analyzed (exit $rc) with a size warning" sh -c "[ $rc = 0 ] && jq -e '.message.subject == \"big\" and (.message.warnings | any(contains(\"only the first 67108864\")))' '$W/big.json'"
rm -f "$W/big.eml" "$W/big.json"

# trust boundary options: --trusted-relay, --authserv-id, --config
t "--trusted-relay moves the origin past a trusted host" sh -c "'$K' analyze --format json --trusted-relay .outlook.com '$T/cases/route-exchange-online.eml' | jq -e '.route.origin.ip == \"2603:10b6:a03:1a0::10\" and .route.hops[0].internal'"
t "--authserv-id chooses whose Authentication-Results are believed" sh -c "'$K' analyze --format json --authserv-id attacker.example '$T/cases/route-internal-relays-forged-ar.eml' | jq -e '.auth.spf.result == \"pass\" and .auth.authserv_id == \"attacker.example\"'"
printf '# kensa config\ntrusted-relay = .outlook.com\nauthserv-id = mx.example.jp\n' > "$W/kensa.conf"
t "--config FILE sets trusted relays" sh -c "'$K' analyze --format json --config '$W/kensa.conf' '$T/cases/route-exchange-online.eml' | jq -e '.route.origin.ip == \"2603:10b6:a03:1a0::10\"'"
printf 'bogus line\n' > "$W/bad.conf"
"$K" analyze --config "$W/bad.conf" "$W/one.eml" >/dev/null 2>&1; rc=$?
ok $([ $rc = 1 ] && echo 0 || echo 1) "a malformed config file is a usage error (exit 1)"

# human summary
"$K" analyze --format text "$W/one.eml" > "$W/txt" 2>/dev/null
t "text format shows the subject (ja labels)" grep -q '^件名: *one' "$W/txt"
"$K" analyze --format text --lang en "$W/one.eml" > "$W/txt" 2>/dev/null
t "text format in English" grep -q '^Subject: *one' "$W/txt"
"$K" analyze --format json "$W/one.eml" "$W/crlf.eml" > "$W/arr" 2>/dev/null
t "--format json with several inputs is one JSON array" jq -e 'length == 2 and .[1].message.subject == "crlf"' "$W/arr"
# two binaries: kensa (offline, no network/PostgreSQL/server libraries) and
# kensa-full (everything), which kensa re-executes for --online, --pg, serve
# and milter (src/cli/full.c)
KF=$(dirname "$K")/kensa-full
net='libcurl|libpq|libunbound|libopendkim|libmicrohttpd|libmilter|libgnutls'
t "kensa does not load the network, PostgreSQL or server libraries" sh -c "! ldd '$K' | grep -Eq '$net'"
t "kensa-full has them" sh -c "ldd '$KF' | grep -q libcurl && ldd '$KF' | grep -q libpq"
mkdir -p "$W/bin"; cp "$K" "$W/bin/kensa"
"$W/bin/kensa" serve --listen 127.0.0.1:1 > "$W/full.out" 2> "$W/full.err"; rc=$?
ok $([ $rc = 1 ] && [ "$(wc -l < "$W/full.err")" = 1 ] && grep -q '^kensa: serve: needs kensa-full, not found as ' "$W/full.err" && echo 0 || echo 1) "serve without kensa-full: one line on stderr, exit 1"
"$W/bin/kensa" analyze --online "$W/one.eml" > "$W/full.out" 2> "$W/full.err"; rc=$?
ok $([ $rc = 1 ] && [ ! -s "$W/full.out" ] && grep -q 'needs kensa-full' "$W/full.err" && echo 0 || echo 1) "--online without kensa-full: no output, exit 1"
"$W/bin/kensa" ingest --pg "host=/nonexistent" "$W/one.eml" > /dev/null 2> "$W/full.err"; rc=$?
ok $([ $rc = 1 ] && grep -q 'PostgreSQL needs kensa-full' "$W/full.err" && echo 0 || echo 1) "--pg without kensa-full: exit 1"
KENSA_FULL=$KF "$W/bin/kensa" serve > /dev/null 2> "$W/full.err"
t "KENSA_FULL names kensa-full: serve's own usage comes from it" grep -q '^usage: kensa serve' "$W/full.err"
echo "1..$n"
