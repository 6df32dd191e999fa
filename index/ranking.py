"""Ranked top-N without scoring every match.

A query of words and phrases joined by AND and OR is scored with whoosh's own BM25F formula (the
same numbers ``searcher.search`` gives) straight from the posting blocks. Each block records its
largest weight and its shortest document, which bounds the score of every document in it. The
documents of a segment are cut into intervals where blocks begin and end, each interval gets the
query's bound over the blocks covering it, and intervals are read best bound first until no unread
interval can beat the N-th best score found: most blocks of a common word are never decompressed.

Short posting lists (a word in titles, a rare word) are read whole up front, so each of their
documents is its own interval with its exact score, and a word that is rare in titles does not lift
the bound of every body block beside it.

That is for words and narrow ORs. An AND, a phrase or a wide OR (a prefix's expansions) is
evaluated a segment at a time in one pass instead (see _read_whole): their bounds add up loosely,
so block-max skipped little of them while each interval cost a Python evaluation, and one pass
counts exactly. The exception is a quoted phrase of common words ("the world", "make it"), found in
a large share of the documents that have its rarest word: those documents are checked best bound
first (the rarest word's exact score plus the other words' block bounds), and the rest counted
from a sample (see _best_first).

How many documents match is counted exactly when the unread intervals are cheap to count (few
blocks left to read, few candidate documents); otherwise the matches in a sample of unread intervals,
spread over the index, are scaled up by the candidates (``Ranked.exact`` says which). Phrases are
scored as whoosh scores them; an exact phrase in the body is found in the documents' term sequences
(index/analysis.py), and positions are unpacked only for the few documents those cannot decide.

This reads whoosh-reloaded 2.7.5's codec structures (block headers, pickled block data) directly; a
matcher of another kind raises Unsupported and the caller falls back to whoosh's own search.
"""

from __future__ import annotations

import heapq
import io
import itertools
import mmap
import operator
import pickle
import re
import struct
import weakref
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence

import attrs
from whoosh import formats, scoring
from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3TermInfo, W3TermsReader
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from index.analysis import aligned_find, joined_undecided, sequence_match, term_key

EAGER_POSTINGS = 64  # a term's postings in a segment up to this many are read up front
EAGER_SHARE = 8  # ... and so are those of a term with 1/8 of the postings of the query's other terms ...
EAGER_POINTS = 4096  # ... up to this many postings per segment
WIDE_LISTS = 4  # an OR of more term lists than this in a segment is read whole (see _read_whole)
DENSE_SHARE = 4  # scores wanted for a quarter of a term's postings or more: each block's are picked in one pass
SAMPLE_MATCHES = 24  # matching documents ...
SAMPLE_CANDIDATES = 64  # ... and candidates read to estimate how many documents match ...
SAMPLE_BUDGET = 192  # ... unless their blocks cost more than this
SAMPLE_RUN = 8  # neighbouring unread intervals sampled together
EXACT_BUDGET = 48  # blocks read after the top N are known so that the count is exact ...
EXACT_CANDIDATES = 4000  # ... if their unread intervals hold at most this many candidate documents
EXACT_RANGES = 64  # unread stretches counted one by one; more, and whole segments are counted
SEQUENCE_COLUMNS = {  # a field's term-sequence columns (index/schema.py)
    "title": ("title_sequence", "title_joined"), "body": ("body_sequence", "body_joined")}
PHRASE_COST = 8  # ... where a phrase word's block counts this many when positions are unpacked ...
SEQUENCE_COST = 2  # ... and this many when the phrase is found in the term sequences
UNDECIDED_KEPT = 64  # phrases whose documents left to positions a segment keeps
BEST_FIRST_CANDIDATES = 2048  # a phrase whose rarest word is in more of a segment's documents is checked best bound first
BEST_FIRST_SAMPLE = 1024  # ... when a quarter of a sample of this many of them shows the phrase ...
BEST_FIRST_SHARE = 0.1  # ... in this share of them or more (the documents left unchecked are counted from all of it)
_BLOCK_LENGTH = struct.Struct("!i")  # a whoosh3 posting block's length (negative: the last block)
_MARGIN = 1e-9  # bounds are sums in another order than scores: allow for rounding


class Unsupported(Exception):
    """The query has a part this ranker does not evaluate (NOT, ranges, ...): use whoosh's."""


# ---- the query as a plan ---------------------------------------------------------------------


@attrs.frozen
class Word:
    """One index term of one field."""

    field: str
    text: bytes
    boost: float = 1.0


@attrs.frozen
class AnyOf:
    """At least one of the parts matches; the score is the sum of those that do."""

    parts: tuple
    boost: float = 1.0


@attrs.frozen
class AllOf:
    """Every part matches; the score is the sum."""

    parts: tuple
    boost: float = 1.0


@attrs.frozen
class PhraseOf:
    """The words in order, each at most ``slop`` positions after the one before (whoosh's Phrase);
    scored as the sum of the words' scores, as whoosh does. ``keys`` are its words' keys side by side,
    to find in the field's term-sequence column (index/analysis.py), when it has one and the phrase is
    exact."""

    field: str
    words: tuple[bytes, ...]
    slop: int = 1
    boost: float = 1.0
    keys: bytes = b""

    def word_keys(self) -> tuple[bytes, ...]:
        """Each word's key in the term sequence."""
        return tuple(self.keys[n:n + 4] for n in range(0, len(self.keys), 4))


NOTHING = AnyOf(())


def compile_plan(query: wq.Query, schema) -> Word | AnyOf | AllOf | PhraseOf:  # noqa: ANN001
    """The plan of a whoosh query made of terms, phrases, And and Or; raises Unsupported otherwise."""
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return NOTHING
    if type(query) is wq.Term:
        field = _field(schema, query.fieldname)
        try:
            text = field.to_bytes(query.text)
        except ValueError:
            return NOTHING
        return Word(query.fieldname, text, float(query.boost))
    if type(query) is wq.Phrase:
        field = _field(schema, query.fieldname)
        if not field.format or not field.format.supports("positions"):
            raise Unsupported("phrase in a field without positions")
        try:
            words = tuple(field.to_bytes(w) for w in query.words)
        except ValueError:
            return NOTHING
        if len(words) == 1:
            return Word(query.fieldname, words[0], float(query.boost))
        keys = b""
        columns = SEQUENCE_COLUMNS.get(query.fieldname)
        if int(query.slop) == 1 and columns and all(name in schema for name in columns):
            keys = b"".join(term_key(w.decode("utf-8")) for w in words)
        return PhraseOf(query.fieldname, words, int(query.slop), float(query.boost), keys)
    if type(query) is wq.Or and (query.minmatch or query.scale):
        raise Unsupported("Or with minmatch or scale")
    if type(query) in (wq.And, wq.Or):
        parts = tuple(compile_plan(child, schema) for child in query.subqueries)
        if type(query) is wq.And:
            if not parts or NOTHING in parts:
                return NOTHING
            return AllOf(parts, float(query.boost))
        parts = tuple(p for p in parts if p != NOTHING)
        return AnyOf(parts, float(query.boost)) if parts else NOTHING
    raise Unsupported(type(query).__name__)


def _field(schema, name: str):  # noqa: ANN001, ANN202
    if name not in schema:
        raise Unsupported(f"no field {name}")
    return schema[name]


def plan_nodes(plan) -> Iterator[Word | AnyOf | AllOf | PhraseOf]:  # noqa: ANN001
    """Every node of a plan, depth first, parents before their parts."""
    yield plan
    if isinstance(plan, AnyOf | AllOf):
        for part in plan.parts:
            yield from plan_nodes(part)


def plan_words(plan) -> list[Word]:  # noqa: ANN001
    """Every distinct (field, term) the plan reads, in first-use order."""
    seen: dict[tuple[str, bytes], Word] = {}
    for node in plan_nodes(plan):
        if isinstance(node, Word):
            seen.setdefault((node.field, node.text), Word(node.field, node.text))
        elif isinstance(node, PhraseOf):
            for text in node.words:
                seen.setdefault((node.field, text), Word(node.field, text))
    return list(seen.values())


# ---- what a searcher keeps between queries -----------------------------------------------------


