"""The HTML cleaner: what must stay, what must go and why, metadata, and hostile input."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.clean_html import clean_html
from corpus.html_metadata import parse_date, strip_site_suffix
from corpus.rules import html_rules as rules

PARAGRAPHS = [
    "Human rights groups say dozens of men were detained in Chechnya in the spring of 2017 and held in secret.",
    "The Russian LGBT Network opened a hotline and began moving people out of the region to safe houses.",
    "Researchers documented the testimonies, naming places, dates and the officials said to be involved.",
    "By the end of the summer more than a hundred people had been evacuated with the help of volunteers.",
]

ARTICLE = f"""<!doctype html>
<html lang="en">
<head>
  <title>Evacuations from Chechnya | Rights Weekly</title>
  <meta property="og:site_name" content="Rights Weekly">
  <meta property="article:published_time" content="2017-06-26T11:07:00+00:00">
  <meta property="article:tag" content="Chechnya"><meta property="article:tag" content="LGBT">
  <meta name="author" content="Jane Reporter">
  <link rel="canonical" href="https://example.org/2017/06/evacuations">
  <script>var tracking = "never in the output";</script>
</head>
<body>
  <nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
  <div class="cookie-banner"><p>We use cookies to improve your experience on this website.</p></div>
  <main>
    <article class="post type-post tag-chechnya category-news">
      <h1>Evacuations from Chechnya</h1>
      <p class="byline">By Jane Reporter</p>
      <p>{PARAGRAPHS[0]}</p>
      <figure><img src="a.jpg"><figcaption>Photo: a safe house near Moscow.</figcaption></figure>
      <p>{PARAGRAPHS[1]}</p>
      <h2>What the testimonies say</h2>
      <p>{PARAGRAPHS[2]}</p>
      <ul><li>Detentions in Grozny and Argun</li><li>Secret prisons named by witnesses</li></ul>
      <p>{PARAGRAPHS[3]}</p>
      <div class="sharedaddy"><h3>Share this:</h3><a href="#">Twitter</a> <a href="#">Facebook</a></div>
    </article>
    <section class="related-posts"><h3>Related</h3>
      <p><a href="/other">Another story about something else entirely</a></p></section>
    <div id="comments" class="comments-area">
      <h3>3 thoughts on this</h3>
      <ol class="comment-list"><li class="comment"><p>Great piece, I shared it with all my friends and family today.</p></li>
      <li class="comment"><p>This reader comment must never reach the article text, however long it is.</p></li></ol>
      <div id="respond"><h3>Leave a Reply</h3><form><label>Name</label><button>Post Comment</button></form></div>
    </div>
  </main>
  <footer class="site-footer"><p>Copyright 2017 Rights Weekly. All rights reserved.</p></footer>
