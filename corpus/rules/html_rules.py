"""The HTML cleaner's rules as data: tags, class/id patterns and thresholds, applied by ``clean_html``.

Each rule has a short stable name; a removed ``Block`` carries it in ``Block.rule``.
"""

from __future__ import annotations

import re

import attrs

# --- rule names (what ``Block.rule`` carries) ---------------------------------------------------

TITLE = "title"
HIDDEN = "hidden"
NON_CONTENT_TAG = "non-content-tag"
NAVIGATION = "navigation"
COMMENT_SECTION = "comment-section"
SHARE_WIDGET = "share-widget"
RELATED_TEASER = "related-teaser"
NEWSLETTER = "newsletter"
COOKIE_NOTICE = "cookie-notice"
ADVERTISEMENT = "advertisement"
SIDEBAR = "sidebar"
FOOTER = "footer"
HEADER = "header"
BYLINE = "byline"
AUTHOR_BIO = "author-bio"
TAG_LIST = "tag-list"
IMAGE_CAPTION = "image-caption"
TABLE_OF_CONTENTS = "table-of-contents"
LINK_DENSE = "link-dense"
DUPLICATE_TITLE = "duplicate-title"
DUPLICATE_BLOCK = "duplicate-block"
OUTSIDE_ARTICLE = "outside-article"

# --- tags ------------------------------------------------------------------------------------------

#: Never visible: their text is not part of the page a reader sees, so it yields no block at all.
INVISIBLE_TAGS = frozenset(
    {
        "script", "style", "template", "head", "title", "meta", "link", "noscript", "iframe",
        "object", "embed", "math", "canvas", "video", "audio", "source", "track", "map",
        "param", "picture", "img", "input", "datalist",
    }
)

#: Shown, but not prose: a drawing's labels and tooltips (SVG <text>, <title>, <desc>) and a form
#: field's text.  Each yields one block, always removed (``NON_CONTENT_TAG``), so the audit trail
#: accounts for it; the drawing is detached from the tree once the page is cut into blocks.
DRAWN_TEXT_TAGS = frozenset({"svg", "textarea"})

#: Invisible elements removed from the tree before it is walked (what the extractor drops anyway).
STRIPPED_TAGS = (
    "head", "script", "style", "noscript", "template", "iframe", "link", "meta", "path", "object",
    "embed", "img", "picture", "source", "input", "video", "audio", "canvas", "track", "param", "area", "map",
)

#: Inline formatting unwrapped (text kept) once the page is cut into blocks, before the extractor runs.
UNWRAPPED_TAGS = (
    "span", "font", "b", "i", "em", "strong", "small", "u", "s", "mark", "abbr", "sup", "sub", "ins", "del", "bdi", "bdo", "wbr",
)

#: The id React gives a streamed part of the page: sent ``hidden`` and shown by its script at once.
STREAMED_CONTENT_ID = re.compile(r"S:\d+")

#: Boxes the extractor never keeps: detached (tails kept) once the page is cut into blocks.
DETACHED_TAGS = ("nav", "aside", "footer", "menu", "button", "select", "textarea", "dialog", "label", "fieldset", "svg")

#: Elements that start a new block of text (html-text style paragraph boundaries).
BLOCK_TAGS = frozenset(
    {
        "html", "body", "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td",
        "th", "dt", "dd", "figcaption", "caption", "address", "div", "section", "article", "main",
        "header", "footer", "nav", "aside", "form", "table", "thead", "tbody", "tfoot", "tr", "ul",
        "ol", "dl", "figure", "center", "details", "summary", "fieldset", "legend", "hr", "menu",
        "dialog", "button", "select", "option", "optgroup", "label", "hgroup",
    }
)

#: Controls and widgets: what they say is an interface, not the article.
NON_CONTENT_TAGS = frozenset(
    {"button", "select", "option", "optgroup", "label", "form", "fieldset", "legend", "dialog", *DRAWN_TEXT_TAGS}
)

