"""Marks of unfinished writes: one file per writing process, locked for as long as that process lives.

A writer sets its mark before it writes anything a crash could leave half done (a batch of objects
and records, documents logged but not yet indexed) and clears it when all of that is finished. The
mark holds an exclusive ``flock`` that the kernel drops when the process dies, so a mark nobody holds
is a dead writer's: the store was left in the middle of a write and needs finishing (repair), while
a mark still held belongs to a writer that is alive and will finish its own work. Marks are set,
cleared and inspected under the store's write lock.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import time
from pathlib import Path

from archive.atomic import fsync_folder

MARK_PREFIX = "write.pending"  # "write.pending" alone is the mark of docket versions before per-process marks


class WriteMark:
    """This process's mark of unfinished writes under an archive root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._fd: int | None = None
        self._path: Path | None = None

    @property
    def is_set(self) -> bool:
        """True while this process has unfinished writes marked."""
        return self._fd is not None

    def set(self) -> None:
        """Mark, durably, that this process has unfinished writes (a no-op when already set).

        The file is created and locked under a temporary name, then renamed, so no other process can
        see it unlocked and take it for a dead writer's.
        """
        if self._fd is not None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"{MARK_PREFIX}.{os.getpid()}.{secrets.token_hex(4)}"
        temp = self.root / f".mark-{name}"
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n".encode("ascii"))
            os.fsync(fd)
            os.replace(temp, self.root / name)
        except BaseException:
            os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        fsync_folder(self.root)
        self._fd, self._path = fd, self.root / name

    def clear(self) -> None:
        """Everything marked is finished: remove the mark (a no-op when not set)."""
        if self._fd is None or self._path is None:
            return
        try:
            self._path.unlink(missing_ok=True)
            fsync_folder(self.root)
        finally:
            os.close(self._fd)
            self._fd = self._path = None


def _marks(root: Path) -> list[Path]:
    """Every mark file under ``root``."""
    try:
        return sorted(p for p in root.iterdir() if p.name.startswith(MARK_PREFIX) and p.is_file())
    except FileNotFoundError:
        return []


def _held(path: Path) -> bool:
    """True when a live process holds the mark at ``path``."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return False


def abandoned_marks(root: Path) -> list[Path]:
    """Marks whose writer died before finishing: the store needs repair."""
    return [path for path in _marks(root) if not _held(path)]


def live_marks(root: Path, mine: WriteMark | None = None) -> list[Path]:
    """Marks of writers still at work (other than ``mine``): their documents are not all indexed yet."""
    own = mine._path if mine is not None else None
    return [path for path in _marks(root) if path != own and _held(path)]


def remove_marks(root: Path, marks: list[Path]) -> None:
    """Remove abandoned marks once their unfinished work has been finished."""
    for path in marks:
        path.unlink(missing_ok=True)
    if marks:
        fsync_folder(root)
