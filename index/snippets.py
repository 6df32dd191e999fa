"""Snippets: whoosh fragments turned into plain-text passages with exact highlight offsets."""

from __future__ import annotations

import re

from whoosh import highlight

from index.values import Snippet

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w")
LEAD_CHARS = 200


def _squash(text: str) -> str:
    """Collapse whitespace runs (paragraph breaks included) to one space."""
    return _SPACE.sub(" ", text)


def build_snippet(text: str, start: int, end: int, matches: list[tuple[int, int]]) -> Snippet:
    """The passage ``text[start:end]`` on one line, with ``matches`` (absolute ranges) re-based into it."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    cursor = start
    length = 0
    for m_start, m_end in sorted(matches):
        if m_start < cursor or m_end > end:
            continue
        gap = _squash(text[cursor:m_start])
        pieces.append(gap)
        length += len(gap)
        word = _squash(text[m_start:m_end])
        pieces.append(word)
        spans.append((length, length + len(word)))
        length += len(word)
        cursor = m_end
    pieces.append(_squash(text[cursor:end]))
    joined = "".join(pieces)
    stripped = joined.lstrip()
    shift = len(joined) - len(stripped)
    stripped = stripped.rstrip()
    spans = [(a - shift, b - shift) for a, b in spans if b - shift <= len(stripped)]
    prefix = "…" if _WORD.search(text[:start]) else ""
    suffix = "…" if _WORD.search(text[end:]) else ""
    spans = [(a + len(prefix), b + len(prefix)) for a, b in spans]
    return Snippet(text=prefix + stripped + suffix, highlights=tuple(spans))


class SnippetFormatter(highlight.Formatter):
    """A whoosh formatter whose output is a list of :class:`Snippet` values instead of markup."""

    between = ""

    def format_fragment(self, fragment, replace=False):  # noqa: ANN001, ANN201, ARG002 - whoosh API
        """One fragment as a Snippet."""
        matches = [(t.startchar, t.endchar) for t in fragment.matches]
        return build_snippet(fragment.text, fragment.startchar, fragment.endchar, matches)

    def format(self, fragments, replace=False):  # noqa: ANN001, ANN201, ARG002 - whoosh API
        """All fragments, in document order."""
        return [self.format_fragment(f) for f in sorted(fragments, key=lambda f: f.startchar)]


def lead_snippet(body: str) -> Snippet:
    """The opening of the body, cut at a word boundary: the passage shown when only the title matched."""
    cut = body[: LEAD_CHARS + 40]
    if len(body) > LEAD_CHARS:
        space = cut.rfind(" ", 0, LEAD_CHARS + 40)
        cut = cut[: space if space > LEAD_CHARS // 2 else LEAD_CHARS]
    return build_snippet(body, 0, len(cut), [])


def title_snippet(title: str, matches: list[tuple[int, int]], body: str) -> Snippet:
    """For a title-only match: the title with its matches highlighted, then the body's lead."""
    head = build_snippet(title, 0, len(title), matches)
    lead = lead_snippet(body)
    separator = " — " if lead.text else ""
    return Snippet(text=head.text + separator + lead.text, highlights=head.highlights)


def make_highlighter(max_chars: int = 220, surround: int = 80) -> highlight.Highlighter:
    """The highlighter docket uses: context fragments around matches, formatted as Snippets."""
    return highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=max_chars, surround=surround, charlimit=None),
        formatter=SnippetFormatter(),
    )
