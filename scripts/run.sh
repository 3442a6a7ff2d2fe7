#!/usr/bin/env bash
# `make run`: installs what is missing, builds, starts a private PostgreSQL and Redis (run/dev, ports 55432 and
# 56379) and the seven services, waits until each is ready, loads the demo data and stays in the foreground.
# Ctrl-C or SIGTERM stops everything it started. A second run reuses the data.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pg_port=${MAYAGO_POSTGRES_PORT:-55432}
redis_port=${MAYAGO_REDIS_PORT:-56379}
source scripts/lib/services.sh

scripts/install-deps.sh
swift build ${MAYAGO_BUILD_FLAGS:-}
bin="$(swift build ${MAYAGO_BUILD_FLAGS:-} --show-bin-path)"

scripts/stores.sh start dev "$pg_port" "$redis_port"

stopping=0
stop_all() {
    [ $stopping -eq 1 ] && return
    stopping=1
    echo "Stopping the services"
    stop_services
    scripts/stores.sh stop dev
    echo "Stopped"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

export MAYAGO_ENV=development
export DATABASE_URL="postgres://mayago@127.0.0.1:$pg_port/mayago"
export REDIS_URL="redis://127.0.0.1:$redis_port"
# Mail, SMS and push of the demo land in a folder, listed at /api/v1/dev/mailbox.
export MAILBOX_PATH="$root/run/mailbox" DEV_MAILBOX=true
# The mails' links open the web app on the same origin as the one printed below (its session cookie is per origin).
export PUBLIC_URL=http://127.0.0.1:8080
start_services "$bin" 8080
wait_until_ready

# The stack serves without its demo data if that cannot be loaded: say so, do not stop.
scripts/seed.sh "$GATEWAY_URL" "$DATABASE_URL" "${AUTH_URL%%,*}" ||
    echo "The demo data could not be loaded (see above); MayaGo runs without it. Run scripts/seed.sh again to retry."

cat <<INFO

MayaGo is up. The gateway listens on http://127.0.0.1:8080: open it in a browser for the web app.

  curl -i http://127.0.0.1:8080/health
  curl -s http://127.0.0.1:9080/ready                       # which dependency is down, if one is
  curl -s http://127.0.0.1:9080/metrics | head              # the gateway's operators' port (loopback)
  curl -i http://127.0.0.1:8080/api/v1/experiences
  curl -s "http://127.0.0.1:8080/api/v1/search?q=cenot"     # typos welcome
  curl -s http://127.0.0.1:8080/api/v1/dev/mailbox          # mail the demo sent (verification links)

Each service also answers on its own port (auth 8081 … notify 8086). Ctrl-C stops everything.
INFO

wait "${service_pids[@]}"
