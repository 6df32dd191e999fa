"""BagIt export validated by bagit-python, and import that checks every digest before taking anything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bagit
import pytest
from provenance_support import cli, cli_json

from archive.bagit_export import encode_path


def _export(store: Path, dest: Path, *ids: str) -> None:
    result = cli(store, "export", "bagit", str(dest), *ids)
    assert 0 == result.exit_code, result.output


def _events(store: Path) -> list[dict]:
    return [json.loads(line) for line in cli(store, "log", "--json").stdout.splitlines()]


def _rewrite_manifests(bag: Path) -> None:
    """Re-hash a tampered bag's payload so only docket's own checks can tell (a careful forger)."""
    bagit.Bag(str(bag)).save(manifests=True)


def test_exported_bag_validates_with_bagit_python(seeded_store: Path, tmp_path: Path) -> None:
    """The bag holds originals, clean texts, records and the ledger; bagit-python validates it."""
    dest = tmp_path / "bag"
    _export(seeded_store, dest)
    bag = bagit.Bag(str(dest))
    bag.validate()
    assert {"sha256", "sha512"} == set(bag.algorithms)
    assert (dest / "tagmanifest-sha256.txt").is_file() and (dest / "tagmanifest-sha512.txt").is_file()
    ids = sorted(p.name for p in (dest / "data" / "documents").iterdir())
    assert 5 == len(ids)
    for doc_id in ids:
        names = sorted(p.name for p in (dest / "data" / "documents" / doc_id).iterdir())
        assert ["clean.txt", "original.txt", "provenance.json"] == names
    ledger = (seeded_store / "archive" / "ledger.jsonl").read_bytes().splitlines(keepends=True)
    assert b"".join(ledger[:-1]) == (dest / "data/ledger/ledger.jsonl").read_bytes()  # all but the export entry
    info = bag.info
    assert info["Bag-Software-Agent"].startswith("docket ")
    seq, digest = info["Docket-Ledger-Head"].split()
    assert "5" == seq and digest in (dest / "data/ledger/ledger.jsonl.head").read_text()
    for key in ("Bagging-Date", "Payload-Oxum", "External-Description", "External-Identifier"):
        assert info[key]
    export = _events(seeded_store)[-1]
    assert "export" == export["event"]
    assert info["Payload-Oxum"] == export["data"]["payload_oxum"]
    assert digest == export["data"]["ledger_head"]


def test_a_flipped_bit_makes_bagit_python_reject_the_bag(seeded_store: Path, tmp_path: Path) -> None:
    """One bit changed in one original: bagit-python's validate raises, naming the file."""
    dest = tmp_path / "bag"
    _export(seeded_store, dest)
    target = next((dest / "data" / "documents").iterdir()) / "original.txt"
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(bagit.BagValidationError) as caught:
        bagit.Bag(str(dest)).validate()
    assert "original.txt" in str(caught.value.details[0])
    refused = cli(tmp_path / "new", "import", "bagit", str(dest))
    assert 1 == refused.exit_code
    assert refused.stderr.startswith(f"docket: error: bag {dest} does not validate: data/documents/")
    assert "sha256 expected" in refused.stderr
    assert not (tmp_path / "new" / "archive" / "records").exists()


def test_export_of_chosen_ids(seeded_store: Path, tmp_path: Path) -> None:
    """`export bagit DEST ID...` packs only those documents (by unique prefix)."""
    ids = [e["subject"] for e in _events(seeded_store)][:2]
    _export(seeded_store, tmp_path / "bag", ids[0][:8], ids[1])
    assert sorted(ids) == sorted(p.name for p in (tmp_path / "bag" / "data" / "documents").iterdir())
    bagit.Bag(str(tmp_path / "bag")).validate()


def test_export_refuses_a_non_empty_destination(seeded_store: Path, tmp_path: Path) -> None:
    """A destination with files in it is left alone: exit 1, one error line, nothing logged."""
    (tmp_path / "bag").mkdir()
    (tmp_path / "bag" / "keep.txt").write_text("mine")
    result = cli(seeded_store, "export", "bagit", str(tmp_path / "bag"))
    assert 1 == result.exit_code
    assert f"docket: error: {tmp_path / 'bag'} already exists and is not empty; give a new folder for the bag\n" \
        == result.stderr
    assert ["keep.txt"] == [p.name for p in (tmp_path / "bag").iterdir()]
    assert "export" not in [e["event"] for e in _events(seeded_store)]


