"""Searching: run a query with filters, order, pages, facets and duplicate grouping, and turn hits into
docket's own values with snippets; export every hit; find exact passages; mark a whole document."""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
from whoosh import query as wq
from whoosh import sorting
from whoosh.automata import lev

from index import minhash, ranking
from index.analysis import text_analyzer
from index.errors import QuerySyntaxError
from index.query import HighlightPlan, highlight_plan, parse_query
from index.snippets import Occurrences, best_snippets, lead_snippet, match_spans, term_occurrences, title_snippet
from index.values import Duplicate, Hit, Passage, SearchFilters, SearchRequest, SearchResults, Snippet, Sort
from index.writer import Reading, open_index

_EXPANDING = (wq.Prefix, wq.FuzzyTerm, wq.Wildcard)
_SCAN_FACTOR = 2  # ranked hits scanned per group wanted, before widening the scan


def filter_query(filters: SearchFilters) -> wq.Query | None:
    """The filters as one whoosh query (None when there are none); they restrict without scoring."""
    parts: list[wq.Query] = []
    for since, until, field in ((filters.since, filters.until, "published"),
                                (filters.captured_since, filters.captured_until, "retrieved")):
        # a document's interval [start, end] overlaps [since.start, until.end) ...
        if since is not None:
            parts.append(wq.DateRange(f"{field}_end", since.start, None))
        if until is not None:
            parts.append(wq.DateRange(f"{field}_start", None, until.end, endexcl=True))
    for field, value in (("site", filters.site), ("author", filters.author)):
        if value:
            words = [t.text for t in _name_tokens(value)]
            if words:
                parts.append(wq.Phrase(field, words) if len(words) > 1 else wq.Term(field, words[0]))
    parts += [wq.Term("tag", tag.strip().lower()) for tag in filters.tags if tag.strip()]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _name_tokens(text: str):  # noqa: ANN202
    from index.analysis import name_analyzer

    return name_analyzer()(text)


@attrs.define
class _Group:
    """Ranked hits folded together: the first one stands for the rest."""

    docnum: int
    score: float
    clean_sha256: str
    signature: tuple[int, ...]
    members: list[tuple[int, bool, float]] = attrs.Factory(list)  # (docnum, exact, similarity)


class _Grouper:
    """Folds ranked hits into groups: same clean text, or MinHash similarity over the threshold."""

    def __init__(self, reader) -> None:  # noqa: ANN001
        self.sha_column, self.sig_column = duplicate_columns(reader)
        self.groups: list[_Group] = []
        self.by_sha: dict[str, _Group] = {}
        self.by_band: dict[str, list[_Group]] = {}
        self.seen: set[int] = set()

    def add(self, docnum: int, score: float) -> None:
        """Put a hit in the group it belongs to, or start a new group with it."""
        if docnum in self.seen:
            return
        self.seen.add(docnum)
        sha = self.sha_column[docnum]
        sha = sha.decode() if isinstance(sha, bytes) else sha
        group = self.by_sha.get(sha)
        if group is not None:
            group.members.append((docnum, True, 1.0))
            return
        signature = minhash.decode(self.sig_column[docnum])
        bands = minhash.band_terms(signature)
        best, best_sim = None, 0.0
        for band in bands:
            for candidate in self.by_band.get(band, ()):
                sim = minhash.similarity(signature, candidate.signature)
                if sim >= minhash.NEAR_DUPLICATE and sim > best_sim:
                    best, best_sim = candidate, sim
        if best is not None:
            best.members.append((docnum, False, round(best_sim, 3)))
            self.by_sha.setdefault(sha, best)
            return
        group = _Group(docnum, score, sha, signature)
        self.groups.append(group)
        self.by_sha[sha] = group
        for band in bands:
            self.by_band.setdefault(band, []).append(group)


