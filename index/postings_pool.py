"""Postings of a segment being built, kept grouped by term.

whoosh's own pool (``whoosh.writing.PostingPool``) keeps one ``(field, term, docnum, weight, value)``
tuple per posting, sorts all of them, and when memory runs short pickles them one by one into run
files that it loads back one by one to merge: for an index of news articles, several hundred postings
a document, about a third of the cost of writing a segment. Documents are added in docnum order, so a
term's postings arrive already sorted: this pool appends each to its term's list, sorts only the
terms, and spills and merges whole terms. :func:`write_postings` then hands each term's postings to
whoosh's posting writer a block at a time, where whoosh's ``FieldWriter.add_postings`` makes several
Python calls per posting; a term whose postings fit in one block (most terms) it writes itself, in
one piece (:class:`OneBlockTerms`).

The segment written has the very bytes whoosh's pool and ``add_postings`` write through
:func:`postings_codec` (tests/test_postings_pool.py): whoosh's W3 format, its blocks left uncompressed
(POSTING_COMPRESSION) and their data pickled with BLOCK_PROTOCOL. This leans on whoosh 2.7.5's W3
posting writer, as pinned.
"""

from __future__ import annotations

import heapq
import pickle
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter, W3TermInfo
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util import random_name
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import delta_encode

CHUNK_POSTINGS = 20_000  # a run file is pickled in chunks of whole terms holding about this many postings: merging
# reads one chunk of every run at a time, so memory is bounded by the runs, not by their size
#: zlib level of posting blocks (whoosh's is 3). A search reads the head (docnums, weights) of every
#: block of its terms' lists; compressed, each is inflated first. Uncompressed, the 100,000-document
#: bench index is twice the size (2.4 GB, not 1.2) and the 220 bench queries' mean fell 20.5/21.6 ->
#: 20.0/19.1 ms, p95 68.6/77.6 -> 61.4/59.7 ms (same store reindexed, alternating), and a reindex
#: took 9% less CPU (zlib.compress was a quarter of writing a segment's postings).
POSTING_COMPRESSION = 0
#: pickle protocol of a posting block's data (docnum gaps, weights, values). whoosh pickles it with protocol
#: 2, which has no opcode for bytes: each posting's value (its positions and characters) is pickled as a
#: call to ``codecs.encode`` of a latin-1 string, and unpickled by making that call. With protocol 3 a
#: value is plain bytes: a block of 128 body values is 28% smaller (12.0 → 8.6 KB), pickled in 8 µs, not
#: 85, and unpickled in 6, not 68 (what a phrase's positions and a hit's snippet read). whoosh reads
#: either (``pickle.loads``), and segments written before read as they did.
BLOCK_PROTOCOL = 3
POSTING_BYTES = 140  # rough memory of one posting in a term's list, beside its value's length


