"""The block-skipping ranker (index/ranking.py) against whoosh scoring every match, on an index of
several segments: the same top documents with the same scores, exact counts, fewer blocks read."""

from __future__ import annotations

import itertools
import json
import pickle
import random
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from search_support import doc, docket, make_index
from whoosh import collectors

from index import analysis, ranking
from index import search as index_search
from index.analysis import KEYS_COLLIDE, joined_undecided, sequence_match, term_key
from index.postings_pool import BLOCK_PROTOCOL
from index.query import parse_query
from index.search import bound_expansions, iter_hits, search
from index.segments import SegmentBuild, commit_segments
from index.values import SearchFilters, SearchRequest, Sort
from index.writer import Reading, open_index, to_fields

WORDS = ("chechnya evacuation network activist report gazeta moscow grozny shelter visa embassy witness "
         "police camp detained released family lawyer court appeal statement ministry border flight "
         "hotline volunteer donation safety asylum refugee journalist editor source photo video").split()
FILLER = "the of and to in a said was for on with that it as by".split()


def _text(rng: random.Random, length: int) -> str:
    words = []
    for _ in range(length):
        # a skewed draw: a few words are in nearly every document, most are rare
        pool = FILLER if rng.random() < 0.45 else WORDS[: 1 + int(len(WORDS) * rng.random() ** 2)]
        words.append(rng.choice(pool))
    return " ".join(words)


def _documents(count: int, seed: str):
    rng = random.Random(seed)
    for n in range(count):
        body = _text(rng, rng.randint(8, 160))
        yield doc(f"{n:04x}", body, title=_text(rng, rng.randint(2, 6)).title(),
                  site=rng.choice(["hrw.org", "novayagazeta.ru", "rferl.org"]), published=f"2017-0{1 + n % 9}")


@pytest.fixture(scope="module", params=["whoosh", "docket"])
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """900 documents in four segments (one with a replaced, so deleted, document). The first three are
    written by whoosh's own writer (posting blocks compressed, pickled with protocol 2, as in stores
    indexed before BLOCK_PROTOCOL) or by docket's segment build (uncompressed, BLOCK_PROTOCOL)."""
    path = tmp_path_factory.mktemp("ranking") / "index"
    ix = open_index(path, create=True)
    docs = list(_documents(900, "ranking"))
    for start in range(0, 900, 300):
        if request.param == "docket":
            build = SegmentBuild(path)
            build.add(docs[start:start + 300])
            commit_segments(path, [build.finish()])
            continue
        writer = ix.writer()
        for d in docs[start:start + 300]:
            writer.add_document(**to_fields(d))
        writer.commit(merge=False)
    writer = ix.writer()
    writer.update_document(**to_fields(doc("0003", "a replaced text about the evacuation network", title="New")))
    writer.commit(merge=False)
    return path


QUERIES = ["evacuation", "the", "said", "evacuation network", "report OR gazeta", "moscow grozny shelter",
           '"the of"', '"evacuation network"', '"of the evacuation"', '"network evacuation"~3', "evac*",
           "re*", "evacuatoin~", "netwrk~2", "title:report", "Report AND (camp OR court)", "zzzz",
           # phrases found in the term sequences (index/analysis.py)
           '"the evacuation"', '"evacuation of"', '"said the court"', '"network of the"', '"of the evacuation network"',
           '"the network" AND court', '"the network" OR "with a lawyer"',
           # ... and in the titles' term sequences
           'title:"the of"', 'title:"evacuation network"', 'title:"of the report"']


def _whoosh_top(searcher, query, limit: int) -> tuple[list[tuple[int, float]], int]:  # noqa: ANN001
    """whoosh scoring every match (no matcher replacement): the top documents and the exact count."""
    collector = collectors.TopCollector(limit=limit, usequality=False, replace=0)
    searcher.search_with_collector(query, collector)
    results = collector.results()
    return [(results.docnum(i), results.score(i)) for i in range(results.scored_length())], collector.count()


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("limit", [1, 10, 40])
@pytest.mark.parametrize("reading", ["as decided", "by intervals", "whole"])
def test_same_top_documents_and_scores_as_whoosh(corpus, monkeypatch, text, limit, reading):
    """Each query's best documents and scores are whoosh's own BM25F (ties may swap), and an exact
    count is the number of matching documents: whether each segment is read as _read_whole decides,
    interval by interval with block-max, or whole."""
    if reading != "as decided":
        monkeypatch.setattr(ranking, "_read_whole", lambda seg, plan: reading == "whole" and bool(seg.postings))
    _assert_ranks_as_whoosh(corpus, text, limit)


