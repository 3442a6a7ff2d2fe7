#!/usr/bin/env python3
"""What a service that stopped answering was doing, in a few lines: each of its threads that was running (R),
waiting on a disk (D) or for a lock, or in the project's own code, with its state, its CPU time and its first
frames; the idle ones (event loops and pools waiting for work) only counted. CI shows the end of a run's output,
where a full `thread apply all bt` of a dozen threads does not fit.

    stuck-threads.py <service> <gdb "thread apply all bt" output> <the threads' /proc stat lines, taken before gdb>
"""
import os
import re
import subprocess
import sys

# The project's modules (Services/*, Shared/*): a frame in one of them is our code at work or waiting.
OURS = re.compile(r"\b(Auth|Booking|Gateway|Messaging|Notify|Payment|Search|ServiceKit|Contracts|Imaging|Redis)\w*\.")
# A thread waiting for a lock (pthread's or Swift's Mutex) is not idle, whoever's code holds it: a deadlock shows there.
LOCKED = re.compile(r"lll_lock_wait|pthread_mutex_lock|pthread_rwlock_\w*lock|futex_lock")
FRAME = re.compile(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(.+?)(?: \(.*)?$")
THREAD = re.compile(r'^Thread \d+ \(Thread 0x[0-9a-f]+ \(LWP (\d+)\) "([^"]*)"')


def demangled(text, *options):
    try:
        return subprocess.run(["swift", "demangle", *options], input=text, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return text


def threads(stacks):
    current = None
    for line in stacks.splitlines():
        if match := THREAD.match(line):
            current = {"lwp": match[1], "name": match[2], "frames": []}
            yield current
        elif current is not None and (match := FRAME.match(line)):
            current["frames"].append(match[1])


def states(path):
    """tid -> (state, CPU seconds) from /proc/<pid>/task/*/stat lines."""
    found = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for line in open(path, errors="replace"):
        tid, rest = line.split(" ", 1)
        fields = rest.rsplit(")", 1)[1].split()
        found[tid] = (fields[0], (int(fields[11]) + int(fields[12])) / ticks)
    return found


def main(service, stacks_path, stat_path):
    known = states(stat_path) if os.path.exists(stat_path) else {}
    stacks = open(stacks_path, errors="replace").read()
    # Whole names tell our frames by their module; the same frames without modules and types are shown.
    every = list(threads(demangled(stacks)))
    short = list(threads(demangled(stacks, "--simplified")))
    shown = []
    for thread, brief in zip(every, short):
        state, cpu = known.get(thread["lwp"], ("?", 0.0))
        ours = [index for index, frame in enumerate(thread["frames"]) if OURS.search(frame)]
        if state in ("R", "D") or ours or any(LOCKED.search(frame) for frame in thread["frames"]):
            # Without frames of ours (a lock in a library), the first six say whose lock it is.
            picked = sorted(set(range(min(3 if ours else 6, len(brief["frames"])))) | set(ours))[:6]
            frames = [brief["frames"][index] for index in picked if index < len(brief["frames"])]
            shown.append(f'  {state} {cpu:7.2f} s "{thread["name"]}": ' + " < ".join(frame[:110] for frame in frames))
    print(f"{service}: {len(every)} threads, {len(every) - len(shown)} of them idle (not running, none of our code)")
    print("\n".join(shown) if shown else "  none running or in our code")


if __name__ == "__main__":
    main(*sys.argv[1:4])
