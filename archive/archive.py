"""The archive: one folder of objects, provenance records and the ledger, the store's evidence."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from archive.atomic import write_atomic
from archive.codec import record_from_bytes, record_to_bytes
from archive.digest import is_digest
from archive.errors import AmbiguousId, ChecksumMismatch, InvalidDigest, UnknownDocument
from archive.ledger import Ledger
from archive.lock import write_lock
from archive.objects import ObjectStore
from archive.records import ProvenanceRecord


class Archive:
    """Objects (``objects/``), records (``records/``), ledger (``ledger.jsonl``) under one root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = ObjectStore(root / "objects")
        self.records_root = root / "records"
        self.ledger = Ledger(root / "ledger.jsonl")
        self.lock_path = root / "write.lock"

    def lock(self, timeout: float = 600.0, on_wait=None):  # noqa: ANN001, ANN201 - context manager
        """The write lock every change to the store holds."""
        return write_lock(self.lock_path, timeout=timeout, on_wait=on_wait)

    def record_path(self, doc_id: str) -> Path:
        """Where a document's provenance record lives."""
        if not is_digest(doc_id):
            raise InvalidDigest(doc_id)
        return self.records_root / doc_id[:2] / f"{doc_id}.json"

    def has_record(self, doc_id: str) -> bool:
        """True when a record for this document id exists."""
        return self.record_path(doc_id).exists()

    def write_record(self, record: ProvenanceRecord, *, durable: bool = True) -> tuple[Path, str]:
        """Store a record (read-only, written once); returns its path and the sha256 of its bytes."""
        data = record_to_bytes(record)
        path = self.record_path(record.id)
        if not path.exists():
            write_atomic(path, data, durable=durable)
        return path, hashlib.sha256(data).hexdigest()

    def read_record_bytes(self, doc_id: str) -> bytes:
        """A record's bytes as stored."""
        try:
            return self.record_path(doc_id).read_bytes()
        except FileNotFoundError:
            raise UnknownDocument(doc_id) from None

    def read_record(self, doc_id: str, expected_sha256: str | None = None) -> ProvenanceRecord:
        """A document's record; with ``expected_sha256`` its bytes are checked against the ledger's digest."""
        raw = self.read_record_bytes(doc_id)
        if expected_sha256 is not None:
            found = hashlib.sha256(raw).hexdigest()
            if found != expected_sha256:
                raise ChecksumMismatch(str(self.record_path(doc_id)), expected_sha256, found)
        return record_from_bytes(raw, str(self.record_path(doc_id)))

    def document_ids(self) -> Iterator[str]:
        """Every document id with a record, sorted."""
        if not self.records_root.is_dir():
            return
        for fan in sorted(self.records_root.iterdir()):
            if fan.is_dir():
                for entry in sorted(fan.glob("*.json")):
                    if is_digest(entry.stem):
                        yield entry.stem

    def resolve(self, prefix: str) -> str:
        """The full id of the one document whose id starts with ``prefix``."""
        prefix = prefix.strip().lower()
        if len(prefix) < 4 or any(c not in "0123456789abcdef" for c in prefix):
            raise UnknownDocument(prefix)
        if is_digest(prefix):
            if self.has_record(prefix):
                return prefix
            raise UnknownDocument(prefix)
        fan = self.records_root / prefix[:2]
        matches = sorted(p.stem for p in fan.glob(f"{prefix}*.json")) if fan.is_dir() else []
        if not matches:
            raise UnknownDocument(prefix)
        if len(matches) > 1:
            raise AmbiguousId(prefix, matches)
        return matches[0]
