"""Atomic, durable file writes: temp file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

READ_ONLY = 0o444
PRIVATE_FOLDER = 0o755


def write_atomic(path: Path, data: bytes, *, mode: int = READ_ONLY, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see either nothing or the whole file.

    With ``durable`` the bytes and the rename reach the disk before this returns; callers that
    write many files may pass ``durable=False`` and call :func:`sync_folders` once per batch.
    """
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


def sync_paths(paths: list[Path]) -> None:
    """Make a batch of files written with ``durable=False`` durable: each file, then each folder."""
    for path in paths:
        fsync_file(path)
    for folder in sorted({path.parent for path in paths}):
        fsync_folder(folder)