</body>
</html>"""


def rule_of(result, text: str) -> str | None:
    """The rule of the first block whose text contains ``text``."""
    return next(block.rule for block in result.blocks if text in block.text)


def test_article_paragraphs_are_kept_in_order():
    """Every paragraph of the article is in the body, in page order."""
    body = clean_html(ARTICLE).body
    positions = [body.find(paragraph) for paragraph in PARAGRAPHS]
    assert all(p >= 0 for p in positions)
    assert sorted(positions) == positions


def test_headings_and_list_items_inside_the_article_are_kept():
    """Sub-headings and list items of the article stay."""
    body = clean_html(ARTICLE).body
    assert ["What the testimonies say", "Detentions in Grozny and Argun"] == [
        text for text in ("What the testimonies say", "Detentions in Grozny and Argun") if text in body
    ]


def test_reader_comments_are_removed_as_comment_section():
    """Reader comments are never article content."""
    result = clean_html(ARTICLE)
    assert "reader comment" not in result.body
    assert rules.COMMENT_SECTION == rule_of(result, "This reader comment must never")


def test_boilerplate_is_removed_with_its_rule():
    """Navigation, cookie notice, share box, teaser, caption and footer go, each named."""
    result = clean_html(ARTICLE)
    expected = {
        "Home": rules.NAVIGATION,
        "We use cookies": rules.COOKIE_NOTICE,
        "Share this:": rules.SHARE_WIDGET,
        "Another story about": rules.RELATED_TEASER,
        "Photo: a safe house": rules.IMAGE_CAPTION,
        "Copyright 2017": rules.FOOTER,
        "By Jane Reporter": rules.BYLINE,
    }
    assert expected == {text: rule_of(result, text) for text in expected}


def test_title_is_removed_from_the_body():
    """The headline is the title, not part of the body."""
    result = clean_html(ARTICLE)
    assert rules.TITLE == rule_of(result, "Evacuations from Chechnya")
    assert "Evacuations from Chechnya" not in result.body


def test_body_is_the_kept_blocks_joined_by_blank_lines():
    """The body is exactly the kept blocks, one paragraph each."""
    result = clean_html(ARTICLE)
    assert "\n\n".join(block.text for block in result.blocks if block.kept) == result.body


def test_scripts_never_become_blocks():
    """Script text is not visible, so it is no block at all."""
    result = clean_html(ARTICLE)
    assert [] == [block for block in result.blocks if "tracking" in block.text]


def test_metadata_is_read_from_the_page():
    """Title without the site suffix, author, date to its precision, site, tags, URL, language."""
    metadata = clean_html(ARTICLE).metadata
    assert (
        "Evacuations from Chechnya",
        "Jane Reporter",
        "2017-06-26T11:07:00",
        "second",
        "Rights Weekly",
        ("Chechnya", "LGBT"),
        "https://example.org/2017/06/evacuations",
        "en",
    ) == (
        metadata.title,
        metadata.author,
        metadata.published,
        metadata.published_precision,
        metadata.site,
        metadata.tags,
        metadata.url,
        metadata.language,
    )


def test_json_ld_date_and_author_win():
    """JSON-LD datePublished and author are read before the meta tags."""
    page = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2017-06",
     "author": {"@type": "Person", "name": "Ann Author"}, "publisher": {"name": "The Paper"}}
    </script></head><body><p>Text.</p></body></html>"""
    metadata = clean_html(page).metadata
    assert ("2017-06", "month", "Ann Author", "The Paper") == (
        metadata.published,
        metadata.published_precision,
        metadata.author,
        metadata.site,
    )


def test_parse_date_cuts_to_precision():
    """Dates keep only the precision they state."""
    assert [("2017", "year"), ("2017-06-26", "day"), ("2017-06-26T11:07", "minute"), None] == [
        parse_date("2017"),
        parse_date("2017-06-26"),
        parse_date("2017-06-26T11:07"),
        parse_date("yesterday"),
    ]


def test_site_suffix_is_stripped_from_title():
    """" | Site" at the end of a title goes."""
    assert "Evacuations" == strip_site_suffix("Evacuations | Rights Weekly", "Rights Weekly")


def test_empty_and_markup_free_input_gives_no_blocks():
    """Empty input is not an error: no blocks, empty metadata."""
    assert ((), None) == (clean_html("").blocks, clean_html("   ").metadata.title)


def test_deeply_nested_html_degrades_gracefully():
    """100,000 nested divs neither crash nor lose the text inside them."""
    page = "<html><body>" + "<div>" * 100_000 + "deep inside" + "</div>" * 100_000 + "</body></html>"
    assert "deep inside" == clean_html(page).body


def test_hostile_markup_never_reaches_the_body():
    """Scripts, iframes, event handlers and javascript: links leave only visible text."""
    page = (
        "<html><body><script>alert(1)</script><iframe src='x'>frame</iframe>"
        "<p onclick='steal()'>Visible words stay here <a href='javascript:alert(2)'>link text</a></p>"
        "<img src=x onerror='alert(3)'><style>p{}</style></body></html>"
    )
    body = clean_html(page).body
    assert "Visible words stay here link text" == body


def test_cleaning_is_deterministic():
    """The same page always gives the same blocks."""
    assert clean_html(ARTICLE) == clean_html(ARTICLE)


HTML_PIECES = st.sampled_from(
    ["<p>", "</p>", "<div class='comments'>", "</div>", "<nav>", "<li>", "<a href='javascript:x'>", "</a>",
     "<script>", "</script>", "<h1>", "<table><tr><td>", "<br>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;",
     "<style>", "<iframe>", "<b>", "<article>", "</article>", "<html>", "<body>", "<", ">", "\"", "'"]
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(HTML_PIECES, TEXT), max_size=40))
def test_random_html_never_raises_and_keeps_only_page_text(pieces):
    """Any HTML-ish string cleans without error, and the body's characters all come from the page."""
    page = "".join(pieces)
    result = clean_html(page)
    # the parser may move text (a table's stray text) and turns a NUL reference into U+FFFD
    kept = Counter(char for char in result.body if not char.isspace() and char != "\ufffd")
    assert Counter() == kept - Counter(page)


