"""The whoosh schema: which fields a document has and how each is analyzed, stored and sorted."""

from __future__ import annotations

import pickle

from whoosh import columns, fields, formats
from whoosh.system import pack_uint

from index.analysis import analysed_postings, name_analyzer, text_analyzer

# Bump whenever analysis or fields change: an index built with another version must be rebuilt.
SCHEMA_VERSION = "7"  # 3: the body_pairs column; 4: body_sequence in its place; 5: and body_joined; 6: title_*;
# 7: MinHash over the term sequence

_ONE_OCCURRENCE = pack_uint(1)  # the count whoosh's Positions and Characters encodings start with


class AnalyzedText(fields.TEXT):
    """A TEXT field of :func:`text_analyzer` that indexes documents through
    :func:`index.analysis.index_postings`: the same terms, positions and characters as the analyzer
    chain, at a fraction of its cost (queries still go through the analyzer)."""

    def index(self, value, **kwargs):  # noqa: ANN001, ANN201 - whoosh's field protocol
        """(term bytes, frequency, weight, encoded postings) of each distinct term of ``value``."""
        fmt = self.format
        if kwargs or not isinstance(value, str) or type(fmt) not in (formats.Characters, formats.Positions):
            yield from super().index(value, **kwargs)
            return
        boost = fmt.field_boost
        with_chars = type(fmt) is formats.Characters
        for term, occurrences in analysed_postings(value).items():
            if len(occurrences) == 1:  # most of a document's terms: whoosh's encoding of one occurrence
                pos, start, end = occurrences[0]
                encoded = _ONE_OCCURRENCE + pickle.dumps([(pos, start, end - start)] if with_chars else [pos], 2)
            else:
                encoded = fmt.encode(occurrences if with_chars else [pos for pos, _s, _e in occurrences])
            yield term.encode("utf-8"), len(occurrences), float(len(occurrences)) * boost, encoded


def build_schema() -> fields.Schema:
    """The index's fields; ``body`` stores term characters so highlighting needs no re-tokenizing."""
    analyzer = text_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        # a query word that analyzes to several terms ("anti-gay", "hrw.org") is a phrase of them
        title=AnalyzedText(analyzer=analyzer, stored=True, field_boost=2.0, multitoken_query="phrase"),
        body=AnalyzedText(analyzer=analyzer, stored=True, chars=True, multitoken_query="phrase"),
        author=fields.TEXT(analyzer=name_analyzer(), stored=True),
        site=fields.TEXT(analyzer=name_analyzer(), stored=True),
        site_key=fields.ID(sortable=True),  # the site as written, for facet counts
        tag=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        # publication and capture dates as the interval their precision names (index/dates.py)
        published_start=fields.DATETIME(),
        published_order=fields.NUMERIC(bits=64, signed=True, sortable=True),  # seconds; undated sort last
        published_end=fields.DATETIME(),
        published_text=fields.STORED(),
        year=fields.NUMERIC(sortable=True),
        retrieved_start=fields.DATETIME(sortable=True),
        retrieved_end=fields.DATETIME(),
        retrieved_text=fields.STORED(),
        source=fields.STORED(),
        raw_sha256=fields.ID(stored=True),
        clean_sha256=fields.ID(stored=True, sortable=True),  # a column: duplicates grouped without loading
        minhash=fields.COLUMN(columns.VarBytesColumn()),  # the near-duplicate signature (index/minhash.py)
        body_sequence=fields.COLUMN(columns.VarBytesColumn()),  # the body's term at each position, hashed (index/analysis.py)
        body_joined=fields.COLUMN(columns.VarBytesColumn()),  # its hyphenated words' joined forms, hashed, and collisions
        title_sequence=fields.COLUMN(columns.VarBytesColumn()),  # the same two of the title
        title_joined=fields.COLUMN(columns.VarBytesColumn()),
    )
