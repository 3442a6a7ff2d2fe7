# Sourced by scripts/run.sh and scripts/conformance.sh: starts the seven services from one folder of executables
# and waits until each is ready. The caller sets DATABASE_URL, REDIS_URL and what else the stack needs.
services=(auth booking payment search messaging notify gateway)
service_pids=()

# start_services <bin folder> <gateway port> [<log folder>]: the services listen on the gateway's port and the six
# after it (auth +1 … notify +6); their output goes to stdout with each line prefixed, or to <log folder>/<name>.log.
start_services() {
    local bin=$1 base=$2 logs=${3:-} offset=0 service upper
    declare -gA service_ports=() service_pid_of=()
    for service in gateway auth booking payment search messaging notify; do
        service_ports[$service]=$((base + offset))
        offset=$((offset + 1))
    done
    for service in "${services[@]}"; do
        upper=$(echo "$service" | tr a-z A-Z)
        export "${upper}_URL=http://127.0.0.1:${service_ports[$service]}"
    done
    for service in "${services[@]}"; do
        if [ -n "$logs" ]; then
            HTTP_PORT=${service_ports[$service]} "$bin/$service" >"$logs/$service.log" 2>&1 &
        else
            HTTP_PORT=${service_ports[$service]} "$bin/$service" > >(sed -u "s/^/$(printf '%-9s' "$service")| /") 2>&1 &
        fi
        service_pids+=($!)
        service_pid_of[$service]=$!
    done
}

# service_pid <service>: the process id of a service start_services started.
service_pid() {
    [ -n "${service_pid_of[$1]:-}" ] && echo "${service_pid_of[$1]}"
}

# wait_until_ready: every service answers /ready within a minute, or the caller learns which did not.
wait_until_ready() {
    local service
    for service in "${services[@]}"; do
        for _ in $(seq 120); do
            curl -sf "http://127.0.0.1:${service_ports[$service]}/ready" >/dev/null && break
            sleep 0.5
        done
        curl -sf "http://127.0.0.1:${service_ports[$service]}/ready" >/dev/null || { echo "$service did not become ready"; return 1; }
    done
}

# stop_services: SIGTERM to each, then waits for them to end.
stop_services() {
    [ ${#service_pids[@]} -gt 0 ] || return 0
    kill -TERM "${service_pids[@]}" 2>/dev/null || true
    local pid
    for pid in "${service_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    service_pids=()
}