COMMENTS = [
    "I have been following this story for months and I am appalled that the authorities still deny it all.",
    "Thank you for reporting this. My cousin lives in the region and says it is much worse than described.",
]


def news_page(after_article: str, before_article: str = "", author: str = "Jane Reporter") -> str:
    """A news page with the four article paragraphs and markup of one's own before and after them."""
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    return (
        f"<html><head><title>Evacuations from Chechnya</title><meta name='author' content='{author}'></head>"
        f"<body><header><a href='/'>Home</a></header><main><div class='story'><h1>Evacuations from Chechnya</h1>"
        f"{before_article}{paragraphs}{after_article}</div></main><footer>Rights Weekly</footer></body></html>"
    )


def test_comment_thread_without_comment_markup_is_found_by_its_heading():
    """A class-less "3 Comments" section goes as comments, heading and all; the article stays."""
    thread = "<section><h3>3 Comments</h3>" + "".join(
        f"<div><strong>Reader {i}</strong><p>{comment}</p></div>" for i, comment in enumerate(COMMENTS)
    ) + "</section>"
    result = clean_html(news_page(thread))
    assert all(paragraph in result.body for paragraph in PARAGRAPHS)
    assert [rules.COMMENT_SECTION] * 3 == [rule_of(result, text) for text in ("3 Comments", "Reader 1", COMMENTS[1])]


def test_comments_headed_by_leave_a_reply_inside_the_article_go():
    """Comments following a "Leave a Reply" heading inside the article's own box are removed."""
    thread = "<h3>Leave a Reply</h3>" + "".join(f"<p>{comment}</p>" for comment in COMMENTS)
    result = clean_html(news_page(thread))
    assert all(paragraph in result.body for paragraph in PARAGRAPHS)
    assert not any(comment in result.body for comment in COMMENTS)


def test_comment_count_in_the_byline_does_not_remove_the_article():
    """A "3 Comments" link before the article is no thread heading: the article after it stays."""
    result = clean_html(news_page("", before_article="<div><a href='#comments'>3 Comments</a></div>"))
    assert all(paragraph in result.body for paragraph in PARAGRAPHS)


def test_a_discussion_heading_is_part_of_the_article():
    """Headings like "Discussion" name sections of articles, not comment threads."""
    result = clean_html(news_page("<h2>Discussion</h2><p>" + PARAGRAPHS[0].replace("spring", "summer") + "</p>"))
    assert "Discussion" in result.body


def test_about_the_author_note_and_name_line_are_removed():
    """"Jane Reporter is a staff writer..." and the author's name standing alone are not the article."""
    bio = "<div><p>Jane Reporter</p><p>Jane Reporter is a staff writer who covers human rights in the Caucasus.</p></div>"
    result = clean_html(news_page(bio))
    assert all(paragraph in result.body for paragraph in PARAGRAPHS)
    assert (rules.BYLINE, rules.AUTHOR_BIO) == (
        next(block.rule for block in result.blocks if block.text == "Jane Reporter"),
        rule_of(result, "is a staff writer"),
    )


def test_react_streamed_content_is_not_hidden():
    """React streams a page's content in <div hidden id="S:0">, which its script shows at once."""
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    page = f"<html><body><div id='app'><p>Loading</p></div><div hidden id='S:0'><main>{paragraphs}</main></div></body></html>"
    assert all(paragraph in clean_html(page).body for paragraph in PARAGRAPHS)


def test_text_after_a_stray_closing_html_tag_is_kept():
    """A page closing </body></html> before its article still has the article (as a browser shows it)."""
    page = news_page("").replace("<main>", "</body></html><main>", 1)
    assert all(paragraph in clean_html(page).body for paragraph in PARAGRAPHS)


def test_paywall_box_is_removed():
    """A subscription wall inside the article ("restricted-content") goes as a sign-up prompt."""
    wall = "<div class='restricted-content-breaker'><h3>Unlock this article, plus in-depth analysis and news alerts.</h3></div>"
    result = clean_html(news_page(wall))
    assert rules.NEWSLETTER == rule_of(result, "Unlock this article")


