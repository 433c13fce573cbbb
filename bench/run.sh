#!/bin/bash
# bench/run.sh [N] - kensa against a bare GMime parse, rspamd 3.4 and
# SpamAssassin 4.0.1 on the same N mails, in one run, as ratios.
#
# Mails: N from ../shared/corpus (KENSA_CORPUS), 70 % sa-ham + 30 % phish-pot,
# the first ones in sorted (C locale) name order; N = 1000 (default) is the
# committed list bench/list.txt (700 sa-ham + 300 phish-pot).
# Measures (best of REPEAT=3 runs for the local programs):
#   kensa analyze --format ndjson -j 1 (offline): wall, CPU (user+sys), msg/s,
#     MB/s, peak RSS; -j 2 and -j <all cores> for scaling;
#   bench/gmime_floor.c (GMime parse + text decode only): the floor;
#   rspamd (one normal worker, DNS to a closed local port, DNS-only modules
#     off) via rspamc, and spamd -L via spamc: wall msg/s and the CPU their
#     daemon processes spent (/proc/PID/stat of the daemon, its children and
#     reaped children, before and after).
# Peers are installed when missing (apt-get: rspamd, spamassassin spamc spamd), started and stopped here by
# their process ids. PEERS=0 skips them; SA_N=K gives SpamAssassin only the
# first K mails (it runs at ~10 msg/s per core). rspamd's hyperscan cache is
# kept in bench/.cache (first start ~15 s, later ~1 s). KENSA_BASELINE=PATH
# adds another kensa binary (e.g. a build of an older commit) at -j 1, for
# before/after figures from the same run.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
C=${KENSA_CORPUS:-$ROOT/../shared/corpus}
C=$(cd "$C" && pwd)
N=${1:-1000}
REPEAT=${REPEAT:-3}
PEERS=${PEERS:-1}
CORES=$(nproc)
CACHE=$B/.cache
W=$(mktemp -d)
mkdir -p "$CACHE"
RSPAMD_PID="" SPAMD_PID=""
RPORT=${RSPAMD_PORT:-21333} SPORT=${SPAMD_PORT:-27830}

