"""Text analysis and query parsing: what words become, and that no pasted query crashes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from search_support import doc, make_index

from index import analysis
from index.analysis import (
    KEYS_COLLIDE,
    aligned_find,
    joined_column,
    joined_undecided,
    sequence_column,
    sequence_match,
    sequence_postings,
    term_key,
    text_analyzer,
)
from index.errors import QuerySyntaxError
from index.query import normalise_query, parse_query
from index.schema import build_schema
from index.search import search
from index.values import SearchRequest


def terms(text: str, mode: str = "index") -> list[str]:
    return [t.text for t in text_analyzer()(text, mode=mode)]


def test_possessive_apostrophe_is_dropped():
    """Lokshina’s and Lokshina's index as lokshina; other apostrophes stay."""
    assert ["lokshina", "lokshina", "don't"] == terms("Lokshina’s Lokshina's don't")


def test_hyphenated_word_is_parts_and_joined_word():
    """anti-gay indexes anti, gay and antigay; a query gets only the parts."""
    assert ["antigai", "anti", "gai"] == terms("anti-gay")
    assert ["anti", "gai"] == terms("anti-gay", mode="query")


def _keys(*terms: str) -> bytes:
    return b"".join(term_key(term) for term in terms)


def test_a_sequence_is_the_term_at_each_position_and_joined_forms_apart():
    """A title's or body's sequence value is each position's term key (a hyphenated word's parts); the keys of
    the joined forms, which share their first part's position, are in the joined value."""
    _postings, sequence, joined = sequence_postings("The anti-gay law of the Ministry")
    assert sequence == _keys("the", "anti", "gai", "law", "of", "the", "ministri")
    assert joined == _keys("antigai")
    assert (sequence_column([]), joined_column([], [])) == (b"", b"")


def test_a_documents_title_and_body_postings_are_worked_out_once_with_their_columns():
    """The postings found while filling a title's and a body's sequence columns are the ones whoosh's
    analysis of those very strings then gets (not worked out again); another string is analysed."""
    title, body = "Anti-gay law", "The anti-gay law of the Ministry"
    title_postings = sequence_postings(title)[0]
    body_postings = sequence_postings(body)[0]
    assert analysis.analysed_postings(title) is title_postings
    assert analysis.analysed_postings(body) is body_postings
    other = "".join(["Anti-gay ", "law"])  # equal, but not the same string
    assert analysis.analysed_postings(other) == title_postings
    assert analysis.analysed_postings(other) is not title_postings


def test_a_document_whose_terms_share_a_key_is_flagged(monkeypatch):
    """Two distinct terms of one document with the same key start its joined value with
    KEYS_COLLIDE: its phrases are left to positions. The same term twice is no collision."""
    assert joined_column(["the", "law", "the"], []) == b""
    monkeypatch.setattr(analysis, "term_key", lambda term: b"\0\0\0\1")
    value = joined_column(["the", "law"], ["thelaw"])
    assert value == KEYS_COLLIDE + b"\0\0\0\1" and len(value) % 4
    assert joined_undecided(value, [b"\0\0\0\2"])


def test_sequence_match_finds_the_keys_side_by_side_at_a_key_boundary():
    """True where the phrase's keys are consecutive positions; False where they are apart or only
    found across key boundaries. A phrase word that is a joined form leaves the document to positions."""
    sequence = sequence_column(["the", "anti", "gai", "law", "of", "the", "ministri"])
    joined = joined_column(["the", "anti", "gai", "law", "of", "the", "ministri"], ["antigai"])
    assert sequence_match(sequence, _keys("the", "ministri")) is True
    assert sequence_match(sequence, _keys("anti", "gai", "law")) is True
    assert sequence_match(sequence, _keys("law", "the")) is False
    assert sequence_match(sequence, _keys("law")[2:] + _keys("of")[:2]) is False
    assert joined_undecided(joined, [term_key("the"), term_key("antigai")])
    assert not joined_undecided(joined, [term_key("the"), term_key("ministri")])
    two = joined_column(["the"], ["antigai", "wellknown"])
    assert not joined_undecided(two, [two[2:6]])  # across two keys


def test_sequence_match_reads_one_value_among_several():
    """A value read among its neighbours' is searched within its bounds, aligned from its start."""
    first, second = sequence_column(["law", "of", "the", "court"]), sequence_column(["of", "defenc"])
    data = b"xy" + first + second
    start, end = 2, 2 + len(first)
    assert sequence_match(data, _keys("the", "court"), start, end) is True
    assert sequence_match(data, _keys("of", "defenc"), start, end) is False
    assert sequence_match(data, _keys("of", "defenc"), end, len(data)) is True
    assert sequence_match(data, _keys("court", "of"), start, end) is False  # past its end
    assert aligned_find(data, _keys("of"), start, len(data)) == start + 4
    assert aligned_find(b"abcdefghcdef", b"cdef", 0, 12) == 8  # not at 2, across two keys
    assert aligned_find(b"abcdefghcdef", b"cdef", 3, 12, 0) == 8  # searched from 3, aligned from 0
    assert aligned_find(b"abcdefghcdef", b"cdef", 3, 12) == -1  # aligned from 3: 8 is not