def test_photo_credit_captions_copyright_and_reading_time_are_removed():
    """A caption ending in its photo credit, a copyright line, "Estimated reading time:" and a bare "By" go."""
    extras = (
        "<p>Volunteers at the safe house near Moscow, where the evacuees stayed. | Photo by Ann Lens</p>"
        "<p>Copyright © 2017 Rights Weekly. All rights reserved.</p>"
    )
    result = clean_html(news_page(extras, before_article="<p>Estimated reading time:</p><p>By</p>"))
    assert (rules.IMAGE_CAPTION, rules.FOOTER, rules.BYLINE, rules.BYLINE) == (
        rule_of(result, "Photo by Ann Lens"),
        rule_of(result, "All rights reserved"),
        rule_of(result, "Estimated reading time"),
        next(block.rule for block in result.blocks if block.text == "By"),
    )


def test_sign_up_consent_line_is_removed():
    """A sign-up form's consent line ("By signing up, you agree to...") goes as a sign-up prompt."""
    consent = "<div><p>By signing up, you agree to receive recurring marketing messages at the number provided.</p></div>"
    assert rules.NEWSLETTER == rule_of(clean_html(news_page(consent)), "By signing up")


def test_box_holding_most_of_the_prose_is_not_removed_by_a_word_in_its_class():
    """An id like "map-and-related" on the box holding most of the article's prose does not make it a teaser."""
    from corpus.clean_html import ElementHints, parse_document, segment_blocks

    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    page = (
        f"<html><body><main><p>{PARAGRAPHS[0]} A lead.</p><div id='map-and-related'>{paragraphs}</div>"
        "<div class='related-posts'><p>Short teaser</p></div></main></body></html>"
    )
    root = parse_document(page)
    blocks = segment_blocks(root)
    region = root.find(".//main")
    hints = ElementHints({}, rules.DEFAULT_OPTIONS)
    box, teasers = root.get_element_by_id("map-and-related"), root.find_class("related-posts")[0]
    assert hints.own_rule(box) == rules.RELATED_TEASER
    hints.protect_prose(blocks, region)
    assert (hints.own_rule(box), hints.own_rule(teasers)) == (None, rules.RELATED_TEASER)


def test_repeated_lead_in_label_is_kept_but_a_repeated_paragraph_is_not():
    """"Key features include:" heading each section's list stays every time; a repeated notice goes."""
    section = "<h2>Tool {n}</h2><p>Key features include:</p><ul><li>Feature {n} one</li><li>Feature {n} two</li></ul>"
    notice = "<p>This notice repeats in every section of the page.</p>"
    extras = "".join(section.format(n=n) + notice for n in (1, 2))
    result = clean_html(news_page(extras))
    assert result.body.count("Key features include:") == 2
    assert result.body.count("This notice repeats") == 1


def test_svg_labels_and_text_areas_are_removed_blocks():
    """A drawing's tooltips and labels, and a text area's text, are recorded as removed, not silently lost."""
    svg = "<p>See the chart <svg><title>Chart of evacuations</title><desc>Bars by month</desc><text>2017</text></svg> below.</p>"
    result = clean_html(news_page(svg + "<form><textarea>Write your comment here</textarea></form>"))
    assert "See the chart below." in result.body
    assert "Chart of evacuations" not in result.body
    assert (rules.NON_CONTENT_TAG, rules.NON_CONTENT_TAG) == (
        rule_of(result, "Chart of evacuations Bars by month 2017"),
        rule_of(result, "Write your comment here"),
    )


# --- the fast paths give what the plain code would ------------------------------------------------------


def test_nested_blocks_cut_the_text_around_them():
    """A block inside a block cuts it: the text before and after is two blocks of the outer element."""
    from corpus.clean_html import parse_document, segment_blocks

    root = parse_document(
        "<html><body><div>Before <a href='#'>link</a><p>Inner</p>after<br>line"
        "<span hidden>Hidden words</span> end</div></body></html>"
    )
    blocks = [(block.element.tag, block.text, block.link_chars, block.hidden) for block in segment_blocks(root)]
    assert blocks == [
        ("div", "Before link", 4, False),
        ("p", "Inner", 0, False),
        ("div", "after line", 0, False),
        ("span", "Hidden words", 0, True),
        ("div", "end", 0, False),
    ]


