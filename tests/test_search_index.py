"""Searching a purpose-made index: highlights, filters, order, pages, facets, duplicates, passages."""

from __future__ import annotations

import pytest
from search_support import doc, make_index

from index import minhash
from index.dates import DateInterval
from index.errors import IndexOutdated
from index.search import find_passages, highlight_document, iter_hits, search
from index.values import SearchFilters, SearchRequest, Sort
from index.writer import open_index

BODY = ("Tanya Lokshina’s report on the anti-gay campaign.\n\nThe café in Grozny was closed. "
        "Call 8 800 555 73 74 for help. Novaya Gazeta reported it first, and the evacuation from Chechnya began.")


def marked(snippet) -> list[str]:
    return [snippet.text[a:b] for a, b in snippet.highlights]


def one(ix, query: str, **kw):
    results = search(ix, SearchRequest(query, **kw))
    assert 1 == results.total, query
    return results.hits[0]


@pytest.fixture
def ix(tmp_path):
    return make_index(tmp_path, doc("a", BODY, title="Purge in Chechnya"))


def test_highlight_offsets_are_exact(ix):
    """A word's highlight is its exact range in the snippet, and the snippet's range is in the clean text."""
    hit = one(ix, "Grozny")
    snippet = hit.snippets[0]
    assert ["Grozny"] == marked(snippet)
    assert ((62, 68),) == snippet.highlights  # the paragraph break is squashed to one space
    assert BODY[snippet.start:snippet.end].split() == snippet.text.split()
    assert (0, len(BODY)) == (snippet.start, snippet.end)


def test_phrase_is_one_highlight_and_its_words_only_where_it_occurs(tmp_path):
    """A phrase is marked as one range; its words alone elsewhere are not marked."""
    body = "Novaya Gazeta reported. Later a gazeta in Novaya street wrote again."
    ix = make_index(tmp_path, doc("a", body))
    assert ["Novaya Gazeta"] == marked(one(ix, '"Novaya Gazeta"').snippets[0])
    assert ["Novaya", "Gazeta", "gazeta", "Novaya"] == marked(one(ix, "Novaya Gazeta").snippets[0])


def test_proximity_marks_each_word_not_the_gap(ix):
    """"evacuation Chechnya"~5 marks both words, not the words between."""
    assert ["evacuation", "Chechnya"] == marked(one(ix, '"evacuation Chechnya"~5').snippets[0])
    assert 0 == search(ix, SearchRequest('"Chechnya evacuation"~5')).total


@pytest.mark.parametrize("query, words", [
    ("Loksh*", ["Lokshina"]),
    ("Lokshna~", ["Lokshina"]),
    ("Lokshina’s", ["Lokshina"]),
    ("cafe", ["café"]),
    ("café", ["café"]),
    ("anti-gay", ["anti-gay"]),
    ("antigay", ["anti-gay"]),
    ("gay", ["gay"]),
    ('"8 800 555 73 74"', ["8 800 555 73 74"]),
    ("“Novaya Gazeta”", ["Novaya Gazeta"]),
    ("evacuations", ["evacuation"]),
])
def test_reader_expectations(ix, query, words):
    """Prefix, fuzzy, possessive, accent, hyphen, number and curly-quote queries find and mark what a reader expects."""
    assert words == [w for s in one(ix, query).snippets for w in marked(s)]


def test_cyrillic_matches_with_russian_stemming(tmp_path):
    """Russian word forms match each other and are marked as written."""
    ix = make_index(tmp_path, doc("a", "Эвакуация геев из Чечни продолжается."))
    assert ["Эвакуация"] == marked(one(ix, "эвакуации").snippets[0])
    assert ["Чечни"] == marked(one(ix, "Чечня").snippets[0])


def test_title_only_match_shows_title_and_lead(ix):
    """When only the title matches, the snippet is the title marked, then the body's opening."""
    snippet = one(ix, "purge").snippets[0]
    assert snippet.text.startswith("Purge in Chechnya — Tanya Lokshina’s report")
    assert ["Purge"] == marked(snippet)
    assert snippet.start is None


