"""Rendering for people: highlighted snippets, records, verify reports, ledger lines."""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click

from index.values import Hit, Snippet

PLAIN_MARKERS = ("**", "**")


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def mark(snippet: Snippet, colour: bool) -> str:
    """A snippet with its highlights in bold yellow on a terminal, between ** markers otherwise."""
    out, cursor = [], 0
    for start, end in snippet.highlights:
        out.append(snippet.text[cursor:start])
        word = snippet.text[start:end]
        out.append(click.style(word, fg="yellow", bold=True) if colour else f"{PLAIN_MARKERS[0]}{word}{PLAIN_MARKERS[1]}")
        cursor = end
    out.append(snippet.text[cursor:])
    return "".join(out)


def hit_lines(rank: int, hit: Hit, colour: bool) -> list[str]:
    """A search hit for the terminal: rank, title, date, source, short id, then its snippets."""
    title = click.style(hit.title, bold=True) if colour else hit.title
    facts = " · ".join(x for x in (hit.published or "date unknown", hit.site or hit.source or "", hit.id[:12]) if x)
    lines = [f"{rank}. {title}", f"   {facts}"]
    lines += [f"   {mark(s, colour)}" for s in hit.snippets]
    return lines


def out() -> TextIO:
    """Standard output."""
    return sys.stdout
