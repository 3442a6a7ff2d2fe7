# Sourced by the bench scripts. `result WHAT MEASURED REFERENCE RATIO GOAL` appends one row for bench/RESULTS.md to
# the file bench/all names in BENCH_RESULTS; run alone, a bench prints its table only. REFERENCE is what the same run
# measured to compare with ("—" when there is none), RATIO measured / reference.
result() {
    [ -n "${BENCH_RESULTS:-}" ] || return 0
    printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$(basename "$0")" "$1" "$2" "$3" "$4" "$5" >>"$BENCH_RESULTS"
}
ratio() {  # measured reference → "0.42×"
    python3 -c "print(f'{$1 / $2:.2f}×')"
}
# The CPU time (user and system, in clock ticks) that processes PIDS… have used; a process that is gone adds nothing.
cpu_ticks() {
    local total=0 stat
    for pid in "$@"; do read -r -a stat 2>/dev/null <"/proc/$pid/stat" && total=$((total + stat[13] + stat[14])); done
    echo "$total"
}
# Sets `bin` to where the release builds of PRODUCTS are, building them first; under bench/all (BENCH_BIN set), to the
# copies it built once before the first bench, so that an edit or a build while the benches run changes none of
# the binaries measured (and a bench's build failing cannot pass unnoticed).
build_release() {  # what (for the message) products…
    if [ -n "${BENCH_BIN:-}" ]; then
        bin=$BENCH_BIN
        return
    fi
    echo "Building $1 (release)…"
    shift
    for product in "$@"; do swift build -c release --product "$product" >/dev/null; done
    bin="$(swift build -c release --show-bin-path)"
}
