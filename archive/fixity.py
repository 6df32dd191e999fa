"""Fixity: re-hash every object, check every record against its objects and the ledger chain.

Verification collects every problem and returns them all; nothing here stops at the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import attrs

from archive.archive import Archive
from archive.digest import is_digest, sha256_file
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


def _rehash(archive: Archive, digest: str) -> tuple[str, str | None]:
    """(digest, found) where found is the re-computed sha256, or None if the object is missing."""
    try:
        return digest, sha256_file(archive.objects.path_of(digest))
    except FileNotFoundError:
        return digest, None


def rehash_objects(archive: Archive, digests: Iterable[str], workers: int = 2) -> dict[str, str | None]:
    """Re-hash objects in parallel threads (hashlib releases the GIL); maps digest to what was found.

    Each thread takes a share of the objects in one task: most objects are a few kilobytes, so a task
    per object would cost more than hashing it.
    """
    wanted = list(digests)
    if len(wanted) < 2 * workers:
        return dict(_rehash(archive, d) for d in wanted)
    shares = [wanted[i::workers] for i in range(workers)]
    found: dict[str, str | None] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(lambda share: [_rehash(archive, d) for d in share], shares):
            found.update(part)
    return found


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
    if rehash:
        found_digests = rehash_objects(archive, referenced)
    else:
        found_digests = {}
        for digest in referenced:
            path = archive.objects.path_of(digest)
            found_digests[digest] = digest if path.exists() else None
    for digest, users in referenced.items():
        found = found_digests[digest]
        path = archive.objects.path_of(digest)
        for doc_id, role, size in users:
            obj = f"objects/sha256/{digest[:2]}/{digest[2:]}"
            if found is None:
                problems.append(Problem("object-missing", f"document {doc_id[:12]}: its {role} object is missing",
                                        document=doc_id, object=obj, expected=digest, found="nothing"))
            elif found != digest:
                problems.append(Problem("object-corrupt", f"document {doc_id[:12]}: its {role} object does not "
                                        "match its digest", document=doc_id, object=obj, expected=digest, found=found))
            elif path.stat().st_size != size:
                problems.append(Problem("object-size", f"document {doc_id[:12]}: its {role} object has the wrong size",
                                        document=doc_id, object=obj, expected=str(size), found=str(path.stat().st_size)))
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
