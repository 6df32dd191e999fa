"""Content-addressed object storage: bytes stored once under their sha256, read back verified."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from archive.atomic import write_atomic
from archive.digest import Digest, is_digest
from archive.errors import ChecksumMismatch, InvalidDigest, ObjectMissing


class ObjectStore:
    """Objects under ``root/sha256/ab/cdef…``: the path is the digest, so ``sha256sum`` can check it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        """Where the object with this digest lives; the digest is validated before it becomes a path."""
        if not is_digest(digest):
            raise InvalidDigest(digest)
        return self.root / "sha256" / digest[:2] / digest[2:]

    def path_strings(self, digests: Iterable[str]) -> list[str]:
        """``path_of`` for many digests at once, as plain strings (each digest validated first): what a
        loop over thousands of objects opens, without building a Path object for each."""
        wanted = list(digests)
        for digest in wanted:
            if not is_digest(digest):
                raise InvalidDigest(digest)
        base = os.path.join(self.root, "sha256", "")
        return [f"{base}{digest[:2]}{os.sep}{digest[2:]}" for digest in wanted]

    def put(self, data: bytes, *, durable: bool = True) -> tuple[Digest, bool]:
        """Store ``data``; returns its digest and whether it was new (storing it again is a no-op)."""
        digest = Digest.of_bytes(data)
        path = self.path_of(digest.hex)
        if path.exists():
            return digest, False
        write_atomic(path, data, durable=durable)
        return digest, True

    def contains(self, digest: str) -> bool:
        """True when an object with this digest is on disk (its bytes are not checked)."""
        return self.path_of(digest).exists()

    def get(self, digest: str) -> bytes:
        """The object's bytes, re-hashed on read: corrupted bytes raise instead of being returned."""
        path = self.path_of(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ObjectMissing(digest) from None
        found = hashlib.sha256(data).hexdigest()
        if found != digest:
            raise ChecksumMismatch(str(path), digest, found)
        return data

    def digests(self) -> Iterator[str]:
        """Every digest stored, in sorted order (temp files of interrupted writes are skipped)."""
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for fan in sorted(base.iterdir()):
            if not fan.is_dir():
                continue
            for entry in sorted(fan.iterdir()):
                name = fan.name + entry.name
                if is_digest(name):
                    yield name
