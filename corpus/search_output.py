"""Search results for people and programs: terminal, plain, HTML, JSON, JSON lines and CSV, and the
citation each hit carries (document digest, character range of the passage, source, capture date)."""

from __future__ import annotations

import csv
import enum
import html
import io
import json
from collections.abc import Iterable, Iterator

import click

from index.dates import DateInterval
from index.values import Hit, Passage, SearchResults, Snippet


class OutputFormat(enum.Enum):
    """How ``docket search`` writes its hits."""

    TERMINAL = "terminal"  # colour on a terminal, **marks** otherwise
    PLAIN = "plain"  # **marks**, never colour
    HTML = "html"  # an escaped HTML fragment with <mark> around matches
    JSON = "json"  # one object: {"query", "total", "hits": [...]} (DESIGN.md)
    JSONL = "jsonl"  # one hit a line
    CSV = "csv"  # one hit a row, its best passage and citation range


STREAMING = (OutputFormat.JSONL, OutputFormat.CSV)
CSV_COLUMNS = ("id", "title", "published", "site", "author", "source", "captured", "raw_sha256", "clean_sha256",
               "passage", "start", "end", "citation")


def cited_snippet(hit: Hit) -> Snippet | None:
    """The passage a citation quotes: the hit's first snippet taken from the clean text."""
    return next((s for s in hit.snippets if s.start is not None), None)


def citation_text(title: str, clean_sha256: str, start: int | None, end: int | None, source: str | None,
                  captured: str | None) -> str:
    """A citation a reader can paste: title, source, capture date, clean-text digest and character range."""
    where = f", characters {start}–{end}" if start is not None else ""
    return (f"“{title}”, {source or 'source URL unknown'}, captured {captured or 'date unknown'}; "
            f"clean text sha256:{clean_sha256}{where}")


def citation_dict(hit: Hit) -> dict:
    """The citation of a hit as JSON data (the ``citation`` key beside DESIGN.md's hit fields)."""
    snippet = cited_snippet(hit)
    start, end = (snippet.start, snippet.end) if snippet else (None, None)
    return {
        "id": hit.id, "clean_sha256": hit.clean_sha256, "start": start, "end": end, "source": hit.source,
        "captured": hit.retrieved,
        "snippet_ranges": [[s.start, s.end] if s.start is not None else None for s in hit.snippets],
        "text": citation_text(hit.title, hit.clean_sha256, start, end, hit.source, hit.retrieved),
    }


def passage_citation(passage: Passage) -> dict:
    """The citation of an exact passage found by ``docket quote``."""
    return {
        "id": passage.id, "title": passage.title, "clean_sha256": passage.clean_sha256, "start": passage.start,
        "end": passage.end, "text": passage.text, "source": passage.source, "captured": passage.retrieved,
        "citation": citation_text(passage.title, passage.clean_sha256, passage.start, passage.end, passage.source,
                                  passage.retrieved),
    }


def hit_dict(hit: Hit) -> dict:
    """A hit in the JSON shape of DESIGN.md, plus ``citation`` and (when folded) ``duplicates``."""
    data = {
        "id": hit.id, "title": hit.title, "score": hit.score, "published": hit.published, "source": hit.source,
        "raw_sha256": hit.raw_sha256, "clean_sha256": hit.clean_sha256,
        "snippets": [{"text": s.text, "highlights": [list(h) for h in s.highlights]} for s in hit.snippets],
        "citation": citation_dict(hit),
    }
    if hit.duplicates:
        data["duplicates"] = [{"id": d.id, "clean_sha256": d.clean_sha256, "source": d.source,
                               "captured": d.retrieved, "exact": d.exact, "similarity": d.similarity}
                              for d in hit.duplicates]
    return data


def results_json(results: SearchResults) -> str:
    """The whole page as one JSON object; ``"total_exact": false`` follows an estimated total."""
    data: dict = {"query": results.query, "total": results.total}
    if not results.total_exact:
        data["total_exact"] = False
    data["hits"] = [hit_dict(h) for h in results.hits]
    if results.facets:
        data["facets"] = {name: [[key, count] for key, count in rows] for name, rows in results.facets.items()}
    return json.dumps(data, ensure_ascii=False)


def mark(text: str, highlights: Iterable[tuple[int, int]], style: str) -> str:
    """``text`` with its highlight ranges marked: "colour", "plain" (**word**) or "html" (escaped, <mark>)."""
    out, cursor = [], 0
    escape = html.escape if style == "html" else (lambda s: s)
    for start, end in highlights:
        out.append(escape(text[cursor:start]))
        word = escape(text[start:end])
        if style == "colour":
            out.append(click.style(word, fg="yellow", bold=True))
        elif style == "html":
            out.append(f"<mark>{word}</mark>")
        else:
            out.append(f"**{word}**")
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)


def _duplicates_line(hit: Hit) -> str | None:
    if not hit.duplicates:
        return None
    parts = [f"{d.id[:12]} ({'same text' if d.exact else f'near-duplicate, {d.similarity:.0%} similar'})"
             for d in hit.duplicates]
    return "also captured as " + ", ".join(parts)


