"""Tests for the flattened-text cleaner: seed goldens, dev-page snippets, metadata, robustness."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.clean_text import clean_text, split_blocks
from corpus.text_metadata import is_date_line, parse_byline, parse_date, parse_tags, split_site

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
DEV = SHARED / "bench" / "extraction-dev"

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
needs_dev = pytest.mark.skipif(not DEV.is_dir(), reason="../shared/bench/extraction-dev is not beside the project")


def _normalised(text: str) -> str:
    """Whitespace collapsed to single spaces, so snippets match across line joins."""
    return " ".join(text.split())


def _seed(prefix: str) -> str:
    """The text of the seed whose file name starts with ``prefix``."""
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


SEED_KEEP: dict[str, tuple[str, ...]] = {
    "000": (
        "Igor Kochetkov, chairman of the Russian LGBT network, who is involved in legal aid",
        "“Since the first of April, we started receiving requests.",
        "However, during the formulation of documents, the organization encountered bureaucratic problems",
        "Yesterday Russian ombudsman Tatyana Moskalkova gave the Investigative Committee information",
        "Chechen leader Ramzan Kadyrov and his press secretary Alvi Karimov said that there are no homosexuals in Chechnya.",
    ),
    "001": (
        "Igor Kochetkov, chairman of the Russian LGBT Network, talked with the Russian civil society website",
        "He described the situation as a “crime against humanity”:",
        "First of all, we are talking here about mass detentions, torture and murder of gay people.",
        "Read the complete interview at Igor Kochetkov:",
        "Learn how to help at Readers & Writers for LGBT Chechens.",
    ),
    "002": (
        "Many countries condemned last spring’s homophobic and murderous anti-gay crackdown in Chechnya",
        "EUObserver reports:",
        "Only five countries are helping gay Chechens leave Russia",
        "Persecution report",
        "A dozen men are said to have died.",
        "[Why] have so few followed in the steps of France, Germany and Lithuania?",
        "Refugee fatigue seems to be an issue.",
        "Sweden’s minister of justice, Morgan Johansson, told EUobserver in June",
        "For more information, read the full EUObserver article,",
    ),
    "003": (
        "Novaya Gazeta the Moscow based newspaper reported on April 1",
        "Jessica Stern, executive director of OutRight Action International, said:",
        "He said: “You cannot arrest or repress people who just don’t exist in the republic.”",
        "can confidentially contact ILGA-Europe at +32 2 609 54 10 or email:",
    ),
    "004": (
        "On 20 June 2017 Caucasian Knot reported that, according to the Russian LGBT Network",
        "The Russian LGBT Network is an NGO founded in 2006",
        "'Over 50 Chechen gays get help from \"Russian LGBT Network\",' Caucasian Knot, 20 June 2017",
        "'Fifteen LGBTs ask evacuation from Chechnya, Caucasian Knot, 5 April 2017",
        "'Rights Group of the Week: Russian LGBT Network,' Rights in Russia, 10 April 2017",
    ),
}

SEED_DROP: dict[str, tuple[str, ...]] = {
    "000": ("LGBT, Russia, Chechnya",),
    "001": ("Leave a Reply", "This site uses Akismet", "%d bloggers like this:", "| Legal Dialogue\n"),
    "002": (
        "Now Reading",
        "Chechen President Ramzan Kadyrov (Photo courtesy of ABC News)",
        "(Photo courtesy of ABC News)",
        "Tatiana Vinnichenko (Photo courtesy of the Russian LGBT Network)",
        "See Also",
        "Dutch Foreign Trade and Development Cooperation Minister Reinette Klever",
        "Morgan Johansson (Photo courtesy of Twitter)",
        "(Photo courtesy of Twitter)",
        "Related articles:",
        "View Comments (3)",
        "So sickening, how can one kill their own flesh and blood",
        "And, the root of our sexuality is irrelevant.",
        "Leave a Reply",
        "Your email address will not be published.",
        "© 2022 ERASING 76CRIMES",
        "Scroll To Top",
        "Discover more from",
        "Subscribe now to keep reading",
        "Continue reading",
    ),
    "003": ("In The South", "Besi Besemar April 9, 2017", "Jessica Stern\n"),
    "004": (
        "Home > Rights Group of the Week >",
        "posted 26 Jun 2017, 11:07 by Rights in Russia",
        "The gadget spec URL could not be found",
        "We are delighted you have been reading Rights in Russia.",
        "To donate, see HERE",
    ),
}

SEED_TITLES: dict[str, str] = {
    "000": "Russian LGBT activists relocate more than 40 homosexuals out of Chechnya",
    "001": "Igor Kochetkov of Russian LGBT Network: “We Must Rescue All Those We Can Rescue and Help Them Leave Russia”",
    "002": "Many bash Russia for Chechen abuses; few help gay victims",
    "003": "Campaign grows to stop the killings and persecution of gays in Chechnya",
    "004": "Rights Group of the Week: Russian LGBT Network",
}


@needs_seeds
@pytest.mark.parametrize("seed", sorted(SEED_KEEP))
def test_seed_keeps_every_article_paragraph(seed: str) -> None:
    """Each seed's article paragraphs, subheadings and closing lines stay in the body."""
    body = _normalised(clean_text(_seed(seed)).body)
    missing = [snippet for snippet in SEED_KEEP[seed] if _normalised(snippet) not in body]
    assert [] == missing


