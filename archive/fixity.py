"""Fixity: re-hash every object, check every record against its objects and the ledger chain.

Verification collects every problem and returns them all; nothing here stops at the first.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import attrs

from archive.archive import Archive
from archive.digest import CHUNK, READ_FLAGS, is_digest
from archive.errors import ArchiveError
from archive.ledger import GENESIS


@attrs.frozen
class Problem:
    """One thing wrong with the store: what kind, which document and object, expected and found."""

    kind: str
    message: str
    document: str | None = None
    object: str | None = None
    expected: str | None = None
    found: str | None = None
    incomplete: bool = False  # an interrupted last write that `docket repair` finishes, not damage


def check_ledger_chain(archive: Archive) -> tuple[list[Problem], dict[str, str]]:
    """Check the hash chain, sequence numbers and head file; returns problems and record digests.

    The second value maps each ingested document id to the record digest its ingest entry holds.
    """
    problems: list[Problem] = []
    ingested: dict[str, str] = {}
    prev_digest, expected_seq, last_seq = GENESIS, 1, 0
    ledger = archive.ledger
    torn_at = sum(1 for _ in ledger.lines()) if ledger.torn_tail() else 0
    for line in ledger.lines():
        entry = line.entry
        if line.number == torn_at:
            problems.append(Problem("ledger-torn", f"ledger line {line.number} is cut short: an interrupted append "
                                    "(run `docket repair`, or the next ingest cuts it off)", object=f"ledger.jsonl:{line.number}",
                                    expected="a whole line ending in a newline", found=f"{len(line.raw)} bytes, no newline",
                                    incomplete=True))
            continue
        if entry is None:
            problems.append(Problem("ledger-unreadable", f"ledger {line.error}", object=f"ledger.jsonl:{line.number}",
                                    expected="a ledger entry (canonical JSON)", found=line.raw[:80].decode("utf-8", "replace")))
            prev_digest, expected_seq = line.digest, expected_seq + 1
            continue
        where = f"ledger.jsonl:{line.number}"
        if entry.to_line() != line.raw:
            problems.append(Problem("ledger-edited", f"ledger line {line.number} is not in canonical form: it was edited",
                                    document=entry.subject, object=where,
                                    expected=hashlib.sha256(entry.to_line()).hexdigest(), found=line.digest))
        if entry.seq != expected_seq:
            problems.append(Problem(
                "ledger-sequence", f"ledger line {line.number} has seq {entry.seq}, expected {expected_seq}: "
                "entries were deleted, inserted or reordered here",
                document=entry.subject, object=where, expected=str(expected_seq), found=str(entry.seq)))
        if entry.prev != prev_digest:
            problems.append(Problem(
                "ledger-chain", f"the chain breaks at ledger line {line.number} (seq {entry.seq}): its prev "
                "digest is not the digest of the line before",
                document=entry.subject, object=where, expected=prev_digest, found=entry.prev))
        if entry.event == "ingest" and entry.subject:
            ingested[entry.subject] = str(entry.data.get("record_sha256", ""))
        prev_digest, expected_seq, last_seq = line.digest, entry.seq + 1, entry.seq
    recorded = ledger.recorded_head()
    if recorded is not None and recorded != (last_seq, prev_digest):
        seq, digest = recorded
        if seq == last_seq and last_seq > 0:
            problems.append(Problem(
                "ledger-edited", f"the last ledger entry (seq {seq}) is not the one ledger.head names: it was "
                "edited or replaced", object="ledger.jsonl.head", expected=f"{seq} {digest}",
                found=f"{last_seq} {prev_digest}"))
        elif seq > last_seq or seq < 0:
            problems.append(Problem(
                "ledger-truncated", f"ledger.head names entry {seq} but the ledger ends at {last_seq}: "
                "entries were cut off the end", object="ledger.jsonl.head",
                expected=f"{seq} {digest}", found=f"{last_seq} {prev_digest}"))
        else:
            problems.append(Problem(
                "ledger-head", f"ledger.head names entry {seq}, behind the ledger's last entry {last_seq}: "
                "an interrupted write (run `docket repair`) or an edited head file", object="ledger.jsonl.head",
                expected=f"{last_seq} {prev_digest}", found=f"{seq} {digest}", incomplete=True))
    elif recorded is None and last_seq:
        problems.append(Problem("ledger-head", "ledger.head is missing", object="ledger.jsonl.head",
                                expected=f"{last_seq} {prev_digest}", found="nothing", incomplete=True))
    return problems, ingested


def rehash_workers() -> int:
    """Threads for re-hashing: one per usable core (2 here), at most 8. hashlib and the reads release
    the GIL, so large objects hash in parallel; small ones are bound by the per-file syscalls."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _hash_files(paths: list[str]) -> list[tuple[str, int] | None]:
    """(hex sha256, bytes hashed) of each file, or None where it is missing: one thread's share.

    ``sha256_file`` inlined, with the functions bound to locals: for an object of a few kilobytes the
    open, two reads (the second finds the end) and the close cost more than the hashing, and a
    function call or file object per object would cost as much again. Reads are CHUNK bytes, so a
    huge object is hashed in pieces with flat memory.
    """
    found: list[tuple[str, int] | None] = []
    append, open_, read, close, sha256 = found.append, os.open, os.read, os.close, hashlib.sha256
    for path in paths:
        try:
            fd = open_(path, READ_FLAGS)
        except FileNotFoundError:
            append(None)
            continue
        try:
            chunk = read(fd, CHUNK)
            digest, size = sha256(chunk), len(chunk)
            while chunk := read(fd, CHUNK):
                digest.update(chunk)
                size += len(chunk)
            append((digest.hexdigest(), size))
        finally:
            close(fd)
    return found


