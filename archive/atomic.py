"""Atomic, durable file writes: temp file in the same folder, fsync, rename, fsync the folder.

``tempfile`` and ``ctypes`` are imported where they are used: every command imports this module,
and a search needs neither (15 ms of a cold start).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

READ_ONLY = 0o444
PRIVATE_FOLDER = 0o755


def write_atomic(path: Path, data: bytes, *, mode: int = READ_ONLY, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see either nothing or the whole file.

    With ``durable`` the bytes and the rename reach the disk before this returns; callers that
    write many files may pass ``durable=False`` and call :func:`sync_folders` once per batch.
    """
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        fsync_folder(path.parent)


def restrict_umask() -> None:
    """Keep group and others from writing anything docket creates, whatever the caller's umask."""
    os.umask(os.umask(0o022) | 0o022)


def fsync_folder(folder: Path) -> None:
    """Make a folder's entries (new names, renames) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush one already-written file's bytes to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


SYNCFS_FROM = 16  # files in a batch from which one syncfs(2) is cheaper than an fsync each


def sync_paths(paths: list[Path]) -> None:
    """Make a batch of files written with ``durable=False`` durable: each file, then each folder.

    A large batch on one filesystem is made durable by a single syncfs(2) instead (Linux): the same
    guarantee for files and folder entries, in one call rather than one fsync per file.
    """
    if len(paths) >= SYNCFS_FROM and _syncfs({path.parent for path in paths}):
        return
    for path in paths:
        fsync_file(path)
    for folder in sorted({path.parent for path in paths}):
        fsync_folder(folder)


def _syncfs(folders: set[Path]) -> bool:
    """syncfs(2) the one filesystem holding ``folders``; False when unavailable or they span several."""
    syncfs = _libc_syncfs()
    if syncfs is None or len({os.stat(folder).st_dev for folder in folders}) != 1:
        return False
    fd = os.open(next(iter(folders)), os.O_RDONLY)
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


@functools.cache
def _libc_syncfs():  # noqa: ANN202 - a ctypes function or None
    """libc's syncfs, where there is one (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
