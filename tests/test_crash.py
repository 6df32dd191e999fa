"""Crashes: `docket ingest` killed with SIGKILL anywhere loses nothing acknowledged and lets nothing
half-written in; `docket repair` or the next ingest finishes the interrupted batch.

Two kinds of kill: at random moments of a real multi-batch ingest (the long loop is marked slow:
``python -m pytest -m slow tests/test_crash.py``), and at each write step in turn (before and after
objects, records, the ledger line, ledger.head, the index commit), planted in the subprocess.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.collection import BATCH_SIZE, Collection
from corpus.repair import interrupted
from corpus.verify import verify_store
from index import writer as index_writer
from index.search import search
from tests.conftest import ROOT, SAMPLE, run_docket

WORDS = tuple(w for w in " ".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))).split()
              if w.isalpha())
CRASH_SEED = 20170401


def make_corpus(folder: Path, count: int, seed: int = 1, first: int = 0) -> dict[str, str]:
    """``count`` distinct article-like text files; returns file name -> the title word unique to it."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    titles = {}
    for number in range(first, first + count):
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(50)).capitalize() + "." for _ in range(3)]
        name = f"doc{number:05d}.txt"
        titles[name] = f"fieldreport{number}"
        (folder / name).write_text(f"Report {titles[name]} from the field\n\n" + "\n\n".join(paragraphs) + "\n",
                                   encoding="utf-8")
    return titles


