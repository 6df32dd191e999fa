"""The index's values: what goes in (IndexedDocument), what a search asks (SearchRequest) and what
comes out (Hit, Snippet, SearchResults) — no whoosh types."""

from __future__ import annotations

import enum

import attrs

from index.dates import DateInterval


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


class Sort(enum.Enum):
    """The order of hits."""

    RELEVANCE = "relevance"
    DATE = "date"  # newest publication first; undated documents last


@attrs.frozen
class SearchFilters:
    """Restrictions on which documents match, whatever the query says.

    A date filter keeps documents whose date interval (at its precision) overlaps ``[since, until]``;
    documents without that date are left out.
    """

    since: DateInterval | None = None
    until: DateInterval | None = None
    captured_since: DateInterval | None = None
    captured_until: DateInterval | None = None
    site: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()


@attrs.frozen
class SearchRequest:
    """One search: the query text, filters, order, which page, and how hits are grouped."""

    query: str
    filters: SearchFilters = SearchFilters()
    sort: Sort = Sort.RELEVANCE
    limit: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    page: int = attrs.field(default=1, validator=attrs.validators.ge(1))
    snippets: int = 3
    group: bool = True  # fold identical and near-identical texts into one hit
    facets: bool = False


@attrs.frozen
class Snippet:
    """A passage of a hit with the character ranges ``[start, end)`` of ``text`` that matched.

    ``text`` is the passage with whitespace runs squashed and "…" where it is cut; ``start``/``end``
    is the passage's range in the document's clean text (Unicode code points), None for a title.
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    start: int | None = None
    end: int | None = None


@attrs.frozen
class Duplicate:
    """Another capture folded into a hit: the same clean text (exact) or nearly the same."""

    id: str
    clean_sha256: str
    source: str | None
    retrieved: str | None
    exact: bool
    similarity: float


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
    retrieved: str | None = None
    tags: tuple[str, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()


@attrs.frozen
class SearchResults:
    """A page of hits; ``total`` counts matching documents (duplicates included), exactly unless
    ``total_exact`` is False: then it is an estimate (a large result set whose every match was not
    looked at)."""

    query: str
    total: int
    hits: tuple[Hit, ...]
    page: int = 1
    limit: int = 10
    facets: dict[str, tuple[tuple[str, int], ...]] = attrs.field(factory=dict)
    total_exact: bool = True


@attrs.frozen
class Passage:
    """An exact passage found in a document's clean text: what ``docket quote`` cites."""

    id: str
    title: str
    clean_sha256: str
    start: int
    end: int
    text: str
    source: str | None
    retrieved: str | None
