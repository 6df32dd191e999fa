"""Text analysis: how clean text and queries become index terms.

Words are runs of letters and digits. Punctuation splits them, so a URL, an e-mail address, a dotted
abbreviation or a number written with spaces becomes a sequence of words that a query finds as a
phrase ("hrw.org" → ``hrw org``). Inner apostrophes stay (``don't``) but an English possessive goes
(``Lokshina’s`` → ``lokshina``). A hyphenated word is its parts plus, at index time, the parts run
together (``anti-gay`` → ``anti``, ``gay`` and ``antigay``). Tokens are lower-cased, then stemmed by
their script — Russian snowball for Cyrillic, Porter for the rest — and accent-folded
(``café`` → ``cafe``, ``ё`` → ``е``).

A title and a body also keep their term sequence: the term at each position as a 4-byte key, in a column
(:func:`sequence_column`). An exact phrase looks for its keys side by side there (:func:`sequence_match`),
one C-speed search of a few kilobytes, instead of unpickling each word's positions from whoosh's
posting blocks. A key is exact in a document that holds every word of the phrase and has
no two terms sharing a key. A second, small column (:func:`joined_column`) flags the documents whose
keys collide and lists the keys of the joined forms of their hyphenated words (a joined form shares
its first part's position, so the sequence cannot hold it): positions decide where a phrase word
is one of them.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.lang.porter import stem as porter_stem
from whoosh.lang.snowball.russian import RussianStemmer
from whoosh.support.charset import accent_map

# A word: letters/digits with inner apostrophes, possibly joined to more such words by hyphens.
WORD_PATTERN = r"\w+(?:['’]\w+)*(?:[-‐‑]\w+(?:['’]\w+)*)*"
NAME_PATTERN = r"\w+"
_HYPHENS = re.compile(r"[-‐‑]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_POSSESSIVE = ("'s", "’s")
_RUSSIAN = RussianStemmer()
@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """A lower-cased word's index term: stemmed by its script, then accent-folded."""
    if _CYRILLIC.search(word):
        return _RUSSIAN.stem(word).translate(accent_map)
    return porter_stem(word.translate(accent_map))


_WORD = re.compile(WORD_PATTERN)


def _match_terms(word: str) -> tuple[tuple[tuple[str, int, int, int], ...], int]:
    """What :func:`text_analyzer` makes at index time of one tokenizer match starting at character 0:
    its terms as (term, position offset, start, end), and how many extra positions it takes."""
    text, end = word.lower(), len(word)
    if text.endswith(_POSSESSIVE) and len(text) > 2:
        text, end = text[:-2], end - 2
    text = text.replace("’", "'")
    if not _HYPHENS.search(text):
        return ((stem_word(text), 0, 0, end),), 0
    parts = _HYPHENS.split(text)
    terms = [(stem_word("".join(parts)), 0, 0, end)]
    offset = 0
    for i, part in enumerate(parts):
        terms.append((stem_word(part), i, offset, offset + len(part)))
        offset += len(part) + 1
    return tuple(terms), len(parts) - 1


@lru_cache(maxsize=200_000)
def term_key(term: str) -> bytes:
    """A term's 4-byte key in the sequence column (crc32: stable across processes and versions)."""
    return zlib.crc32(term.encode("utf-8")).to_bytes(4, "big")


# A joined column value starting with this byte (its length then not a multiple of 4) flags a document
# two of whose distinct terms share a key.
KEYS_COLLIDE = b"!"


def sequence_column(sequence: list[str]) -> bytes:
    """A field's sequence column value: the key of the term at each position."""
    return b"".join(map(term_key, sequence))


def joined_column(sequence: list[str], joined: Iterable[str]) -> bytes:
    """A field's joined column value: KEYS_COLLIDE when two of its distinct terms share a key, then the
    keys of the joined forms of its hyphenated words, sorted (empty for most documents)."""
    keys = {term_key(term) for term in joined}
    distinct = set(sequence).union(joined)
    collide = len({term_key(term) for term in distinct}) != len(distinct)
    return (KEYS_COLLIDE if collide else b"") + b"".join(sorted(keys))


def aligned_find(value: bytes, keys: bytes, start: int, end: int, origin: int | None = None) -> int:
    """Where ``keys`` first occur in ``value[start:end]`` at a multiple of 4 bytes from ``origin``
    (``start`` unless given; -1: nowhere); ``value`` may be several documents' values, or a mapped
    segment file."""
    origin = start if origin is None else origin
    at = value.find(keys, start, end)
    while at >= 0 and (at - origin) % 4:
        at = value.find(keys, at + 1, end)
    return at