WORDS = st.sampled_from(["the", "of", "Ministry", "anti-gay", "well-known-ish", "said", "It", "rights", "Lokshina’s",
                         "a", "in-the", "of-them", "2017", "hrw.org", ",", "—", "antigay", "gay", "the-of"])


def _analyzer_positions(text: str) -> dict[int, list[str]]:
    """The analyzer chain's index-mode terms at each position, in the order it yields them."""
    at: dict[int, list[str]] = {}
    for token in text_analyzer()(text, positions=True, mode="index"):
        at.setdefault(token.pos, []).append(token.text)
    return at


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=30))
def test_sequence_is_the_analyzer_chains_positions(words):
    """The one-pass sequence holds, at each position, the analyzer chain's last term there (a
    hyphenated word's joined form comes first and shares its first part's position); the joined
    value holds the joined forms."""
    text = " ".join(words)
    at = _analyzer_positions(text)
    assert sorted(at) == list(range(len(at)))
    joined = {term for p in at for term in at[p][:-1]}
    sequence = [at[p][-1] for p in range(len(at))]
    assert (sequence_column(sequence), joined_column(sequence, joined)) == sequence_postings(text)[1:]
    assert len(sequence_postings(text)[1]) == 4 * len(at)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=30), st.lists(WORDS, min_size=2, max_size=4))
def test_sequence_match_decides_as_positions(words, phrase_words):
    """Where the joined value does not leave it to positions, the sequence says for a document
    holding every word of a phrase what whoosh's positions say: the phrase's terms at consecutive
    positions."""
    text = " ".join(words)
    phrase = [t.text for t in text_analyzer()(" ".join(phrase_words), mode="query")]
    at = _analyzer_positions(text)
    if len(phrase) < 2 or not set(phrase) <= {term for here in at.values() for term in here}:
        return
    _postings, sequence, joined = sequence_postings(text)
    by_positions = any(all(phrase[k] in at.get(p + k, ()) for k in range(len(phrase))) for p in at)
    if joined_undecided(joined, [term_key(t) for t in phrase]):
        assert set(phrase) & {term for p in at for term in at[p][:-1]}  # only a joined form leaves it open
    else:
        assert sequence_match(sequence, _keys(*phrase)) is by_positions


def test_cyrillic_is_stemmed_in_russian_and_latin_in_english():
    """Each token is stemmed by its script's stemmer, then accent-folded."""
    assert ["эвакуац", "эвакуац", "чечн", "evacu", "cafe", "cafe"] == terms(
        "эвакуация эвакуации Чечне evacuation café cafe")


def test_urls_emails_numbers_are_words():
    """Punctuation splits: a URL, an e-mail and a spaced phone number become runs of words."""
    assert ["http", "hrw", "org", "a", "info", "lgbt", "org", "8", "800", "555"] == terms(
        "http://hrw.org/a info@lgbt.org 8 800 555")


@pytest.mark.parametrize("query, expected", [
    ("“Novaya Gazeta”", '"Novaya Gazeta"'),
    ("see https://hrw.org/a.", 'see "https://hrw.org/a".'),
    ("mail info@lgbt.org now", 'mail "info@lgbt.org" now'),
    ('"already https://x.org"', '"already https://x.org"'),
])
def test_pasted_text_is_normalised(query, expected):
    """Curly quotes become straight; URLs and e-mails outside phrases become phrases."""
    assert expected == normalise_query(query)


@pytest.mark.parametrize("query, reason", [
    ("", "the query is empty"),
    ('"open phrase', "a phrase is not closed"),
    ("“open phrase", "a phrase is not closed"),
    ("(a OR b", "a '(' is not closed"),
    ("a)", "a ')' has no '('"),
    ("NOT chechnya", "it only says what must not match"),
    ("— / :", "nothing searchable"),
])
def test_unparseable_queries_say_why(query, reason):
    """A query that cannot mean anything raises QuerySyntaxError with one clear reason."""
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(build_schema(), query)
    assert reason in str(info.value)


PIECES = list("ab Zé'’‘“”\"/:.-—*~^()[]{}!?@#+&|\\<>") + ["http://", " AND ", " OR ", " NOT ", " TO ", "id:", "title:"]
PASTE = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(PASTE)
def test_no_pasted_query_crashes_the_parser(query):
    """Any mix of quotes, slashes, colons, dashes and operators parses or raises QuerySyntaxError."""
    try:
        parse_query(build_schema(), query)
    except QuerySyntaxError:
        pass


def test_pasted_queries_run_against_an_index(tmp_path):
    """Queries with URLs, colons, em dashes and curly quotes run and find their document."""
    ix = make_index(tmp_path, doc("a", "See https://hrw.org/news/2017 — Novaya Gazeta: “the list”."))
    for query in ("https://hrw.org/news/2017", "Gazeta: list", "“the list”", "hrw.org", "news — 2017", "http:"):
        try:
            total = search(ix, SearchRequest(query)).total
        except QuerySyntaxError:
            total = -1
        assert total in (0, 1), query
    assert 1 == search(ix, SearchRequest("https://hrw.org/news/2017")).total
    assert 1 == search(ix, SearchRequest("“the list”")).total
