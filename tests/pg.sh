#!/bin/sh
# pg.sh - a private PostgreSQL for the tests, sourced by store.sh:
#   pg_available          0 when Debian's PostgreSQL server binaries are here
#   pg_start DIR          initdb + start a server whose data dir and unix socket
#                         live under DIR; sets PG_CONNINFO (and PG_PID, PG_PORT)
#   pg_stop               stop it (fast shutdown, then by pid if it lingers)
# The server listens only on its unix socket in DIR (no TCP: nothing else on
# the box can reach it or collide with its port number). initdb refuses to
# run as root, so as root the server runs as the `postgres` user (setpriv).
# Callers must `trap pg_stop EXIT` so the server never outlives the test.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DIR=""; PG_PID=""; PG_PORT=""; PG_CONNINFO=""

pg_available() {
    [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || return 1
    [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1
}

# run a command as the server's user
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
    else
        "$@"
    fi
}

# a port number for the socket name: free among the sockets of this box
pg_pick_port() {
    p=$(( 20000 + $$ % 20000 ))
    while [ -e "/tmp/.s.PGSQL.$p" ] || [ -e "/var/run/postgresql/.s.PGSQL.$p" ]; do
        p=$((p + 1))
    done
    echo "$p"
}

pg_start() { # DIR
    PG_DIR=$1/pg
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR" && chmod 755 "$1"
    PG_PORT=$(pg_pick_port)
    pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U kensa --auth=trust --no-locale -E UTF8 --no-sync \
        >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -p $PG_PORT -c fsync=off" \
        start >/dev/null 2>&1 || { cat "$PG_DIR/server.log" >&2; return 1; }
    PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)
    PG_CONNINFO="host=$PG_DIR port=$PG_PORT user=kensa dbname=postgres"
    export PG_CONNINFO
}

pg_psql() { # SQL [CONNINFO] -> unaligned tuples
    "$PG_BIN/psql" -X -q -A -t -d "${2:-$PG_CONNINFO}" -c "$1"
}

pg_stop() {
    [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ] || return 0
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1
    if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
        kill -QUIT "$PG_PID" 2>/dev/null
    fi
    PG_PID=""
}
