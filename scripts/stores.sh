#!/usr/bin/env bash
# Starts or stops a private PostgreSQL and Redis under run/<name>/, on their own ports, never the system's
# default instances.
#
#   scripts/stores.sh start <name> <postgres-port> <redis-port>
#   scripts/stores.sh replica <name> <primary-port> <replica-port> [apply delay, e.g. 100ms]
#   scripts/stores.sh stop <name>
#
# `replica` starts a hot standby of <name>'s PostgreSQL in run/<name>/replica, streaming from it (a base backup
# taken with `pg_basebackup -R`): read-only queries given DATABASE_READ_URL go there. The tests give it a delay, so
# that a read that must see its own write cannot pass by luck.
set -euo pipefail

action=$1
name=$2
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/run/$name"
pgdata="$dir/postgres"
redisdir="$dir/redis"
pgbin="$(pg_config --bindir 2>/dev/null || true)"
[ -x "$pgbin/initdb" ] || pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

# PostgreSQL refuses to run as root: as root, run it as the postgres user, which owns its folder.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A certificate authority and a certificate it signed for `localhost` (a name only, so that verifying the name of
# 127.0.0.1 fails, as it should), for PostgreSQL's TLS and Redis's TLS port: run/<name>/tls/ca.pem is what clients
# trust (`sslrootcert=`, `ssl_ca_certs=`).
certificates() {
    local tls="$dir/tls"
    [ -f "$tls/server.pem" ] && return
    mkdir -p "$tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=MayaGo private CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" \
        -out "$tls/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost\n' >"$tls/san.cnf"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 3650 \
        -extfile "$tls/san.cnf" -out "$tls/server.pem" 2>/dev/null
    chmod 600 "$tls/server.key"
    [ "$(id -u)" -eq 0 ] && chown postgres "$tls/server.key" "$tls/server.pem"
    return 0
}

# What answers on a Redis port, by its own account ("process_id:…", or nothing).
redis_process() {
    redis-cli -p "$1" info server 2>/dev/null | tr -d '\r' | grep '^process_id:' || true
}

# Whether the Redis answering on the port is the one this folder started.
own_redis() {
    [ -f "$redisdir/redis.pid" ] && [ "$(redis_process "$1")" = "process_id:$(cat "$redisdir/redis.pid")" ]
}

start() {
    local pgport=$1 redisport=$2
    mkdir -p "$dir" "$redisdir"
    certificates
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        mkdir -p "$pgdata"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pgdata"
        chmod 700 "$pgdata"
        as_postgres "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    if ! as_postgres "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        as_postgres "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 start \
            -o "-p $pgport -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pgdata -c max_connections=1000 -c fsync=off \
                -c ssl=on -c ssl_cert_file=$dir/tls/server.pem -c ssl_key_file=$dir/tls/server.key" >/dev/null
    fi
    for database in mayago; do
        "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'mayago'" | grep -q 1 ||
            "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qc "CREATE ROLE mayago LOGIN SUPERUSER"
        "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1 ||
            "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qc "CREATE DATABASE $database OWNER mayago"
    done
    # A Redis answering on the port is not necessarily ours (another run's, about to stop, or a client that connected
    # to itself): ours is the one whose process id is in our pidfile. A port that is taken is waited for, a start that
    # could not bind is tried again, and one that never gives us our own Redis fails here, with what stood in its way.
    for attempt in 1 2 3 4 5; do
        own_redis "$redisport" && break
        if ! redis-cli -p "$redisport" ping >/dev/null 2>&1; then
            # TLS on the next port, for rediss:// (the key is readable by Redis, whoever runs it).
            redis-server --port "$redisport" --bind 127.0.0.1 --dir "$redisdir" --daemonize yes \
                --tls-port $((redisport + 1)) --tls-cert-file "$dir/tls/server.pem" --tls-key-file "$dir/tls/server.key" \
                --tls-ca-cert-file "$dir/tls/ca.pem" --tls-auth-clients no \
                --pidfile "$redisdir/redis.pid" --logfile "$redisdir/redis.log" --save 60 1 --appendonly no >/dev/null || true
        fi
        for _ in $(seq 50); do own_redis "$redisport" && break; sleep 0.1; done
        own_redis "$redisport" && break
        if [ "$attempt" -eq 5 ]; then
            if redis-cli -p "$redisport" ping >/dev/null 2>&1; then
                echo "Another server answers on 127.0.0.1:$redisport: $(redis_process "$redisport")" >&2
            else
                echo "Redis did not start on 127.0.0.1:$redisport:" >&2
                tail -n 3 "$redisdir/redis.log" >&2
            fi
            exit 1
        fi
        sleep 2
    done
    echo "PostgreSQL on 127.0.0.1:$pgport (TLS too) and Redis on 127.0.0.1:$redisport (TLS on $((redisport + 1))) (data in run/$name)"
}

replica() {
    local primary=$1 port=$2 delay=${3:-0} data="$dir/replica"
    if [ ! -f "$data/PG_VERSION" ]; then
        mkdir -p "$data"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
        chmod 700 "$data"
        # A slot keeps the WAL the replica has not replayed while it is stopped; without one the primary recycles it,
        # and a replica left behind could never catch up. A new replica takes the place of the last one's slot.
        "$pgbin/psql" -h 127.0.0.1 -p "$primary" -U postgres -qAtc \
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'replica'" >/dev/null
        as_postgres "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$data" -R -X stream -c fast -C -S replica
        rm -f "$data/server.log" # the primary's
    fi
    if ! as_postgres "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        # A standby needs at least the primary's max_connections.
        as_postgres "$pgbin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
            -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c max_connections=1000 -c fsync=off -c recovery_min_apply_delay=$delay" >/dev/null
    fi
    echo "PostgreSQL replica of 127.0.0.1:$primary on 127.0.0.1:$port (data in run/$name/replica)"
}

stop() {
    if [ -f "$dir/replica/postmaster.pid" ]; then
        as_postgres "$pgbin/pg_ctl" -D "$dir/replica" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -f "$pgdata/postmaster.pid" ]; then
        as_postgres "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -f "$redisdir/redis.pid" ]; then
        kill "$(cat "$redisdir/redis.pid")" 2>/dev/null || true
        for _ in $(seq 50); do [ -f "$redisdir/redis.pid" ] || break; sleep 0.1; done
    fi
}

case "$action" in
    start) start "$3" "$4" ;;
    replica) replica "$3" "$4" "${5:-0}" ;;
    stop) stop ;;
    *) echo "usage: $0 start <name> <postgres-port> <redis-port> | replica <name> <primary-port> <replica-port> | stop <name>" >&2; exit 2 ;;
esac
