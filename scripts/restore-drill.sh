#!/usr/bin/env bash
# The restore drill: the newest base backup of <folder> and the WAL streamed since (scripts/backup.sh) restored into
# a scratch PostgreSQL on <scratch port>, replayed to the end, then checked: every MayaGo ledger in <database>
# balances (each transaction's postings sum to zero per currency), and, when the source still answers on <source
# port>, every table of <database> has as many rows as there. Prints how long the restore took (the RTO reached
# for this size), then removes the scratch cluster. Recovery needs max_connections at least the primary's:
# DRILL_MAX_CONNECTIONS (1000, as scripts/stores.sh starts it).
#
#   scripts/restore-drill.sh <folder> <database> <scratch port> [<source port>]
set -euo pipefail
folder=$(cd "$1" && pwd) database=$2 scratch_port=$3 source_port=${4:-}
root="$(cd "$(dirname "$0")/.." && pwd)"
pgbin="$(pg_config --bindir 2>/dev/null || true)"
[ -x "$pgbin/initdb" ] || pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
base=$(find "$folder/base" -mindepth 1 -maxdepth 1 -type d -not -name "*.partial" | sort | tail -n 1)
[ -n "$base" ] || { echo "restore drill: no base backup in $folder/base" >&2; exit 1; }
scratch="$root/run/restore-drill"
trap 'as_postgres "$pgbin/pg_ctl" -D "$scratch/pgdata" -m immediate -w stop >/dev/null 2>&1 || true; [ -z "${KEEP_DRILL:-}" ] && rm -rf "$scratch"' EXIT
rm -rf "$scratch" && mkdir -p "$scratch/pgdata"
start=$EPOCHREALTIME

tar -xzf "$base/base.tar.gz" -C "$scratch/pgdata"
tar -xzf "$base/pg_wal.tar.gz" -C "$scratch/pgdata/pg_wal"
# The WAL is fetched as from a backup store, into the scratch folder (the server reads it as its own user). The
# segment being written when streaming stopped is kept as .partial: recovery takes it as the last one.
cp -R "$folder/wal" "$scratch/wal"
cat >>"$scratch/pgdata/postgresql.auto.conf" <<CONF
restore_command = 'cp "$scratch/wal/%f" "%p" 2>/dev/null || cp "$scratch/wal/%f.partial" "%p" 2>/dev/null'
recovery_target_action = 'promote'
CONF
touch "$scratch/pgdata/recovery.signal"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$scratch" && chmod 700 "$scratch/pgdata"
as_postgres "$pgbin/pg_ctl" -D "$scratch/pgdata" -l "$scratch/server.log" -w -t 600 start \
    -o "-p $scratch_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$scratch -c archive_mode=off -c max_connections=${DRILL_MAX_CONNECTIONS:-1000}" >/dev/null
psql_scratch() { "$pgbin/psql" -h 127.0.0.1 -p "$scratch_port" -U mayago -d "$database" -tAqX "$@"; }
for _ in $(seq 600); do
    [ "$(psql_scratch -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "f" ] && break
    sleep 0.5
done
[ "$(psql_scratch -c 'SELECT pg_is_in_recovery()')" = "f" ] || { tail -n 20 "$scratch/server.log"; exit 1; }
restored=$EPOCHREALTIME

status=0
ledgers=$(psql_scratch -c "SELECT table_schema FROM information_schema.tables WHERE table_name = 'ledger_postings'")
for schema in $ledgers; do
    unbalanced=$(psql_scratch -c "SELECT count(*) FROM (SELECT 1 FROM \"$schema\".ledger_postings GROUP BY transaction_id, currency HAVING sum(amount) <> 0) AS t")
    postings=$(psql_scratch -c "SELECT count(*) FROM \"$schema\".ledger_postings")
    if [ "$unbalanced" = "0" ]; then echo "ledger $schema: $postings postings, balanced"; else echo "ledger $schema: $unbalanced unbalanced transactions"; status=1; fi
done
[ -n "$ledgers" ] || { echo "restore drill: no ledger in $database"; status=1; }

counts="SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
count_rows() {  # <psql function>: "<table> <rows>" per table
    local table
    for table in $($1 -c "$counts"); do echo "$table $($1 -c "SELECT count(*) FROM $table")"; done
}
tables=$(psql_scratch -c "$counts" | wc -l)
if [ -n "$source_port" ]; then
    psql_source() { "$pgbin/psql" -h 127.0.0.1 -p "$source_port" -U mayago -d "$database" -tAqX "$@"; }
    if diff <(count_rows psql_source) <(count_rows psql_scratch) >"$scratch/counts.diff"; then
        echo "rows: the $tables tables of $database hold as many rows as the source's"
    else
        echo "rows differ from the source (source <, restored >):"; cat "$scratch/counts.diff"; status=1
    fi
fi
awk -v base="$(basename "$base")" -v size="$(du -sh "$base" | cut -f1)" -v start="$start" -v restored="$restored" -v now="$EPOCHREALTIME" \
    'BEGIN { printf "Restored %s (%s) in %.1f s; the checks took %.1f s more\n", base, size, restored - start, now - restored }'
exit $status
