"""Helpers for the provenance tests: the CLI in-process on a real store, and small HTML pages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from corpus.cli import main

PARAGRAPHS = (
    "The Russian LGBT Network said on Monday that it had helped more than forty people leave Chechnya "
    "since the start of April, and that more requests for help were arriving every day.",
    "Igor Kochetkov, the network's chairman, said the group was working with embassies to secure visas "
    "for those who had fled, and asked for donations to cover housing and travel.",
)


def cli(store: Path, *args: str, input: bytes | str | None = None) -> Result:
    """Run `docket --store STORE ARGS...` in this process; stdout and stderr kept apart."""
    return CliRunner().invoke(main, ["--store", str(store), *args], input=input, env={"NO_COLOR": "1"})


def cli_json(store: Path, *args: str) -> dict:
    """Run a --json command that must succeed and parse its output."""
    result = cli(store, *args, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def page(title: str = "Evacuation continues", *, canonical: str | None = None, og_url: str | None = None,
         extra: str = "") -> str:
    """A small news page: navigation, the article, a footer; the URL tags only when given."""
    head = f"<title>{title} | Example News</title>"
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    if og_url:
        head += f'<meta property="og:url" content="{og_url}">'
    body = "".join(f"<p>{p}</p>" for p in (*PARAGRAPHS, extra) if p)
    return (f"<html><head>{head}</head><body><nav>Home &gt; World</nav><article><h1>{title}</h1>{body}"
            "</article><footer>Copyright 2017 Example News</footer></body></html>")


def write_page(folder: Path, name: str, html: str) -> Path:
    """Write a page to ``folder/name`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(html, encoding="utf-8")
    return path


def doc_id_of(result: Result) -> str:
    """The short id printed on an `added` line of ingest."""
    for line in result.stdout.splitlines():
        if line.startswith("added"):
            return line.split()[1]
    raise AssertionError(f"nothing added: {result.output}")
