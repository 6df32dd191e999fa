"""Index segments built in indexing processes and committed by the writing process.

whoosh indexes in pure Python: analysing text, sorting postings and writing a segment cost several
milliseconds a document, more than the rest of an ingest together. So an ingest's indexing processes
build large segments themselves (:class:`SegmentBuild`, fed batch after batch), while the writing
process only moves finished segments into the index and lists them in a new generation
(:func:`commit_segments`), which takes milliseconds. Large segments need no merging: whoosh merges
by re-sorting every posting in Python, which costs more than indexing the documents afresh.

An indexing process writes into its own staging folder (``index/.staging/<pid>/``, an empty index of
its own with the same name and schema), so neither whoosh's clean-up of unlisted files nor another
process's temporary files can touch a segment being built; committing renames the finished segment
file into the index folder.
This leans on whoosh 2.7.5 internals (``SegmentWriter(_lk=False)``, ``_finalize_segment``, ``TOC``)
exactly as whoosh's own ``MpWriter`` does; whoosh is pinned for that reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import attrs
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.writing import SegmentWriter

from index.errors import IndexBusy
from index.postings_pool import GroupedPostingPool, postings_codec, write_postings
from index.schema import build_schema
from index.values import IndexedDocument
from index.writer import INDEX_NAME, feed, open_index

STAGING_FOLDER = ".staging"  # whoosh ignores names starting with a dot in an index folder
LOCK_TIMEOUT = 60.0


@attrs.frozen
class BuiltSegment:
    """A segment a worker wrote into its staging folder, waiting to be committed."""

    folder: str
    segment: object  # a whoosh segment, its file still in ``folder``
    documents: int

    @property
    def segment_id(self) -> str:
        """The segment's id once committed to the index."""
        return self.segment.segment_id()


def _staging_index(path: Path):  # noqa: ANN202 - a whoosh Index
    """This process's staging index beside the index at ``path`` (created on first use)."""
    folder = path / STAGING_FOLDER / str(os.getpid())
    storage = FileStorage(str(folder), supports_mmap=False)
    if not (folder / f"_{INDEX_NAME}_0.toc").exists():
        folder.mkdir(parents=True, exist_ok=True)
        return storage.create_index(build_schema(), indexname=INDEX_NAME)
    return storage.open_index(indexname=INDEX_NAME)


class _StagingWriter(SegmentWriter):
    """whoosh's segment writer, with postings grouped by term as they come and written a block at a
    time (index/postings_pool.py)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs) -> None:  # noqa: ANN001, ANN003 - whoosh's
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = GroupedPostingPool(self._tempstorage, limitmb=limitmb)
        self.fieldwriter._codec = postings_codec()  # noqa: SLF001 - postings only; the segment's codec stays whoosh's

    def _flush_segment(self) -> None:
        """Write the segment's postings (whoosh's ``_flush_segment``, without a call per posting)."""
        self.perdocwriter.close()
        reader = self.per_document_reader()
        count = self.docnum - self.docbase

        def lengths_of(fieldname: str) -> Sequence[int]:
            if not self.schema[fieldname].scorable:  # whoosh keeps no lengths for it
                return _NO_LENGTHS
            return [reader.doc_field_length(doc, fieldname, 0) for doc in range(count)]

        try:
            write_postings(self.fieldwriter, self.schema, lengths_of, self.pool.grouped())
        finally:
            reader.close()
        self.fieldwriter.close()


class _Zeros:
    """Every document's length of a field without lengths."""

    def __getitem__(self, _docnum: int) -> int:
        return 0


_NO_LENGTHS = _Zeros()


class SegmentBuild:
    """A segment being built in this process's staging folder from documents added batch by batch.

    An indexing process keeps one open across many batches, so an ingest writes a few large segments
    (no merging) rather than many small ones.
    """

    def __init__(self, path: Path, limitmb: int = 128) -> None:
        staging = _staging_index(path)
        self.folder = staging.storage.folder
        self.writer = _StagingWriter(staging, _lk=False, limitmb=limitmb)  # the segment is this process's alone
        self.documents = 0

    def add(self, docs: Sequence[IndexedDocument]) -> None:
        """Index ``docs`` into the segment."""
        self.documents += feed(self.writer, docs, replace=False)

    def finish(self) -> BuiltSegment:
        """Write the segment out; it waits in the staging folder until committed."""
        segment = self.writer._finalize_segment()
        self.writer._finish()
        return BuiltSegment(self.folder, segment, self.documents)

    def cancel(self) -> None:
        """Drop the segment and its temporary files."""
        self.writer.cancel()


def commit_segments(path: Path, built: Sequence[BuiltSegment], *, replace: bool = False) -> None:
    """Writer side: move built segments into the index and list them in one new generation (with
    ``replace``, instead of every segment it had: a search sees the old documents or the new)."""
    index = open_index(path, create=True)
    lock = index.lock("WRITELOCK")
    if not _acquire(lock):
        raise IndexBusy(str(path))
    try:
        toc = index._read_toc()
        segments = [*([] if replace else toc.segments), *(_move_into(path, item) for item in built)]
        TOC(index.schema, segments, toc.generation + 1).write(index.storage, INDEX_NAME)
        clean_files(index.storage, INDEX_NAME, toc.generation + 1, segments)
    finally:
        lock.release()


def _acquire(lock) -> bool:  # noqa: ANN001 - a whoosh lock
    """Take whoosh's index write lock, waiting up to LOCK_TIMEOUT (a search never holds it)."""
    import time

    deadline = time.monotonic() + LOCK_TIMEOUT
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _move_into(path: Path, item: BuiltSegment) -> object:
    """Rename a built segment's files from its staging folder into the index folder."""
    prefix = f"{item.segment_id}."
    for name in os.listdir(item.folder):
        if name.startswith(prefix):
            os.replace(os.path.join(item.folder, name), path / name)
    return item.segment


def discard(built: Sequence[BuiltSegment]) -> None:
    """Delete built segments that will not be committed."""
    for item in built:
        prefix = f"{item.segment_id}."
        for name in os.listdir(item.folder):
            if name.startswith(prefix):
                os.unlink(os.path.join(item.folder, name))


def remove_staging(path: Path, pids: Sequence[int] | None = None) -> None:
    """Remove the staging folders of the given worker processes (or of every process no longer alive)."""
    root = path / STAGING_FOLDER
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.name.isdigit():
            continue
        pid = int(folder.name)
        if (pids is not None and pid in pids) or (pids is None and not _alive(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """True when a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