def _rehash(archive: Archive, digests: Iterable[str], workers: int | None = None) -> dict[str, tuple[str, int] | None]:
    """Each digest mapped to (the re-computed sha256, bytes hashed), or None if the object is missing.

    Each thread takes every workers-th object in one task: most objects are a few kilobytes, so a
    task per object would cost more than hashing it.
    """
    wanted = list(digests)
    paths = archive.objects.path_strings(wanted)
    workers = workers or rehash_workers()
    if workers < 2 or len(paths) < 16 * workers:
        return dict(zip(wanted, _hash_files(paths), strict=True))
    hashed: list[tuple[str, int] | None] = [None] * len(paths)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start, part in enumerate(pool.map(_hash_files, [paths[i::workers] for i in range(workers)])):
            hashed[start::workers] = part
    return dict(zip(wanted, hashed, strict=True))


def rehash_objects(archive: Archive, digests: Iterable[str], workers: int | None = None) -> dict[str, str | None]:
    """Re-hash objects in parallel threads (``rehash_workers()`` unless told); maps each digest to
    the sha256 found, or None if the object is missing."""
    return {digest: found and found[0] for digest, found in _rehash(archive, digests, workers).items()}


def verify_archive(archive: Archive, ids: list[str] | None = None, *, rehash: bool = True) -> list[Problem]:
    """Every problem of the archive (or of the documents ``ids``): ledger, records, objects.

    With ``rehash=False`` objects are only checked for presence and size: fast, but blind to
    corrupted bytes.
    """
    problems, ingested = check_ledger_chain(archive)
    on_disk = set(archive.document_ids())
    wanted = sorted(set(ids) if ids is not None else on_disk | set(ingested))
    referenced: dict[str, list[tuple[str, str, int]]] = {}
    for doc_id in wanted:
        if doc_id not in on_disk:
            problems.append(Problem("record-missing", f"document {doc_id[:12]}: its provenance record is missing",
                                    document=doc_id, object=f"records/{doc_id[:2]}/{doc_id}.json",
                                    expected=ingested.get(doc_id) or "a record", found="nothing"))
            continue
        raw = archive.read_record_bytes(doc_id)
        found = hashlib.sha256(raw).hexdigest()
        where = f"records/{doc_id[:2]}/{doc_id}.json"
        if doc_id not in ingested:
            problems.append(Problem("record-unlogged", f"document {doc_id[:12]}: no ingest entry in the ledger "
                                    "(an interrupted ingest: run `docket repair`, or a record added behind docket's back)",
                                    document=doc_id, object=where, expected="an ingest entry in the ledger",
                                    found="none", incomplete=True))
        elif ingested[doc_id] != found:
            problems.append(Problem("record-changed", f"document {doc_id[:12]}: its record differs from the one the "
                                    "ledger recorded", document=doc_id, object=where,
                                    expected=ingested[doc_id], found=found))
        try:
            record = archive.read_record(doc_id)
        except ArchiveError as exc:
            problems.append(Problem("record-corrupt", f"document {doc_id[:12]}: {exc}", document=doc_id, object=where,
                                    expected="a docket.record/1 provenance record", found=getattr(exc, "reason", str(exc))))
            continue
        for role, facts in (("original", record.original), ("clean text", record.clean)):
            referenced.setdefault(facts.sha256, []).append((doc_id, role, facts.size))
    if rehash:  # (sha256, size) of each object: the bytes hashed are its size when the digest matches
        found_objects = _rehash(archive, referenced)
    else:
        found_objects = {}
        for digest in referenced:
            path = archive.objects.path_of(digest)
            found_objects[digest] = (digest, path.stat().st_size) if path.exists() else None
    for digest, users in referenced.items():
        found_object = found_objects[digest]
        obj = f"objects/sha256/{digest[:2]}/{digest[2:]}"
        for doc_id, role, size in users:
            if found_object is None:
                problems.append(Problem("object-missing", f"document {doc_id[:12]}: its {role} object is missing",
                                        document=doc_id, object=obj, expected=digest, found="nothing"))
            elif found_object[0] != digest:
                problems.append(Problem("object-corrupt", f"document {doc_id[:12]}: its {role} object does not "
                                        "match its digest", document=doc_id, object=obj, expected=digest,
                                        found=found_object[0]))
            elif found_object[1] != size:
                problems.append(Problem("object-size", f"document {doc_id[:12]}: its {role} object has the wrong size",
                                        document=doc_id, object=obj, expected=str(size), found=str(found_object[1])))
    if ids is None:
        logged = ledger_objects(archive)
        problems += _check_ledger_objects(archive, logged, rehash)
        for digest in archive.objects.digests():
            if digest not in referenced and digest not in logged:
                problems.append(Problem("object-orphan", f"object {digest[:12]} belongs to no document (an "
                                        "interrupted ingest: run `docket repair`)",
                                        object=f"objects/sha256/{digest[:2]}/{digest[2:]}",
                                        expected="referenced by a record or the ledger", found="unreferenced",
                                        incomplete=True))
    return problems


