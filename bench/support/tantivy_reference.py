#!/usr/bin/env python3
"""bench/search's reference: the same documents in tantivy (PyPI `tantivy`), English stemming, and the same text
queries from 16 threads for SECONDS; prints queries/s and p50/p95/p99 in ms, and the indexing time.

usage: tantivy_reference.py DOCUMENTS_FILE SECONDS
"""
import json
import sys
import tempfile
import threading
import time
import urllib.parse

import tantivy

path, seconds = sys.argv[1], float(sys.argv[2])
builder = tantivy.SchemaBuilder()
for field in ["title", "description", "tags", "city"]:
    builder.add_text_field(field, stored=field == "title", tokenizer_name="en_stem")
schema = builder.build()
index = tantivy.Index(schema, path=tempfile.mkdtemp(prefix="mayago-tantivy-"))
start = time.time()
writer = index.writer(heap_size=200_000_000)
for line in open(path):
    document = json.loads(line)
    writer.add_document(tantivy.Document(**{field: [document[field]] for field in ["title", "description", "tags", "city"]}))
writer.commit()
index.reload()
indexed = time.time() - start

texts = ["cenote", "tacos merida", "ruinas amanecer", "snorkling turtles", "mezcal", "jungle hike", "cocina oaxaca", "whale shark", "cenot",
         "tirolesa", "pyramids", '"street food"', "buceo arrecife", "caves", "mayan ruins", "clase de cocina", "kayak", "chocolate", "textile",
         "sailing sunset"]
queries = [index.parse_query(text, ["title", "description", "tags", "city"]) for text in texts]
latencies = []
lock = threading.Lock()
deadline = time.time() + seconds


def run(offset):
    searcher = index.searcher()
    mine = []
    n = offset
    while time.time() < deadline:
        began = time.perf_counter()
        searcher.search(queries[n % len(queries)], 20).hits
        mine.append((time.perf_counter() - began) * 1000)
        n += 1
    with lock:
        latencies.extend(mine)


threads = [threading.Thread(target=run, args=(n,)) for n in range(16)]
for thread in threads: thread.start()
for thread in threads: thread.join()
latencies.sort()
def percentile(p): return latencies[min(len(latencies) - 1, int(len(latencies) * p))]
print(f"{len(latencies) / seconds:.0f} {percentile(0.5):.2f} {percentile(0.95):.2f} {percentile(0.99):.2f} {indexed:.1f}")
