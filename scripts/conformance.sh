#!/usr/bin/env bash
# The API's conformance suite: schemathesis (installed by install-deps) over the gateway's OpenAPI document against
# the whole stack, started here on ports 18080-18086 with PostgreSQL and Redis already running (make test starts
# them). Every check and phase runs as the demo provider, traveler and admin, each operation with the first of them
# it admits; the operations that end the caller's own session (logout, 2FA disable) or change an account (an admin's
# user change) run after, with accounts of their own. CI runs a fixed seed; elsewhere a random one, printed so that a
# failure can be replayed with CONFORMANCE_SEED.
#
#   scripts/conformance.sh <PostgreSQL port> <Redis port>
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pg_port=$1 redis_port=$2
seed=${CONFORMANCE_SEED:-$([ -n "${CI:-}" ] && echo 1 || echo $((RANDOM * 32768 + RANDOM)))}
examples=${CONFORMANCE_EXAMPLES:-10}
bin=${MAYAGO_BIN_PATH:-$(swift build --show-bin-path)}
work="$root/run/conformance"
source scripts/lib/services.sh
source scripts/lib/database.sh

rm -rf "$work" && mkdir -p "$work/logs"
fresh_database "$pg_port" mayago_conformance
redis-cli -p "$redis_port" flushall >/dev/null

export MAYAGO_ENV=development
export DATABASE_URL="postgres://mayago@127.0.0.1:$pg_port/mayago_conformance" REDIS_URL="redis://127.0.0.1:$redis_port"
export MAILBOX_PATH="$work/mailbox" DEV_MAILBOX=true ADMIN_PORT=19080
# Thousands of requests from one address in a few minutes: the limits that would stop a client stop the suite.
export RATE_LIMIT_ANONYMOUS=1000000/1m RATE_LIMIT_USER=1000000/1m RATE_LIMIT_SENSITIVE=1000000/1m
export LOGIN_IP_MAX_FAILURES=100000 LOGIN_MAX_FAILURES=1000 LOGIN_ACCOUNT_MAX_FAILURES=100000
watchdog_pid=
# However the script ends: a watchdog left behind would take the next run's services for this one's.
cleanup() {
    [ -z "$watchdog_pid" ] || kill "$watchdog_pid" 2>/dev/null || true
    stop_services
    drop_database "$pg_port" mayago_conformance || true
}
trap cleanup EXIT
start_services "$bin" 18080 "$work/logs"
wait_until_ready || { tail -n 20 "$work"/logs/*.log; exit 1; }
scripts/seed.sh "$GATEWAY_URL" "$DATABASE_URL" "${AUTH_URL%%,*}" >/dev/null
for account in logout twofactor; do
    curl -sf -o /dev/null -H "Content-Type: application/json" "${AUTH_URL%%,*}/api/v1/auth/register" \
        -d "{\"email\":\"$account@mayago.test\",\"password\":\"throwaway-conformance\",\"name\":\"Throwaway\",\"role\":\"traveler\"}"
done

# The admin role needs a second factor, which a login payload cannot carry: the admin signs in once here with the
# next code of the secret the seed kept, and the suite's admin identities send that token (15 minutes, longer than
# the suite's admin runs).
admin_code=$(python3 scripts/totp.py run/demo-admin-totp-secret-mayago_conformance 30)
admin_token=$(curl -sf -H "Content-Type: application/json" "${AUTH_URL%%,*}/api/v1/auth/login" \
    -d "{\"email\":\"admin@mayago.test\",\"password\":\"admin-demo-password\",\"totpCode\":\"$admin_code\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])')
for identities in identities throwaway; do
    python3 - "Tests/Conformance/$identities.json" "$work/$identities.json" "$admin_token" <<'ADMIN'
import json, sys
document = json.load(open(sys.argv[1]))
for entry in document["auth"]:
    if entry["name"] == "admin":
        del entry["loginEndpointAuth"]
        entry["fixedHeaders"] = [{"name": "Authorization", "value": "Bearer " + sys.argv[3]}]
json.dump(document, open(sys.argv[2], "w"))
ADMIN
done

# Schemathesis keeps what it learned (failures to try first, Hypothesis' examples) under run/, not in the checkout.
export HYPOTHESIS_STORAGE_DIRECTORY="$root/run/conformance-cache/hypothesis"
echo "Conformance: schemathesis $(st --version | awk '{print $NF}'), seed $seed, $examples examples per operation"
start=$(date +%s)
status=0
# A service that stops answering /health (two tries, 3 s apart) has its threads' states and stacks written beside its
# log and is killed, so that the suite fails within seconds and says why instead of waiting out its time limit.
watchdog() {
    local service pid
    while sleep 2; do
        for service in "${services[@]}"; do
            [ -e "$work/logs/$service.stacks" ] && continue
            curl -sf -m 3 -o /dev/null "http://127.0.0.1:${service_ports[$service]}/health" && continue
            sleep 3
            curl -sf -m 3 -o /dev/null "http://127.0.0.1:${service_ports[$service]}/health" && continue
            pid=$(service_pid "$service") || continue
            echo "Conformance: $service stopped answering /health; its stacks are in run/conformance/logs/$service.stacks"
            cat /proc/"$pid"/task/*/stat >"$work/logs/$service.threads" 2>/dev/null || true
            gdb -p "$pid" -batch -ex "thread apply all bt" >"$work/logs/$service.stacks" 2>&1 || true
            kill -KILL "$pid" 2>/dev/null || true
        done
    done
}
watchdog &
watchdog_pid=$!
run() {  # <report name> <phases> <st run options>…
    local name=$1 phases=$2
    shift 2
    timeout 300 st --config-file Tests/Conformance/schemathesis.toml run "$GATEWAY_URL/api/v1/openapi.json" \
        --checks all --phases "$phases" --max-examples "$examples" --seed "$seed" \
        --report junit --report-junit-path "$work/$name.xml" "$@" || status=$?
}
# The stateful phase walks the documents' links; the single operations run after have none to walk.
run main examples,coverage,fuzzing,stateful --auth-wfc "$work/identities.json" \
    --exclude-name "POST /api/v1/auth/logout" --exclude-name "POST /api/v1/auth/2fa/disable" --exclude-name "PATCH /api/v1/auth/admin/users/{id}"
run logout examples,coverage,fuzzing --auth-wfc "$work/throwaway.json" --auth-wfc-user logout --include-name "POST /api/v1/auth/logout"
run twofactor examples,coverage,fuzzing --auth-wfc "$work/throwaway.json" --auth-wfc-user twofactor --include-name "POST /api/v1/auth/2fa/disable"
run users examples,coverage,fuzzing --auth-wfc "$work/throwaway.json" --auth-wfc-user admin --include-name "PATCH /api/v1/auth/admin/users/{id}"
kill "$watchdog_pid" 2>/dev/null || true
if compgen -G "$work/logs/*.stacks" >/dev/null; then
    status=1
    # What each was doing, short enough to be read at the end of CI's output (make test prints it again last).
    for stacks in "$work"/logs/*.stacks; do
        service=$(basename "$stacks" .stacks)
        python3 scripts/lib/stuck-threads.py "$service" "$stacks" "$work/logs/$service.threads"
        echo "  the last lines of its log:" && tail -n 5 "$work/logs/$service.log" | cut -c1-300 | sed 's/^/    /'
    done | tee "$work/stuck.txt"
fi
echo "Conformance took $(($(date +%s) - start)) s (seed $seed); reports in run/conformance"
exit $status
