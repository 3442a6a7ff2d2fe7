#!/usr/bin/env python3
"""Reads wrk --latency output on stdin and prints: requests/s, p50 ms, p99 ms (tab-separated)."""
import re
import sys

text = sys.stdin.read()


def millis(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = millis(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = millis(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rate:.0f}\t{p50:.2f}\t{p99:.2f}\t{errors.group(1) if errors else 0}")
