"""Finish what an interrupted write left behind, so the store is whole again.

An ingest writes in a fixed order: objects, then records, then the ledger (its lines, then
``ledger.head``), then the index. A writer killed part-way leaves a prefix of that work: objects no
record names, records the ledger does not mention, a partial last ledger line, a head behind the
ledger, documents missing from the index. None of it was acknowledged, so none of it is damage:
repair finishes what can be finished (records whose objects are intact are logged; the index
catches up) and removes what cannot (objects nothing refers to, temp files). It never touches a
store whose ledger or records are damaged: that is for an archivist, and ``docket verify`` names it.

An ingest keeps a mark (``archive/write.pending.*``, archive/pending.py) while it has unfinished
writes: a batch being written, or documents logged but not yet indexed. A mark its process no longer
holds is a dead writer's; the next ingest that finds one runs the repair first, so re-running an
interrupted ingest completes it.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import attrs

from archive.archive import Archive
from archive.codec import record_from_bytes
from archive.digest import sha256_file
from archive.errors import ArchiveError
from archive.fixity import check_ledger_chain, ledger_objects
from archive.pending import WriteMark, abandoned_marks, live_marks, remove_marks
from archive.records import ProvenanceRecord
from corpus.collection import Collection, indexed_document
from corpus.errors import RepairRefused
from corpus.facts import utc_now
from index import segments as index_segments
from index import writer as index_writer
from index.errors import IndexOutdated

TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"  # archive.atomic.write_atomic's temp files


@attrs.frozen
class RepairReport:
    """What repair did, and what it could not do (each a sentence naming the document or object)."""

    cut_ledger_line: bool = False
    head_rewritten: bool = False
    logged: tuple[str, ...] = ()
    indexed: int = 0
    unindexed: int = 0
    removed_objects: tuple[str, ...] = ()
    removed_temp_files: int = 0
    unrepaired: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True when repair changed anything."""
        return bool(self.cut_ledger_line or self.head_rewritten or self.logged or self.indexed or self.unindexed
                    or self.removed_objects or self.removed_temp_files)


def mark_pending(mark: WriteMark) -> None:
    """Say, durably, that this process has unfinished writes (the caller holds the write lock)."""
    mark.set()


def clear_pending(mark: WriteMark) -> None:
    """This process's writes are finished and indexed: remove its mark."""
    mark.clear()


def interrupted(archive: Archive) -> bool:
    """True when a writer died in the middle of a write (its mark is left, and nobody holds it)."""
    return bool(abandoned_marks(archive.root))


def repair_store(collection: Collection, *, lock_timeout: float = 600.0,
                 on_wait: Callable[[], None] | None = None) -> RepairReport:
    """Take the write lock and finish whatever an interrupted write left; see :func:`repair_locked`."""
    with collection.archive.lock(timeout=lock_timeout, on_wait=on_wait):
        return repair_locked(collection)


def repair_locked(collection: Collection) -> RepairReport:
    """Finish an interrupted write; the caller holds the write lock.

    Raises :class:`RepairRefused` when the ledger is damaged rather than interrupted.
    """
    archive = collection.archive
    abandoned = abandoned_marks(archive.root)
    indexing_elsewhere = live_marks(archive.root, collection.mark)
    cut = archive.ledger.cut_torn_tail()
    problems, ingested = check_ledger_chain(archive)
    damage = [p for p in problems if not p.incomplete]
    if damage:
        raise RepairRefused(f"the ledger is damaged, not just interrupted ({damage[0].message}); repair only "
                            "finishes interrupted writes: `docket verify` names every problem")
    head_behind = any(p.kind == "ledger-head" for p in problems)
    temp_files = _remove_temp_files(archive.root)
    unrepaired: list[str] = []
    to_log: list[tuple[ProvenanceRecord, str]] = []
    referenced: set[str] = set()
    unreadable_records = False
    for doc_id in archive.document_ids():
        try:
            raw = archive.read_record_bytes(doc_id)
            record = record_from_bytes(raw, str(archive.record_path(doc_id)))
        except ArchiveError as exc:
            unrepaired.append(f"document {doc_id[:12]}: its record cannot be read ({exc}); left as it is")
            unreadable_records = True
            continue
        referenced.update((record.original.sha256, record.clean.sha256))
        if doc_id in ingested:
            continue
        problem = _object_problem(archive, record)
        if problem:
            unrepaired.append(problem)
        else:
            to_log.append((record, hashlib.sha256(raw).hexdigest()))
    removed: list[str] = []
    if not unreadable_records:  # an unreadable record may be the one that names an object: keep them all
        named = ledger_objects(archive)
        for digest in list(archive.objects.digests()):
            if digest not in referenced and digest not in named:
                archive.objects.path_of(digest).unlink()
                removed.append(digest)
    to_log = _in_version_order(to_log)
    logged = [record.id for record, _ in to_log]
    events: list[tuple[str, str | None, dict]] = [
        ("ingest", record.id, {"record_sha256": sha, "clean_sha256": record.clean.sha256, "repaired": True})
        for record, sha in to_log]
    if indexing_elsewhere:  # its documents are logged and on their way into the index: leave them to it
        to_index, to_unindex, index_note = [], [], (
            f"another docket process is still indexing ({indexing_elsewhere[0].name}); the index is left to it")
    else:
        index_segments.remove_staging(collection.index_path)
        to_index, to_unindex, index_note = _index_work(collection, set(ingested) | set(logged))
    if index_note:
        unrepaired.append(index_note)
    report = RepairReport(cut_ledger_line=cut, head_rewritten=head_behind, logged=tuple(logged),
                          indexed=len(to_index), unindexed=len(to_unindex), removed_objects=tuple(removed),
                          removed_temp_files=temp_files, unrepaired=tuple(unrepaired))
    if report.changed:
        events.append(("repair", None, {
            "cut_ledger_line": cut, "head_rewritten": head_behind, "logged": len(logged),
            "indexed": len(to_index), "unindexed": len(to_unindex), "removed_objects": removed,
            "removed_temp_files": temp_files}))
        archive.ledger.append(events, utc_now())
    if to_index:
        index_writer.write_documents(collection.index_path, (
            indexed_document(record, collection.clean_text(record))
            for record in map(collection.record, to_index)))
    if to_unindex:
        index_writer.delete_documents(collection.index_path, to_unindex)
    remove_marks(archive.root, abandoned)
    return report


