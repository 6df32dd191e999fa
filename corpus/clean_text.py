"""Boilerplate cleaning for flattened page text (a copy-paste or a scraper's text of a web page).

``clean_text`` splits the text into blocks (lines, or hard-wrapped paragraphs joined), labels every
block kept or removed with a rule name, and reads the metadata (title, site, byline, tags). It is
pure: no disk, no network, the same answer for the same text. The passes, in order:

1. describe each block (words, stopword share, sentence end, the pattern rule it matches);
2. find the title near the top, the byline beside it, and author boxes;
3. find the article: the densest contiguous run of prose (a maximum-sum segment over block
   weights, where end markers such as "Related articles" or "About the author" weigh heavily);
4. cut it where reader comments start ("View Comments (3)", "Leave a Reply", "Jane says:" ...);
5. inside the article, drop pattern matches, captions, tables of contents and menu-like runs;
   after it, tag lists give the tags.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

import attrs

from corpus.cleaned import Block, CleanResult, Metadata
from corpus.rules.text_rules import (
    BIO_WORDS,
    BREADCRUMB,
    CLOSERS,
    COMMENT_SIGN,
    COMMENT_SIGN_HINT,
    DEFAULT_OPTIONS,
    END_MARKER_RULES,
    LINKISH,
    LONG_PHRASE_RULES,
    PHRASE_RULES,
    PIPE_LINKS,
    SENTENCE_BREAK,
    SENTENCE_END,
    SOFT_RULES,
    STOPWORDS,
    TAG_ITEMS,
    TEASER_RULES,
    TRIGGER_SYMBOLS,
    TRIGGER_WORDS,
    WHOLE_BLOCK_PREFIX_RULES,
    WHOLE_BLOCK_RULES,
    WORD,
    TextCleanOptions,
)
from corpus.text_metadata import (
    PublicationDate,
    add_time,
    clean_name,
    is_date_line,
    parse_byline,
    parse_date,
    parse_tags,
    split_site,
)

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_DIGITS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"[>»›|•·/]")


class BlockInfo(NamedTuple):
    """What the cleaner knows about one block before deciding on it (a tuple: thousands per page)."""

    text: str
    key: str
    words: int
    stopword_ratio: float
    sentence: bool
    inner_sentences: int
    rule: str | None


def split_blocks(text: str, options: TextCleanOptions = DEFAULT_OPTIONS) -> list[str]:
    """Split text into blocks: one per line, hard-wrapped paragraphs joined, whitespace collapsed."""
    text = _CONTROL.sub(" ", _NEWLINES.sub("\n", text))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    if _is_hard_wrapped(lines, options):
        return _unwrap(lines)
    return [line for line in lines if line]


def _is_hard_wrapped(lines: Sequence[str], options: TextCleanOptions) -> bool:
    """True when the text looks wrapped at a fixed width.

    Most lines end near one column, and most of those end mid-sentence (a paragraph per line
    would end in a full stop).
    """
    lengths = [len(line) for line in lines if line]
    if len(lengths) < 6:
        return False
    width = max(lengths)
    if width > options.wrap_max_width or width < 40:
        return False
    near = [line for line in lines if len(line) >= 0.7 * width]
    open_ended = sum(1 for line in near if line[-1] not in SENTENCE_END)
    return len(near) >= 0.5 * len(lengths) and open_ended >= 0.5 * len(near)


def _unwrap(lines: Sequence[str]) -> list[str]:
    """Join the lines of each blank-line-separated paragraph, keeping list items apart."""
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line and current and not re.match(r"^(?:[-*•·]|\d+[.)])\s", line):
            current.append(line)
            continue
        if current:
            blocks.append(" ".join(current))
        current = [line] if line else []
    return blocks


def block_key(text: str) -> str:
    """A comparison key: lower-case words only, so repeats match despite punctuation and case."""
    return " ".join(WORD.findall(text.lower()))


def match_rule(text: str, tokens: Sequence[str], options: TextCleanOptions = DEFAULT_OPTIONS) -> str | None:
    """The name of the first boilerplate rule the block (with its lower-case ``tokens``) matches, or None."""
    words = len(tokens)
    if words <= 12:
        shape = _DIGITS.sub("#", " ".join(tokens))
        name = WHOLE_BLOCK_RULES.get(shape)
        if name is not None and len(text) <= 120:
            return name
        for name, prefixes in WHOLE_BLOCK_PREFIX_RULES:
            if shape.startswith(prefixes):
                return name
    if words <= options.long_phrase_max_words:
        woken = {index for token in TRIGGER_WORDS.keys() & set(tokens) for index in TRIGGER_WORDS[token]}
        woken.update(index for symbol, index in TRIGGER_SYMBOLS if symbol in text)
        for index in sorted(woken):
            name, _, pattern = PHRASE_RULES[index]
            limit = options.long_phrase_max_words if name in LONG_PHRASE_RULES else options.phrase_max_words
            if words <= limit and pattern.search(text):
                return name
    if words <= 30 and _SEPARATORS.search(text) and (BREADCRUMB.match(text) or PIPE_LINKS.match(text)):
        return "navigation"
    if words <= 6 and LINKISH.search(text):
        return "short-link-line"
    return None


def describe(text: str, options: TextCleanOptions = DEFAULT_OPTIONS) -> BlockInfo:
    """Measure one block: words, stopword share, whether it ends like a sentence, its pattern rule.

    With the default options the answer is cached: menus, share rows and footers repeat within a
    page and across a site's pages.
    """
    if options is DEFAULT_OPTIONS:
        return _describe_default(text)
    return _describe(text, options)


@functools.lru_cache(maxsize=16384)
def _describe_default(text: str) -> BlockInfo:
    """``describe`` with the default options, cached by text."""
    return _describe(text, DEFAULT_OPTIONS)


def _describe(text: str, options: TextCleanOptions) -> BlockInfo:
    """Measure one block (uncached)."""
    tokens = WORD.findall(text.lower())
    words = len(tokens)
    stop = len([token for token in tokens if token in STOPWORDS])
    tail = text.rstrip(CLOSERS)
    sentence = bool(tail) and tail[-1] in SENTENCE_END
    return BlockInfo(
        text=text,
        key=" ".join(tokens),
        words=words,
        stopword_ratio=stop / words if words else 0.0,
        sentence=sentence,
        inner_sentences=len(SENTENCE_BREAK.findall(text)) if words >= 2 * options.prose_words else 0,
        rule=match_rule(text, tokens, options),
    )


def is_prose(info: BlockInfo, options: TextCleanOptions) -> bool:
    """True for running text: long enough, with function words and a sentence end.

    Long lines without a sentence end are mostly headlines of teasers, so they do not count.
    """
    return (
        info.rule is None and info.sentence and info.words >= options.prose_words
        and info.stopword_ratio >= options.prose_stopword_ratio
    )


def is_text(info: BlockInfo, options: TextCleanOptions) -> bool:
    """True for prose and for shorter complete sentences ("A dozen men are said to have died.")."""
    return is_prose(info, options) or (
        info.rule is None and info.sentence and info.words >= options.sentence_words
        and info.stopword_ratio > 0
    )


def block_weight(info: BlockInfo, options: TextCleanOptions, repeats: int = 1) -> float:
    """How much a block pulls the article region towards itself (positive) or away (negative)."""
    if info.rule in END_MARKER_RULES:
        return options.end_marker_weight
    if info.rule in SOFT_RULES:
        return options.short_weight
    if info.rule is not None:
        return options.rule_weight - 0.5 * info.words
    if repeats >= options.repeat_count:
        return options.repeat_weight - 0.5 * info.words
    if is_prose(info, options):
        return float(info.words)
    if is_text(info, options):
        return 0.5 * info.words
    if info.words >= 2 * options.prose_words and info.inner_sentences:
        return 0.5 * info.words
    if info.words >= options.prose_words:
        return options.headline_weight
    return options.short_weight


def region_weights(
    infos: Sequence[BlockInfo], labels: Sequence[str | None], begin: int, options: TextCleanOptions
) -> list[float]:
    """Every block's weight for the region search.

    An end marker ("Related articles", "About the author") weighs little while the article has
    barely begun (a "12 Comments" link under the byline) and its full weight once prose is above it.
    """
    repeats = Counter(info.key for info in infos)
    marker_heads = Counter(_head(info.key) for info in infos if info.rule in END_MARKER_RULES)
    weights: list[float] = []
    prose_above = 0
    for index, info in enumerate(infos):
        if labels[index] == "author-bio":
            weights.append(max(options.end_marker_weight, -options.end_marker_ramp * prose_above))
            continue
        if labels[index] is not None:
            weights.append(options.rule_weight)
            continue
        weight = block_weight(info, options, repeats[info.key])
        if info.rule in END_MARKER_RULES:
            if marker_heads[_head(info.key)] >= options.repeat_count:
                # "More on <item>" under every item of a list is the list's furniture, not its end.
                weight = options.rule_weight
            weight = max(weight, -options.end_marker_ramp * prose_above)
        weights.append(weight)
        if index >= begin and is_prose(info, options):
            prose_above += info.words
    return weights


def author_bios(infos: Sequence[BlockInfo], begin: int) -> list[int]:
    """Author boxes: a name line followed by a paragraph about that person ("Jane Doe" / "Jane is ...")."""
    found: list[int] = []
    for index in range(begin, len(infos) - 1):
        info = infos[index]
        if not 2 <= info.words <= 4 or info.sentence or info.rule is not None:
            continue
        following = infos[index + 1].text
        if not following.startswith(info.text.split(" ", 1)[0]) and not following.startswith("I"):
            continue
        name = clean_name(info.text)
        if name is None:
            continue
        first = name.split()[0]
        openings = (f"{name} is ", f"{name} has ", f"{first} is ", f"{first} has ", f"I'm {first}", f"I am {first}")
        if following.startswith(openings) and not BIO_WORDS.isdisjoint(WORD.findall(following.lower())):
            found.extend((index, index + 1))
    return found


def _head(key: str) -> str:
    """The first two words of a block key ("more on" of "more on rice jones")."""
    return " ".join(key.split(" ", 2)[:2])


def densest_region(weights: Sequence[float], start: int, stop: int) -> tuple[int, int]:
    """The contiguous run of blocks in [start, stop) with the largest total weight (Kadane)."""
    best, best_range = 0.0, (start, start)
    total, run_start = 0.0, start
    for index in range(start, stop):
        if total <= 0:
            total, run_start = 0.0, index
        total += weights[index]
        if total > best:
            best, best_range = total, (run_start, index + 1)
    return best_range


def extend_region(weights: Sequence[float], start: int, stop: int, limit: int) -> int:
    """Stretch the region's end over the blocks right after it that weigh nothing against it.

    A reference list or a closing line without a full stop directly under the last paragraph is
    part of the article; the first short or boilerplate block ends the stretch.
    """
    while stop < limit and weights[stop] >= 0:
        stop += 1
    return stop


def find_title(infos: Sequence[BlockInfo], options: TextCleanOptions) -> int | None:
    """The index of the title: a heading-like block near the top, repeated or followed by a byline."""
    keys = Counter(info.key for info in infos)
    heads = Counter(block_key(split_site(info.text)[0]) for info in infos[: options.title_window * 4])
    best, best_score = None, 0
    for index, info in enumerate(infos[: options.title_window]):
        if is_prose(info, options) and info.words >= options.title_stop_words:
            break
        if info.rule is not None or not info.key or info.words > options.title_max_words:
            continue
        if info.text.rstrip(CLOSERS)[-1:] in ".!?" and info.words > 12:
            continue
        head_key = block_key(split_site(info.text)[0])
        score = 1 if index == 0 else 0
        if keys[info.key] > 1 or heads[head_key] > 1 or (head_key != info.key and keys[head_key]):
            score += 2
        for distance, bonus in ((1, 2), (2, 1)):
            if index + distance < len(infos):
                other = infos[index + distance].text
                if parse_byline(other) or is_date_line(other):
                    score += bonus
                    break
        score += (info.words >= 3) + (info.words >= 5)
        if score > best_score:
            best, best_score = index, score
    return best


def find_comment_start(infos: Sequence[BlockInfo], begin: int, options: TextCleanOptions) -> int:
    """Where reader comments begin, or len(infos) when the page has none.

    A comment marker counts only after some article text, and only when comments visibly follow it
    ("says:", "Reply", timestamps) or it is a comment form, or most of the page's prose is above it;
    a "124 Comments" link beside the byline is not the start of the thread.
    """
    signs = [info.words <= 25 and is_comment_sign(info.text) for info in infos]
    prose_before = 0
    prose_total = sum(info.words for info in infos[begin:] if is_prose(info, options))
    for index in range(begin, len(infos)):
        info = infos[index]
        if prose_before >= options.comment_min_article_words:
            followed = any(signs[index + 1 : index + 10])
            if (info.rule == "comment-form" and info.words >= 3) or (
                info.rule == "comment-section" and (followed or prose_before >= prose_total - prose_before)
            ):
                return index
            if signs[index] and followed:
                return _comment_head(infos, index)
        if is_prose(info, options):
            prose_before += info.words
    return len(infos)


def is_comment_sign(text: str) -> bool:
    """True for the furniture of one reader comment: "Jane says:", "Reply", "March 3, 2020 at 5:12 pm"."""
    lowered = text.lower()
    if ":" not in text and not COMMENT_SIGN_HINT.search(lowered):
        return False
    return bool(COMMENT_SIGN.search(text))


def _comment_head(infos: Sequence[BlockInfo], index: int) -> int:
    """Step back from a comment sign over the commenter's name line to the comment's first block."""
    previous = infos[index - 1] if index > 0 else None
    if previous is not None and previous.words <= 4 and not previous.sentence and previous.rule is None:
        return index - 1
    return index


@attrs.frozen
class _Byline:
    """Bylines found near the title: the blocks to remove and what they say."""

    indexes: tuple[int, ...] = ()
    author: str | None = None
    published: PublicationDate | None = None


def find_byline(infos: Sequence[BlockInfo], title: int | None, options: TextCleanOptions) -> _Byline:
    """Byline and date blocks around the title, before the article text starts."""
    start = 0 if title is None else max(0, title - 3)
    indexes: list[int] = []
    author: str | None = None
    published: PublicationDate | None = None
    index = start
    stop = min(len(infos), start + options.title_window)
    while index < stop:
        info = infos[index]
        if is_prose(info, options) and index > (title or 0):
            break
        byline = parse_byline(info.text) if info.words <= 30 else None
        if byline is not None:
            indexes.append(index)
            author = author or byline.author
            published = published or byline.published
        elif is_date_line(info.text) and index != title:
            indexes.append(index)
            date = _line_date(info.text)
            if date is not None and published is None:
                published = date
            elif date is None and published is not None and not published.iso.count("T"):
                published = add_time(published, info.text)
        elif (
            index + 1 < len(infos) and index != title and clean_name(info.text) and info.words <= 4
            and (parse_byline(infos[index + 1].text) or is_date_line(infos[index + 1].text))
        ):
            indexes.append(index)
            author = author or clean_name(info.text)
        index += 1
    return _Byline(tuple(indexes), author, published)


def _line_date(text: str) -> PublicationDate | None:
    """The date a date-only line states, if it states a full one."""
    byline = parse_byline(text)
    if byline is not None and byline.published is not None:
        return byline.published
    return parse_date(text)


def _menu_runs(infos: Sequence[BlockInfo], labels: list[str | None], options: TextCleanOptions) -> None:
    """Label runs of short, sentence-less kept blocks (menus, link lists) as navigation."""
    run: list[int] = []
    for index in [*range(len(infos)), -1]:
        info = infos[index] if index >= 0 else None
        if info is not None and labels[index] is None and not is_text(info, options) and info.words <= options.short_words:
            run.append(index)
            continue
        if info is not None and labels[index] is not None and run:
            continue
        if len(run) >= options.menu_run:
            for member in run:
                labels[member] = "navigation"
        run = []


def _contents_lists(infos: Sequence[BlockInfo], labels: list[str | None], options: TextCleanOptions) -> None:
    """Label a table of contents: a run of short kept lines that come back later as the headings."""
    last_seen: dict[str, int] = {}
    for index, info in enumerate(infos):
        last_seen[info.key] = index
    run: list[int] = []
    for index in [*range(len(infos)), -1]:
        info = infos[index] if index >= 0 else None
        if info is not None and labels[index] is None and not info.sentence and info.words <= 15:
            run.append(index)
            continue
        repeated = [member for member in run if last_seen[infos[member].key] > run[-1]]
        introduced = bool(run) and run[0] > 0 and infos[run[0] - 1].text.endswith(":")
        if len(repeated) >= 3 and len(repeated) >= 0.6 * len(run) and not introduced:
            for member in run:
                labels[member] = "table-of-contents"
        run = []


def _teasers(infos: Sequence[BlockInfo], labels: list[str | None], options: TextCleanOptions) -> None:
    """After a "Related articles" / "See also" marker, label the short teaser lines that follow."""
    for index, info in enumerate(infos):
        if info.rule not in TEASER_RULES:
            continue
        for follower in range(index + 1, min(len(infos), index + 12)):
            other = infos[follower]
            if is_prose(other, options) or (other.sentence and other.words >= options.sentence_words):
                break
            if labels[follower] is None:
                labels[follower] = "related-teaser"


def _captions(infos: Sequence[BlockInfo], labels: list[str | None]) -> None:
    """Label image captions printed twice in a row (alt text then caption), both copies."""
    for index in range(1, len(infos)):
        previous, info = infos[index - 1], infos[index]
        if not info.key or info.words > 40:
            continue
        if previous.key == info.key and info.words > 15 and labels[index] != "image-caption":
            labels[index] = labels[index] or "repeated"
        elif previous.key == info.key or (
            previous.key and info.key.startswith(previous.key) and labels[index] == "image-caption"
        ):
            labels[index - 1] = labels[index - 1] or "image-caption"
            labels[index] = labels[index] or "image-caption"
        elif labels[index] == "image-caption" and previous.words <= 12 and previous.key and (
            previous.key.split()[:2] == info.key.split()[:2]
        ):
            labels[index - 1] = labels[index - 1] or "image-caption"


def _tag_lists(infos: Sequence[BlockInfo], labels: list[str | None], last_text: int) -> tuple[str, ...]:
    """Label tag-list lines after the article's last sentence; return the tags they name."""
    tags: tuple[str, ...] = ()
    for index in range(last_text + 1, len(infos)):
        info = infos[index]
        if info.rule == "tag-list":
            if index + 1 < len(infos) and not tags:
                tags = parse_tags(infos[index + 1].text)
            continue
        if labels[index] in (None, "footer") and TAG_ITEMS.match(info.text) and info.words <= 20:
            labels[index] = "tag-list"
            tags = tags or parse_tags(info.text)
        elif info.rule is None and info.text.lower().startswith(("tags", "tagged")) and parse_tags(info.text):
            labels[index] = "tag-list"
    return tags


