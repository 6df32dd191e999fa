"""The whoosh schema and the analyzer: stemming, case and accent folding, positions and characters."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.support.charset import accent_map

# Words are runs of letters/digits, with inner apostrophes, dots or '@' kept ("o'brien", "u.s", "a@b.org").
TOKEN_PATTERN = r"\w+(?:['’.@]\w+)*"
SCHEMA_VERSION = "1"


def text_analyzer():  # noqa: ANN201 - whoosh analyzers have no public type
    """Tokenize, lower-case, fold accents (é→e, ё→е), then Porter-stem English words."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StemFilter(cachesize=50000)
    )


def name_analyzer():  # noqa: ANN201
    """Names (authors, sites): tokenized and folded, not stemmed."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def build_schema() -> fields.Schema:
    """The index's fields; ``body`` stores term characters so highlighting needs no re-tokenizing."""
    analyzer = text_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=fields.TEXT(analyzer=analyzer, stored=True, chars=True),
        author=fields.TEXT(analyzer=name_analyzer(), stored=True),
        site=fields.TEXT(analyzer=name_analyzer(), stored=True),
        tag=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        published=fields.DATETIME(stored=False, sortable=True),
        published_text=fields.STORED(),
        retrieved=fields.DATETIME(stored=False, sortable=True),
        retrieved_text=fields.STORED(),
        source=fields.STORED(),
        raw_sha256=fields.ID(stored=True),
        clean_sha256=fields.ID(stored=True),
    )