class GroupedPostingPool:
    """A drop-in for whoosh's PostingPool: ``add`` postings in docnum order, then ``iter_postings``."""

    def __init__(self, tempstore, limitmb: int = 128) -> None:  # noqa: ANN001 - a whoosh Storage
        self.tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.terms: dict[tuple[str, bytes], list] = {}
        self.runs: list[str] = []
        self.fieldnames: set[str] = set()

    def add(self, item: tuple) -> None:
        """Add one ``(fieldname, termbytes, docnum, weight, valuebytes)`` posting."""
        key = item[:2]
        postings = self.terms.get(key)
        if postings is None:
            postings = self.terms[key] = []
            self.fieldnames.add(item[0])
        postings.append(item[2:])
        self.size += POSTING_BYTES + len(item[4] or b"")
        if self.size > self.limit:
            self.save()

    def save(self) -> None:
        """Write the terms held in memory to a run file, sorted, and start afresh."""
        if not self.terms:
            return
        name = f"{random_name()}.run"
        with self.tempstore.create_file(name).raw_file() as f:
            chunk: list = []
            size = 0
            for term in sorted(self.terms.items()):
                chunk.append(term)
                size += len(term[1])
                if size >= CHUNK_POSTINGS:
                    pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                    chunk, size = [], 0
            if chunk:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        self.runs.append(name)
        self.terms = {}
        self.size = 0

    def _read_run(self, number: int, name: str) -> Iterator[tuple]:
        with self.tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    break
                for key, postings in chunk:
                    yield key, number, postings
        self.tempstore.delete_file(name)

    def grouped(self) -> Iterator[tuple[tuple[str, bytes], list]]:
        """Each (field, term) with all its postings as (docnum, weight, value), terms in order."""
        if not self.runs:
            yield from sorted(self.terms.items())
            return
        self.save()
        runs, self.runs = self.runs, []
        # equal terms come out in run order, which is docnum order
        merged = heapq.merge(*(self._read_run(n, name) for n, name in enumerate(runs)))
        key, _number, postings = next(merged)
        for next_key, _number, more in merged:
            if next_key == key:
                postings.extend(more)
            else:
                yield key, postings
                key, postings = next_key, more
        yield key, postings

    def iter_postings(self) -> Iterator[tuple]:
        """Every posting as ``(fieldname, termbytes, docnum, weight, valuebytes)``, sorted."""
        for (fieldname, text), postings in self.grouped():
            for docnum, weight, value in postings:
                yield fieldname, text, docnum, weight, value

    def cleanup(self) -> None:
        """Remove run files left by a cancelled writer."""
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.terms = {}


def write_postings(fieldwriter, schema, lengths_of: Callable[[str], Sequence[int]],  # noqa: ANN001 - whoosh's
                   grouped: Iterator[tuple[tuple[str, bytes], list]]) -> None:
    """Write grouped postings through a whoosh W3 field writer, filling its block buffers a block at a
    time: what ``FieldWriter.add_postings`` does posting by posting. ``lengths_of(field)`` is every
    document's stored length of that field, by docnum."""
    field = None
    for (fieldname, text), postings in grouped:
        if fieldname != field:
            if field is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            field, lengths = fieldname, lengths_of(fieldname)
            writer = fieldwriter._postwriter  # noqa: SLF001
            limit = writer._blocklimit  # noqa: SLF001
            one_block = OneBlockTerms(fieldwriter) if writer._inlinelimit <= 1 else None  # noqa: SLF001
        if one_block is not None and len(postings) <= limit:
            one_block.write(text, postings, lengths)
            continue
        fieldwriter.start_term(text)
        for start in range(0, len(postings), limit):
            if start:
                writer._write_block()  # noqa: SLF001 - the full block before this one
            _fill_block(writer, postings[start : start + limit], lengths)
        fieldwriter.finish_term()  # writes the last block
    if field is not None:
        fieldwriter.finish_field()


_TERM_INFO = W3TermInfo._struct.pack  # noqa: SLF001 - flags, weight, df, min/max length bytes, max weight, ids


