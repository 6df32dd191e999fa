"""Clean an HTML page: split it into paragraph-level blocks and keep the article's, each removal named.

The pass is pure (no disk, no network) and deterministic.  trafilatura, in its fast mode, votes on
which text is the article; docket then finds the article's region of the tree and decides block by
block, recovering what the extractor dropped inside the article (lists, tables, headings) and removing
what it let through (reader comments, share prompts, teasers, newsletter boxes, bylines).
"""

from __future__ import annotations

import functools
import re

import attrs
import lxml.etree
import lxml.html

from corpus.cleaned import Block, CleanResult
from corpus.html_metadata import extract_metadata
from corpus.rules import html_rules as rules

TOKEN = re.compile(r"\w+")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
DOCUMENT_END_TAG = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
#: Container tags dropped when a page nests deeper than the parser allows, so its text survives.
CONTAINER_TAG = re.compile(r"</?(?:div|span|section|article|main|font|center|b|i|em|strong|a)\b[^>]*>", re.IGNORECASE)


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
    #: ``comparable(text)``, worked out once (see ``comparable_text``).
    plain: str | None = None


# --- parsing ------------------------------------------------------------------------------------------


#: lxml.html's element classes picked in C: every node an ``HtmlElement`` (lxml.html's own lookup, a
#: Python call per node touched, would give forms and fields their subclasses, which nothing here uses).
_HTML_CLASSES = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def _parser() -> lxml.html.HTMLParser:
    """An lxml HTML parser that drops comments and processing instructions and allows deep trees."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True, collect_ids=False)
    parser.set_element_class_lookup(_HTML_CLASSES)
    return parser


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
    # a browser keeps what follows a stray </body> or </html> in the body; libxml2 drops it
    text = DOCUMENT_END_TAG.sub("", text)
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
    """True when the element says it is not shown (the ``hidden`` attribute, ``display:none``)."""
    attrib = element.attrib
    if not attrib:
        return False
    if "hidden" in attrib:
        return not rules.STREAMED_CONTENT_ID.fullmatch(attrib.get("id") or "")
    style = attrib.get("style")
    return bool(style and HIDDEN_STYLE.search(style.lower()))


# --- segmentation -------------------------------------------------------------------------------------


def _page_block(element: lxml.html.HtmlElement, pieces: list[str], link_chars: int, hidden: bool) -> PageBlock:
    """One block of the text ``pieces`` gathered in ``element``, its white space collapsed."""
    text = " ".join("".join(pieces).split())
    return PageBlock(element, text, min(link_chars, len(text)), hidden=hidden)


def _drawn_block(element: lxml.html.HtmlElement, blocks: list[PageBlock]) -> None:
    """Add the text of a drawing or form field (SVG labels, a text area) as a block of its own.

    It is classified by its tag (always removed); the paragraph around it is not cut, so the
    block comes just before the rest of that paragraph.
    """
    text = " ".join(" ".join(element.itertext()).split())
    if text and not is_hidden(element):
        blocks.append(PageBlock(element, text, 0))


def walk_blocks(root: lxml.html.HtmlElement) -> list[PageBlock]:
    """Walk the tree once, without recursion, cutting its visible text into paragraph-level blocks.

    A block element cuts the text of the block around it, so only the innermost open block ever
    gathers text: one set of pieces serves them all, and a stack keeps the enclosing blocks.
    """
    blocks: list[PageBlock] = []
    pieces: list[str] = []
    link_chars = 0
    has_text = False
    owner, owner_hidden = root, False
    enclosing: list[tuple[lxml.html.HtmlElement, bool]] = []
    link_depth = 0
    block_tags, drawn = rules.BLOCK_TAGS, rules.DRAWN_TEXT_TAGS
    skipped = rules.INVISIBLE_TAGS | drawn
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if tag.__class__ is not str or tag in skipped:
                walker.skip_subtree()
                if tag in drawn and not owner_hidden:
                    _drawn_block(element, blocks)
                continue
            attrib = element.attrib
            hidden = bool(attrib) and ("hidden" in attrib or "style" in attrib) and is_hidden(element)
            if hidden or tag in block_tags:
                if pieces:
                    if has_text:
                        blocks.append(_page_block(owner, pieces, link_chars, owner_hidden))
                    pieces, link_chars, has_text = [], 0, False
                enclosing.append((owner, owner_hidden))
                owner, owner_hidden = element, hidden or owner_hidden
            elif tag == "a":
                link_depth += 1
            elif tag == "br" and pieces:
                pieces.append("\n")
            text = element.text
        else:
            if tag.__class__ is not str or tag in skipped:
                pass
            elif element is owner and enclosing:
                # the block element closes (it is the innermost open one)
                if pieces:
                    if has_text:
                        blocks.append(_page_block(owner, pieces, link_chars, owner_hidden))
                    pieces, link_chars, has_text = [], 0, False
                owner, owner_hidden = enclosing.pop()
            elif tag == "a":
                link_depth -= 1
            if element is root:
                continue
            text = element.tail
        if text:
            pieces.append(text)
            if not text.isspace():
                has_text = True
                if link_depth:
                    link_chars += len(text.strip())
    if has_text:
        blocks.append(_page_block(owner, pieces, link_chars, owner_hidden))
    return blocks


def segment_blocks(root: lxml.html.HtmlElement) -> list[PageBlock]:
    """Cut the visible text of the page into paragraph-level blocks, in document order."""
    body = root.find("body")
    blocks = walk_blocks(body if body is not None else root)
    drawn = rules.DRAWN_TEXT_TAGS
    for block in blocks:
        # a drawing's labels take no part in the vote, the title or the comment headings
        if block.element.tag not in drawn:
            block.tokens = TOKEN.findall(block.text)
    return blocks


# --- the extractor's vote -------------------------------------------------------------------------------


@functools.cache
def extractor_options() -> object:
    """trafilatura's options for the vote, built once (fast mode, no comments, tables, no deduplication).

    The same as ``extract(fast=True, include_comments=False, include_tables=True, deduplicate=False)``
    builds on every call, where it also reads its configuration again.
    """
    from trafilatura.settings import Extractor

    return Extractor(fast=True, comments=False, tables=True, dedup=False)


@functools.cache
def extractor() -> object:
    """The trafilatura module, its costliest expressions evaluated in Python (corpus/trafilatura_xpaths.py)
    and its link-density test reading no more of a box than it needs (corpus/trafilatura_links.py)."""
    import trafilatura

    from corpus import trafilatura_links, trafilatura_xpaths

    trafilatura_xpaths.install()
    trafilatura_links.install()
    return trafilatura


def extractor_text(root: lxml.html.HtmlElement) -> str:
    """The article text trafilatura finds in its fast mode (no comments), or "" when it finds none."""
    try:
        text = extractor().extract(root, options=extractor_options())
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
    so a lone "Home" does not match some later word.  A block with a word (or first 4-gram) the
    extractor never wrote is passed over without a search.
    """
    tokens = TOKEN.findall(text)
    if not tokens:
        return
    haystack = " " + " ".join(tokens) + " "
    vocabulary = set(tokens)
    shingles = set(zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False))
    position = 0
    for block in blocks:
        words = block.tokens
        if not words:
            continue
        if len(block.text) < options.short_block_chars:
            if vocabulary.issuperset(words):
                needle = " " + " ".join(words) + " "
                found = haystack.find(needle, position, position + options.short_block_window + len(needle))
                if found != -1:
                    block.voted = True
                    position = found + len(needle) - 1
            continue
        if len(words) < 4:
            if not vocabulary.issuperset(words):
                continue
        elif tuple(words[:4]) not in shingles:
            block.voted = _mostly_shared(words, shingles, options.min_vote_share)
            continue
        needle = " " + " ".join(words) + " "
        found = haystack.find(needle, position)
        if found != -1:
            block.voted = True
            position = found + len(needle) - 1
        elif haystack.find(needle) != -1:
            block.voted = True
        elif len(words) >= 4:
            block.voted = _mostly_shared(words, shingles, options.min_vote_share)


