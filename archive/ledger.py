"""The append-only, hash-chained ledger of every event that changed the collection.

Each entry is one line of canonical JSON holding the digest of the line before it; the digest of
the last line (the head) names the whole history. ``ledger.head`` repeats the head so that cutting
lines off the end is detected too.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from archive.atomic import fsync_folder, write_atomic
from archive.codec import canonical_json

GENESIS = "0" * 64


@attrs.frozen
class LedgerEntry:
    """One event: its position, the previous entry's digest, when, what, and about which document."""

    seq: int
    prev: str
    at: str
    event: str
    subject: str | None
    data: dict[str, Any] = attrs.field(factory=dict)

    def to_line(self) -> bytes:
        """The entry's canonical bytes (without the newline)."""
        return canonical_json(attrs.asdict(self))

    @property
    def digest(self) -> str:
        """sha256 of the entry's canonical bytes."""
        return hashlib.sha256(self.to_line()).hexdigest()


@attrs.frozen
class LedgerLine:
    """A line as read from disk: its number, raw bytes, and the entry if it parsed."""

    number: int
    raw: bytes
    entry: LedgerEntry | None
    error: str | None = None

    @property
    def digest(self) -> str:
        """sha256 of the line as it is on disk."""
        return hashlib.sha256(self.raw).hexdigest()


def parse_line(number: int, raw: bytes) -> LedgerLine:
    """Parse one ledger line, keeping the raw bytes so its digest is the one on disk."""
    try:
        data = json.loads(raw)
        entry = LedgerEntry(
            seq=data["seq"], prev=data["prev"], at=data["at"], event=data["event"],
            subject=data.get("subject"), data=data.get("data") or {},
        )
    except (ValueError, KeyError, TypeError) as exc:
        return LedgerLine(number, raw, None, f"line {number} is not a ledger entry ({exc})")
    return LedgerLine(number, raw, entry)


class Ledger:
    """The ledger file and its head file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.head_path = path.with_name(path.name + ".head")

    def lines(self) -> Iterator[LedgerLine]:
        """Every line of the ledger, parsed, in file order."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                yield parse_line(number, raw.rstrip(b"\n"))

    def entries(self) -> list[LedgerEntry]:
        """Every entry that parses, in order."""
        return [line.entry for line in self.lines() if line.entry is not None]

    def recorded_head(self) -> tuple[int, str] | None:
        """The (seq, digest) saved in the head file, or None for an empty ledger."""
        try:
            seq, digest = self.head_path.read_text(encoding="ascii").split()
        except FileNotFoundError:
            return None
        except ValueError:
            return (-1, "unreadable")
        return int(seq), digest

    def head(self) -> tuple[int, str]:
        """The last entry's (seq, digest), or (0, GENESIS) for an empty ledger."""
        last = None
        for line in self.lines():
            last = line
        if last is None or last.entry is None:
            return (0, GENESIS) if last is None else (last.number, last.digest)
        return last.entry.seq, last.digest

    def append(self, events: list[tuple[str, str | None, dict[str, Any]]], at: str) -> list[LedgerEntry]:
        """Append events (name, subject, data) chained onto the head; durable before it returns.

        The caller holds the store's write lock.
        """
        seq, prev = self._tail()
        entries = []
        chunk = bytearray()
        for event, subject, data in events:
            seq += 1
            entry = LedgerEntry(seq=seq, prev=prev, at=at, event=event, subject=subject, data=data)
            entries.append(entry)
            chunk += entry.to_line() + b"\n"
            prev = entry.digest
        if not entries:
            return entries
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, bytes(chunk))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_folder(self.path.parent)
        write_atomic(self.head_path, f"{seq} {prev}\n".encode("ascii"), mode=0o644)
        return entries

    def torn_tail(self) -> bool:
        """True when the ledger ends in a partial line: an append interrupted mid-write."""
        try:
            with open(self.path, "rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                if not size:
                    return False
                handle.seek(size - 1)
                return handle.read(1) != b"\n"
        except FileNotFoundError:
            return False

    def cut_torn_tail(self) -> bool:
        """Cut off a partial last line left by a crash mid-append (it was never acknowledged).

        The caller holds the store's write lock. Returns True when something was cut.
        """
        if not self.torn_tail():
            return False
        data = self.path.read_bytes()
        with open(self.path, "r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
            os.fsync(handle.fileno())
        return True

    def rewrite_head(self) -> None:
        """Make ``ledger.head`` name the ledger's last entry again (after an interrupted append).

        The caller holds the store's write lock.
        """
        seq, digest = self._tail()
        if seq:
            write_atomic(self.head_path, f"{seq} {digest}\n".encode("ascii"), mode=0o644)

    def _tail(self) -> tuple[int, str]:
        """The seq and digest to chain onto, repairing a torn last line left by a crash."""
        if not self.path.exists():
            return 0, GENESIS
        self.cut_torn_tail()
        with open(self.path, "rb") as handle:
            data = _read_last_line(handle)
        if not data:
            return 0, GENESIS
        last = parse_line(0, data)
        if last.entry is not None:
            return last.entry.seq, last.digest
        return sum(1 for _ in self.lines()), last.digest  # an unparsable last line: its seq is its number


TAIL_CHUNK = 1 << 16


def _read_last_line(handle) -> bytes:  # noqa: ANN001 - a binary file
    """The last complete line of a file that ends with a newline (without it); reads only the end,
    so an append costs the same however long the ledger is."""
    size = handle.seek(0, os.SEEK_END)
    chunk = TAIL_CHUNK
    while True:
        start = max(0, size - chunk)
        handle.seek(start)
        data = handle.read()
        data = data[:-1] if data.endswith(b"\n") else data
        cut = data.rfind(b"\n")
        if cut >= 0 or start == 0:
            return data[cut + 1:]
        chunk *= 4