class OneBlockTerms:
    """Writes the terms of one field whose postings fit in one block, each in a single write: the same
    bytes whoosh's W3 writer gives them through ``start_term``, ``add_posting`` and ``finish_term``
    (its block header, the pickled block info and data, the term info pointing at them, the term-index
    row), where whoosh makes some twenty Python calls a term. Most terms of a segment of news articles
    occur in a few documents. Leans on whoosh 2.7.5's W3 writers, as pinned (tests/test_postings_pool.py
    compares the files byte for byte)."""

    def __init__(self, fieldwriter) -> None:  # noqa: ANN001 - a whoosh W3FieldWriter between terms
        writer = fieldwriter._postwriter  # noqa: SLF001
        self.postfile = writer._postfile  # noqa: SLF001
        self.compression = writer._compression  # noqa: SLF001
        self.fixed_size = fieldwriter._format.fixed_value_size()  # noqa: SLF001
        self.field_key = pack_ushort(fieldwriter._fieldid)  # noqa: SLF001
        self.add_term = fieldwriter._tindex.add  # noqa: SLF001

    def write(self, text: bytes, postings: list, lengths: Sequence[int]) -> None:
        """Write one term and its postings, ``(docnum, weight, value)`` in docnum order."""
        ids, weights, values = zip(*postings, strict=True)
        stored = array("f", weights)  # whoosh keeps weights as 32-bit floats
        first = stored[0]
        if all(weight == 1.0 for weight in stored):
            mini_weights = None
        elif all(weight == first for weight in stored):
            mini_weights = first
        else:
            mini_weights = tuple(stored)
        kept = [value for value in values if value]
        fixed = self.fixed_size
        mini_values = tuple(kept) if fixed is None or fixed < 0 else None if fixed == 0 else b"".join(kept)
        data = pickle.dumps((tuple(delta_encode(ids)), mini_weights, mini_values), BLOCK_PROTOCOL)
        if self.compression:
            data = zlib.compress(data, self.compression)
        top = max(weights)
        max_weight = top if top > 0 else 0
        sizes = [size for size in (lengths[doc] for doc in ids) if size]
        min_length = min(sizes) if sizes else None
        max_length = max(sizes) if sizes else 0
        info = pickle.dumps((len(ids), ids[-1], max_weight, self.compression, length_to_byte(min_length),
                             length_to_byte(max_length)), 2)
        block = WHOOSH3_HEADER_MAGIC + pack_int(-(len(info) + len(data))) + info + data
        postfile = self.postfile
        offset = postfile.tell()
        postfile.write(block)
        term_info = _TERM_INFO(False, sum(stored), len(ids), length_to_byte(min_length), length_to_byte(max_length),
                               max(0, max_weight), ids[0], ids[-1])
        self.add_term(self.field_key + text, term_info + pack_long(offset) + pack_int(len(block)))


def _fill_block(writer, postings: list, lengths: Sequence[int]) -> None:  # noqa: ANN001 - a W3PostingsWriter
    """Set a posting writer's buffered block as ``add_posting`` would leave it after these postings."""
    ids, weights, values = zip(*postings, strict=True)
    writer._ids = array("I", ids)  # noqa: SLF001
    writer._weights = array("f", weights)  # noqa: SLF001
    writer._values = [value for value in values if value]  # noqa: SLF001 - whoosh keeps no empty values
    top = max(weights)
    writer._maxweight = top if top > 0 else 0  # noqa: SLF001
    sizes = [size for size in (lengths[doc] for doc in ids) if size]
    writer._minlength = min(sizes) if sizes else None  # noqa: SLF001
    writer._maxlength = max(sizes) if sizes else 0  # noqa: SLF001


class BlockWriter(W3PostingsWriter):
    """whoosh's W3 posting writer, a block's data pickled with BLOCK_PROTOCOL (whoosh's ``_write_block``
    with that one change: the same block header, length and order)."""

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), BLOCK_PROTOCOL)
        if self._compression:
            data = zlib.compress(data, self._compression)
        ids = self._ids
        info = pickle.dumps((len(ids), ids[-1], self._maxweight, self._compression,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        self._postfile.write_int(-(len(info) + len(data)) if last else len(info) + len(data))
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class BlockCodec(W3Codec):
    """whoosh's W3 codec whose posting writer is :class:`BlockWriter`."""

    def postings_writer(self, dbfile, byteids: bool = False) -> BlockWriter:  # noqa: ANN001 - a whoosh StructFile
        """A :class:`BlockWriter` with this codec's block size, compression and inline limit."""
        return BlockWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression,
                           inlinelimit=self._inlinelimit)


def postings_codec() -> W3Codec:
    """The codec a segment's field writer writes postings with: whoosh's W3 format, its blocks not
    compressed (POSTING_COMPRESSION) and their data pickled with BLOCK_PROTOCOL. The segment keeps the
    stock codec, and each block says whether it is compressed, so the index reads as any whoosh index
    does, old compressed segments too."""
    return BlockCodec(compression=POSTING_COMPRESSION)