def test_region_widens_over_prose_siblings_but_not_over_link_lists():
    """The region climbs to a parent that adds paragraphs, and stops below one that adds only links."""
    from corpus.clean_html import ElementHints, parse_document, segment_blocks, widen_region

    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    links = "".join(f"<li><a href='/{n}'>Another story number {n} about something else</a></li>" for n in range(9))
    root = parse_document(
        f"<html><body><div id='page'><ul>{links}</ul><main><div id='lead'><p>{PARAGRAPHS[0]}</p></div>"
        f"<div id='rest'>{paragraphs}</div></main></div></body></html>"
    )
    blocks = segment_blocks(root)
    hints = ElementHints({}, rules.DEFAULT_OPTIONS)
    region = widen_region(blocks, root.get_element_by_id("lead"), hints, rules.DEFAULT_OPTIONS)
    assert region is root.find(".//main")


def test_extractor_options_are_built_once_and_match_the_keyword_call():
    """The cached trafilatura options give exactly what the keyword arguments would."""
    import trafilatura

    from corpus.clean_html import extractor_options, extractor_text, parse_document

    root = parse_document(ARTICLE)
    expected = trafilatura.extract(root, fast=True, include_comments=False, include_tables=True, deduplicate=False)
    assert extractor_options() is extractor_options()
    assert extractor_text(root) == expected


def test_parsed_elements_are_html_elements():
    """Every element of a parsed page, forms and fields included, is an lxml.html element."""
    import lxml.html

    from corpus.clean_html import parse_document

    root = parse_document("<html><body><form><input name='q'><select><option>A</option></select></form></body></html>")
    assert all(isinstance(element, lxml.html.HtmlElement) for element in root.iter())
    assert root.find(".//form").text_content() == "A"


def test_comparable_text_is_worked_out_once_per_block():
    """``comparable_text`` gives ``comparable`` of the block's text and keeps it on the block."""
    from corpus.clean_html import PageBlock, comparable, comparable_text, parse_document

    block = PageBlock(parse_document("<p>x</p>"), "Évacuations, from  CHECHNYA!", 0)
    assert comparable_text(block) == comparable(block.text) == "évacuations from chechnya"
    block.text = "changed"
    assert comparable_text(block) == "évacuations from chechnya"


CONTROL_HEAVY = st.text(alphabet=st.one_of(st.characters(max_codepoint=0x20), st.characters(blacklist_categories=("Cs",))))


@settings(max_examples=300, deadline=None)
@given(CONTROL_HEAVY)
def test_control_share_counts_every_control_character(text):
    """The share of control characters is what a count over each character gives."""
    from corpus.decode import _control_share

    sample = text[:65536]
    expected = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v") / len(sample) if text else 0.0
    assert _control_share(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([" ", "\t", "\n", "\x1c", "\x85", "\xa0", "\u2028", "\u3000", "\u200b", "a", "é"])))
def test_normalise_space_collapses_what_a_regex_would(text):
    """Whitespace runs become one space and the ends go, as ``\\s+`` and strip() would do it."""
    import re

    from corpus.html_metadata import normalise_space

    assert normalise_space(text) == re.sub(r"\s+", " ", text).strip()
    assert normalise_space(None) == ""


def test_an_ordered_alternation_names_the_first_pattern_that_matches_the_whole_text() -> None:
    """The joined patterns answer as trying each in order: the first that matches all of the text wins,
    even where an earlier one matches only a prefix; a pattern with groups of its own is refused."""
    patterns = tuple(re.compile(p, re.IGNORECASE) for p in (r"share", r"share this.*", r".*\bthis\b.*"))
    joined = rules.first_full_match(patterns)
    for text, first in (("Share", 1), ("share this page", 2), ("read this", 3), ("nothing", None)):
        found = joined.fullmatch(text)
        assert (found.lastindex if found else None) == first
        assert first == next((i for i, p in enumerate(patterns, 1) if p.fullmatch(text)), None)
    with pytest.raises(ValueError, match="groups of its own"):
        rules.first_full_match((re.compile(r"(a)"),))
    with pytest.raises(ValueError, match="different flags"):
        rules.first_full_match((re.compile("a"), re.compile("b", re.IGNORECASE)))
