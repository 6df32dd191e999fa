"""Property tests (hypothesis): the cleaners never crash and never invent text, records and the ledger
round-trip byte for byte and show any change, and no query makes search fail unexpectedly."""

from __future__ import annotations

import os
import pickle
import re
import tempfile
import time
import tracemalloc
from pathlib import Path

import attrs
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.archive import Archive
from archive.codec import RECORD_FORMAT, record_from_bytes, record_to_bytes, record_to_dict
from archive.errors import CorruptRecord
from archive.fixity import check_ledger_chain
from archive.records import CleanFacts, DocumentMetadata, IngestFacts, OriginalFacts, ProvenanceRecord, Removal
from corpus.clean import clean_document
from corpus.cleaned import Block, CleanResult, Metadata
from corpus.collection import Collection, indexed_document
from corpus.readers import MediaType
from index import writer as index_writer
from index.errors import QuerySyntaxError
from index.search import MAX_EXPANSION, bound_expansions, search
from index.values import IndexedDocument
from tests.conftest import SAMPLE

EXAMPLES = int(os.environ.get("DOCKET_FUZZ_EXAMPLES", "100"))  # more for a long run: DOCKET_FUZZ_EXAMPLES=5000
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # ledger appends fsync: cheap in memory
SEED_LINES = [line for p in sorted(SAMPLE.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()]


def squeeze(text: str) -> str:
    """Text without whitespace or control characters (the cleaners make those spaces): where blocks
    are cut and joined must not matter."""
    return re.sub(r"[\s\x00-\x08\x0b-\x1f\x7f-\x9f]+", "", text)


# ---- cleaners -----------------------------------------------------------------------------------

page_lines = st.one_of(st.sampled_from(SEED_LINES), st.text(max_size=120), st.just(""),
                       st.sampled_from(["Leave a Reply", "%d bloggers like this:", "Home > News >", "Share this:",
                                        "View Comments (3)", "Copyright 2017", "Tags: Russia, LGBT", "&amp; &lt;x&gt;"]))


@FUZZ
@given(st.lists(page_lines, max_size=40))
def test_the_text_cleaner_never_crashes_and_never_invents_text(lines: list[str]) -> None:
    """Any text: clean_text returns, and every block it keeps is text that was in the input."""
    text = "\n".join(lines)
    result = clean_document(text, MediaType.TEXT)
    source = squeeze(text)
    for block in result.blocks:
        if block.kept:
            assert squeeze(block.text) in source, block.text


TAGS = ("p", "div", "span", "article", "main", "nav", "footer", "aside", "section", "h1", "h2", "li", "ul", "a",
        "em", "b", "blockquote", "header", "table", "tr", "td", "figure", "figcaption", "form")
words = st.one_of(st.sampled_from(SEED_LINES), st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40))
html_nodes = st.recursive(
    words.map(lambda w: w.replace("<", " ").replace("&", " ")),
    lambda children: st.tuples(st.sampled_from(TAGS), st.sampled_from(["", ' class="comments"', ' id="nav"',
                                                                       ' class="article-body"', ' hidden']),
                               st.lists(children, max_size=5)).map(
        lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}</{t[0]}>"),
    max_leaves=40)