class SequenceColumn:
    """A segment's term-sequence and joined-forms columns (VarBytesColumns, index/analysis.py),
    searched in place in the segment file mapped into memory; read a document at a time through
    whoosh when the file cannot be mapped."""

    def __init__(self, sequences, joined) -> None:  # noqa: ANN001 - whoosh column readers
        self.sequences, self.joined = sequences, joined
        self.mapped = _map_column(sequences), _map_column(joined)
        self._always: set[int] | None = None  # documents whose keys collide, or with no sequence
        self._undecided_by_words: dict[tuple[bytes, ...], frozenset[int]] = {}  # per phrase: kept for its next queries

    def matching(self, docs: set[int], phrase: PhraseOf) -> tuple[set[int], set[int]]:
        """The documents of ``docs`` whose sequence holds the phrase, and those of them that only
        positions can decide (see :func:`index.analysis.joined_undecided`)."""
        keys, words = phrase.keys, phrase.word_keys()
        if None in self.mapped:
            found, undecided = set(), set()
            for doc in docs:
                sequence = self.sequences[doc]
                if not sequence or joined_undecided(self.joined[doc], words):
                    undecided.add(doc)
                elif sequence_match(sequence, keys):
                    found.add(doc)
            return found | undecided, undecided
        (mapped, base), _joined = self.mapped
        lengths, offsets = self.sequences._lengths, self.sequences._offsets  # noqa: SLF001
        found = set()
        find = mapped.find
        for doc in docs:
            start = base + offsets[doc]
            end = start + lengths[doc]
            at = find(keys, start, end)  # most documents: no match at all, decided by one C call
            if at >= 0 and (not (at - start) % 4 or aligned_find(mapped, keys, at + 1, end, start) >= 0):
                found.add(doc)
        undecided = self._undecided_by_words.get(words)
        if undecided is None:
            if len(self._undecided_by_words) >= UNDECIDED_KEPT:
                self._undecided_by_words.clear()
            undecided = self._undecided_by_words[words] = frozenset(self._undecided(words))
        undecided = docs & undecided
        return found | undecided, undecided

    def _undecided(self, words: tuple[bytes, ...]) -> set[int]:
        """The documents with no sequence, or whose keys collide, or where one of ``words`` is a
        joined form (the joined column, mostly empty values, searched in one pass)."""
        (mapped, base) = self.mapped[1]
        lengths, offsets = self.joined._lengths, self.joined._offsets  # noqa: SLF001
        if self._always is None:
            self._always = {doc for doc, length in enumerate(lengths) if length % 4}
            self._always.update(doc for doc, length in enumerate(self.sequences._lengths) if not length)  # noqa: SLF001
        found = set(self._always)
        end = base + (offsets[-1] + lengths[-1] if len(offsets) else 0)
        for key in words:
            at = mapped.find(key, base, end)
            while at >= 0:
                doc = bisect_right(offsets, at - base) - 1
                start = base + offsets[doc] + lengths[doc] % 4  # after a collision flag
                if not (at - start) % 4 and at + 4 <= base + offsets[doc] + lengths[doc]:
                    found.add(doc)
                at = mapped.find(key, at + 1, end)
        return found


def _map_column(reader) -> tuple[mmap.mmap, int] | None:  # noqa: ANN001 - a whoosh column reader
    """The segment file holding a column, mapped read-only, and where the column's values start in
    it; None when the column is not read from a compound segment file (whoosh 2.7.5's layout)."""
    if not all(hasattr(reader, part) for part in ("_lengths", "_offsets", "_dbfile", "_basepos")):
        return None
    mapped = _map_subfile(reader._dbfile)  # noqa: SLF001
    return None if mapped is None else (mapped[0], mapped[1] + reader._basepos)  # noqa: SLF001


def _map_subfile(structfile) -> tuple[mmap.mmap, int] | None:  # noqa: ANN001 - a whoosh StructFile
    """The compound segment file a whoosh part file is read from, mapped read-only, and where the
    part starts in it; None when the part is not read from a compound segment file."""
    sub = getattr(structfile, "file", None)
    parent, offset = getattr(sub, "_file", None), getattr(sub, "_offset", None)
    if not isinstance(offset, int) or not hasattr(parent, "fileno"):
        return None
    try:
        return mmap.mmap(parent.fileno(), 0, access=mmap.ACCESS_READ), offset
    except (OSError, ValueError):
        return None


_SLOT = struct.Struct("!Iq")  # a hash table slot of whoosh's hash files: (key hash, item position)
_ITEM = struct.Struct("!ii")  # an item's key and value lengths, before the key and the value


class TermIndex:
    """A segment's term index (whoosh's W3 terms file: a CDB-style hash table of field number + term ->
    term info) looked up in the segment file mapped into memory. whoosh's ``HashReader`` reads each
    slot, length and key through its part file (a seek and a read a piece: ~15 µs a lookup, and a
    word's document frequency takes one a segment); the same walk over the mapping takes a few."""

    def __init__(self, terms: W3TermsReader, mapped: tuple[mmap.mmap, int]) -> None:
        tindex = terms._tindex  # noqa: SLF001
        self.key_of = terms._keycoder  # noqa: SLF001 - field number + term bytes
        self.hash_of, self.tables = tindex.hashfn, tindex.tables
        self.mapped, self.base = mapped

    def info_bytes(self, field: str, text: bytes) -> bytes | None:
        """The stored term info of ``text`` in ``field``, or None (whoosh's ``ranges_for_key``, first match)."""
        key = self.key_of(field, text)
        keyhash = self.hash_of(key)
        table, slots = self.tables[keyhash & 255]
        if not slots:
            return None
        mapped, base = self.mapped, self.base
        end = table + slots * _SLOT.size
        slot = table + ((keyhash >> 8) % slots) * _SLOT.size
        for _ in range(slots):
            slot_hash, item = _SLOT.unpack_from(mapped, base + slot)
            if not item:
                return None
            if slot_hash == keyhash:
                key_length, value_length = _ITEM.unpack_from(mapped, base + item)
                start = base + item + _ITEM.size
                if key_length == len(key) and mapped[start:start + key_length] == key:
                    return mapped[start + key_length:start + key_length + value_length]
            slot += _SLOT.size
            if slot == end:
                slot = table
        return None


class _SearcherData:
    """Per searcher: its segments, each segment's field lengths, and BM25F's length factors."""

    def __init__(self, searcher) -> None:  # noqa: ANN001
        self.searcher = searcher
        self.segments = [(segment, base, frozenset(segment.deleted_docs_set) if segment.has_deletions() else
                          frozenset()) for segment, base in searcher.reader().leaf_readers()]
        self._lengths: dict[tuple[int, str], bytes] = {}
        self._norms: dict[str, list[float]] = {}
        self._columns: dict[tuple[int, str], object] = {}
        self._postings_files: dict[int, Callable[[int, int], bytes | memoryview]] = {}
        self._mapped_postings: dict[int, tuple[mmap.mmap, int] | None] = {}
        self._term_indexes: dict[int, TermIndex | None] = {}

    def term_info(self, index: int, field: str, text: bytes):  # noqa: ANN201 - a whoosh TermInfo
        """Segment ``index``'s term info for ``text`` in ``field``, or None when it has no such term
        (from the mapped term index when the segment is a compound file, else through whoosh)."""
        segment = self.segments[index][0]
        if index not in self._term_indexes:
            terms = getattr(segment, "_terms", None)
            mapped = _map_subfile(terms._tindex.dbfile) if isinstance(terms, W3TermsReader) else None  # noqa: SLF001
            self._term_indexes[index] = TermIndex(terms, mapped) if mapped is not None else None
        found = self._term_indexes[index]
        if found is not None:
            raw = found.info_bytes(field, text)
            return None if raw is None else W3TermInfo.from_bytes(bytes(raw))
        try:
            return segment.term_info(field, text)
        except TermNotFound:
            return None

    def doc_frequency(self, field: str, text: bytes) -> int:
        """How many documents of all segments have ``text`` in ``field`` (deleted ones too, as whoosh counts)."""
        infos = (self.term_info(index, field, text) for index in range(len(self.segments)))
        return sum(info.doc_frequency() for info in infos if info is not None)

    def postings_file(self, index: int, postfile) -> Callable[[int, int], bytes | memoryview]:  # noqa: ANN001 - a StructFile
        """Segment ``index``'s read of ``length`` bytes of its postings at ``start``: a view of the
        segment file mapped into memory (one read through whoosh's part file was a seek and a read
        call, ~7 µs, and a search reads hundreds of lists; a copy of a common word's list, megabytes
        of positions, took milliseconds), or whoosh's read when it cannot be mapped."""
        found = self._postings_files.get(index)
        if found is None:
            mapped = self._mapped_postings[index] = _map_subfile(postfile)
            if mapped is None:
                found = postfile.get
            else:
                view, base = memoryview(mapped[0]), mapped[1]

                def found(start: int, length: int) -> memoryview:
                    return view[base + start:base + start + length]
            self._postings_files[index] = found
        return found

    def postings_stream(self, index: int) -> tuple[mmap.mmap, int] | None:
        """The mapped segment file :meth:`postings_file` reads segment ``index``'s postings from, and
        where they start in it: a stream to unpickle block headers from in place (this searcher's
        own, so its position is this thread's alone); None when not mapped."""
        return self._mapped_postings.get(index)

    def sequences(self, index: int, field: str) -> SequenceColumn:
        """Segment ``index``'s term-sequence columns of ``field`` (opened once: opening reads every offset)."""
        key = (index, field)
        if key not in self._columns:
            segment = self.segments[index][0]
            self._columns[key] = SequenceColumn(*(segment.column_reader(name, translate=False)
                                                  for name in SEQUENCE_COLUMNS[field]))
        return self._columns[key]

    def lengths(self, index: int, field: str) -> bytes:
        """One byte per document of segment ``index``: whoosh's encoded length of ``field``."""
        key = (index, field)
        if key not in self._lengths:
            self._lengths[key] = _length_bytes(self.segments[index][0], field)
        return self._lengths[key]

    def norms(self, field: str, b: float, k1: float) -> list[float]:
        """BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` for each encoded length (as whoosh computes it)."""
        if field not in self._norms:
            avgfl = self.searcher.avg_field_length(field) or 1
            self._norms[field] = [k1 * ((1 - b) + b * byte_to_length(i) / avgfl) for i in range(256)]
        return self._norms[field]