#: Structural tags that name a boilerplate role by themselves (HTML5 sectioning).
ROLE_TAGS: tuple[tuple[str, str], ...] = (
    ("nav", NAVIGATION),
    ("footer", FOOTER),
    ("aside", SIDEBAR),
    ("menu", NAVIGATION),
)

#: ARIA roles that name a boilerplate role.
ROLE_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("navigation", NAVIGATION),
    ("contentinfo", FOOTER),
    ("complementary", SIDEBAR),
    ("banner", HEADER),
    ("menu", NAVIGATION),
    ("menubar", NAVIGATION),
    ("dialog", COOKIE_NOTICE),
    ("alertdialog", COOKIE_NOTICE),
)

# --- class/id patterns -------------------------------------------------------------------------------
# Matched against the lower-cased ``class`` and ``id`` values of an element; words are separated by
# spaces, hyphens or underscores, so each pattern is anchored on those separators.

#: Class names WordPress and other CMSs put on the article itself (``tag-chechnya``, ``category-news``):
#: they name the article's taxonomy, not a boilerplate box, so they are ignored.
TAXONOMY_CLASS = re.compile(
    r"(?:(?:post|postid|page-id)-\d+|has-.*|(?:tag|category|author|format|type|status)-"
    r"(?!(?:links?|list|cloud|box|bio|info|meta|name|avatar|wrap|title|area|section)$).*)"
)

#: What separates the words of a class or id ("comment-list", "share_buttons", "post meta").
CLASS_WORD_SEPARATOR = re.compile(r"[^a-z0-9]+")

#: Per rule, the words of a class or id that name it; each pattern must match a whole word, or two
#: neighbouring words written together ("read-more" is tried as "readmore").  In order: the first
#: rule matched wins, and comment sections come first, since reader comments are never content.
CLASS_ID_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        COMMENT_SECTION,
        (
            r"comments?", r"comment(?:ing|list|area|wrap|wrapper|section|form|respond|body|content|container|block)s?",
            r"commentsarea", r"respond", r"disqus\w*", r"discussion", r"replies", r"wpdiscuz\w*",
            r"reply(?:title|form)", r"fbcomments", r"reactions",
        ),
    ),
    (COOKIE_NOTICE, (r"cookies?\w*", r"consent\w*", r"gdpr\w*", r"onetrust\w*", r"ccwindow", r"ccbanner")),
    (
        SHARE_WIDGET,
        (
            r"share\w*", r"sharing", r"sharedaddy", r"social\w*", r"addtoany", r"a2a\w*", r"sharethis", r"shariff",
            r"ssba\w*", r"heateor\w*", r"follow", r"followus",
        ),
    ),
    (
        NEWSLETTER,
        (
            r"newsletter\w*", r"subscribe\w*", r"subscription\w*", r"signup", r"mailchimp", r"mc4wp\w*", r"optin\w*",
            r"mailing", r"email(?:signup|form|capture)", r"lead(?:gen|form)", r"cta", r"paywall\w*", r"regwall",
            r"restrictedcontent\w*",
        ),
    ),
    (
        RELATED_TEASER,
        (
            r"related\w*", r"jprelatedposts", r"yarpp\w*", r"crp", r"recommend\w*", r"more(?:stories|articles|posts)",
            r"also(?:like|read)", r"read(?:more|next)", r"prevnext", r"post(?:navigation|nav)", r"nav(?:links|previous|next)",
            r"next(?:post|article)", r"previous(?:post|article)", r"popular\w*", r"trending", r"teasers?\w*",
            r"outbrain", r"taboola", r"latest(?:posts|news|articles)?", r"recent(?:posts|news|articles)?",
        ),
    ),
    (ADVERTISEMENT, (r"ads?", r"advert\w*", r"adsbygoogle", r"sponsor\w*", r"promo\w*", r"adsense", r"dfp", r"gpt")),
    (
        NAVIGATION,
        (
            r"nav", r"navbar", r"navigation", r"menu\w*", r"breadcrumbs?", r"skip", r"pagination", r"pager",
            r"megamenu", r"gnav", r"topbar", r"masthead",
        ),
    ),
    (TABLE_OF_CONTENTS, (r"toc\w*", r"table(?:of)?contents?", r"eztoc", r"lwptoc\w*")),
    (FOOTER, (r"footer\w*", r"copyright", r"colophon", r"legal")),
    (SIDEBAR, (r"sidebar\w*", r"aside", r"rail")),
    (
        BYLINE,
        (
            r"byline\w*", r"author\w*", r"post(?:meta|info|date|author)", r"entry(?:meta|date)", r"meta",
            r"posted(?:on|by)?", r"dateline", r"published", r"date", r"avatar",
        ),
    ),
    (TAG_LIST, (r"tags?(?:links|list|cloud)?", r"post(?:tags|categories)", r"cat(?:links)?", r"categor(?:y|ies)", r"taxonomy")),
    (IMAGE_CAPTION, (r"caption\w*", r"credit", r"photocredit", r"image(?:credit|caption)")),
)

