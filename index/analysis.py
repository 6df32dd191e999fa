"""Text analysis: how clean text and queries become index terms.

Words are runs of letters and digits. Punctuation splits them, so a URL, an e-mail address, a dotted
abbreviation or a number written with spaces becomes a sequence of words that a query finds as a
phrase ("hrw.org" → ``hrw org``). Inner apostrophes stay (``don't``) but an English possessive goes
(``Lokshina’s`` → ``lokshina``). A hyphenated word is its parts plus, at index time, the parts run
together (``anti-gay`` → ``anti``, ``gay`` and ``antigay``). Tokens are lower-cased, then stemmed by
their script — Russian snowball for Cyrillic, Porter for the rest — and accent-folded
(``café`` → ``cafe``, ``ё`` → ``е``).
"""

from __future__ import annotations

import re
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


def index_postings(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """Every index term of ``text`` with its (position, start, end) occurrences, in order.

    Exactly what :func:`text_analyzer` yields at index time, in one pass with the work per distinct
    word cached: indexing runs this on every document, the analyzer chain only on queries.
    """
    postings: dict[str, list[tuple[int, int, int]]] = {}
    shift = 0
    for pos, match in enumerate(_WORD.finditer(text)):
        start = match.start()
        terms, extra = _match_terms(match.group())
        for term, offset, begin, end in terms:
            occurrence = (pos + shift + offset, start + begin, start + end)
            found = postings.get(term)
            if found is None:
                postings[term] = [occurrence]
            else:
                found.append(occurrence)
        shift += extra
    return postings


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
