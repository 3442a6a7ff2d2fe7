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
