"""Queries: what people type or paste, turned into a whoosh query, and what to highlight for it.

Syntax is whoosh's: AND OR NOT, "phrases", "proximity"~5, prefix*, fuzzy~ (fuzzy~2), field:term for
title, body, author, site, tag and id (an id matches by prefix). Plain words must all match.
Pasted text is made safe first: curly and guillemet quotes become straight ones, and URLs and e-mail
addresses become phrases of their words instead of field names.
"""

from __future__ import annotations

import re

import attrs
from whoosh import qparser
from whoosh import query as wq

from index.errors import QuerySyntaxError

DEFAULT_FIELDS = ("title", "body")
QUERY_FIELDS = ("title", "body", "author", "site", "tag", "id")
_DOUBLE_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
                                "‘": "'", "’": "'", "‚": "'", "′": "'"})
_LINK = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s\"()]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def normalise_query(text: str) -> str:
    """Straight quotes, and URLs / e-mail addresses outside phrases quoted as phrases."""
    text = text.translate(_DOUBLE_QUOTES)
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # outside quotes
        parts[i] = _LINK.sub(lambda m: '"' + m.group(0).rstrip(".,;:!?") + '"' + m.group(0)[
            len(m.group(0).rstrip(".,;:!?")):], parts[i])
    return '"'.join(parts)


def check_syntax(original: str) -> None:
    """Reject what whoosh would silently misread: an empty query, unbalanced quotes or brackets."""
    text = original.translate(_DOUBLE_QUOTES)
    if not text.strip():
        raise QuerySyntaxError(original, "the query is empty; give one or more words, e.g. 'Kochetkov evacuation'")
    if text.count('"') % 2:
        raise QuerySyntaxError(original, 'a phrase is not closed: put a " at its end')
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QuerySyntaxError(original, "a ')' has no '(' before it")
    if depth:
        raise QuerySyntaxError(original, "a '(' is not closed: add ')'")


def make_parser(schema) -> qparser.QueryParser:  # noqa: ANN001 - whoosh schema
    """Whoosh syntax over title and body: AND by default, phrases, field:term, prefix*, fuzzy~."""
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.SingleQuotePlugin)  # apostrophes are not quotes
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.add_plugin(qparser.PrefixPlugin())
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin({"tag": ["tags"]}))
    return parser


def _id_prefix(node: wq.Query) -> wq.Query:
    """``id:7a12f3`` matches the document whose id starts with it."""
    if isinstance(node, wq.Term) and node.fieldname == "id":
        return wq.Prefix("id", str(node.text).lower())
    return node


def parse_query(schema, text: str) -> wq.Query:  # noqa: ANN001
    """The whoosh query for ``text``; a query with nothing searchable raises QuerySyntaxError."""
    check_syntax(text)
    normal = normalise_query(text)
    try:
        parsed = make_parser(schema).parse(normal).accept(_id_prefix).normalize()
    except Exception as exc:  # noqa: BLE001 - whoosh raises assorted exceptions on odd input
        raise QuerySyntaxError(text, str(exc) or type(exc).__name__) from None
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)) or not list(parsed.leaves()):
        raise QuerySyntaxError(text, "nothing searchable in it (only operators or punctuation)")
    if _only_negative(parsed):
        raise QuerySyntaxError(text, "it only says what must not match; add a word that must, "
                                     "e.g. 'Chechnya NOT Kadyrov'")
    return parsed


def _only_negative(node: wq.Query) -> bool:
    """True when nothing in the query can match on its own (e.g. ``NOT x``)."""
    if isinstance(node, wq.Not):
        return True
    if isinstance(node, wq.And):
        return all(_only_negative(n) for n in node.children())
    if isinstance(node, wq.Or):
        return any(_only_negative(n) for n in node.children())
    if isinstance(node, wq.AndNot):
        return _only_negative(node.a)
    return False


@attrs.frozen
class PhrasePlan:
    """A phrase to highlight: its words (index terms) and how far apart they may be."""

    words: tuple[str, ...]
    slop: int


@attrs.frozen
class HighlightPlan:
    """What to mark in one field: the phrases, and the words that only count inside a phrase."""

    phrases: tuple[PhrasePlan, ...]
    phrase_only: frozenset[str]


def highlight_plan(query: wq.Query, fieldname: str) -> HighlightPlan:
    """The phrases of ``query`` in ``fieldname`` and the words that appear only inside them."""
    phrases: list[PhrasePlan] = []
    loose: set[str] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Phrase):
            if node.fieldname == fieldname:
                phrases.append(PhrasePlan(tuple(str(w) for w in node.words), max(1, node.slop)))
            return
        if node.is_leaf():
            if getattr(node, "fieldname", None) == fieldname and getattr(node, "text", None) is not None:
                loose.add(str(node.text))
            return
        for child in node.children():
            walk(child)

    walk(query)
    in_phrases = {w for p in phrases for w in p.words}
    return HighlightPlan(tuple(phrases), frozenset(in_phrases - loose))
