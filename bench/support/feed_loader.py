#!/usr/bin/env python3
"""Posts index feed events (JSON lines) to Search's internal feed as Booking's outbox does, over CONNECTIONS kept-alive
connections at once (default 50, the outbox's batch, which it sends at once); prints events per second, seconds and
the first failures.

One thread drives every connection (epoll), each request built before the clock starts: with http.client in a thread
per connection, the loader itself took 145 µs of CPU an event, a sixth of the two cores Search and PostgreSQL share
with it.

usage: feed_loader.py EVENTS_FILE PORT SERVICE_TOKEN [CONNECTIONS]
"""
import selectors
import socket
import sys
import time

path, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connections = int(sys.argv[4]) if len(sys.argv) > 4 else 50
lines = open(path, "rb").read().splitlines()
head = f"POST /internal/v1/feed HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\n".encode()
requests = [head + b"Content-Length: %d\r\n\r\n" % len(line) + line for line in lines]
# An experience's events stay in order on one connection: its experience_changed before its slot_changed.
pairs = [requests[i:i + 2] for i in range(0, len(requests), 2)]
failures = []


class Connection:
    def __init__(self, share):
        self.queue = [request for pair in share for request in pair]
        self.next = 0
        self.received = b""
        self.socket = socket.create_connection(("127.0.0.1", port))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self):
        """Sends the next request; False when none is left."""
        if self.next == len(self.queue):
            return False
        self.socket.sendall(self.queue[self.next])
        self.next += 1
        return True

    def read(self):
        """Reads what arrived; True once the whole answer to the last request has."""
        data = self.socket.recv(65536)
        if not data:
            raise ConnectionError("Search closed a connection")
        self.received += data
        end = self.received.find(b"\r\n\r\n")
        if end < 0:
            return False
        header = self.received[:end].decode("latin-1")
        length = next((int(line.split(":", 1)[1]) for line in header.split("\r\n")[1:] if line.lower().startswith("content-length:")), 0)
        if len(self.received) < end + 4 + length:
            return False
        status = int(header.split(" ", 2)[1])
        if status != 204 and len(failures) < 3:
            failures.append(status)
        self.received = self.received[end + 4 + length:]
        return True


start = time.time()
selector = selectors.DefaultSelector()
for n in range(connections):
    connection = Connection(pairs[n::connections])
    if connection.send():
        selector.register(connection.socket, selectors.EVENT_READ, connection)
open_connections = len(selector.get_map())
while open_connections:
    for key, _ in selector.select():
        connection = key.data
        if connection.read() and not connection.send():
            selector.unregister(connection.socket)
            connection.socket.close()
            open_connections -= 1
elapsed = time.time() - start
print(f"{len(lines) / elapsed:.0f} {elapsed:.0f} {failures}")
