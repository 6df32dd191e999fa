"""An ingest's indexing processes: they build the index's segments while the ingest stores more batches.

The ingesting process stores a batch (objects, records, ledger) and hands its documents to one of the
indexing processes, round robin. Each keeps one segment open across batches (index/segments.py) and
finishes it at SEGMENT_DOCUMENTS documents or when the ingest ends; the ingesting process commits
finished segments. Queues are bounded, so a fast store never piles up documents in memory.

The indexing processes are forked before the ingest sets its write mark, so they do not inherit the
mark's lock, which must end with the ingesting process. Each also stops by itself when the ingesting
process dies.

A reindex (:func:`rebuild`) feeds every archived document to the same processes and commits their
segments at the end, in place of the old ones.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from index import segments
from index import writer as index_writer
from index.errors import IndexingFailed
from index.values import IndexedDocument

REBUILD_BATCH = 256  # documents a rebuild hands to an indexing process at a time
SEGMENT_DOCUMENTS = 25_000  # an indexing process finishes its segment at this many documents
QUEUED_BATCHES = 2  # batches waiting for each indexing process before the ingest waits for it
POLL_SECONDS = 1.0
#: gc thresholds in the worker processes (generation 0 after this many new objects, then 1 and 2): indexing
#: the 300 real pages three times in one segment took 12.1 ms a page with Python's (700, 10, 10), 10.1 ms
#: with these (10.4 with no collector at all), and cleaning was no slower.
COLLECTOR_THRESHOLD = (50_000, 20, 100)


def _exit_with(parent: int) -> None:
    """Watch the ingesting process; end this one when it is gone (nobody would take its results, and a
    message its death cut short in a pipe would block this process for ever)."""
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def start_worker() -> None:
    """Start a cleaning process (a pool initializer): it ends by itself when the process that started
    it dies, and collects garbage in batches."""
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    batch_collector()


def batch_collector() -> None:
    """Set a worker process's garbage collector for batch work: what it inherited is frozen (never
    scanned again, so those pages stay shared with the parent), and a collection comes after
    COLLECTOR_THRESHOLD new objects rather than Python's 700. An indexing process keeps its segment's
    postings in memory, and the default collector walked that growing heap ever more often."""
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLD)


def _indexer_main(path: Path, jobs: multiprocessing.Queue, results: multiprocessing.Queue, parent: int) -> None:
    """An indexing process: add each batch of documents to the open segment; finish it when full or at
    the end (a None job); report segments, the end, or the failure on ``results``."""
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()  # the parent's pid, known before fork
    batch_collector()
    build = None
    try:
        while True:
            job = jobs.get()
            if job is None:
                if build is not None and build.documents:
                    results.put(("segment", build.finish()))
                    build = None
                results.put(("done", os.getpid()))
                return
            if build is None:
                build = segments.SegmentBuild(path)
            build.add(job)
            if build.documents >= SEGMENT_DOCUMENTS:
                results.put(("segment", build.finish()))
                build = None
    except BaseException as exc:  # noqa: BLE001 - reported to the ingest, which fails with it
        results.put(("failed", f"{type(exc).__name__}: {exc}"))
    if build is not None:
        build.cancel()


class Indexers:
    """The indexing processes of one ingest into the index at ``path``."""

    def __init__(self, path: Path, processes: int) -> None:
        context = multiprocessing.get_context("fork")
        self.path = path
        self.results = context.Queue()
        self.jobs = [context.Queue(QUEUED_BATCHES) for _ in range(processes)]
        self.processes = [context.Process(target=_indexer_main, args=(path, jobs, self.results, os.getpid()),
                                          daemon=True) for jobs in self.jobs]
        for process in self.processes:
            process.start()
        self._next = 0
        self._finished = 0
        self.pending_documents = 0  # handed over, not yet in a committed segment

    @property
    def idle(self) -> bool:
        """True when every document handed over is in a committed segment."""
        return self.pending_documents == 0

    def submit(self, docs: list[IndexedDocument]) -> None:
        """Share a batch among the indexing processes (waiting while a queue is full)."""
        share = -(-len(docs) // len(self.jobs))
        for start in range(0, len(docs), share):
            jobs = self.jobs[self._next]
            self._next = (self._next + 1) % len(self.jobs)
            while True:
                try:
                    jobs.put(docs[start:start + share], timeout=POLL_SECONDS)
                    break
                except queue.Full:
                    self._check_alive()
        self.pending_documents += len(docs)

    def commit_finished(self) -> None:
        """Commit the segments finished so far (the caller holds the store's write lock)."""
        built = self._drain(block=False)
        if built:
            segments.commit_segments(self.path, built)
            self.pending_documents -= sum(item.documents for item in built)

    def finish(self) -> list[segments.BuiltSegment]:
        """Tell every indexing process to finish, and wait for their last segments (to commit)."""
        for jobs in self.jobs:
            jobs.put(None)
        built = []
        while self._finished < len(self.processes):
            built += self._drain(block=True)
        return built

    def committed(self, built: list[segments.BuiltSegment]) -> None:
        """Count segments the caller committed itself."""
        self.pending_documents -= sum(item.documents for item in built)

    def _drain(self, *, block: bool) -> list[segments.BuiltSegment]:
        """Finished segments from the results queue (waiting for at least one message when ``block``)."""
        built = []
        while True:
            try:
                kind, value = self.results.get(timeout=POLL_SECONDS) if block else self.results.get_nowait()
            except queue.Empty:
                if not block:
                    return built
                self._check_alive()
                continue
            if kind == "failed":
                raise IndexingFailed(str(self.path), value)
            if kind == "segment":
                built.append(value)
            else:
                self._finished += 1
            block = False

    def _check_alive(self) -> None:
        """Raise when an indexing process died without saying why."""
        for process in self.processes:
            if process.exitcode not in (None, 0):
                raise IndexingFailed(str(self.path), f"an indexing process stopped with exit code {process.exitcode}")

    def close(self) -> None:
        """Stop the indexing processes and remove their staging folders."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)
        segments.remove_staging(self.path, [process.pid for process in self.processes if process.pid])


def rebuild(path: Path, docs: Iterable[IndexedDocument], processes: int) -> int:
    """Rebuild the index at ``path`` from ``docs`` in ``processes`` indexing processes; returns the
    document count (what :func:`index.writer.rebuild` does in one process, several times faster).

    An index of the current schema gets the new segments in one commit that drops every old one, so a
    search running meanwhile sees the old documents or the new ones, never no index. An index of
    another schema is built beside the old one and swapped in.
    """
    same = index_writer.exists(path) and index_writer.schema_version(path) == index_writer.SCHEMA_VERSION
    target = path if same else path.with_name(path.name + ".rebuild")
    if not same:
        shutil.rmtree(target, ignore_errors=True)
    index_writer.open_index(target, create=True)
    indexers = Indexers(target, processes)
    count = 0
    try:
        batch: list[IndexedDocument] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= REBUILD_BATCH:
                indexers.submit(batch)
                count, batch = count + len(batch), []
        if batch:
            indexers.submit(batch)
            count += len(batch)
        segments.commit_segments(target, indexers.finish(), replace=True)
    except BaseException:
        if not same:
            shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        indexers.close()
    if not same:
        index_writer.swap_in(target, path)
    return count