def _mostly_shared(words: list[str], shingles: set[tuple[str, ...]], share: float) -> bool:
    """True when at least ``share`` of the word 4-grams of ``words`` appear in the extractor's text."""
    count = len(words) - 3
    if count < 1:
        return False
    if not any(tuple(words[i : i + 4]) in shingles for i in {0, count // 2, count - 1}):
        return False
    shared = sum(1 for gram in zip(words, words[1:], words[2:], words[3:], strict=False) if gram in shingles)
    return shared >= share * count


# --- the article region -----------------------------------------------------------------------------------


def voted_share(blocks: list[PageBlock]) -> dict[lxml.html.HtmlElement, float]:
    """For each element holding text the extractor kept, the share of that text it holds."""
    voted_chars: dict[lxml.html.HtmlElement, int] = {}
    total = 0
    for block in blocks:
        if block.voted:
            total += len(block.text)
            for element in (block.element, *block.element.iterancestors()):
                voted_chars[element] = voted_chars.get(element, 0) + len(block.text)
    return {element: chars / total for element, chars in voted_chars.items()}


def find_region(shares: dict[lxml.html.HtmlElement, float], options: rules.HtmlCleaningOptions) -> lxml.html.HtmlElement | None:
    """The deepest element holding most of the text the extractor kept: the article's region."""
    fits = [element for element, share in shares.items() if share >= options.region_share]
    # the fits are one chain of ancestors: the deepest has the most ancestors
    return max(fits, key=lambda element: sum(1 for _ in element.iterancestors()), default=None)


def is_paragraph_like(block: PageBlock, hint: str | None, options: rules.HtmlCleaningOptions) -> bool:
    """True for a block that reads like article prose: long enough, few links, no boilerplate hint."""
    return (
        hint is None
        and not block.hidden
        and block.element.tag not in rules.NON_CONTENT_TAGS
        and len(block.text) >= options.min_paragraph_chars
        and link_density(block) <= options.max_paragraph_link_density
    )


PARAGRAPH_TAGS = frozenset({"p", "li", "td", "dd", "blockquote", "pre", "h2", "h3", "h4", "h5", "h6"})


def prose_region(
    blocks: list[PageBlock],
    options: rules.HtmlCleaningOptions,
    memo: dict[lxml.html.HtmlElement, str | None],
) -> tuple[lxml.html.HtmlElement | None, int]:
    """docket's own guess at the article: the container with the most prose, and its prose length.

    Each prose block scores its length for its container and half of it for the container's
    parent (readability's way); reader comments score nothing.
    """
    scores: dict[lxml.html.HtmlElement, float] = {}
    for block in blocks:
        if not is_paragraph_like(block, None, options):
            continue
        container = block.element.getparent() if block.element.tag in PARAGRAPH_TAGS else block.element
        if container is None or _in_comments(container, options.comment_probe_depth, memo):
            continue
        scores[container] = scores.get(container, 0.0) + len(block.text)
        parent = container.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + len(block.text) / 2
    if not scores:
        return None, 0
    best = max(scores, key=scores.__getitem__)
    return best, int(scores[best])


def _in_comments(element: lxml.html.HtmlElement, depth: int, memo: dict[lxml.html.HtmlElement, str | None]) -> bool:
    """True when the element or one of its nearest ancestors is named as a comment section."""
    for _ in range(depth):
        if element is None:
            return False
        if element_rule(element, memo) == rules.COMMENT_SECTION:
            return True
        element = element.getparent()
    return False


def _extractor_missed(
    blocks: list[PageBlock],
    region: lxml.html.HtmlElement | None,
    fallback: lxml.html.HtmlElement,
    prose: int,
    options: rules.HtmlCleaningOptions,
) -> bool:
    """True when the extractor's region is missing, or holds far less prose than one elsewhere."""
    if region is None:
        return True
    if region is fallback or region in fallback.iterancestors() or fallback in region.iterancestors():
        return False
    voted = sum(len(block.text) for block in blocks if block.voted)
    return prose > options.missed_prose_ratio * voted


def widen_region(
    blocks: list[PageBlock],
    region: lxml.html.HtmlElement | None,
    hints: ElementHints,
    options: rules.HtmlCleaningOptions,
) -> lxml.html.HtmlElement | None:
    """Climb from the extractor's region while what the parent adds reads mostly like article prose.

    The extractor sometimes keeps one tab, one section or the intro of an article; its siblings
    are the rest of the article when their text is paragraphs rather than links and boxes.
    """
    if region is None:
        return None
    inside = set(region.iter())
    while True:
        parent = region.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return region
        # the blocks the parent adds: in its subtree, not in the region's
        wider = set(parent.iter())
        prose = other = 0
        for block in blocks:
            if block.element not in wider or block.element in inside:
                continue
            hint, _ = hints.ancestor_rule(block.element, parent)
            if is_paragraph_like(block, hint, options) or block.voted and hint not in rules.STRONG_RULES:
                prose += len(block.text)
            else:
                other += len(block.text)
        if prose + other and (prose <= other * options.widen_ratio or prose < options.min_widen_chars):
            return region
        region, inside = parent, wider


# --- rules ---------------------------------------------------------------------------------------------------


ROLE_TAG_RULES = dict(rules.ROLE_TAGS)
ROLE_ATTRIBUTE_RULES = dict(rules.ROLE_ATTRIBUTES)


#: Class tokens seen so far and the index of the rule each names (None for none); pages share most.
_CLASS_TOKEN_RULES: dict[str, int | None] = {}
_NO_RULE = len(rules.CLASS_ID_WORDS)
#: Marks an element not looked at yet in a memo of rules (where None means "no rule").
_UNSEEN = object()


def class_token_rule(token: str) -> int:
    """The index (in ``CLASS_ID_WORDS``) of the rule one class or id token names, or ``_NO_RULE``."""
    cached = _CLASS_TOKEN_RULES.get(token)
    if cached is not None:
        return cached
    best = _NO_RULE
    if not rules.TAXONOMY_CLASS.fullmatch(token):
        words = [word for word in rules.CLASS_WORD_SEPARATOR.split(token) if word]
        candidates = words + [first + second for first, second in zip(words, words[1:], strict=False)]
        for word in candidates:
            match = rules.CLASS_ID_WORD_PATTERN.fullmatch(word)
            if match:
                best = min(best, int(match.lastgroup[1:]))
    if len(_CLASS_TOKEN_RULES) > 100_000:
        _CLASS_TOKEN_RULES.clear()
    _CLASS_TOKEN_RULES[token] = best
    return best


def element_rule(element: lxml.html.HtmlElement, memo: dict[lxml.html.HtmlElement, str | None] | None = None) -> str | None:
    """The boilerplate rule an element names by its tag, ARIA role, or class and id, if any."""
    if memo is not None:
        rule = memo.get(element, _UNSEEN)
        if rule is _UNSEEN:
            rule = memo[element] = element_rule(element)
        return rule
    rule = ROLE_TAG_RULES.get(element.tag)
    if rule:
        return rule
    attrib = element.attrib
    if not attrib:
        return None
    role = attrib.get("role")
    if role and role.strip().lower() in ROLE_ATTRIBUTE_RULES:
        return ROLE_ATTRIBUTE_RULES[role.strip().lower()]
    classes, ident = attrib.get("class"), attrib.get("id")
    if not classes and not ident:
        return None
    names = f"{classes or ''} {ident or ''}".lower().split()
    best = min((class_token_rule(token) for token in names), default=_NO_RULE)
    return rules.CLASS_ID_WORDS[best][0] if best < _NO_RULE else None


@attrs.define
class ElementHints:
    """What the elements of one page say about themselves, each looked at once.

    ``shares`` is each element's share of the extractor's text: an element holding most of the
    article names no rule whatever its class says, and an <article> holding almost none of it is
    another article's teaser.
    """

    shares: dict[lxml.html.HtmlElement, float]
    options: rules.HtmlCleaningOptions
    raw: dict[lxml.html.HtmlElement, str | None] = attrs.field(factory=dict)
    memo: dict[lxml.html.HtmlElement, str | None] = attrs.field(factory=dict)
    inherited: dict[
        lxml.html.HtmlElement | None, dict[lxml.html.HtmlElement, tuple[str | None, bool]]
    ] = attrs.field(factory=dict)
    prose: dict[lxml.html.HtmlElement, float] = attrs.field(factory=dict)

    def own_rule(self, element: lxml.html.HtmlElement) -> str | None:
        """The rule the element names by itself, in the light of the extractor's vote."""
        if element in self.memo:
            return self.memo[element]
        share = self.shares.get(element, 0.0)
        if share >= self.options.protected_share:
            rule = None
        elif element.tag == "article" and self.shares and share < self.options.foreign_article_share:
            rule = rules.RELATED_TEASER
        else:
            rule = element_rule(element, self.raw)
            if rule is not None and self._holds_the_prose(element, rule):
                rule = None
        self.memo[element] = rule
        return rule

    def _holds_the_prose(self, element: lxml.html.HtmlElement, rule: str) -> bool:
        """True when the element holds most of the region's prose and only its class or id names ``rule``.

        A word inside a compound name ("map-and-related") of the box holding the article is no
        teaser; reader comments, however long, stay comments, and a tag or ARIA role is believed.
        """
        return (
            rule != rules.COMMENT_SECTION
            and self.prose.get(element, 0.0) > self.options.protected_prose_share
            and element.tag not in ROLE_TAG_RULES
            and not element.get("role")
        )

    def protect_prose(self, blocks: list[PageBlock], region: lxml.html.HtmlElement | None) -> None:
        """Note each element's share of the region's prose; one holding most of it names no class rule."""
        if region is None:
            return
        chars: dict[lxml.html.HtmlElement, int] = {}
        total = 0
        seen: set[str] = set()
        for block in blocks:
            # a paragraph said twice (a summary repeating the lead) is counted once
            if block.text in seen or not is_paragraph_like(block, None, self.options):
                continue
            seen.add(block.text)
            below = []
            for element in (block.element, *block.element.iterancestors()):
                if element is region:
                    break
                below.append(element)
            else:
                continue
            total += len(block.text)
            for element in below:
                chars[element] = chars.get(element, 0) + len(block.text)
        if total:
            self.prose = {element: count / total for element, count in chars.items()}
            self.memo.clear()
            self.inherited.clear()

    def ancestor_rule(self, element: lxml.html.HtmlElement, region: lxml.html.HtmlElement | None) -> tuple[str | None, bool]:
        """The rule named by the element or an ancestor below ``region``, and whether it is inside it.

        The outermost rule below the region wins: a list inside a comment section is the comments.
        """
        cache = self.inherited.setdefault(region, {})
        chain = []
        current: lxml.html.HtmlElement | None = element
        while current is not None and current not in cache:
            if current is region:
                cache[current] = (None, True)
                break
            if current.tag in ("body", "html"):
                cache[current] = (None, region is None)
                break
            chain.append(current)
            current = current.getparent()
        above = cache[current] if current is not None else (None, region is None)
        for link in reversed(chain):
            above = (above[0] or self.own_rule(link), above[1])
            cache[link] = above
        return above


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


def phrase_rule(block: PageBlock, options: rules.HtmlCleaningOptions) -> str | None:
    """The rule a short block names by its words alone ("By Jane Doe", "Share", "Photo: ..."), if any:
    the first of ``NOTICE_PATTERNS``, then of ``TEXT_PATTERNS``, its whole text matches (each list
    tried as one pattern, in its order)."""
    text = block.text
    if len(text) > options.max_notice_block_chars or block.element.tag in rules.DATA_TAGS:
        return None
    found = rules.NOTICE_PATTERN.fullmatch(text)
    if found:
        return rules.NOTICE_RULES[found.lastindex - 1]
    if len(text) > options.max_phrase_block_chars:
        return None
    if block.voted:  # a block the extractor kept: only the patterns that apply even to such a block
        found = rules.KEPT_TEXT_PATTERN.fullmatch(text)
        return rules.KEPT_TEXT_RULES[found.lastindex - 1] if found else None
    found = rules.TEXT_PATTERN.fullmatch(text)
    return rules.TEXT_RULES[found.lastindex - 1] if found else None


def classify_blocks(
    blocks: list[PageBlock],
    region: lxml.html.HtmlElement | None,
    hints: ElementHints,
    options: rules.HtmlCleaningOptions,
) -> None:
    """Give every block still undecided its rule (or None to keep it)."""
    for block in blocks:
        if block.rule is not None:
            continue
        hint, inside = hints.ancestor_rule(block.element, region)
        block.rule = classify_block(block, hint, inside, options)
        if block.rule is None:
            block.rule = phrase_rule(block, options)



def comparable(text: str | None) -> str:
    """Text reduced to lower-case words, for comparing a title with a block."""
    return " ".join(TOKEN.findall((text or "").lower()))


def comparable_text(block: PageBlock) -> str:
    """``comparable(block.text)``, worked out once per block (the title and duplicate passes both ask)."""
    if block.plain is None:
        block.plain = comparable(block.text)
    return block.plain


def mark_title(blocks: list[PageBlock], title: str | None) -> None:
    """Remove the article's title from the body.

    The title block is the first <h1> that says the title (or part of it), else the first heading
    or block that says it exactly, else the first <h1>.
    """
    wanted = comparable(title)
    exact = first_h1 = None
    for block in blocks:
        words = " ".join(block.tokens).lower()
        if not words:
            continue
        is_h1 = block.element.tag == "h1"
        if is_h1 and wanted and (words in wanted or wanted in words):
            block.rule = rules.TITLE
            return
        if exact is None and words == wanted:
            exact = block
        if is_h1 and first_h1 is None:
            first_h1 = block
    chosen = exact or first_h1
    if chosen is not None:
        chosen.rule = rules.TITLE


def mark_repeated_title(blocks: list[PageBlock], title: str | None) -> None:
    """Remove kept blocks that only repeat the title (a second headline, a breadcrumb's last step)."""
    wanted = comparable(title)
    for block in blocks:
        if wanted and block.rule is None and comparable_text(block) == wanted:
            block.rule = rules.DUPLICATE_TITLE


def mark_duplicates(blocks: list[PageBlock], options: rules.HtmlCleaningOptions) -> None:
    """Remove kept blocks that repeat other kept text: a pull quote, a menu of the headings, a copy.

    Of identical blocks outside tables and lists, the one with the fewest links stays (a table of
    contents repeats the headings as links); a short lead-in ending in a colon ("Key features
    include:") heads a list in each section that has one, so its copies stay; a long block whose word 4-grams mostly appear in
    the other kept blocks is a copy of the article (a print or markdown version) and goes.
    """
    groups: dict[str, list[PageBlock]] = {}
    for block in blocks:
        if block.rule is None and len(block.text) >= options.min_duplicate_chars and block.element.tag not in ("td", "th", "li"):
            groups.setdefault(comparable_text(block), []).append(block)
    for group in groups.values():
        if len(group) > 1 and not rules.LEAD_IN_LABEL.fullmatch(group[0].text):
            keep = min(group, key=link_density)
            for block in group:
                if block is not keep:
                    block.rule = rules.DUPLICATE_BLOCK
    kept = [block for block in blocks if block.rule is None]
    long_blocks = sorted((block for block in kept if len(block.text) >= options.min_copy_chars), key=lambda b: -len(b.text))
    if not long_blocks:
        return
    counts: dict[tuple[str, ...], int] = {}
    for block in kept:
        for shingle in shingle_set(block.tokens):
            counts[shingle] = counts.get(shingle, 0) + 1
    for block in long_blocks:
        own = shingle_set(block.tokens)
        repeated = sum(1 for shingle in own if counts[shingle] > 1)
        if repeated >= options.max_copy_share * len(own):
            block.rule = rules.DUPLICATE_BLOCK
            for shingle in own:
                counts[shingle] -= 1


def mark_comment_threads(blocks: list[PageBlock], options: rules.HtmlCleaningOptions) -> None:
    """Remove reader-comment threads whose markup does not name them, found by their heading.

    A block saying "3 Comments" or "Leave a Reply", once a good part of the article is behind it,
    heads a thread: it and every block after it in the box that holds it are the comments.
    """
    total = sum(len(block.text) for block in blocks if block.rule is None)
    before = 0
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if block.rule is None:
            before += len(block.text)
        if (
            len(block.text) > options.max_comment_heading_chars
            or before - (len(block.text) if block.rule is None else 0) < options.min_share_before_comments * total
            or not block.tokens
            or not rules.COMMENT_HEADING.fullmatch(block.text)
        ):
            continue
        container = _box_around(block.element, block.text)
        if container is None:
            continue
        if block.rule is None:
            block.rule = rules.COMMENT_SECTION
        while index < len(blocks) and container in blocks[index].element.iterancestors():
            if blocks[index].rule is None:
                blocks[index].rule = rules.COMMENT_SECTION
            index += 1


def _box_around(element: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement | None:
    """The nearest ancestor holding more than ``text`` (the box a heading heads), None at the body."""
    while True:
        parent = element.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return None
        if " ".join(parent.text_content().split()) != text:
            return parent
        element = parent


def author_names(author: str | None) -> list[str]:
    """The names an "about the author" note may open with: each author's full name and first name."""
    names: list[str] = []
    for name in re.split(r",|\band\b|&", author or ""):
        words = name.split()
        if words:
            names.append(" ".join(words))
            if len(words) > 1 and len(words[0]) > 2:
                names.append(words[0])
    return names


def mark_author_bios(blocks: list[PageBlock], author: str | None, options: rules.HtmlCleaningOptions) -> None:
    """Remove the author's name standing alone and "about the author" notes ("Jane Doe is a reporter...")."""
    names = author_names(author)
    if not names:
        return
    for block in blocks:
        if block.rule is not None or len(block.text) > options.max_author_bio_chars:
            continue
        if block.text in names:
            block.rule = rules.BYLINE
            continue
        for name in names:
            if block.text.startswith(name) and rules.AUTHOR_BIO_OPENING.match(block.text, len(name)):
                block.rule = rules.AUTHOR_BIO
                break


# --- the cleaner ---------------------------------------------------------------------------------------------


def strip_invisible(root: lxml.html.HtmlElement) -> None:
    """Remove, in place, the elements nobody sees (scripts, styles, SVG drawings...), keeping their tails.

    Run after the metadata is read (it needs the JSON-LD scripts and the meta tags); both the
    segmenter and the extractor then walk a smaller tree.
    """
    lxml.etree.strip_elements(root, *rules.STRIPPED_TAGS, with_tail=False)


def decide_blocks(
    root: lxml.html.HtmlElement, title: str | None, options: rules.HtmlCleaningOptions, author: str | None = None
) -> list[PageBlock]:
    """Cut the page into blocks and decide each one: kept (rule None) or removed with its rule.

    The tree loses its invisible elements on the way.
    """
    strip_invisible(root)
    blocks = segment_blocks(root)
    # inline formatting says nothing about where the article is: unwrapped, the extractor walks less
    lxml.etree.strip_tags(root, *rules.UNWRAPPED_TAGS)
    # boxes the extractor drops anyway; their blocks keep their element, so their own tag still names them
    lxml.etree.strip_elements(root, *rules.DETACHED_TAGS, with_tail=False)
    mark_votes(blocks, extractor_text(root), options)
    shares = voted_share(blocks)
    region = find_region(shares, options)
    raw_rules: dict[lxml.html.HtmlElement, str | None] = {}
    fallback, prose = prose_region(blocks, options, raw_rules)
    if fallback is not None and _extractor_missed(blocks, region, fallback, prose, options):
        # the extractor found (almost) nothing, or something else: the prose container stands in
        region = fallback
        for block in blocks:
            block.voted = fallback in block.element.iterancestors() and is_paragraph_like(block, None, options)
        shares = voted_share(blocks)
    hints = ElementHints(shares, options, raw_rules)
    region = widen_region(blocks, region, hints, options)
    hints.protect_prose(blocks, region)
    mark_title(blocks, title)
    classify_blocks(blocks, region, hints, options)
    mark_comment_threads(blocks, options)
    mark_author_bios(blocks, author, options)
    mark_repeated_title(blocks, title)
    mark_duplicates(blocks, options)
    return blocks


def clean_html(html: str, url: str | None = None, options: rules.HtmlCleaningOptions = rules.DEFAULT_OPTIONS) -> CleanResult:
    """Clean an HTML page: every block in order, kept or removed with its rule, and the page's metadata."""
    root = parse_document(html)
    if root is None:
        return CleanResult(blocks=(), metadata=extract_metadata(None, url))
    metadata = extract_metadata(root, url)
    blocks = decide_blocks(root, metadata.title, options, metadata.author)
    return CleanResult(blocks=tuple(Block(block.text, block.rule) for block in blocks), metadata=metadata)
