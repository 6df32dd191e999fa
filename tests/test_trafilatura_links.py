"""docket's link-density test answers exactly as trafilatura's own, reading less of each box."""

from __future__ import annotations

import os
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import trafilatura.htmlprocessing as shipped
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import trafilatura_links
from corpus.clean_html import clean_html, extractor
from corpus.trafilatura_links import link_density_test, trimmed_length

PAGES = Path(os.environ.get("DOCKET_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "bench" / \
    "extraction-dev" / "html"
needs_pages = pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/bench/extraction-dev is not beside the project")
SPACES = " \t\n\r\x0b\x0c\x1c\xa0\u2009\u3000"


def original() -> object:
    """trafilatura's own link-density test (installed by the first cleaning, kept aside)."""
    extractor()
    return trafilatura_links._SHIPPED["link_density_test"]  # noqa: SLF001


def collapsed_length(text: str) -> int:
    """trafilatura's ``len(trim(text))``."""
    return len(" ".join(text.split()).strip())


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab" + SPACES), max_size=3_000), enough=st.integers(-5, 1_200))
def test_trimmed_length_is_exact_below_enough_and_a_bound_above(text: str, enough: int) -> None:
    exact = collapsed_length(text)
    answer = trimmed_length(text, enough)
    if exact < enough:
        assert answer == exact
    else:
        assert enough <= answer <= exact


def test_trimmed_length_reads_a_long_text_no_further_than_needed() -> None:
    """A box of 100,000 characters answers "at least 300" from its first few hundred."""
    text = "word " * 20_000
    assert 300 <= trimmed_length(text, 300) < 1_000
    assert trimmed_length(text, 10**6) == collapsed_length(text)


def test_installed_in_place_of_the_pinned_trafilatura() -> None:
    extractor()
    assert shipped.link_density_test is link_density_test
    assert trafilatura_links.install()


def test_another_version_keeps_its_own() -> None:
    """A link-density test whose source is not the one this was written from is left alone."""
    extractor()

    def changed(element, favor_precision=False):  # noqa: ANN001, ANN202 - trafilatura's signature
        return False, False

    shipped.link_density_test = changed
    try:
        assert not trafilatura_links.install()
        assert shipped.link_density_test is changed
    finally:
        shipped.link_density_test = link_density_test


def test_as_shipped_puts_trafilaturas_own_back_for_a_while() -> None:
    with trafilatura_links.as_shipped():
        assert shipped.link_density_test is original()
    assert shipped.link_density_test is link_density_test


def _box(children: list[tuple[str, str, str]], tag: str, tail_sibling: bool) -> lxml.etree._Element:
    """A box as trafilatura sees it after renaming tags (links are ``ref``, images ``graphic``)."""
    root = lxml.html.Element("body")
    box = lxml.etree.SubElement(root, tag)
    box.text = "  \n "
    for kind, text, tail in children:
        child = lxml.etree.SubElement(box, kind)
        child.text, child.tail = text, tail
        if kind == "p":  # a paragraph holding a link of its own
            lxml.etree.SubElement(child, "ref").text = text[::-1]
    if tail_sibling:
        lxml.etree.SubElement(root, "div").text = "after"
    return box


# words and the white space of indented markup, so a box's text may collapse to a fraction of its length
_PIECES = st.sampled_from(["a", "word", "linked ", " ", "\n" + " " * 24, "\t\t", "\xa0", "\u3000"])
_TEXT = st.lists(_PIECES, max_size=90).map("".join)
_CHILD = st.tuples(st.sampled_from(["ref", "ref", "ref", "hi", "p", "graphic", "span"]), _TEXT, _TEXT)


@settings(max_examples=600, deadline=None)
@given(children=st.lists(_CHILD, max_size=9), tag=st.sampled_from(["div", "p", "list"]),
       tail_sibling=st.booleans(), favor_precision=st.booleans())
def test_made_up_boxes_answer_as_trafilatura(children, tag, tail_sibling, favor_precision) -> None:
    box = _box(children, tag, tail_sibling)
    assert link_density_test(box, favor_precision) == original()(box, favor_precision)


_WIDE = " " * 600  # indentation: the prefix read first holds none of what follows it


@pytest.mark.parametrize(("text", "children", "expected"), [
    # one long link, then far-off text that keeps it under nine tenths of the box
    ("", [("ref", "x" * 150, _WIDE + "y" * 200)], (False, False)),
    # 299 characters, then far-off text that takes the box past its 300 limit
    ("a" * 298, [("ref", "l", _WIDE + "b" * 10)], (False, False)),
    # five links of 70, then far-off text that keeps them under nine tenths of the box
    ("", [("ref", "x" * 70, " ")] * 4 + [("ref", "x" * 70, _WIDE * 2 + "y" * 50)], (False, False)),
    # the same without the far-off text: a link farm, a lone link box, a short box
    ("", [("ref", "x" * 70, " ")] * 5, (True, False)),
    ("", [("ref", "x" * 150, _WIDE)], (True, False)),
    ("a" * 298, [("ref", "l", _WIDE)], (False, True)),
])
def test_text_beyond_the_first_read_decides_as_in_trafilatura(text, children, expected) -> None:
    """Boxes whose answer turns on text far past the prefix read first."""
    box = _box(children, "div", tail_sibling=False)
    box.text = text
    assert original()(box) == expected
    assert link_density_test(box) == expected


class Compared:
    """A link-density test in trafilatura's place that asks both and records any disagreement."""

    def __init__(self) -> None:
        self.calls, self.removed, self.disagreements = 0, 0, []

    def __call__(self, element: lxml.etree._Element, favor_precision: bool = False) -> tuple[bool, bool]:
        expected = original()(element, favor_precision)
        self.calls += 1
        self.removed += expected[0]
        if link_density_test(element, favor_precision) != expected:
            self.disagreements.append(lxml.etree.tostring(element)[:200])
        return expected


@needs_pages
def test_real_pages_answer_as_trafilatura_where_it_asks() -> None:
    """On every fourth real page, each box trafilatura tests gets trafilatura's answer."""
    compared = Compared()
    original()
    shipped.link_density_test = compared
    try:
        for page in sorted(PAGES.glob("*.html"))[::4]:
            clean_html(page.read_text(encoding="utf-8", errors="replace"))
    finally:
        shipped.link_density_test = link_density_test
    assert [] == compared.disagreements
    assert compared.calls > 5_000 and compared.removed > 100