cleanup() {
    [ -n "$RSPAMD_PID" ] && kill "$RSPAMD_PID" 2>/dev/null && wait "$RSPAMD_PID" 2>/dev/null
    [ -n "$SPAMD_PID" ] && kill "$SPAMD_PID" 2>/dev/null && wait "$SPAMD_PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

# ---- the mail list (paths relative to the corpus)
if [ "$N" = 1000 ] && [ -f "$B/list.txt" ]; then
    cp "$B/list.txt" "$W/list"
else
    NH=$((N * 7 / 10)); NP=$((N - NH))
    { (cd "$C/sa-ham" && ls | LC_ALL=C sort | grep -v '^LICENSE$' | sed -n "1,${NH}p" | sed 's|^|sa-ham/|')
      (cd "$C/phish-pot" && ls | LC_ALL=C sort | grep '\.eml$' | sed -n "1,${NP}p" | sed 's|^|phish-pot/|'); } > "$W/list"
fi
N=$(wc -l < "$W/list")
mapfile -t FILES < "$W/list"
cd "$C"
BYTES=$(cat "${FILES[@]}" | wc -c)
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.2f", b/1048576}')

# ---- build kensa (-O2) and the floor
make -C "$ROOT" >/dev/null
K=$ROOT/build/kensa
cc -O2 -o "$CACHE/gmime_floor" "$B/gmime_floor.c" $(pkg-config --cflags --libs gmime-3.0)
cc -O2 -o "$CACHE/rusage" "$B/rusage.c"

# run NAME CMD... : best of REPEAT; sets R_WALL R_CPU R_RSS (KB); times from
# wait4's rusage in microseconds (bench/rusage.c)
run() {
    local name=$1; shift
    R_WALL="" R_CPU="" R_RSS=0
    for _ in $(seq "$REPEAT"); do
        "$CACHE/rusage" "$W/time" "$@" > "$W/out.$name" 2>/dev/null || true
        read -r w u s m < "$W/time"
        local cpu; cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.4f", u+s}')
        if [ -z "$R_CPU" ] || awk -v a="$cpu" -v b="$R_CPU" 'BEGIN{exit !(a<b)}'; then R_CPU=$cpu; fi
        if [ -z "$R_WALL" ] || awk -v a="$w" -v b="$R_WALL" 'BEGIN{exit !(a<b)}'; then R_WALL=$w; fi
        if [ "$m" -gt "$R_RSS" ]; then R_RSS=$m; fi
    done
}

# sum of utime+stime (+ reaped children) of a process and its live children, in seconds
tree_cpu() {
    local pid=$1 t=0 hz; hz=$(getconf CLK_TCK)
    for p in $pid $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        [ -r /proc/$p/stat ] || continue
        # fields after "(comm)": 14 utime 15 stime 16 cutime 17 cstime
        t=$((t + $(sed 's/.*) //' /proc/$p/stat | awk -v self=$([ "$p" = "$pid" ] && echo 1 || echo 0) \
            '{ print $12 + $13 + (self ? $14 + $15 : 0) }')))
    done
    awk -v t="$t" -v hz="$hz" 'BEGIN{printf "%.2f", t/hz}'
}

declare -A WALL CPU RSS
log "bench: $N mails, $MB MB, $CORES cores; kensa $($K --version)"

run floor "$CACHE/gmime_floor" "${FILES[@]}"
WALL[floor]=$R_WALL CPU[floor]=$R_CPU RSS[floor]=$R_RSS
log "floor: $(cat "$W/out.floor")"

if [ -n "${KENSA_BASELINE:-}" ]; then
    run base "$KENSA_BASELINE" analyze --format ndjson -j 1 "${FILES[@]}"
    WALL[base]=$R_WALL CPU[base]=$R_CPU RSS[base]=$R_RSS
fi

for j in 1 2 "$CORES"; do
    [ "$j" = 2 ] && [ "$CORES" -lt 2 ] && continue
    [ -n "${WALL[k$j]:-}" ] && continue
    run k$j "$K" analyze --format ndjson -j "$j" "${FILES[@]}"
    WALL[k$j]=$R_WALL CPU[k$j]=$R_CPU RSS[k$j]=$R_RSS
    got=$(grep -c '"verdict"' "$W/out.k$j" || true)
    [ "$got" = "$N" ] || log "kensa -j $j: $got reports for $N mails"
done

# ---- peers
ensure_pkgs() {
    local miss=""
    for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || miss="$miss $p"; done
    [ -z "$miss" ] && return 0
    log "bench: installing$miss"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $miss >/dev/null
}

rspamd_bench() {
    ensure_pkgs rspamd
    local R=$CACHE/rspamd
    mkdir -p "$R/local/local.d" "$R/db" "$R/run" "$R/log"
    cat > "$R/local/local.d/options.inc" <<EOF
dns { nameserver = ["127.0.0.1:9"]; timeout = 0.2s; retransmits = 0; }
local_addrs = [127.0.0.0/8, 10.0.0.0/8, ::1];
EOF
    echo "bind_socket = \"127.0.0.1:$RPORT\"; count = 1;" > "$R/local/local.d/worker-normal.inc"
    echo "bind_socket = \"127.0.0.1:$((RPORT + 1))\";" > "$R/local/local.d/worker-controller.inc"
    echo 'enabled = false;' > "$R/local/local.d/worker-proxy.inc"
    echo 'enabled = false; count = 0;' > "$R/local/local.d/worker-fuzzy.inc"
    echo 'level = "error"; type = "file"; filename = "'"$R"'/log/rspamd.log";' > "$R/local/local.d/logging.inc"
    for m in rbl spf dkim dmarc arc asn mx_check fuzzy_check neural emails url_redirector \
             surbl dkim_signing greylist ratelimit reputation replies history_redis; do
        echo 'enabled = false;' > "$R/local/local.d/$m.conf"
    done
    local V=(--var=LOCAL_CONFDIR="$R/local" --var=DBDIR="$R/db" --var=RUNDIR="$R/run" --var=LOGDIR="$R/log")
    rspamd -f -i -c /etc/rspamd/rspamd.conf "${V[@]}" > "$R/log/stdout" 2>&1 &
    RSPAMD_PID=$!
    local t0=$SECONDS
    until curl -s "http://127.0.0.1:$RPORT/ping" 2>/dev/null | grep -q pong; do
        sleep 0.2
        kill -0 "$RSPAMD_PID" 2>/dev/null || { log "rspamd died: $(tail -3 "$R/log/stdout")"; RSPAMD_PID=""; return 1; }
        [ $((SECONDS - t0)) -lt 180 ] || { log "rspamd: no answer after 180 s"; return 1; }
    done
    log "rspamd: ready in $((SECONDS - t0)) s"
    rspamc -h "127.0.0.1:$RPORT" symbols "${FILES[0]}" >/dev/null 2>&1 || true # warm-up
    local c0 c1 s0 s1
    c0=$(tree_cpu "$RSPAMD_PID"); s0=$(date +%s.%N)
    rspamc -h "127.0.0.1:$RPORT" -n "$((CORES * 4))" -j symbols "${FILES[@]}" > "$W/out.rspamd" 2>/dev/null || true
    s1=$(date +%s.%N); c1=$(tree_cpu "$RSPAMD_PID")
    WALL[rspamd]=$(awk -v a="$s0" -v b="$s1" 'BEGIN{printf "%.2f", b-a}')
    CPU[rspamd]=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}')
    RSS[rspamd]=$(for p in $RSPAMD_PID $(ps -o pid= --ppid "$RSPAMD_PID"); do awk '/VmHWM/{print $2}' /proc/$p/status 2>/dev/null; done | sort -n | tail -1)
    local got; got=$(grep -c '"action"' "$W/out.rspamd" || true)
    [ "$got" = "$N" ] || log "rspamd: $got results for $N mails"
    kill "$RSPAMD_PID" 2>/dev/null; wait "$RSPAMD_PID" 2>/dev/null || true; RSPAMD_PID=""
}

