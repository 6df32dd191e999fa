"""The index's values: what goes in (IndexedDocument) and what comes out (Hit, Snippet)."""

from __future__ import annotations

import attrs


@attrs.frozen
class IndexedDocument:
    """One document as the index sees it; everything here is rebuilt from the archive."""

    id: str
    title: str
    body: str
    raw_sha256: str
    clean_sha256: str
    author: str | None = None
    site: str | None = None
    tags: tuple[str, ...] = ()
    published: str | None = None
    retrieved: str | None = None
    source: str | None = None


@attrs.frozen
class Snippet:
    """A passage of a hit with the character ranges ``[start, end)`` of ``text`` that matched."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


@attrs.frozen
class Hit:
    """One search result, free of whoosh types."""

    id: str
    title: str
    score: float
    published: str | None
    source: str | None
    site: str | None
    author: str | None
    raw_sha256: str
    clean_sha256: str
    snippets: tuple[Snippet, ...]


@attrs.frozen
class SearchResults:
    """A page of hits and the total number of matching documents."""

    query: str
    total: int
    hits: tuple[Hit, ...]
