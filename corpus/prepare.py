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
    #: The document id: sha256 of the original bytes (worked out once, by the process that prepares it).
    raw_sha256: str = attrs.field(init=False)
    #: sha256 of the clean text's UTF-8 bytes.
    clean_sha256: str = attrs.field(init=False)

    @raw_sha256.default
    def _raw_digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @clean_sha256.default
    def _clean_digest(self) -> str:
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
