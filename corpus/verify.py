"""Verify a whole store: archive fixity and ledger, re-derived clean texts, and the index."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import attrs

from archive.errors import ArchiveError
from archive.fixity import Problem, verify_archive
from archive.timestamp import check_timestamps
from corpus.clean import CLEANER_VERSION
from corpus.collection import Collection
from corpus.errors import InputError
from corpus.prepare import prepare
from corpus.readers import MediaType
from index import writer as index_writer


@attrs.frozen
class VerifyReport:
    """Every problem found, notices that are not damage, and how much was checked."""

    problems: tuple[Problem, ...]
    notices: tuple[str, ...]
    documents: int
    mode: str

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def _reclean(job: tuple[str, bytes, str, str | None]) -> tuple[str, str | None, str | None]:
    """Worker: re-derive one clean text; returns (id, clean digest or None, error)."""
    doc_id, raw, media_type, url = job
    try:
        return doc_id, prepare(raw, doc_id, MediaType(media_type), url).clean_sha256, None
    except (InputError, ValueError) as exc:
        return doc_id, None, str(exc)


def check_rederivation(collection: Collection, ids: list[str], workers: int = 2) -> tuple[list[Problem], list[str]]:
    """Re-run the cleaner on each original and compare with the recorded clean digest."""
    problems: list[Problem] = []
    notices: list[str] = []
    jobs = []
    expected: dict[str, str] = {}
    for doc_id in ids:
        try:
            record = collection.record(doc_id)
            raw = collection.original(record)
        except (ArchiveError, KeyError):
            continue  # already reported by the fixity check
        if record.clean.cleaner_version != CLEANER_VERSION:
            notices.append(f"document {doc_id[:12]} was cleaned by cleaner version {record.clean.cleaner_version}; "
                           f"this docket has version {CLEANER_VERSION}, so its clean text was not re-derived")
            continue
        expected[doc_id] = record.clean.sha256
        jobs.append((doc_id, raw, record.original.media_type, record.original.source_url))
    if len(jobs) > 16 and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_reclean, jobs, chunksize=8))
    else:
        results = [_reclean(job) for job in jobs]
    for doc_id, found, error in results:
        if found != expected[doc_id]:
            problems.append(Problem(
                "clean-mismatch", f"document {doc_id[:12]}: re-cleaning the original does not give the stored "
                "clean text" + (f" ({error})" if error else ""), document=doc_id,
                object=f"objects/sha256/{expected[doc_id][:2]}/{expected[doc_id][2:]}",
                expected=expected[doc_id], found=found or "error"))
    return problems, notices


def check_index(collection: Collection, archived: dict[str, tuple[str, str]]) -> list[Problem]:
    """The index must hold exactly the archived documents, with their digests."""
    problems: list[Problem] = []
    indexed = index_writer.indexed_digests(collection.index_path)
    for doc_id, digests in sorted(archived.items()):
        if doc_id not in indexed:
            problems.append(Problem("index-missing", f"document {doc_id[:12]} is archived but not in the search "
                                    "index (run `docket reindex`)", document=doc_id, object="index",
                                    expected="indexed", found="absent", incomplete=True))
        elif indexed[doc_id] != digests:
            problems.append(Problem("index-stale", f"document {doc_id[:12]}: the index holds other digests than "
                                    "the archive (run `docket reindex`)", document=doc_id, object="index",
                                    expected=" ".join(digests), found=" ".join(indexed[doc_id])))
    for doc_id in sorted(set(indexed) - set(archived)):
        problems.append(Problem("index-extra", f"document {doc_id[:12]} is in the search index but not in the "
                                "archive (run `docket reindex`)", document=doc_id, object="index",
                                expected="absent", found="indexed"))
    return problems


def verify_store(collection: Collection, ids: list[str] | None = None, *, fast: bool = False,
                 tsa_ca: bytes | None = None) -> VerifyReport:
    """Check everything: objects re-hashed, records, ledger chain, clean texts re-derived, index.

    ``fast`` only checks presence, sizes, records, ledger and index: it cannot see corrupted bytes.
    Stored time-stamp replies are re-checked against the ledger (their signatures with ``tsa_ca``
    or the CA certificate stored with them).
    """
    problems = verify_archive(collection.archive, ids, rehash=not fast)
    wanted = ids if ids is not None else sorted(collection.ingested_ids() | set(collection.archive.document_ids()))
    notices: list[str] = []
    if not fast:
        more, notices = check_rederivation(collection, wanted)
        problems += more
    if ids is None:
        archived: dict[str, tuple[str, str]] = {}
        for doc_id in collection.ingested_ids():
            try:
                record = collection.record(doc_id)
            except ArchiveError:
                continue
            archived[doc_id] = (record.original.sha256, record.clean.sha256)
        problems += check_index(collection, archived)
        stamp_problems, stamp_notices = check_timestamps(collection.archive, tsa_ca)
        problems += stamp_problems
        notices += stamp_notices
    return VerifyReport(tuple(problems), tuple(notices), len(wanted), "fast" if fast else "full")
