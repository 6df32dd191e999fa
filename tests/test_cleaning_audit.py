"""Cleaning is auditable and reproducible: the same bytes clean to the same JSON in any process, the store
records the digest of exactly that text, and every removed block is listed with its rule, in order."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SEED = next((ROOT / "corpus" / "sample").glob("002_*.txt"))
SHARED = ROOT.parent / "shared"
# A small dev page with navigation, a byline, related articles, a comment section and a footer.
DEV_PAGE = SHARED / "bench" / "extraction-dev" / "html" / "0466.html"

needs_dev = pytest.mark.skipif(not DEV_PAGE.exists(), reason="../shared/bench/extraction-dev is not beside the project")
RULE_LINE = re.compile(r"^- ([a-z][a-z-]*) +(\S.*)$")
KEEP_MARK = "  KEEP  "
METADATA_KEYS = {"title", "author", "published", "published_precision", "site", "tags", "url", "language"}


def docket(*args: str, seed: str = "0", store: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m corpus ARGS...` in a new process (with its own hash seed); stdout as bytes."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONHASHSEED": seed}
    prefix = ("--store", str(store)) if store else ()
    done = subprocess.run([sys.executable, "-m", "corpus", *prefix, *args], capture_output=True, env=env,
                          timeout=120, check=False)
    assert 0 == done.returncode, done.stderr.decode()
    return done


def inputs() -> list[Path]:
    """The seed, and the dev page when ../shared is there."""
    return [SEED, DEV_PAGE] if DEV_PAGE.exists() else [SEED]


@pytest.fixture(scope="module")
def clean_runs() -> tuple[bytes, bytes]:
    """`clean --json` on the same files in two processes with different hash seeds."""
    paths = [str(p) for p in inputs()]
    return docket("clean", "--json", *paths, seed="1").stdout, docket("clean", "--json", *paths, seed="2").stdout


@pytest.fixture(scope="module")
def cleaned(clean_runs: tuple[bytes, bytes]) -> dict[Path, dict]:
    """The `clean --json` object of each input."""
    objects = [json.loads(line) for line in clean_runs[0].decode("utf-8").splitlines()]
    return {path: obj for path, obj in zip(inputs(), objects, strict=True)}


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, dict]:
    """`show ID --json` of each input after `docket ingest`."""
    store = tmp_path_factory.mktemp("audit") / "store"
    docket("ingest", *map(str, inputs()), store=store)
    return {path: json.loads(docket("show", hashlib.sha256(path.read_bytes()).hexdigest(), "--json", store=store).stdout)
            for path in inputs()}


@pytest.fixture(scope="module")
def explained() -> dict[Path, list[str]]:
    """`clean --explain` lines of each input, header first."""
    out = docket("clean", "--explain", *map(str, inputs())).stdout.decode("utf-8")
    sections = re.split(r"^(?=== )", out, flags=re.MULTILINE)
    return {path: section.splitlines() for path, section in zip(inputs(), [s for s in sections if s], strict=True)}


def visible_text(page: Path) -> str:
    """The text of an HTML page's body, scripts and styles left out."""
    root = lxml.html.document_fromstring(page.read_bytes())
    etree.strip_elements(root, "script", "style", "noscript", "template", etree.Comment, with_tail=False)
    return "".join(root.body.itertext())


def non_blank(text: str) -> str:
    """Every character but whitespace, in order."""
    return "".join(text.split())


def test_cleaning_the_same_bytes_in_two_processes_gives_byte_identical_json(clean_runs: tuple[bytes, bytes]) -> None:
    """Two processes with different hash seeds print the same `clean --json` bytes."""
    first, second = clean_runs
    assert len(inputs()) == len(first.splitlines())
    assert first == second


def test_the_stored_clean_digest_is_the_sha256_of_the_clean_json_text(cleaned: dict, records: dict) -> None:
    """The clean digest a store records is sha256 of `(text.strip() + "\\n")` of `clean --json`."""
    for path in inputs():
        stored = (cleaned[path]["text"].strip() + "\n").encode("utf-8")
        assert hashlib.sha256(stored).hexdigest() == records[path]["clean"]["sha256"]
        assert len(stored) == records[path]["clean"]["size"]
        assert cleaned[path]["text"].strip() + "\n" == records[path]["text"]


def test_clean_json_has_exactly_the_documented_fields(cleaned: dict) -> None:
    """`clean --json` objects hold path, title, text, metadata (eight fields) and removed blocks with rules."""
    for path, obj in cleaned.items():
        assert {"path", "title", "text", "metadata", "removed"} == set(obj)
        assert str(path) == obj["path"]
        assert METADATA_KEYS == set(obj["metadata"])
        assert obj["title"] == obj["metadata"]["title"]
        assert isinstance(obj["metadata"]["tags"], list)
        assert all({"rule", "text"} == set(block) and block["rule"] and block["text"] for block in obj["removed"])
    assert "Many bash Russia for Chechen abuses; few help gay victims" == cleaned[SEED]["title"]


