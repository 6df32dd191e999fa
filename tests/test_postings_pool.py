"""The grouped postings pool and block writer give a segment exactly the postings whoosh's own writer gives it."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb.filestore import FileStorage

from index.postings_pool import BLOCK_PROTOCOL, GroupedPostingPool, postings_codec, write_postings
from index.schema import build_schema
from index.segments import SegmentBuild, commit_segments
from index.values import IndexedDocument
from index.writer import feed, open_index

WORDS = ("press", "freedom", "court", "detained", "journalist", "report", "anti-gay", "law", "moscow",
         "café", "протест", "hrw.org", "witness", "appeal", "sentenced", "don't", "Lokshina’s")

# a document's postings: term index -> (weight, value bytes), for docs added in docnum order
_DOCS = st.lists(st.dictionaries(st.integers(0, 40), st.tuples(st.integers(1, 9), st.binary(max_size=12)),
                                 max_size=25), max_size=30)


def _items(docs: list[dict]) -> list[tuple]:
    """whoosh posting items, in the order a writer adds them (document by document)."""
    items = []
    for docnum, postings in enumerate(docs):
        for term, (weight, value) in sorted(postings.items(), key=lambda kv: random.Random(kv[0]).random()):
            field = "body" if term % 3 else "title"
            items.append((field, f"t{term:03d}".encode(), docnum, float(weight), value))
    return items


@settings(max_examples=60, deadline=None)
@given(docs=_DOCS, limit=st.sampled_from([200, 2_000, 10**9]))
def test_postings_come_out_sorted_as_whoosh_sorts_them(tmp_path_factory, docs, limit):
    storage = FileStorage(str(tmp_path_factory.mktemp("runs")))
    pool = GroupedPostingPool(storage)
    pool.limit = limit  # small limits spill run files, which are merged back
    items = _items(docs)
    for item in items:
        pool.add(item)
    assert list(pool.iter_postings()) == sorted(items)
    assert pool.fieldnames == {item[0] for item in items}
    assert not list(Path(storage.folder).iterdir())  # run files removed once read


def test_cleanup_removes_spilled_runs(tmp_path):
    storage = FileStorage(str(tmp_path))
    pool = GroupedPostingPool(storage)
    pool.limit = 100
    for item in _items([{n: (1, b"x") for n in range(20)} for _ in range(5)]):
        pool.add(item)
    assert list(tmp_path.iterdir())
    pool.cleanup()
    assert not list(tmp_path.iterdir())


def _documents(count: int) -> list[IndexedDocument]:
    rng = random.Random(7)
    return [IndexedDocument(id=f"{n:064x}", title=" ".join(rng.choices(WORDS, k=4)),
                            body=" ".join(rng.choices(WORDS, k=rng.randint(20, 200))), raw_sha256=f"{n:064x}",
                            clean_sha256=f"{n + 1:064x}", tags=("rights",)) for n in range(count)]


def _every_posting(path: Path) -> list[tuple]:
    """Each term's statistics, the headers of its posting blocks (which ranking reads), and every
    posting with its weight and value."""
    reader = open_index(path).reader()
    out = []
    for field, text in reader.all_terms():
        info = reader.term_info(field, text)
        out.append((field, text, info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                    info.max_weight(), info.min_id(), info.max_id()))
        matcher = reader.postings(field, text)
        while matcher.is_active():
            out.append(("block", matcher.block_min_id(), matcher.block_max_id(), matcher.block_min_length(),
                        matcher.block_max_length(), matcher.block_max_weight()))
            for _ in range(matcher._blocklength):  # noqa: SLF001 - the postings of this block
                out.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
    return out


def _build(path: Path, docs: list[IndexedDocument], stock: bool) -> list[tuple]:
    """Index ``docs`` in one segment, by whoosh's own writer or by docket's segment build."""
    index = open_index(path, create=True)
    if stock:
        writer = index.writer(limitmb=1)  # spills runs
        feed(writer, docs, replace=False)
        writer.commit()
        return _every_posting(path)
    build = SegmentBuild(path)
    build.writer.pool.limit = 50_000  # spills several runs
    for start in range(0, len(docs), 50):
        build.add(docs[start : start + 50])
    commit_segments(path, [build.finish()])
    return _every_posting(path)


def test_segment_blocks_are_left_uncompressed_and_read_as_whoosh_reads_them(tmp_path):
    """Every posting block of a built segment says it is not compressed (whoosh's writer compresses
    them) and holds its data pickled with protocol 3 (whoosh's, 2, pickles each bytes value as a call),
    and whoosh reads its postings like those of a segment it wrote itself."""
    path = tmp_path / "index"
    open_index(path, create=True)
    build = SegmentBuild(path)
    build.add(_documents(60))
    commit_segments(path, [build.finish()])
    reader = open_index(path).reader()
    blocks = set()
    for field, text in reader.all_terms():
        matcher = reader.postings(field, text)
        while matcher.is_active():
            assert matcher._compression == 0  # noqa: SLF001 - the current block header's level
            data = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)  # noqa: SLF001
            assert data[:2] == b"\x80\x03" == pickle.dumps(b"", BLOCK_PROTOCOL)[:2]
            assert b"_codecs" not in data
            blocks.add((field, text, matcher.block_max_id()))
            matcher.next()
    assert len(blocks) > 50
    assert any(len(reader.postings(field, text).value()) > 4 for field, text in reader.all_terms())


def test_segment_has_the_same_postings_as_with_whoosh_pool(tmp_path):
    docs = _documents(400)
    grouped = _build(tmp_path / "grouped", docs, stock=False)
    stock = _build(tmp_path / "stock", docs, stock=True)
    assert grouped == stock
    assert len({(f, t) for f, t, *_ in grouped}) > 20


# a field's terms: term -> its postings' (docnum gap, weight, value); gaps keep docnums increasing
_WEIGHTS = st.sampled_from([1.0, 1.0, 2.0, 0.1, 3.5, 1e-3, 0.0])
_POSTINGS = st.lists(st.tuples(st.integers(1, 3), _WEIGHTS, st.binary(max_size=6)), min_size=1, max_size=12)
_TERMS = st.dictionaries(st.binary(min_size=1, max_size=6), _POSTINGS | st.lists(
    st.tuples(st.just(1), _WEIGHTS, st.binary(max_size=3)), min_size=126, max_size=300), max_size=12)
_VALUE_SIZE = {"id": 0, "tag": 4, "body": None}  # Existence, Frequency, Characters: every kind of value


class _Lengths:
    """Each document's length of a field (what whoosh's per-document reader answers)."""

    def __init__(self, lengths: dict[str, list[int]]) -> None:
        self.lengths = lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self.lengths[fieldname][docnum]


def _grouped(fields: dict[str, dict[bytes, list]]) -> list[tuple[tuple[str, bytes], list]]:
    """Each (field, term) in order with its postings as (docnum, weight, value) in docnum order."""
    grouped = []
    for field in sorted(fields):
        size = _VALUE_SIZE[field]
        for term in sorted(fields[field]):
            docnum, postings = -1, []
            for gap, weight, value in fields[field][term]:
                docnum += gap
                postings.append((docnum, weight, b"" if size == 0 else (value + bytes(4))[:4] if size else value))
            grouped.append(((field, term), postings))
    return grouped


def _segment_files(folder: Path, write) -> dict[str, bytes]:  # noqa: ANN001
    """The terms and postings files a W3 field writer (with docket's postings codec) leaves after ``write``."""
    storage = FileStorage(str(folder)).create()
    fieldwriter = postings_codec().field_writer(storage, postings_codec().new_segment(storage, "t"))
    write(fieldwriter)
    fieldwriter.close()
    return {path.suffix: path.read_bytes() for path in folder.iterdir()}


@settings(max_examples=80, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(sorted(_VALUE_SIZE)), _TERMS, min_size=1),
       length=st.sampled_from([0, 1, 7, 500, 200_000]))
def test_written_postings_are_byte_for_byte_whooshs(tmp_path_factory, fields, length):
    """write_postings leaves the very files whoosh's ``add_postings`` leaves, posting by posting: terms
    of one block written in one piece, longer ones a block at a time, every kind of value."""
    grouped = _grouped(fields)
    docs = 1 + max((postings[-1][0] for _, postings in grouped), default=0)
    lengths = {field: [(length * (doc % 3)) for doc in range(docs)] for field in _VALUE_SIZE}
    lengths["id"] = [0] * docs  # not scorable: whoosh keeps no lengths
    schema = build_schema()
    items = [(field, term, *posting) for (field, term), postings in grouped for posting in postings]
    stock = _segment_files(tmp_path_factory.mktemp("stock"),
                           lambda writer: writer.add_postings(schema, _Lengths(lengths), iter(items)))
    ours = _segment_files(tmp_path_factory.mktemp("ours"),
                          lambda writer: write_postings(writer, schema, lengths.__getitem__, iter(grouped)))
    assert ours == stock
    assert set(stock) == {".trm", ".pst"}
