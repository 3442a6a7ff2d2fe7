#!/usr/bin/env bash
# PostgreSQL backups: a base backup of the whole cluster (pg_basebackup, compressed, with the WAL it needs) and the
# write-ahead log streamed continuously beside it (pg_receivewal through a replication slot, so the server keeps
# what has not been received yet). Together they restore to any moment after the oldest base backup kept: the
# recovery point is the last WAL streamed, seconds old, which meets RPO < 1 h with room (a nightly pg_dump would
# lose up to a day). Base backups older than BACKUP_RETENTION_DAYS (30) are deleted, with the WAL only they needed.
#
#   scripts/backup.sh base <host> <port> <folder>   a base backup now, then the retention (daily, from cron)
#   scripts/backup.sh wal <host> <port> <folder>    streams the WAL until stopped (a service of its own)
#
# The user (PGUSER, default mayago) needs the REPLICATION attribute; restore with scripts/restore-drill.sh.
set -euo pipefail
action=$1 host=$2 port=$3 folder=$4
export PGUSER=${PGUSER:-mayago}
retention_days=${BACKUP_RETENTION_DAYS:-30}
mkdir -p "$folder/base" "$folder/wal"

case "$action" in
    base)
        stamp=$(date -u +%Y%m%dT%H%M%SZ)
        pg_basebackup -h "$host" -p "$port" -D "$folder/base/$stamp.partial" -Ft -z -X stream -c fast
        mv "$folder/base/$stamp.partial" "$folder/base/$stamp"
        # Retention: base backups past the window go, and the WAL segments before the oldest one left begins (never
        # the segment being streamed).
        find "$folder/base" -mindepth 1 -maxdepth 1 -type d -mtime "+$retention_days" -exec rm -rf {} +
        oldest=$(find "$folder/base" -mindepth 1 -maxdepth 1 -type d -not -name "*.partial" | sort | head -n 1)
        read -r timeline lsn < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["WAL-Ranges"][0]; print(r["Timeline"], r["Start-LSN"])' \
            "$oldest/backup_manifest")
        pg_archivecleanup "$folder/wal" "$(printf '%08X%08X%08X' "$timeline" "0x${lsn%/*}" "$((0x${lsn#*/} >> 24))")"
        echo "Base backup $folder/base/$stamp ($(du -sh "$folder/base/$stamp" | cut -f1))"
        ;;
    wal)
        pg_receivewal -h "$host" -p "$port" --slot mayago_backup --create-slot --if-not-exists
        exec pg_receivewal -h "$host" -p "$port" -D "$folder/wal" --slot mayago_backup --synchronous
        ;;
    *)
        echo "usage: $0 base|wal <host> <port> <folder>" >&2
        exit 2
        ;;
esac
