"""Near-duplicate detection: a MinHash signature over word shingles, computed once at index time.

One-permutation MinHash: every 5-word shingle is hashed once (blake2b, stable across processes) and
the hash picks one of ``BINS`` bins by its top bits; each bin keeps its smallest value. The share of
equal bins between two signatures estimates the Jaccard similarity of their shingle sets.
Locality-sensitive hashing: ``BANDS`` bands of ``ROWS`` bins each become keys, so a search folding
its hits finds each hit's near-duplicate candidates among the groups so far by key before comparing
signatures. (The keys are not index terms: sixteen terms no other document has cost a fifth of the
terms a segment writes, and looking them up in every segment cost more than a search.)
"""

from __future__ import annotations

import re
import struct
from hashlib import blake2b

SHINGLE_WORDS = 5
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
NEAR_DUPLICATE = 0.7  # estimated Jaccard similarity from which two texts count as near-duplicates
_EMPTY = (1 << 58) - 1
_WORDS = re.compile(r"\w+")


def signature(text: str) -> tuple[int, ...]:
    """The MinHash signature of a text's lower-cased word shingles (``BINS`` values)."""
    words = [word.encode() for word in _WORDS.findall(text.lower())]
    if not words:
        return ()
    size = min(SHINGLE_WORDS, len(words))
    count = len(words) - size + 1
    bins = [_EMPTY] * BINS
    from_bytes = int.from_bytes
    # the shingles joined in C: the k-th word of every shingle is words[k:k + count]
    for shingle in map(b" ".join, zip(*(words[k:k + count] for k in range(size)), strict=True)):
        value = from_bytes(blake2b(shingle, digest_size=8).digest(), "big")
        slot, rest = value >> 58, value & _EMPTY
        if rest < bins[slot]:
            bins[slot] = rest
    return tuple(bins)


def encode(sig: tuple[int, ...]) -> bytes:
    """A signature as bytes for an index column (8 bytes a bin)."""
    return struct.pack(f">{len(sig)}Q", *sig)


def decode(data: bytes | None) -> tuple[int, ...]:
    """The signature stored by :func:`encode` (empty for a document without words)."""
    return struct.unpack(f">{len(data) // 8}Q", data) if data else ()


def band_terms(sig: tuple[int, ...]) -> list[str]:
    """The LSH band keys of a signature: two texts sharing any band are near-duplicate candidates."""
    if not sig:
        return []
    terms = []
    for band in range(BANDS):
        rows = sig[band * ROWS:(band + 1) * ROWS]
        digest = blake2b(".".join(map(str, rows)).encode(), digest_size=6).hexdigest()
        terms.append(f"{band:x}{digest}")
    return terms


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets, from their signatures."""
    if not a or not b:
        return 0.0
    used = [(x, y) for x, y in zip(a, b, strict=True) if x != _EMPTY or y != _EMPTY]
    if not used:
        return 0.0
    return sum(1 for x, y in used if x == y) / len(used)