@pytest.fixture()
def fast_tmp(tmp_path: Path) -> Iterator[Path]:
    """A scratch folder in memory when /dev/shm exists: SIGKILL leaves the page cache as it is, so a
    crash looks the same there, and the hundreds of fsyncs of each run cost nothing."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="docket-crash-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path


def docket_command(store: Path, *args: str) -> list[str]:
    """The argv of a real `docket` process."""
    return [sys.executable, "-m", "corpus", "--store", str(store), *args]


def kill_after(store: Path, folder: Path, delay: float) -> int:
    """Start `docket ingest FOLDER`, SIGKILL its whole process group after ``delay`` seconds."""
    proc = subprocess.Popen(docket_command(store, "ingest", "-q", str(folder)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT,
                            env={**os.environ, "NO_COLOR": "1"})
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.returncode


def ingest_entries(store: Path) -> list[str]:
    """The subject of every ingest entry in the ledger, in order."""
    entries = Collection(store).archive.ledger.entries()
    return [e.subject for e in entries if e.event == "ingest" and e.subject]


def assert_crash_left_only_unfinished_work(store: Path) -> None:
    """After a kill: every problem is an interrupted write; nothing unlogged is searchable."""
    collection = Collection(store)
    report = verify_store(collection, fast=True)
    damage = [p for p in report.problems if not p.incomplete]
    assert [] == damage
    logged = ingest_entries(store)
    assert len(logged) == len(set(logged)), "a document was logged twice"
    for doc_id, digests in index_writer.indexed_digests(collection.index_path).items():
        assert doc_id in logged, "the index shows a document the ledger never acknowledged"
        record = collection.record(doc_id)
        assert digests == (record.original.sha256, record.clean.sha256)
        assert collection.clean_text(record)  # its objects are there and intact


def assert_complete(store: Path, expected: int) -> None:
    """The store is whole: verify passes, each document exactly once in the ledger and the index."""
    collection = Collection(store)
    report = verify_store(collection)
    assert [] == list(report.problems)
    logged = ingest_entries(store)
    assert expected == len(logged) == len(set(logged))
    ix = index_writer.open_index(collection.index_path)
    assert expected == ix.doc_count()
    assert set(logged) == set(index_writer.indexed_digests(collection.index_path))
    assert set(logged) == set(collection.archive.document_ids())
    assert not interrupted(collection.archive)


def crash_loop(base: Path, runs: int, count: int, max_delay: float, seed: int) -> dict[str, int]:
    """Kill ingests of ``count`` files at random moments; after each, check, then finish by
    `docket repair` (odd runs) or by re-running the ingest (even runs). Returns figures."""
    rng = random.Random(seed)
    folder = base / "input"
    titles = make_corpus(folder, count, seed=seed)
    figures = Counter()
    for run in range(runs):
        store = base / f"store-{run}"
        delay = rng.uniform(0.05, max_delay)
        code = kill_after(store, folder, delay)
        figures["killed" if code == -signal.SIGKILL else "finished-before-kill"] += 1
        if (store / "archive").exists():
            assert_crash_left_only_unfinished_work(store)
            figures["problems-seen"] += len(verify_store(Collection(store), fast=True).problems)
        if run % 2:
            result = run_docket(store, "repair")
            assert 0 == result.returncode, result.stderr.decode()
            assert [] == list(verify_store(Collection(store), fast=True).problems)
        result = run_docket(store, "ingest", "-q", str(folder))
        assert 0 == result.returncode, result.stderr.decode()
        assert_complete(store, count)
        assert 1 == search(Collection(store).index_path, titles[rng.choice(sorted(titles))]).total
        figures["runs"] += 1
        figures["documents-lost"] += count - len(set(ingest_entries(store)))
        shutil.rmtree(store)
    return dict(figures)


def test_ingest_killed_at_random_moments_loses_nothing_short(fast_tmp: Path) -> None:
    """Five SIGKILLs at seeded random moments of an ingest; each run ends whole, with no duplicates."""
    figures = crash_loop(fast_tmp, runs=5, count=64, max_delay=2.5, seed=CRASH_SEED)
    assert 5 == figures["runs"] and 0 == figures["documents-lost"]


@pytest.mark.slow
def test_ingest_killed_at_random_moments_loses_nothing_long(fast_tmp: Path) -> None:
    """Fifty SIGKILLs at seeded random moments of a three-batch ingest, finished by repair or re-ingest."""
    runs = int(os.environ.get("DOCKET_CRASH_RUNS", "50"))
    started = time.monotonic()
    figures = crash_loop(fast_tmp, runs=runs, count=2 * BATCH_SIZE + 88, max_delay=6.0, seed=CRASH_SEED + 1)
    print(f"\ncrash loop: {figures} in {time.monotonic() - started:.0f} s")
    assert runs == figures["runs"] and 0 == figures["documents-lost"]
    assert figures["killed"] >= runs // 2


# ---- kills planted at each write step ------------------------------------------------------------

KILLER = r'''
import os, signal, sys
point, nth = sys.argv[1], int(sys.argv[2])
calls = {"n": 0}

def trip():
    calls["n"] += 1
    return calls["n"] == nth

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def before(owner, name):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        if trip():
            die()
        return original(*args, **kwargs)
    setattr(owner, name, wrapper)

def after(owner, name):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if trip():
            die()
        return result
    setattr(owner, name, wrapper)

import archive.atomic, archive.ledger, archive.objects, archive.archive, corpus.repair, index.writer
import whoosh.writing
if point == "object":
    after(archive.objects.ObjectStore, "put")
elif point == "record":
    after(archive.archive.Archive, "write_record")
elif point == "sync":
    import corpus.collection
    before(corpus.collection, "sync_paths")
elif point == "ledger-torn":
    real_write = os.write
    def torn(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("ledger.jsonl") and trip():
            real_write(fd, data[: len(data) // 2 + 7])
            die()
        return real_write(fd, data)
    archive.ledger.os.write = torn
elif point == "head":
    before(archive.ledger, "write_atomic")
elif point == "index":
    before(index.writer, "write_documents")
elif point == "index-commit":
    before(whoosh.writing.SegmentWriter, "_commit_toc")
elif point == "after-index":
    before(corpus.repair, "clear_pending")
sys.argv = ["docket", *sys.argv[3:]]
from corpus.cli import main
main()
'''

POINTS = [("object", 1), ("object", 7), ("record", 1), ("record", 5), ("sync", 1), ("ledger-torn", 1),
          ("head", 1), ("index", 1), ("index-commit", 1), ("after-index", 1)]
QUICK = {("object", 1, "repair"), ("record", 5, "reingest"), ("ledger-torn", 1, "repair"), ("head", 1, "reingest"),
         ("index-commit", 1, "repair"), ("after-index", 1, "reingest")}
STEP_CASES = [pytest.param(point, nth, finish, id=f"{point}-{nth}-{finish}",
                           marks=() if (point, nth, finish) in QUICK else pytest.mark.slow)
              for point, nth in POINTS for finish in ("repair", "reingest")]


@pytest.fixture(scope="session")
def five_doc_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store holding five documents (the first, intact batch) and the folder they came from."""
    base = tmp_path_factory.mktemp("five")
    make_corpus(base / "first", 5, seed=99, first=100)
    assert 0 == run_docket(base / "store", "ingest", "-q", str(base / "first")).returncode
    return base / "store", base / "first"