_DATA: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def searcher_data(searcher) -> _SearcherData:  # noqa: ANN001
    """The cached per-searcher data (kept as long as the searcher is)."""
    data = _DATA.get(searcher)
    if data is None:
        data = _DATA[searcher] = _SearcherData(searcher)
    return data


def _length_bytes(segment, field: str) -> bytes:  # noqa: ANN001
    """A segment's length column of ``field`` as bytes (one read; empty when the field has none)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    perdoc = getattr(segment, "_perdoc", None)
    reader = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc is not None else None  # noqa: SLF001
    if reader is None:
        return bytes(segment.doc_count_all())
    count = segment.doc_count_all()
    stored = min(count, getattr(reader, "_count", 0))
    try:
        data = reader._dbfile.get(reader._basepos, stored)  # noqa: SLF001 - one read, not one per document
    except AttributeError:
        data = bytes(reader[i] for i in range(stored))
    return bytes(data) + bytes(count - stored)


# ---- one term's postings in one segment ------------------------------------------------------

_IDS = re.compile(rb"\((?:K.|M..|J....)*t|(?:K.|M..|J....){1,3}[\x85-\x87]", re.S)
_FLOATS = re.compile(rb"\((?:G.{8})*t|(?:G.{8}){1,3}[\x85-\x87]|G.{8}|N", re.S)
_PUT = re.compile(rb"q.|r....", re.S)
_BLOCK_PROTOCOLS = (b"\x80\x02", b"\x80\x03")  # pickle protocols 2 and 3: the same opcodes for ints and floats


def block_head(raw: bytes, compressed: int, count: int) -> tuple[tuple[int, ...], list[float]] | None:
    """A whoosh3 posting block's docnums and weights without unpacking its values.

    A block is ``pickle.dumps((delta ids, weights, values), 2)`` (3 in segments written since
    index/postings_pool.BLOCK_PROTOCOL), maybe zlib-compressed; the values
    (positions, characters) are most of its bytes and nearly all of its unpickling time, and come
    last. So only the head is decompressed and read: straight from the pickle's bytes in the usual
    layout (:func:`_common_head`), otherwise by unpickling just the head. None when the head is not
    as expected.
    """
    data = zlib.decompressobj().decompress(raw, 14 * count + 32) if compressed else raw
    if data[:2] not in _BLOCK_PROTOCOLS:
        return None
    common = _common_head(data, count)
    if common is not None:
        return common
    found = _IDS.match(data, 2)
    if found is None:
        return None
    ids_end = found.end()
    put = _PUT.match(data, ids_end)
    weights = _FLOATS.match(data, put.end()) if put is not None else None
    if weights is None:
        return None
    try:
        deltas = pickle.loads(b"\x80\x02" + data[2:ids_end] + b".")  # noqa: S301 - the index's own bytes
        packed = pickle.loads(b"\x80\x02" + weights.group(0) + b".")  # noqa: S301
    except Exception:  # noqa: BLE001 - anything unexpected: unpack the whole block instead
        return None
    if len(deltas) != count or not isinstance(packed, tuple | float | type(None)) or (
            isinstance(packed, tuple) and len(packed) != count):
        return None
    return tuple(itertools.accumulate(deltas)), _weights(packed, count)


#: pickle's opcodes for a small int: (bytes it takes with its operand, how to read the operand)
_FIRST_ID = {ord("K"): (2, None), ord("M"): (3, struct.Struct("<H")), ord("J"): (5, struct.Struct("<i"))}
_FLOAT_RUNS: dict[int, struct.Struct] = {}  # count -> ``count`` pickled doubles ("G" and 8 bytes each)


def _common_head(data: bytes, count: int) -> tuple[tuple[int, ...], list[float]] | None:
    """A block head read from the pickle's bytes with no unpickling, in its usual layout: more than 3
    postings, the first docnum any int and every later gap under 256 (``( K/M/J .. K n K n .. t``),
    memoised, then the weights as None, one float or a tuple of floats. None for any other layout."""
    if count <= 3 or data[2:3] != b"(":
        return None
    first = _FIRST_ID.get(data[3])
    if first is None:
        return None
    size, operand = first
    rest = 3 + size
    end = rest + 2 * (count - 1)
    if data[end:end + 1] != b"t" or data[rest:end:2] != b"K" * (count - 1):
        return None
    base = data[4] if operand is None else operand.unpack_from(data, 4)[0]
    ids = tuple(itertools.accumulate(data[rest + 1:end:2], initial=base))
    at = end + 1
    memo = data[at:at + 1]
    at += 2 if memo == b"q" else 5 if memo == b"r" else 0
    if memo not in (b"q", b"r"):
        return None
    kind = data[at:at + 1]
    if kind == b"N":
        return ids, _weights(None, count)
    if kind == b"G":
        return ids, _weights(struct.unpack_from(">d", data, at + 1)[0], count)
    stop = at + 1 + 9 * count
    if kind != b"(" or data[stop:stop + 1] != b"t" or data[at + 1:stop:9] != b"G" * count:
        return None
    floats = _FLOAT_RUNS.get(count)
    if floats is None:
        floats = _FLOAT_RUNS[count] = struct.Struct(">" + "xd" * count)
    return ids, list(floats.unpack_from(data, at + 1))


class PostingExtent:
    """Where one term's posting blocks lie in a segment's postings file: what :class:`_Postings` reads
    of whoosh's ``W3LeafMatcher``, without making one (its constructor reads the first block's header
    through some twenty Python file calls, and the blocks are read here anyway)."""

    __slots__ = ("read", "stream", "_startoffset", "_length", "_fixedsize", "_byteids", "_baseoffset")

    def __init__(self, read: Callable[[int, int], bytes | memoryview], start: int, length: int,
                 fixedsize: int | None, stream: tuple[mmap.mmap, int] | None = None) -> None:
        self.read = read  # (start, length) -> bytes of the postings file
        self.stream = stream  # the mapped file ``read`` views, and where the postings file starts in it
        self._startoffset, self._length, self._fixedsize = start, length, fixedsize
        self._byteids = None  # as whoosh's codec leaves it: docnums are delta-coded
        self._baseoffset = start + len(WHOOSH3_HEADER_MAGIC)  # the blocks follow a 4-byte tag


class _Postings:
    """One term's postings in one segment: block ranges and bounds from the block headers, docnums
    and weights read on demand, values (positions) only when a phrase or a snippet needs them.

    The list's bytes are read whole, once, and the headers parsed from memory: whoosh's matcher makes
    several Python file calls per header (with this, 18% less CPU a query at 100,000 documents).

    An eager list has every block read up front; its documents are points with exact scores.
    """

    def __init__(self, matcher, score_of: Callable[[float, int], float],  # noqa: ANN001
                 bound_of: Callable[[float, float], float], min_id: int,
                 scores_of_block: Callable[[Sequence[int], Sequence[float]], list[float]]) -> None:
        self.score_of = score_of
        self.scores_of_block = scores_of_block  # score_of over many postings at once
        self.matcher = matcher
        self.los: list[int] = []
        self.his: list[int] = []
        self.counts: list[int] = []
        self.bounds: list[float] = []
        self.extents: list[tuple[int, int, int]] = []
        self.decoded: dict[int, tuple[tuple[int, ...], list[float]]] = {}
        self.unpacked: dict[int, tuple] = {}
        self.eager = False
        self.points: list[int] = []  # an eager list's docnums, ascending
        self.point_scores: dict[int, float] = {}
        if isinstance(matcher, ListMatcher):
            ids = tuple(matcher._ids)  # noqa: SLF001
            self.los, self.his, self.counts = [ids[0]], [ids[-1]], [len(ids)]
            self.decoded[0] = (ids, _weights(matcher._weights, len(ids)))  # noqa: SLF001
            self.unpacked[0] = tuple(matcher._values) if matcher._values is not None else (None,) * len(ids)  # noqa: SLF001
            self.bounds = [max(bound_of(w, 1.0) for w in self.decoded[0][1])]
            self.extents = [(0, 0, 0)]
            self.raw = b""
            self.total = len(ids)
            return
        # the whole posting list in one read; block headers parsed from memory (whoosh's matcher
        # reads each header through several Python file calls)
        start, size = matcher._startoffset, matcher._length  # noqa: SLF001
        size = size[0] if isinstance(size, tuple) else size  # W3TermInfo.from_bytes leaves it a 1-tuple
        read = matcher.read if isinstance(matcher, PostingExtent) else matcher._postfile.get  # noqa: SLF001
        self.raw = raw = read(start, size)
        if isinstance(matcher, PostingExtent) and raw[:len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
            raise Unsupported("a posting list without whoosh 3's tag")
        # headers unpickled in place from the mapped file (a BytesIO of a view would copy it whole)
        mapped = matcher.stream if isinstance(matcher, PostingExtent) and isinstance(raw, memoryview) else None
        stream, at = (mapped[0], mapped[1] + start) if mapped is not None else (io.BytesIO(raw), 0)
        lo, pos = min_id, matcher._baseoffset - start  # noqa: SLF001
        while True:
            (length,) = _BLOCK_LENGTH.unpack_from(raw, pos)
            stream.seek(at + pos + _BLOCK_LENGTH.size)
            count, maxid, maxweight, compressed, minlength, _maxlength = pickle.load(stream)  # noqa: S301
            end = pos + _BLOCK_LENGTH.size + abs(length)
            self.los.append(lo)
            self.his.append(maxid)
            self.counts.append(count)
            self.bounds.append(bound_of(maxweight, byte_to_length(minlength)))
            self.extents.append((stream.tell() - at, end, compressed))
            lo = maxid + 1
            if length < 0:  # whoosh marks the last block with a negative length
                break
            pos = end
        if end != len(raw):
            raise Unsupported("a posting list whose blocks do not end where its extent does")
        self.total = sum(self.counts)

    def block(self, index: int) -> tuple[tuple[int, ...], list[float]]:
        """Block ``index``'s (docnums, weights), read and cached; its values are left packed."""
        found = self.decoded.get(index)
        if found is None:
            start, end, compressed = self.extents[index]
            head = None
            if not self.matcher._byteids:  # noqa: SLF001
                head = block_head(self.raw[start:end], compressed, self.counts[index])
            found = self.decoded[index] = head if head is not None else self._unpack(index)[:2]
        return found

    def block_values(self, index: int) -> tuple:
        """Block ``index``'s values (encoded positions or characters), read and cached."""
        found = self.unpacked.get(index)
        if found is None:
            found = self.unpacked[index] = self._unpack(index)[2]
        return found

    def _unpack(self, index: int) -> tuple[tuple[int, ...], list[float], tuple]:
        start, end, compressed = self.extents[index]
        raw = self.raw[start:end]
        ids, weights, values = pickle.loads(zlib.decompress(raw) if compressed else raw)  # noqa: S301
        ids = tuple(itertools.accumulate(ids)) if not self.matcher._byteids else ids  # noqa: SLF001
        count = len(ids)
        return ids, _weights(weights, count), _values(values, count, self.matcher._fixedsize)  # noqa: SLF001

    def read_all(self) -> None:
        """Read every block now: each posting becomes a point with its exact score."""
        self.eager = True
        for index in range(len(self.his)):
            ids, weights = self.block(index)
            self.points.extend(ids)
            self.point_scores.update(zip(ids, self.scores_of_block(ids, weights), strict=True))

    def block_at(self, doc: int) -> int:
        """The index of the block whose range holds ``doc``, or -1."""
        i = bisect_left(self.his, doc)
        return i if i < len(self.his) and self.los[i] <= doc else -1

    def _blocks_over(self, start: int, end: int) -> range:
        """The indexes of the blocks whose ranges meet [start, end)."""
        first = bisect_left(self.his, start)
        last = bisect_left(self.los, end, first)
        return range(first, last)

    def scores_in(self, start: int, end: int) -> dict[int, float]:
        """docnum -> this term's score, for its postings with ``start <= docnum < end``."""
        if self.eager:
            points, scores = self.points, self.point_scores
            return {points[n]: scores[points[n]] for n in range(bisect_left(points, start), bisect_left(points, end))}
        scores = self.scores_of_block
        out: dict[int, float] = {}
        for b in self._blocks_over(start, end):
            ids, weights = self.block(b)
            first, last = bisect_left(ids, start), bisect_left(ids, end)
            if first or last < len(ids):
                ids, weights = ids[first:last], weights[first:last]
            out.update(zip(ids, scores(ids, weights), strict=True))
        return out

    def scores_of(self, docs: set[int]) -> dict[int, float]:
        """docnum -> this term's score, for those of ``docs`` it has postings for."""
        out: dict[int, float] = {}
        if self.eager:
            scores = self.point_scores
            for doc in docs:
                if doc in scores:
                    out[doc] = scores[doc]
            return out
        if len(docs) * DENSE_SHARE >= self.total:  # most blocks hold several: pick them out in C
            scores, wanted = self.scores_of_block, docs.__contains__
            for b in self._blocks_over(min(docs), max(docs) + 1):
                ids, weights = self.block(b)
                mask = list(map(wanted, ids))
                picked = list(itertools.compress(ids, mask))
                if picked:
                    out.update(zip(picked, scores(picked, list(itertools.compress(weights, mask))), strict=True))
            return out
        score_of, his, los = self.score_of, self.his, self.los
        b, loaded, ids, weights, last = -1, -1, (), [], len(his) - 1
        for doc in sorted(docs):  # a walk along the blocks, each read once
            if b < 0 or doc > his[b]:
                if doc > his[last]:
                    break
                b = bisect_left(his, doc, b + 1)
            if doc < los[b]:  # between two blocks
                continue
            if loaded != b:
                ids, weights = self.block(b)
                loaded = b
            n = bisect_left(ids, doc)
            if n < len(ids) and ids[n] == doc:
                out[doc] = score_of(weights[n], doc)
        return out

    def docs(self) -> list[int]:
        """Every docnum, ascending (reads the blocks)."""
        if self.eager:
            return list(self.points)
        return list(itertools.chain.from_iterable(self.block(b)[0] for b in range(len(self.his))))

    def docs_in(self, start: int, end: int) -> set[int]:
        """The docnums of the postings with ``start <= docnum < end`` (reads the blocks)."""
        if self.eager:
            return set(self.points[bisect_left(self.points, start):bisect_left(self.points, end)])
        found: set[int] = set()
        for b in self._blocks_over(start, end):
            ids = self.block(b)[0]
            found.update(ids[bisect_left(ids, start):bisect_left(ids, end)])
        return found

    def unread_over(self, start: int, end: int) -> int:
        """How many blocks meeting [start, end) have not been read."""
        return sum(1 for b in self._blocks_over(start, end) if b not in self.decoded)

    def _locate(self, doc: int) -> tuple[int, int] | None:
        """(block, place in it) of ``doc``'s posting, or None (reads the block's docnums)."""
        b = self.block_at(doc)
        if b < 0:
            return None
        ids = self.block(b)[0]
        j = bisect_left(ids, doc)
        return (b, j) if j < len(ids) and ids[j] == doc else None

    def has(self, doc: int) -> bool:
        """Whether ``doc`` has a posting here."""
        return self._locate(doc) is not None

    def value_of(self, doc: int):  # noqa: ANN201
        """The stored value (positions/characters) of ``doc``'s posting, or None."""
        found = self._locate(doc)
        return None if found is None else self.block_values(found[0])[found[1]]


