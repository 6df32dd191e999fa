"""MinHash signatures: computed in bulk as the definition says, estimating Jaccard similarity, and
pinned, so the values an index stores do not change by accident (a change needs a schema version)."""

import random
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from index import minhash
from index.analysis import sequence_postings

PINNED_SUM, PINNED_BIN, PINNED_VALUE = 326265, 49, 2738505172241  # computed by the first schema 7 implementation
KEYS = st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=80)
FEW_KEYS = st.lists(st.sampled_from([0, 1, 7, 2**31, 2**32 - 1, 0xDEADBEEF]), max_size=40)


def sequence_of(keys: list[int]) -> bytes:
    """A sequence column value holding these term keys."""
    return struct.pack(f">{len(keys)}I", *keys)


def reference_signature(keys: list[int]) -> tuple[int, ...]:
    """The definition, one shingle at a time: each 5-key shingle's hash picks a bin by its top 6 bits,
    and each bin keeps the least of the other 46."""
    if not keys:
        return ()
    size = min(minhash.SHINGLE_TERMS, len(keys))
    bins = [minhash.EMPTY] * minhash.BINS
    for i in range(len(keys) - size + 1):
        value = minhash.shingle_hash(tuple(keys[i:i + size]))
        slot, rest = value >> minhash.REST_BITS, value & ((1 << minhash.REST_BITS) - 1)
        bins[slot] = min(bins[slot], rest)
    return tuple(bins)


@settings(max_examples=300, deadline=None)
@given(st.one_of(KEYS, FEW_KEYS))
def test_signature_is_the_definition(keys):
    """The signature (every shingle hashed at once in lanes of one integer) is the one the definition
    gives shingle by shingle: extreme keys, repeated shingles, texts shorter than a shingle."""
    assert minhash.signature(sequence_of(keys)) == reference_signature(keys)


def test_signature_of_a_long_text_is_the_definition():
    """Thousands of terms (a long report) in one integer: still the definition, bin for bin."""
    rng = random.Random(5)
    keys = [rng.getrandbits(32) for _ in range(5000)]
    assert minhash.signature(sequence_of(keys)) == reference_signature(keys)


def test_shingle_hash_spreads_over_every_bin():
    """The hash's bins are used evenly: 64,000 random shingles land 1,000 ± 150 in each bin."""
    rng = random.Random(3)
    counts = [0] * minhash.BINS
    for _ in range(64_000):
        counts[minhash.shingle_hash(tuple(rng.getrandbits(32) for _ in range(5))) >> minhash.REST_BITS] += 1
    assert 850 < min(counts) and max(counts) < 1150


def shingles(sequence: bytes) -> set[bytes]:
    return {sequence[i:i + 20] for i in range(0, len(sequence) - 16, 4)}


def test_similarity_estimates_jaccard():
    """On texts with a share of their words replaced, the estimate is within 0.2 of the true Jaccard
    similarity of their shingle sets and unbiased over many pairs; unrelated texts are near 0."""
    rng = random.Random(11)
    vocabulary = [f"word{i}" for i in range(3000)]
    errors = []
    for trial in range(60):
        words = [rng.choice(vocabulary) for _ in range(800)]
        rate = (0.01, 0.05, 0.1)[trial % 3]
        edited = [w if rng.random() > rate else f"new{rng.randrange(10**6)}" for w in words]
        a, b = (sequence_postings(" ".join(text))[1] for text in (words, edited))
        truth = len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))
        errors.append(minhash.similarity(minhash.signature(a), minhash.signature(b)) - truth)
    assert max(map(abs, errors)) < 0.2
    assert abs(sum(errors) / len(errors)) < 0.03
    unrelated = [sequence_postings(" ".join(rng.choice(vocabulary) for _ in range(800)))[1] for _ in range(2)]
    assert minhash.similarity(*map(minhash.signature, unrelated)) < 0.1


def test_signatures_of_existing_indexes_keep_their_values():
    """Pinned values (schema 7): near-duplicates are found across segments only if a text's signature
    never changes without the schema version changing with it."""
    text = "Reporters documented the evacuation of the camp near Grozny in March"
    sig = minhash.signature(sequence_postings(text)[1])
    assert (len(sig), sum(sig) % 1000003) == (64, PINNED_SUM)
    two = minhash.signature(sequence_postings("one two")[1])
    assert [n for n, v in enumerate(two) if v != minhash.EMPTY] == [PINNED_BIN]
    assert two[PINNED_BIN] == PINNED_VALUE
    assert minhash.signature(b"") == () == minhash.signature(sequence_postings(" ,.; ")[1])


def test_encoded_signatures_round_trip():
    """A signature stored in the index column reads back as itself."""
    sig = minhash.signature(sequence_of(list(range(100))))
    assert minhash.decode(minhash.encode(sig)) == sig
    assert minhash.decode(None) == () == minhash.decode(b"")