#: One pattern for all the words above: the name of the group that matched is the rule's index.
CLASS_ID_WORD_PATTERN = re.compile(
    "|".join(f"(?P<r{index}>{'|'.join(words)})" for index, (_, words) in enumerate(CLASS_ID_WORDS))
)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
)

#: Short blocks that say what they are by their words alone (for pages whose class names say
#: nothing): bylines, datelines, share prompts, credits, sign-up calls.  Matched, case-insensitive,
#: against the whole text of a block no longer than ``max_phrase_block_chars``.
TEXT_PATTERNS: tuple[tuple[str, bool, re.Pattern[str]], ...] = tuple(
    (rule, even_if_kept, re.compile(pattern, re.IGNORECASE))
    for rule, even_if_kept, pattern in (
        (
            BYLINE, True,
            r"(?:written |posted |reviewed |edited )?by:?(?:\s+[\w.'’-]+(?:\s+[\w.'’-]+){0,3}(?:\s*(?:[,|•·]|and\b|on\b).*)?)?",
        ),
        (
            BYLINE, True,
            r"\[?(?:published|updated|last updated|last modified|posted|posted on|last reviewed|reviewed|submitted|modified|date)"
            rf"(?: on)?:?\s*{_DATE}.{{0,40}}",
        ),
        # a bare date is a dateline only where the extractor did not keep it (event lists have dates)
        (BYLINE, False, rf"{_DATE}.{{0,40}}"),
        (BYLINE, True, r"(?:\d+\s*(?:min|mins|minute|minutes)\.?(?:\s+read)?|(?:estimated )?read(?:ing)? time:?.*)"),
        (
            SHARE_WIDGET, True,
            r"(?:share|share this(?: article| post| page| story)?|share on \w+|tweet|print|print this(?: page| article)?"
            r"|email this|copy link|pin it)[.:!]?",
        ),
        (
            IMAGE_CAPTION, True,
            r"(?:image|photo|photograph|picture|illustration|credit|courtesy)(?: credit)?\s*(?::|©|by\b).*"
            r"|©.{0,80}|courtesy of .*",
        ),
        (NEWSLETTER, True, r".{0,60}\b(?:sign up|subscribe|newsletter|inbox|paid subscriber)\b.{0,80}"),
        (ADVERTISEMENT, True, r"(?:advertisement|sponsored|ad|promoted)[.:]?"),
        (
            RELATED_TEASER, True,
            r"(?:read more|read next|related(?: posts| articles| stories| reading)?|see also|you may also like"
            r"|more from .{1,40}|recommended(?: for you)?)[.:!…]*",
        ),
        (TAG_LIST, True, r"(?:tags?|topics?|categories|filed under|posted in)\s*:.*|(?:tags|topics)"),
    )
)