@needs_seeds
@pytest.mark.parametrize("seed", sorted(SEED_DROP))
def test_seed_drops_navigation_comments_and_prompts(seed: str) -> None:
    """No navigation, caption, comment, subscription or donation line of a seed survives."""
    body = clean_text(_seed(seed)).body + "\n"
    leaked = [snippet for snippet in SEED_DROP[seed] if snippet in body]
    assert [] == leaked


@needs_seeds
@pytest.mark.parametrize("seed", sorted(SEED_TITLES))
def test_seed_title(seed: str) -> None:
    """The title is the article's heading, without the site suffix, and not repeated in the body."""
    result = clean_text(_seed(seed))
    assert SEED_TITLES[seed] == result.metadata.title
    assert SEED_TITLES[seed] not in result.body.split("\n\n")


@needs_seeds
def test_seed_001_site_from_title_suffix() -> None:
    """The " | Legal Dialogue" suffix of seed 001's title names the site."""
    assert "Legal Dialogue" == clean_text(_seed("001")).metadata.site


@needs_seeds
def test_seed_003_byline() -> None:
    """Seed 003's byline gives the author and the day, and is removed as a byline."""
    result = clean_text(_seed("003"))
    assert ("Besi Besemar", "2017-04-09", "day") == (
        result.metadata.author, result.metadata.published, result.metadata.published_precision
    )
    assert ("byline",) == tuple(block.rule for block in result.blocks if "Besi Besemar April" in block.text)


@needs_seeds
def test_seed_004_byline() -> None:
    """Seed 004's "posted ... by" line gives the author and the minute."""
    metadata = clean_text(_seed("004")).metadata
    assert ("Rights in Russia", "2017-06-26T11:07", "minute") == (
        metadata.author, metadata.published, metadata.published_precision
    )


@needs_seeds
def test_seed_000_tags() -> None:
    """Seed 000's closing tag list becomes the tags."""
    assert ("LGBT", "Russia", "Chechnya") == clean_text(_seed("000")).metadata.tags


@needs_seeds
def test_seed_002_rules_name_each_removal() -> None:
    """Removed blocks of seed 002 carry the rule that removed them."""
    rules = {block.text: block.rule for block in clean_text(_seed("002")).removed}
    expected = {
        "Now Reading": "navigation",
        "View Comments (3)": "comment-section",
        "Leave a Reply": "comment-form",
        "© 2022 ERASING 76CRIMES": "copyright",
        "Tatiana Vinnichenko (Photo courtesy of the Russian LGBT Network)": "image-caption",
    }
    assert expected == {text: rules.get(text) for text in expected}


@needs_seeds
@pytest.mark.parametrize("seed", sorted(SEED_KEEP))
def test_seed_blocks_cover_the_input(seed: str) -> None:
    """Every input line appears as a block, in order: the removals are an audit trail."""
    text = _seed(seed)
    assert split_blocks(text) == [block.text for block in clean_text(text).blocks]


DEV_PAGES = ("0003", "0009", "0015", "0144", "0183", "0228", "0297")


@needs_dev
@pytest.mark.parametrize("page", DEV_PAGES)
def test_dev_page_snippets(page: str) -> None:
    """On labelled dev pages, every must-keep snippet is kept and every must-drop snippet dropped."""
    snippets = json.loads((DEV / "snippets" / f"{page}.json").read_text(encoding="utf-8"))
    body = _normalised(clean_text((DEV / "text" / f"{page}.txt").read_text(encoding="utf-8")).body)
    missing = [s for s in snippets["with"] if _normalised(s) not in body]
    leaked = [s for s in snippets["without"] if _normalised(s) in body]
    assert ([], []) == (missing, leaked)


