"""The whole job through the real CLI on a real store: ingest, search, show, re-ingest, reindex."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, SEEDS, docket_json, run_docket

# A phrase from the body of each seed article.
SEED_PHRASES = {
    "000": "legal aid for Chechen homosexuals",
    "001": "crime against humanity",
    "002": "Refugee fatigue seems to be an issue",
    "003": "OutRight Action International are calling",
    "004": "hotline for LGBT people in the North Caucasus",
}


def seed_file(prefix: str) -> Path:
    """The sample file whose name starts with ``prefix``."""
    return next(path for path in SEEDS if path.name.startswith(prefix))


@pytest.mark.parametrize("prefix", sorted(SEED_PHRASES))
def test_search_finds_each_seed_by_a_body_phrase_with_the_phrase_highlighted(seeded_store: Path, prefix: str) -> None:
    """A quoted phrase from a seed's body finds that seed first, every word of it highlighted."""
    phrase = SEED_PHRASES[prefix]
    result = docket_json(seeded_store, "search", f'"{phrase}"')
    import hashlib

    expected_id = hashlib.sha256(seed_file(prefix).read_bytes()).hexdigest()
    assert expected_id == result["hits"][0]["id"]
    marked = [" ".join(snippet["text"][start:end].split()).lower()
              for snippet in result["hits"][0]["snippets"] for start, end in snippet["highlights"]]
    assert " ".join(phrase.split()).lower() in marked, result["hits"][0]["snippets"]


def test_search_json_has_exactly_the_designed_shape(seeded_store: Path) -> None:
    """--json gives query, total and hits with the fields DESIGN.md lists; offsets fall inside the text."""
    result = docket_json(seeded_store, "search", "Kochetkov evacuation")
    assert {"query", "total", "hits"} == set(result)
    assert "Kochetkov evacuation" == result["query"]
    assert result["total"] >= 1
    for hit in result["hits"]:
        designed = {"id", "title", "score", "published", "source", "raw_sha256", "clean_sha256", "snippets"}
        assert designed <= set(hit)
        assert set() == set(hit) - designed - {"citation", "duplicates"}
        for snippet in hit["snippets"]:
            for start, end in snippet["highlights"]:
                assert 0 <= start < end <= len(snippet["text"])


def test_terminal_output_marks_matches_when_piped(seeded_store: Path) -> None:
    """Piped output (NO_COLOR set) marks matches with ** and names title, date and a short id."""
    result = run_docket(seeded_store, "search", "Kochetkov")
    out = result.stdout.decode()
    assert 0 == result.returncode
    assert "**Kochetkov**" in out
    assert "\x1b[" not in out


def test_title_only_match_still_gets_a_snippet(seeded_store: Path) -> None:
    """A word found only in a title gives a snippet with the title's match highlighted."""
    result = docket_json(seeded_store, "search", "title:bash")
    hit = result["hits"][0]
    snippet = hit["snippets"][0]
    assert ["bash"] == [snippet["text"][s:e].lower() for s, e in snippet["highlights"]]


def test_show_raw_returns_the_original_bytes_exactly(seeded_store: Path) -> None:
    """`show --raw` writes the captured bytes, byte for byte, for every seed."""
    import hashlib

    for seed in SEEDS:
        doc_id = hashlib.sha256(seed.read_bytes()).hexdigest()
        result = run_docket(seeded_store, "show", doc_id[:10], "--raw")
        assert 0 == result.returncode
        assert seed.read_bytes() == result.stdout


def test_show_prints_clean_text_and_provenance(seeded_store: Path) -> None:
    """`show` gives the title, the provenance facts and the clean text; --json the whole record."""
    import hashlib

    doc_id = hashlib.sha256(seed_file("004").read_bytes()).hexdigest()
    out = run_docket(seeded_store, "show", doc_id[:8]).stdout.decode()
    assert "Rights Group of the Week: Russian LGBT Network" in out
    assert "captured: unknown" in out
    record = docket_json(seeded_store, "show", doc_id[:8])
    assert doc_id == record["id"]
    assert doc_id == record["original"]["sha256"]
    assert record["removed"], "the removed blocks are listed with their rules"
    assert all(item["rule"] for item in record["removed"])


def test_reingest_changes_nothing_and_says_so(seeded_store: Path) -> None:
    """Ingesting the same bytes again adds no ledger entry and reports each file as unchanged."""
    ledger = seeded_store / "archive" / "ledger.jsonl"
    before = ledger.read_bytes()
    result = run_docket(seeded_store, "ingest", str(SAMPLE))
    out = result.stdout.decode()
    assert 0 == result.returncode
    assert 5 == out.count("unchanged  ")
    assert "0 added, 5 unchanged, 0 failed" in out
    assert before == ledger.read_bytes()


def test_reindex_preserves_search_results(seeded_store: Path) -> None:
    """Deleting the index and rebuilding it from the archive gives the same answers."""
    import shutil

    queries = ["Kochetkov evacuation", '"Novaya Gazeta"', "asylum OR visas", "Chechen*"]
    before = [docket_json(seeded_store, "search", q) for q in queries]
    shutil.rmtree(seeded_store / "index")
    result = run_docket(seeded_store, "reindex")
    assert 0 == result.returncode, result.stderr.decode()
    after = [docket_json(seeded_store, "search", q) for q in queries]
    assert before == after
    assert 0 == run_docket(seeded_store, "verify").returncode


def test_log_prints_the_head_digest_of_the_chain(seeded_store: Path) -> None:
    """`log` lists the five ingests and ends with the head digest of the last entry."""
    import hashlib

    out = run_docket(seeded_store, "log").stdout.decode().splitlines()
    last_line = (seeded_store / "archive" / "ledger.jsonl").read_bytes().splitlines()[-1]
    assert f"head: {hashlib.sha256(last_line).hexdigest()} (5 entries)" == out[-1]
    assert 5 == sum(" ingest " in line for line in out)


def test_verify_passes_on_an_intact_store(seeded_store: Path) -> None:
    """A freshly ingested store verifies clean, exit 0, with a JSON report."""
    result = run_docket(seeded_store, "verify", "--json")
    report = json.loads(result.stdout)
    assert 0 == result.returncode
    assert report["ok"] and [] == report["problems"] and 5 == report["documents"]


def test_verify_file_tells_whether_exact_bytes_are_archived(seeded_store: Path, tmp_path: Path) -> None:
    """`verify --file` says which document holds those bytes, and exit 1 for bytes not archived."""
    import hashlib

    seed = seed_file("001")
    result = run_docket(seeded_store, "verify", "--file", str(seed))
    assert 0 == result.returncode
    assert hashlib.sha256(seed.read_bytes()).hexdigest() in result.stdout.decode()
    changed = tmp_path / "changed.txt"
    changed.write_bytes(seed.read_bytes() + b" ")
    assert 1 == run_docket(seeded_store, "verify", "--file", str(changed)).returncode


def test_demo_ingests_the_sample_and_prints_results(tmp_path: Path) -> None:
    """`docket demo` ingests the bundled sample and ends with search results."""
    result = run_docket(tmp_path / "demo", "demo")
    out = result.stdout.decode()
    assert 0 == result.returncode, result.stderr.decode()
    assert 5 == out.count("added ")
    assert "**Kochetkov**" in out
