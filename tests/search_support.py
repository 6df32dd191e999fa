"""Helpers for the search tests: purpose-made documents in a tmp index, and the seed store via the CLI."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus.cli import main
from index.values import IndexedDocument
from index.writer import write_documents

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"


def doc(key: str, body: str, title: str = "Untitled", **facts: object) -> IndexedDocument:
    """A document whose ids are ``key`` repeated; the clean digest follows the body unless given."""
    clean = facts.pop("clean_sha256", None) or hashlib.sha256(body.encode()).hexdigest()
    return IndexedDocument(id=key * 64, title=title, body=body, raw_sha256=key * 64, clean_sha256=clean,
                           **facts)  # type: ignore[arg-type]


def make_index(tmp_path: Path, *docs: IndexedDocument) -> Path:
    """A real whoosh index in a tmp folder holding ``docs``."""
    path = tmp_path / "index"
    write_documents(path, docs)
    return path


def docket(store: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, ["--store", str(store), *args], env={"NO_COLOR": "1"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def seed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five sample articles ingested once through the CLI."""
    store = tmp_path_factory.mktemp("search-seeds") / "store"
    code, out, err = docket(store, "ingest", "--workers", "1", str(SAMPLE))
    assert code == 0, out + err
    return store


@pytest.fixture
def seed_store(seed_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store."""
    store = tmp_path / "store"
    shutil.copytree(seed_template, store)
    return store
