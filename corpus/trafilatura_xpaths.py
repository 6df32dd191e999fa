"""trafilatura's costliest XPath expressions, evaluated with lxml's tree iterators and Python's ``re``.

trafilatura picks boilerplate boxes and the article's container with XPath expressions whose
``re:test`` (EXSLT regular expressions) calls back from libxml2 into Python for every attribute it
tests: the five below took a fifth of cleaning an HTML page. Each is replaced, in trafilatura's own
lists, by a :class:`TreeSelector` that walks the same elements in document order and tests the same
attributes with the same patterns, so trafilatura selects exactly what it did.

A selector stands in for an expression only when trafilatura's expression is the very text it was
written from (white space aside): another trafilatura version keeps its own expressions until these
are checked against them. ``tests/test_trafilatura_xpaths.py`` compares each selector with libxml2's
evaluation element for element, on real pages and on made-up attribute orders.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator

import attrs
import lxml.etree
import lxml.html


@attrs.frozen
class TreeSelector:
    """What an XPath of the shape ``.//*[self::a or self::b...][test]`` (optionally ``[1]``) selects.

    ``tags`` are the element names the expression admits (empty: any element); ``test`` is its
    predicate; ``first_of_parent`` is a trailing ``[1]``: each parent's first selected child only.
    Called on an element like a compiled ``lxml.etree.XPath``: a list, in document order.
    """

    path: str  # the expression stood in for, white space collapsed (``XPath.path`` has it too)
    tags: tuple[str, ...]
    test: Callable[[lxml.html.HtmlElement], bool]
    first_of_parent: bool = False

    def __call__(self, tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
        """The elements below ``tree`` the expression selects."""
        test = self.test
        found = [element for element in tree.iterdescendants(*(self.tags or (lxml.etree.Element,))) if test(element)]
        if not self.first_of_parent:
            return found
        parents: set[lxml.html.HtmlElement] = set()
        first = []
        for element in found:
            parent = element.getparent()
            if parent not in parents:
                parents.add(parent)
                first.append(element)
        return first


def first_value(element: lxml.html.HtmlElement, name: str, other: str) -> str:
    """XPath's ``string(@name|@other)``: the value of whichever of the two attributes the element has
    first ("" when it has neither)."""
    return first_of(element, name, other, element.get(name), element.get(other))


def first_of(element: lxml.html.HtmlElement, name: str, other: str, value: str | None, other_value: str | None) -> str:
    """:func:`first_value` from the two attributes' values, already read (the tests below read each
    attribute of an element once: lxml makes a new string at every read)."""
    if value is None:
        return other_value or ""
    if other_value is None:
        return value
    keys = element.keys()
    return value if keys.index(name) < keys.index(other) else other_value


MEMO_STRINGS = 50_000  # strings a Found remembers before it starts afresh (a few MB each at most)


class Found(dict):
    """Whether a pattern occurs in a string (``re.search``), remembered per string: pages repeat their
    class names and ids, and a search through one of the long alternations below costs several times a
    dictionary lookup."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self.search = re.compile(pattern).search

    def __missing__(self, value: str) -> bool:
        if len(self) >= MEMO_STRINGS:
            self.clear()
        found = self[value] = self.search(value) is not None
        return found


def _tags(tags: str) -> str:
    """An XPath test that an element is one of ``tags`` (``self::a or self::b``)."""
    return " or ".join(f"self::{tag}" for tag in tags.split())


def collapsed(path: str) -> str:
    """An XPath expression with its runs of white space made single spaces (for comparing sources)."""
    return " ".join(path.split())


# ---- main_extractor.prune_unwanted_sections: OVERALL_DISCARD_XPATH ----------------------------------

_BOX_TAGS = "div item list p section span"
_COOKIE = "cookie"
_BOX_WORDS = "^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author"
_BOX_ID = (f"{_BOX_WORDS}|^(?:jp-|dpsp-content)|bmdh|footer|Footer|share|Share|nav|Nav|menu|related|"
           "message-container|premium|^ad-")
_BOX_CLASS = (f"{_BOX_WORDS}|^(?:nav|post-nav|ZendeskForm)|subnav|avigation|navbar|navbox|menu|bar| ad |-ad-|"
              "(?:^| )ad-|dfp[Aa]d|outbrain|taboola|criteo|paid-?content|widget|footer|Footer|byline|Byline|"
              "share-|sociable|embedded|embed|tag-list|consent|modal-content|permission|elated|next-|-stories|"
              "most-popular|more-on|meta|rating|attachment|timestamp|user-info|user-profile|-icon|"
              "article-infos|message-container|slide|viewport|overlay|options|expand|obfuscated|blurred|"
              "mol-factbox|yin|zlylin|nfoline")