def sequence_match(sequence: bytes, phrase: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether a document's sequence (``sequence[start:end]``) holds ``phrase``, its words' keys side
    by side. False is exact; True is, for a document that holds every word of the phrase, whose
    keys do not collide and where no phrase word is a joined form (see :func:`joined_column`)."""
    return aligned_find(sequence, phrase, start, len(sequence) if end is None else end) >= 0


def joined_undecided(joined: bytes, word_keys: Iterable[bytes]) -> bool:
    """Whether a document's joined column value leaves a phrase of these words to positions: its
    keys collide, or one of the words is the joined form of one of its hyphenated words."""
    if joined.startswith(KEYS_COLLIDE):
        return True
    return any(aligned_find(joined, key, 0, len(joined)) >= 0 for key in word_keys)


@lru_cache(maxsize=50_000)
def _hyphenated_layout(word: str) -> tuple[tuple[tuple[str, int, int, int], ...], int, tuple[str, ...], str]:
    """:func:`_match_terms` of a hyphenated tokenizer match, with the term at each position it takes
    (its parts) and its joined form (which shares its first part's position); cached."""
    terms, extra = _match_terms(word)
    return terms, extra, tuple(term for term, *_rest in terms[1:]), terms[0][0]


@lru_cache(maxsize=200_000)
def _one_term(word: str) -> tuple[str, int] | None:
    """A tokenizer match that makes one term at one position (most words): that term and where it ends
    in the match (a possessive is cut off); None for a hyphenated word."""
    terms, extra = _match_terms(word)
    return None if extra else (terms[0][0], terms[0][3])


def _postings_and_sequence(text: str) -> tuple[dict[str, list[tuple[int, int, int]]], list[str], list[str]]:
    """Every index term of ``text`` with its (position, start, end) occurrences, in order; the term
    at each position (a hyphenated word's parts); and the joined forms of its hyphenated words."""
    postings: defaultdict[str, list[tuple[int, int, int]]] = defaultdict(list)
    sequence: list[str] = []
    joined: list[str] = []
    shift = 0
    for pos, match in enumerate(_WORD.finditer(text)):
        one = _one_term(match[0])
        if one is not None:  # the loop's hot path: a plain word
            term, end = one
            start = match.start()
            postings[term].append((pos + shift, start, start + end))
            sequence.append(term)
            continue
        start = match.start()
        terms, extra, parts, whole = _hyphenated_layout(match[0])
        for term, offset, begin, end in terms:
            postings[term].append((pos + shift + offset, start + begin, start + end))
        shift += extra
        joined.append(whole)
        sequence.extend(parts)
    return dict(postings), sequence, joined


def index_postings(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """Every index term of ``text`` with its (position, start, end) occurrences, in order.

    Exactly what :func:`text_analyzer` yields at index time, in one pass with the work per distinct
    word cached: indexing runs this on every document, the analyzer chain only on queries.
    """
    return _postings_and_sequence(text)[0]


_LAST_TEXTS: tuple[tuple[str, dict, bytes, bytes], ...] = ()  # the last LAST_TEXTS_KEPT texts' results
LAST_TEXTS_KEPT = 2  # a document's title and body


def sequence_postings(text: str) -> tuple[dict[str, list[tuple[int, int, int]]], bytes, bytes]:
    """:func:`index_postings` of a field's text, its :func:`sequence_column` and :func:`joined_column`
    values. The last texts' are kept for :func:`analysed_postings`: a document's columns are filled
    before whoosh analyses its title and body."""
    global _LAST_TEXTS  # noqa: PLW0603 - a small cache, replaced whole
    for last in _LAST_TEXTS:
        if last[0] is text:
            return last[1], last[2], last[3]
    postings, sequence, joined = _postings_and_sequence(text)
    entry = (text, postings, sequence_column(sequence), joined_column(sequence, joined))
    _LAST_TEXTS = (*_LAST_TEXTS, entry)[-LAST_TEXTS_KEPT:]
    return postings, entry[2], entry[3]


def analysed_postings(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """:func:`index_postings` of ``text``: one of the last texts', when it is that very string."""
    for last in _LAST_TEXTS:
        if last[0] is text:
            return last[1]
    return index_postings(text)


def fold(text: str) -> str:
    """Lower-case and strip accents, as names (authors, sites) are indexed."""
    return text.lower().translate(accent_map)


class PossessiveFilter(Filter):
    """Drop a trailing English possessive and make apostrophes straight: ``Lokshina’s`` → ``Lokshina``."""

    def __call__(self, tokens):  # noqa: ANN001, ANN204 - whoosh filter protocol
        for t in tokens:
            text = t.text
            if text.endswith(_POSSESSIVE) and len(text) > 2:
                text = text[:-2]
                if t.chars:
                    t.endchar -= 2
            t.text = text.replace("’", "'")
            yield t


class HyphenFilter(Filter):
    """Split hyphenated words into their parts; at index time also add the parts joined together.

    Positions are renumbered so a phrase query for the parts (``"anti gay"``) still matches, and the
    joined word shares the first part's position and spans the whole word.
    """

    def __call__(self, tokens):  # noqa: ANN001, ANN204 - whoosh filter protocol
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            text = t.text
            if not _HYPHENS.search(text):
                yield t
                continue
            parts = _HYPHENS.split(text)
            start, end = (t.startchar, t.endchar) if t.chars else (0, 0)
            pos = t.pos if t.positions else 0
            if t.mode == "index":
                t.text = "".join(parts)
                yield t
            offset = 0
            for i, part in enumerate(parts):
                t.text = part
                if t.positions:
                    t.pos = pos + i
                if t.chars:
                    t.startchar = start + offset
                    t.endchar = t.startchar + len(part)
                offset += len(part) + 1
                yield t
            if t.chars:
                t.startchar, t.endchar = start, end
            shift += len(parts) - 1


class ScriptStemFilter(Filter):
    """Stem Cyrillic words with the Russian snowball stemmer and others with Porter, then fold accents."""

    def __call__(self, tokens):  # noqa: ANN001, ANN204 - whoosh filter protocol
        for t in tokens:
            t.text = stem_word(t.text)
            yield t


def text_analyzer():  # noqa: ANN201 - whoosh analyzers have no public type
    """The analyzer of titles and bodies (and of queries against them)."""
    return (RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | PossessiveFilter() | HyphenFilter()
            | ScriptStemFilter())


def name_analyzer():  # noqa: ANN201
    """Names (authors, sites): words, lower-cased and accent-folded, not stemmed."""
    return RegexTokenizer(NAME_PATTERN) | LowercaseFilter() | _FoldFilter()


class _FoldFilter(Filter):
    """Accent folding (``é`` → ``e``, ``ё`` → ``е``)."""

    def __call__(self, tokens):  # noqa: ANN001, ANN204 - whoosh filter protocol
        for t in tokens:
            t.text = t.text.translate(accent_map)
            yield t