def test_comment_thread_after_article_goes() -> None:
    """A reader-comment thread after the article is removed, the article kept."""
    article = "\n\n".join(
        f"Paragraph {n} of the report says that the officials were detained and questioned by police for hours."
        for n in range(6)
    )
    thread = (
        "3 Comments\n\nJane Doe says:\nMarch 3, 2020 at 5:12 pm\nThis is a terrible story and I hope they are safe.\n"
        "Reply\n\nJohn Roe says:\nMarch 4, 2020 at 9:01 am\nThank you for reporting on this, it matters a lot.\nReply\n\n"
        "Leave a Reply\n\nYour email address will not be published."
    )
    result = clean_text(f"A Headline About Detentions\n\n{article}\n\n{thread}")
    assert (article, "A Headline About Detentions") == (result.body, result.metadata.title)


def test_comment_count_beside_byline_is_not_the_thread() -> None:
    """A "12 Comments" link near the top does not cut the article that follows it."""
    paragraphs = [
        f"Sentence number {n} of this long article explains what happened in the region and why it matters."
        for n in range(8)
    ]
    text = "Some Article Title\n\nBy Jane Doe\n\n" + paragraphs[0] + "\n\n12 Comments\n\n" + "\n\n".join(paragraphs[1:])
    assert "\n\n".join(paragraphs) == clean_text(text).body


def test_menu_run_before_article_goes() -> None:
    """A run of short menu lines before the article is navigation."""
    sentence = "The minister said on Tuesday that the new law would be debated in parliament next month."
    result = clean_text("Home\nNews\nSport\nWeather\nContact\n\n" + sentence)
    assert sentence == result.body


def test_subheading_between_paragraphs_kept() -> None:
    """A short heading between two article paragraphs is part of the article."""
    first = "The report builds on testimonies from 33 people and details the horrors they suffered in custody."
    second = "It says that the police had launched a coordinated campaign, rounding up and detaining men."
    result = clean_text(f"Title of the Story Here\n\n{first}\n\nPersecution report\n\n{second}")
    assert f"{first}\n\nPersecution report\n\n{second}" == result.body


def test_hard_wrapped_paragraphs_joined() -> None:
    """Hard-wrapped lines of one paragraph become one block."""
    wrapped = (
        "The committee met on Monday to discuss proposal {n} and decided\n"
        "that more evidence was needed before any vote could be held on\n"
        "the matter, according to two people familiar with the talks.\n"
    )
    text = "Committee Delays Vote\n\n" + "\n".join(wrapped.format(n=n) for n in range(3))
    body_blocks = clean_text(text).body.split("\n\n")
    assert 3 == len(body_blocks)
    assert body_blocks[0].startswith("The committee met on Monday to discuss proposal 0 and decided that more")


def test_crlf_and_cr_line_endings() -> None:
    """CRLF and CR line endings split blocks like LF does."""
    text = "Title Line Of The Page\n\nFirst paragraph of the article, which is long enough to be prose text.\n"
    assert clean_text(text).body == clean_text(text.replace("\n", "\r\n")).body == clean_text(text.replace("\n", "\r")).body


@pytest.mark.parametrize("text", ["", "   \n\n ", "Home", "\x00\x01\x02 binary \xff\ufffd junk", "a" * 200_000])
def test_odd_inputs_do_not_crash(text: str) -> None:
    """Empty, blank, one-word, binary-looking and huge-line inputs clean without error."""
    result = clean_text(text)
    assert len(result.blocks) == len(split_blocks(text))


def test_only_boilerplate_gives_empty_body() -> None:
    """A page of nothing but furniture cleans to an empty body."""
    text = "Skip to content\nHome\nMenu\nSearch\n\nLeave a Reply\n\nYour email address will not be published.\n\n© 2024 Example"
    assert "" == clean_text(text).body


