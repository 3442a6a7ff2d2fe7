#!/usr/bin/env python3
"""bench/search's reference, and its check of Search's answers: tantivy (PyPI `tantivy`) over the same documents,
asked the same questions, counting the same facets.

The documents are read from Search's own tables: each bookable experience's tsvector lexemes with their positions,
pre-tokenized into one field per weight (A title, B tags, category and city, C description, D), and the facts that
the facets and the order read, as fast fields. Each text is made into the query Search makes of it (words folded, the
last one a prefix, their English and Spanish stems and the lexicon's corrections, from the same PostgreSQL): every
word a MUST clause scored as the best of its terms where they are strongest (a constant score: the field's weight
times the term's), so that tantivy's own index computes Search's relevance. Search's order after relevance
(rating, bookings, then id) is applied to tantivy's hits here.

Timed: 16 threads for SECONDS, each query its top 20 and one aggregation for the facets (categories and languages
counted, durations in ranges, prices counted per amount, from which the five ranges are read).
Checked: for each text, Search's top 10, total and facets against tantivy's; each difference is told on stderr.

Prints: queries/s, p50, p95, p99 (ms), indexing seconds, and texts with the same top 10, total and facets, of how many.

usage: tantivy_reference.py DATABASE_URL SEARCH_URL SECONDS
"""
import json
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import urllib.request

import tantivy

database, search_url, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
# The texts of bench/support/search_queries.lua's `texts`.
texts = ["cenote", "tacos merida", "ruinas amanecer", "snorkling turtles", "mezcal", "jungle hike", "cocina oaxaca", "whale shark", "cenot",
         "tirolesa", "pyramids", '"street food"', "buceo arrecife", "caves", "mayan ruins", "clase de cocina", "kayak", "chocolate", "textile",
         "sailing sunset"]
# Where a lexeme stands counts as in Search's TextIndex.weights: A, B, C, D.
field_weights = {"a": 1.0, "b": 0.4, "c": 0.2, "d": 0.1}
duration_bounds = [0, 60, 120, 240, 480]


def sql(statement):
    """The rows of `statement`, each a JSON value."""
    out = subprocess.run(["psql", database, "-tAq", "-c", f"SET search_path TO search, public; {statement}"],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


builder = tantivy.SchemaBuilder()
for field in field_weights:
    builder.add_text_field(field, tokenizer_name="raw")
builder.add_text_field("id", stored=True, tokenizer_name="raw")
builder.add_text_field("category", fast=True, tokenizer_name="raw")
builder.add_text_field("language", fast=True, tokenizer_name="raw")
builder.add_float_field("rating", fast=True)
for field in ["bookings", "duration", "price"]:
    builder.add_unsigned_field(field, fast=True)
schema = builder.build()
index = tantivy.Index(schema, path=tempfile.mkdtemp(prefix="mayago-tantivy-"))

started = time.time()
writer = index.writer(heap_size=200_000_000)
documents = sql("""
    SELECT json_build_object('id', d.id, 'category', d.category, 'languages', d.languages, 'rating', d.rating_average,
        'bookings', d.bookings, 'duration', d.duration_minutes, 'price', d.price_amount,
        'words', (SELECT json_agg(json_build_array(w.lexeme, w.positions, w.weights)) FROM unnest(d.words) w))
    FROM documents d
    WHERE d.status = 'published' AND d.max_guests >= 1
      AND EXISTS (SELECT 1 FROM slots s WHERE s.experience_id = d.id AND s.status = 'open' AND s.remaining > 0 AND s.starts_at > now())
""")
for document in documents:
    tokens = {field: [] for field in field_weights}
    for lexeme, positions, weights in document["words"] or []:
        for position, weight in zip(positions or [0], weights or ["D"]):
            tokens[weight.lower()].append((position, lexeme))
    entry = tantivy.Document(id=[document["id"]], category=[document["category"]], language=document["languages"])
    entry.add_float("rating", float(document["rating"]))
    for field in ["bookings", "duration", "price"]:
        entry.add_unsigned(field, document[field])
    for field, found in tokens.items():
        if found:
            entry.add_pre_tokenized_text(field, tantivy.PreTokenizedString("", [tantivy.Token(lexeme, position, 0, 0) for position, lexeme in sorted(found)]))
    writer.add_document(entry)
writer.commit()
writer.wait_merging_threads()
index.reload()
indexed = time.time() - started


def folded_tokens(text):
    """QueryText.tokens: letters and digits, without accents, lower case."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    return "".join(c if c.isalnum() else " " for c in bare).split()


def typo_distance(a, b):
    """Typos.distance: insertions, deletions, substitutions and swaps of neighbours."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][len(b)]


def allowed_typos(word):
    return 2 if len(word) >= 7 else 1 if len(word) >= 4 else 0


def literal(words):
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]::text[]"