_COOKIE_IN, _BOX_ID_IN, _BOX_CLASS_IN = Found(_COOKIE), Found(_BOX_ID), Found(_BOX_CLASS)


def _is_boilerplate_box(element: lxml.html.HtmlElement) -> bool:
    get = element.get
    id_, class_ = get("id"), get("class")
    return (get("data-lp-replacement-content") is not None
            or "nav" in (get("role") or "").replace("N", "n")
            or "MostPopularStories" in (get("data-component") or "")
            or ((id_ is not None or class_ is not None)
                and (_COOKIE_IN[first_of(element, "id", "class", id_, class_)]
                     or _BOX_ID_IN[id_ or ""]
                     or _BOX_CLASS_IN[class_ or ""])))


BOILERPLATE_BOXES = TreeSelector(
    collapsed(f"""
    .//*[{_tags(_BOX_TAGS)}][
    @data-lp-replacement-content or
    contains(translate(@role, 'N', 'n'), 'nav') or
    contains(@data-component, 'MostPopularStories') or
    re:test(@id|@class, '{_COOKIE}') or
    re:test(@id, '{_BOX_ID}') or
    re:test(@class, '{_BOX_CLASS}')]"""),
    tuple(_BOX_TAGS.split()), _is_boilerplate_box)

_HIDDEN = "hidden"
_HIDDEN_ID = "reader-comments|akismet"
_HIDDEN_CLASS = ("^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print| hidden|"
                 " hide|noprint|notloaded")
_HIDDEN_IN, _HIDDEN_ID_IN, _HIDDEN_CLASS_IN = Found(_HIDDEN), Found(_HIDDEN_ID), Found(_HIDDEN_CLASS)


def _is_hidden_or_reply(element: lxml.html.HtmlElement) -> bool:
    get = element.get
    id_, class_, style = get("id"), get("class"), get("style")
    if id_ is None and class_ is None and style is None:  # none of the three: only the last test can pass
        return get("aria-hidden") == "true"
    return (class_ == "comments-title"
            or first_of(element, "id", "class", id_, class_).startswith("reply-")
            or _HIDDEN_IN[first_of(element, "id", "style", id_, style)]
            or (style is not None and ("display:none" in style or "display: none" in style))
            or (id_ is not None and _HIDDEN_ID_IN[id_])
            or (class_ is not None and _HIDDEN_CLASS_IN[class_])
            or get("aria-hidden") == "true")


HIDDEN_AND_REPLIES = TreeSelector(
    collapsed(f"""
    .//*[@class='comments-title' or
    starts-with(@id|@class, 'reply-') or
    re:test(@id|@style, '{_HIDDEN}') or
    contains(@style, 'display:none') or contains(@style, 'display: none') or
    re:test(@id, '{_HIDDEN_ID}') or
    re:test(@class, '{_HIDDEN_CLASS}') or @aria-hidden='true']"""),
    (), _is_hidden_or_reply)


# ---- core.trafilatura_sequence: REMOVE_COMMENTS_AND_LISTS_XPATH, RAW_TREE_PRUNE_XPATH --------------

_THREAD_TAGS = "div list section details ol ul"
_THREAD_ID = "^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)"
_THREAD_LIST_ID = "^(?:[Cc]omment(?!ary)|comol)"
_THREAD_CLASS = "^[Cc]omment(?!ary)|(?:article|post)-comments"
_THREAD_ID_IN, _THREAD_LIST_ID_IN, _THREAD_CLASS_IN = Found(_THREAD_ID), Found(_THREAD_LIST_ID), Found(_THREAD_CLASS)


def _is_comment_thread(element: lxml.html.HtmlElement) -> bool:
    get = element.get
    id_, class_ = get("id") or "", get("class") or ""
    if _THREAD_CLASS_IN[class_]:
        return True  # the class test alone passes both predicates
    if not _THREAD_ID_IN[id_]:
        return False
    return element.tag not in ("ol", "ul") or _THREAD_LIST_ID_IN[id_]


COMMENT_THREADS = TreeSelector(
    collapsed(f"""
    .//*[{_tags(_THREAD_TAGS)}][
    re:test(@id, '{_THREAD_ID}') or
    re:test(@class, '{_THREAD_CLASS}')][
    not(self::ol or self::ul) or re:test(@id, '{_THREAD_LIST_ID}') or re:test(@class, '{_THREAD_CLASS}')]"""),
    tuple(_THREAD_TAGS.split()), _is_comment_thread)

_APPENDED_TAGS = "div section aside"
_APPENDED_POST = "mvp-post-add-(?:box|wrap)"
_APPENDED = f"{_APPENDED_POST}|infinite-?scroll"
_APPENDED_IN, _APPENDED_POST_IN = Found(_APPENDED), Found(_APPENDED_POST)