@pytest.mark.parametrize("text", [text for text in QUERIES if '"' in text])
@pytest.mark.parametrize("limit", [1, 10, 40])
@pytest.mark.parametrize("share", [0.0, 2.0])
def test_phrases_checked_best_bound_first_rank_as_whoosh(corpus, monkeypatch, text, limit, share):
    """The same when a phrase's documents are checked best bound first (every phrase, sampled from 8
    documents: ``share`` 0), or all of them after the sample shows the phrase rare (``share`` 2)."""
    monkeypatch.setattr(ranking, "BEST_FIRST_CANDIDATES", 0)
    monkeypatch.setattr(ranking, "BEST_FIRST_SAMPLE", 8)
    monkeypatch.setattr(ranking, "BEST_FIRST_SHARE", share)
    _assert_ranks_as_whoosh(corpus, text, limit)


def _assert_ranks_as_whoosh(corpus, text: str, limit: int) -> None:  # noqa: ANN001
    searcher = Reading(corpus).searcher
    query = bound_expansions(parse_query(searcher.schema, text), searcher.reader())
    expected, count = _whoosh_top(searcher, query, limit)
    got = ranking.rank(searcher, ranking.compile_plan(query, searcher.schema), limit)
    assert [round(s, 9) for _, s in expected] == [round(s, 9) for _, s in got.top]
    scores = [round(s, 9) for _, s in expected]
    for (want, score), (have, _) in zip(expected, got.top, strict=True):
        if scores.count(round(score, 9)) == 1:
            assert want == have
    if got.exact:
        assert count == got.total


WHOLE_QUERIES = ["evacuation network", "moscow grozny shelter", "Report AND (camp OR court)", "the said",
                 "title:report AND court", "zzzz AND the", '"the evacuation"', '"of the evacuation" OR court',
                 '"network evacuation"~3', 'title:"the report"']


@pytest.mark.parametrize("text", WHOLE_QUERIES)
def test_segments_read_whole_rank_and_count_as_whoosh(corpus, monkeypatch, text):
    """An AND or a phrase is read segment by segment in one pass, and gives whoosh's top documents
    and an exact count."""
    whole = []
    decide = ranking._read_whole
    monkeypatch.setattr(ranking, "_read_whole", lambda seg, plan: whole.append(decide(seg, plan)) or whole[-1])
    searcher = Reading(corpus).searcher
    query = bound_expansions(parse_query(searcher.schema, text), searcher.reader())
    expected, count = _whoosh_top(searcher, query, 10)
    got = ranking.rank(searcher, ranking.compile_plan(query, searcher.schema), 10)
    assert whole.count(True) >= 3  # the fourth segment holds one document, without these words
    assert [round(s, 9) for _, s in expected] == [round(s, 9) for _, s in got.top]
    assert (count, True) == (got.total, got.exact)


def _read_whole_by_segment(corpus, text: str) -> list[bool]:  # noqa: ANN001
    searcher = Reading(corpus).searcher
    plan = ranking.compile_plan(bound_expansions(parse_query(searcher.schema, text), searcher.reader()),
                                searcher.schema)
    data = ranking.searcher_data(searcher)
    return [ranking._Segment(data, i, plan, None).whole for i in range(len(data.segments))]


@pytest.mark.parametrize("text", ["evacuation", "the", "evacuation OR network"])
def test_words_alone_keep_block_max(corpus, text):
    """Words alone and narrow ORs are never read whole: block-max skips most of a word's blocks."""
    assert not any(_read_whole_by_segment(corpus, text))


def test_a_wide_or_is_read_whole(corpus):
    """A prefix standing for more than WIDE_LISTS term lists in a segment is read whole there."""
    assert any(_read_whole_by_segment(corpus, "re*"))


@pytest.mark.parametrize("dense_share", [0, ranking.DENSE_SHARE, 10**9])
def test_scores_of_any_documents_equal_the_scores_read_in_order(corpus, monkeypatch, dense_share):
    """A term's scores for a set of documents are those its blocks give, whether they are found by a
    walk along the blocks (few documents) or picked out of every block (many: dense_share)."""
    monkeypatch.setattr(ranking, "DENSE_SHARE", dense_share)
    searcher = Reading(corpus).searcher
    data = ranking.searcher_data(searcher)
    rng = random.Random(3)
    for index in range(len(data.segments)):
        for text in (b"the", b"evacu", b"said", b"network"):
            p = ranking._open(data, index, "body", text, searcher.weighting)
            if p is None:
                continue
            every = p.scores_in(0, 10**9)
            for size in (0, 1, 5, 50, 400):
                docs = set(rng.sample(range(-5, 1_000), min(size, 1_005)))
                assert p.scores_of(docs) == {d: s for d, s in every.items() if d in docs}