#: Longer blocks that still say what they are: a caption ending in its photo credit ("... | Photo by
#: Jane Doe"), a copyright line, a sign-up form's consent line.  Matched, case-insensitive, against the whole text of a block no
#: longer than ``max_notice_block_chars``, whether the extractor kept it or not.
NOTICE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (rule, re.compile(pattern, re.IGNORECASE))
    for rule, pattern in (
        (IMAGE_CAPTION, r".*[.!?|•—–-]\s*\(?(?:photo|photograph|picture)s?(?: credit)?(?:\s*:|\s+by\b)[^.|]{1,60}\)?\.?"),
        (
            NEWSLETTER,
            r"by (?:signing up|subscribing|submitting|registering|continuing|entering your [\w-]+|clicking\b[^,.]{0,40}),?"
            r" you (?:agree|consent|acknowledge|accept)\b.*|thanks? (?:you )?for (?:signing up|subscribing)[.!]?",
        ),
        (FOOTER, r"(?:copyright\s*(?:©\s*)?|©\s*)(?:\d{4}|copyright)\b.*|.*\ball rights reserved\b.*"),
    )
)


def first_full_match(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    """One pattern trying ``patterns`` in order: its ``fullmatch`` succeeds where one of theirs does,
    and its ``lastindex`` is the 1-based place of the first that does (an alternation is tried in
    order, and none of these patterns has groups of its own; all share their flags)."""
    grouped = [pattern.pattern for pattern in patterns if pattern.groups]
    if grouped:
        raise ValueError(f"a pattern with groups of its own cannot join an ordered alternation: {grouped[0]!r}")
    flags = {pattern.flags for pattern in patterns}
    if len(flags) != 1:
        raise ValueError(f"patterns with different flags cannot join one alternation: {sorted(flags)}")
    return re.compile("|".join(f"({pattern.pattern})" for pattern in patterns), flags.pop())


#: NOTICE_PATTERNS as one pattern; TEXT_PATTERNS as one (a block the extractor did not keep) and those
#: that apply even to a kept block as another, with their rules in the same order.
NOTICE_RULES = tuple(rule for rule, _pattern in NOTICE_PATTERNS)
NOTICE_PATTERN = first_full_match(tuple(pattern for _rule, pattern in NOTICE_PATTERNS))
TEXT_RULES = tuple(rule for rule, _kept, _pattern in TEXT_PATTERNS)
TEXT_PATTERN = first_full_match(tuple(pattern for _rule, _kept, pattern in TEXT_PATTERNS))
KEPT_TEXT_RULES = tuple(rule for rule, kept, _pattern in TEXT_PATTERNS if kept)
KEPT_TEXT_PATTERN = first_full_match(tuple(pattern for _rule, kept, pattern in TEXT_PATTERNS if kept))

_COUNT = r"(?:\d+|no|one|two|three|four|five|six|seven|eight|nine|ten)"

#: The heading of a reader-comment thread whose markup does not say what it is: what follows it, in
#: the box that holds it, is the thread ("3 Comments", "12 thoughts on “Title”", "Leave a Reply").
#: Strict on purpose: "Discussion" or "Responses" alone heads a section of many articles.
COMMENT_HEADING = re.compile(
    rf"(?:{_COUNT}\s+(?:comments?|responses?|replies|thoughts?|reactions?)(?:\s+(?:on|to)\b.*)?"
    r"|(?:(?:reader|user|readers[’']?|visitor)\s+)?comments?(?:\s*\(\d+\))?"
    r"|(?:view|show|read|see|load)\s+(?:all\s+)?(?:\d+\s+)?comments?(?:\s*\(\d+\))?"
    r"|(?:leave|post|add|write|submit)\s+(?:a|your)\s+(?:comment|reply|response)"
    r"|join the (?:discussion|conversation)|have your say|comments are closed)\s*[.:!]?",
    re.IGNORECASE,
)

#: The opening of an "about the author" note, after the author's name: "Jane Doe is a reporter...",
#: "Jane has written for...", "Jane Doe, Editor, ...".
AUTHOR_BIO_OPENING = re.compile(
    r"(?:\s+\([^)]{1,60}\))?(?:\s+(?:is|was)\s+(?:a|an|the)\b|\s+has\s+(?:been|written|worked|covered|spent|reported)\b"
    r"|,\s+(?:(?:senior|associate|deputy|contributing|staff|managing|executive)\s+)?(?:editor|writer|reporter|correspondent"
    r"|journalist|author|columnist|contributor)\b)",
    re.IGNORECASE,
)

#: A short lead-in ending in a colon ("Key features include:"): repeated, it heads a list in each
#: section of the article, so its copies are not removed as duplicates.
LEAD_IN_LABEL = re.compile(r"[^:]{1,60}:")

#: Cells and items of tables and lists are data: the text patterns never apply to them.
DATA_TAGS = frozenset({"td", "th", "li", "dd", "dt"})

#: Rules of ancestors strong enough to remove a block that the extractor kept.
STRONG_RULES = frozenset({COMMENT_SECTION, COOKIE_NOTICE, SHARE_WIDGET, NEWSLETTER, RELATED_TEASER, ADVERTISEMENT})


@attrs.frozen
class HtmlCleaningOptions:
    """Thresholds of the HTML cleaner: link density, text lengths, and how blocks are matched."""

    #: A block whose share of characters inside links exceeds this is navigation-like.
    max_link_density: float = 0.5
    #: Blocks shorter than this (characters) are "short": matched to the extractor's text by position.
    short_block_chars: int = 25
    #: How far (characters of the extractor's text) past the last match a short block may be found.
    short_block_window: int = 40
    #: The article region is the deepest element holding this share of the extractor's text.
    region_share: float = 0.85
    #: Kept blocks at least this long (characters) that repeat an earlier kept block are dropped.
    min_duplicate_chars: int = 20
    #: A kept block at least this long whose word 4-grams mostly repeat other kept text is a copy.
    min_copy_chars: int = 1000
    max_copy_share: float = 0.5
    #: A block reads like prose when at least this long with at most this share of link text.
    min_paragraph_chars: int = 80
    max_paragraph_link_density: float = 0.2
    #: The region widens to its parent when the parent adds this much prose, and more prose than
    #: ``widen_ratio`` times the rest.
    min_widen_chars: int = 200
    widen_ratio: float = 1.0
    #: An element holding this share of the extractor's text names no boilerplate rule.
    protected_share: float = 0.5
    #: An element holding more than this share of the article region's prose names no class/id rule
    #: (reader comments excepted): a hint word inside a compound name ("map-and-related") is not the article.
    protected_prose_share: float = 0.5
    #: An <article> holding less than this share of the extractor's text is another article's teaser.
    foreign_article_share: float = 0.05
    #: How many ancestors are looked at to tell a block in reader comments (for docket's own guess).
    comment_probe_depth: int = 8
    #: docket's own guess replaces the extractor's region when it holds this many times more prose.
    missed_prose_ratio: float = 3.0
    #: A block the extractor dropped is recovered only when one of this many nearest ancestors
    #: holds text it kept.
    neighbourhood_depth: int = 6
    #: Blocks up to this long (characters) are tested against ``TEXT_PATTERNS``.
    max_phrase_block_chars: int = 120
    #: Blocks up to this long (characters) are tested against ``NOTICE_PATTERNS``.
    max_notice_block_chars: int = 300
    #: Share of a block's words the extractor must have kept for the block to count as kept by it.
    min_vote_share: float = 0.5
    #: A comment heading is believed only after this share of the kept text (comments follow the article).
    min_share_before_comments: float = 0.25
    #: Blocks up to this long (characters) may be a comment thread's heading.
    max_comment_heading_chars: int = 80
    #: An "about the author" note is at most this long (characters).
    max_author_bio_chars: int = 600


DEFAULT_OPTIONS = HtmlCleaningOptions()
