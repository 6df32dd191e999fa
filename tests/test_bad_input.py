"""Bad input: one clear line on stderr, a non-zero exit, the rest of the batch goes on, store unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_docket


def snapshot(store: Path) -> dict[str, str]:
    """Every file of the store's archive with its digest (the index is a cache and may be touched)."""
    root = store / "archive"
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "write.lock"}


BAD_FILES = {
    "empty.txt": b"",
    "blank.html": b"  \n\n ",
    "picture.html": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "report.txt": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    "archive.txt": b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gives_one_line_and_leaves_the_store_as_it_was(seeded_store: Path, tmp_path: Path, name: str) -> None:
    """Each bad file: exit 1, one error line naming the file and the reason, the archive untouched."""
    bad = tmp_path / name
    bad.write_bytes(BAD_FILES[name])
    before = snapshot(seeded_store)
    result = run_docket(seeded_store, "ingest", str(bad))
    errors = [line for line in result.stderr.decode().splitlines() if line.strip()]
    assert 1 == result.returncode
    assert 1 == len(errors)
    assert errors[0].startswith(f"docket: error: {bad}: ")
    assert before == snapshot(seeded_store)


def test_a_bad_file_does_not_stop_the_rest_of_the_batch(tmp_path: Path) -> None:
    """A folder with one binary file and one article: the article is added, exit 1 for the failure."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"\x1f\x8b\x08\x00junk")
    (folder / "b.txt").write_bytes(SEEDS[0].read_bytes())
    result = run_docket(tmp_path / "store", "ingest", str(folder))
    assert 1 == result.returncode
    assert "1 added, 0 unchanged, 1 failed" in result.stdout.decode()
    assert 0 == run_docket(tmp_path / "store", "verify").returncode


def test_a_malformed_query_is_a_usage_error(seeded_store: Path) -> None:
    """An unclosed phrase or bracket is one clear line and exit 2."""
    for query in ['"Novaya Gazeta', "(Kochetkov OR Putin", ""]:
        result = run_docket(seeded_store, "search", query)
        lines = result.stderr.decode().strip().splitlines()
        assert 2 == result.returncode
        assert 1 == len(lines) and lines[0].startswith("docket: error: cannot parse query")


def test_an_unknown_id_is_a_clear_error(seeded_store: Path) -> None:
    """`show` with an id that matches nothing says so on one line, exit 1."""
    result = run_docket(seeded_store, "show", "ffffffffffff")
    assert 1 == result.returncode
    assert "docket: error: no document with id 'ffffffffffff'" in result.stderr.decode()


def test_a_url_that_is_not_a_url_is_refused(tmp_path: Path) -> None:
    """--url must be an absolute URL; anything else is bad usage, exit 2, nothing stored."""
    result = run_docket(tmp_path / "store", "ingest", str(SEEDS[0]), "--url", "not a url")
    assert 2 == result.returncode
    assert "is not a URL" in result.stderr.decode()
    assert not (tmp_path / "store" / "archive").exists()


def test_every_command_has_help_with_an_example_and_there_is_a_version() -> None:
    """Each command's --help shows an example; --version prints the version."""
    from corpus.cli import main

    for name in main.commands:
        result = run_docket(Path("unused"), name, "--help")
        assert 0 == result.returncode
        assert "Example" in result.stdout.decode(), name
    assert run_docket(Path("unused"), "--version").stdout.decode().startswith("docket, version")
