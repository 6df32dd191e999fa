"""The benchmark's measurements, each run in a fresh child process that prints one JSON line.

A fresh process per stage keeps one engine's caches and memory out of another's figures, and lets
the ingest's peak RSS be read from /proc (the ingesting process) and getrusage (its worker processes).

Usage (what bench/run.py calls): python -m bench.stages STAGE JSON-ARGS
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.corpus_gen import BenchDocument, documents
from bench.queries import PER_KIND, BenchQuery, build_queries

BASELINE_BATCH = 1000  # documents per commit for the whoosh-alone and FTS5 baselines
SNIPPETS = 3


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM), MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mib() -> float:
    """The largest peak resident set of any finished child process (the ingest's workers), MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def folder_bytes(path: Path) -> int:
    """Bytes of every file under ``path``."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                pass
    return total


# ---- ingest ------------------------------------------------------------------------------------


def ingest_docket(store: str, source: str) -> dict:
    """``Collection.ingest`` end to end on a folder of files."""
    from corpus.collection import Collection

    shutil.rmtree(store, ignore_errors=True)
    collection = Collection(Path(store))
    start = time.perf_counter()
    outcomes = collection.ingest([Path(source)])
    seconds = time.perf_counter() - start
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in ("added", "unchanged", "failed")}
    return {
        "seconds": seconds, "documents": len(outcomes), **counts,
        "rate": len(outcomes) / seconds if seconds else 0.0,
        "rss_mib": peak_rss_mib(), "worker_rss_mib": children_peak_rss_mib(),
        "index_bytes": folder_bytes(Path(store) / "index"), "store_bytes": folder_bytes(Path(store)),
        "archive_bytes": folder_bytes(Path(store) / "archive"),
    }


def _timed_feed(count: int, shared: Path, add: Callable[[BenchDocument], None], commit: Callable[[], None]) -> float:
    """Feed documents to ``add`` (committing every BASELINE_BATCH); returns seconds spent in add/commit."""
    spent = 0.0
    pending = 0
    for doc in documents(count, shared):
        start = time.perf_counter()
        add(doc)
        pending += 1
        if pending == BASELINE_BATCH:
            commit()
            pending = 0
        spent += time.perf_counter() - start
    start = time.perf_counter()
    if pending:
        commit()
    return spent + time.perf_counter() - start


def ingest_whoosh(folder: str, count: int, shared: str) -> dict:
    """Whoosh alone, docket's schema: add_document per article, commit every BASELINE_BATCH."""
    from whoosh import index as whoosh_index

    from index.schema import build_schema

    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    ix = whoosh_index.create_in(folder, build_schema())
    state = {"writer": ix.writer(limitmb=256)}

    def add(doc: BenchDocument) -> None:
        state["writer"].add_document(id=doc.id, title=doc.title, body=doc.body, author=doc.author, site=doc.site,
                                     site_key=doc.site, tag=",".join(doc.tags), published_text=doc.published.isoformat())

    def commit() -> None:
        state["writer"].commit()
        state["writer"] = ix.writer(limitmb=256)

    seconds = _timed_feed(count, Path(shared), add, commit)
    state["writer"].cancel()
    return {"seconds": seconds, "documents": count, "rate": count / seconds, "rss_mib": peak_rss_mib(),
            "index_bytes": folder_bytes(Path(folder))}


FTS5_TABLE = ("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
              "tokenize = 'porter unicode61 remove_diacritics 2')")


def ingest_fts5(database: str, count: int, shared: str) -> dict:
    """SQLite FTS5 (porter unicode61 remove_diacritics): one transaction every BASELINE_BATCH."""
    if os.path.exists(database):
        os.unlink(database)
    connection = sqlite3.connect(database)
    connection.execute(FTS5_TABLE)
    connection.execute("BEGIN")

    def add(doc: BenchDocument) -> None:
        connection.execute("INSERT INTO docs (id, title, body) VALUES (?, ?, ?)", (doc.id, doc.title, doc.body))

    def commit() -> None:
        connection.execute("COMMIT")
        connection.execute("BEGIN")

    seconds = _timed_feed(count, Path(shared), add, commit)
    connection.execute("COMMIT")
    connection.close()
    return {"seconds": seconds, "documents": count, "rate": count / seconds, "rss_mib": peak_rss_mib(),
            "index_bytes": os.path.getsize(database)}


# ---- search ------------------------------------------------------------------------------------


def _time_queries(run: Callable[[BenchQuery], int], queries: list[BenchQuery]) -> dict:
    """One untimed warm-up pass, then one timed pass: latency percentiles (ms) and hit counts."""
    for query in queries:
        run(query)
    timed: list[tuple[str, float]] = []
    hits, empty = 0, 0
    for query in queries:
        start = time.perf_counter()
        found = run(query)
        timed.append((query.kind, (time.perf_counter() - start) * 1000))
        hits += found
        empty += found == 0
    times = sorted(t for _kind, t in timed)
    kinds = sorted({kind for kind, _t in timed})
    return {
        "queries": len(queries), "p50_ms": statistics.median(times), "p95_ms": percentile(times, 95),
        "max_ms": times[-1], "mean_ms": statistics.fmean(times), "hits": hits, "empty": empty,
        "p95_ms_by_kind": {k: percentile(sorted(t for kind, t in timed if kind == k), 95) for k in kinds},
    }


def percentile(ordered: list[float], pct: float) -> float:
    """The nearest-rank percentile of an ascending list."""
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * pct / 100) - 1))]