def _weights(weights, count: int) -> list[float]:  # noqa: ANN001
    """whoosh's minified block weights as one float per posting."""
    if weights is None:
        return [1.0] * count
    if isinstance(weights, float):
        return [weights] * count
    return list(weights)


def _values(values, count: int, fixedsize):  # noqa: ANN001, ANN202
    if fixedsize is None or fixedsize < 0:
        return values
    if fixedsize == 0:
        return (None,) * count
    return tuple(values[i:i + fixedsize] for i in range(0, len(values), fixedsize))


# ---- one segment: postings, intervals and their bounds -----------------------------------------


class _Segment:
    """The query's postings in one segment, the intervals they cut it into, and each one's bound
    (a segment read whole is one interval).

    Ranges of intervals are given by index, ``[i, j)``: documents ``cuts[i] <= docnum < cuts[j]``.
    """

    def __init__(self, data: _SearcherData, index: int, plan, allowed: frozenset[int] | None) -> None:  # noqa: ANN001
        self.segment, self.base, self.deleted = data.segments[index]
        self.data, self.index = data, index
        self.allowed = allowed
        self.plan = plan
        self.postings: dict[tuple[str, bytes], _Postings] = {}
        weighting = data.searcher.weighting
        for word in plan_words(plan):
            found = _open(data, index, word.field, word.text, weighting)
            if found is not None:
                self.postings[(word.field, word.text)] = found
        self.whole = _read_whole(self, plan)
        self.best_first = _best_first_phrase(self, plan) if self.whole else None
        if self.whole:  # one interval: the whole segment
            self.cuts = [0, self.segment.doc_count_all()]
        else:
            self._eager()
            self.cuts = self._cuts()
        self._cover_lists: list[list[tuple[str, bytes]]] | None = None
        self._candidates: list[float] | None = None
        self._sizes: dict[int, int] = {}

    def _eager(self) -> None:
        """Read short lists (and lists much shorter than the rest) up front, as exact points, shortest
        first, up to EAGER_POINTS documents in all: each point is an interval to bound and track."""
        total = sum(p.total for p in self.postings.values())
        points = 0
        for postings in sorted(self.postings.values(), key=lambda p: p.total):
            short = postings.total <= EAGER_POSTINGS or postings.total * EAGER_SHARE <= total - postings.total
            if not short or points + postings.total > EAGER_POINTS:
                break
            postings.read_all()
            points += postings.total

    def _cuts(self) -> list[int]:
        cuts: set[int] = set()
        for p in self.postings.values():
            if p.eager:
                cuts.update(p.points)
                cuts.update(d + 1 for d in p.points)
            else:
                cuts.update(p.los)
                cuts.update(h + 1 for h in p.his)
        return sorted(cuts)

    def spans(self, p: _Postings) -> Iterator[tuple[int, int, float]]:
        """(first interval, end interval, bound) of each block of ``p`` (each point when eager)."""
        cuts = self.cuts
        if p.eager:
            for doc in p.points:
                i = bisect_left(cuts, doc)
                yield i, i + 1, p.point_scores[doc]
        else:
            for lo, hi, bound in zip(p.los, p.his, p.bounds, strict=True):
                yield bisect_left(cuts, lo), bisect_left(cuts, hi + 1), bound

    @property
    def cover(self) -> list[list[tuple[str, bytes]]]:
        """For each interval, the terms whose postings may have documents in it (listed on first use:
        a segment read whole needs none)."""
        if self._cover_lists is None:
            self._cover_lists = self._cover()
        return self._cover_lists

    def _cover(self) -> list[list[tuple[str, bytes]]]:
        cover: list[list[tuple[str, bytes]]] = [[] for _ in range(max(0, len(self.cuts) - 1))]
        for key, p in self.postings.items():
            for i, j, _bound in self.spans(p):
                for n in range(i, j):
                    cover[n].append(key)
        return cover

    def bounds(self) -> list[float | None]:
        """Each interval's bound on the query's score (None: nothing can match there)."""
        if not self.cuts:
            return []
        ub, has = _node_bounds(self, self.plan)
        return [u if h else None for u, h in zip(ub, has, strict=True)]

    def size(self, node) -> int:  # noqa: ANN001
        """About how many documents ``node`` has in this segment (to evaluate the rarest part first)."""
        found = self._sizes.get(id(node))
        if found is None:
            if isinstance(node, Word | PhraseOf):
                words = [node.text] if isinstance(node, Word) else node.words
                counts = [self.postings[(node.field, w)].total if (node.field, w) in self.postings else 0
                          for w in words]
                found = min(counts)
            else:
                counts = [self.size(part) for part in node.parts]
                found = (min(counts) if isinstance(node, AllOf) else sum(counts)) if counts else 0
            self._sizes[id(node)] = found
        return found

    def keys(self, i: int, j: int) -> set[tuple[str, bytes]]:
        """The terms with postings in intervals ``[i, j)``."""
        if i == 0 and j == len(self.cuts) - 1:
            return set(self.postings)
        if j == i + 1:
            return set(self.cover[i])
        return {key for n in range(i, j) for key in self.cover[n]}

    def evaluate(self, i: int, j: int) -> dict[int, float]:
        """The exact score of every matching live document in intervals ``[i, j)``."""
        return self.live(_node_scores(self, self.plan, self.cuts[i], self.cuts[j], self.keys(i, j)))

    def live(self, found: dict[int, float]) -> dict[int, float]:
        """``found`` without the deleted documents and those the filter leaves out."""
        if self.deleted or self.allowed is not None:
            found = {d: s for d, s in found.items() if self.is_live(d)}
        return found

    def is_live(self, doc: int) -> bool:
        """Whether ``doc`` is neither deleted nor left out by the filter."""
        return doc not in self.deleted and (self.allowed is None or doc + self.base in self.allowed)

    def count(self, i: int, j: int) -> int:
        """How many live documents of intervals ``[i, j)`` match (unscored)."""
        found = _node_docs(self, self.plan, self.cuts[i], self.cuts[j], self.keys(i, j))
        if self.deleted or self.allowed is not None:
            found = set(filter(self.is_live, found))
        return len(found)

    def candidates(self, i: int, j: int) -> float:
        """About how many documents of intervals ``[i, j)`` could match (to weigh the count's sample)."""
        if self._candidates is None:
            self._candidates = _node_candidates(self, self.plan)
        return sum(self._candidates[i:j])

    def unread_cost(self, i: int, j: int) -> int:
        """How many blocks counting intervals ``[i, j)`` would read; a phrase word's block counts
        as PHRASE_COST, as its positions must be unpacked too."""
        return _node_cost(self, self.plan, self.cuts[i], self.cuts[j], self.keys(i, j))