def page_text(html: str) -> str:
    """What a reader of the page could see: its text without scripts, styles and templates."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//template|//noscript"):
        bad.drop_tree()
    return root.text_content()


@FUZZ
@given(st.lists(html_nodes, max_size=6), st.sampled_from(["", "<title>A title</title>", "<title>x | Site</title>"]))
def test_the_html_cleaner_never_crashes_and_never_invents_text(body: list[str], head: str) -> None:
    """Random nested HTML: clean_html returns, and every kept block is text of the page."""
    html = f"<html><head>{head}</head><body>{''.join(body)}<script>var x = 'not text';</script></body></html>"
    result = clean_document(html, MediaType.HTML)
    source = squeeze(page_text(html))
    for block in result.blocks:
        if block.kept:
            assert squeeze(block.text) in source, block.text
    assert "not text" not in result.body


# ---- records and the ledger ---------------------------------------------------------------------

hexes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
texts = st.text(max_size=60)
maybe = st.none() | texts
json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53) | texts,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                           max_leaves=10)
records = st.builds(
    ProvenanceRecord,
    original=st.builds(OriginalFacts, sha256=hexes, size=st.integers(0, 2**40), media_type=st.sampled_from(
        ["text/html", "text/plain"]), filename=maybe, encoding=maybe, source_url=maybe, retrieved_at=maybe),
    clean=st.builds(CleanFacts, sha256=hexes, size=st.integers(0, 2**40), cleaner=texts, cleaner_version=texts,
                    settings=st.dictionaries(texts, json_values, max_size=4)),
    metadata=st.builds(DocumentMetadata, title=maybe, author=maybe, published=maybe, published_precision=maybe,
                       site=maybe, tags=st.lists(texts, max_size=5).map(tuple), language=maybe, canonical_url=maybe),
    ingest=st.builds(IngestFacts, by=texts, at=texts, docket_version=texts, note=maybe),
    removed=st.lists(st.builds(Removal, rule=texts, text=texts), max_size=5).map(tuple),
    previous_version=st.none() | hexes,
)


clean_results = st.builds(
    CleanResult,
    blocks=st.lists(st.builds(Block, text=texts, rule=maybe), max_size=8).map(tuple),
    metadata=st.builds(Metadata, title=maybe, author=maybe, published=maybe, published_precision=maybe, site=maybe,
                       tags=st.lists(texts, max_size=3).map(tuple), url=maybe, language=maybe),
)


@given(clean_results)
def test_a_clean_result_pickles_as_itself(result: CleanResult) -> None:
    """A cleaning process's result reaches the ingesting process (pickled as columns) unchanged."""
    back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == result
    assert all(type(block) is Block for block in back.blocks)


@FUZZ
@given(records)
def test_a_record_round_trips_byte_for_byte(record: ProvenanceRecord) -> None:
    """record -> bytes -> record gives the same record, and encoding it again the same bytes."""
    data = record_to_bytes(record)
    back = record_from_bytes(data)
    assert record == back
    assert data == record_to_bytes(back)


@given(records)
def test_a_records_data_is_attrs_own_conversion_of_it(record: ProvenanceRecord) -> None:
    """The record's JSON data (its removed blocks built directly) is what ``attrs.asdict`` gives, with
    its format and id: the stored bytes do not depend on the shortcut."""
    assert record_to_dict(record) == {**attrs.asdict(record), "format": RECORD_FORMAT, "id": record.id}


@FUZZ
@given(records, st.integers(0, 10**6), st.integers(1, 255))
def test_a_changed_record_byte_never_passes_as_the_same_record(record: ProvenanceRecord, where: int, flip: int) -> None:
    """Flipping any byte of a stored record gives a parse error or a different record, never silence."""
    data = bytearray(record_to_bytes(record))
    position = where % len(data)
    data[position] ^= flip
    try:
        changed = record_from_bytes(bytes(data))
    except CorruptRecord:
        return
    assert record_to_bytes(changed) != record_to_bytes(record) or bytes(data) != record_to_bytes(record)


events = st.lists(st.tuples(st.sampled_from(["ingest", "reindex", "export", "repair"]), st.none() | hexes,
                            st.dictionaries(texts, json_values, max_size=3)), min_size=1, max_size=5)


@FUZZ
@given(st.lists(events, min_size=1, max_size=4), st.data())
def test_the_ledger_round_trips_and_any_edit_shows(batches: list, data: st.DataObject) -> None:
    """Appended batches read back as the same entries in one intact chain; changing any one byte of the
    ledger file afterwards is always reported."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
        archive = Archive(Path(folder))
        written = []
        for batch in batches:
            written += archive.ledger.append(batch, "2017-06-26T11:07:00Z")
        assert written == archive.ledger.entries()
        problems, _ = check_ledger_chain(archive)
        assert [] == problems
        raw = bytearray(archive.ledger.path.read_bytes())
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] ^= data.draw(st.integers(1, 255))
        archive.ledger.path.write_bytes(bytes(raw))
        problems, _ = check_ledger_chain(archive)
        assert problems, "an edited ledger passed the chain check"


# ---- queries ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the five sample articles, built in this process."""
    store = tmp_path_factory.mktemp("query") / "store"
    collection = Collection(store)
    collection.ingest([SAMPLE])
    return collection.index_path


