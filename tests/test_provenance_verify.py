"""`docket verify` names every kind of problem with document, object, expected and found."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from provenance_support import cli, cli_json, page, write_page

from archive.archive import Archive
from corpus import prepare as prepare_module
from corpus.collection import Collection, indexed_document
from index import writer as index_writer


def _first(store: Path) -> tuple[str, dict]:
    line = (store / "archive" / "ledger.jsonl").read_text().splitlines()[0]
    doc_id = json.loads(line)["subject"]
    return doc_id, cli_json(store, "show", doc_id)


def _object(store: Path, digest: str) -> Path:
    path = store / "archive" / "objects" / "sha256" / digest[:2] / digest[2:]
    path.chmod(0o644)
    return path


def _record(store: Path, doc_id: str) -> Path:
    path = store / "archive" / "records" / doc_id[:2] / f"{doc_id}.json"
    path.chmod(0o644)
    return path


def flip_bit(store: Path, tmp: Path) -> None:
    _, record = _first(store)
    path = _object(store, record["original"]["sha256"])
    data = bytearray(path.read_bytes())
    data[10] ^= 0x04
    path.write_bytes(bytes(data))


def delete_object(store: Path, tmp: Path) -> None:
    _object(store, _first(store)[1]["clean"]["sha256"]).unlink()


def edit_record(store: Path, tmp: Path) -> None:
    doc_id, _ = _first(store)
    path = _record(store, doc_id)
    path.write_bytes(path.read_bytes().replace(b'"title":"', b'"title":"Edited: ', 1))


def delete_record(store: Path, tmp: Path) -> None:
    _record(store, _first(store)[0]).unlink()


def garble_record(store: Path, tmp: Path) -> None:
    _record(store, _first(store)[0]).write_bytes(b"{ not a record")


def unlogged_record(store: Path, tmp: Path) -> None:
    """A document's objects and record appear without an ingest entry (copied in behind docket's back)."""
    other = tmp / "other"
    html = write_page(tmp / "in", "x.html", page("Unlogged", canonical="https://example.org/x"))
    cli(other, "ingest", str(html))
    for folder in ("objects", "records"):
        shutil.copytree(other / "archive" / folder, store / "archive" / folder, dirs_exist_ok=True)


def orphan_object(store: Path, tmp: Path) -> None:
    Archive(store / "archive").objects.put(b"bytes nobody refers to\n")


def truncate_object_fast(store: Path, tmp: Path) -> None:
    path = _object(store, _first(store)[1]["original"]["sha256"])
    path.write_bytes(path.read_bytes()[:-5])


def drop_index(store: Path, tmp: Path) -> None:
    shutil.rmtree(store / "index")


def extra_index_entry(store: Path, tmp: Path) -> None:
    collection = Collection(store)
    doc_id, _ = _first(store)
    record = collection.record(doc_id)
    ghost = attrs.evolve(record, original=attrs.evolve(record.original, sha256="e" * 64))
    index_writer.write_documents(collection.index_path, [indexed_document(ghost, "ghost text")])


def stale_index_entry(store: Path, tmp: Path) -> None:
    collection = Collection(store)
    record = collection.record(_first(store)[0])
    stale = attrs.evolve(record, clean=attrs.evolve(record.clean, sha256="d" * 64))
    index_writer.write_documents(collection.index_path, [indexed_document(stale, "stale text")])


PROBLEMS: list[tuple[Callable, str, tuple[str, ...]]] = [
    (flip_bit, "object-corrupt", ()),
    (delete_object, "object-missing", ()),
    (truncate_object_fast, "object-size", ("--fast",)),
    (edit_record, "record-changed", ()),
    (delete_record, "record-missing", ()),
    (garble_record, "record-corrupt", ()),
    (unlogged_record, "record-unlogged", ()),
    (orphan_object, "object-orphan", ()),
    (drop_index, "index-missing", ()),
    (extra_index_entry, "index-extra", ()),
    (stale_index_entry, "index-stale", ()),
]


@pytest.mark.parametrize(("plant", "kind", "flags"), PROBLEMS, ids=[p[1] for p in PROBLEMS])
def test_verify_names_each_problem(seeded_store: Path, tmp_path: Path, plant: Callable, kind: str,
                                   flags: tuple[str, ...]) -> None:
    """Plant one fault: verify exits 1, and --json names it with object, expected and found."""
    plant(seeded_store, tmp_path)
    assert 1 == cli(seeded_store, "verify", *flags).exit_code
    report = cli_json(seeded_store, "verify", *flags)
    assert False is report["ok"]
    found = [p for p in report["problems"] if p["kind"] == kind]
    assert found, report["problems"]
    for problem in report["problems"]:
        assert {"kind", "message", "document", "object", "expected", "found"} <= set(problem)
        assert problem["object"] and problem["expected"] and problem["found"], problem


def test_clean_mismatch_when_the_stored_clean_text_is_not_what_the_cleaner_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean text stored by a cleaner that misbehaved is caught by re-deriving it from the original."""
    store = tmp_path / "store"
    html = write_page(tmp_path / "in", "a.html", page(canonical="https://example.org/a"))
    honest = prepare_module.clean_bytes_of
    monkeypatch.setattr(prepare_module, "clean_bytes_of", lambda result: honest(result) + b"injected\n")
    assert 0 == cli(store, "ingest", str(html), "--workers", "1").exit_code
    monkeypatch.setattr(prepare_module, "clean_bytes_of", honest)
    report = cli_json(store, "verify")
    assert ["clean-mismatch"] == [p["kind"] for p in report["problems"]]
    assert report["problems"][0]["document"] and report["problems"][0]["expected"] != report["problems"][0]["found"]
    assert [] == cli_json(store, "verify", "--fast")["problems"]  # fast mode does not re-clean


def test_fast_mode_says_it_cannot_see_corrupted_bytes(seeded_store: Path, tmp_path: Path) -> None:
    """A flipped bit passes --fast, which says so on every run; the full check catches it."""
    flip_bit(seeded_store, tmp_path)
    fast = cli(seeded_store, "verify", "--fast")
    assert 0 == fast.exit_code
    assert "ok: 5 documents verified (fast mode: bytes not re-hashed, corrupted bytes NOT detected)\n" == fast.stdout
    assert False is cli_json(seeded_store, "verify", "--fast")["detects_corrupted_bytes"]
    assert 1 == cli(seeded_store, "verify").exit_code


def test_intact_store_exits_0_with_json(seeded_store: Path) -> None:
    """Nothing wrong: exit 0, ok true, no problems, every document counted."""
    result = cli(seeded_store, "verify", "--json")
    assert 0 == result.exit_code
    report = json.loads(result.stdout)
    assert (True, [], 5, "full", True) == (report["ok"], report["problems"], report["documents"], report["mode"],
                                           report["detects_corrupted_bytes"])