def _open(data: _SearcherData, index: int, field: str, text: bytes, weighting) -> _Postings | None:  # noqa: ANN001
    """One term's postings in segment ``index`` with whoosh's BM25F scorer for it, or None."""
    segment = data.segments[index][0]
    fieldobj = data.searcher.schema[field]
    terms = getattr(segment, "_terms", None)
    info = data.term_info(index, field, text)
    if info is None:
        return None
    if terms is not None and isinstance(getattr(terms, "_codec", None), W3Codec) and hasattr(terms, "_postfile"):
        if info.is_inlined():
            matcher = terms._codec.postings_reader(terms._postfile, info, fieldobj.format, term=(field, text))  # noqa: SLF001
        else:
            matcher = PostingExtent(data.postings_file(index, terms._postfile), *info.extent(),  # noqa: SLF001
                                    fieldobj.format.fixed_value_size(), data.postings_stream(index))
    else:
        matcher = segment.postings(field, text)
        matcher = getattr(matcher, "child", matcher) if type(matcher).__name__ == "FilterMatcher" else matcher
    if not isinstance(matcher, W3LeafMatcher | ListMatcher | PostingExtent):
        raise Unsupported(type(matcher).__name__)
    if fieldobj.scorable:
        b = weighting._field_B.get(field, weighting.B)  # noqa: SLF001
        k1 = weighting.K1
        idf = data.searcher.idf(field, text)
        norms = data.norms(field, b, k1)
        lengths = data.lengths(index, field)
        avgfl = data.searcher.avg_field_length(field) or 1

        def score_of(weight: float, doc: int) -> float:
            return idf * ((weight * (k1 + 1)) / (weight + norms[lengths[doc]]))

        def scores_of_block(docs: Sequence[int], weights: Sequence[float]) -> list[float]:
            k = k1 + 1  # the same operations in the same order as score_of: the same floats
            return [idf * ((w * k) / (w + norms[lengths[d]])) for d, w in zip(docs, weights, strict=True)]

        def bound_of(weight: float, length: float) -> float:
            return scoring.bm25(idf, weight, length, avgfl, b, k1)
    else:
        def score_of(weight: float, doc: int) -> float:
            return weight

        def scores_of_block(docs: Sequence[int], weights: Sequence[float]) -> list[float]:
            return list(weights)

        def bound_of(weight: float, length: float) -> float:
            return weight
    return _Postings(matcher, score_of, bound_of, info.min_id(), scores_of_block)


def _leaf_bounds(seg: _Segment, field: str, text: bytes) -> tuple[list[float], list[bool]]:
    """The bound of one term in each interval: its block's bound, or a point's exact score."""
    count = len(seg.cuts) - 1
    ub, has = [0.0] * count, [False] * count
    p = seg.postings.get((field, text))
    if p is not None:
        for i, j, bound in seg.spans(p):
            for n in range(i, j):
                ub[n] = bound
                has[n] = True
    return ub, has


def _node_bounds(seg: _Segment, node) -> tuple[list[float | None], list[bool]]:  # noqa: ANN001
    """Per interval: the bound on ``node``'s score, and whether it can match there at all."""
    count = len(seg.cuts) - 1
    if isinstance(node, Word):
        ub, has = _leaf_bounds(seg, node.field, node.text)
    elif isinstance(node, PhraseOf | AllOf):
        parts = ([_leaf_bounds(seg, node.field, w) for w in node.words] if isinstance(node, PhraseOf)
                 else [_node_bounds(seg, part) for part in node.parts])
        ub, has = [0.0] * count, [True] * count
        for part_ub, part_has in parts:
            for i in range(count):
                if has[i]:
                    if part_has[i]:
                        ub[i] += part_ub[i]
                    else:
                        has[i] = False
    else:
        ub, has = [0.0] * count, [False] * count
        for part in node.parts:
            if isinstance(part, Word) and part.boost == 1.0:  # straight from its blocks
                p = seg.postings.get((part.field, part.text))
                for i, j, bound in seg.spans(p) if p is not None else ():
                    for n in range(i, j):
                        ub[n] += bound
                        has[n] = True
                continue
            part_ub, part_has = _node_bounds(seg, part)
            for i in range(count):
                if part_has[i]:
                    ub[i] += part_ub[i]
                    has[i] = True
    if node.boost != 1.0:
        ub = [u * node.boost for u in ub]
    return ub, has


