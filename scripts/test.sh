#!/usr/bin/env bash
# `make test`: installs what is missing, starts a private PostgreSQL (with a streaming replica on 15435) and Redis for
# tests only (run/test, ports 15433 and 16380, apart from `make run`'s), builds, checks the Kubernetes overlays (scripts/deploy-check.sh), runs
# `swift test`, the API's conformance suite (scripts/conformance.sh), the web app's suite in a real browser
# (scripts/browser.sh) and the restore drill of a backup taken meanwhile (scripts/backup.sh, restore-drill.sh), and
# stops them, exiting with the tests' status; a formatting fault or a compiler warning in our code fails it too
# (scripts/lint.sh). Arguments go to `swift test` alone (for example `--filter RedisClientTests`).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Below Linux's ephemeral range (32768–60999), where any outgoing connection may hold a port for a moment.
pg_port=${MAYAGO_TEST_POSTGRES_PORT:-15433}
redis_port=${MAYAGO_TEST_REDIS_PORT:-16380}

scripts/install-deps.sh
scripts/stores.sh start test "$pg_port" "$redis_port"
trap 'scripts/stores.sh stop test' EXIT
# A streaming replica, 100 ms behind, for the tests of DATABASE_READ_URL.
scripts/stores.sh replica test "$pg_port" $((pg_port + 2)) 100ms

# Every run starts from an empty database and an empty Redis.
source scripts/lib/database.sh
fresh_database "$pg_port" mayago_test
redis-cli -p "$redis_port" flushall >/dev/null

start=$(date +%s)
mkdir -p run
swift build --build-tests 2>&1 | tee run/build.log
echo "Build took $(($(date +%s) - start)) s"
# A warning in our code fails the run like a failing test (make lint checks the formatting).
scripts/lint.sh run/build.log

export MAYAGO_TEST_DATABASE_URL="postgres://mayago@127.0.0.1:$pg_port/mayago_test"
export MAYAGO_TEST_DATABASE_READ_URL="postgres://mayago@127.0.0.1:$((pg_port + 2))/mayago_test"
export MAYAGO_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
# The stores' TLS (scripts/stores.sh): their authority, and Redis's TLS port.
export MAYAGO_TEST_TLS_CA="$root/run/test/tls/ca.pem"
export MAYAGO_TEST_REDIS_TLS_URL="rediss://localhost:$((redis_port + 1))"
export MAYAGO_BIN_PATH="$(swift build --show-bin-path)"
# Swift Testing starts every test at once unless told otherwise: on two cores that is some 140 services, each with its
# pools and background jobs, and timeouts that hold on a quiet machine (a 3 s key fetch, a 2 s readiness check) then
# fail at random. Twelve at a time ran the suite faster, and without a failure, with a busy neighbour on the cores.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-12}
start=$(date +%s)
status=0
scripts/deploy-check.sh || status=$?
if [ $# -gt 0 ]; then
    swift test --skip-build "$@" || status=$?
else
    # Backed up while the tests write: a base backup now and the WAL streamed all along, restored at the end.
    rm -rf run/backups
    scripts/backup.sh wal 127.0.0.1 "$pg_port" run/backups >run/backup-wal.log 2>&1 &
    wal_streamer=$!
    scripts/backup.sh base 127.0.0.1 "$pg_port" run/backups || status=$?
    # The end-to-end tests start seven executables per stack: run them after the rest, not beside it, so that two
    # cores are not shared by both at once (their waits are generous, but not unbounded).
    # Bounded (they take 2–4 min): a run that hangs fails here, with the tests it started and never ended in its
    # output, and the steps after it still run, instead of CI's own limit ending everything.
    timeout --kill-after=30 25m swift test --skip-build --skip EndToEndTests || status=$?
    timeout --kill-after=30 15m swift test --skip-build --filter EndToEndTests || status=$?
    scripts/conformance.sh "$pg_port" "$redis_port" || status=$?
    scripts/browser.sh "$pg_port" "$redis_port" || status=$?
    # The restore drill: the test database as the tests left it, from the backup alone.
    sleep 1 && kill "$wal_streamer" && wait "$wal_streamer" 2>/dev/null || true
    scripts/restore-drill.sh run/backups mayago_test $((pg_port + 1)) "$pg_port" || status=$?
    # The slot would keep the test cluster's WAL for a streamer that is gone.
    psql -h 127.0.0.1 -p "$pg_port" -U mayago -d postgres -qc "SELECT pg_drop_replication_slot('mayago_backup')" >/dev/null || true
fi
echo "Tests took $(($(date +%s) - start)) s"
# A service the conformance suite found stuck: what it was doing, where the end of the output shows it.
[ $# -gt 0 ] || [ ! -s run/conformance/stuck.txt ] || { echo "Conformance: a service stopped answering" && cat run/conformance/stuck.txt; }
exit $status
