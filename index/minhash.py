"""Near-duplicate detection: a MinHash signature over 5-term shingles, computed once at index time.

One-permutation MinHash over the body's term sequence (the 4-byte term keys of its sequence column,
index/analysis.py, so stemmed words: an inflection does not make a copy look different). Each 5-term
shingle hashes to 64 bits: the weighted sum of its keys (``MULTIPLIERS``), mixed by MurmurHash3's
64-bit finaliser. Of its low 52 bits, the top 6 pick one of ``BINS`` bins; each bin keeps the least
of the other 46. The share of equal bins between two signatures estimates the Jaccard similarity of
their shingle sets. Locality-sensitive hashing: ``BANDS`` bands of ``ROWS`` bins each become keys, so
a search folding its hits finds each hit's near-duplicate candidates among the groups so far by key
before comparing signatures. (The keys are not index terms: sixteen terms no other document has cost
a fifth of the terms a segment writes, and looking them up in every segment cost more than a search.)

Hashing every shingle one by one (a blake2b call each) took 4.6 ms of a real page (an hour in which
its whole ingest took ~60 ms of CPU); here all of a document's shingles are hashed at once, in
big-integer arithmetic: each key sits in a 128-bit lane of one integer, so a shift, a mask or a
multiplication by a constant below 2**64 works on every lane in one C loop without carrying into
the next lane (1.2 ms the same page, the same hour).
:func:`shingle_hash` is the definition, one shingle at a time.
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from hashlib import blake2b

SHINGLE_TERMS = 5
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
NEAR_DUPLICATE = 0.7  # estimated Jaccard similarity from which two texts count as near-duplicates
EMPTY = (1 << 58) - 1  # an empty bin (above every 46-bit value a bin can keep)
HASH_BITS = 52  # of a shingle's 64-bit hash: the top 6 pick the bin, the rest is what the bin keeps
REST_BITS = HASH_BITS - 6
#: one odd multiplier below 2**30 per shingle position: a key (< 2**32) times it stays below 2**62
#: and five such products below 2**65, so the sum never leaves its 128-bit lane
MULTIPLIERS = (0x2545F491, 0x1B873593, 0x3C6EF372, 0x27D4EB2F, 0x165667B1)
_MIX = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)  # MurmurHash3's fmix64 constants
_MASK64 = (1 << 64) - 1
_KEY = 4  # bytes of a term key in a sequence column
_LANE = 16  # bytes of a lane
_LOW_LANE = b"\xff" * 8 + b"\0" * 8  # a lane's low 64 bits (little-endian)
_HASH_MASK = (1 << HASH_BITS) - 1
_HASH_LANE = _HASH_MASK.to_bytes(_LANE, "little")  # a lane's low 52 bits
_REST_MASK = (1 << REST_BITS) - 1
# a hash's 52 bits as the mantissa of a double with exponent 0 (a float in [1, 2)) keep their order,
# and a list of floats sorts several times faster than one of 64-bit integers (normal floats, not
# subnormal ones: a library that sets the CPU's denormals-are-zero flag would make those all equal)
_ONE = 0x3FF << 52  # the bits of 1.0
_ONE_LANE = _ONE.to_bytes(_LANE, "little")
_BIN_STARTS = struct.unpack(f"<{BINS + 1}d",
                            struct.pack(f"<{BINS + 1}Q", *(_ONE + (b << REST_BITS) for b in range(BINS + 1))))


def _fmix64(value: int) -> int:
    """MurmurHash3's 64-bit finaliser (a bijection that spreads every input bit over the output)."""
    value ^= value >> 33
    value = (value * _MIX[0]) & _MASK64
    value ^= value >> 33
    value = (value * _MIX[1]) & _MASK64
    return value ^ (value >> 33)


def shingle_hash(keys: tuple[int, ...]) -> int:
    """The definition of a shingle's hash: ``HASH_BITS`` bits of the mixed weighted sum of its term keys."""
    total = sum(key * multiplier for key, multiplier in zip(keys, MULTIPLIERS, strict=False))
    return _fmix64(total & _MASK64) & _HASH_MASK


def signature(sequence: bytes) -> tuple[int, ...]:
    """The MinHash signature (``BINS`` values) of a term sequence column value (4-byte big-endian keys,
    index/analysis.py); empty for a text without terms."""
    terms = len(sequence) // _KEY
    if not terms:
        return ()
    size = min(SHINGLE_TERMS, terms)
    count = terms - size + 1
    # lane i of ``keys`` holds key i (little-endian lanes; each key's bytes reversed into place)
    lanes = bytearray(_LANE * terms)
    lanes[0::_LANE], lanes[1::_LANE], lanes[2::_LANE], lanes[3::_LANE] = (
        sequence[3::_KEY], sequence[2::_KEY], sequence[1::_KEY], sequence[0::_KEY])
    keys = int.from_bytes(lanes, "little")
    total = keys * MULTIPLIERS[0]
    for offset in range(1, size):  # lane i gets key i + offset
        total += (keys >> (8 * _LANE * offset)) * MULTIPLIERS[offset]
    low = int.from_bytes(_LOW_LANE * count, "little")
    value = total & low  # the first ``count`` lanes, each mod 2**64: fmix64 lane by lane
    value ^= value >> 33 & low
    value = value * _MIX[0] & low
    value ^= value >> 33 & low
    value = value * _MIX[1] & low
    value = (value ^ value >> 33) & int.from_bytes(_HASH_LANE * count, "little")
    value |= int.from_bytes(_ONE_LANE * count, "little")  # each lane's low 8 bytes: a float in [1, 2)
    hashes = sorted(struct.unpack(f"<{2 * count}d", value.to_bytes(_LANE * count, "little"))[::2])
    bins = [EMPTY] * BINS
    for slot in range(BINS):  # a bin's least hash: the first at or after its start, if still in it
        at = bisect_left(hashes, _BIN_STARTS[slot])
        if at < count and hashes[at] < _BIN_STARTS[slot + 1]:
            bins[slot] = struct.unpack("<Q", struct.pack("<d", hashes[at]))[0] & _REST_MASK
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
    used = [(x, y) for x, y in zip(a, b, strict=True) if x != EMPTY or y != EMPTY]
    if not used:
        return 0.0
    return sum(1 for x, y in used if x == y) / len(used)
