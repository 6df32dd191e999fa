"""sha256 digests as values, and streaming hashing of files."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import attrs

from archive.errors import InvalidDigest

_HEX64 = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20
READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # O_BINARY: no newline translation on Windows


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


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in CHUNK-byte pieces so memory stays flat whatever the size.

    Raw ``os.open``/``os.read`` on the descriptor, no file object: most objects are a few kilobytes,
    where the file object would cost more than the hashing. A missing file raises FileNotFoundError.
    """
    fd = os.open(path, READ_FLAGS)
    try:
        digest = hashlib.sha256(os.read(fd, CHUNK))
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
    finally:
        os.close(fd)