spamd_bench() {
    ensure_pkgs spamassassin spamc spamd
    local S=$CACHE/sa n=${SA_N:-$N}
    [ "$n" -gt "$N" ] && n=$N
    rm -rf "$S"; mkdir -p "$S/site" "$S/home"
    cp /etc/spamassassin/*.pre "$S/site/"
    cat > "$S/site/local.cf" <<'EOF'
use_bayes 0
bayes_auto_learn 0
dns_available no
skip_rbl_checks 1
use_razor2 0
use_pyzor 0
report_safe 0
EOF
    chmod -R a+rX "$S"; chmod a+w "$S/home"
    /usr/sbin/spamd -L -x --siteconfigpath="$S/site" --listen="127.0.0.1:$SPORT" -A 127.0.0.1 \
        -m "$CORES" --min-children="$CORES" --min-spare="$CORES" -u nobody -H "$S/home" \
        -s "$S/spamd.log" > "$S/stdout" 2>&1 &
    SPAMD_PID=$!
    local t0=$SECONDS
    until spamc -d 127.0.0.1 -p "$SPORT" -K 2>/dev/null | grep -q 'SPAMD/'; do
        sleep 0.2
        kill -0 "$SPAMD_PID" 2>/dev/null || { log "spamd died: $(tail -3 "$S/stdout")"; SPAMD_PID=""; return 1; }
        [ $((SECONDS - t0)) -lt 60 ] || { log "spamd: no answer after 60 s"; return 1; }
    done
    spamc -d 127.0.0.1 -p "$SPORT" -c < "${FILES[0]}" >/dev/null 2>&1 || true # warm both children
    spamc -d 127.0.0.1 -p "$SPORT" -c < "${FILES[1]}" >/dev/null 2>&1 || true
    printf '%s\n' "${FILES[@]:0:$n}" > "$W/sa.list"
    local c0 c1 s0 s1
    c0=$(tree_cpu "$SPAMD_PID"); s0=$(date +%s.%N)
    xargs -P "$CORES" -I{} sh -c 'spamc -d 127.0.0.1 -p '"$SPORT"' -c < "$1"; echo' _ {} < "$W/sa.list" > "$W/out.spamd" 2>/dev/null || true
    s1=$(date +%s.%N); c1=$(tree_cpu "$SPAMD_PID")
    SA_COUNT=$n
    WALL[spamd]=$(awk -v a="$s0" -v b="$s1" 'BEGIN{printf "%.2f", b-a}')
    CPU[spamd]=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}')
    RSS[spamd]=$(for p in $SPAMD_PID $(ps -o pid= --ppid "$SPAMD_PID"); do awk '/VmHWM/{print $2}' /proc/$p/status 2>/dev/null; done | sort -n | tail -1)
    local got; got=$(grep -c '/' "$W/out.spamd" || true)
    [ "$got" = "$n" ] || log "spamd: $got results for $n mails"
    kill "$SPAMD_PID" 2>/dev/null; wait "$SPAMD_PID" 2>/dev/null || true; SPAMD_PID=""
}

SA_COUNT=$N
if [ "$PEERS" != 0 ]; then
    rspamd_bench || log "rspamd: skipped"
    spamd_bench || log "spamd: skipped"
fi

# ---- the table: per-message figures, then ratios against kensa -j 1
row() { # name label count
    local k=$1 label=$2 n=$3
    [ -n "${WALL[$k]:-}" ] || return 0
    awk -v l="$label" -v n="$n" -v w="${WALL[$k]}" -v c="${CPU[$k]}" -v r="${RSS[$k]:-0}" \
        -v mb="$MB" -v N="$N" -v kc="${CPU[k1]}" -v kw="${WALL[k1]}" -v fc="${CPU[floor]}" 'BEGIN{
        mbn = mb * n / N
        printf "%-34s %5d %7.3f %7.3f %9.0f %9.0f %7.2f %7.3f %6.0f %9.2f %9.2f\n", l, n, w, c,
            n / w, (c > 0 ? n / c : 0), mbn / w, 1000 * c / n, r / 1024,
            (c / n) / (kc / N), (n / w > 0 ? (N / kw) / (n / w) : 0) }'
}
echo
echo "bench/run.sh $N: $N mails ($MB MB; $(grep -c '^sa-ham/' "$W/list") sa-ham + $(grep -c '^phish-pot/' "$W/list") phish-pot), $CORES cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
printf '%-34s %5s %7s %7s %9s %9s %7s %7s %6s %9s %9s\n' system mails wall_s cpu_s msg/s_wall msg/s_cpu MB/s ms_cpu/m RSS_MB cpu/kensa kensa_x
row floor "GMime parse + text decode (floor)" "$N"
row base "kensa -j 1, KENSA_BASELINE" "$N"
row k1 "kensa -j 1" "$N"
row k2 "kensa -j 2" "$N"
[ "$CORES" -gt 2 ] && row "k$CORES" "kensa -j $CORES" "$N"
row rspamd "rspamd 3.4 (1 worker, no DNS)" "$N"
row spamd "SpamAssassin 4.0.1 spamd -L" "$SA_COUNT"
echo
awk -v k="${CPU[k1]}" -v f="${CPU[floor]}" -v w1="${WALL[k1]}" -v w2="${WALL[k2]:-0}" -v wn="${WALL[k$CORES]:-0}" \
    -v cores="$CORES" -v N="$N" -v rss="${RSS[k1]}" 'BEGIN{
    printf "kensa -j 1: %.0f msg/s per core (CPU), %.3f ms CPU per mail; kensa/floor (CPU) = %.2fx; peak RSS %.0f MB\n",
        N / k, 1000 * k / N, k / f, rss / 1024
    if (w2 > 0) printf "scaling (wall): -j 2 = %.2fx of -j 1", w1 / w2
    if (cores > 2 && wn > 0) printf ", -j %d = %.2fx", cores, w1 / wn
    printf "\n" }'
echo "cpu/kensa: CPU per mail relative to kensa -j 1; kensa_x: kensa -j 1 wall msg/s over that system's wall msg/s"