def hit_lines(rank: int, hit: Hit, colour: bool) -> list[str]:
    """A hit for the terminal: rank, title, facts, passages, citation, duplicates."""
    style = "colour" if colour else "plain"
    title = click.style(hit.title, bold=True) if colour else hit.title
    facts = " · ".join(x for x in (hit.published or "date unknown", hit.site or hit.source or "", hit.id[:12]) if x)
    lines = [f"{rank}. {title}", f"   {facts}"]
    lines += [f"   {mark(s.text, s.highlights, style)}" for s in hit.snippets]
    snippet = cited_snippet(hit)
    where = f" [{snippet.start}:{snippet.end}]" if snippet else ""
    captured = f" · captured {hit.retrieved}" if hit.retrieved else ""
    lines.append(f"   cite: sha256:{hit.clean_sha256[:16]}…{where} · {hit.source or 'source URL unknown'}{captured}")
    dup = _duplicates_line(hit)
    if dup:
        lines.append(f"   {dup}")
    return lines


def rounded(count: int) -> int:
    """An estimated count to two significant digits (7,224 -> 7,200): no more precise than it is."""
    if count < 100:
        return count
    unit = 10 ** (len(str(count)) - 2)
    return (count + unit // 2) // unit * unit


def count_number(results: SearchResults) -> str:
    """The total as shown to people: "2", or "about 7,200" when it is an estimate."""
    return str(results.total) if results.total_exact else f"about {rounded(results.total):,}"


def count_phrase(results: SearchResults) -> str:
    """"2 documents", "1 document", or "about 7,200 documents" when the total is an estimate."""
    one = results.total == 1 and results.total_exact
    return f"{count_number(results)} {'document' if one else 'documents'}"


def terminal_text(results: SearchResults, colour: bool) -> Iterator[str]:
    """The page for people: a count line, facets if asked for, then each hit."""
    first = (results.page - 1) * results.limit + 1
    shown = f" (page {results.page}: hits {first}–{first + len(results.hits) - 1})" if results.hits else ""
    verb = "matches" if results.total == 1 and results.total_exact else "match"
    yield f"{count_phrase(results)} {verb} {results.query!r}{shown}"
    for name, rows in results.facets.items():
        yield f"  by {name}: " + ", ".join(f"{key} {count}" for key, count in rows)
    for rank, hit in enumerate(results.hits, start=first):
        yield ""
        yield from hit_lines(rank, hit, colour)


def html_text(results: SearchResults) -> Iterator[str]:
    """The page as an HTML fragment; every text is escaped, so no document markup reaches it."""
    e = html.escape
    yield (f'<section class="docket-results" data-query="{e(results.query)}">'
           f"<p>{count_number(results)} matching documents for <q>{e(results.query)}</q></p>")
    first = (results.page - 1) * results.limit + 1
    yield f'<ol start="{first}">'
    for hit in results.hits:
        facts = " · ".join(e(x) for x in (hit.published or "date unknown", hit.site or "", hit.id[:12]) if x)
        source = f'<a href="{e(hit.source)}">{e(hit.source)}</a>' if hit.source else "source URL unknown"
        yield f'<li><h3>{e(hit.title)}</h3><p class="facts">{facts} · {source}</p>'
        for s in hit.snippets:
            yield f'<p class="snippet">{mark(s.text, s.highlights, "html")}</p>'
        yield f'<p class="citation">{e(citation_dict(hit)["text"])}</p>'
        dup = _duplicates_line(hit)
        if dup:
            yield f'<p class="duplicates">{e(dup)}</p>'
        yield "</li>"
    yield "</ol></section>"


def csv_row(hit: Hit) -> list:
    """One hit as a CSV row (its best passage, plain, and that passage's clean-text range)."""
    snippet = cited_snippet(hit) or (hit.snippets[0] if hit.snippets else None)
    return [hit.id, hit.title, hit.published or "", hit.site or "", hit.author or "", hit.source or "",
            hit.retrieved or "", hit.raw_sha256, hit.clean_sha256, snippet.text if snippet else "",
            "" if snippet is None or snippet.start is None else snippet.start,
            "" if snippet is None or snippet.end is None else snippet.end, citation_dict(hit)["text"]]


def stream_lines(hits: Iterable[Hit], fmt: OutputFormat) -> Iterator[str]:
    """Hits one line (or CSV row) at a time, header first for CSV: nothing is held in memory."""
    if fmt is OutputFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        yield _drain(buffer)
        for hit in hits:
            writer.writerow(csv_row(hit))
            yield _drain(buffer)
        return
    for hit in hits:
        yield json.dumps(hit_dict(hit), ensure_ascii=False)


def _drain(buffer: io.StringIO) -> str:
    """What a StringIO holds (without the final newline), emptying it."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text[:-1] if text.endswith("\n") else text


class DateParam(click.ParamType):
    """An ISO 8601 date at any precision: 2017, 2017-06, 2017-06-26 or a full timestamp."""

    name = "DATE"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click API
        if isinstance(value, DateInterval):
            return value
        try:
            return DateInterval.parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class RangeParam(click.ParamType):
    """A character range START:END of a clean text."""

    name = "START:END"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click API
        start, sep, end = str(value).partition(":")
        if not sep or not start.strip().isdigit() or not end.strip().isdigit() or int(start) > int(end):
            self.fail(f"{value!r} is not a character range: write START:END, e.g. 120:245", param, ctx)
        return int(start), int(end)