def _node_scores(seg: _Segment, node, start: int, end: int, keys: set,  # noqa: ANN001
                 only: set[int] | None = None) -> dict[int, float]:
    """docnum -> exact score of ``node`` for its matches in [start, end); ``keys`` are the terms
    that have postings there; ``only``, when given, the documents worth scoring."""
    if isinstance(node, Word):
        key = (node.field, node.text)
        if key not in keys:
            found = {}
        else:
            p = seg.postings[key]
            found = p.scores_in(start, end) if only is None else p.scores_of(only)
    elif isinstance(node, PhraseOf):
        found = _phrase_scores(seg, node, start, end, keys, only)
    elif isinstance(node, AllOf):
        # the smallest part first; the others only score its documents; summed in the plan's order
        scores: dict[int, dict[int, float]] = {}
        docs = only
        for n in sorted(range(len(node.parts)), key=lambda n: seg.size(node.parts[n])):
            part = _node_scores(seg, node.parts[n], start, end, keys, docs)
            docs = set(part) if docs is None else docs.intersection(part)
            if not docs:
                return {}
            scores[n] = part
        first = scores[0]
        if len(node.parts) == 2:  # most ANDs: one pass
            second = scores[1]
            found = {doc: first[doc] + second[doc] for doc in docs}
        else:
            found = {doc: first[doc] for doc in docs}
            for n in range(1, len(node.parts)):
                more = scores[n]
                found = {doc: total + more[doc] for doc, total in found.items()}
    else:
        found = {}
        for part in node.parts:
            if isinstance(part, Word) and (part.field, part.text) not in keys:
                continue
            found = _summed(found, _node_scores(seg, part, start, end, keys, only))
    if node.boost != 1.0:
        found = {d: s * node.boost for d, s in found.items()}
    return found


def _summed(found: dict[int, float], more: dict[int, float]) -> dict[int, float]:
    """``more``'s scores added into ``found`` per document (``found``'s first, as in the plan's order);
    the documents new to ``found`` are copied in C, only the shared ones added in Python. Either dict
    may be reused: both are a part's fresh scores."""
    if not found or not more:
        return found or more
    shared = {doc: found[doc] + more[doc] for doc in more.keys() & found.keys()}
    found.update(more)
    found.update(shared)
    return found


def _phrase_scores(seg: _Segment, node: PhraseOf, start: int, end: int, keys: set,
                   only: set[int] | None = None) -> dict[int, float]:
    """Documents with the words in order within ``slop`` of each other, scored as the words' sum.

    An exact phrase in a field with a term-sequence column narrows its rarest word's documents to
    those whose sequence holds it (index/analysis.py) before the other words' postings are looked at;
    positions are unpacked only for the documents the sequences leave undecided. Otherwise positions
    are read for the documents that have every word.
    """
    field = node.field
    if any((field, w) not in keys for w in node.words):
        return {}
    order = sorted(set(node.words), key=lambda w: seg.postings[(field, w)].total)
    sequences = seg.data.sequences(seg.index, field) if node.keys else None
    scores: dict[bytes, dict[int, float]] = {}
    docs = only
    check: set[int] | None = None  # the documents whose positions decide (None: all)
    for n, word in enumerate(order):
        p = seg.postings[(field, word)]
        if n == 0 and sequences is not None:  # a document whose sequence lacks the phrase cannot match
            # (documents asked for without the word are dropped with the scores below)
            docs, check = sequences.matching(p.docs_in(start, end) if docs is None else docs, node)
        scores[word] = p.scores_in(start, end) if docs is None else p.scores_of(docs)
        docs = set(scores[word]) if docs is None else docs.intersection(scores[word])
        if not docs:
            return {}
    out = {}
    if check is not None:  # every word is there: the sequence decides the rest
        for doc in docs - check:
            out[doc] = _phrase_score(scores, node.words, doc)
        docs = docs & check
    decode = positions_decoder(seg.segment.schema[field].format)
    lists = [seg.postings[(field, w)] for w in node.words]
    for doc in sorted(docs):
        if node.slop == 1:
            found = exact_phrase_at(lambda i, doc=doc: decode(lists[i].value_of(doc)),
                                    [lists[i].total for i in range(len(lists))])
        else:
            found = phrase_matches([decode(p.value_of(doc)) for p in lists], node.slop)
        if found:
            out[doc] = _phrase_score(scores, node.words, doc)
    return out


def _phrase_score(scores: dict[bytes, dict[int, float]], words: tuple[bytes, ...], doc: int) -> float:
    """A phrase's score in ``doc``: its words' scores summed in the phrase's order (as whoosh sums)."""
    total = scores[words[0]][doc]
    for word in words[1:]:
        total += scores[word][doc]
    return total


def positions_decoder(fmt) -> Callable[[bytes], list[int]]:  # noqa: ANN001
    """A posting value's positions, as ``fmt.decoder("positions")`` gives them, faster for whoosh's
    Positions and Characters formats (a pickled list of deltas, or of (delta, start, length))."""
    kind = type(fmt)
    if kind is formats.Characters:
        first = operator.itemgetter(0)

        def decode(value: bytes) -> list[int]:
            codes = pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")  # noqa: S301
            return list(itertools.accumulate(map(first, codes)))
        return decode
    if kind is formats.Positions:
        def decode(value: bytes) -> list[int]:
            return list(itertools.accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))  # noqa: S301
        return decode
    return fmt.decoder("positions")


def exact_phrase_at(positions_of: Callable[[int], list[int]], sizes: list[int]) -> bool:
    """Whether the words occur next to each other in order; word ``i``'s positions come from
    ``positions_of(i)``, read rarest word first (``sizes``) so that most documents are rejected
    before the common words' positions are unpacked."""
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    anchor = order[0]
    starts = {p - anchor for p in positions_of(anchor)}
    for i in order[1:]:
        here = positions_of(i)
        starts.intersection_update(p - i for p in here)
        if not starts:
            return False
    return bool(starts)


def phrase_matches(positions: list[list[int]], slop: int) -> bool:
    """Whether some choice of one position per word has each 1..slop after the one before
    (whoosh's ordered SpanNear with mindist 1)."""
    ends = set(positions[0])
    for nxt in positions[1:]:
        if slop == 1:
            ends = {q for q in nxt if q - 1 in ends}
        else:
            ends = {q for q in nxt if any(1 <= q - e <= slop for e in ends)}
        if not ends:
            return False
    return True


def _node_docs(seg: _Segment, node, start: int, end: int, keys: set) -> set[int]:  # noqa: ANN001
    """The documents in [start, end) that ``node`` matches, without scoring them (for counting)."""
    if isinstance(node, Word):
        key = (node.field, node.text)
        return seg.postings[key].docs_in(start, end) if key in keys else set()
    if isinstance(node, PhraseOf):
        return set(_phrase_scores(seg, node, start, end, keys))
    found: set[int] = set()
    for n, part in enumerate(node.parts):
        if isinstance(node, AnyOf) and isinstance(part, Word) and (part.field, part.text) not in keys:
            continue
        docs = _node_docs(seg, part, start, end, keys)
        if isinstance(node, AllOf):
            found = docs if n == 0 else found & docs
            if not found:
                break
        else:
            found |= docs
    return found


def _node_cost(seg: _Segment, node, start: int, end: int, keys: set) -> int:  # noqa: ANN001
    """How many unread blocks evaluating ``node`` over [start, end) would read (see unread_cost)."""
    if isinstance(node, Word):
        key = (node.field, node.text)
        return seg.postings[key].unread_over(start, end) if key in keys else 0
    if isinstance(node, PhraseOf):
        words = [(node.field, w) for w in set(node.words)]
        if any(key not in keys for key in words):
            return 0
        if node.keys:  # the other words are read only for the rarest word's documents holding the phrase
            rarest = min(words, key=lambda key: seg.postings[key].total)
            return SEQUENCE_COST * seg.postings[rarest].unread_over(start, end)
        return PHRASE_COST * sum(seg.postings[key].unread_over(start, end) for key in words)
    return sum(_node_cost(seg, part, start, end, keys) for part in node.parts)


def _node_candidates(seg: _Segment, node) -> list[float]:  # noqa: ANN001
    """Per interval, about how many documents have ``node``'s terms (phrases not checked): a block's
    postings spread evenly over its range, the least of an AND's parts, the sum of an OR's."""
    size = len(seg.cuts) - 1
    if isinstance(node, Word):
        return _add_candidates(seg, seg.postings.get((node.field, node.text)), [0.0] * size)
    if isinstance(node, AnyOf):
        counts = [0.0] * size
        for part in node.parts:
            if isinstance(part, Word):
                _add_candidates(seg, seg.postings.get((part.field, part.text)), counts)
            else:
                counts = [a + b for a, b in zip(counts, _node_candidates(seg, part), strict=True)]
        return counts
    parts = ([_add_candidates(seg, seg.postings.get((node.field, w)), [0.0] * size) for w in node.words]
             if isinstance(node, PhraseOf) else [_node_candidates(seg, part) for part in node.parts])
    return [min(c) for c in zip(*parts, strict=True)] if parts else [0.0] * size


