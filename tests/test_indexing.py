"""Indexing in parallel: the indexing processes, their segments, the write marks that guard them, and
the one-pass analysis that must index exactly what the analyzer chain would."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import fields

from archive.errors import StoreLocked
from archive.pending import WriteMark, abandoned_marks, live_marks
from corpus.collection import Collection
from index import writer as index_writer
from index.analysis import text_analyzer
from index.schema import build_schema
from tests.conftest import ROOT, run_docket
from tests.test_crash import assert_complete, docket_command, fast_tmp, ingest_entries, make_corpus  # noqa: F401

HOLD_MARK = r'''
import sys, time
from pathlib import Path
from archive.pending import WriteMark
mark = WriteMark(Path(sys.argv[1]))
mark.set()
print("set", flush=True)
time.sleep(60)
'''


def hold_mark(root: Path) -> subprocess.Popen:
    """A process that sets a write mark under ``root`` and keeps it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_MARK, str(root)], stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"set"
    return proc


def test_a_live_writers_mark_is_live_and_a_dead_writers_is_abandoned(tmp_path: Path) -> None:
    """The kernel's lock tells a writer at work from one that died mid-write."""
    holder = hold_mark(tmp_path)
    try:
        assert 1 == len(live_marks(tmp_path))
        assert [] == abandoned_marks(tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert [] == live_marks(tmp_path)
    assert 1 == len(abandoned_marks(tmp_path))


def test_a_cleared_mark_leaves_nothing_and_ones_own_mark_is_not_anothers(tmp_path: Path) -> None:
    """A process sees its own mark as its own, and clearing removes the file."""
    mark = WriteMark(tmp_path)
    mark.set()
    assert [] == live_marks(tmp_path, mark)
    assert [] == abandoned_marks(tmp_path)
    mark.clear()
    assert [] == list(tmp_path.iterdir())


def test_reindex_waits_for_another_ingest_still_indexing(tmp_path: Path) -> None:
    """Rebuilding under a live ingest would index its documents twice: reindex waits, then gives up."""
    collection = Collection(tmp_path / "store")
    collection.archive.root.mkdir(parents=True)
    holder = hold_mark(collection.archive.root)
    try:
        with pytest.raises(StoreLocked):
            collection.reindex(timeout=0.5)
    finally:
        holder.kill()
        holder.wait()


def test_a_parallel_ingest_writes_few_segments_and_leaves_nothing_behind(fast_tmp: Path) -> None:  # noqa: F811
    """300 documents through two indexing processes: every one indexed once, one segment per process,
    no staging folder and no write mark left."""
    make_corpus(fast_tmp / "in", 300, seed=3)
    store = fast_tmp / "store"
    result = run_docket(store, "ingest", "-q", "--workers", "2", str(fast_tmp / "in"))
    assert 0 == result.returncode, result.stderr.decode()
    assert_complete(store, 300)
    index_path = Collection(store).index_path
    assert len(index_writer.open_index(index_path)._segments()) <= 2
    assert [] == list((index_path / ".staging").glob("*"))
    assert [] == list((store / "archive").glob("write.pending*"))


def test_reindex_builds_segments_in_processes_and_upgrades_an_old_schema(fast_tmp: Path) -> None:  # noqa: F811
    """A rebuild of 300 documents through the indexing processes: the same hits as before, few
    segments, nothing left behind; an index of an older schema is rebuilt beside it and swapped in."""
    make_corpus(fast_tmp / "in", 300, seed=5)
    store = fast_tmp / "store"
    assert 0 == run_docket(store, "ingest", "-q", "--workers", "2", str(fast_tmp / "in")).returncode
    index_path = Collection(store).index_path

    def hits() -> tuple[int, list[tuple[str, float]]]:  # documents of equal score may swap places
        found = json.loads(run_docket(store, "search", "--json", "--no-group", "--limit", "200", "about").stdout)
        return found["total"], sorted((hit["id"], round(hit["score"], 6)) for hit in found["hits"])

    before = hits()
    for version in (index_writer.SCHEMA_VERSION, "2"):
        (index_path / "SCHEMA_VERSION").write_text(version + "\n")
        result = run_docket(store, "reindex")
        assert 0 == result.returncode, result.stderr.decode()
        assert b"reindexed 300 documents" in result.stdout
        assert index_writer.SCHEMA_VERSION == index_writer.schema_version(index_path)
        assert_complete(store, 300)
        assert len(index_writer.open_index(index_path)._segments()) <= (os.cpu_count() or 1)
        assert before == hits()
        assert [] == list((index_path / ".staging").glob("*"))
        assert ["index"] == sorted(p.name for p in store.iterdir() if p.name.startswith("index"))


def _children(pid: int) -> set[int]:
    """The ids of a process's direct children."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.update(int(child) for child in children)
    return found


def _running(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        return (Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]) != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_killing_the_ingesting_process_alone_stops_its_indexers_and_a_rerun_completes(fast_tmp: Path) -> None:  # noqa: F811
    """SIGKILL to the ingest only (its workers and indexing processes live on): they stop by themselves,
    and the re-run ingest finishes the store, each document logged and indexed exactly once."""
    folder = fast_tmp / "in"
    make_corpus(folder, 700, seed=4)
    store = fast_tmp / "store"
    proc = subprocess.Popen(docket_command(store, "ingest", "-q", str(folder)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(ingest_entries(store)) < 256 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    children = _children(proc.pid) if proc.poll() is None else set()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while any(_running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(child) for child in children)
    rerun = run_docket(store, "ingest", "-q", str(folder))
    assert 0 == rerun.returncode, rerun.stderr.decode()
    assert_complete(store, 700)


WORDS = st.text(alphabet="abcXYZéİıßёжЖ0’'-‐ .,\n", max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WORDS)
def test_the_one_pass_index_analysis_makes_exactly_the_analyzer_chains_postings(text: str) -> None:
    """Terms, frequencies, weights and encoded positions/characters equal whoosh's own path."""
    schema = build_schema()
    for name, chars, boost in (("title", False, 2.0), ("body", True, 1.0)):
        chain = fields.TEXT(analyzer=text_analyzer(), stored=True, chars=chars, field_boost=boost)
        assert sorted(schema[name].index(text)) == sorted(chain.index(text))


def test_many_small_parallel_ingests_do_not_leave_many_small_segments(fast_tmp: Path) -> None:  # noqa: F811
    """Each parallel ingest adds a segment per indexing process; once there are many, small ones merge."""
    store = fast_tmp / "store"
    for round_number in range(6):
        folder = fast_tmp / f"in{round_number}"
        make_corpus(folder, 40, seed=20 + round_number, first=40 * round_number)
        result = run_docket(store, "ingest", "-q", "--workers", "2", str(folder))
        assert 0 == result.returncode, result.stderr.decode()
    assert_complete(store, 240)
    assert len(index_writer.open_index(Collection(store).index_path)._segments()) <= index_writer.MANY_SEGMENTS + 2


WORKER_COLLECTOR = r'''
import gc, json
from corpus.indexing import batch_collector
kept = [object() for _ in range(10)]
before = gc.get_freeze_count()
batch_collector()
print(json.dumps({"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count() - before}))
'''


def test_worker_processes_collect_garbage_in_batches_and_freeze_what_they_inherit() -> None:
    """A worker's gc runs after COLLECTOR_THRESHOLD new objects and leaves the objects it started with alone."""
    from corpus.indexing import COLLECTOR_THRESHOLD

    done = subprocess.run([sys.executable, "-c", WORKER_COLLECTOR], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    report = json.loads(done.stdout)
    assert list(COLLECTOR_THRESHOLD) == report["threshold"]
    assert report["frozen"] >= 10
    assert COLLECTOR_THRESHOLD[0] > gc.get_threshold()[0]  # this process (the parent) keeps its own
