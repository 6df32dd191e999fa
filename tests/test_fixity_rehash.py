"""Re-hashing objects: chunked reads for large objects, missing and corrupt objects named, in threads or not."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import make_writable

from archive.archive import Archive
from archive.digest import CHUNK, sha256_file
from archive.fixity import rehash_objects, verify_archive


def test_a_large_object_is_re_hashed_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An object of several CHUNKs is read CHUNK bytes at a time (memory stays flat) and hashed whole."""
    archive = Archive(tmp_path / "archive")
    data = os.urandom(2 * CHUNK + 12345)
    digest, _ = archive.objects.put(data, durable=False)
    asked: list[int] = []
    real_read = os.read

    def spy(fd: int, size: int) -> bytes:
        asked.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", spy)
    assert {digest.hex: digest.hex} == rehash_objects(archive, [digest.hex], workers=1)
    assert len(asked) >= 4 and max(asked) <= CHUNK  # three pieces and the read that finds the end
    asked.clear()
    assert digest.hex == sha256_file(archive.objects.path_of(digest.hex))
    assert len(asked) >= 4 and max(asked) <= CHUNK


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_missing_and_corrupt_objects_are_named_whatever_the_threads(tmp_path: Path, workers: int) -> None:
    """A deleted object (or its whole fan-out folder) maps to None, a changed one to what its bytes hash to,
    every other object to its own digest, and the empty object hashes too."""
    archive = Archive(tmp_path / "archive")
    digests = [archive.objects.put(f"object {i}\n".encode() * (i + 1), durable=False)[0].hex for i in range(200)]
    digests.append(archive.objects.put(b"", durable=False)[0].hex)
    missing, corrupt = digests[7], digests[50]
    archive.objects.path_of(missing).unlink()
    path = archive.objects.path_of(corrupt)
    make_writable(path)
    path.write_bytes(b"changed")
    gone_fan = next(d for d in digests if d[:2] not in (missing[:2], corrupt[:2]))
    shutil.rmtree(archive.objects.path_of(gone_fan).parent)
    gone = {d for d in digests if d[:2] == gone_fan[:2]}
    found = rehash_objects(archive, digests, workers=workers)
    assert list(found) == digests
    assert found[missing] is None and all(found[d] is None for d in gone)
    assert hashlib.sha256(b"changed").hexdigest() == found[corrupt]
    assert all(found[d] == d for d in digests if d not in gone | {missing, corrupt})


def test_full_verify_names_a_record_size_that_the_intact_object_does_not_have(seeded_store: Path) -> None:
    """The size check uses the bytes re-hashed: a record claiming another size is an object-size problem."""
    archive = Archive(seeded_store / "archive")
    doc_id = next(archive.document_ids())
    path = archive.record_path(doc_id)
    record = json.loads(path.read_bytes())
    true_size = record["original"]["size"]
    record["original"]["size"] = true_size + 3
    make_writable(path)
    path.write_bytes(json.dumps(record, separators=(",", ":"), sort_keys=True).encode())
    sizes = [p for p in verify_archive(archive) if p.kind == "object-size"]
    assert [(doc_id, str(true_size + 3), str(true_size))] == [(p.document, p.expected, p.found) for p in sizes]
