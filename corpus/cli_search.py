"""CLI commands for finding and citing: `search` and `quote`, and the `show --highlight/--range` views.

Registered onto :data:`corpus.cli.main` when ``corpus.cli`` is imported.
"""

from __future__ import annotations

import json
import sys

import click

from corpus.cli import main, pass_collection, run_guarded
from corpus.collection import Collection
from corpus.render import use_colour
from corpus.search_output import (
    STREAMING,
    DateParam,
    OutputFormat,
    html_text,
    mark,
    passage_citation,
    results_json,
    stream_lines,
    terminal_text,
)
from index.values import SearchFilters, SearchRequest, Sort

DATE = DateParam()


@main.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 10000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Which page of hits.")
@click.option("--sort", type=click.Choice([s.value for s in Sort]), default="relevance", show_default=True,
              help="relevance, or date (newest publication first).")
@click.option("--since", type=DATE, help="Published on or after (2017, 2017-06, 2017-06-26).")
@click.option("--until", type=DATE, help="Published on or before (the whole year/month/day given).")
@click.option("--captured-since", type=DATE, help="Captured on or after.")
@click.option("--captured-until", type=DATE, help="Captured on or before.")
@click.option("--site", help="Only documents from this site (its words, in order).")
@click.option("--author", help="Only documents by this author (their words, in order).")
@click.option("--tag", "tags", multiple=True, help="Only documents with this tag (repeat: all of them).")
@click.option("--facets", is_flag=True, help="Count matching documents per site and per year.")
@click.option("--no-group", "no_group", is_flag=True, help="Show identical and near-identical texts separately.")
@click.option("--snippets", type=click.IntRange(0, 20), default=3, show_default=True, help="Passages per hit.")
@click.option("--all", "export_all", is_flag=True,
              help="Stream every matching document (with --format jsonl or csv), in index order.")
@click.option("--format", "fmt", type=click.Choice([f.value for f in OutputFormat]), default="terminal",
              show_default=True, help="terminal, plain, html, json, jsonl or csv.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@pass_collection
def search(collection: Collection, query: str, limit: int, page: int, sort: str, since, until,  # noqa: ANN001
           captured_since, captured_until, site: str | None, author: str | None, tags: tuple[str, ...],
           facets: bool, no_group: bool, snippets: int, export_all: bool, fmt: str, as_json: bool) -> None:
    """Search the collection; each hit comes with passages and a citation.

    Whoosh syntax: AND OR NOT, "phrases", "near words"~5, prefix*, fuzzy~, and field:term for title,
    body, author, site, tag and id. Plain words must all match. A date filter keeps documents whose
    date, at its precision, overlaps the range: published "2017-06" matches --since 2017-06-15.

    \b
    Example:
      docket search 'Kochetkov evacuation'
      docket search '"Novaya Gazeta" AND title:Chechnya' --since 2017-04 --json
      docket search 'evacu*' --all --format csv > hits.csv
    """
    from index import search as index_search

    output = OutputFormat.JSON if as_json else OutputFormat(fmt)
    filters = SearchFilters(since=since, until=until, captured_since=captured_since, captured_until=captured_until,
                            site=site, author=author, tags=tags)
    if export_all:
        if output not in STREAMING:
            raise click.UsageError("--all streams every hit: use it with --format jsonl or --format csv")

        def stream() -> None:
            hits = index_search.iter_hits(collection.index_path, query, filters, snippets=max(1, snippets))
            for line in stream_lines(hits, output):
                click.echo(line)

        run_guarded(stream)
        return
    request = SearchRequest(query, filters=filters, sort=Sort(sort), limit=limit, page=page, snippets=snippets,
                            group=not no_group, facets=facets)
    results = run_guarded(lambda: index_search.search(collection.index_path, request))
    if output is OutputFormat.JSON:
        click.echo(results_json(results))
    elif output in STREAMING:
        for line in stream_lines(results.hits, output):
            click.echo(line)
    elif output is OutputFormat.HTML:
        click.echo("\n".join(html_text(results)))
    else:
        colour = output is OutputFormat.TERMINAL and use_colour(sys.stdout)
        for line in terminal_text(results, colour):
            click.echo(line)


@main.command()
@click.argument("passage")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per occurrence.")
@pass_collection
def quote(collection: Collection, passage: str, as_json: bool) -> None:
    """Find every document containing these exact words, and print citations for them.

    Whitespace and quote style (“ ” vs ") do not matter; case and everything else do.
    Exit 1 when no document contains the passage.

    \b
    Example:
      docket quote 'we started receiving requests'
      docket show 7a12f3ddf99f --range 371:400
    """
    from index.search import find_passages

    found = 0

    def run() -> None:
        nonlocal found
        for passage_found in find_passages(collection.index_path, passage):
            found += 1
            cite = passage_citation(passage_found)
            if as_json:
                click.echo(json.dumps(cite, ensure_ascii=False))
            else:
                click.echo(f"{passage_found.id[:12]}  [{passage_found.start}:{passage_found.end}]  {passage_found.title}")
                click.echo(f"    {cite['citation']}")
                click.echo(f"    docket show {passage_found.id[:12]} --range {passage_found.start}:{passage_found.end}")

    run_guarded(run)
    if not found:
        click.echo(f"no document contains {passage!r}", err=True)
        sys.exit(1)


def show_range(content: str, span: tuple[int, int]) -> None:
    """``docket show ID --range START:END``: exactly that passage of the clean text, then a newline."""
    start, end = span
    if end > len(content):
        raise click.BadParameter(f"{start}:{end} goes past the end of the clean text ({len(content)} characters)",
                                 param_hint="--range")
    click.echo(content[start:end])


def show_highlighted(collection: Collection, doc_id: str, content: str, query: str) -> str:
    """The whole clean text with every match of ``query`` marked (colour on a terminal, **marks** otherwise)."""
    from index.search import highlight_document

    spans = run_guarded(lambda: highlight_document(collection.index_path, doc_id, query))
    return mark(content, spans, "colour" if use_colour(sys.stdout) else "plain")


def highlight_spans(collection: Collection, doc_id: str, query: str) -> list[list[int]]:
    """The ranges of the clean text that ``query`` marks, for ``show --json --highlight``."""
    from index.search import highlight_document

    return [list(s) for s in run_guarded(lambda: highlight_document(collection.index_path, doc_id, query))]
