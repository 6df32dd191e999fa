"""The collection a user works with: the archive (the truth) and the index (a cache) in one store."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from archive.archive import Archive
from archive.atomic import sync_paths
from archive.codec import record_to_dict
from archive.errors import ArchiveError, StoreLocked
from archive.pending import WriteMark, live_marks
from archive.records import (
    CleanFacts,
    DocumentMetadata,
    IngestFacts,
    OriginalFacts,
    ProvenanceRecord,
    Removal,
)
from corpus.errors import InputError, InputTooLarge, UnreadableInput, display_path
from corpus.facts import CaptureFacts, current_user, utc_now
from corpus.readers import MediaType, discover, sniff_media_type
from corpus.version import DOCKET_VERSION
from index import writer as index_writer
from index.values import IndexedDocument

if TYPE_CHECKING:  # the cleaning and indexing stacks are imported only when something is ingested (fast `docket search`)
    from corpus.indexing import Indexers
    from corpus.prepare import Prepared

DEFAULT_MAX_SIZE = 50 * 1024 * 1024
BATCH_SIZE = 256
FIRST_BATCH_SIZE = 32  # batches grow from this to BATCH_SIZE, so even a small ingest overlaps its steps
PARALLEL_THRESHOLD = 32


@attrs.frozen
class IngestOutcome:
    """What happened to one input file."""

    path: str
    status: str  # "added", "unchanged", "failed"
    doc_id: str | None = None
    title: str | None = None
    message: str | None = None


@attrs.frozen
class IngestOptions:
    """How an ingest runs: capture facts, size limit, parallel workers, lock timeout."""

    facts: CaptureFacts = CaptureFacts()
    max_size: int = DEFAULT_MAX_SIZE
    workers: int = 0  # 0: one per core
    lock_timeout: float = 600.0


def _prepare_job(job: tuple[bytes, str, MediaType, str | None]) -> Prepared | InputError:
    """Worker-process entry: prepare one document, returning (not raising) its input error."""
    from corpus.prepare import prepare

    raw, label, media_type, url = job
    try:
        return prepare(raw, label, media_type, url)
    except InputError as exc:
        return exc
    except RecursionError:
        return InputError(label, "the page is nested too deeply to parse")


def indexed_document(record: ProvenanceRecord, clean_text: str) -> IndexedDocument:
    """The index entry of an archived document: derived from its record and clean text only."""
    meta = record.metadata
    return IndexedDocument(
        id=record.id, title=meta.title or record.original.filename or record.id[:12], body=clean_text,
        raw_sha256=record.original.sha256, clean_sha256=record.clean.sha256, author=meta.author,
        site=meta.site, tags=meta.tags, published=meta.published, retrieved=record.original.retrieved_at,
        source=record.original.source_url,
    )


def _process_pool(workers: int):  # noqa: ANN202 - concurrent.futures imported lazily
    """The pool of cleaning processes (each ends by itself if this process is killed)."""
    from concurrent.futures import ProcessPoolExecutor

    from corpus.indexing import start_worker

    return ProcessPoolExecutor(max_workers=workers, initializer=start_worker)


def build_record(prepared: Prepared, filename: str | None, facts: CaptureFacts, at: str) -> ProvenanceRecord:
    """The provenance record of a prepared document ingested now by this user."""
    from corpus.clean import CLEANER_NAME, CLEANER_VERSION, cleaner_settings

    meta = prepared.result.metadata
    return ProvenanceRecord(
        original=OriginalFacts(
            sha256=prepared.raw_sha256, size=len(prepared.raw), media_type=prepared.media_type.value,
            filename=filename, encoding=prepared.encoding,
            source_url=facts.source_url or meta.url, retrieved_at=facts.retrieved_at,
        ),
        clean=CleanFacts(
            sha256=prepared.clean_sha256, size=len(prepared.clean_bytes), cleaner=CLEANER_NAME,
            cleaner_version=CLEANER_VERSION, settings=cleaner_settings(prepared.media_type),
        ),
        metadata=DocumentMetadata(
            title=meta.title, author=meta.author, published=meta.published,
            published_precision=meta.published_precision, site=meta.site, tags=tuple(meta.tags),
            language=meta.language, canonical_url=meta.url,
        ),
        ingest=IngestFacts(by=current_user(), at=at, docket_version=DOCKET_VERSION, note=facts.note),
        removed=tuple(Removal(rule=block.rule or "", text=block.text) for block in prepared.result.removed),
    )


class Collection:
    """One store folder: ``archive/`` holds the evidence, ``index/`` the rebuildable search index."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.archive = Archive(root / "archive")
        self.index_path = root / "index"
        self._versions: tuple[object, dict[str, str]] | None = None  # (ledger head, url -> latest id)
        self._ingested: tuple[object, frozenset[str]] | None = None  # (ledger head, ingested ids)
        self.mark = WriteMark(self.archive.root)  # set while this process has unfinished writes

    # ---- ingest -------------------------------------------------------------------------------

    def ingest(
        self, paths: list[Path], options: IngestOptions = IngestOptions(),
        report: Callable[[IngestOutcome], None] = lambda outcome: None,
        on_wait: Callable[[], None] | None = None,
    ) -> list[IngestOutcome]:
        """Ingest files and folders in batches; each batch is durable before the next starts.

        The workers clean the next batch while this process stores and indexes the one before it.
        """
        from corpus.indexing import Indexers

        outcomes: list[IngestOutcome] = []
        batch: list[tuple[Path, bytes | InputError]] = []
        workers = options.workers or (os.cpu_count() or 1)
        pool = None
        indexing: Indexers | None = None  # the indexing processes, started with the pool
        cleaning = None  # (batch, its prepared results to come) being cleaned by the workers
        batches = 0

        def finish(started) -> None:  # noqa: ANN001
            outcomes.extend(self._finish_batch(*started, options, report, on_wait, indexing))

        try:
            for path, _named in discover(paths):
                batch.append((path, read_limited(path, options.max_size)))
                if len(batch) >= min(BATCH_SIZE, FIRST_BATCH_SIZE << batches):
                    batches += 1
                    if pool is None and workers > 1:
                        pool = _process_pool(workers)
                        indexing = Indexers(self.index_path, workers)
                    started = (batch, self._start_batch(batch, options, pool))
                    if cleaning is not None:
                        finish(cleaning)
                    cleaning, batch = started, []
            if batch:
                if pool is None and workers > 1 and len(batch) >= PARALLEL_THRESHOLD:
                    pool = _process_pool(workers)
                    indexing = Indexers(self.index_path, workers)
                started = (batch, self._start_batch(batch, options, pool))
                if cleaning is not None:
                    finish(cleaning)
                cleaning = started
            if cleaning is not None:
                finish(cleaning)
            if indexing is not None:
                self._settle_index(indexing, options, on_wait)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
            if indexing is not None:
                indexing.close()
        return outcomes

    @staticmethod
    def _start_batch(batch, options, pool) -> Iterator:  # noqa: ANN001
        """Hand a batch's documents to the workers (when a pool is given); their results come in order."""
        jobs = []
        for path, data in batch:
            if isinstance(data, InputError):
                continue
            media_type = sniff_media_type(path, data[:4096])
            jobs.append((data, str(path), media_type, options.facts.source_url))
        return pool.map(_prepare_job, jobs, chunksize=8) if pool else map(_prepare_job, jobs)

    def _finish_batch(self, batch, prepared_iter: Iterator, options, report, on_wait,  # noqa: ANN001
                      indexing: Indexers | None) -> list[IngestOutcome]:
        """Collect a batch's prepared documents, then store it under the write lock (and commit the
        index segments the workers have finished meanwhile)."""
        labels, results = [], []
        prepared = iter(list(prepared_iter))
        for path, data in batch:
            labels.append(str(path))
            results.append(data if isinstance(data, InputError) else next(prepared))
        with self.archive.lock(timeout=options.lock_timeout, on_wait=on_wait):
            outcomes = self._store_batch(labels, results, options.facts, indexing)
            if indexing is not None:
                indexing.commit_finished()
        for outcome in outcomes:
            report(outcome)
        return outcomes

    def _store_batch(self, labels: list[str], results: list, facts: CaptureFacts,
                     indexing: Indexers | None = None) -> list[IngestOutcome]:
        """Write objects and records, make them durable, log them, then index them (here, or by the
        workers when ``indexing`` is given).

        While it writes, this process's mark (archive/pending.py) says so, and it stays until the
        batch is indexed; work a crash cut short is finished (or its unacknowledged leftovers removed)
        by the next writer before it starts (corpus.repair).
        """
        from corpus import repair  # repair builds on this module

        if repair.interrupted(self.archive):
            repair.repair_locked(self)
        at = utc_now()
        ingested = self.ingested_ids()
        pending = any(not isinstance(r, InputError) and r.raw_sha256 not in ingested for r in results)
        if pending:
            repair.mark_pending(self.mark)
        outcomes: list[IngestOutcome] = []
        written: list[Path] = []
        events: list[tuple[str, str | None, dict]] = []
        to_index: list[IndexedDocument] = []
        seen: set[str] = set()
        for label, result in zip(labels, results, strict=True):
            if isinstance(result, InputError):
                outcomes.append(IngestOutcome(label, "failed", message=str(result)))
                continue
            doc_id = result.raw_sha256
            if doc_id in ingested or doc_id in seen:
                title = result.result.metadata.title
                outcomes.append(IngestOutcome(label, "unchanged", doc_id, title,
                                              f"already in the store as document {doc_id[:12]}"))
                continue
            seen.add(doc_id)
            for data in (result.raw, result.clean_bytes):
                digest, new = self.archive.objects.put(data, durable=False)
                if new:
                    written.append(self.archive.objects.path_of(digest.hex))
            if self.archive.has_record(doc_id):  # left by an interrupted ingest: finish it
                record = self.archive.read_record(doc_id)
                record_sha = hashlib.sha256(self.archive.read_record_bytes(doc_id)).hexdigest()
            else:
                record = build_record(result, display_path(os.path.basename(label)), facts, at)
                if record.original.source_url:  # a new capture of a known URL is its next version
                    latest = self.latest_by_url()
                    record = attrs.evolve(record, previous_version=latest.get(record.original.source_url))
                    latest[record.original.source_url] = doc_id
                record_path, record_sha = self.archive.write_record(record, durable=False)
                written.append(record_path)
            events.append(("ingest", doc_id, {"record_sha256": record_sha, "clean_sha256": record.clean.sha256}))
            to_index.append(indexed_document(record, result.clean_bytes.decode("utf-8")))
            outcomes.append(IngestOutcome(label, "added", doc_id, record.metadata.title))
        if written:
            sync_paths(written)
        if events:
            self.archive.ledger.append(events, at)
            head = self.archive.ledger.recorded_head()
            if self._versions is not None:  # updated above as versions were linked
                self._versions = (head, self._versions[1])
            if self._ingested is not None:  # the next batch need not re-read the ledger
                self._ingested = (head, self._ingested[1] | {subject for _e, subject, _d in events if subject})
            if indexing is not None:
                indexing.submit(to_index)
            else:
                index_writer.write_documents(self.index_path, to_index)
        if self.mark.is_set and (indexing is None or indexing.idle):
            sync_paths(index_writer.index_files(self.index_path))
            repair.clear_pending(self.mark)
        return outcomes

    def _settle_index(self, indexing: Indexers, options: IngestOptions, on_wait) -> None:  # noqa: ANN001
        """Wait for the indexing processes' last segments, commit them, and clear this process's mark."""
        from corpus import repair  # repair builds on this module
        from index.segments import commit_segments

        built = indexing.finish()
        with self.archive.lock(timeout=options.lock_timeout, on_wait=on_wait):
            if built:
                commit_segments(self.index_path, built)
                indexing.committed(built)
                index_writer.merge_small_segments(self.index_path)
            if self.mark.is_set and indexing.idle:
                sync_paths(index_writer.index_files(self.index_path))
                repair.clear_pending(self.mark)

    def latest_by_url(self) -> dict[str, str]:
        """Each source URL mapped to the last document ingested from it, in ledger order.

        Built once from the records and kept while the ledger head is unchanged, so an ingest of many
        batches reads the records once; the ingest path updates it as it links new versions.
        """
        head = self.archive.ledger.recorded_head()
        if self._versions is None or self._versions[0] != head:
            latest: dict[str, str] = {}
            for entry in self.archive.ledger.entries():
                if entry.event == "ingest" and entry.subject:
                    try:
                        url = self.archive.read_record(entry.subject).original.source_url
                    except ArchiveError:
                        continue  # verify reports it
                    if url:
                        latest[url] = entry.subject
            self._versions = (head, latest)
        return self._versions[1]

    def versions(self, record: ProvenanceRecord) -> list[ProvenanceRecord]:
        """Every version of a document's source, oldest first: earlier ones by ``previous_version``
        links, later ones by the records that link back to it."""
        newer: dict[str, str] = {}
        for doc_id in self.ingested_ids():
            try:
                other = self.record(doc_id)
            except ArchiveError:
                continue
            if other.previous_version:
                newer[other.previous_version] = doc_id
        chain, seen = [record], {record.id}
        while chain[0].previous_version and chain[0].previous_version not in seen:
            try:
                older = self.record(chain[0].previous_version)
            except ArchiveError:
                break
            seen.add(older.id)
            chain.insert(0, older)
        while chain[-1].id in newer and newer[chain[-1].id] not in seen:
            seen.add(newer[chain[-1].id])
            chain.append(self.record(newer[chain[-1].id]))
        return chain

    def ingested_ids(self) -> set[str]:
        """Ids of every document the ledger records as ingested.

        Kept while the ledger head is unchanged (the ingest path adds its own batches), so an ingest
        of many batches does not re-read the whole ledger for each one.
        """
        head = self.archive.ledger.recorded_head()
        if self._ingested is None or self._ingested[0] != head:
            ids = frozenset(e.subject for e in self.archive.ledger.entries() if e.event == "ingest" and e.subject)
            self._ingested = (head, ids)
        return set(self._ingested[1])

    # ---- reading ------------------------------------------------------------------------------

    def resolve(self, prefix: str) -> str:
        """The full id for an id or unique prefix."""
        return self.archive.resolve(prefix)

    def record(self, doc_id: str) -> ProvenanceRecord:
        """A document's provenance record."""
        return self.archive.read_record(doc_id)

    def clean_text(self, record: ProvenanceRecord) -> str:
        """A document's clean text, re-hashed on read."""
        return self.archive.objects.get(record.clean.sha256).decode("utf-8")

    def original(self, record: ProvenanceRecord) -> bytes:
        """A document's original bytes, exactly as captured, re-hashed on read."""
        return self.archive.objects.get(record.original.sha256)

    def documents(self) -> Iterable[tuple[ProvenanceRecord, str]]:
        """Every ingested document's record and clean text, in id order."""
        for doc_id in sorted(self.ingested_ids()):
            record = self.record(doc_id)
            yield record, self.clean_text(record)

    # ---- index --------------------------------------------------------------------------------

    def reindex(self, timeout: float = 600.0) -> int:
        """Rebuild the whole index from the archive alone, and log it (in indexing processes, one
        per core, for more than a few documents).

        Waits (up to ``timeout`` seconds) while another ingest is still indexing documents it has
        logged: rebuilding under it would index them twice, or pull its segments from under it.
        """
        started = time.monotonic()
        while True:
            with self.archive.lock(timeout=timeout):
                if not live_marks(self.archive.root, self.mark):
                    docs = (indexed_document(rec, text) for rec, text in self.documents())
                    processes = os.cpu_count() or 1
                    if processes > 1 and len(self.ingested_ids()) >= PARALLEL_THRESHOLD:
                        from corpus.indexing import rebuild  # forks indexing processes

                        count = rebuild(self.index_path, docs, processes)
                    else:
                        count = index_writer.rebuild(self.index_path, docs)
                    self.archive.ledger.append([("reindex", None, {"documents": count})], utc_now())
                    return count
            waited = time.monotonic() - started
            if waited >= timeout:
                raise StoreLocked(str(self.archive.root), waited)
            time.sleep(0.2)

    def record_dict(self, record: ProvenanceRecord) -> dict:
        """A record as JSON-ready data."""
        return record_to_dict(record)


def read_limited(path: Path, max_size: int) -> bytes | InputError:
    """A file's bytes, or the InputError that says why they cannot be had."""
    label = str(path)
    try:
        size = path.stat().st_size
        if size > max_size:
            return InputTooLarge(label, f"{size:,} bytes, limit {max_size:,}")
        with open(path, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError as exc:
        return UnreadableInput(label, exc.strerror or type(exc).__name__)
    if len(data) > max_size:
        return InputTooLarge(label, f"over {max_size:,} bytes")
    return data