def ledger_objects(archive: Archive) -> dict[str, int]:
    """Objects ledger entries name in their ``objects`` list (time-stamp replies, CA certificates,
    imported ledgers), mapped to the seq of the entry that names them."""
    named: dict[str, int] = {}
    for entry in archive.ledger.entries():
        listed = entry.data.get("objects")
        for digest in listed if isinstance(listed, list) else ():
            if isinstance(digest, str) and is_digest(digest):
                named.setdefault(digest, entry.seq)
    return named


def _check_ledger_objects(archive: Archive, named: dict[str, int], rehash: bool) -> list[Problem]:
    """Every object the ledger names must be present and, when re-hashing, intact."""
    problems: list[Problem] = []
    found = rehash_objects(archive, named) if rehash else {
        d: (d if archive.objects.path_of(d).exists() else None) for d in named}
    for digest, seq in sorted(named.items(), key=lambda item: item[1]):
        obj = f"objects/sha256/{digest[:2]}/{digest[2:]}"
        if found[digest] is None:
            problems.append(Problem("object-missing", f"the object ledger entry {seq} names is missing",
                                    object=obj, expected=digest, found="nothing"))
        elif found[digest] != digest:
            problems.append(Problem("object-corrupt", f"the object ledger entry {seq} names does not match its digest",
                                    object=obj, expected=digest, found=found[digest]))
    return problems
