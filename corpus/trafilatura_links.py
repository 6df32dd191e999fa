"""trafilatura's link-density test, answering as trafilatura's does while reading less of each container.

trafilatura prunes link-heavy boxes by testing every ``div``, list and paragraph of the candidate
article, twice: the test collapses the white space of the box's whole text (``trim``) only to compare
its length with a few hundred characters or with the length of the box's links. On a real page that
is the text of every enclosing container again and again: a twelfth of cleaning an HTML page.

Every use of that length is a test that passes only for a short text, so the length of a prefix of
the text decides it once the prefix is long enough (the collapsed length of a prefix never exceeds
the whole's): :func:`trimmed_length` reads as much as the question needs. The rest of the test is
trafilatura 2.3.1's, step for step.

:func:`install` puts it in place of the function it was written from only when trafilatura's source
is that very text; ``tests/test_trafilatura_links.py`` compares the two on every element trafilatura
tests on real pages, and on made-up ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
from collections.abc import Iterator

import lxml.html
import trafilatura.htmlprocessing as shipped
import trafilatura.utils

#: sha256 of trafilatura 2.3.1's ``htmlprocessing.link_density_test`` source, the function stood in for.
SHIPPED_SOURCE_SHA256 = "0b3d71f252bf19639de358ec3f4abc7c252eefb60eeac3b1da77e6dd9d8a444e"
SINGLE_LINK_SHARE = 0.9  # trafilatura's share of a one-link box's text its link must exceed
FIRST_READ = 256  # characters read beyond what a question needs before collapsing a prefix


def trimmed_length(text: str, enough: int) -> int:
    """``len(trim(text))`` (white space runs made single spaces, ends stripped) when it is below
    ``enough``; otherwise a number at least ``enough`` and at most that length.

    Collapsing a longer prefix never gives a shorter result, so a prefix that reaches ``enough``
    answers for the whole text.
    """
    size = 2 * max(enough, 0) + FIRST_READ
    while len(text) > size:
        length = len(" ".join(text[:size].split()))
        if length >= enough:
            return length
        size *= 4
    return len(" ".join(text.split()))


def link_density_test(element: lxml.html.HtmlElement, favor_precision: bool = False) -> tuple[bool, bool]:
    """trafilatura's ``link_density_test``: whether ``element`` is a box of links to remove, and whether it
    is a short box with links (which its caller may remove when backtracking)."""
    trim, collect_link_info = trafilatura.utils.trim, shipped.collect_link_info
    links = list(element.iterdescendants("ref"))  # findall(".//ref")
    if not links:
        return False, False
    # preserve image containers
    if next(element.iterdescendants("graphic"), None) is not None:
        return False, False
    text = element.text_content()
    if len(links) == 1:
        len_threshold = 10 if favor_precision else 100
        link_length = len(trim(links[0].text_content()))
        if link_length > len_threshold:
            # the test below fails for any text this long: link_length <= enough * 0.9
            enough = int(link_length / SINGLE_LINK_SHARE) + 2
            if link_length > trimmed_length(text, enough) * SINGLE_LINK_SHARE:
                return True, False
    if element.tag == "p":
        limitlen = 60 if element.getnext() is None else 30
    elif element.getnext() is None:
        limitlen = 300
    else:
        limitlen = 100
    elemlen = trimmed_length(text, limitlen)
    if elemlen < limitlen:
        linklen, elemnum, shortelems, _ = collect_link_info(links)
        if elemnum == 0:
            return True, False
        return linklen > elemlen * 0.8 or (elemnum > 1 and shortelems / elemnum > 0.8), True
    if len(links) > 4:
        linklen, elemnum, _, _ = collect_link_info(links)
        # the farm test fails for any text this long: linklen <= enough * LINK_FARM_RATIO
        enough = int(linklen / shipped.LINK_FARM_RATIO) + 2
        if (linklen > trimmed_length(text, enough) * shipped.LINK_FARM_RATIO and linklen < 100 * elemnum
                and not shipped.is_paragraph_listing(links)):
            return True, False
    return False, False


_SHIPPED: dict[str, object] = {}


def _source_digest(function: object) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def install() -> bool:
    """Put :func:`link_density_test` in trafilatura's place when its source is the one it was written
    from; returns whether it is in place."""
    current = shipped.link_density_test
    if current is link_density_test:
        return True
    if _source_digest(current) != SHIPPED_SOURCE_SHA256:
        return False
    _SHIPPED["link_density_test"] = current
    shipped.link_density_test = link_density_test
    return True


@contextlib.contextmanager
def as_shipped() -> Iterator[None]:
    """trafilatura with its own link-density test for a while (a benchmark of trafilatura itself)."""
    original = _SHIPPED.get("link_density_test")
    if original is None:
        yield
        return
    shipped.link_density_test = original
    try:
        yield
    finally:
        shipped.link_density_test = link_density_test
