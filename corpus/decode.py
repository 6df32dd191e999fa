"""Bytes to text: BOMs, declared charsets, strict UTF-8, then detection; binary input refused."""

from __future__ import annotations

import codecs
import re

import attrs
import charset_normalizer

from corpus.errors import BinaryInput, EmptyInput, UndecodableInput

# Signatures of common binary formats that are never documents docket can read as text.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"RIFF", "a RIFF media file"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"wOFF", "a web font"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
CONTROL_SHARE_LIMIT = 0.02
COMMON_ON_THE_WEB = ("utf_8", "cp1252", "cp1251", "cp1250", "koi8_r", "gb18030", "shift_jis", "euc_kr", "big5")
CHAOS_SLACK = 0.1
COHERENCE_SLACK = 0.05
#: Control characters other than the whitespace ones (tab, newline, vertical tab, form feed, return).
CONTROL_CHARS = tuple(chr(code) for code in (*range(0x00, 0x09), *range(0x0E, 0x20)))


@attrs.frozen
class Decoded:
    """Text decoded from bytes, and the encoding that decoded it."""

    text: str
    encoding: str


def binary_kind(data: bytes) -> str | None:
    """What binary format ``data`` is, or None if it may be text."""
    for magic, kind in BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML or XML document declares in its first 4 KB, if a codec knows it."""
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _control_share(text: str) -> float:
    """The share of characters that are control characters other than whitespace."""
    if not text:
        return 0.0
    sample = text[:65536]
    # a fast scan per character ("in" is a memchr) beats a Python loop or a regex over every character
    controls = sum(sample.count(char) for char in CONTROL_CHARS if char in sample)
    return controls / len(sample)


def _accept(text: str, encoding: str, path: str) -> Decoded:
    """Refuse decoded text that is mostly control characters (binary data that happened to decode)."""
    if "\x00" in text[:65536] or _control_share(text) > CONTROL_SHARE_LIMIT:
        raise BinaryInput(path, "it holds control characters that text does not")
    if not text.strip():
        raise EmptyInput(path, "only whitespace")
    return Decoded(text, encoding)


def decode_bytes(data: bytes, path: str = "<input>") -> Decoded:
    """Decode a document's bytes to text, or raise an InputError that says why not."""
    if not data.strip():
        raise EmptyInput(path)
    kind = binary_kind(data)
    if kind:
        raise BinaryInput(path, f"it is {kind}")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return _accept(data.decode(encoding), encoding, path)
            except UnicodeDecodeError as exc:
                raise UndecodableInput(path, f"starts with a {encoding} byte-order mark but {exc.reason}") from None
    declared = declared_charset(data)
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return _accept(data.decode(encoding), encoding, path)
        except UnicodeDecodeError:
            continue
    if b"\x00" in data[:4096] and not _looks_utf16(data):
        raise BinaryInput(path, "it holds NUL bytes")
    best = guess_encoding(data)
    if best is None:
        raise UndecodableInput(path)
    try:
        return _accept(data.decode(best), best, path)
    except UnicodeDecodeError:
        raise UndecodableInput(path, f"guessed {best} but the bytes do not decode") from None


def guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's guess, nudged towards the encodings common on the web.

    Short Latin text fits many single-byte code pages equally well; among near-equal candidates
    the one web pages actually use (cp1252, cp1251, ...) is the better bet.
    """
    matches = list(charset_normalizer.from_bytes(data[:262144]))
    if not matches:
        return None
    best = matches[0]
    for name in COMMON_ON_THE_WEB:
        for match in matches:
            if (match.encoding == name and match.chaos <= best.chaos + CHAOS_SLACK
                    and match.coherence >= best.coherence - COHERENCE_SLACK):
                return name
    return best.encoding


def _looks_utf16(data: bytes) -> bool:
    """True when every other byte of the start is NUL, as in BOM-less UTF-16 text."""
    head = data[:4096]
    even, odd = head[0::2], head[1::2]
    return len(head) >= 8 and (even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd))
