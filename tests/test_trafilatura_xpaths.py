"""trafilatura's costliest XPath expressions evaluated in Python select exactly what libxml2 selects."""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.etree
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import trafilatura_xpaths
from corpus.clean_html import clean_html, extractor, parse_document
from corpus.trafilatura_xpaths import SELECTORS, TreeSelector, first_value

PAGES = Path(os.environ.get("DOCKET_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "bench" / \
    "extraction-dev" / "html"
needs_pages = pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/bench/extraction-dev is not beside the project")
REGEXP = {"re": "http://exslt.org/regular-expressions"}


@functools.cache
def libxml2(selector: TreeSelector) -> lxml.etree.XPath:
    """The XPath expression a selector stands in for, compiled as trafilatura compiles it."""
    return lxml.etree.XPath(selector.path, namespaces=REGEXP)


def assert_same_selection(tree: lxml.etree._Element) -> None:
    """Every selector picks the elements its expression picks below ``tree``, in the same order."""
    for selector in SELECTORS.values():
        assert libxml2(selector)(tree) == selector(tree), selector.path[:60]


def test_every_selector_stands_in_for_the_pinned_trafilatura() -> None:
    """Each selector was written from trafilatura 2.3.1's very expression and is in its list after install."""
    extractor()
    assert sorted(trafilatura_xpaths.install()) == sorted(f"{name}[{at}]" for _module, name, at in SELECTORS)
    for (module, name, at), selector in SELECTORS.items():
        assert getattr(importlib.import_module(module), name)[at] is selector


@contextlib.contextmanager
def in_trafilatura(replacements: dict[tuple[str, str, int], object]) -> Iterator[None]:
    """Put objects in trafilatura's expression lists for a while, then the selectors back."""
    extractor()
    try:
        for (module, name, at), replacement in replacements.items():
            getattr(importlib.import_module(module), name)[at] = replacement
        yield
    finally:
        for (module, name, at), selector in SELECTORS.items():
            getattr(importlib.import_module(module), name)[at] = selector


def test_an_expression_of_another_version_keeps_libxml2() -> None:
    """A trafilatura expression that is not the text a selector was written from is left alone."""
    changed = lxml.etree.XPath(".//*[self::div][re:test(@class, 'something-else')]", namespaces=REGEXP)
    module, name, at = next(iter(SELECTORS))
    with in_trafilatura({(module, name, at): changed}):
        assert f"{name}[{at}]" not in trafilatura_xpaths.install()
        assert getattr(importlib.import_module(module), name)[at] is changed


@pytest.mark.parametrize(("markup", "expected"), [
    ('<div id="a" class="b">', "a"),
    ('<div class="b" id="a">', "b"),
    ('<div class="b">', "b"),
    ('<div title="t">', ""),
    ('<div id="" class="b">', ""),
])
def test_first_value_is_the_attribute_written_first(markup: str, expected: str) -> None:
    """string(@id|@class) is the value of whichever attribute the page wrote first."""
    element = parse_document(f"<html><body>{markup}x</div></body></html>").find(".//div")
    assert expected == first_value(element, "id", "class")


ATTRIBUTE_ORDERS = """<html><body>
<div class="share-box" id="cookie-notice"><p>a</p></div>
<div id="share" class="cookie-notice"><p>b</p></div>
<section id="story" class="reply-to"><span style="color:red" id="hidden-x">c</span></section>
<div style="display: none" class="x"><p>d</p></div>
<span class="reply-link" id="r1">e</span><span id="reply-7" class="link">f</span>
<p role="NAVIGATION">g</p><p role="main">h</p><div data-lp-replacement-content="">i</div>
<div aria-hidden="true">j</div><div class="comments-title">k</div><div class="x comments-title">l</div>
<ol id="comments"><li>m</li></ol><ul class="comment-list"><li>n</li></ul><div id="commentary">o</div>
<details id="comment-form">p</details><ol id="dsq-comments"><li>q</li></ol><div id="disqus_thread">r</div>
<aside class="mvp-post-add-box"><h1>s</h1></aside><div id="infinite-scroll"><h1>t</h1></div>
<section class="infinitescroll"><p>u</p></section>
<main><div class="post">v</div><div class="entry">w</div><article class="article-body"><div itemprop="articleBody">
<section id="articleContent">x</section></div></article></main>
<div><item class="meta">y</item><list class=" ad ">z</list><item class="header-bar">z</item></div>
</body></html>"""


def test_made_up_attribute_orders_select_the_same() -> None:
    """Attributes in either order, empty, absent or nested: each selector agrees with libxml2."""
    tree = parse_document(ATTRIBUTE_ORDERS)
    assert_same_selection(tree)
    assert all(selector(tree) for selector in SELECTORS.values())  # the page gives every one something


def test_a_trailing_one_keeps_each_parents_first_match() -> None:
    """``[1]`` after the predicate selects each parent's first matching child, not only the first overall."""
    tree = parse_document('<html><body><div class="post">a<div class="entry">b</div><div class="post">c</div></div>'
                          '<main><section class="post-body">d</section></main></body></html>')
    selected = SELECTORS["trafilatura.xpaths", "BODY_XPATH", 0](tree)
    assert ["post", "entry", "post-body"] == [element.get("class") for element in selected]
    assert libxml2(SELECTORS["trafilatura.xpaths", "BODY_XPATH", 0])(tree) == selected


WORDS = ["cookie", "share", "Share-box", "reply-", "hidden", "display:none", "display: none", "comments-title",
         "Comment", "commentary", "comol", "post", "entry", "articleBody", "article-body", "mvp-post-add-box",
         "infinite-scroll", "NAV", "nav", " ad ", "ad-", "-ad-", "widget", "main", "content", "true", "x", ""]
TAGS = ["div", "p", "span", "section", "article", "main", "aside", "ol", "ul", "details", "item", "list", "h1", "a"]
ATTRIBUTES = ["id", "class", "style", "role", "data-component", "aria-hidden", "itemprop",
              "data-lp-replacement-content"]


@st.composite
def pages(draw: st.DrawFn, depth: int = 0) -> str:
    """Random nested markup whose attributes, in random order, mix the words the expressions test."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        tag = draw(st.sampled_from(TAGS))
        names = draw(st.lists(st.sampled_from(ATTRIBUTES), unique=True, max_size=4))
        values = [" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2))) for _ in names]
        attributes = "".join(f' {name}="{value}"' for name, value in zip(names, values, strict=True))
        inner = draw(pages(depth + 1)) if depth < 3 and draw(st.booleans()) else "text"
        parts.append(f"<{tag}{attributes}>{inner}</{tag}>")
    return "".join(parts)


@settings(max_examples=200, deadline=None)
@given(pages())
def test_random_markup_selects_the_same(markup: str) -> None:
    """On random trees of the tested words and attributes, each selector agrees with libxml2."""
    assert_same_selection(parse_document(f"<html><body>{markup}</body></html>"))


@needs_pages
def test_real_pages_select_the_same_as_parsed() -> None:
    """On every other real page as parsed, each selector agrees with libxml2."""
    for page in sorted(PAGES.glob("*.html"))[::2]:
        assert_same_selection(parse_document(page.read_text(encoding="utf-8", errors="replace")))


class Compared:
    """An expression in trafilatura's list that evaluates both ways and records any disagreement."""

    def __init__(self, selector: TreeSelector, disagreements: list[str]) -> None:
        self.selector, self.path, self.disagreements = selector, selector.path, disagreements
        self.expression = libxml2(selector)
        self.calls = 0

    def __call__(self, tree: lxml.etree._Element) -> list:
        self.calls += 1
        selected = self.selector(tree)
        if self.expression(tree) != selected:
            self.disagreements.append(self.path[:60])
        return selected


@needs_pages
def test_real_pages_select_the_same_where_trafilatura_asks() -> None:
    """Inside trafilatura (trees it has pruned and renamed), on every fifth real page, each selector agrees."""
    disagreements: list[str] = []
    compared = {key: Compared(selector, disagreements) for key, selector in SELECTORS.items()}
    with in_trafilatura(compared):
        for page in sorted(PAGES.glob("*.html"))[::5]:
            clean_html(page.read_text(encoding="utf-8", errors="replace"))
    assert [] == disagreements
    assert all(item.calls >= 50 for item in compared.values())


def test_trafilatura_as_shipped_has_its_own_expressions_for_a_while() -> None:
    """A benchmark of trafilatura itself gets libxml2's expressions back, and the selectors return after."""
    extractor()
    with trafilatura_xpaths.as_shipped():
        for module, name, at in SELECTORS:
            assert isinstance(getattr(importlib.import_module(module), name)[at], lxml.etree.XPath)
    for (module, name, at), selector in SELECTORS.items():
        assert getattr(importlib.import_module(module), name)[at] is selector


def test_a_found_memo_answers_as_the_search_and_stays_bounded(monkeypatch) -> None:
    """A memo of a pattern says what ``re.search`` says of each string, and starts afresh when full."""
    monkeypatch.setattr(trafilatura_xpaths, "MEMO_STRINGS", 3)
    found = trafilatura_xpaths.Found("^shar|nav")
    for value in ["share-box", "x nav", "", "sharing", "footer", "navbar", "share-box"]:
        assert found[value] == (re.search("^shar|nav", value) is not None)
        assert len(found) <= 3