def test_several_fragments_around_best_matches(tmp_path):
    """A long text gives several passages, each around matches, in document order."""
    filler = " ".join(["words"] * 80)
    body = f"Kochetkov spoke. {filler} Second evacuation. {filler} Kochetkov again on evacuation."
    hit = one(make_index(tmp_path, doc("a", body)), "Kochetkov OR evacuation", snippets=3)
    assert 3 == len(hit.snippets)
    assert [s.start for s in hit.snippets] == sorted(s.start for s in hit.snippets)
    assert all(s.highlights for s in hit.snippets)


DATED = [("y", "2017"), ("m", "2017-06"), ("d", "2017-06-26"), ("t", "2017-07-01T10:00:00Z"), ("n", None)]


@pytest.fixture
def dated(tmp_path):
    return make_index(tmp_path, *[doc(k, f"report number {k}", published=p, retrieved=p) for k, p in DATED])


def _ids(ix, **filters) -> set[str]:
    request = SearchRequest("report", filters=SearchFilters(**{k: DateInterval.parse(v) if k != "site" else v
                                                              for k, v in filters.items()}), group=False)
    return {h.id[0] for h in search(ix, request).hits}


@pytest.mark.parametrize("filters, expected", [
    ({"since": "2017-06-15"}, {"y", "m", "d", "t"}),  # the year and the month overlap June 15 onwards
    ({"since": "2017-06-27"}, {"y", "m", "t"}),  # June overlaps June 27 onwards
    ({"since": "2017-06-27", "until": "2017-06-30"}, {"y", "m"}),
    ({"until": "2017-06-15"}, {"y", "m"}),
    ({"since": "2017-06", "until": "2017-06"}, {"y", "m", "d"}),
    ({"since": "2017-07-01", "until": "2017-07-01"}, {"y", "t"}),
    ({"until": "2016"}, set()),
    ({"since": "2018"}, set()),
    ({"captured_since": "2017-06-26", "captured_until": "2017-06-26"}, {"y", "m", "d"}),
])
def test_date_filters_overlap_the_document_precision(dated, filters, expected):
    """A date range keeps documents whose year/month/day/time interval overlaps it; undated ones drop out."""
    assert expected == _ids(dated, **filters)


def test_sort_by_date_puts_newest_first_and_undated_last(dated):
    """--sort date orders by publication start, newest first."""
    hits = search(dated, SearchRequest("report", sort=Sort.DATE, group=False)).hits
    assert ["t", "d", "m", "y", "n"] == [h.id[0] for h in hits]


def test_site_author_tag_filters(tmp_path):
    """Filters match folded names and tags, whatever the query."""
    ix = make_index(tmp_path, doc("a", "report", site="Novaya Gazeta", author="Elena Milashina", tags=("LGBT",)),
                    doc("b", "report", site="Meduza", author="Someone Else", tags=("Russia",)))

    def ids(**kw):
        return {h.id[0] for h in search(ix, SearchRequest("report", filters=SearchFilters(**kw))).hits}
    assert {"a"} == ids(site="novaya gazeta")
    assert {"a"} == ids(author="Milashina")
    assert {"b"} == ids(tags=("russia",))
    assert set() == ids(site="Meduza", tags=("lgbt",))
    assert {"a"} == {h.id[0] for h in search(ix, SearchRequest("author:milashina AND site:novaya")).hits}


def test_pages_and_facets(tmp_path):
    """--page walks the ranked hits; facets count all matches per site and per year."""
    docs = [doc(str(i), f"report {'report ' * i} unique{i}", site="A" if i % 2 else "B",
                published=f"201{i % 3}-01-01") for i in range(1, 8)]
    ix = make_index(tmp_path, *docs)
    first = search(ix, SearchRequest("report", limit=3, page=1, facets=True))
    third = search(ix, SearchRequest("report", limit=3, page=3))
    assert 7 == first.total
    assert 3 == len(first.hits) and 1 == len(third.hits)
    assert {("A", 4), ("B", 3)} == set(first.facets["site"])
    assert {("2010", 2), ("2011", 3), ("2012", 2)} == set(first.facets["year"])