def _add_candidates(seg: _Segment, p: _Postings | None, counts: list[float]) -> list[float]:
    """Add one term's postings per interval to ``counts`` (a block's spread evenly over its range)."""
    if p is None:
        return counts
    cuts = seg.cuts
    if p.eager:
        for doc in p.points:
            counts[bisect_left(cuts, doc)] += 1.0
        return counts
    for lo, hi, count in zip(p.los, p.his, p.counts, strict=True):
        per_doc = count / (hi - lo + 1)
        for n in range(bisect_left(cuts, lo), bisect_left(cuts, hi + 1)):
            counts[n] += per_doc * (cuts[n + 1] - cuts[n])
    return counts


# ---- the ranking -------------------------------------------------------------------------------


@attrs.frozen
class Ranked:
    """The best documents (global docnum, score), best first; how many match, and whether exactly."""

    top: tuple[tuple[int, float], ...]
    total: int
    exact: bool
    segments: tuple = ()  # the _Segment readers, for the top documents' term values
    intervals: tuple[int, int] = (0, 0)  # (read, all)

    def blocks(self) -> tuple[int, int]:
        """(posting blocks whose docnums were read, all posting blocks of the query's terms)."""
        read = sum(len(p.decoded) for seg in self.segments for p in seg.postings.values())
        return read, sum(len(p.his) for seg in self.segments for p in seg.postings.values())

    def values(self, docnum: int, field: str) -> dict[str, object]:
        """The top document's stored posting values (positions/characters) per term of ``field``."""
        for seg in self.segments:
            if seg.base <= docnum < seg.base + seg.segment.doc_count_all():
                local = docnum - seg.base
                out = {}
                for (f, text), p in seg.postings.items():
                    if f == field:
                        value = p.value_of(local)
                        if value is not None:
                            out[text.decode("utf-8")] = value
                return out
        return {}


def rank(searcher, plan, limit: int, allowed: frozenset[int] | None = None) -> Ranked:  # noqa: ANN001
    """The ``limit`` best documents for ``plan`` by whoosh's BM25F (ties: lower docnum first), and
    the number of matching documents; ``allowed`` (global docnums) restricts the matches.

    Intervals are read best bound first until ``limit`` documents are found; then every interval
    whose bound reaches the ``limit``-th score is read, neighbouring ones together. A segment
    where the query is an AND, a phrase or a wide OR is read whole first (see :func:`_read_whole`).
    """
    data = searcher_data(searcher)
    if not isinstance(searcher.weighting, scoring.BM25F) or searcher.weighting.use_final:
        raise Unsupported("weighting")
    segments = [_Segment(data, i, plan, allowed) for i in range(len(data.segments))]
    top = _Top(limit)
    read, batch = 0, 1
    whole = {s for s, seg in enumerate(segments) if seg.whole}
    for s in sorted(whole):
        if segments[s].best_first is None:
            top.add(segments[s], 0, len(segments[s].cuts) - 1)
            read += len(segments[s].cuts) - 1
    counted, estimated = 0, False  # best-first segments' matches, counted apart
    for s in sorted(whole):
        if segments[s].best_first is not None:
            matches, exact = _best_first(segments[s], top)
            counted, estimated = counted + matches, estimated or not exact
            read += 1
    queue = [(-bound, s, i) for s, seg in enumerate(segments) if s not in whole
             for i, bound in enumerate(seg.bounds()) if bound is not None]
    heapq.heapify(queue)  # best bound first; most intervals are never taken out in order
    while queue and not top.full():
        # a few at a time; while matches are scarce, ever larger batches, neighbours read together
        taken = [heapq.heappop(queue) for _ in range(min(batch, len(queue)))]
        for _bound, s, i, j in _runs([(-b, s, i) for b, s, i in taken]):
            top.add(segments[s], i, j)
        read += len(taken)
        batch = min(batch * 2, 64) if read >= limit else 1
    floor = top.floor()
    unread = [(s, i, i + 1) for bound, s, i in queue if -bound < floor]
    for bound, s, i, j in sorted(_runs([(-b, s, i) for b, s, i in queue if -b >= floor]), key=lambda r: -r[0]):
        if top.reaches(bound):
            top.add(segments[s], i, j)
            read += j - i
        else:
            unread.append((s, i, j))
    queue_size = read + len(unread)
    total = _words_count(segments, plan) if allowed is None else None
    if total is not None:
        exact = True
    else:
        total, exact = _count_rest(segments, unread, top.matched)
        total, exact = total + counted, exact and not estimated
    ranked = tuple((-doc, score) for score, doc in sorted(top.heap, reverse=True))
    return Ranked(ranked, total, exact, tuple(segments), (read, queue_size))


def _read_whole(seg: _Segment, plan) -> bool:  # noqa: ANN001
    """Whether to evaluate a segment in one pass rather than interval by interval: an AND or a phrase
    (its rarest part's documents are looked at anyway: an AND's bounds add up loosely and a phrase's
    matches are rare among its candidates, so block-max prunes little, while each interval costs a
    Python evaluation), or an OR of more than WIDE_LISTS term lists (a prefix or fuzzy term's
    expansions, whose block bounds add up to far more than any document scores). One pass also
    counts exactly. Words alone and narrow ORs keep block-max, which skips most of a common word's
    blocks."""
    if not seg.postings:
        return False
    return len(seg.postings) > WIDE_LISTS or any(isinstance(node, AllOf | PhraseOf) for node in plan_nodes(plan))


class _Top:
    """The best documents so far (a heap of (score, -docnum)) and how many matched."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.heap: list[tuple[float, int]] = []
        self.matched = 0

    def full(self) -> bool:
        return len(self.heap) >= self.limit

    def floor(self) -> float:
        """The least bound that :meth:`reaches` (minus infinity until the heap is full)."""
        if not self.full():
            return float("-inf")
        return (self.heap[0][0] - _MARGIN) / (1 + _MARGIN)

    def reaches(self, bound: float) -> bool:
        """Whether a document with a score up to ``bound`` could still get in."""
        return not self.full() or bound * (1 + _MARGIN) + _MARGIN >= self.heap[0][0]

    def add(self, seg: _Segment, i: int, j: int) -> None:
        """Score the documents of intervals ``[i, j)`` of one segment and keep the best."""
        found = seg.evaluate(i, j)
        self.matched += len(found)
        self.offer(seg, found)

    def offer(self, seg: _Segment, found: dict[int, float]) -> None:
        """Keep the best of ``found`` (one segment's docnums and exact scores), uncounted."""
        heap, limit = self.heap, self.limit
        # (score, -docnum) pairs built and compared in C: a whole segment can hold tens of thousands
        items = zip(found.values(), map((-seg.base).__sub__, found), strict=True)
        for item in heapq.nlargest(limit, items) if len(found) > limit else items:
            if len(heap) < limit:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)


def _best_first_phrase(seg: _Segment, plan) -> PhraseOf | None:  # noqa: ANN001
    """The phrase of ``plan`` to check best bound first in this segment (see :func:`_best_first`), or
    None: the plan must be a phrase or an OR of phrases (a quoted phrase looks in titles and bodies),
    with positive boosts, and the phrase whose rarest word is in the most documents here must have
    that word in more than BEST_FIRST_CANDIDATES of them."""
    phrases = (plan,) if isinstance(plan, PhraseOf) else plan.parts if isinstance(plan, AnyOf) else ()
    if not phrases or plan.boost <= 0 or not all(isinstance(p, PhraseOf) and p.boost > 0 for p in phrases):
        return None
    found, most = None, BEST_FIRST_CANDIDATES
    for phrase in phrases:
        lists = [seg.postings.get((phrase.field, w)) for w in phrase.words]
        if all(lists) and min(p.total for p in lists) > most:
            found, most = phrase, min(p.total for p in lists)
    return found


