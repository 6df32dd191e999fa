"""Clean an HTML page: split it into paragraph-level blocks and keep the article's, each removal named.

The pass is pure (no disk, no network) and deterministic.  trafilatura, in its fast mode, votes on
which text is the article; docket then finds the article's region of the tree and decides block by
block, recovering what the extractor dropped inside the article (lists, tables, headings) and removing
what it let through (reader comments, share prompts, teasers, newsletter boxes, bylines).
"""

from __future__ import annotations

import re

import attrs
import lxml.etree
import lxml.html

from corpus.cleaned import Block, CleanResult
from corpus.html_metadata import extract_metadata
from corpus.rules import html_rules as rules

TOKEN = re.compile(r"\w+")
WHITESPACE = re.compile(r"\s+")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
#: Container tags dropped when a page nests deeper than the parser allows, so its text survives.
CONTAINER_TAG = re.compile(r"</?(?:div|span|section|article|main|font|center|b|i|em|strong|a)\b[^>]*>", re.IGNORECASE)


class HtmlCleaningError(ValueError):
    """The input could not be read as HTML at all."""


@attrs.define(slots=True)
class PageBlock:
    """One paragraph-level run of visible text and the element that holds it (internal to cleaning)."""

    element: lxml.html.HtmlElement
    text: str
    link_chars: int
    tokens: list[str] = attrs.field(factory=list)
    rule: str | None = None
    voted: bool = False


# --- parsing ------------------------------------------------------------------------------------------


def _parser() -> lxml.html.HTMLParser:
    """An lxml HTML parser that drops comments and processing instructions and allows deep trees."""
    return lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True, collect_ids=False)


def parse_document(html: str) -> lxml.html.HtmlElement | None:
    """Parse ``html`` into a tree, or None when there is no markup at all.

    A page nested deeper than the parser allows loses its innermost text; it is parsed again with
    the container tags dropped, so that text is not lost.
    """
    if not html or not html.strip():
        return None
    parser = _parser()
    # lxml refuses str input that declares an encoding; the text is already decoded.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        flattened = CONTAINER_TAG.sub("\n", text)
        try:
            root = lxml.html.document_fromstring(flattened, parser=_parser())
        except (lxml.etree.ParserError, ValueError):
            return None
    return root


def is_hidden(element: lxml.html.HtmlElement) -> bool:
    """True when the element says it is not shown (``hidden``, ``aria-hidden``, ``display:none``)."""
    attrib = element.attrib
    if "hidden" in attrib:
        return True
    style = attrib.get("style")
    return bool(style and HIDDEN_STYLE.search(style.lower()))


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return WHITESPACE.sub(" ", text).strip()


# --- segmentation -------------------------------------------------------------------------------------


class _Segmenter:
    """Walks a tree once, without recursion, cutting its visible text into paragraph-level blocks."""

    def __init__(self) -> None:
        self.blocks: list[PageBlock] = []
        self.open: list[tuple[lxml.html.HtmlElement, list[str], list[int]]] = []
        self.link_depth = 0
        self.hidden_depth = 0
        self.hidden_elements: set[int] = set()

    def add_text(self, text: str | None) -> None:
        """Append text to the innermost open block."""
        if text and self.open:
            _, pieces, link_chars = self.open[-1]
            pieces.append(text)
            if self.link_depth:
                link_chars[0] += len(text.strip())

    def flush(self) -> None:
        """Close the text gathered so far in the innermost open block as one block."""
        element, pieces, link_chars = self.open[-1]
        if pieces:
            text = normalise_space("".join(pieces))
            if text:
                block = PageBlock(element, text, min(link_chars[0], len(text)))
                block.rule = rules.HIDDEN if self.hidden_depth else None
                self.blocks.append(block)
            pieces.clear()
            link_chars[0] = 0

    def run(self, root: lxml.html.HtmlElement) -> list[PageBlock]:
        """Return the blocks of ``root`` in document order."""
        self.open.append((root, [], [0]))
        walker = lxml.etree.iterwalk(root, events=("start", "end"))
        skipped: set[int] = set()
        opened: set[int] = set()
        for event, element in walker:
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                if not tag or tag in rules.INVISIBLE_TAGS:
                    walker.skip_subtree()
                    skipped.add(id(element))
                    continue
                hidden = is_hidden(element)
                if hidden or tag in rules.BLOCK_TAGS:
                    self.flush()
                    self.open.append((element, [], [0]))
                    opened.add(id(element))
                    self.hidden_depth += hidden
                    if hidden:
                        self.hidden_elements.add(id(element))
                elif tag == "br":
                    self.add_text("\n")
                elif tag == "a":
                    self.link_depth += 1
                self.add_text(element.text)
                continue
            if id(element) in skipped:
                skipped.discard(id(element))
            elif id(element) in opened:
                opened.discard(id(element))
                self.flush()
                self.open.pop()
                if id(element) in self.hidden_elements:
                    self.hidden_depth -= 1
            elif tag == "a":
                self.link_depth -= 1
            if element is not root:
                self.add_text(element.tail)
        self.flush()
        return self.blocks


def segment_blocks(root: lxml.html.HtmlElement) -> list[PageBlock]:
    """Cut the visible text of the page into paragraph-level blocks, in document order."""
    body = root.find("body")
    blocks = _Segmenter().run(body if body is not None else root)
    for block in blocks:
        block.tokens = TOKEN.findall(block.text)
    return blocks


# --- the extractor's vote -------------------------------------------------------------------------------


def extractor_text(root: lxml.html.HtmlElement) -> str:
    """The article text trafilatura finds in its fast mode (no comments), or "" when it finds none."""
    import trafilatura

    try:
        text = trafilatura.extract(root, fast=True, include_comments=False, include_tables=True, deduplicate=False)
    except (RecursionError, ValueError, TypeError, lxml.etree.LxmlError):
        return ""
    return text or ""


def shingle_set(tokens: list[str], size: int = 4) -> set[tuple[str, ...]]:
    """The word n-grams of a token list (the whole list when it is shorter than ``size``)."""
    if len(tokens) <= size:
        return {tuple(tokens)}
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def mark_votes(blocks: list[PageBlock], text: str, options: rules.HtmlCleaningOptions) -> None:
    """Mark the blocks whose words the extractor's text holds, in order.

    Long blocks may be found anywhere ahead (or, failing that, anywhere, or by most of their word
    4-grams when the extractor changed them); short ones only right where the previous match ended,
    so a lone "Home" does not match some later word.
    """
    tokens = TOKEN.findall(text)
    haystack = " " + " ".join(tokens) + " "
    shingles: set[tuple[str, ...]] | None = None
    position = 0
    for block in blocks:
        if not block.tokens:
            continue
        needle = " " + " ".join(block.tokens) + " "
        found = haystack.find(needle, position)
        if len(block.text) < options.short_block_chars:
            if found != -1 and found - position <= options.short_block_window:
                block.voted = True
                position = found + len(needle) - 1
            continue
        if found != -1:
            block.voted = True
            position = found + len(needle) - 1
        elif haystack.find(needle) != -1:
            block.voted = True
        else:
            if shingles is None:
                shingles = shingle_set(tokens)
            own = shingle_set(block.tokens)
            block.voted = len(own & shingles) >= options.min_vote_share * len(own)