def groups_of(text):
    """Search's TextQuery for `text`: per word, (lexemes, is prefix, is phrase, weight) terms; then each phrase."""
    parts = text.split('"')
    words = [w for i, part in enumerate(parts) if i % 2 == 0 for w in folded_tokens(part)]
    phrases = [folded_tokens(part) for i, part in enumerate(parts) if i % 2 == 1 and folded_tokens(part)]
    typing = bool(text) and not (text[-1].isspace() or text[-1] == '"')
    last = len(words) - 1
    looked = [i for i, w in enumerate(words) if allowed_typos(w) > 0]
    corrections = {i: [] for i in range(len(words))}
    if looked:
        for ordinal, candidates in sql(f"""
            SELECT json_build_array(t.i, array(SELECT word FROM lexicon WHERE word % t.w ORDER BY similarity(word, t.w) DESC LIMIT 20))
            FROM unnest({literal([words[i] for i in looked])}, ARRAY[{",".join("true" if typing and i == last else "false" for i in looked)}]::bool[])
                WITH ORDINALITY AS t(w, typing, i)
            WHERE NOT EXISTS (SELECT 1 FROM lexicon WHERE word = t.w)
              AND NOT (t.typing AND EXISTS (SELECT 1 FROM lexicon WHERE word ~>=~ t.w AND word ~<~ (t.w || chr(1114111))))
        """):
            word = words[looked[ordinal - 1]]
            corrections[looked[ordinal - 1]] = [c for c in candidates if c != word and typo_distance(c, word) <= allowed_typos(word)][:3]
    alternatives = {w for i in corrections for w in [words[i]] + corrections[i]}
    stems = {w: (english, spanish) for w, english, spanish in sql(f"""
        SELECT json_build_array(w, tsvector_to_array(to_tsvector('english', w)), tsvector_to_array(to_tsvector('spanish', w)))
        FROM unnest({literal(sorted(alternatives))}) w
    """)} if alternatives else {}
    groups = []
    for i, word in enumerate(words):
        group = []
        for alternative, weight in [(word, 1.0)] + [(c, 0.5) for c in corrections[i]]:
            group.append(([alternative], typing and i == last, False, weight))
            for lexemes in stems.get(alternative, ([], [])):
                if lexemes and lexemes != [alternative]:
                    group.append((lexemes, False, False, weight))
        groups.append(group)
    return groups + [[(phrase, False, True, 1.0)] for phrase in phrases]


def query_of(groups):
    """Each group a MUST clause scoring the best of its terms where they stand strongest; only bookable documents."""
    def term(field, lexemes, prefix, phrase):
        if phrase:
            return tantivy.Query.phrase_query(schema, field, lexemes)
        if prefix:
            return tantivy.Query.fuzzy_term_query(schema, field, lexemes[0], distance=0, prefix=True)
        if len(lexemes) == 1:
            return tantivy.Query.term_query(schema, field, lexemes[0])
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.term_query(schema, field, lexeme)) for lexeme in lexemes])
    clauses = [(tantivy.Occur.Must, tantivy.Query.disjunction_max_query([
        tantivy.Query.const_score_query(term(field, lexemes, prefix, phrase), field_weight * weight)
        for lexemes, prefix, phrase, weight in group for field, field_weight in field_weights.items()])) for group in groups]
    return tantivy.Query.boolean_query(clauses)


facets_asked = {
    "category": {"terms": {"field": "category", "size": 1000}},
    "language": {"terms": {"field": "language", "size": 1000}},
    "duration": {"range": {"field": "duration", "ranges": [
        {"from": low, "to": high} if high else {"from": low} for low, high in zip(duration_bounds, duration_bounds[1:] + [None])]}},
    "price": {"terms": {"field": "price", "size": 1_000_000}},
}


