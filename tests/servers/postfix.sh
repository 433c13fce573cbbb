#!/bin/sh
# postfix.sh start|stop DIR [SMTP_PORT MILTER_PORT] - a private Postfix instance for
# tests/servers.sh: its own config directory, queue and data directories under DIR,
# listening on 127.0.0.1:SMTP_PORT only, every message through the milter at
# inet:127.0.0.1:MILTER_PORT, mail for @test.example delivered by virtual(8) to the
# Maildir DIR/mail/box/ (owned by nobody, so no local user is needed). Runs as root
# (master(8) drops to the postfix user). Nothing under /etc is changed.
set -eu
cmd=$1; D=$2
case "$cmd" in
start)
    SMTP=$3; MILT=$4
    mkdir -p "$D/etc" "$D/queue" "$D/data" "$D/mail/box"
    chmod 755 "$D" "$D/etc"
    chown -R nobody:nogroup "$D/mail"
    chown postfix "$D/data"
    # every service from Debian's master.cf, chroot off, smtpd only on loopback
    awk -v smtp="127.0.0.1:$SMTP" '
        /^#/ || /^[ \t]/ || NF == 0 { print; next }
        $1 == "smtp" && $2 == "inet" { $1 = smtp; $5 = "n"; print; next }
        $2 == "inet" { next }
        { if (NF >= 8) $5 = "n"; print }' /etc/postfix/master.cf > "$D/etc/master.cf"
    grep -q '^postlog' "$D/etc/master.cf" ||
        echo 'postlog unix-dgram n - n - 1 postlogd' >> "$D/etc/master.cf"
    cat > "$D/etc/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $D/queue
data_directory = $D/data
mail_owner = postfix
myhostname = mx.test.example
mydomain = test.example
myorigin = test.example
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
anvil_rate_time_unit = 60s
smtpd_milters = inet:127.0.0.1:$MILT
milter_default_action = tempfail
milter_content_timeout = 60s
message_size_limit = 104857600
virtual_mailbox_limit = 104857600
virtual_mailbox_domains = test.example
virtual_mailbox_base = $D/mail
virtual_mailbox_maps = static:box/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
virtual_destination_concurrency_limit = 20
default_process_limit = 50
maillog_file_prefixes = $D
maillog_file = $D/maillog
smtputf8_enable = no
biff = no
EOC
    postfix -c "$D/etc" check >/dev/null 2>&1 || true
    postfix -c "$D/etc" start
    ;;
stop)
    postfix -c "$D/etc" stop 2>/dev/null || true
    # master exits a moment later; wait (bounded) for its pid file to go
    i=0
    while [ -f "$D/queue/pid/master.pid" ] && [ $i -lt 50 ]; do
        pid=$(tr -d ' ' < "$D/queue/pid/master.pid")
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    ;;
esac
