#!/bin/sh
# online.sh - kensa --online against real servers on loopback: unbound
# (local-data zones: A/MX/TXT SPF+DKIM+DMARC/PTR/DNSBL), a python HTTP server
# (RDAP JSON, a redirect chain, a fake login page), a WHOIS responder, DKIM
# keys from opendkim-genkey and mails signed with opendkim-testmsg at test
# time. Every server listens on 127.0.0.1 and is stopped by PID in the trap.
# Also: offline analysis makes no network connection at all. Prints TAP.
set -u
KENSA_BIN=${KENSA:?}
K() { timeout 120 "$KENSA_BIN" "$@"; } # a hung lookup must not hang the suite
T=$(cd "$(dirname "$0")" && pwd)
F="$T/online"
W=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    [ -n "${KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
t() { desc=$1; shift; if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

for tool in unbound opendkim-genkey opendkim-testmsg python3 jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        skip "online tests" "$tool not installed (scripts/deps.sh)"
        exit 0
    fi
done

# three free loopback ports
set -- $(python3 -c 'import socket
ss=[socket.socket() for _ in range(3)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))')
DNS=$1; HTTP=$2; WHOIS=$3

# ---- DKIM key and signed mails ----
opendkim-genkey -b 1024 -d fixture-bank.jp -s k1 -D "$W" || { ok 1 "opendkim-genkey"; exit 0; }
P=$(tr -d '\n\t' < "$W/k1.txt" | sed 's/.*p=\([A-Za-z0-9+/=" ]*\).*/\1/' | tr -d '" ')
sign() { # ip tamper|keep -> the fixture signed, then Return-Path/Received prepended
    opendkim-testmsg -d fixture-bank.jp -k "$W/k1.private" -s k1 < "$F/signed.eml.in" \
        > "$W/signed.tmp" || return 1
    printf 'Return-Path: <info@fixture-bank.jp>\nReceived: from mail.fixture-bank.jp (mail.fixture-bank.jp [%s])\n\tby mx.example.jp (Postfix) with ESMTPS id 9F00AA01\n\tfor <user@example.jp>; Tue, 03 Feb 2026 10:00:05 +0900 (JST)\n' "$1"
    if [ "$2" = tamper ]; then sed 's/12,345 JPY/99,999 JPY/' "$W/signed.tmp"; else cat "$W/signed.tmp"; fi
}
sign 45.76.10.20 keep > "$W/good.eml"; ok $? "mail signed with opendkim-testmsg"
sign 45.76.10.99 tamper > "$W/bad.eml"
sed "s/@HTTP@/$HTTP/" "$F/lure.eml.in" > "$W/lure.eml"

# ---- DNS: unbound with local-data only ----
cat > "$W/unbound.conf" <<EOC
server:
    interface: 127.0.0.1
    port: $DNS
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$W"
    pidfile: ""
    use-syslog: no
    logfile: "$W/unbound.log"
    verbosity: 1
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    local-zone: "." static
    local-data: "www.threnodycode.cfd. 300 IN A 127.0.0.1"
    local-data: "login.threnodycode.cfd. 300 IN A 127.0.0.1"
    local-data: "threnodycode.cfd. 300 IN MX 10 mx.threnodycode.cfd."
    local-data: "threnodycode.cfd.dbl.spamhaus.org. 300 IN A 127.0.1.4"
    local-data: "231.195.187.35.zen.spamhaus.org. 300 IN A 127.0.0.2"
    local-data: "231.195.187.35.multi.uribl.com. 300 IN A 127.0.0.1"
    local-data-ptr: "35.187.195.231 231.195.187.35.bc.googleusercontent.com."
    local-data: "231.195.187.35.bc.googleusercontent.com. 300 IN A 35.187.195.231"
    local-data: 'monex.co.jp. 300 IN TXT "v=spf1 include:_spf.monex.co.jp ~all"'
    local-data: 'monex.co.jp. 300 IN MX 10 mx.monex.co.jp.'
    local-data: '_spf.monex.co.jp. 300 IN TXT "v=spf1 ip4:202.32.0.0/16 ip6:2001:db8::/32 -all"'
    local-data: '_dmarc.monex.co.jp. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@monex.co.jp"'
    local-data: 'fixture-bank.jp. 300 IN TXT "v=spf1 a:mail.fixture-bank.jp -all"'
    local-data: 'mail.fixture-bank.jp. 300 IN A 45.76.10.20'
    local-data-ptr: "45.76.10.20 mail.fixture-bank.jp."
    local-data: 'k1._domainkey.fixture-bank.jp. 300 IN TXT "v=DKIM1; k=rsa; p=$P"'
    local-data: '_dmarc.fixture-bank.jp. 300 IN TXT "v=DMARC1; p=quarantine; adkim=r; aspf=r"'
remote-control:
    control-enable: no
EOC
unbound -d -c "$W/unbound.conf" 2>"$W/unbound.err" & PIDS="$PIDS $!"
python3 "$F/httpd.py" "$HTTP" "$F" 2>"$W/httpd.err" & PIDS="$PIDS $!"
python3 "$F/whoisd.py" "$WHOIS" 2>"$W/whoisd.err" & PIDS="$PIDS $!"
printf 'http://www.threnodycode.cfd:%s/0zOog1\nhttp://other.example.net/x\n' "$HTTP" > "$W/openphish.txt"
# wait until all three answer (at most ~5 s)
i=0
until python3 - "$DNS" "$HTTP" "$WHOIS" <<'EOP' 2>/dev/null
import socket, sys
d, h, w = (int(x) for x in sys.argv[1:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x0cthrenodycode\x03cfd\x00\x00\x01\x00\x01"
s.sendto(q, ("127.0.0.1", d)); s.recv(512)
for p in (h, w):
    socket.create_connection(("127.0.0.1", p), 0.3).close()
EOP
do
    i=$((i + 1)); [ $i -gt 50 ] && break; sleep 0.1
done
ok $([ $i -le 50 ] && echo 0 || echo 1) "unbound, HTTP and WHOIS servers up on 127.0.0.1"

ON="--online --allow-private-targets --dns-server 127.0.0.1:$DNS --rdap-url http://127.0.0.1:$HTTP/rdap/ --whois-server 127.0.0.1:$WHOIS --cache $W/cache.db"

# ---- end to end: the seed-style lure ----
SHOTS="$W/shots"
if command -v chromium >/dev/null 2>&1; then SHOT="--screenshot --screenshot-dir $SHOTS"; else SHOT=""; fi
start=$(date +%s)
K analyze --format json $ON $SHOT --feed "$W/openphish.txt" "$W/lure.eml" > "$W/lure.json" 2>"$W/lure.err"
ok $? "online analysis of the lure mail exits 0"
took=$(( $(date +%s) - start ))
L='.links[] | select(.host == "www.threnodycode.cfd")'
t "lure link: resolved IP" jq -e "$L | .ip == \"127.0.0.1\"" "$W/lure.json"
t "lure link: registration date from RDAP and age at receipt" jq -e "$L | .registered == \"2026-01-20\" and .age_days == 6 and .online.registration.source == \"rdap\"" "$W/lure.json"
t "lure link: Spamhaus DBL hit decoded" jq -e "$L | .blocklists | index(\"Spamhaus DBL: phishing domain\") != null" "$W/lure.json"
t "lure link: OpenPhish feed hit" jq -e "$L | [.blocklists[] | select(startswith(\"OpenPhish feed openphish.txt (url)\"))] | length == 1" "$W/lure.json"
t "lure link: live, final URL after the redirect chain" jq -e "$L | .live == true and .final_url == \"http://login.threnodycode.cfd:$HTTP/login\" and (.online.redirects | length) == 3 and .online.redirects[0].status == 302 and .online.redirects[1].status == 301" "$W/lure.json"
t "lure link: page title read, scripts not run" jq -e "$L | .online.title == \"マネックス証券 ログイン\"" "$W/lure.json"
t "lure link: MX of the lure domain" jq -e "$L | .online.mx == [\"mx.threnodycode.cfd\"]" "$W/lure.json"
t ".jp registration date over WHOIS (JPRS format)" jq -e '.links[] | select(.host == "open.monex.co.jp") | .registered == "1999-04-01" and .online.registration.source == "whois"' "$W/lure.json"
t "official link without an address is not live" jq -e '.links[] | select(.host == "open.monex.co.jp") | .live == false and .ip == null' "$W/lure.json"
t "origin: forward-confirmed rDNS" jq -e '.online.origin.fcrdns == true and .online.origin.fcrdns_name == "231.195.187.35.bc.googleusercontent.com"' "$W/lure.json"
t "origin: Spamhaus ZEN hit, URIBL refusal is a note, not a hit" jq -e '(.online.origin.blocklists == ["Spamhaus ZEN: SBL (spam source)"])' "$W/lure.json"
t "verified SPF softfail beside the header's" jq -e '.auth.verified.spf.result == "softfail" and .auth.verified.spf.source == "verified" and .auth.spf.source == "header"' "$W/lure.json"
t "verified DMARC fail, policy reject" jq -e '.auth.verified.dmarc.result == "fail" and .auth.verified.dmarc.policy == "reject"' "$W/lure.json"
t "findings NEW_DOMAIN, BLOCKLISTED, SITE_LIVE" jq -e '[.findings[].id] as $f | ($f | index("NEW_DOMAIN")) and ($f | index("BLOCKLISTED")) and ($f | index("SITE_LIVE"))' "$W/lure.json"
if [ -n "$SHOT" ]; then
    png=$(jq -r "$L | .screenshot // empty" "$W/lure.json")
    t "screenshot PNG written beside the report" test -s "$png"
    t "screenshot is a non-blank PNG" python3 - "$png" <<'EOP'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
i, idat = 8, b""
while i < len(d):
    n, = struct.unpack(">I", d[i:i + 4]); typ = d[i + 4:i + 8]
    if typ == b"IHDR": w, h = struct.unpack(">II", d[i + 8:i + 16])
    if typ == b"IDAT": idat += d[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
assert w >= 200 and h >= 200
assert len(set(raw[1:4096 * 4])) > 8 or len(set(raw)) > 16, "blank"
EOP
else
    skip "screenshot PNG" "chromium not installed"
    skip "screenshot is a non-blank PNG" "chromium not installed"
fi
t "lookups of one message run in parallel (under 30 s)" test "$took" -lt 30
t "cache file holds the registration dates" python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); sys.exit(0 if c.execute(\"select count(*) from cache where kind='reg'\").fetchone()[0] >= 2 else 1)" "$W/cache.db"

# ---- SPF/DKIM/DMARC verified: signed mail passes, tampered one fails ----
K analyze --format json $ON "$W/good.eml" > "$W/good.json" 2>"$W/good.err"
ok $? "online analysis of the signed mail exits 0"
t "signed mail: DKIM pass (d=fixture-bank.jp, s=k1)" jq -e '.auth.verified.dkim[0] | .result == "pass" and .domain == "fixture-bank.jp" and .selector == "k1"' "$W/good.json"
t "signed mail: SPF pass (a: mechanism)" jq -e '.auth.verified.spf.result == "pass" and .auth.verified.spf.domain == "fixture-bank.jp"' "$W/good.json"
t "signed mail: DMARC pass, policy quarantine" jq -e '.auth.verified.dmarc.result == "pass" and .auth.verified.dmarc.policy == "quarantine"' "$W/good.json"
t "no header results: verified ones fill the contract fields" jq -e '.auth.spf.source == "verified" and .auth.dkim[0].source == "verified" and .auth.dmarc.source == "verified"' "$W/good.json"
t "signed mail: FCrDNS of the origin" jq -e '.online.origin.fcrdns == true' "$W/good.json"
K analyze --format json $ON "$W/bad.eml" > "$W/bad.json" 2>"$W/bad.err"
ok $? "online analysis of the tampered mail exits 0"
t "tampered mail: DKIM fail" jq -e '.auth.verified.dkim[0].result == "fail"' "$W/bad.json"
t "tampered mail from another IP: SPF fail" jq -e '.auth.verified.spf.result == "fail"' "$W/bad.json"
t "tampered mail: DMARC fail and the findings say so" jq -e '.auth.verified.dmarc.result == "fail" and ([.findings[].id] | index("DMARC_FAIL") and index("SPF_FAIL") and index("DKIM_FAIL"))' "$W/bad.json"

# ---- only loopback is contacted; offline contacts nothing ----
if command -v strace >/dev/null 2>&1 && strace -f -qq -e trace=connect -o "$W/probe" true 2>/dev/null; then
    strace -f -qq -e trace=connect -o "$W/on.trace" "$KENSA_BIN" analyze --format json $ON "$W/good.eml" >/dev/null 2>&1
    t "online: every inet connect goes to 127.0.0.1" sh -c "! grep -E 'AF_INET6?' '$W/on.trace' | grep -v 'inet_addr(\"127.0.0.1\")'"
    strace -f -qq -e trace=connect,sendto,sendmsg -o "$W/off.trace" "$KENSA_BIN" analyze --format json "$W/lure.eml" > "$W/off.json" 2>/dev/null
    t "offline: no inet connect or send at all" sh -c "! grep -E 'AF_INET6?' '$W/off.trace'"
    t "offline report has no online facts" jq -e '.online == null and ([.links[].live] | all(. == null)) and .auth.verified == null' "$W/off.json"
else
    skip "online: only loopback contacted" "strace cannot trace here"
    skip "offline: no network" "strace cannot trace here"
    skip "offline report has no online facts" "strace cannot trace here"
fi

# ---- bounds and refusals ----
K analyze --format json --online --dns-server 127.0.0.1:$DNS --rdap-url http://127.0.0.1:$HTTP/rdap/ --no-cache "$W/lure.eml" > "$W/priv.json" 2>/dev/null
t "without --allow-private-targets a loopback target is refused" jq -e '.links[] | select(.host == "www.threnodycode.cfd") | .live == null and (.online.site_error | startswith("refused"))' "$W/priv.json"
K analyze --format json --online --dns-server 127.0.0.1:1 --no-cache "$W/lure.eml" >/dev/null 2>"$W/bad-opt.err"
ok $? "a dead DNS server is a fact, not an error"
K analyze --online --dns-server not-an-ip "$W/lure.eml" >/dev/null 2>"$W/bad-opt.err"
ok $([ $? = 1 ] && echo 0 || echo 1) "--dns-server without an IP is a usage error"
