"""Searching: parse a whoosh query, run it, and turn hits into docket's own values with snippets."""

from __future__ import annotations

from pathlib import Path

from whoosh import qparser
from whoosh import query as wq
from whoosh.searching import Searcher

from index.errors import QuerySyntaxError
from index.schema import text_analyzer
from index.snippets import lead_snippet, make_highlighter, title_snippet
from index.values import Hit, SearchResults, Snippet
from index.writer import open_index

DEFAULT_FIELDS = ("title", "body")
FIELD_ALIASES = {"tags": "tag"}


def make_parser(schema) -> qparser.QueryParser:  # noqa: ANN001 - whoosh schema
    """Whoosh syntax over title and body: AND by default, phrases, field:term, prefix*, fuzzy~."""
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(qparser.PrefixPlugin())
    return parser


def check_syntax(text: str) -> None:
    """Reject what whoosh would silently misread: an empty query, unbalanced quotes or brackets."""
    if not text.strip():
        raise QuerySyntaxError(text, "the query is empty; give one or more words, e.g. 'Kochetkov evacuation'")
    if text.count('"') % 2:
        raise QuerySyntaxError(text, 'a phrase is not closed: put a " at its end')
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QuerySyntaxError(text, "a ')' has no '(' before it")
    if depth:
        raise QuerySyntaxError(text, "a '(' is not closed: add ')'")


def parse_query(schema, text: str) -> wq.Query:  # noqa: ANN001
    """The whoosh query for ``text``; a query with nothing searchable raises QuerySyntaxError."""
    check_syntax(text)
    try:
        parsed = make_parser(schema).parse(text)
    except Exception as exc:  # whoosh raises assorted exceptions on odd input
        raise QuerySyntaxError(text, str(exc) or type(exc).__name__) from None
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        raise QuerySyntaxError(text, "nothing searchable in it (only operators or punctuation)")
    return parsed


def _title_matches(searcher: Searcher, title: str, query: wq.Query) -> list[tuple[int, int]]:
    """Character ranges of the title's words that the query's title terms match."""
    words = {text for field, text in query.iter_all_terms() if field == "title"}
    words = {w.decode("utf-8") if isinstance(w, bytes) else w for w in words}
    if not words:
        return []
    tokens = text_analyzer()(title, chars=True, mode="index")
    return [(t.startchar, t.endchar) for t in tokens if t.text in words]


def search(index_path: Path, text: str, *, limit: int = 10, snippets: int = 3) -> SearchResults:
    """Run a query; hits come ranked (BM25F) with up to ``snippets`` highlighted passages each."""
    ix = open_index(index_path)
    query = parse_query(ix.schema, text)
    highlighter = make_highlighter()
    with ix.searcher() as searcher:
        results = searcher.search(query, limit=limit, terms=True)
        results.highlighter = highlighter
        hits = []
        for hit in results:
            fields = hit.fields()
            body = fields.get("body", "")
            found: list[Snippet] = list(hit.highlights("body", top=snippets)) if body else []
            if not found:
                title = fields.get("title", "")
                found = [title_snippet(title, _title_matches(searcher, title, query), body)] if title else [
                    lead_snippet(body)]
            hits.append(Hit(
                id=fields["id"], title=fields.get("title", ""), score=round(float(hit.score), 4),
                published=fields.get("published_text"), source=fields.get("source"),
                site=fields.get("site"), author=fields.get("author"),
                raw_sha256=fields.get("raw_sha256", ""), clean_sha256=fields.get("clean_sha256", ""),
                snippets=tuple(found),
            ))
        return SearchResults(query=text, total=len(results), hits=tuple(hits))