def _is_appended_article(element: lxml.html.HtmlElement) -> bool:
    get = element.get
    id_, class_ = get("id") or "", get("class") or ""
    if not _APPENDED_IN[id_] and not _APPENDED_IN[class_]:
        return False
    return (next(element.iterdescendants("h1"), None) is None
            or _APPENDED_POST_IN[id_] or _APPENDED_POST_IN[class_])


APPENDED_ARTICLES = TreeSelector(
    collapsed(f"""
    .//*[{_tags(_APPENDED_TAGS)}][
    re:test(@id, '{_APPENDED}') or
    re:test(@class, '{_APPENDED}')][
    not(.//h1) or re:test(@id, '{_APPENDED_POST}') or re:test(@class, '{_APPENDED_POST}')]"""),
    tuple(_APPENDED_TAGS.split()), _is_appended_article)


# ---- main_extractor._extract: BODY_XPATH[0] -----------------------------------------------------------

_BODY_TAGS = "article div main section"
_BODY_ID = "(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text"
_BODY_CLASS = ("post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|article-?text|"
               "articleText|(?:entry|page|text|article|art)-content|article__content|article(?:-|__)?body|"
               "articleBody|ArticleContent|body-text|article__container")
_BODY_ID_IN, _BODY_CLASS_IN = Found(_BODY_ID), Found(_BODY_CLASS)


def _is_article_body(element: lxml.html.HtmlElement) -> bool:
    get = element.get
    class_ = get("class")
    return (class_ == "post" or class_ == "entry"
            or get("itemprop") == "articleBody" or get("id") == "articleContent"
            or _BODY_ID_IN[get("id") or ""]
            or _BODY_CLASS_IN[class_ or ""])


ARTICLE_BODIES = TreeSelector(
    collapsed(f"""
    .//*[{_tags(_BODY_TAGS)}][
    @class='post' or @class='entry' or
    @itemprop='articleBody' or @id='articleContent' or
    re:test(@id, '{_BODY_ID}') or
    re:test(@class, '{_BODY_CLASS}')
    ][1]"""),
    tuple(_BODY_TAGS.split()), _is_article_body, first_of_parent=True)


#: (trafilatura module, list name, index in the list) -> the selector that stands in for that expression.
SELECTORS: dict[tuple[str, str, int], TreeSelector] = {
    ("trafilatura.xpaths", "OVERALL_DISCARD_XPATH", 0): BOILERPLATE_BOXES,
    ("trafilatura.xpaths", "OVERALL_DISCARD_XPATH", 1): HIDDEN_AND_REPLIES,
    ("trafilatura.xpaths", "REMOVE_COMMENTS_AND_LISTS_XPATH", 0): COMMENT_THREADS,
    ("trafilatura.xpaths", "RAW_TREE_PRUNE_XPATH", 0): APPENDED_ARTICLES,
    ("trafilatura.xpaths", "BODY_XPATH", 0): ARTICLE_BODIES,
}


#: The expressions the selectors replaced, where they stood: what :func:`as_shipped` puts back.
_REPLACED: dict[tuple[str, str, int], lxml.etree.XPath] = {}


def _expressions(module_name: str, list_name: str) -> list | None:
    """trafilatura's list of compiled expressions of that name (None when this version has none)."""
    import importlib

    expressions = getattr(importlib.import_module(module_name), list_name, None)
    return expressions if isinstance(expressions, list) else None


def install() -> list[str]:
    """Put each selector in place of the trafilatura expression it was written from, in the list
    trafilatura reads it from (its modules share the list); returns the names of those replaced.

    An expression whose text differs (another trafilatura version) keeps libxml2's evaluation.
    """
    replaced = []
    for key, selector in SELECTORS.items():
        module_name, list_name, position = key
        expressions = _expressions(module_name, list_name)
        if expressions is None or position >= len(expressions):
            continue
        current = expressions[position]
        if current is selector or (isinstance(current, lxml.etree.XPath) and collapsed(current.path) == selector.path):
            if current is not selector:
                _REPLACED[key] = current
            expressions[position] = selector
            replaced.append(f"{list_name}[{position}]")
    return replaced


@contextlib.contextmanager
def as_shipped() -> Iterator[None]:
    """trafilatura with its own expressions for a while (a benchmark timing trafilatura itself in a
    process where docket has cleaned a page), then the selectors again."""
    for (module_name, list_name, position), expression in _REPLACED.items():
        _expressions(module_name, list_name)[position] = expression
    try:
        yield
    finally:
        for key in _REPLACED:
            module_name, list_name, position = key
            _expressions(module_name, list_name)[position] = SELECTORS[key]
