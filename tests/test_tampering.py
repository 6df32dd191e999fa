"""Plant a fault in a real store and check that `docket verify` exits 1 and names the document."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import SEEDS, make_writable, run_docket

SEED = SEEDS[2]
DOC_ID = hashlib.sha256(SEED.read_bytes()).hexdigest()


def record_of(store: Path) -> dict:
    """The provenance record of the planted-fault document."""
    return json.loads((store / "archive" / "records" / DOC_ID[:2] / f"{DOC_ID}.json").read_text(encoding="utf-8"))


def object_path(store: Path, digest: str) -> Path:
    """Where an object lives in the store."""
    return store / "archive" / "objects" / "sha256" / digest[:2] / digest[2:]


def verify_problems(store: Path) -> tuple[int, list[dict]]:
    """Exit code and problem list of `verify --json`."""
    result = run_docket(store, "verify", "--json")
    return result.returncode, json.loads(result.stdout)["problems"]


def flip_byte(path: Path, offset: int = 10) -> None:
    """Flip the bits of one byte of a file."""
    make_writable(path)
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("role", ["original", "clean"])
def test_a_flipped_byte_in_any_stored_object_is_named(seeded_store: Path, role: str) -> None:
    """One flipped byte of the original or the clean text: verify exits 1 naming document and object."""
    digest = record_of(seeded_store)[role]["sha256"]
    flip_byte(object_path(seeded_store, digest))
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    corrupt = [p for p in problems if p["kind"] == "object-corrupt"]
    assert [DOC_ID] == [p["document"] for p in corrupt]
    assert digest == corrupt[0]["expected"]
    assert digest != corrupt[0]["found"]


def test_every_object_of_every_document_is_checked(seeded_store: Path) -> None:
    """Flipping a byte in each of the ten objects gives ten object problems, one per object."""
    records = [json.loads(p.read_text()) for p in (seeded_store / "archive" / "records").rglob("*.json")]
    digests = [r[role]["sha256"] for r in records for role in ("original", "clean")]
    for digest in digests:
        flip_byte(object_path(seeded_store, digest), offset=1)
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    assert sorted(digests) == sorted(p["expected"] for p in problems if p["kind"] == "object-corrupt")


def test_a_deleted_object_is_named(seeded_store: Path) -> None:
    """Deleting a document's clean text: verify names the document and the missing object."""
    digest = record_of(seeded_store)["clean"]["sha256"]
    object_path(seeded_store, digest).unlink()
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    assert [("object-missing", DOC_ID)] == [(p["kind"], p["document"]) for p in problems if p["kind"] == "object-missing"]


def ledger_lines(store: Path) -> list[bytes]:
    """The ledger's lines."""
    return (store / "archive" / "ledger.jsonl").read_bytes().splitlines(keepends=True)


def write_ledger(store: Path, lines: list[bytes]) -> None:
    """Replace the ledger's content."""
    (store / "archive" / "ledger.jsonl").write_bytes(b"".join(lines))


def test_an_edited_ledger_entry_is_found(seeded_store: Path) -> None:
    """Changing the time of one ledger entry breaks the chain at the next entry."""
    lines = ledger_lines(seeded_store)
    lines[1] = lines[1].replace(b'"at":"2', b'"at":"1')
    write_ledger(seeded_store, lines)
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    assert any(p["kind"] == "ledger-chain" and "line 3" in p["message"] for p in problems)


def test_a_deleted_ledger_entry_is_found_and_its_document_named(seeded_store: Path) -> None:
    """Deleting the ingest entry of a document: chain and sequence break, the record is unlogged."""
    lines = ledger_lines(seeded_store)
    victim = next(i for i, line in enumerate(lines) if DOC_ID.encode() in line)
    del lines[victim]
    write_ledger(seeded_store, lines)
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    kinds = {p["kind"] for p in problems}
    assert {"ledger-chain", "ledger-sequence", "record-unlogged"} <= kinds
    assert DOC_ID in [p["document"] for p in problems if p["kind"] == "record-unlogged"]


def test_reordered_ledger_entries_are_found(seeded_store: Path) -> None:
    """Swapping two ledger entries breaks the sequence and the chain."""
    lines = ledger_lines(seeded_store)
    lines[1], lines[2] = lines[2], lines[1]
    write_ledger(seeded_store, lines)
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    assert {"ledger-chain", "ledger-sequence"} <= {p["kind"] for p in problems}


def test_a_truncated_ledger_is_found(seeded_store: Path) -> None:
    """Cutting the last entry off the ledger is caught by the head file."""
    write_ledger(seeded_store, ledger_lines(seeded_store)[:-1])
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    assert "ledger-truncated" in {p["kind"] for p in problems}


def test_an_edited_record_is_found(seeded_store: Path) -> None:
    """Changing a provenance record (the title) no longer matches the digest the ledger holds."""
    path = seeded_store / "archive" / "records" / DOC_ID[:2] / f"{DOC_ID}.json"
    make_writable(path)
    path.write_bytes(path.read_bytes().replace(b"Many bash", b"Some bash"))
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    assert [DOC_ID] == [p["document"] for p in problems if p["kind"] == "record-changed"]


def test_a_deleted_index_entry_is_named(seeded_store: Path) -> None:
    """Removing a document from the index: verify names it; reindex repairs it."""
    from index.writer import delete_documents

    assert 1 == delete_documents(seeded_store / "index", [DOC_ID])
    code, problems = verify_problems(seeded_store)
    assert 1 == code
    assert [("index-missing", DOC_ID)] == [(p["kind"], p["document"]) for p in problems]
    assert 0 == run_docket(seeded_store, "reindex").returncode
    assert (0, []) == verify_problems(seeded_store)


def test_verify_reports_every_problem_not_just_the_first(seeded_store: Path) -> None:
    """Three faults in three places give at least three problems in one run, in human output too."""
    record = record_of(seeded_store)
    flip_byte(object_path(seeded_store, record["original"]["sha256"]))
    object_path(seeded_store, record["clean"]["sha256"]).unlink()
    lines = ledger_lines(seeded_store)
    lines[0], lines[3] = lines[3], lines[0]
    write_ledger(seeded_store, lines)
    result = run_docket(seeded_store, "verify")
    out = result.stdout.decode()
    assert 1 == result.returncode
    assert "object-corrupt" in out and "object-missing" in out and "ledger-chain" in out


def test_a_different_cleaner_version_is_a_notice_not_corruption(seeded_store: Path, monkeypatch) -> None:
    """Documents cleaned by another cleaner version are reported as such, and verify still passes."""
    import corpus.verify as verify_module
    from corpus.collection import Collection

    monkeypatch.setattr(verify_module, "CLEANER_VERSION", "0+older")
    report = verify_module.verify_store(Collection(seeded_store))
    assert report.ok
    assert 5 == len(report.notices)
    assert all("cleaner version" in notice for notice in report.notices)


def test_the_cleaner_version_changes_when_a_rule_changes(tmp_path: Path) -> None:
    """Editing a rules file gives another cleaner fingerprint; the same files give the same one."""
    import shutil

    import corpus
    from corpus.clean import CLEANER_VERSION, cleaner_fingerprint

    copy = tmp_path / "corpus"
    shutil.copytree(Path(corpus.__file__).parent, copy)
    before = cleaner_fingerprint(copy)
    assert before == cleaner_fingerprint(copy)
    assert CLEANER_VERSION.startswith("1+")
    rules = copy / "rules" / "text_rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert before != cleaner_fingerprint(copy)
