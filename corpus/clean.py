"""The cleaner docket runs: HTML or text in, a CleanResult out; its name and version for provenance.

Bump CLEANER_VERSION whenever a rule changes what is kept: the same bytes and the same version must
always give the same clean digest, and `docket verify` re-derives clean texts with it.
"""

from __future__ import annotations

from corpus.cleaned import CleanResult
from corpus.readers import MediaType

CLEANER_NAME = "docket.clean"
CLEANER_VERSION = "1"


def clean_document(text: str, media_type: MediaType, url: str | None = None) -> CleanResult:
    """Clean one decoded document with the cleaner for its media type."""
    if media_type is MediaType.HTML:
        from corpus.clean_html import clean_html

        return clean_html(text, url=url)
    from corpus.clean_text import clean_text

    return clean_text(text)


def cleaner_settings(media_type: MediaType) -> dict[str, object]:
    """The settings recorded with each derivation (which input path of the cleaner ran)."""
    return {"input": media_type.value}