query_atoms = st.one_of(
    st.sampled_from(["Kochetkov", "evacuation", "Chechnya", "Novaya", "Gazeta", "LGBT", "a", "the", "é", "ß", "Ⅻ"]),
    st.sampled_from(["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "(", ")", '"', "*", "?", "~", "~5", "^2", ":", "title:",
                     "body:", "id:", "tag:", "author:", "site:", "-", "+", "[", "]", "{", "}", "TO", "\\", "/", "'",
                     "“", "”", "«", "»", "http://x.org/a?b=c", "a@b.org", "0", "1e9", "\x00", "\t"]),
    st.text(max_size=8))
queries = st.lists(query_atoms, min_size=0, max_size=8).map(" ".join) | st.text(max_size=40)


@FUZZ
@given(queries)
def test_no_query_fails_except_as_a_syntax_error(sample_index: Path, query: str) -> None:
    """Any query string: search answers, or raises QuerySyntaxError (exit 2 in the CLI); nothing else."""
    try:
        results = search(sample_index, query, limit=5)
    except QuerySyntaxError:
        return
    assert results.total >= len(results.hits)
    for hit in results.hits:
        for snippet in hit.snippets:
            for start, end in snippet.highlights:
                assert 0 <= start < end <= len(snippet.text)


@pytest.fixture(scope="module")
def wide_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index whose body field holds 20,000 different words starting with 'a'."""
    import random

    rng = random.Random(7)
    path = tmp_path_factory.mktemp("wide") / "index"
    seen: set[str] = set()
    docs = []
    for number in range(800):
        body = []
        while len(body) < 25:
            word = "a" + "".join(rng.choice("bcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 8)))
            if word not in seen:
                seen.add(word)
                body.append(word)
        digest = f"{number:064x}"
        docs.append(IndexedDocument(id=digest, title=f"wide {number}", body=" ".join(body), raw_sha256=digest,
                                    clean_sha256=digest))
    index_writer.write_documents(path, docs)
    return path


@pytest.mark.parametrize("query", ["a*", "a~5", "a* b* c*"])
def test_a_pathological_prefix_or_fuzzy_query_is_bounded(wide_index: Path, query: str) -> None:
    """Over 20,000 words starting with 'a', a prefix or fuzzy query answers within seconds and a few
    tens of MB: each expands to at most MAX_EXPANSION words."""
    tracemalloc.start()
    started = time.monotonic()
    results = search(wide_index, query, limit=10)
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 20 and peak < 150 * 2**20, (elapsed, peak)
    assert results.total <= 3 * MAX_EXPANSION


def test_an_expansion_never_stands_for_more_than_the_cap(wide_index: Path) -> None:
    """bound_expansions turns a*, a~5 into ORs of at most MAX_EXPANSION words, fuzzy within two edits."""
    from whoosh import query as wq

    ix = index_writer.open_index(wide_index)
    with ix.searcher() as searcher:
        for leaf in (wq.Prefix("body", "a"), wq.FuzzyTerm("body", "abcde", maxdist=5), wq.Wildcard("body", "a*e")):
            bounded = bound_expansions(leaf, searcher.reader())
            assert len(list(bounded.leaves())) <= MAX_EXPANSION
            assert all(isinstance(term, wq.Term) for term in bounded.leaves())


def test_indexed_document_of_a_fuzzed_record_is_searchable_by_its_id(tmp_path: Path) -> None:
    """A record with odd metadata (control characters, empty title) still indexes and finds by id."""
    record = ProvenanceRecord(
        original=OriginalFacts(sha256="ab" * 32, size=3, media_type="text/plain", filename="x\\n.txt"),
        clean=CleanFacts(sha256="cd" * 32, size=3, cleaner="c", cleaner_version="1"),
        metadata=DocumentMetadata(title="", tags=("", "a,b")), ingest=IngestFacts(by="u", at="t", docket_version="v"))
    index_writer.write_documents(tmp_path / "ix", [indexed_document(record, "evacuation text")])
    assert 1 == search(tmp_path / "ix", f"id:{'ab' * 6}").total
