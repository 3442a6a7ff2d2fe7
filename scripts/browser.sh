#!/usr/bin/env bash
# The web app's suite in a real browser (Tests/Browser/suite.py: chromium, chromedriver and selenium, installed by
# install-deps) against the whole stack, started here on ports 28080-28086 with the demo data, PostgreSQL and Redis
# already running (make test starts them). The gateway serves Web/ and keeps its real rate limits. Screenshots of
# the main pages at 360 and 1280 px go to run/screenshots.
#
#   scripts/browser.sh <PostgreSQL port> <Redis port>
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pg_port=$1 redis_port=$2
bin=${MAYAGO_BIN_PATH:-$(swift build --show-bin-path)}
work="$root/run/browser"
source scripts/lib/services.sh
source scripts/lib/database.sh

rm -rf "$work" run/screenshots && mkdir -p "$work/logs" run/screenshots
fresh_database "$pg_port" mayago_browser
redis-cli -p "$redis_port" flushall >/dev/null

export MAYAGO_ENV=development WEB_ROOT="$root/Web"
export DATABASE_URL="postgres://mayago@127.0.0.1:$pg_port/mayago_browser" REDIS_URL="redis://127.0.0.1:$redis_port"
export MAILBOX_PATH="$work/mailbox" DEV_MAILBOX=true ADMIN_PORT=29080 PUBLIC_URL=http://127.0.0.1:28080
# Some twenty sign-ins from one address in two minutes: more than the 10 a quarter-hour one address has for guessing.
export RATE_LIMIT_SENSITIVE=100/15m
trap 'stop_services; drop_database "$pg_port" mayago_browser || true' EXIT
start_services "$bin" 28080 "$work/logs"
wait_until_ready || { tail -n 20 "$work"/logs/*.log; exit 1; }
scripts/seed.sh "$GATEWAY_URL" "$DATABASE_URL" "${AUTH_URL%%,*}" >/dev/null

start=$(date +%s)
status=0
# Debian's selenium is installed for Debian's Python, whichever python3 comes first on the PATH.
GATEWAY_PID=$(service_pid gateway) /usr/bin/python3 Tests/Browser/suite.py "$GATEWAY_URL" run/screenshots run/demo-admin-totp-secret-mayago_browser || status=$?
echo "Browser suite took $(($(date +%s) - start)) s; screenshots in run/screenshots"
[ $status -eq 0 ] || tail -n 30 "$work"/logs/gateway.log
exit $status