@pytest.fixture(scope="module")
def amber(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose index has 1,500 documents with "amber" once, ten of them with it five times."""
    store = tmp_path_factory.mktemp("amber")
    ix = open_index(store / "index", create=True)
    writer = ix.writer()
    for n in range(1500):
        words = random.Random(n).sample(range(5000), 12)
        body = "amber " * (5 if 700 <= n < 710 else 1) + " ".join(f"w{w}" for w in words)
        writer.add_document(**to_fields(doc(f"{n:04x}", body, title=f"Note {n}")))
    writer.commit()
    return store


def test_common_word_reads_fewer_blocks_than_it_has(amber, monkeypatch):
    """The top 10 of a word in every document come without reading its other posting blocks: their
    bounds (most occurrences, shortest document) show that they cannot beat the 10th best."""
    monkeypatch.setattr(ranking, "EXACT_BUDGET", 0)
    monkeypatch.setattr(ranking, "SAMPLE_CANDIDATES", 0)
    monkeypatch.setattr(ranking, "SAMPLE_MATCHES", 0)
    searcher = Reading(amber / "index").searcher
    got = ranking.rank(searcher, ranking.compile_plan(parse_query(searcher.schema, "amber"), searcher.schema), 10)
    assert set(range(700, 710)) == {docnum for docnum, _score in got.top}
    read, blocks = got.blocks()
    assert blocks >= 10 and read <= 2


def test_estimated_total_is_flagged_and_close(amber, monkeypatch):
    """When counting the rest would read too many blocks, the total is an estimate, and says so:
    "about N" for people, ``"total_exact": false`` in JSON. (Two words OR-ed: one word's count comes
    from its block headers, and an AND is read whole.)"""
    monkeypatch.setattr(ranking, "EXACT_BUDGET", 0)
    results = search(amber / "index", SearchRequest("amber OR note", limit=5, group=False))
    assert not results.total_exact
    assert abs(results.total - 1500) <= 0.3 * 1500
    code, out, _ = docket(amber, "search", "amber OR note", "--limit", "2", "--no-group")
    assert 0 == code
    assert out.splitlines()[0].startswith("about 1,")
    assert " documents match 'amber OR note' (page 1: hits 1–2)" in out.splitlines()[0]
    data = json.loads(docket(amber, "search", "amber OR note", "--json", "--no-group", "--limit", "5")[1])
    assert ["query", "total", "total_exact", "hits"] == list(data)
    assert data["total_exact"] is False
    assert "<p>about 1," in docket(amber, "search", "amber OR note", "--format", "html", "--no-group", "--limit", "2")[1]
    monkeypatch.setattr(ranking, "EXACT_BUDGET", 48)
    assert "1500 documents match" in docket(amber, "search", "amber OR note", "--no-group", "--limit", "5")[1]


@pytest.fixture(scope="module")
def stones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 3,000 documents in one segment: "amber" and "stone" in four of five, side by side
    in about half of those, each with 6 to 60 of 400 other words."""
    path = tmp_path_factory.mktemp("stones") / "index"
    ix = open_index(path, create=True)
    writer = ix.writer()
    for n in range(3000):
        rng = random.Random(n)
        words = [f"w{w}" for w in rng.sample(range(400), rng.randint(6, 60))]
        if n % 5:
            words = [*words[:6], "amber stone", *words[6:]] if rng.random() < 0.5 else ["amber", *words, "stone"]
        writer.add_document(**to_fields(doc(f"{n:04x}", " ".join(words), title=f"Note {n}",
                                            site="hrw.org" if n % 3 else "rferl.org")))
    writer.commit()
    return path


def test_a_filtered_common_phrase_checked_best_bound_first_finds_what_one_pass_finds(stones, monkeypatch):
    """With a filter, the best-first check sees only the documents the filter lets through: the same
    hits and scores as every document checked in one pass, and a count close to its exact one."""
    request = SearchRequest('"amber stone"', limit=10, group=False, filters=SearchFilters(site="rferl.org"))
    monkeypatch.setattr(ranking, "BEST_FIRST_CANDIDATES", 500)  # ~800 of the segment's documents pass
    monkeypatch.setattr(ranking, "BEST_FIRST_SAMPLE", 256)
    best_first = search(stones, request)
    monkeypatch.setattr(ranking, "BEST_FIRST_SHARE", 1.1)
    one_pass = search(stones, request)
    assert one_pass.total_exact and not best_first.total_exact
    assert [(h.id, round(h.score, 9)) for h in best_first.hits] == [(h.id, round(h.score, 9)) for h in one_pass.hits]
    assert all(h.site == "rferl.org" for h in best_first.hits)
    assert abs(best_first.total - one_pass.total) <= 0.1 * one_pass.total


def test_a_common_phrase_is_checked_best_bound_first(stones, monkeypatch):
    """A phrase whose rarest word is in most documents gets whoosh's top documents after checking a
    few of them for the phrase, best bound first; the rest are counted from a sample, and the count
    says it is an estimate."""
    monkeypatch.setattr(ranking, "BEST_FIRST_SAMPLE", 512)
    checked = []
    matching = ranking.SequenceColumn.matching
    monkeypatch.setattr(ranking.SequenceColumn, "matching",
                        lambda self, docs, phrase: checked.append(len(docs)) or matching(self, docs, phrase))
    searcher = Reading(stones).searcher
    query = parse_query(searcher.schema, '"amber stone"')
    expected, count = _whoosh_top(searcher, query, 10)
    got = ranking.rank(searcher, ranking.compile_plan(query, searcher.schema), 10)
    assert [round(s, 9) for _, s in expected] == [round(s, 9) for _, s in got.top]
    assert 2000 < ranking.searcher_data(searcher).segments[0][0].doc_frequency("body", b"amber")
    assert sum(checked) < 800  # of 2,400 with "amber" and "stone": a sample of 600, then the best
    assert not got.exact and abs(got.total - count) <= 0.1 * count
    monkeypatch.setattr(ranking, "BEST_FIRST_SHARE", 1.1)  # as if the sample had shown the phrase rare
    got = ranking.rank(searcher, ranking.compile_plan(query, searcher.schema), 10)
    assert (count, True) == (got.total, got.exact)
    assert [round(s, 9) for _, s in expected] == [round(s, 9) for _, s in got.top]


def test_total_counts_every_match(corpus):
    """The total is every matching document, not only those whoosh's top-N scan happened to see."""
    for text in ("said", "evacuation network", "report OR gazeta"):
        results = search(corpus, SearchRequest(text, limit=3, group=False))
        assert results.total_exact
        assert sum(1 for _ in iter_hits(corpus, text)) == results.total, text


def test_filters_and_deleted_documents(corpus):
    """A filter restricts the ranked documents; a replaced document's old version never comes back."""
    site = search(corpus, SearchRequest("evacuation", limit=50, group=False, filters=SearchFilters(site="hrw.org")))
    assert site.hits and all(h.site == "hrw.org" for h in site.hits)
    assert sum(1 for _ in iter_hits(corpus, "evacuation", SearchFilters(site="hrw.org"))) == site.total
    replaced = search(corpus, SearchRequest("id:" + "0003" * 16, limit=5))
    assert ["New"] == [h.title for h in replaced.hits]


def test_snippets_from_the_ranker_match_postings_lookups(corpus):
    """The ranker's term positions give the same snippets as looking the postings up per hit."""
    for text in ("evacuation network", '"of the evacuation"', "evac*"):
        request = SearchRequest(text, limit=5, group=False)
        ranked = search(corpus, request)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(index_search._Ranker, "_ranked", index_search._Ranker._collected)  # noqa: SLF001
            looked_up = search(corpus, request)
        assert [h.snippets for h in looked_up.hits] == [h.snippets for h in ranked.hits]


def test_block_heads_read_like_whole_blocks(corpus):
    """Reading only a block's docnums and weights gives what unpickling the whole block gives."""
    searcher = Reading(corpus).searcher
    checked = 0
    for segment, _base in searcher.reader().leaf_readers():
        for field in ("title", "body"):
            for text in list(segment.lexicon(field))[:200]:
                matcher = segment.postings(field, text)
                matcher = getattr(matcher, "child", matcher)
                while hasattr(matcher, "_goto"):
                    raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
                    whole = pickle.loads(zlib.decompress(raw) if matcher._compression else raw)  # noqa: S301
                    head = ranking.block_head(raw, matcher._compression, matcher._blocklength)
                    assert head is not None
                    assert list(head[0]) == list(_accumulate(whole[0]))
                    assert head[1] == ranking._weights(whole[1], matcher._blocklength)  # noqa: SLF001
                    checked += 1
                    if matcher._lastblock:
                        break
                    matcher._goto(matcher._nextoffset)
    assert checked > 100


GAPS = st.one_of(st.integers(1, 255), st.integers(1, 255), st.integers(256, 65535), st.integers(65536, 10**6))
WEIGHTS = st.one_of(st.none(), st.floats(0.25, 64.0), st.lists(st.floats(0.25, 64.0), min_size=130, max_size=130))


@settings(max_examples=400, deadline=None)
@given(first=st.one_of(st.integers(0, 255), st.integers(256, 2**31 - 1)),
       gaps=st.one_of(st.lists(st.integers(1, 255), max_size=127), st.lists(GAPS, max_size=127)),
       weights=WEIGHTS, compressed=st.booleans(), protocol=st.sampled_from([2, BLOCK_PROTOCOL]))
def test_block_heads_read_from_any_pickled_head(first, gaps, weights, compressed, protocol):  # noqa: ANN001
    """Any block whoosh could write (ids as K/M/J ints, weights None, one float or a tuple), pickled as
    whoosh pickles it (protocol 2) or as docket does (BLOCK_PROTOCOL), gives its head."""
    deltas = (first, *gaps)
    count = len(deltas)
    packed = tuple(weights[:count]) if isinstance(weights, list) else weights
    values = tuple(bytes([n % 7]) * (n % 5 + 1) for n in range(count))
    raw = pickle.dumps((deltas, packed, values), protocol)
    raw = zlib.compress(raw) if compressed else raw
    assert (tuple(_accumulate(deltas)), ranking._weights(packed, count)) == ranking.block_head(raw, compressed, count)  # noqa: SLF001


def test_a_usual_block_head_is_read_without_unpickling():
    """A block of close docnums, its first anywhere, with weights in any of whoosh's forms takes the direct path."""
    for first, protocol in itertools.product((7, 300, 70_000), (2, BLOCK_PROTOCOL)):
        for weights in (None, 2.0, tuple(float(n % 3 + 1) for n in range(6))):
            data = pickle.dumps(((first, 1, 2, 250, 3, 9), weights, (b"v",) * 6), protocol)
            expected = (tuple(_accumulate((first, 1, 2, 250, 3, 9))), ranking._weights(weights, 6))  # noqa: SLF001
            assert expected == ranking._common_head(data, 6)  # noqa: SLF001


def _accumulate(deltas):  # noqa: ANN001, ANN202
    total = 0
    for d in deltas:
        total += d
        yield total


def test_fuzzy_words_from_the_kept_word_list_are_the_segments_words(corpus, monkeypatch):
    """Once a reader keeps a field's word list, fuzzy terms expand to exactly the same words."""
    searcher = Reading(corpus).searcher
    reader = searcher.reader()
    texts = ["evacuatoin~", "netwrk~2", "title:reprot~", "grozy~1/2", "qqqq~"]

    def expanded(text: str) -> list:
        query = bound_expansions(parse_query(searcher.schema, text), reader)
        return sorted((leaf.fieldname, leaf.text) for leaf in query.leaves() if hasattr(leaf, "fieldname"))

    monkeypatch.setattr(index_search, "LEXICON_AFTER", 10 ** 9)
    by_segment = [expanded(t) for t in texts]
    monkeypatch.setattr(index_search, "LEXICON_AFTER", 0)
    assert by_segment == [expanded(t) for t in texts]
    assert index_search.field_words(reader, "body") is not None


def test_one_word_is_counted_from_its_block_headers(amber):
    """With nothing deleted and no filter, a word matches wherever it has a posting: the count is
    exact without reading the blocks the top 10 did not need."""
    searcher = Reading(amber / "index").searcher
    got = ranking.rank(searcher, ranking.compile_plan(parse_query(searcher.schema, "amber"), searcher.schema), 10)
    assert (1500, True) == (got.total, got.exact)
    read, blocks = got.blocks()
    assert blocks >= 10 and read <= 2


def test_a_word_in_titles_and_bodies_is_counted_once(tmp_path, monkeypatch):
    """The title list read whole, the body list from its headers: documents with the word in both
    count once, the total is exact (with no budget for counting otherwise) and equals whoosh's."""
    monkeypatch.setattr(ranking, "EXACT_BUDGET", 0)
    ix = open_index(tmp_path / "index", create=True)
    writer = ix.writer()
    for n in range(3000):
        river = "river " * (5 if 300 <= n < 310 else 1 if n % 3 == 0 else 0)
        body = river + " ".join(f"w{w}" for w in random.Random(n).sample(range(900), 9))
        writer.add_document(**to_fields(doc(f"{n:04x}", body, title="River notes" if n < 40 else f"Notes {n}")))
    writer.commit()
    searcher = Reading(tmp_path / "index").searcher
    query = parse_query(searcher.schema, "river")
    got = ranking.rank(searcher, ranking.compile_plan(query, searcher.schema), 10)
    expected = sum(1 for n in range(3000) if n % 3 == 0 or n < 40 or 300 <= n < 310)
    assert (expected, True) == (got.total, got.exact)
    assert expected == _whoosh_top(searcher, query, 10)[1]


def _record_decodes(monkeypatch) -> list:  # noqa: ANN001
    """A list that gets every posting value whose positions the ranker decodes."""
    checked: list = []
    decoder = ranking.positions_decoder

    def counting(fmt):  # noqa: ANN001, ANN202
        decode = decoder(fmt)
        return lambda value: checked.append(value) or decode(value)

    monkeypatch.setattr(ranking, "positions_decoder", counting)
    return checked


@pytest.mark.parametrize("text", ['body:"the evacuation"', 'body:"of the evacuation"', 'body:"network of"'])
def test_phrases_found_in_the_sequences_unpack_no_positions(corpus, monkeypatch, text):
    """An exact body phrase is decided on the term sequences: no position is unpacked, and the top
    and the exact count are whoosh's."""
    searcher = Reading(corpus).searcher
    query = parse_query(searcher.schema, text)
    expected, count = _whoosh_top(searcher, query, 10)
    checked = _record_decodes(monkeypatch)
    got = ranking.rank(searcher, ranking.compile_plan(query, searcher.schema), 10)
    assert expected and [round(s, 9) for _, s in expected] == [round(s, 9) for _, s in got.top]
    assert (count, True) == (got.total, got.exact)
    assert checked == []


def test_colliding_term_keys_leave_documents_to_positions(tmp_path, monkeypatch):
    """When two terms share a key (as crc32 may), a document holding both is left to positions and
    one holding only the other term never matches on the key: no false hit, an exact count."""
    key = analysis.term_key
    collide = {"camp": key("evacu"), "evacu": key("evacu")}
    colliding = lambda term: collide.get(term) or key(term)  # noqa: E731
    monkeypatch.setattr(analysis, "term_key", colliding)
    monkeypatch.setattr(ranking, "term_key", colliding)
    ix = make_index(tmp_path, doc("01", "evacuation of the camps"), doc("02", "the evacuation began"),
                    doc("03", "the camps of the north; the evacuation"), doc("04", "the camps"),
                    doc("05", "the evacuation of the evacuation"), doc("06", "the camps and the evacuation"))
    searcher = Reading(ix).searcher
    checked = _record_decodes(monkeypatch)
    got = ranking.rank(searcher, ranking.compile_plan(parse_query(searcher.schema, 'body:"the evacuation"'),
                                                       searcher.schema), 10)
    ids = {searcher.stored_fields(doc)["id"][:2] for doc, _ in got.top}
    assert (ids, got.total, got.exact) == ({"02", "03", "05", "06"}, 4, True)
    assert checked  # 03 and 06 hold both colliding terms: positions decided them


@pytest.mark.parametrize("text", ['body:"the antigay"', 'body:"antigay law"', 'body:"anti gay"', 'body:"the anti"',
                                  'body:"gay law"', 'body:"the wellknown"'])
def test_a_phrase_word_that_is_a_joined_form_is_decided_on_positions(tmp_path_factory, text):
    """A hyphenated word's joined form shares its first part's position, which the sequence cannot
    hold: documents where a phrase word is one are found in the joined column and decided on
    positions, so the matches are whoosh's."""
    path = tmp_path_factory.mktemp("joined") / "index"
    ix = open_index(path, create=True)
    for n in range(3):  # three segments
        writer = ix.writer()
        for m, body in enumerate(["the anti-gay law was passed", "an antigay law; the well-known anti gay law",
                                  "the antigay campaign", "gay law and the law", "the wellknown anti-gay"]):
            writer.add_document(**to_fields(doc(f"{n}{m}", body)))
        writer.commit(merge=False)
    searcher = Reading(path).searcher
    query = parse_query(searcher.schema, text)
    expected, count = _whoosh_top(searcher, query, 20)
    got = ranking.rank(searcher, ranking.compile_plan(query, searcher.schema), 20)
    assert sorted(round(s, 9) for _, s in expected) == sorted(round(s, 9) for _, s in got.top)
    assert {d for d, _ in expected} == {d for d, _ in got.top}
    assert (count, True) == (got.total, got.exact)


def test_a_phrase_found_across_key_boundaries_does_not_match(tmp_path, monkeypatch):
    """The phrase's keys found at a place that is not a key boundary (the end of one key and the
    start of the next) are not the phrase; an aligned occurrence later in the same document is."""
    keys = {"aa": b"abcd", "bb": b"efgh", "hh": b"ijkl", "cc": b"cdef", "dd": b"ghij", "zz": b"zzzz",
            "untitl": b"uuuu"}  # the titles' word
    monkeypatch.setattr(analysis, "term_key", keys.__getitem__)
    monkeypatch.setattr(ranking, "term_key", keys.__getitem__)
    ix = make_index(tmp_path, doc("01", "aa bb hh cc zz dd"), doc("02", "cc dd"), doc("03", "aa bb hh zz cc dd"))
    searcher = Reading(ix).searcher
    column = ranking.searcher_data(searcher).sequences(0, "body")
    assert None not in column.mapped
    got = ranking.rank(searcher, ranking.compile_plan(parse_query(searcher.schema, 'body:"cc dd"'), searcher.schema), 10)
    assert {searcher.stored_fields(d)["id"][:2] for d, _ in got.top} == {"02", "03"}
    assert (got.total, got.exact) == (2, True)


def test_posting_lists_read_from_the_mapped_segment_file_are_whooshs_bytes(corpus):
    """A term's posting list viewed in the segment file mapped into memory is, byte for byte, what
    whoosh's part file reads; a part file that is not in a compound segment is read through whoosh."""
    searcher = Reading(corpus).searcher
    data = ranking.searcher_data(searcher)
    checked = 0
    for index, (segment, _base, _deleted) in enumerate(data.segments):
        terms = segment._terms  # noqa: SLF001
        read = data.postings_file(index, terms._postfile)  # noqa: SLF001
        assert read is not terms._postfile.get  # noqa: SLF001 - whoosh 2.7.5's compound segments: mapped
        for field, text in list(segment.all_terms())[:300]:
            info = terms.term_info(field, text)
            if not info.is_inlined():
                start, length = info.extent()
                length = length[0] if isinstance(length, tuple) else length  # as whoosh's term info leaves it
                assert read(start, length) == terms._postfile.get(start, length)  # noqa: SLF001
                assert isinstance(read(start, length), memoryview)  # viewed in place, not copied
                checked += 1
    assert checked > 300

    class Unmapped:  # a part file read some other way
        def get(self, start: int, length: int) -> bytes:
            return b"x" * length

    fresh = ranking._SearcherData(searcher)  # noqa: SLF001
    assert fresh.postings_file(0, Unmapped())(5, 3) == b"xxx"


@pytest.mark.parametrize("mapped", [True, False])
def test_sequence_columns_searched_in_place_agree_with_each_document_read(corpus, monkeypatch, mapped):
    """Searching the sequences in the mapped segment file, and the joined column in one pass, finds
    exactly what reading each document's values through whoosh finds (as it is read when the file
    cannot be mapped)."""
    searcher = Reading(corpus).searcher
    data = ranking.searcher_data(searcher)
    rng = random.Random(7)
    phrases = [ranking.compile_plan(parse_query(searcher.schema, text), searcher.schema)
               for text in ('body:"the evacuation"', 'body:"evacuation network of"', 'body:"zzzz the"')]
    for index, (segment, _base, _deleted) in enumerate(data.segments):
        column = data.sequences(index, "body")
        assert None not in column.mapped  # whoosh 2.7.5's compound segment files: the fast path
        if not mapped:
            monkeypatch.setattr(column, "mapped", (None, None))
        sequences, joined = ([segment.column_reader(name, translate=False)[doc] for doc in range(segment.doc_count_all())]
                             for name in ("body_sequence", "body_joined"))
        joined[-1] = KEYS_COLLIDE  # as if the last document's keys collided
        monkeypatch.setattr(column, "_always", {len(joined) - 1} | {d for d, value in enumerate(sequences) if not value})
        monkeypatch.setattr(column, "_undecided_by_words", {})  # what earlier searches kept
        if not mapped:
            monkeypatch.setattr(column, "joined", joined)
        for phrase in phrases:
            hold = {doc for doc, value in enumerate(sequences) if sequence_match(value, phrase.keys)}
            undecided = {doc for doc in range(len(joined)) if not sequences[doc]
                         or joined_undecided(joined[doc], phrase.word_keys())}
            for docs in (set(rng.sample(range(len(sequences)), len(sequences) // 3)), set(range(len(sequences)))):
                assert column.matching(docs, phrase) == ((hold | undecided) & docs, undecided & docs)
        first = ranking.PhraseOf("body", (), keys=sequences[0][:8])
        assert 0 in column.matching(set(range(len(sequences))), first)[0]


@pytest.mark.parametrize("field", ["title", "body"])
def test_an_exact_phrase_in_a_title_or_body_is_looked_for_in_its_term_sequence(corpus, field):
    """A title phrase, like a body phrase, is found by its words' keys in the field's sequence column
    (positions only for what the sequences leave undecided): the plan carries the keys."""
    searcher = Reading(corpus).searcher
    plan = ranking.compile_plan(parse_query(searcher.schema, f'{field}:"the evacuation"'), searcher.schema)
    assert (plan.field, plan.keys) == (field, term_key("the") + term_key("evacu"))
    data = ranking.searcher_data(searcher)
    assert None not in data.sequences(0, field).mapped


def test_counting_a_phrase_costs_its_rarest_words_blocks_when_sequences_decide(corpus):
    """What counting a phrase would read: with term sequences, the rarest word's blocks (the others
    are read only for its documents whose sequence holds the phrase); with positions, every word's."""
    searcher = Reading(corpus).searcher
    data = ranking.searcher_data(searcher)
    for text, cost in (('body:"the evacuation"', ranking.SEQUENCE_COST), ('body:"the evacuation"~2', ranking.PHRASE_COST)):
        plan = ranking.compile_plan(parse_query(searcher.schema, text), searcher.schema)
        assert bool(plan.keys) is (cost == ranking.SEQUENCE_COST)
        seg = ranking._Segment(data, 0, plan, None)
        lists = sorted((seg.postings[(plan.field, w)] for w in set(plan.words)), key=lambda p: p.total)
        start, end = seg.cuts[0], seg.cuts[-1]
        assert lists[0].total < lists[-1].total and all(p.unread_over(start, end) for p in lists)
        counted = lists[:1] if plan.keys else lists
        assert seg.unread_cost(0, len(seg.cuts) - 1) == cost * sum(p.unread_over(start, end) for p in counted)


def test_a_longer_phrase_needs_its_words_side_by_side(tmp_path):
    """A document with every word of a three-word phrase, and each two of them side by side, but not
    all three, does not match it."""
    ix = make_index(tmp_path, doc("01", "the evacuation of the camps"),
                    doc("02", "the evacuation began; an evacuation of the camps"), doc("03", "evacuation"))
    schema = Reading(ix).searcher.schema
    plan = ranking.compile_plan(parse_query(schema, '"the evacuation of"'), schema)
    assert any(part.keys for part in plan.parts)
    assert ["01" * 64] == [h.id for h in search(ix, SearchRequest('"the evacuation of"', group=False)).hits]


def test_phrase_checks_agree():
    """Exact phrases checked rarest word first agree with the general in-order check."""
    rng = random.Random(7)
    for _ in range(500):
        lists = [sorted(rng.sample(range(30), rng.randint(1, 8))) for _ in range(rng.randint(2, 4))]
        sizes = [len(x) for x in lists]
        assert ranking.phrase_matches(lists, 1) == ranking.exact_phrase_at(lambda i, lists=lists: lists[i], sizes)


def test_facets_and_date_order_count_every_match(corpus):
    """Facets and date order go through whoosh's collectors, with no document skipped: the total and
    the facet counts are every matching document."""
    for text in ("said", "report OR gazeta"):
        exact = sum(1 for _ in iter_hits(corpus, text))
        faceted = search(corpus, SearchRequest(text, limit=3, group=False, facets=True))
        assert exact == faceted.total
        assert exact == sum(count for _, count in faceted.facets["site"])
        by_date = search(corpus, SearchRequest(text, limit=3, group=False, sort=Sort.DATE))
        assert exact == by_date.total


def test_the_mapped_term_index_finds_every_term_as_whoosh_does(corpus):
    """Each segment's term info, looked up in the mapped segment file, is whoosh's for every term of
    every field (the same statistics and the same place of its postings), None for a term the segment
    lacks; a term's document frequency over the segments is the reader's."""
    searcher = Reading(corpus).searcher
    reader = searcher.reader()
    data = ranking.searcher_data(searcher)
    for index in range(len(data.segments)):
        data.term_info(index, "body", b"the")
        assert isinstance(data._term_indexes[index], ranking.TermIndex)  # noqa: SLF001 - compound files: mapped
    looked_up = 0
    for field, text in reader.all_terms():
        assert data.doc_frequency(field, text) == reader.doc_frequency(field, text)
        for index, (segment, _base, _deleted) in enumerate(data.segments):
            found = data.term_info(index, field, text)
            if (field, text) not in segment:
                assert found is None
                continue
            whooshs = segment.term_info(field, text)
            assert (found.doc_frequency(), found.weight(), found.min_id(), found.max_id(), found.max_weight(),
                    found.min_length(), found.max_length(), found.is_inlined()) == (
                whooshs.doc_frequency(), whooshs.weight(), whooshs.min_id(), whooshs.max_id(), whooshs.max_weight(),
                whooshs.min_length(), whooshs.max_length(), whooshs.is_inlined())
            assert found.is_inlined() or found.extent() == whooshs.extent()
            looked_up += 1
    assert looked_up > 2_000
    for missing in (b"zzzqqq", b"", "наверное".encode()):
        assert data.doc_frequency("body", missing) == 0 == reader.doc_frequency("body", missing)
    assert data.doc_frequency("no_such_field", b"the") == 0
    unmapped = ranking._SearcherData(searcher)  # noqa: SLF001 - as when a segment file cannot be mapped
    unmapped._term_indexes = dict.fromkeys(range(len(unmapped.segments)))  # noqa: SLF001
    for field, text in list(reader.all_terms())[::50]:
        assert unmapped.doc_frequency(field, text) == reader.doc_frequency(field, text)
    assert unmapped.term_info(0, "body", b"zzzqqq") is None
