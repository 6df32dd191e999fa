"""Concurrency: several `docket ingest` processes, a `reindex` and searches on one store at once.

Every document is stored exactly once, the ledger stays one unbroken chain, searches never fail
(they see the last committed index), and a writer that must wait says so or gives up clearly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from corpus.collection import Collection
from tests.conftest import ROOT, SEEDS, run_docket
from tests.test_crash import assert_complete, docket_command, fast_tmp, ingest_entries, make_corpus  # noqa: F401

SEARCHER = r'''
import json, sys, time, traceback
from pathlib import Path
from index.errors import IndexMissing
from index.search import search
index_path, stop_file = Path(sys.argv[1]), Path(sys.argv[2])
counts = {"ok": 0, "missing": 0, "errors": [], "largest": 0}
while not stop_file.exists():
    for query in ("fieldreport*", "field report", '"from the field"', "fieldreport7~1"):
        try:
            results = search(index_path, query, limit=5)
            counts["ok"] += 1
            counts["largest"] = max(counts["largest"], results.total)
        except IndexMissing:
            if counts["ok"]:  # once an index has been seen it must never vanish again
                counts["errors"].append("the index vanished after it had been searched")
            counts["missing"] += 1
        except Exception:
            counts["errors"].append(traceback.format_exc())
    time.sleep(0.01)
print(json.dumps(counts))
'''


def start(args: list[str]) -> subprocess.Popen:
    """A background process with captured output."""
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "NO_COLOR": "1"})


def test_parallel_ingests_reindex_and_searches_store_each_document_once(fast_tmp: Path) -> None:  # noqa: F811
    """Three overlapping ingests, a reindex and two search loops on a fresh store: no search fails,
    every document is logged and indexed exactly once, and the ledger is one chain."""
    store = fast_tmp / "store"
    left, right = fast_tmp / "left", fast_tmp / "right"
    make_corpus(left, 70, seed=5)
    make_corpus(right, 70, seed=5)  # the same 70 documents under the same names: all duplicates
    make_corpus(right, 40, seed=6, first=70)
    stop = fast_tmp / "stop"
    index_path = Collection(store).index_path
    searchers = [start([sys.executable, "-c", SEARCHER, str(index_path), str(stop)]) for _ in range(2)]
    ingests = [start(docket_command(store, "ingest", "-q", str(folder))) for folder in (left, right, left)]
    time.sleep(1.0)
    reindex = start(docket_command(store, "reindex"))
    cli_searches = []
    while any(p.poll() is None for p in ingests) or reindex.poll() is None:
        cli_searches.append(run_docket(store, "search", "field", "--json"))
    for proc in ingests + [reindex]:
        out, err = proc.communicate(timeout=120)
        assert 0 == proc.returncode, err.decode()
    stop.touch()
    reports = [json.loads(proc.communicate(timeout=60)[0]) for proc in searchers]
    for report in reports:
        assert [] == report["errors"]
        assert report["ok"] > 0
    assert 110 == json.loads(run_docket(store, "search", "fieldreport*", "--json").stdout)["total"]
    for result in cli_searches:  # exit 0, or the one clear line of a store with no index yet
        assert result.returncode == 0 or result.stderr.decode().startswith("docket: error: no search index"), \
            result.stderr.decode()
    assert_complete(store, 110)
    events = [e.event for e in Collection(store).archive.ledger.entries()]
    assert 1 == events.count("reindex")
    assert 0 == run_docket(store, "verify").returncode


def test_a_writer_that_must_wait_says_so(seeded_store: Path) -> None:
    """While another process holds the write lock, ingest says it is waiting, then finishes."""
    collection = Collection(seeded_store)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with collection.archive.lock():
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    proc = start(docket_command(seeded_store, "ingest", str(SEEDS[0]), "--note", "x"))
    time.sleep(1.5)
    assert proc.poll() is None  # still waiting
    release.set()
    holder.join()
    out, err = proc.communicate(timeout=60)
    assert 0 == proc.returncode
    assert "docket: another docket process is writing to this store; waiting for it…\n" == err.decode()
    assert "0 added, 1 unchanged, 0 failed" in out.decode()


def test_a_writer_gives_up_after_its_lock_timeout_with_one_clear_line(seeded_store: Path) -> None:
    """--lock-timeout: when the lock stays held, exit 1 with one line naming the lock and the remedy."""
    collection = Collection(seeded_store)
    before = (seeded_store / "archive" / "ledger.jsonl").read_bytes()
    with collection.archive.lock():
        result = run_docket(seeded_store, "ingest", str(SEEDS[0]), "--lock-timeout", "0.5")
    lines = result.stderr.decode().splitlines()
    assert 1 == result.returncode
    assert lines[0] == "docket: another docket process is writing to this store; waiting for it…"
    assert lines[1].startswith("docket: error: the store is locked by another docket process (")
    assert lines[1].endswith("try again when it finishes, or raise --lock-timeout")
    assert 2 == len(lines)
    assert before == (seeded_store / "archive" / "ledger.jsonl").read_bytes()


def test_repair_waits_for_a_running_writer_too(seeded_store: Path) -> None:
    """`docket repair` takes the same lock: with --lock-timeout it gives up clearly instead of racing."""
    with Collection(seeded_store).archive.lock():
        result = run_docket(seeded_store, "repair", "--lock-timeout", "0.3")
    assert 1 == result.returncode
    assert "docket: error: the store is locked by another docket process" in result.stderr.decode()
    assert [] == [e for e in Collection(seeded_store).archive.ledger.entries() if e.event == "repair"]
    assert 5 == len(ingest_entries(seeded_store))
