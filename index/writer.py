"""Writing the index: add or replace documents by id in batches, delete, rebuild, list contents."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import writing as whoosh_writing
from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index

from index import minhash
from index.analysis import sequence_postings
from index.dates import DateInterval
from index.errors import IndexMissing, IndexOutdated
from index.schema import SCHEMA_VERSION, build_schema
from index.values import IndexedDocument

INDEX_NAME = "docket"
EPOCH = datetime(1970, 1, 1)
UNDATED_ORDER = -(2**62)  # sorts after every real date when newest come first


def exists(path: Path) -> bool:
    """True when a docket index is at ``path``."""
    return path.is_dir() and whoosh_index.exists_in(str(path), indexname=INDEX_NAME)


def schema_version(path: Path) -> str | None:
    """The schema version an existing index was built with (None when it does not say)."""
    try:
        return (path / "SCHEMA_VERSION").read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def open_index(path: Path, *, create: bool = False, check_version: bool = True) -> Index:
    """Open the index at ``path``; with ``create`` make an empty one if there is none.

    An index built with another schema version raises IndexOutdated: its terms were analyzed
    differently, so queries would silently miss; ``docket reindex`` rebuilds it.

    Segments are read through the file, never mapped: whoosh opens each part of a
    mapped compound segment as an in-memory copy of it, so opening a 100,000-document index read
    1.2 GB into memory (5 s and 2.6 GB resident for one cold search; 0.6 s and 39 MB read through the file).
    """
    storage = FileStorage(str(path), supports_mmap=False)
    if exists(path):
        found = schema_version(path)
        if check_version and found != SCHEMA_VERSION:
            raise IndexOutdated(str(path), found, SCHEMA_VERSION)
        return storage.open_index(indexname=INDEX_NAME)
    if not create:
        raise IndexMissing(str(path))
    path.mkdir(parents=True, exist_ok=True)
    (path / "SCHEMA_VERSION").write_text(SCHEMA_VERSION + "\n", encoding="ascii")
    return storage.create_index(build_schema(), indexname=INDEX_NAME)


class Reading:
    """A searcher of an index's latest generation, kept open between searches in this thread.

    Opening an index's segments costs tens of milliseconds, more than a search itself; a process that
    searches again (the search library, a server) reuses them until a commit or a rebuild changes the
    folder. ``with`` gives the searcher and leaves it open for the next search.
    """

    _cache = threading.local()

    def __init__(self, path: Path) -> None:
        token = _folder_token(path)
        cached = getattr(self._cache, "open", {}).get(path)
        if cached is None or cached[0] != token:
            searcher = open_index(path).searcher()
            if cached is not None:
                cached[1].close()
            self._cache.__dict__.setdefault("open", {})[path] = (token, searcher)
            cached = (token, searcher)
        self.searcher = cached[1]
        self.schema = self.searcher.schema

    def __enter__(self):  # noqa: ANN204 - a whoosh Searcher
        return self.searcher

    def __exit__(self, *exc_info: object) -> None:
        return None


def _folder_token(path: Path) -> tuple[int, int, str | None]:
    """What changes when the index at ``path`` does: a commit writes a new TOC (the folder's mtime),
    a rebuild swaps the folder (its inode); with the schema version it was built with."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise IndexMissing(str(path)) from None
    return stat.st_ino, stat.st_mtime_ns, schema_version(path)


def to_fields(doc: IndexedDocument) -> dict[str, object]:
    """The whoosh field values of one document."""
    fields: dict[str, object] = {
        "id": doc.id,
        "title": doc.title,
        "body": doc.body,
        "raw_sha256": doc.raw_sha256,
        "clean_sha256": doc.clean_sha256,
        "published_text": doc.published,
        "retrieved_text": doc.retrieved,
        "source": doc.source,
    }
    if doc.author:
        fields["author"] = doc.author
    if doc.site:
        fields["site"] = doc.site
        fields["site_key"] = doc.site
    if doc.tags:
        fields["tag"] = ",".join(doc.tags)
    published = DateInterval.parse_or_none(doc.published)
    fields["published_order"] = UNDATED_ORDER if published is None else int(
        (published.start - EPOCH).total_seconds())
    if published is not None:
        fields["published_start"] = published.start
        fields["published_end"] = published.last
        fields["year"] = published.start.year
    retrieved = DateInterval.parse_or_none(doc.retrieved)
    if retrieved is not None:
        fields["retrieved_start"] = retrieved.start
        fields["retrieved_end"] = retrieved.last
    # the title and body fields reuse the postings worked out with their columns
    _postings, fields["title_sequence"], fields["title_joined"] = sequence_postings(doc.title)
    _postings, fields["body_sequence"], fields["body_joined"] = sequence_postings(doc.body)
    signature = minhash.signature(fields["body_sequence"])
    if signature:
        fields["minhash"] = minhash.encode(signature)
    return fields


def feed(writer, docs: Iterable[IndexedDocument], *, replace: bool) -> int:  # noqa: ANN001 - whoosh writer
    """Give ``docs`` to a whoosh writer (replacing by id, or adding); cancels the writer on any error."""
    method = writer.update_document if replace else writer.add_document
    count = 0
    try:
        for doc in docs:
            method(**to_fields(doc))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    return count


def write_documents(path: Path, docs: Iterable[IndexedDocument], *, limitmb: int = 256) -> int:
    """Add or replace (by id) documents in one commit; returns how many were written."""
    ix = open_index(path, create=True)
    writer = ix.writer(limitmb=limitmb)
    count = feed(writer, docs, replace=True)
    if count:
        writer.commit()
    else:
        writer.cancel()
    return count


MANY_SEGMENTS = 8


def merge_small_segments(path: Path) -> bool:
    """When the index has grown many segments (many small ingests), merge the small ones (whoosh's
    MERGE_SMALL policy, which leaves large segments alone); True when it committed a merge."""
    ix = open_index(path)
    if len(ix._segments()) <= MANY_SEGMENTS:
        return False
    writer = ix.writer()
    writer.commit(mergetype=whoosh_writing.MERGE_SMALL)
    return True


def index_files(path: Path) -> list[Path]:
    """The files of the index folder (not its staging folders): what a commit must make durable."""
    try:
        return [entry for entry in path.iterdir() if entry.is_file()]
    except FileNotFoundError:
        return []


def delete_documents(path: Path, ids: Iterable[str]) -> int:
    """Remove documents by id; returns how many index entries were removed."""
    ix = open_index(path)
    writer = ix.writer()
    removed = 0
    for doc_id in ids:
        removed += writer.delete_by_term("id", doc_id)
    writer.commit()
    return removed


def rebuild(path: Path, docs: Iterable[IndexedDocument]) -> int:
    """Rebuild the index from ``docs``; returns the document count.

    An index of the current schema is replaced by one commit that drops every old segment, so a
    search running meanwhile sees the old documents or the new ones, never no index. An index of
    another schema is built beside the old one and swapped in.
    """
    if exists(path) and schema_version(path) == SCHEMA_VERSION:
        writer = open_index(path).writer(limitmb=256)
        count = feed(writer, docs, replace=False)
        writer.commit(mergetype=whoosh_writing.CLEAR)
        return count
    fresh = path.with_name(path.name + ".rebuild")
    shutil.rmtree(fresh, ignore_errors=True)
    ix = open_index(fresh, create=True)
    writer = ix.writer(limitmb=256)
    try:
        count = feed(writer, docs, replace=False)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    writer.commit(optimize=True)
    swap_in(fresh, path)
    return count


def swap_in(fresh: Path, path: Path) -> None:
    """Put the index built at ``fresh`` in the place of the one at ``path`` (which is deleted)."""
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def indexed_digests(path: Path) -> dict[str, tuple[str, str]]:
    """Every indexed document id mapped to its (raw_sha256, clean_sha256); empty with no index."""
    if not exists(path):
        return {}
    ix = open_index(path, check_version=False)  # ids and digests read the same in every version
    with ix.searcher() as searcher:
        return {
            fields["id"]: (fields.get("raw_sha256", ""), fields.get("clean_sha256", ""))
            for fields in searcher.all_stored_fields()
        }