def test_explain_lists_the_seed_blocks_in_order_with_their_rules(explained: dict) -> None:
    """`clean --explain` on a seed marks kept blocks and names the rule of each removed one, in document order."""
    lines = explained[SEED]
    assert f"== {SEED}  (title: 'Many bash Russia for Chechen abuses; few help gay victims')" == lines[0]
    assert "- navigation        Now Reading" == lines[1]
    assert "- title             Many bash Russia for Chechen abuses; few help gay victims" == lines[2]
    assert "  KEEP  Many countries condemned last spring’s homophobic and murderous anti-gay crackdown in Chechnya, " \
           "but only five countries have offered to help fleeing gay Chechens." == lines[4]
    in_order = ["  KEEP  Refugee fatigue seems to be an issue.", "- related-teaser    See Also",
                "- comment-section   View Comments (3)", "- comment-form      Leave a Reply",
                "- copyright         © 2022 ERASING 76CRIMES", "- navigation        Continue reading"]
    positions = [lines.index(line) for line in in_order]
    assert sorted(positions) == positions
    assert "- navigation        Continue reading" == lines[-1]


@needs_dev
def test_explain_lists_the_html_page_blocks_in_order_with_their_rules(explained: dict) -> None:
    """`clean --explain` on a real HTML page: menu, byline, article, related links, comments, footer, in order."""
    lines = explained[DEV_PAGE]
    assert f"== {DEV_PAGE}  (title: \"Poor man's productivity trick\")" == lines[0]
    in_order = ["- navigation        Main Menu", "- navigation        Home", "- byline            By Ibrahim Diallo",
                "  KEEP  A rolling tracker is just a text file. One ending in .txt, nothing fancy. "
                "Over time, I developed two versions of this method.",
                "- related-teaser    Why Developers Build Unfinished Calculators",
                "- comment-section   There are no comments added yet.",
                "- footer            Copyright © 2013 - 2025"]
    positions = [lines.index(line) for line in in_order]
    assert sorted(positions) == positions
    assert "- navigation        Main Menu" == lines[1]


@pytest.mark.parametrize("path", [SEED, pytest.param(DEV_PAGE, marks=needs_dev)], ids=["seed", "html"])
def test_explain_agrees_with_clean_json(path: Path, cleaned: dict, explained: dict) -> None:
    """Every explain line is a KEEP or a rule line; kept lines are the body, rule lines the removed list."""
    kept, removed = [], []
    for line in explained[path][1:]:
        if line.startswith(KEEP_MARK):
            kept.append(line[len(KEEP_MARK):])
        else:
            match = RULE_LINE.match(line)
            assert match, line
            removed.append({"rule": match[1], "text": match[2]})
    assert cleaned[path]["text"] == "\n\n".join(kept)
    assert cleaned[path]["removed"] == removed


@needs_dev
def test_explain_blocks_are_the_whole_visible_text_of_the_html_page(explained: dict) -> None:
    """Kept and removed blocks, read in order, are the page body's text: nothing dropped without a rule."""
    blocks = [line[len(KEEP_MARK):] if line.startswith(KEEP_MARK) else RULE_LINE.match(line)[2]
              for line in explained[DEV_PAGE][1:]]
    assert non_blank(visible_text(DEV_PAGE)) == non_blank("".join(blocks))


def test_the_record_of_a_seed_accounts_for_every_word_of_the_original(records: dict, cleaned: dict) -> None:
    """The record lists every removed block with its rule; each occurs in the original, and kept plus
    removed blocks hold exactly the original's words."""
    record, original = records[SEED], SEED.read_text(encoding="utf-8")
    assert cleaned[SEED]["removed"] == record["removed"]
    flat = " ".join(original.split())
    for block in record["removed"]:
        assert block["rule"]
        assert " ".join(block["text"].split()) in flat
    words = re.compile(r"\w+")
    accounted = Counter(words.findall(record["text"])) + Counter(words.findall(" ".join(b["text"] for b in record["removed"])))
    assert Counter(words.findall(original)) == accounted
    rules = {block["rule"] for block in record["removed"]}
    assert {"navigation", "title", "image-caption", "comment-section", "comment-form", "copyright"} <= rules


@needs_dev
def test_the_record_of_an_html_page_accounts_for_its_visible_text(records: dict, cleaned: dict) -> None:
    """For an HTML page the record's kept and removed blocks hold exactly the characters of its body text."""
    record = records[DEV_PAGE]
    assert cleaned[DEV_PAGE]["removed"] == record["removed"]
    assert all(block["rule"] for block in record["removed"])
    accounted = Counter(non_blank(record["text"])) + Counter(non_blank("".join(b["text"] for b in record["removed"])))
    assert Counter(non_blank(visible_text(DEV_PAGE))) == accounted
    assert {"navigation", "byline", "related-teaser", "comment-section", "footer"} <= {b["rule"] for b in record["removed"]}