def label_blocks(infos: Sequence[BlockInfo], options: TextCleanOptions = DEFAULT_OPTIONS) -> tuple[list[str | None], Metadata]:
    """Decide every block: None to keep, or the name of the rule that removes it; and the metadata."""
    count = len(infos)
    labels: list[str | None] = [None] * count
    title = find_title(infos, options)
    byline = find_byline(infos, title, options)
    title_text, site = (None, None)
    if title is not None:
        title_text, site = split_site(infos[title].text)
        title_key = block_key(title_text)
        for index, info in enumerate(infos):
            if index == title:
                labels[index] = "title"
            elif info.key.startswith(title_key) and (
                info.key == title_key or block_key(split_site(info.text)[0]) == title_key
            ):
                labels[index] = "duplicate-title"
                site = site or split_site(info.text)[1]
    for index in byline.indexes:
        labels[index] = labels[index] or "byline"
    begin = 0 if title is None else title + 1
    for index in author_bios(infos, begin):
        labels[index] = labels[index] or "author-bio"
    weights = region_weights(infos, labels, begin, options)
    start, stop = densest_region(weights, begin, count)
    comments = find_comment_start(infos, start, options)
    if comments < stop:
        start, stop = densest_region(weights, begin, comments)
    stop = extend_region(weights, start, stop, min(comments, count))
    for index, info in enumerate(infos):
        if labels[index] is not None:
            continue
        if index < start:
            labels[index] = info.rule or "navigation"
        elif index >= comments:
            labels[index] = info.rule or "comment-section"
        elif index >= stop:
            labels[index] = info.rule or "footer"
        elif info.rule is not None:
            labels[index] = info.rule
        elif is_date_line(info.text):
            labels[index] = "dateline"
    _teasers(infos, labels, options)
    _captions(infos, labels)
    _contents_lists(infos, labels, options)
    _menu_runs(infos, labels, options)
    last_text = max((i for i in range(count) if labels[i] is None and is_prose(infos[i], options)), default=count)
    tags = _tag_lists(infos, labels, last_text)
    metadata = Metadata(
        title=title_text,
        author=byline.author,
        published=byline.published.iso if byline.published else None,
        published_precision=byline.published.precision if byline.published else None,
        site=site,
        tags=tags,
    )
    return labels, metadata


def clean_text(text: str, options: TextCleanOptions = DEFAULT_OPTIONS) -> CleanResult:
    """Clean flattened page text: every block in order, kept or removed with its rule, and the metadata."""
    infos = [describe(block, options) for block in split_blocks(text, options)]
    labels, metadata = label_blocks(infos, options)
    blocks = tuple(Block(info.text, label) for info, label in zip(infos, labels, strict=True))
    return CleanResult(blocks=blocks, metadata=metadata)