def test_identical_texts_are_one_hit(tmp_path):
    """Captures with the same clean text fold into the best-ranked one, 'also captured as' the others."""
    ix = make_index(tmp_path, doc("a", BODY, title="Chechnya", clean_sha256="c" * 64),
                    doc("b", BODY, title="Other", clean_sha256="c" * 64), doc("z", "unrelated report on Grozny"))
    grouped = search(ix, SearchRequest("Grozny"))
    assert 3 == grouped.total
    assert ["a", "z"] == sorted(h.id[0] for h in grouped.hits)
    folded = next(h for h in grouped.hits if h.id[0] == "a" or h.id[0] == "b")
    assert 1 == len(folded.duplicates) and folded.duplicates[0].exact
    assert 3 == len(search(ix, SearchRequest("Grozny", group=False)).hits)


def test_near_duplicates_are_grouped(tmp_path):
    """A syndicated copy with a small edit folds into one hit with its similarity."""
    words = " ".join(f"word{i}" for i in range(300))
    edited = words.replace("word150", "changed")
    ix = make_index(tmp_path, doc("a", f"Grozny {words}"), doc("b", f"Grozny {edited}"), doc("c", "Grozny alone"))
    hits = search(ix, SearchRequest("Grozny")).hits
    assert 2 == len(hits)
    near = next(h for h in hits if h.duplicates)
    assert not near.duplicates[0].exact
    assert minhash.NEAR_DUPLICATE <= near.duplicates[0].similarity < 1.0


def test_group_members_beyond_the_scanned_hits_are_found(tmp_path):
    """A duplicate ranked far below its original is still folded into it."""
    strong = "Grozny " * 30
    docs = [doc("a", f"{strong} text", clean_sha256="1" * 64)]
    docs += [doc(chr(ord("b") + i), f"Grozny filler{i} " + "x " * 200) for i in range(25)]
    docs.append(doc("z", f"{strong} text", title="Copy", clean_sha256="1" * 64))
    hits = search(make_index(tmp_path, *docs), SearchRequest("Grozny", limit=1)).hits
    assert ["z" * 64] == [d.id for d in hits[0].duplicates] or ["a" * 64] == [d.id for d in hits[0].duplicates]


def test_iter_hits_streams_every_match(tmp_path):
    """iter_hits yields every matching document with a passage and its range."""
    ix = make_index(tmp_path, *[doc(str(i), f"report {i}") for i in range(30)], doc("x", "other"))
    hits = list(iter_hits(ix, "report"))
    assert 30 == len(hits)
    assert all(h.snippets[0].start == 0 for h in hits)


def test_find_passages_ignores_whitespace_and_quote_style(tmp_path):
    """An exact passage is found across line breaks and curly/straight quotes, with its clean-text range."""
    body = "He said: “We must\n  rescue all” — then left."
    ix = make_index(tmp_path, doc("a", body), doc("b", "We must not rescue all"))
    found = list(find_passages(ix, 'said: "We must rescue all"'))
    assert 1 == len(found)
    assert body[found[0].start:found[0].end] == found[0].text == "said: “We must\n  rescue all”"
    assert [] == list(find_passages(ix, "we must rescue all"))  # case counts


def test_highlight_document_marks_every_match(ix):
    """show --highlight marks every occurrence in the whole text."""
    spans = highlight_document(ix, "a" * 64, "Grozny OR Chechnya")
    assert ["Grozny", "Chechnya"] == [BODY[a:b] for a, b in spans]


def test_outdated_index_asks_for_reindex(tmp_path):
    """An index built with another schema version refuses to answer and says to reindex."""
    ix = make_index(tmp_path, doc("a", BODY))
    (ix / "SCHEMA_VERSION").write_text("1\n")
    with pytest.raises(IndexOutdated) as info:
        open_index(ix)
    assert "run `docket reindex`" in str(info.value)
