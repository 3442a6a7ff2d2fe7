# Sourced by scripts/run.sh and scripts/conformance.sh: starts the seven services from one folder of executables
# and waits until each is ready. The caller sets DATABASE_URL, REDIS_URL and what else the stack needs.
services=(auth booking payment search messaging notify gateway)
service_pids=()

# start_services <bin folder> <gateway port> [<log folder>]: the services listen on the gateway's port and the six
# after it (auth +1 … notify +6); their output goes to stdout with each line prefixed, or to <log folder>/<name>.log.
# MAYAGO_INSTANCES (`search=2,messaging=2`) starts more instances of a service, the n-th 10 × (n - 1) ports above
# the first; every service, the gateway among them, is given all their URLs and spreads its calls over them.
start_services() {
    local bin=$1 base=$2 logs=${3:-} offset=0 service upper count instance port name urls entry
    declare -gA service_ports=() service_pid_of=() service_instance_ports=()
    declare -A counts=()
    for entry in ${MAYAGO_INSTANCES:+${MAYAGO_INSTANCES//,/ }}; do
        service=${entry%%=*} count=${entry#*=}
        [[ " ${services[*]} " == *" $service "* && $service != gateway && $count =~ ^[1-9]$ ]] || {
            echo "MAYAGO_INSTANCES: '$entry' is not <service>=<1-9> for a service other than the gateway" >&2
            return 1
        }
        counts[$service]=$count
    done
    for service in gateway auth booking payment search messaging notify; do
        service_ports[$service]=$((base + offset))
        offset=$((offset + 1))
        service_instance_ports[$service]=""
        for instance in $(seq "${counts[$service]:-1}"); do
            service_instance_ports[$service]+="$((service_ports[$service] + 10 * (instance - 1))) "
        done
    done
    for service in "${services[@]}"; do
        upper=$(echo "$service" | tr a-z A-Z) urls=""
        for port in ${service_instance_ports[$service]}; do urls+="${urls:+,}http://127.0.0.1:$port"; done
        export "${upper}_URL=$urls"
    done
    for service in "${services[@]}"; do
        instance=0
        for port in ${service_instance_ports[$service]}; do
            instance=$((instance + 1))
            name=$service
            [ $instance -eq 1 ] || name="$service-$instance"
            if [ -n "$logs" ]; then
                HTTP_PORT=$port "$bin/$service" >"$logs/$name.log" 2>&1 &
            else
                HTTP_PORT=$port "$bin/$service" > >(sed -u "s/^/$(printf '%-9s' "$name")| /") 2>&1 &
            fi
            service_pids+=($!)
            [ $instance -gt 1 ] || service_pid_of[$service]=$!
        done
    done
    # The gateway's URL is where clients go: its single address, not a list.
    export GATEWAY_URL="http://127.0.0.1:${service_ports[gateway]}"
}

# service_pid <service>: the process id of a service start_services started.
service_pid() {
    [ -n "${service_pid_of[$1]:-}" ] && echo "${service_pid_of[$1]}"
}

# wait_until_ready: every instance answers /ready within a minute, or the caller learns which did not.
wait_until_ready() {
    local service port
    for service in "${services[@]}"; do
        for port in ${service_instance_ports[$service]}; do
            for _ in $(seq 120); do
                curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
                sleep 0.5
            done
            curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "$service on $port did not become ready"; return 1; }
        done
    done
}

# stop_services: SIGTERM to each, then waits for them to end.
stop_services() {
    [ ${#service_pids[@]} -gt 0 ] || return 0
    kill -TERM "${service_pids[@]}" 2>/dev/null || true
    local pid
    # A service that has not ended 30 s after SIGTERM is killed and named, rather than waited for forever.
    for pid in "${service_pids[@]}"; do
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)(pid $pid) did not stop within 30 s of SIGTERM; killed" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    service_pids=()
}
