"""From captured bytes to everything a document's record needs: decode, clean, hash. Pure; no disk."""

from __future__ import annotations

import hashlib

import attrs

from corpus.clean import clean_document
from corpus.cleaned import CleanResult
from corpus.decode import decode_bytes
from corpus.errors import NoContent
from corpus.readers import MediaType


@attrs.frozen
class Prepared:
    """A document ready to store: original bytes, how they decoded, the cleaning and the digests."""

    raw: bytes
    media_type: MediaType
    encoding: str
    result: CleanResult
    clean_bytes: bytes

    @property
    def raw_sha256(self) -> str:
        """The document id: sha256 of the original bytes."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def clean_sha256(self) -> str:
        """sha256 of the clean text's UTF-8 bytes."""
        return hashlib.sha256(self.clean_bytes).hexdigest()


def clean_bytes_of(result: CleanResult) -> bytes:
    """The stored form of a clean text: the body as UTF-8 with one final newline."""
    return (result.body.strip() + "\n").encode("utf-8")


def prepare(raw: bytes, label: str, media_type: MediaType, url: str | None = None) -> Prepared:
    """Decode and clean ``raw``; raises an InputError naming ``label`` when it cannot be a document."""
    decoded = decode_bytes(raw, label)
    result = clean_document(decoded.text, media_type, url=url)
    if not result.body.strip():
        raise NoContent(label)
    return Prepared(raw=raw, media_type=media_type, encoding=decoded.encoding, result=result,
                    clean_bytes=clean_bytes_of(result))
