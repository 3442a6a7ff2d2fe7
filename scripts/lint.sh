#!/usr/bin/env bash
# `make lint`: the code is formatted as .swift-format says (swift-format comes with the Swift toolchain). Given a
# build log, also fails on any compiler warning in our own code (a dependency's are theirs).
set -euo pipefail
cd "$(dirname "$0")/.."

swift-format lint --strict --recursive Package.swift Shared Services Tests bench/support
echo "swift-format: clean"

# Foundation's UUID() opens, reads and closes /dev/urandom for each id on Linux: ids are made with UUID.random().
if grep -rnE '\bUUID\(\)' Shared Services --include=*.swift | grep -vE ':[0-9]+: *//'; then
    echo "UUID() above: use UUID.random() (Shared/Contracts/UUID+random.swift)"
    exit 1
fi

if [ $# -gt 0 ]; then
    # A warning in a macro expansion names its file on the next line ("expanded code originates here").
    warnings=$(grep -A1 -E 'warning:' "$1" | grep -E "^(/[^ ]*/)?(Shared|Services|Tests|bench)/[^ ]*\.swift:[0-9]+:[0-9]+: warning:|originates here" \
        | grep -E "/(Shared|Services|Tests|bench)/" | sort -u || true)
    if [ -n "$warnings" ]; then
        echo "Compiler warnings in our code:"
        echo "$warnings"
        exit 1
    fi
    echo "No compiler warnings in our code"
fi