def test_cyrillic_article_kept() -> None:
    """Russian prose is kept and Russian comment furniture is removed."""
    first = (
        "Российская ЛГБТ-сеть сообщила, что с начала апреля к ней обратились более восьмидесяти человек, "
        "и более сорока из них уже покинули республику."
    )
    second = "По словам правозащитников, эвакуация продолжается, и помощь нужна ещё многим людям в регионе."
    text = f"Заголовок статьи о событиях\n\n{first}\n\n{second}\n\nОставить комментарий\n\nВсе права защищены"
    assert f"{first}\n\n{second}" == clean_text(text).body


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_kept_text_comes_from_the_input(text: str) -> None:
    """Never raises, and every kept block's text occurs in the input (whitespace aside)."""
    result = clean_text(text)
    source = " ".join(re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", " ", text).split())
    assert [] == [block.text for block in result.blocks if block.kept and " ".join(block.text.split()) not in source]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    "Home", "Leave a Reply", "Share", "© 2020 Site", "Jane says:", "Reply", "March 3, 2020 at 5:12 pm",
    "The council voted on Tuesday to approve the new budget after a long and heated debate.",
    "Related articles", "By Jane Doe", "Photo: Reuters", "", "Tags: a, b, c",
]), max_size=40))
def test_block_count_matches_lines(lines: list[str]) -> None:
    """Every non-blank input line is one block of the result, in order."""
    text = "\n".join(lines)
    assert [line for line in lines if line.strip()] == [block.text for block in clean_text(text).blocks]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("April 9, 2017", ("2017-04-09", "day")),
        ("26 Jun 2017, 11:07", ("2017-06-26T11:07", "minute")),
        ("September 16th, 2023 at 09:27 am", ("2023-09-16T09:27", "minute")),
        ("2025-12-18T14:05:09Z", ("2025-12-18T14:05:09", "second")),
        ("Published 2024-03-01", ("2024-03-01", "day")),
        ("9. April 2017", ("2017-04-09", "day")),
        ("9 avril 2017", ("2017-04-09", "day")),
        ("9 de abril de 2017", ("2017-04-09", "day")),
        ("9 апреля 2017 г.", ("2017-04-09", "day")),
        ("March 2020", ("2020-03", "month")),
        ("5:50 pm on 4 September 2025", ("2025-09-04", "day")),
    ],
)
def test_parse_date(text: str, expected: tuple[str, str]) -> None:
    """Dates in common formats and languages become ISO 8601 cut to their precision."""
    date = parse_date(text)
    assert expected == (date.iso, date.precision) if date else expected is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("posted 26 Jun 2017, 11:07 by Rights in Russia   [ updated 26 Jun 2017, 11:18 ]",
         ("Rights in Russia", "2017-06-26T11:07")),
        ("Besi Besemar April 9, 2017", ("Besi Besemar", "2017-04-09")),
        ("By Jane Doe", ("Jane Doe", None)),
        ("By Sara Coughlin | June 5, 2024", ("Sara Coughlin", "2024-06-05")),
        ("Written By Tina Flint Huffman", ("Tina Flint Huffman", None)),
    ],
)
def test_parse_byline(text: str, expected: tuple[str, str | None]) -> None:
    """Bylines give the author and the date they state."""
    byline = parse_byline(text)
    assert byline is not None
    assert expected == (byline.author, byline.published.iso if byline.published else None)


def test_parse_byline_rejects_prose() -> None:
    """An article sentence with a date in it is not a byline."""
    assert None is parse_byline("On 20 June 2017 Caucasian Knot reported that over 50 people had left the region.")


def test_standalone_name_and_date_lines_are_the_byline() -> None:
    """"Andrew King / September 4, 2025 / 5:50 am" above the article gives author and minute."""
    text = (
        "Top Trends for Fall | Scratch\n\nHome\nMenu\nBlog\nContact\n\nAndrew King\n\nSeptember 4, 2025\n5:50 am\n\n"
        "Top Trends for Fall\n\n"
        "Fall isn’t just pumpkin spice season, it’s also a time when nutrition and wellness trends take center stage.\n\n"
        "At Scratch Culinary, we keep our finger on the pulse of the nutrition world so you don’t have to."
    )
    result = clean_text(text)
    assert ("Top Trends for Fall", "Scratch", "Andrew King", "2025-09-04T05:50", "minute") == (
        result.metadata.title, result.metadata.site, result.metadata.author,
        result.metadata.published, result.metadata.published_precision,
    )
    assert result.body.startswith("Fall isn’t just pumpkin spice season")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Understanding Web Design – A List Apart", ("Understanding Web Design", "A List Apart")),
        ("Igor Kochetkov: “We Must Rescue Them” | Legal Dialogue", ("Igor Kochetkov: “We Must Rescue Them”", "Legal Dialogue")),
        ("A Title Without Any Site", ("A Title Without Any Site", None)),
    ],
)
def test_split_site(text: str, expected: tuple[str, str | None]) -> None:
    """A " | Site" or " – Site" suffix is split off the title."""
    assert expected == split_site(text)


def test_parse_tags() -> None:
    """A tag list line gives its items."""
    assert ("Employment", "Health & Fitness", "Mid-sized Business") == parse_tags(
        "Tags: Employment, Health & Fitness, Mid-sized Business"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("September 4, 2025", True), ("5:50 am", True), ("Updated: March 3, 2021", True),
     ("Mar 27, 2025 5 mins", True), ("The law was adopted in 2013.", False)],
)
def test_is_date_line(text: str, expected: bool) -> None:
    """Date-only lines are recognised; sentences with a year are not."""
    assert expected == is_date_line(text)
