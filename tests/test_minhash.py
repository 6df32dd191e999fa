"""MinHash signatures: the values stored in existing indexes must not change with the code computing them."""

from hashlib import blake2b

from hypothesis import given, settings
from hypothesis import strategies as st

from index import minhash

WORDS = st.sampled_from(["the", "camp", "Grozny", "évacuation", "report", "of", "1999", "a", "network", "ЛЮДИ"])


def reference_signature(text: str) -> tuple[int, ...]:
    """The definition, one shingle at a time: each 5-word shingle's blake2b (8 bytes) picks a bin by its
    top 6 bits, and each bin keeps the least of the other 58."""
    words = [w.encode() for w in minhash._WORDS.findall(text.lower())]  # noqa: SLF001
    if not words:
        return ()
    size = min(minhash.SHINGLE_WORDS, len(words))
    bins = [minhash._EMPTY] * minhash.BINS  # noqa: SLF001
    for i in range(len(words) - size + 1):
        value = int.from_bytes(blake2b(b" ".join(words[i:i + size]), digest_size=8).digest(), "big")
        slot, rest = value >> 58, value & minhash._EMPTY  # noqa: SLF001
        bins[slot] = min(bins[slot], rest)
    return tuple(bins)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=60).map(" ".join))
def test_signature_is_the_definition(text):
    """The signature (computed in bulk) is the one the definition gives shingle by shingle."""
    assert minhash.signature(text) == reference_signature(text)


def test_signatures_of_existing_indexes_keep_their_values():
    """Pinned values, computed by the first implementation: near-duplicates are found across indexes
    written by different versions only if a text's signature never changes."""
    sig = minhash.signature("Reporters documented the evacuation of the camp near Grozny in March")
    assert (len(sig), sum(sig) % 1000003) == (64, 409950)
    assert [n for n, v in enumerate(minhash.signature("one two")) if v != minhash._EMPTY] == [1]  # noqa: SLF001
    assert minhash.signature("one two")[1] == 273467349104454749
    assert minhash.signature("") == () == minhash.signature(" ,.; ")