def search_docket(store: str, shared: str, per_kind: int = PER_KIND) -> dict:
    """``index.search.search`` top-10 with snippets, in one warm process."""
    from index.search import search

    queries = build_queries(Path(shared), per_kind)
    index_path = Path(store) / "index"

    def run(query: BenchQuery) -> int:
        results = search(index_path, query.docket, limit=10)
        assert all(hit.snippets for hit in results.hits)
        return len(results.hits)

    return _time_queries(run, queries)


def search_whoosh(folder: str, shared: str, per_kind: int = PER_KIND) -> dict:
    """Whoosh alone on the same schema and query syntax: one open searcher, search, highlights."""
    from whoosh import highlight, qparser
    from whoosh import index as whoosh_index

    queries = build_queries(Path(shared), per_kind)
    ix = whoosh_index.open_dir(folder)
    parser = qparser.MultifieldParser(["title", "body"], ix.schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(qparser.PrefixPlugin())
    highlighter = highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=220, surround=80, charlimit=None),
        formatter=highlight.UppercaseFormatter())
    searcher = ix.searcher()

    def run(query: BenchQuery) -> int:
        results = searcher.search(parser.parse(query.docket), limit=10, terms=True)
        results.highlighter = highlighter
        count = 0
        for hit in results:
            hit.highlights("body", top=SNIPPETS)
            count += 1
        return count

    try:
        return _time_queries(run, queries)
    finally:
        searcher.close()


def search_fts5(database: str, shared: str, per_kind: int = PER_KIND) -> dict:
    """FTS5: MATCH, bm25 order (title weighted 2), top 10 with snippet()."""
    queries = build_queries(Path(shared), per_kind)
    connection = sqlite3.connect(database)
    sql = ("SELECT id, title, snippet(docs, 2, '[', ']', '…', 32) FROM docs WHERE docs MATCH ? "
           "ORDER BY bm25(docs, 0.0, 2.0, 1.0) LIMIT 10")

    def run(query: BenchQuery) -> int:
        return len(connection.execute(sql, (query.fts5,)).fetchall())

    return _time_queries(run, queries)


def search_cold(store: str, shared: str, repeats: int = 7) -> dict:
    """``docket search`` in a new process each time (the console script beside this Python), with
    Python's bytecode cache as an installed program has it: written by an untimed first run, even
    where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE)."""
    import os
    import subprocess

    queries = build_queries(Path(shared), 2)[:repeats]
    script = Path(sys.executable).with_name("docket")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "corpus"]
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([*command, "--store", store, "search", queries[0].docket, "--limit", "10"],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    times = []
    for query in queries:
        start = time.perf_counter()
        subprocess.run([*command, "--store", store, "search", query.docket, "--limit", "10"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return {"median_s": statistics.median(times), "max_s": max(times), "runs": len(times)}


# ---- fixity ------------------------------------------------------------------------------------


def fixity(store: str, repeats: int = 5) -> dict:
    """``rehash_objects`` over every stored object (default threads), against hashlib reading the same
    files in one thread and hashlib over 256 MiB in memory; page cache warm, median of ``repeats``
    alternating runs (the cores are shared). GB/s is of stored bytes; files/s shows the per-file cost
    that bounds small objects."""
    from archive.archive import Archive
    from archive.fixity import rehash_objects, rehash_workers

    archive = Archive(Path(store) / "archive")
    digests = list(archive.objects.digests())
    paths = archive.objects.path_strings(digests)
    total = sum(os.stat(path).st_size for path in paths)
    for path in paths:  # every measurement reads from the page cache
        with open(path, "rb") as handle:
            handle.read()
    files_times, docket_times, memory_times, bad = [], [], [], 0
    block = os.urandom(1 << 20) * 256
    for _ in range(repeats):
        start = time.perf_counter()
        for path in paths:
            with open(path, "rb") as handle:
                hashlib.file_digest(handle, "sha256")
        files_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = rehash_objects(archive, digests)
        docket_times.append(time.perf_counter() - start)
        bad = max(bad, sum(1 for d, f in found.items() if f != d))
        start = time.perf_counter()
        hashlib.sha256(block).hexdigest()
        memory_times.append(time.perf_counter() - start)
    docket_s, files_s = statistics.median(docket_times), statistics.median(files_times)
    return {
        "objects": len(digests), "bytes": total, "bad": bad, "runs": repeats, "threads": rehash_workers(),
        "docket_gbps": total / docket_s / 1e9, "docket_files_per_s": len(digests) / docket_s,
        "hashlib_files_gbps": total / files_s / 1e9, "hashlib_files_per_s": len(digests) / files_s,
        "hashlib_memory_gbps": len(block) / statistics.median(memory_times) / 1e9,
    }


STAGES: dict[str, Callable[..., dict]] = {
    "ingest_docket": ingest_docket, "ingest_whoosh": ingest_whoosh, "ingest_fts5": ingest_fts5,
    "search_docket": search_docket, "search_whoosh": search_whoosh, "search_fts5": search_fts5,
    "search_cold": search_cold, "fixity": fixity,
}


def main() -> None:
    stage, args = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(STAGES[stage](**args)))


if __name__ == "__main__":
    main()
