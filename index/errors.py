"""Errors of the search index."""

from __future__ import annotations


class IndexError_(Exception):
    """Base class of everything the index raises."""


class QuerySyntaxError(IndexError_, ValueError):
    """A query that cannot be parsed; the message says what is wrong and how to write it."""

    def __init__(self, query: str, reason: str) -> None:
        self.query = query
        self.reason = reason
        super().__init__(f"cannot parse query {query!r}: {reason}")


class IndexMissing(IndexError_):
    """The store has no search index yet."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"no search index at {path}; run `docket ingest` or `docket reindex`")


class IndexOutdated(IndexError_):
    """The index was built by a docket whose analysis differs: it must be rebuilt."""

    def __init__(self, path: str, found: str | None, expected: str) -> None:
        self.path = path
        self.found = found
        self.expected = expected
        super().__init__(f"the search index at {path} was built with schema {found or '1'}; this docket uses "
                         f"schema {expected}: run `docket reindex`")


class IndexBusy(IndexError_):
    """Another writer held the index's write lock for too long."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"the search index at {path} stayed locked by another writer; try again, and if it "
                         "persists run `docket repair`")


class IndexingFailed(IndexError_):
    """An indexing process failed; the documents are stored and logged, only their indexing is unfinished."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"indexing into {path} failed ({reason}); the documents are stored and logged: "
                         "run `docket repair` to index them")