_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def duplicate_columns(reader) -> tuple:  # noqa: ANN001
    """The reader's clean_sha256 and minhash columns, opened once per reader (opening one reads the
    offsets of every document); empty for an index with no documents yet."""
    found = _COLUMNS.get(reader)
    if found is None:
        empty = not reader.doc_count_all()
        found = ({}, {}) if empty else (reader.column_reader("clean_sha256"), reader.column_reader("minhash"))
        _COLUMNS[reader] = found
    return found


def _field_terms(reader, query: wq.Query, fieldname: str, cap: int = 1000) -> set[str]:  # noqa: ANN001
    """The query's words in one field, prefix and fuzzy terms expanded to the index words they match."""
    words: set[str] = set()
    for leaf in query.leaves():
        if getattr(leaf, "fieldname", None) != fieldname:
            continue
        if isinstance(leaf, _EXPANDING):
            found: set[str] = set()
            # segment by segment: a segment reader expands fuzzy terms with an automaton, a multi-segment
            # reader by comparing every term of the field
            for segment_reader, _base in reader.leaf_readers():
                for btext in leaf._btexts(segment_reader):  # noqa: SLF001 - whoosh's expansion
                    if len(found) >= cap:
                        break
                    found.add(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
            words |= found
        else:
            words.update(str(text) for _, text in leaf.iter_all_terms())
    return words


MAX_EXPANSION = 256  # index words one prefix*, wildcard or fuzzy~ term may stand for
MAX_SCANNED = 20_000  # index words looked at to choose them
MAX_EDITS = 2  # the most edits a fuzzy~ term allows (like Lucene)


def bound_expansions(query: wq.Query, reader) -> wq.Query:  # noqa: ANN001
    """The query with each prefix, wildcard and fuzzy term replaced by an OR of at most MAX_EXPANSION
    index words (the most frequent of the first MAX_SCANNED it matches), fuzzy terms capped at
    MAX_EDITS: ``a*`` or ``a~5`` over a large index stays bounded in time and memory."""

    def bound(node: wq.Query) -> wq.Query:
        if not isinstance(node, _EXPANDING):
            return node
        if isinstance(node, wq.FuzzyTerm) and node.maxdist > MAX_EDITS:
            node = node.copy()
            node.maxdist = MAX_EDITS
        field = node.fieldname
        words = list(itertools.islice(_expansion_words(node, reader), MAX_SCANNED))
        if len(words) > MAX_EXPANSION:
            words = sorted(words, key=lambda w: -reader.doc_frequency(field, w))[:MAX_EXPANSION]
        terms = [wq.Term(field, w.decode("utf-8") if isinstance(w, bytes) else w) for w in sorted(words)]
        if not terms:
            return wq.NullQuery
        return terms[0] if len(terms) == 1 else wq.Or(terms, boost=node.boost)

    return query.accept(bound)


def _expansion_words(node: wq.Query, reader) -> Iterator[str | bytes]:  # noqa: ANN001
    """The index words an expanding term matches, in lexicon order, without repeats.

    Expanded segment by segment: a segment reader runs a fuzzy term's automaton over its word list,
    where a multi-segment reader would compute the edit distance to every word of the field.
    """
    if isinstance(node, wq.FuzzyTerm):
        words = field_words(reader, node.fieldname, ask=True)
        if words is not None:
            yield from _fuzzy_matches(node, words)
            return
    streams = [node._btexts(segment) for segment, _base in reader.leaf_readers()]  # noqa: SLF001
    previous = None
    for word in heapq.merge(*streams) if len(streams) > 1 else streams[0] if streams else ():
        if word != previous:
            yield word
            previous = word


LEXICON_AFTER = 1  # fuzzy expansions of a field a reader does segment by segment before it keeps the word list
_LEXICONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def field_words(reader, fieldname: str, ask: bool = False) -> list[str] | None:  # noqa: ANN001
    """Every word of a field in the whole index, sorted, kept per reader; None until ``ask`` has been
    passed more than LEXICON_AFTER times for it (a one-off search does not pay for reading it)."""
    kept = _LEXICONS.setdefault(reader, {})
    words = kept.get(fieldname)
    if words is None:
        asked = kept.get(("asked", fieldname), 0) + ask
        kept[("asked", fieldname)] = asked
        if asked <= LEXICON_AFTER:
            return None
        field = reader.schema[fieldname]
        found: set[str] = set()
        for segment, _base in reader.leaf_readers():
            found.update(field.from_bytes(b) for b in segment.lexicon(fieldname))
        words = kept[fieldname] = sorted(found)
    return words


def _fuzzy_matches(node: wq.FuzzyTerm, words: list[str]) -> Iterator[str]:
    """The words within the fuzzy term's edits, walking its Levenshtein automaton over a sorted list
    (as a segment reader walks its word file)."""
    dfa = lev.levenshtein_automaton(node.text, node.maxdist, node.prefixlength).to_dfa()
    match = dfa.next_valid_string("")
    while match is not None:
        i = bisect.bisect_left(words, match)
        if i == len(words):
            return
        word = words[i]
        if word == match:
            yield word
            word += "\0"
        match = dfa.next_valid_string(word)


class _Highlighting:
    """Everything per search that snippets need: the query's terms and phrases per field."""

    def __init__(self, searcher, query: wq.Query, expands: bool = False) -> None:  # noqa: ANN001
        self.searcher = searcher
        self.reader = searcher.reader()
        # the query before bound_expansions had prefix/fuzzy terms: mark only the words each hit matched
        self.expands = expands or any(isinstance(leaf, _EXPANDING) for leaf in query.leaves())
        self.body_plan: HighlightPlan = highlight_plan(query, "body")
        self.title_plan: HighlightPlan = highlight_plan(query, "title")
        self.body_terms = _field_terms(self.reader, query, "body")
        self.title_terms = _field_terms(self.reader, query, "title")

    def snippets(self, docnum: int, title: str, body: str, top: int,
                 matched: set[tuple[str, bytes]] | None = None, found: Occurrences | None = None) -> tuple[Snippet, ...]:
        """The hit's best passages; a title-only match shows the title marked, then the body's lead.

        ``found`` is where the query's body terms occur in the hit, when the ranking already knows;
        otherwise the postings are looked up (only the terms in ``matched`` for prefix/fuzzy queries).
        """
        if found is None:
            terms = self.body_terms
            if matched is not None and self.expands:
                terms = {t.decode("utf-8") for f, t in matched if f == "body"}
            found = term_occurrences(self.reader, docnum, "body", terms)
        spans = match_spans(found, self.body_plan)
        if spans and top:
            return best_snippets(body, spans, top)
        if not title:
            return (lead_snippet(body),) if body else ()
        return (title_snippet(title, self.title_spans(title), body),)

    def title_spans(self, title: str) -> list[tuple[int, int]]:
        """Ranges of the title that the query's title terms and phrases match (titles are short)."""
        found: dict[str, list[tuple[int, int, int]]] = {}
        for t in text_analyzer()(title, positions=True, chars=True, mode="index"):
            if t.text in self.title_terms:
                found.setdefault(t.text, []).append((t.pos, t.startchar, t.endchar))
        return match_spans(found, self.title_plan)


def _hit(fields: dict, score: float, snippets: tuple[Snippet, ...],
         duplicates: tuple[Duplicate, ...] = ()) -> Hit:
    """A Hit from a document's stored fields."""
    tags = fields.get("tag") or ""
    return Hit(
        id=fields["id"], title=fields.get("title", ""), score=round(float(score), 4),
        published=fields.get("published_text"), source=fields.get("source"), site=fields.get("site"),
        author=fields.get("author"), raw_sha256=fields.get("raw_sha256", ""),
        clean_sha256=fields.get("clean_sha256", ""), snippets=snippets, retrieved=fields.get("retrieved_text"),
        tags=tuple(t for t in tags.split(",") if t), duplicates=duplicates,
    )


def _duplicate(searcher, docnum: int, exact: bool, similarity: float) -> Duplicate:  # noqa: ANN001
    fields = searcher.stored_fields(docnum)
    return Duplicate(id=fields["id"], clean_sha256=fields.get("clean_sha256", ""), source=fields.get("source"),
                     retrieved=fields.get("retrieved_text"), exact=exact, similarity=similarity)


def _facets(results) -> dict[str, tuple[tuple[str, int], ...]]:  # noqa: ANN001
    """Counts of matching documents per site and per year, largest first."""
    out = {}
    for name in ("site", "year"):
        counts = results.groups(name)
        rows = [("(unknown)" if key in (None, "", b"") else str(key.decode() if isinstance(key, bytes) else key),
                 count) for key, count in counts.items()]
        if name == "year":  # an undated document's year column holds whoosh's missing-value default
            rows = [(k if k.isdigit() and 0 < int(k) < 10000 else "(unknown)", c) for k, c in rows]
            rows.sort(key=lambda r: r[0], reverse=True)
        else:
            rows.sort(key=lambda r: (-r[1], r[0]))
        out[name] = tuple(rows)
    return out


@attrs.frozen
class _Ranking:
    """Ranked documents, best first, from either ranker; how many match (``exact`` or estimated),
    the facet results, and where each hit's body terms occur when the ranker knows."""

    hits: tuple[tuple[int, float], ...]
    total: int
    exact: bool = True
    results: object = None  # whoosh Results (the whoosh ranker): facets and each hit's matched terms
    occurrences: Callable[[int], Occurrences | None] = lambda _docnum: None

    def matched(self, docnum: int) -> set[tuple[str, bytes]]:
        """The (field, term) pairs that matched a hit (whoosh ranker only)."""
        docterms = getattr(self.results, "docterms", None) or {}
        return set(docterms.get(docnum, ()))


class _Ranker:
    """Ranks one query: block-skipping BM25F (index/ranking.py) for relevance order without facets,
    whoosh's collectors otherwise (every match scored, so counts and facets are exact)."""

    def __init__(self, searcher, query: wq.Query, filt: wq.Query | None, request: SearchRequest,  # noqa: ANN001
                 terms: bool) -> None:
        self.searcher = searcher
        self.query = query
        self.filt = filt
        self.request = request
        self.terms = terms
        self.plan = None
        if request.sort is Sort.RELEVANCE and not request.facets:
            try:
                self.plan = ranking.compile_plan(query, searcher.schema)
            except ranking.Unsupported:
                self.plan = None
        self._allowed: frozenset[int] | None = None

    def top(self, limit: int) -> _Ranking:
        """The ``limit`` best documents and the count."""
        if self.plan is not None:
            try:
                return self._ranked(limit)
            except ranking.Unsupported:
                self.plan = None
        return self._collected(limit)

    def _ranked(self, limit: int) -> _Ranking:
        if self.filt is not None and self._allowed is None:
            self._allowed = frozenset(self.searcher.docs_for_query(self.filt))
        found = ranking.rank(self.searcher, self.plan, limit, self._allowed)
        decode = self.searcher.schema["body"].format.decoder("characters")

        def occurrences(docnum: int) -> Occurrences:
            return {text: decode(value) for text, value in found.values(docnum, "body").items()}

        return _Ranking(found.top, found.total, found.exact, occurrences=occurrences)

    def _collected(self, limit: int) -> _Ranking:
        collector = self.searcher.collector(**_collector_args(self.request, self.filt, limit, self.terms))
        _score_every_match(collector)
        self.searcher.search_with_collector(self.query, collector)
        results = collector.results()
        hits = tuple((results.docnum(i), results.score(i) or 0.0) for i in range(results.scored_length()))
        return _Ranking(hits, len(results), True, results)


def _collector_args(request: SearchRequest, filt: wq.Query | None, limit: int | None, terms: bool) -> dict:
    args: dict = {"limit": limit, "filter": filt, "terms": terms, "optimize": False}
    if request.sort is Sort.DATE:
        args["sortedby"] = "published_order"
        args["reverse"] = True
    if request.facets:
        args["groupedby"] = {"site": sorting.FieldFacet("site_key", maptype=sorting.Count),
                             "year": sorting.FieldFacet("year", maptype=sorting.Count)}
    return args


def _score_every_match(collector) -> None:  # noqa: ANN001
    """Turn off whoosh's matcher replacement in a collector chain: it skips documents that cannot
    reach the top N, which leaves them out of the count and the facets."""
    while collector is not None:
        if hasattr(collector, "replace"):
            collector.replace = 0
        collector = getattr(collector, "child", None)


_OPEN_RETRIES = 5


def search(index_path: Path, request: SearchRequest | str, *, limit: int | None = None) -> SearchResults:
    """Run a search: ranked (BM25F) or by date, one page of hits with highlighted passages.

    A writer's commit deletes the files of the generation before it; a search that was opening that
    generation at that moment opens the new one instead.
    """
    for attempt in range(_OPEN_RETRIES):
        try:
            return _search_once(index_path, request, limit=limit)
        except FileNotFoundError:
            if attempt == _OPEN_RETRIES - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _search_once(index_path: Path, request: SearchRequest | str, *, limit: int | None = None) -> SearchResults:
    """One attempt at :func:`search`."""
    if isinstance(request, str):
        request = SearchRequest(request, limit=limit or 10)
    reading = Reading(index_path)  # the segments stay open for the next search
    query = parse_query(reading.schema, request.query)
    filt = filter_query(request.filters)
    first = (request.page - 1) * request.limit
    wanted = first + request.limit
    with reading as searcher:
        expands = any(isinstance(leaf, _EXPANDING) for leaf in query.leaves())
        query = bound_expansions(query, searcher.reader())
        marks = _Highlighting(searcher, query, expands)
        ranker = _Ranker(searcher, query, filt, request, marks.expands)
        if not request.group:
            ranked = ranker.top(wanted)
            page = [(docnum, score, []) for docnum, score in ranked.hits[first:wanted]]
        else:
            ranked, page = _grouped_page(searcher, ranker, first, wanted)
        hits = []
        for docnum, score, members in page:
            fields = searcher.stored_fields(docnum)
            found = ranked.occurrences(docnum)
            matched = ranked.matched(docnum) if marks.expands and found is None else None
            snippets = marks.snippets(docnum, fields.get("title", ""), fields.get("body", ""),
                                      request.snippets, matched, found)
            duplicates = tuple(_duplicate(searcher, d, exact, sim) for d, exact, sim in members)
            hits.append(_hit(fields, score or 0.0, snippets, duplicates))
        return SearchResults(query=request.query, total=ranked.total, hits=tuple(hits), page=request.page,
                             limit=request.limit, total_exact=ranked.exact,
                             facets=_facets(ranked.results) if request.facets else {})


def _grouped_page(searcher, ranker: _Ranker, first: int, wanted: int):  # noqa: ANN001, ANN202
    """Scan ranked hits, folding duplicates, until the page's groups are known; then find each page
    group's other members anywhere in the results."""
    fetch = wanted * _SCAN_FACTOR + 10
    while True:
        ranked = ranker.top(fetch)
        grouper = _Grouper(searcher.reader())
        for docnum, score in ranked.hits:
            grouper.add(docnum, score)
            if len(grouper.groups) > wanted:
                break
        if len(grouper.groups) > wanted or len(ranked.hits) < fetch:  # fewer: every match seen
            break
        fetch *= 4
    page_groups = grouper.groups[first:wanted]
    if page_groups:
        _complete_groups(searcher, ranker.query, ranker.filt, page_groups, grouper)
    return ranked, [(g.docnum, g.score, sorted(g.members, key=lambda m: (not m[1], -m[2]))) for g in page_groups]


def _complete_groups(searcher, query, filt, groups: list[_Group], grouper: _Grouper) -> None:  # noqa: ANN001
    """Add to each group the matching documents beyond the scan that share its clean text.

    Candidates come straight from the postings of the group's digest (skipped by its frequency when the
    text is only once in the index); each is then checked against the query. Near-duplicates are folded
    within the scanned hits only: looking up every group's sixteen MinHash bands in every segment cost
    more than the search itself.
    """
    reader = searcher.reader()
    frequency = ranking.searcher_data(searcher).doc_frequency
    candidates: set[int] = set()
    for group in groups:
        btext = group.clean_sha256.encode("utf-8")
        if frequency("clean_sha256", btext) > 1:
            candidates.update(reader.postings("clean_sha256", btext).all_ids())
    candidates -= grouper.seen
    if not candidates:
        return
    wanted = wq.And([query, filt]) if filt is not None else query
    ordered = sorted(candidates)
    matcher = wanted.matcher(searcher)
    for docnum in ordered:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if not matcher.is_active() or matcher.id() != docnum:
            continue
        sha = grouper.sha_column[docnum]
        sha = sha.decode() if isinstance(sha, bytes) else sha
        signature = minhash.decode(grouper.sig_column[docnum])
        for group in groups:
            if sha == group.clean_sha256:
                group.members.append((docnum, True, 1.0))
                break
            sim = minhash.similarity(signature, group.signature)
            if sim >= minhash.NEAR_DUPLICATE:
                group.members.append((docnum, False, round(sim, 3)))
                break


def iter_hits(index_path: Path, text: str, filters: SearchFilters = SearchFilters(),
              snippets: int = 1) -> Iterator[Hit]:
    """Every matching document, in index order, one at a time (constant memory; no ranking, score 0)."""
    ix = open_index(index_path)
    query = parse_query(ix.schema, text)
    filt = filter_query(filters)
    with ix.searcher() as searcher:
        query = bound_expansions(query, searcher.reader())
        marks = _Highlighting(searcher, query)
        matcher_query = wq.And([query, filt]) if filt is not None else query
        for docnum in searcher.docs_for_query(matcher_query):
            fields = searcher.stored_fields(docnum)
            found = marks.snippets(docnum, fields.get("title", ""), fields.get("body", ""), snippets)
            yield _hit(fields, 0.0, found)


def highlight_document(index_path: Path, doc_id: str, text: str) -> tuple[tuple[int, int], ...]:
    """Every range of one document's clean text that the query marks (for ``docket show --highlight``)."""
    ix = open_index(index_path)
    query = parse_query(ix.schema, text)
    with ix.searcher() as searcher:
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return ()
        query = bound_expansions(query, searcher.reader())
        marks = _Highlighting(searcher, query)
        found = term_occurrences(marks.reader, docnum, "body", marks.body_terms)
        return tuple(match_spans(found, marks.body_plan))


_QUOTE_CLASSES = {'"': '["“”„«»]', "'": "['‘’‚]"}
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"})


def passage_pattern(passage: str) -> re.Pattern[str]:
    """A regex for ``passage`` that ignores how whitespace runs and quote marks are written."""
    words = passage.translate(_QUOTES).split()
    parts = ["".join(_QUOTE_CLASSES.get(ch, re.escape(ch)) for ch in word) for word in words]
    return re.compile(r"\s+".join(parts))


def find_passages(index_path: Path, passage: str) -> Iterator[Passage]:
    """Every occurrence of an exact passage in any document's clean text, in index order.

    The index's phrase query finds candidate documents; each is confirmed in the clean text itself,
    where case and punctuation count but whitespace and quote style do not.
    """
    words = [t.text for t in text_analyzer()(passage.translate(_QUOTES), mode="query")]
    if not words:
        raise QuerySyntaxError(passage, "the passage has no words to look for")
    pattern = passage_pattern(passage)
    ix = open_index(index_path)
    query = wq.Phrase("body", words) if len(words) > 1 else wq.Term("body", words[0])
    with ix.searcher() as searcher:
        for docnum in searcher.docs_for_query(query):
            fields = searcher.stored_fields(docnum)
            body = fields.get("body", "")
            for match in pattern.finditer(body):
                yield Passage(id=fields["id"], title=fields.get("title", ""),
                              clean_sha256=fields.get("clean_sha256", ""), start=match.start(), end=match.end(),
                              text=match.group(0), source=fields.get("source"),
                              retrieved=fields.get("retrieved_text"))
