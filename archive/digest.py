"""sha256 digests as values, and streaming hashing of files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import attrs

from archive.errors import InvalidDigest

_HEX64 = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20


def _check_hex(instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise InvalidDigest(value)


@attrs.frozen
class Digest:
    """A sha256 digest as 64 lower-case hex characters."""

    hex: str = attrs.field(validator=_check_hex)

    @classmethod
    def of_bytes(cls, data: bytes) -> Digest:
        """The digest of ``data``."""
        return cls(hashlib.sha256(data).hexdigest())

    @classmethod
    def of_file(cls, path: Path) -> Digest:
        """The digest of a file's bytes, read in 1 MiB chunks."""
        return cls(sha256_file(path))

    def __str__(self) -> str:
        return self.hex


def is_digest(value: str) -> bool:
    """True when ``value`` is 64 lower-case hex characters."""
    return bool(_HEX64.fullmatch(value))


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks so memory stays flat whatever the size.

    Unbuffered reads of CHUNK bytes: most objects are a few kilobytes, read whole without a buffer copy.
    """
    with open(path, "rb", buffering=0) as handle:
        digest = hashlib.sha256()
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
