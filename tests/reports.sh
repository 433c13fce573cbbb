#!/bin/sh
# reports.sh - the analyst's reports (--format md|html|text) and the JSON Schema.
#   golden files: both seed-style cases x md/html/text x ja/en against tests/golden/
#     (regenerate with `sh tests/reports.sh --update`, never by hand; needs the IP data
#     of scripts/fetch_data.sh, else those tests are skipped)
#   hostile subject/body (HTML tags, Markdown syntax, control characters, bidi
#     overrides, lure URLs) are inert in every format; Markdown checked with
#     cmark-gfm (GitHub's renderer) when installed
#   docs/report.schema.json validates `--format json` of every tests/cases/*.eml
#   headless Chromium renders the HTML with no network request and a non-blank
#     screenshot (installed by scripts/deps.sh; skipped only when truly absent)
# Prints TAP. Needs $KENSA (the binary, default build/kensa).
set -u
T=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$T/.." && pwd)
K=${KENSA:-$ROOT/build/kensa}
G="$T/golden"
export KENSA_DATA_DIR="${KENSA_DATA_DIR:-$ROOT/data}"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
t() { desc=$1; shift; if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi; }
nt() { desc=$1; shift; if "$@" >/dev/null 2>&1; then ok 1 "$desc"; else ok 0 "$desc"; fi; }

cd "$ROOT" || exit 1
CASES="demo-ja:data/samples/demo-ja.eml seed-b:tests/cases/report-seed-b.eml"
ipdata=0
[ -f "${KENSA_IP_DIR:-$ROOT/.deps/ip}/asn.bin" ] && ipdata=1

