"""The provenance record: everything known about one document, from original bytes to clean text."""

from __future__ import annotations

import attrs

from archive.digest import _check_hex


@attrs.frozen
class OriginalFacts:
    """The captured bytes and what is known of their capture (None where the source does not say)."""

    sha256: str = attrs.field(validator=_check_hex)
    size: int
    media_type: str
    filename: str | None = None
    encoding: str | None = None
    source_url: str | None = None
    retrieved_at: str | None = None


@attrs.frozen
class CleanFacts:
    """The derived clean text (UTF-8) and how it was derived from the original."""

    sha256: str = attrs.field(validator=_check_hex)
    size: int
    cleaner: str
    cleaner_version: str
    settings: dict[str, object] = attrs.field(factory=dict)


@attrs.frozen
class Removal:
    """One block the cleaner removed, with the rule that removed it."""

    rule: str
    text: str


@attrs.frozen
class DocumentMetadata:
    """What a reader sees about the document."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    published_precision: str | None = None
    site: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    canonical_url: str | None = None


@attrs.frozen
class IngestFacts:
    """Who ingested the document, when, and with which docket version."""

    by: str
    at: str
    docket_version: str
    note: str | None = None


@attrs.frozen
class ProvenanceRecord:
    """One document: its original, its clean text, what the cleaner removed, metadata and ingest.

    The document id is the original's sha256. ``previous_version`` links a new capture of the same
    source URL to the document it supersedes.
    """

    original: OriginalFacts
    clean: CleanFacts
    metadata: DocumentMetadata
    ingest: IngestFacts
    removed: tuple[Removal, ...] = ()
    previous_version: str | None = None

    @property
    def id(self) -> str:
        """The document id: the sha256 of the original bytes."""
        return self.original.sha256