def _best_first(seg: _Segment, top: _Top) -> tuple[int, bool]:
    """Offer a segment's best matches of a phrase plan to ``top``, checking as few of the documents
    that have the phrase's rarest word as it can: (how many documents match, whether exactly).

    A phrase of common words ("the world", "make it") has its rarest word in most documents, and
    finding the phrase in each of their term sequences, then reading the other words' postings for
    those that have it, was most of a search's time. An even sample of those documents is looked at
    first, for the phrase only. When the phrase is in few of them, every document is checked (one
    pass: bounds would narrow it less). Otherwise each document is bounded by its exact score for the
    rarest word plus the other words' bounds (their largest, then their blocks' at the document),
    and documents are checked best bound first, in growing batches, until no unchecked one can reach
    the top; those left are counted from a sample four times as large. An OR's other phrases (a
    phrase in titles) are rare: scored in one pass.
    """
    node, plan = seg.best_first, seg.plan
    size, keys = seg.segment.doc_count_all(), set(seg.postings)
    rarest = min(set(node.words), key=lambda w: seg.postings[(node.field, w)].total)
    ordered = seg.postings[(node.field, rarest)].docs()
    if seg.deleted or seg.allowed is not None:
        ordered = list(filter(seg.is_live, ordered))
    step = max(1, len(ordered) // BEST_FIRST_SAMPLE)
    first = set(ordered[::4 * step])  # a quarter of the sample decides; all of it counts
    share = len(_phrase_docs(seg, node, first, keys)) / len(first) if first else 0.0
    if step == 1 or share < BEST_FIRST_SHARE:  # a rare phrase: every document checked, in one pass
        found = seg.evaluate(0, len(seg.cuts) - 1)
        top.offer(seg, found)
        return len(found), True
    sample = set(ordered[::step]) - first
    share = (share * len(first) + len(_phrase_docs(seg, node, sample, keys))) / (len(first) + len(sample))
    # the documents another phrase matches (a phrase in titles: rare) are scored first, as one pass would
    others = [part for part in (plan.parts if isinstance(plan, AnyOf) else ()) if part is not node]
    known = set(filter(seg.is_live, set().union(*(_node_scores(seg, part, 0, size, keys) for part in others))))
    found = seg.live(_node_scores(seg, plan, 0, size, keys, known)) if known else {}
    top.offer(seg, found)
    matched = len(found)
    alone = AnyOf((node,), plan.boost) if isinstance(plan, AnyOf) else node  # the plan for the others' documents
    candidates = seg.live(seg.postings[(node.field, rarest)].scores_in(0, size))  # the rarest word's scores
    times = node.words.count(rarest)
    rest = sum(max(seg.postings[(node.field, w)].bounds) for w in node.words if w != rarest)
    boost = node.boost * (plan.boost if isinstance(plan, AnyOf) else 1.0)

    def bound(doc: int, others: float = rest) -> float:
        """A document's bound: its rarest word's score, the other words' bounds, the boosts."""
        return (times * candidates[doc] + others) * boost

    least = top.floor()  # only documents whose bound reaches the top as it is now
    if least > float("-inf"):
        least = (least / boost - rest) / times
        least -= abs(least) * 1e-9 + 1e-12  # (rounding: top.reaches decides each)
        pool = [doc for doc, score in candidates.items() if score >= least]
    else:
        pool = list(candidates)
    order = sorted(pool, key=candidates.__getitem__, reverse=True)
    lists = [seg.postings[(node.field, w)] for w in node.words if w != rarest]
    at, checked, batch = 0, 0, 16
    while at < len(order) and top.reaches(bound(order[at])):
        docs = set()
        while at < len(order) and len(docs) < batch:
            doc = order[at]
            if not top.reaches(bound(doc)):
                break
            at += 1
            if doc in known:
                continue
            # the other words' bounds where this document is: most documents stop here, unchecked
            there = _bound_at(lists, doc)
            if there is None:  # a word is not in it: no match
                checked += 1
            elif top.reaches(bound(doc, there)):
                docs.add(doc)
        found = seg.live(_node_scores(seg, alone, 0, size, keys, docs)) if docs else {}
        checked += len(docs)
        matched += len(found)
        top.offer(seg, found)
        batch = min(batch * 2, 1024)
    left = len(candidates) - len(known.intersection(candidates)) - checked
    return matched + round(left * share), not left


def _bound_at(lists: list[_Postings], doc: int) -> float | None:
    """The sum of the bounds of the blocks of ``lists`` whose ranges hold ``doc`` (a read list's
    exact score there), or None when a list cannot have it."""
    total = 0.0
    for p in lists:
        if p.eager:
            score = p.point_scores.get(doc)
            if score is None:
                return None
            total += score
        else:
            b = p.block_at(doc)
            if b < 0:
                return None
            total += p.bounds[b]
    return total


def _phrase_docs(seg: _Segment, node: PhraseOf, docs: set[int], keys: set) -> set[int]:
    """Those of ``docs`` whose term sequence holds the phrase, or that only its positions decide,
    without scoring them (the phrase checked and scored when the field has no sequences)."""
    if node.keys and all((node.field, w) in keys for w in node.words):
        return seg.data.sequences(seg.index, node.field).matching(docs, node)[0]
    return set(_node_scores(seg, node, 0, seg.segment.doc_count_all(), keys, docs))


def _runs(todo: list[tuple[float, int, int]]) -> list[tuple[float, int, int, int]]:
    """Neighbouring intervals joined: (largest bound, segment, first interval, end interval)."""
    runs: list[tuple[float, int, int, int]] = []
    for bound, s, i in sorted(todo, key=lambda t: (t[1], t[2])):
        if runs and runs[-1][1] == s and runs[-1][3] == i:
            last = runs[-1]
            runs[-1] = (max(last[0], bound), s, last[2], i + 1)
        else:
            runs.append((bound, s, i, i + 1))
    return runs


def _words_count(segments: list[_Segment], plan) -> int | None:  # noqa: ANN001
    """The exact count of a word, or of words OR-ed (a plain word is one in the title OR the body),
    from the block headers when each segment has at most one of the lists unread: its postings all
    match, plus the read lists' documents it lacks. None when a segment has deletions, or more lists
    unread, or checking those documents would read more than EXACT_BUDGET blocks in all."""
    parts = (plan,) if isinstance(plan, Word) else plan.parts if isinstance(plan, AnyOf) else ()
    if not parts or not all(isinstance(part, Word) for part in parts):
        return None
    keys = {(part.field, part.text) for part in parts}
    checks = []
    for seg in segments:
        if seg.deleted:
            return None
        lists = [seg.postings[key] for key in keys if key in seg.postings]
        unread = [p for p in lists if not p.eager]
        if len(unread) > 1:
            return None
        checks.append((unread[0] if unread else None, set().union(*(p.points for p in lists if p.eager))))
    cost = sum(len({big.block_at(doc) for doc in docs} - {-1} - big.decoded.keys())
               for big, docs in checks if big is not None)
    if cost > EXACT_BUDGET:
        return None
    return sum(len(docs) if big is None else big.total + sum(1 for doc in docs if not big.has(doc))
               for big, docs in checks)


def _count_rest(segments: list[_Segment], unread: list[tuple[int, int, int]], matched: int) -> tuple[int, bool]:
    """The count: exact when counting the unread intervals is cheap (few blocks still to read, few
    candidate documents in them), else estimated from a sample of them: matches per candidate
    document, times the candidates."""
    if not unread:
        return matched, True
    unread = _joined(unread)
    candidates = sum(segments[s].candidates(i, j) for s, i, j in unread)
    cost = 0
    for s, i, j in unread:
        cost += segments[s].unread_cost(i, j)
        if cost > EXACT_BUDGET or candidates > EXACT_CANDIDATES:
            break
    else:
        if len(unread) <= EXACT_RANGES:
            return matched + sum(segments[s].count(i, j) for s, i, j in unread), True
        # count every segment whole: a few large set operations instead of many small ones
        return sum(seg.count(0, len(seg.cuts) - 1) for seg in segments if len(seg.cuts) > 1), True
    sampled_matches, sampled_candidates = _sample(segments, unread)
    if sampled_candidates <= 0:
        return matched, False
    return matched + round(candidates * sampled_matches / sampled_candidates), False


def _joined(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Interval ranges (segment, i, j) sorted, neighbours joined."""
    out: list[tuple[int, int, int]] = []
    for s, i, j in sorted(ranges):
        if out and out[-1][0] == s and out[-1][2] == i:
            out[-1] = (s, out[-1][1], j)
        else:
            out.append((s, i, j))
    return out


def _sample(segments: list[_Segment], unread: list[tuple[int, int, int]]) -> tuple[int, float]:
    """(matches, candidates) in unread intervals taken evenly over the index (runs of SAMPLE_RUN
    neighbours, which mostly share their blocks, at a golden-ratio sequence of places) until
    SAMPLE_MATCHES matches and SAMPLE_CANDIDATES candidates are seen, or their blocks cost
    SAMPLE_BUDGET."""
    seen: set[int] = set()
    cost, matches, candidates, position = 0, 0, 0.0, 0.5
    while len(seen) < len(unread) and (matches < SAMPLE_MATCHES or candidates < SAMPLE_CANDIDATES):
        start = int(position * len(unread))
        position = (position + 0.6180339887498949) % 1.0
        for k in range(start, min(start + SAMPLE_RUN, len(unread))):
            if k in seen:
                continue
            s, i, j = unread[k]
            price = segments[s].unread_cost(i, j)
            if cost + price > SAMPLE_BUDGET and candidates:
                return matches, candidates
            seen.add(k)
            cost += price
            candidates += segments[s].candidates(i, j)
            matches += segments[s].count(i, j)
    return matches, candidates