@pytest.mark.parametrize(("point", "nth", "finish"), STEP_CASES)
def test_ingest_killed_at_a_write_step_is_finished(fast_tmp: Path, five_doc_template: tuple[Path, Path],
                                                  point: str, nth: int, finish: str) -> None:
    """A kill planted at one write step of a second ingest: the first batch stays whole, and `docket
    repair` or the re-run ingest finishes the store with every document exactly once."""
    folder = fast_tmp / "input"
    make_corpus(folder, 12, seed=nth)
    store = fast_tmp / "store"
    shutil.copytree(five_doc_template[0], store)
    killed = subprocess.run([sys.executable, "-c", KILLER, point, str(nth), "--store", str(store), "ingest",
                             "-q", "--workers", "1", str(folder)], capture_output=True, cwd=ROOT, check=False)
    assert -signal.SIGKILL == killed.returncode, killed.stderr.decode()
    assert_crash_left_only_unfinished_work(store)
    assert 5 <= len(ingest_entries(store))
    if finish == "repair":
        result = run_docket(store, "repair")
        assert 0 == result.returncode, result.stderr.decode()
        if point != "after-index":  # there, only the marker was left: nothing to log
            assert "nothing to repair" not in result.stdout.decode()
            assert "repair" == Collection(store).archive.ledger.entries()[-1].event
        assert_complete(store, len(ingest_entries(store)))
    result = run_docket(store, "ingest", "-q", str(folder), str(five_doc_template[1]))
    assert 0 == result.returncode, result.stderr.decode()
    assert_complete(store, 17)


def test_repair_on_a_whole_store_changes_nothing(seeded_store: Path) -> None:
    """`docket repair` on an intact store says so and leaves the ledger as it was."""
    ledger = seeded_store / "archive" / "ledger.jsonl"
    before = ledger.read_bytes()
    result = run_docket(seeded_store, "repair")
    assert (0, b"nothing to repair\n") == (result.returncode, result.stdout)
    assert before == ledger.read_bytes()


def test_repair_refuses_a_damaged_ledger(seeded_store: Path) -> None:
    """A ledger edited in the middle is damage, not an interruption: repair changes nothing, exit 1."""
    ledger = seeded_store / "archive" / "ledger.jsonl"
    ledger.chmod(0o644)
    lines = ledger.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b'"ingest"', b'"ingesT"')
    ledger.write_bytes(b"".join(lines))
    orphan = seeded_store / "archive" / "objects" / "sha256" / "00" / ("0" * 62)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"stray")
    result = run_docket(seeded_store, "repair")
    assert 1 == result.returncode
    assert result.stderr.decode().startswith("docket: error: the ledger is damaged, not just interrupted")
    assert orphan.exists()
    assert b"".join(lines) == ledger.read_bytes()


def test_repair_keeps_objects_when_a_record_is_unreadable(seeded_store: Path) -> None:
    """An unreadable record may be the one naming an object: repair removes no object then, and says so."""
    record = next((seeded_store / "archive" / "records").rglob("*.json"))
    record.chmod(0o644)
    record.write_bytes(b"{not json")
    objects = sorted((seeded_store / "archive" / "objects").rglob("*"))
    result = run_docket(seeded_store, "repair")
    assert 1 == result.returncode
    assert f"docket: error: document {record.stem[:12]}: its record cannot be read" in result.stderr.decode()
    assert objects == sorted((seeded_store / "archive" / "objects").rglob("*"))