# ---- golden files
if [ "${1:-}" = "--update" ]; then
    [ "$ipdata" = 1 ] || { echo "reports.sh: --update needs the IP data (make deps)" >&2; exit 1; }
    mkdir -p "$G"
    for c in $CASES; do
        name=${c%%:*}; file=${c#*:}
        for lang in ja en; do
            for f in md html text; do
                "$K" analyze --format "$f" --lang "$lang" "$file" > "$G/$name.$lang.$f" ||
                    { echo "reports.sh: $name $lang $f failed" >&2; exit 1; }
            done
        done
    done
    echo "reports.sh: golden files written to $G"
    exit 0
fi

for c in $CASES; do
    name=${c%%:*}; file=${c#*:}
    for lang in ja en; do
        for f in md html text; do
            if [ "$ipdata" != 1 ]; then
                skip "golden $name.$lang.$f" "IP data absent (scripts/fetch_data.sh)"
                continue
            fi
            "$K" analyze --format "$f" --lang "$lang" "$file" > "$W/out" 2>"$W/err"
            rc=$?
            if [ $rc = 0 ] && cmp -s "$W/out" "$G/$name.$lang.$f"; then
                ok 0 "golden $name.$lang.$f"
            else
                ok 1 "golden $name.$lang.$f (rc $rc; sh tests/reports.sh --update after a wanted change)"
                diff -u "$G/$name.$lang.$f" "$W/out" 2>&1 | head -20 | sed 's/^/# /'
            fi
        done
    done
done

# ---- facts every human format must show
"$K" analyze --format md --lang ja data/samples/demo-ja.eml > "$W/demo.md" 2>/dev/null
for h in "## 概要" "## 件名" "### 件名の解析" "## 送信者・受信日時" "## 本文" "## 危険なポイント" \
         "## 推奨される対応" "## Received（メールのヘッダー情報）" "## リンク先" "## まとめ"; do
    t "ja Markdown has section '$h'" grep -qF "$h" "$W/demo.md"
done
t "ja Markdown: verdict フィッシング" grep -qF "判定: **フィッシング**" "$W/demo.md"
t "ja Markdown: SPF reason for monex.co.jp from 35.187.195.231" \
    grep -qE "SPF.*35\.187\.195\.231.*monex\.co\.jp" "$W/demo.md"
t "ja Markdown: receipt date and time in the recipient's zone" \
    sh -c "grep -qF '| 受信日 | 2026年1月26日(月) |' '$W/demo.md' && grep -qF '| 受信時刻 | 09:12:33 (UTC+09:00) |' '$W/demo.md'"
t "ja Markdown: origin hosting AS + provider and country in Japanese" \
    sh -c "grep -qF 'AS396982 Google LLC — Google Cloud' '$W/demo.md' && grep -qF '| 国 | 日本 (JP) |' '$W/demo.md'" 
t "ja Markdown: DB-IP credited where ASN data is shown" grep -qF "IP Geolocation by DB-IP" "$W/demo.md"
t "ja Markdown: online facts say 未調査 (offline)" grep -qF "未調査 (offline)" "$W/demo.md"
t "ja Markdown: brand contact falls back to the official site's desk" \
    grep -qF "公式サイトに記載の窓口" "$W/demo.md"
nt "ja Markdown: no live lure URL (threnodycode.cfd only defanged)" \
    grep -qE "threnodycode\.cfd|https?://" "$W/demo.md"
"$K" analyze --format text --lang en tests/cases/report-seed-b.eml > "$W/b.txt" 2>/dev/null
t "en text: display-name brand mismatch shown" grep -qF "display name claims" "$W/b.txt"
t "en text: two hops with a delay" grep -qE "Delay: 7 s" "$W/b.txt"
t "en text: country in English" grep -qF "Japan (JP)" "$W/b.txt"
nt "en text: no live lure host" grep -qE "sbisec-kakunin\.top|https?://" "$W/b.txt"

# ---- hostile input is inert
ESC=$(printf '\033'); BEL=$(printf '\007')
RLO=$(printf '\342\200\256'); LRI=$(printf '\342\201\246'); PDI=$(printf '\342\201\251')
{
    printf 'From: "<img src=x onerror=alert(1)> [click](http://evil.example/a) %s" <a@evil.example>\n' "$RLO"
    printf 'To: u@example.jp\n'
    printf 'Subject: <script>alert(1)</script> **bold** | pipe `tick` # [x](https://evil.example/) %s[31mred %s %sgnp.exe%s\n' "$ESC" "$BEL" "$RLO" "$PDI"
    printf 'Date: Mon, 04 May 2026 15:48:28 +0900\nMessage-ID: <h@evil.example>\nContent-Type: text/plain; charset=utf-8\n\n'
    printf '# not a heading\n> not a quote\n1. not a list\n<b>bold</b> <a href="http://evil.example/x">x</a>\n'
    printf '```\nfence break\n```\n| a | b |\n%s[2J clear %s%s text %s\n' "$ESC" "$LRI" "$RLO" "$PDI"
    printf 'visit www.evil.example or https://login.evil.example/p?q=1 now\n'
} > "$W/hostile.eml"
for f in md html text; do
    "$K" analyze --format "$f" --lang ja "$W/hostile.eml" > "$W/h.$f" 2>/dev/null
    ok $? "hostile mail renders as $f"
    nt "$f: no raw control characters (ESC, BEL)" grep -q "[$ESC$BEL]" "$W/h.$f"
    nt "$f: no raw bidi overrides (U+202E, U+2066, U+2069)" grep -qF -e "$RLO" -e "$LRI" -e "$PDI" "$W/h.$f"
    t "$f: bidi overrides made visible as <U+202E>" grep -qE "U\+202E" "$W/h.$f"
    nt "$f: lure URLs only defanged" sh -c "grep -vF 'https://db-ip.com' '$W/h.$f' |
        grep -qiE 'https?://[a-z]|evil\.example|www\.evil'"
done
# a host named in the text after many links to one other host is still
# defanged (the host list once filled up with repeats of the first)
{
    printf 'From: "Shop" <a@evil.example>\nTo: u@example.jp\nSubject: many links\n'
    printf 'Date: Mon, 04 May 2026 15:48:28 +0900\nMessage-ID: <m@evil.example>\n'
    printf 'Content-Type: text/plain; charset=utf-8\n\n'
    i=0; while [ $i -lt 80 ]; do i=$((i + 1)); printf 'https://a.evil.example/p%d\n' $i; done
    printf 'https://late.lure.example/x\ncontact late.lure.example or A.EVIL.EXAMPLE today\n'
} > "$W/many.eml"
for f in md html text; do
    "$K" analyze --format "$f" --lang en "$W/many.eml" > "$W/m.$f" 2>/dev/null
    t "$f: bare hosts defanged after 80 links (late[.]lure[.]example, A[.]EVIL[.]EXAMPLE)" \
        sh -c "grep -qF 'contact late[.]lure[.]example or A[.]EVIL[.]EXAMPLE today' '$W/m.$f'"
done
nt "html: mail tags escaped (<script, <img, <b> absent)" grep -qiE "<script|<img|<b>" "$W/h.html"
nt "html: mail attributes escaped (no onerror=, no href to the mail's URLs)" \
    sh -c "grep -qiE '<[a-z]+[^>]*onerror=' '$W/h.html' || grep -oiE 'href=\"[^\"]*\"' '$W/h.html' | grep -vqF 'href=\"https://db-ip.com\"'"
t "html: the subject's tags shown as text" grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;" "$W/h.html"
t "md: the subject's markup escaped" grep -qF '\<script\>alert(1)\</script\> \*\*bold\*\* \| pipe' "$W/h.md"
t "md: the body's fence cannot be closed by the mail (longer fence)" grep -qE '^````text$' "$W/h.md"
if command -v cmark-gfm >/dev/null 2>&1; then
    cmark-gfm -e table -e autolink -e strikethrough -e tagfilter "$W/h.md" > "$W/h.md.html" 2>/dev/null
    nt "md rendered by cmark-gfm: no tag, link or image from the mail" \
        grep -qiE "<script|<img|<a |<b>|&lt;b&gt;bold&lt;/b&gt; <a" "$W/h.md.html"
    t "md rendered by cmark-gfm: the subject stays one paragraph of text" \
        grep -qF "&lt;script&gt;alert(1)&lt;/script&gt; **bold** | pipe" "$W/h.md.html"
    cmark-gfm -e table -e autolink "$W/demo.md" > "$W/demo.md.html" 2>/dev/null
    t "md rendered by cmark-gfm: the sender table is a table" grep -qF "<td>受信時刻</td>" "$W/demo.md.html"
    nt "md rendered by cmark-gfm: demo has no link at all" grep -qF "<a " "$W/demo.md.html"
else
    skip "md rendered by cmark-gfm" "cmark-gfm not installed (scripts/deps.sh)"
fi
# colour only on a terminal: script(1) gives the CLI a pty
if command -v script >/dev/null 2>&1; then
    script -qec "'$K' analyze --format text '$W/hostile.eml'" /dev/null > "$W/tty.txt" 2>&1
    t "text on a terminal is coloured" grep -qF "${ESC}[1;34m" "$W/tty.txt"
    # every escape sequence is one of our SGR colours; none comes from the mail
    nt "coloured text: only SGR colour sequences, none from the mail" \
        sh -c "sed 's/$ESC\\[[0-9;]*m//g' '$W/tty.txt' | grep -q '$ESC'"
    NO_COLOR=1 script -qec "'$K' analyze --format text '$W/hostile.eml'" /dev/null > "$W/tty2.txt" 2>&1
    nt "NO_COLOR turns colour off" grep -q "$ESC" "$W/tty2.txt"
fi
nt "text off a terminal has no colour" grep -q "$ESC" "$W/h.text"

# ---- JSON Schema
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "import jsonschema" 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    skip "JSON Schema validates every case" "python3-jsonschema not installed (scripts/deps.sh)"
else
    t "docs/report.schema.json is a valid draft 2020-12 schema" "$PY" -c "
import json, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open('docs/report.schema.json')))"
    for e in tests/cases/*.eml data/samples/demo-ja.eml "$W/hostile.eml"; do
        "$K" analyze --format json "$e" > "$W/j.json" 2>/dev/null || continue
        if "$PY" - "$W/j.json" > "$W/schema.err" 2>&1 <<'EOF'
import json, sys, jsonschema
schema = json.load(open('docs/report.schema.json'))
v = jsonschema.Draft202012Validator(schema)
errs = sorted(v.iter_errors(json.load(open(sys.argv[1]))), key=lambda e: list(e.path))
for e in errs[:5]:
    print('/'.join(str(p) for p in e.path), e.message[:200])
sys.exit(1 if errs else 0)
EOF
        then ok 0 "schema validates $(basename "$e")"
        else ok 1 "schema validates $(basename "$e")"; sed 's/^/# /' "$W/schema.err"; fi
    done
    # the schema is not vacuous: a report with a key missing or a bad label fails
    jq 'del(.message.subject_tag) | .verdict.label = "evil"' "$W/j.json" > "$W/bad.json"
    nt "schema rejects a missing key and an unknown label" "$PY" -c "
import json, jsonschema
jsonschema.validate(json.load(open('$W/bad.json')), json.load(open('docs/report.schema.json')))"
fi

# ---- HTML in headless Chromium: loads nothing, paints something
CHROME=""
for c in chromium chromium-browser; do command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }; done
if [ -z "$CHROME" ] && [ "$(id -u)" = 0 ]; then
    sh "$ROOT/scripts/deps.sh" >/dev/null 2>&1
    command -v chromium >/dev/null 2>&1 && CHROME=chromium
fi
shot() { # html png netlog
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-quic \
        --disable-extensions --user-data-dir="$W/prof.$$" \
        --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" --log-net-log="$3" \
        --window-size=412,1600 --screenshot="$2" "file://$1" >/dev/null 2>&1
    rm -rf "$W/prof.$$"
}
# page_requests NETLOG: URLs the page asked for (Chromium's own update/account
# pings have initiator "not an origin"; a file:// page's loads do not)
page_requests() {
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
names = {v: k for k, v in d['constants']['logEventTypes'].items()}
for e in d['events']:
    p = e.get('params') or {}
    if names.get(e['type']) == 'URL_REQUEST_START_JOB' and 'url' in p:
        if p.get('initiator') != 'not an origin' or 'file://' in p.get('network_isolation_key', ''):
            print(p['url'])
EOF
}
nonblank() { # PNG -> exit 0 when it has more than one distinct colour
    python3 - "$1" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w, h, ct = 8, b'', 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ct = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ct in (2, 6)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = 3 if ct == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, i = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 7):
        colours.add(bytes(line[x:x + 3]))
    prev = line
print(len(colours), 'colours', w, 'x', h)
sys.exit(0 if len(colours) > 1 else 1)
EOF
}
if [ -z "$CHROME" ]; then
    skip "HTML report in headless Chromium" "chromium not installed"
else
    # the detector sees a page that does load something (else it proves nothing)
    printf '<html><body><img src="http://example.invalid/x.png">x</body></html>' > "$W/ctl.html"
    shot "$W/ctl.html" "$W/ctl.png" "$W/ctl.net"
    page_requests "$W/ctl.net" > "$W/ctl.req" 2>/dev/null
    t "control page: the net-log check sees its external load" grep -qF example.invalid "$W/ctl.req"
    for c in $CASES; do
        name=${c%%:*}; file=${c#*:}
        "$K" analyze --format html --lang ja "$file" > "$W/$name.html" 2>/dev/null
        shot "$W/$name.html" "$W/$name.png" "$W/$name.net"
        t "chromium rendered $name.html" test -s "$W/$name.png"
        page_requests "$W/$name.net" > "$W/$name.req" 2>"$W/$name.req.err"
        if [ -s "$W/$name.net" ] && [ ! -s "$W/$name.req" ] && [ ! -s "$W/$name.req.err" ]; then
            ok 0 "$name.html loads nothing from the network"
        else
            ok 1 "$name.html loads nothing from the network"; sed 's/^/# /' "$W/$name.req" "$W/$name.req.err"
        fi
        t "$name.png screenshot is not blank" nonblank "$W/$name.png"
    done
    nt "html: no script, iframe, object, external src or stylesheet link" \
        grep -qiE "<script|<iframe|<object|<embed|<link|src=\"https?:|url\(" "$W/demo-ja.html" "$W/seed-b.html"
fi
echo "1..$n"