def facets_of(aggregated):
    """The facets as Search answers them: category and language counts, duration ranges, five equal price ranges."""
    def counts(name): return {bucket["key"]: bucket["doc_count"] for bucket in aggregated[name]["buckets"]}
    prices = {int(key): count for key, count in counts("price").items()}
    ranges = []
    if prices:
        low, high = min(prices), max(prices)
        buckets = [0] * 5
        for price, count in prices.items():
            buckets[min(5 * (price - low) // (high + 1 - low), 4)] += count
        def step(n): return low + (high - low) * n // 5
        ranges = [(step(n), high if n == 4 else step(n + 1), buckets[n]) for n in range(5)]
    return {"category": counts("category"), "language": counts("language"),
            "duration": [bucket["doc_count"] for bucket in aggregated["duration"]["buckets"]], "price": ranges}


searcher = index.searcher()
queries = [query_of(groups_of(text)) for text in texts]


def tantivy_answer(query):
    """The top 10 in Search's order, the total and the facets."""
    result = searcher.search(query, limit=max(searcher.num_docs, 1))
    hits = result.hits
    ratings = searcher.fast_field_values("rating", [address for _, address in hits])
    bookings = searcher.fast_field_values("bookings", [address for _, address in hits])
    keyed = sorted((((-round(score, 5), -rating, -booked), address) for (score, address), rating, booked in zip(hits, ratings, bookings)),
                   key=lambda entry: entry[0])
    if len(keyed) > 10:
        keyed = [entry for entry in keyed if entry[0] <= keyed[9][0]]
    top = sorted((key, searcher.doc(address)["id"][0]) for key, address in keyed)[:10]
    return [identifier for _, identifier in top], result.count, facets_of(searcher.aggregate(query, facets_asked))


def search_answer(text):
    with urllib.request.urlopen(f"{search_url}/api/v1/search?" + urllib.parse.urlencode({"q": text, "limit": 10})) as response:
        body = json.load(response)
    facets = body["facets"]
    prices = [(bucket["from"], bucket["to"], bucket["count"]) for bucket in facets["priceRange"]]
    return [item["id"].lower() for item in body["items"]], body["total"], {
        "category": facets["category"], "language": facets["language"],
        "duration": [bucket["count"] for bucket in facets["duration"]], "price": prices}


same_top, same_total, same_facets = 0, 0, 0
for text, query in zip(texts, queries):
    (ours, total, facets), (theirs, their_total, their_facets) = search_answer(text), tantivy_answer(query)
    same_top += ours == theirs
    same_total += total == their_total
    same_facets += facets == their_facets
    if ours != theirs:
        print(f"{text!r}: top 10 differ at {next(i for i, (a, b) in enumerate(zip(ours + [None] * 10, theirs + [None] * 10)) if a != b) + 1}",
              file=sys.stderr)
    if total != their_total:
        print(f"{text!r}: Search found {total}, tantivy {their_total}", file=sys.stderr)
    if facets != their_facets:
        print(f"{text!r}: facets differ: Search {facets}, tantivy {their_facets}", file=sys.stderr)

latencies = []
lock = threading.Lock()
deadline = time.time() + seconds


def run(offset):
    searcher = index.searcher()
    mine = []
    n = offset
    while time.time() < deadline:
        began = time.perf_counter()
        query = queries[n % len(queries)]
        searcher.search(query, 20)
        searcher.aggregate(query, facets_asked)
        mine.append((time.perf_counter() - began) * 1000)
        n += 1
    with lock:
        latencies.extend(mine)


threads = [threading.Thread(target=run, args=(n,)) for n in range(16)]
for thread in threads: thread.start()
for thread in threads: thread.join()
latencies.sort()
def percentile(p): return latencies[min(len(latencies) - 1, int(len(latencies) * p))]
print(f"{len(latencies) / seconds:.0f} {percentile(0.5):.2f} {percentile(0.95):.2f} {percentile(0.99):.2f} {indexed:.1f} "
      f"{same_top} {same_total} {same_facets} {len(texts)}")
