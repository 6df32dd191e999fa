"""Text analysis and query parsing: what words become, and that no pasted query crashes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from search_support import doc, make_index

from index.analysis import common_terms, has_pair, index_postings, pair_key, pairs_column, phrase_pairs, text_analyzer
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


def test_body_pairs_join_each_common_word_to_its_rarer_neighbours():
    """A phrase pair is two neighbouring terms of which exactly one is a common word ("of the" is
    not one); a hyphenated word's joined form shares its first part's position, so both pair with
    the word before, as a phrase of either would match there."""
    pairs: set[str] = set()
    index_postings("The anti-gay law of the Ministry was passed", pairs)
    assert {"the antigai", "the anti", "law of", "the ministri", "ministri wa", "wa pass"} == pairs
    assert ["the anti"] == phrase_pairs(["the", "anti", "gai", "law"])
    assert ["law of", "the ministri"] == phrase_pairs(["law", "of", "the", "ministri"])


def test_pairs_column_holds_each_key_at_a_four_byte_boundary():
    """A document's pairs column is its pair keys, sorted; a key found across two keys is not there."""
    column = pairs_column(["the ministri", "law of", "the ministri"])
    assert sorted([pair_key("the ministri"), pair_key("law of")]) == [column[:4], column[4:]]
    assert has_pair(column, pair_key("law of")) and has_pair(column, pair_key("the ministri"))
    assert not has_pair(column, pair_key("of defenc"))
    assert not has_pair(column, column[2:6])
    assert not has_pair(b"", pair_key("law of"))


def test_has_pair_reads_one_value_among_several():
    """A value read among its neighbours' is searched within its bounds, aligned from its start."""
    first, second = pairs_column(["law of", "the court"]), pairs_column(["of defenc"])
    data = b"xy" + first + second
    start, end = 2, 2 + len(first)
    assert has_pair(data, pair_key("the court"), start, end) and has_pair(data, pair_key("law of"), start, end)
    assert not has_pair(data, pair_key("of defenc"), start, end)  # the next document's
    assert has_pair(data, pair_key("of defenc"), end, len(data))
    assert not has_pair(data, data[4:8], start, end)  # unaligned from the value's start


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["the", "of", "Ministry", "anti-gay", "well-known-ish", "said", "It", "rights",
                                 "Lokshina’s", "a", "in-the", "of-them", "2017", "hrw.org", ",", "—"]), max_size=30))
def test_pairs_are_the_analyzer_chains_neighbours(words):
    """The one-pass pairs are exactly those of the analyzer chain's index-mode tokens: every term at
    a position with every term at the next, where exactly one of the two is common."""
    text = " ".join(words)
    at: dict[int, set[str]] = {}
    for token in text_analyzer()(text, positions=True, mode="index"):
        at.setdefault(token.pos, set()).add(token.text)
    common = common_terms()
    expected = {f"{a} {b}" for p, here in at.items() for a in here for b in at.get(p + 1, ())
                if (a in common) != (b in common)}
    pairs: set[str] = set()
    index_postings(text, pairs)
    assert expected == pairs


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