def _object_problem(archive: Archive, record: ProvenanceRecord) -> str | None:
    """Why a record's objects cannot back it (missing, wrong bytes, wrong size), or None when intact."""
    for role, digest, size in (("original", record.original.sha256, record.original.size),
                               ("clean text", record.clean.sha256, record.clean.size)):
        path = archive.objects.path_of(digest)
        try:
            found = sha256_file(path)
        except FileNotFoundError:
            return f"document {record.id[:12]}: not logged, and its {role} object {digest[:12]} is missing; left as it is"
        if found != digest or path.stat().st_size != size:
            return f"document {record.id[:12]}: not logged, and its {role} object {digest[:12]} is damaged; left as it is"
    return None


def _in_version_order(pending: list[tuple[ProvenanceRecord, str]]) -> list[tuple[ProvenanceRecord, str]]:
    """Records in the order they were written: by ingest time, each after the version it supersedes."""
    waiting = sorted(pending, key=lambda item: (item[0].ingest.at, item[0].id))
    ids = {record.id for record, _ in waiting}
    done: set[str] = set()
    ordered: list[tuple[ProvenanceRecord, str]] = []
    while waiting:
        ready = [item for item in waiting if item[0].previous_version not in ids - done] or waiting[:1]
        for item in ready:
            ordered.append(item)
            done.add(item[0].id)
        waiting = [item for item in waiting if item[0].id not in done]
    return ordered


def _index_work(collection: Collection, logged: set[str]) -> tuple[list[str], list[str], str | None]:
    """Ids to (re)index and ids to drop so the index holds exactly the logged documents."""
    _restore_swapped_index(collection.index_path)
    try:
        if index_writer.exists(collection.index_path):
            index_writer.open_index(collection.index_path)  # raises when built with another schema
        indexed = index_writer.indexed_digests(collection.index_path)
    except IndexOutdated as exc:
        return [], [], f"{exc}; repair leaves it to `docket reindex`"
    to_index = []
    for doc_id in sorted(logged):
        if doc_id not in indexed:
            to_index.append(doc_id)
            continue
        try:
            record = collection.record(doc_id)
        except ArchiveError:
            continue  # verify reports it
        if indexed[doc_id] != (record.original.sha256, record.clean.sha256):
            to_index.append(doc_id)
    return to_index, sorted(set(indexed) - logged), None


def _restore_swapped_index(path: Path) -> None:
    """Undo a ``reindex`` interrupted while swapping folders: the last complete index comes back."""
    old = path.with_name(path.name + ".old")
    fresh = path.with_name(path.name + ".rebuild")
    if not path.exists() and old.exists():
        old.rename(path)
    shutil.rmtree(fresh, ignore_errors=True)
    if path.exists():
        shutil.rmtree(old, ignore_errors=True)


def _remove_temp_files(root: Path) -> int:
    """Remove the temp files of atomic writes that never completed; returns how many."""
    count = 0
    for path in root.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        if path.is_file():
            path.unlink()
            count += 1
    return count
