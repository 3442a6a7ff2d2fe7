#!/usr/bin/env python3
"""Posts index feed events (JSON lines) to Search's internal feed as Booking's outbox does, from CONNECTIONS threads
(default 50, the outbox's batch, which it sends at once) over kept-alive connections; prints events per second.

usage: feed_loader.py EVENTS_FILE PORT SERVICE_TOKEN [CONNECTIONS]
"""
import http.client
import sys
import threading
import time

path, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connections = int(sys.argv[4]) if len(sys.argv) > 4 else 50
lines = open(path).read().splitlines()
# An experience's events stay in order within one thread: its experience_changed before its slot_changed.
pairs = [lines[i:i + 2] for i in range(0, len(lines), 2)]
failures = []


def post(share):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for pair in share:
        for body in pair:
            connection.request("POST", "/internal/v1/feed", body, {"Content-Type": "application/json", "Authorization": "Bearer " + token})
            answer = connection.getresponse()
            answer.read()
            if answer.status != 204 and len(failures) < 3:
                failures.append(answer.status)


start = time.time()
threads = [threading.Thread(target=post, args=(pairs[n::connections],)) for n in range(connections)]
for thread in threads: thread.start()
for thread in threads: thread.join()
elapsed = time.time() - start
print(f"{len(lines) / elapsed:.0f} {elapsed:.0f} {failures}")
