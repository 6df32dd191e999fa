"""Text analysis: how clean text and queries become index terms.

Words are runs of letters and digits. Punctuation splits them, so a URL, an e-mail address, a dotted
abbreviation or a number written with spaces becomes a sequence of words that a query finds as a
phrase ("hrw.org" → ``hrw org``). Inner apostrophes stay (``don't``) but an English possessive goes
(``Lokshina’s`` → ``lokshina``). A hyphenated word is its parts plus, at index time, the parts run
together (``anti-gay`` → ``anti``, ``gay`` and ``antigay``). Tokens are lower-cased, then stemmed by
their script — Russian snowball for Cyrillic, Porter for the rest — and accent-folded
(``café`` → ``cafe``, ``ё`` → ``е``).

A body also keeps its word pairs that join a common word to a rarer one (``the ministry``,
``ministry of``), hashed, in a column: a phrase checks a document's pairs before it unpacks any
positions. A common word is in a third of the documents; the pair is in a few.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable, Iterator
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
# English function words (and whoosh's stop words): a pair of neighbours where exactly one is among
# them is a phrase-pair term; a pair of two of them would be as common as its words, and is not
COMMON_WORDS = """a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just may me more most my
myself no nor not now of off on once only or other our ours ourselves out over own same she should so some
such tbd than that the their theirs them themselves then there these they this those through to too under
until up us very was we were what when where which while who whom why will with would yet you your yours
yourself yourselves""".split()


@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """A lower-cased word's index term: stemmed by its script, then accent-folded."""
    if _CYRILLIC.search(word):
        return _RUSSIAN.stem(word).translate(accent_map)
    return porter_stem(word.translate(accent_map))


_WORD = re.compile(WORD_PATTERN)


@lru_cache(maxsize=200_000)
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


@lru_cache(maxsize=1)
def common_terms() -> frozenset[str]:
    """The index terms of :data:`COMMON_WORDS`."""
    return frozenset(stem_word(word) for word in COMMON_WORDS)


def pair_term(first: str, second: str) -> str:
    """The phrase-pair term of two neighbouring index terms (a space never occurs in a term)."""
    return f"{first} {second}"


def pair_key(term: str) -> bytes:
    """A pair term's 4-byte key, as the pairs column holds it (crc32: stable across processes)."""
    return zlib.crc32(term.encode("utf-8")).to_bytes(4, "big")


def pairs_column(pairs: Iterable[str]) -> bytes:
    """The pairs column value of a document: its pair keys, sorted, 4 bytes each."""
    return b"".join(sorted({pair_key(term) for term in pairs}))


def has_pair(column: bytes, key: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether a pairs column value holds ``key`` (at a 4-byte boundary); the value is
    ``column[start:end]`` when several documents' values are read together. A key may stand for
    another pair too (one chance in 2^32 per pair): a phrase still checks positions."""
    end = len(column) if end is None else end
    at = column.find(key, start, end)
    while at >= 0:
        if not (at - start) % 4:
            return True
        at = column.find(key, at + 1, end)
    return False


def _pair_terms(neighbours: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The pair terms of neighbouring index terms: those where exactly one of the two is common."""
    common = common_terms()
    return (pair_term(a, b) for a, b in neighbours if (a in common) is not (b in common))


def phrase_pairs(terms: list[str]) -> list[str]:
    """The pair terms of a phrase's consecutive index terms."""
    return list(_pair_terms(itertools.pairwise(terms)))


@lru_cache(maxsize=200_000)
def _match_positions(word: str) -> tuple[tuple[str, ...], str | None]:
    """The index terms of one tokenizer match one per position it takes, and a hyphenated word's
    joined form (which shares its first part's position) or None."""
    terms, extra = _match_terms(word)
    if not extra:
        return (terms[0][0],), None
    return tuple(term for term, *_rest in terms[1:]), terms[0][0]


def _add_pairs(sequence: list[str], joined: list[tuple[int, str]], pairs: set[str]) -> None:
    """Add the phrase-pair terms of a text's terms, one per position (``sequence``), and of the
    joined forms of hyphenated words at their positions (``joined``)."""
    pairs.update(_pair_terms(itertools.pairwise(sequence)))
    for at, term in joined:
        neighbours = [(sequence[at - 1], term)] if at else []
        if at + 1 < len(sequence):
            neighbours.append((term, sequence[at + 1]))
        pairs.update(_pair_terms(neighbours))


def index_postings(text: str, pairs: set[str] | None = None) -> dict[str, list[tuple[int, int, int]]]:
    """Every index term of ``text`` with its (position, start, end) occurrences, in order; with
    ``pairs``, each phrase-pair term of neighbouring positions is added to it (see phrase_pairs).

    Exactly what :func:`text_analyzer` yields at index time, in one pass with the work per distinct
    word cached: indexing runs this on every document, the analyzer chain only on queries.
    """
    postings: dict[str, list[tuple[int, int, int]]] = {}
    sequence: list[str] = []  # for pairs: a term per position ...
    joined: list[tuple[int, str]] = []  # ... and where hyphenated words' joined forms are
    shift = 0
    for pos, match in enumerate(_WORD.finditer(text)):
        start = match.start()
        word = match.group()
        terms, extra = _match_terms(word)
        for term, offset, begin, end in terms:
            occurrence = (pos + shift + offset, start + begin, start + end)
            found = postings.get(term)
            if found is None:
                postings[term] = [occurrence]
            else:
                found.append(occurrence)
        shift += extra
        if pairs is not None:
            parts, whole = _match_positions(word)
            if whole is not None:
                joined.append((len(sequence), whole))
            sequence.extend(parts)
    if pairs is not None:
        _add_pairs(sequence, joined, pairs)
    return postings


_LAST_BODY: tuple[str, dict, frozenset[str]] = ("", {}, frozenset())


def body_postings(text: str) -> tuple[dict[str, list[tuple[int, int, int]]], frozenset[str]]:
    """:func:`index_postings` of a body and its phrase-pair terms. The last body's are kept for
    :func:`analysed_postings`: the pairs column is filled before whoosh analyses the body."""
    global _LAST_BODY  # noqa: PLW0603 - a one-entry cache, replaced whole
    last = _LAST_BODY
    if last[0] is text:
        return last[1], last[2]
    pairs: set[str] = set()
    postings = index_postings(text, pairs)
    _LAST_BODY = (text, postings, frozenset(pairs))
    return postings, _LAST_BODY[2]


def analysed_postings(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """:func:`index_postings` of ``text``: the last body's, when it is that very string."""
    last = _LAST_BODY
    return last[1] if last[0] is text else index_postings(text)


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