def test_import_round_trip(seeded_store: Path, tmp_path: Path) -> None:
    """A new store imports the bag: verify passes, search answers, records are byte for byte the same."""
    _export(seeded_store, tmp_path / "bag")
    new = tmp_path / "new"
    result = cli(new, "import", "bagit", str(tmp_path / "bag"))
    assert 0 == result.exit_code, result.output
    assert result.stdout.startswith("imported 5 documents (0 already here)")
    assert 0 == cli(new, "verify").exit_code
    old_hits = cli_json(seeded_store, "search", "Kochetkov")
    new_hits = cli_json(new, "search", "Kochetkov")
    assert sorted(h["id"] for h in old_hits["hits"]) == sorted(h["id"] for h in new_hits["hits"])
    assert old_hits["total"] == new_hits["total"] > 0
    for doc_id in (h["id"] for h in new_hits["hits"]):
        path = Path("archive", "records", doc_id[:2], f"{doc_id}.json")
        assert (seeded_store / path).read_bytes() == (new / path).read_bytes()
    events = _events(new)
    assert ["ingest"] * 5 + ["import"] == [e["event"] for e in events]
    assert all(e["data"]["imported"] for e in events[:5])
    bag_ledger = (tmp_path / "bag" / "data" / "ledger" / "ledger.jsonl").read_bytes()
    kept = events[-1]["data"]["source_ledger_sha256"]
    assert bag_ledger == (new / "archive" / "objects" / "sha256" / kept[:2] / kept[2:]).read_bytes()
    again = cli(new, "import", "bagit", str(tmp_path / "bag"))
    assert again.stdout.startswith("imported 0 documents (5 already here)")
    assert 0 == cli(new, "verify").exit_code


def test_import_refuses_a_bag_whose_record_does_not_match_its_files(seeded_store: Path, tmp_path: Path) -> None:
    """Manifests rewritten after swapping a clean text: the bag is valid BagIt, docket still refuses it."""
    _export(seeded_store, tmp_path / "bag")
    folder = next((tmp_path / "bag" / "data" / "documents").iterdir())
    (folder / "clean.txt").write_text("a different text\n")
    _rewrite_manifests(tmp_path / "bag")
    bagit.Bag(str(tmp_path / "bag")).validate()
    result = cli(tmp_path / "new", "import", "bagit", str(tmp_path / "bag"))
    assert 1 == result.exit_code
    assert "clean.txt: does not hash to the clean digest its record gives" in result.stderr


@pytest.mark.parametrize("evil", ["data/../../escaped.txt", "/tmp/absolute.txt", "data/documents/../../x"])
def test_import_refuses_paths_that_leave_the_bag(seeded_store: Path, tmp_path: Path, evil: str) -> None:
    """A manifest entry with `..` or an absolute path is refused and nothing is written outside."""
    _export(seeded_store, tmp_path / "bag")
    manifest = tmp_path / "bag" / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text() + f"{'0' * 64}  {encode_path(evil)}\n")
    result = cli(tmp_path / "new", "import", "bagit", str(tmp_path / "bag"))
    assert 1 == result.exit_code
    assert f"unsafe path {evil!r}" in result.stderr
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "new" / "archive" / "records").exists()


def test_import_refuses_unlisted_payload_and_a_wrong_oxum(seeded_store: Path, tmp_path: Path) -> None:
    """An extra file in data/ and a Payload-Oxum that does not add up are both named."""
    _export(seeded_store, tmp_path / "bag")
    (tmp_path / "bag" / "data" / "smuggled.txt").write_text("not in any manifest")
    result = cli(tmp_path / "new", "import", "bagit", str(tmp_path / "bag"))
    assert 1 == result.exit_code
    assert "data/smuggled.txt: in data/ but in no manifest" in result.stderr
    shutil.rmtree(tmp_path / "bag")
    _export(seeded_store, tmp_path / "bag")
    info = tmp_path / "bag" / "bag-info.txt"
    info.write_text(info.read_text().replace("Payload-Oxum: ", "Payload-Oxum: 1"))
    result = cli(tmp_path / "new", "import", "bagit", str(tmp_path / "bag"))
    assert 1 == result.exit_code
    oxum = _events(seeded_store)[-1]["data"]["payload_oxum"]
    assert f"does not validate: Payload-Oxum says 1{oxum}, the payload is {oxum}" in result.stderr


def test_import_refuses_something_that_is_not_a_bag(tmp_path: Path) -> None:
    """A folder without bagit.txt: exit 1, one line."""
    (tmp_path / "folder").mkdir()
    result = cli(tmp_path / "new", "import", "bagit", str(tmp_path / "folder"))
    assert 1 == result.exit_code
    assert f"docket: error: bag {tmp_path / 'folder'} does not validate: bagit.txt is missing: not a bag\n" \
        == result.stderr
