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
    hidden: bool = False


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
        self.hidden_elements: set[lxml.html.HtmlElement] = set()

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
                block.hidden = self.hidden_depth > 0
                self.blocks.append(block)
            pieces.clear()
            link_chars[0] = 0

    def run(self, root: lxml.html.HtmlElement) -> list[PageBlock]:
        """Return the blocks of ``root`` in document order."""
        self.open.append((root, [], [0]))
        walker = lxml.etree.iterwalk(root, events=("start", "end"))
        skipped: set[lxml.html.HtmlElement] = set()
        opened: set[lxml.html.HtmlElement] = set()
        for event, element in walker:
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                if not tag or tag in rules.INVISIBLE_TAGS:
                    walker.skip_subtree()
                    skipped.add(element)
                    continue
                hidden = is_hidden(element)
                if hidden or tag in rules.BLOCK_TAGS:
                    self.flush()
                    self.open.append((element, [], [0]))
                    opened.add(element)
                    self.hidden_depth += hidden
                    if hidden:
                        self.hidden_elements.add(element)
                elif tag == "br":
                    self.add_text("\n")
                elif tag == "a":
                    self.link_depth += 1
                self.add_text(element.text)
                continue
            if element in skipped:
                skipped.discard(element)
            elif element in opened:
                opened.discard(element)
                self.flush()
                self.open.pop()
                if element in self.hidden_elements:
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


# --- the article region -----------------------------------------------------------------------------------


def find_region(blocks: list[PageBlock], options: rules.HtmlCleaningOptions) -> lxml.html.HtmlElement | None:
    """The deepest element holding most of the text the extractor kept: the article's region."""
    voted_chars: dict[lxml.html.HtmlElement, int] = {}
    total = 0
    for block in blocks:
        if block.voted:
            total += len(block.text)
            for element in (block.element, *block.element.iterancestors()):
                voted_chars[element] = voted_chars.get(element, 0) + len(block.text)
    if not total:
        return None
    fits = [element for element, chars in voted_chars.items() if chars >= options.region_share * total]
    # the fits are one chain of ancestors: the deepest has the most ancestors
    return max(fits, key=lambda element: sum(1 for _ in element.iterancestors()))


# --- rules ---------------------------------------------------------------------------------------------------


def element_rule(element: lxml.html.HtmlElement) -> str | None:
    """The boilerplate rule an element names by its tag, ARIA role, or class and id, if any."""
    tag = element.tag
    for role_tag, rule in rules.ROLE_TAGS:
        if tag == role_tag:
            return rule
    role = (element.get("role") or "").strip().lower()
    for role_name, rule in rules.ROLE_ATTRIBUTES:
        if role == role_name:
            return rule
    names = f"{element.get('class') or ''} {element.get('id') or ''}".strip().lower()
    names = rules.TAXONOMY_CLASS.sub(" ", names).strip()
    if not names:
        return None
    for rule, pattern in rules.CLASS_ID_PATTERNS:
        if pattern.search(names):
            return rule
    return None


def ancestor_rule(
    element: lxml.html.HtmlElement,
    region: lxml.html.HtmlElement | None,
    memo: dict[lxml.html.HtmlElement, str | None],
) -> tuple[str | None, bool]:
    """The rule named by the element or an ancestor below ``region``, and whether it is inside it."""
    found = None
    current: lxml.html.HtmlElement | None = element
    while current is not None and current.tag not in ("body", "html"):
        if current is region:
            return found, True
        if current not in memo:
            memo[current] = element_rule(current)
        found = memo[current] or found
        current = current.getparent()
    return found, region is None or current is region


def link_density(block: PageBlock) -> float:
    """Share of the block's characters that sit inside links."""
    return block.link_chars / len(block.text) if block.text else 0.0


def classify_block(block: PageBlock, hint: str | None, inside: bool, options: rules.HtmlCleaningOptions) -> str | None:
    """The rule removing ``block``, or None to keep it, from the vote, its place and its hints."""
    tag = block.element.tag
    if tag in rules.NON_CONTENT_TAGS:
        return rules.NON_CONTENT_TAG
    if tag in ("figcaption", "caption") or hint == rules.IMAGE_CAPTION:
        return rules.IMAGE_CAPTION
    if block.voted:
        return hint if hint in rules.STRONG_RULES else None
    if block.hidden:
        return rules.HIDDEN
    if not inside:
        return hint or rules.OUTSIDE_ARTICLE
    if hint:
        return hint
    if link_density(block) > options.max_link_density:
        return rules.LINK_DENSE
    return None


def classify_blocks(blocks: list[PageBlock], region: lxml.html.HtmlElement | None, options: rules.HtmlCleaningOptions) -> None:
    """Give every block still undecided its rule (or None to keep it)."""
    memo: dict[lxml.html.HtmlElement, str | None] = {}
    for block in blocks:
        if block.rule is not None:
            continue
        hint, inside = ancestor_rule(block.element, region, memo)
        block.rule = classify_block(block, hint, inside, options)


def comparable(text: str | None) -> str:
    """Text reduced to lower-case words, for comparing a title with a block."""
    return " ".join(TOKEN.findall((text or "").lower()))


def mark_title(blocks: list[PageBlock], title: str | None) -> None:
    """Remove the article's title from the body: the first block repeating it, else the first <h1>."""
    wanted = comparable(title)
    first_h1 = None
    for block in blocks:
        words = comparable(block.text)
        if not words:
            continue
        is_h1 = block.element.tag == "h1"
        if wanted and (words == wanted or is_h1 and (words in wanted or wanted in words)):
            block.rule = rules.TITLE
            return
        if is_h1 and first_h1 is None:
            first_h1 = block
    if first_h1 is not None:
        first_h1.rule = rules.TITLE


def mark_duplicates(blocks: list[PageBlock], options: rules.HtmlCleaningOptions) -> None:
    """Remove kept blocks that repeat an earlier kept block word for word (mobile copies, pull quotes)."""
    seen: set[str] = set()
    for block in blocks:
        if block.rule is not None or len(block.text) < options.min_duplicate_chars:
            continue
        words = comparable(block.text)
        if words in seen:
            block.rule = rules.DUPLICATE_BLOCK
        seen.add(words)


# --- the cleaner ---------------------------------------------------------------------------------------------


def clean_html(html: str, url: str | None = None, options: rules.HtmlCleaningOptions = rules.DEFAULT_OPTIONS) -> CleanResult:
    """Clean an HTML page: every block in order, kept or removed with its rule, and the page's metadata."""
    root = parse_document(html)
    if root is None:
        return CleanResult(blocks=(), metadata=extract_metadata(None, url))
    metadata = extract_metadata(root, url)
    blocks = segment_blocks(root)
    mark_votes(blocks, extractor_text(root), options)
    region = find_region(blocks, options)
    mark_title(blocks, metadata.title)
    classify_blocks(blocks, region, options)
    mark_duplicates(blocks, options)
    return CleanResult(blocks=tuple(Block(block.text, block.rule) for block in blocks), metadata=metadata)
