"""The ledger is append-only and hash-chained: every kind of tampering is found by `docket verify`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from provenance_support import cli, cli_json

LEDGER = Path("archive") / "ledger.jsonl"


def _lines(store: Path) -> list[bytes]:
    return (store / LEDGER).read_bytes().splitlines()


def _write(store: Path, lines: list[bytes]) -> None:
    (store / LEDGER).write_bytes(b"".join(line + b"\n" for line in lines))


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def edit_middle(lines: list[bytes]) -> list[bytes]:
    """Change the time of entry 3, keeping canonical form (only the chain can show it)."""
    entry = json.loads(lines[2])
    entry["at"] = "2001-01-01T00:00:00Z"
    return [*lines[:2], _canonical(entry), *lines[3:]]


def edit_whitespace(lines: list[bytes]) -> list[bytes]:
    """Re-serialise entry 2 with spaces: same data, other bytes."""
    return [lines[0], json.dumps(json.loads(lines[1]), sort_keys=True).encode(), *lines[2:]]


def edit_last(lines: list[bytes]) -> list[bytes]:
    """Change the last entry: no later entry chains onto it, the head file does."""
    entry = json.loads(lines[-1])
    entry["data"]["documents"] = 99
    return [*lines[:-1], _canonical(entry)]


def delete_middle(lines: list[bytes]) -> list[bytes]:
    """Drop entry 3."""
    return lines[:2] + lines[3:]


def insert_forged(lines: list[bytes]) -> list[bytes]:
    """Insert a well-formed entry after entry 2, chained onto it, renumbering nothing after."""
    prev = hashlib.sha256(lines[1]).hexdigest()
    forged = {"seq": 3, "prev": prev, "at": "2017-06-26T00:00:00Z", "event": "ingest", "subject": "f" * 64,
              "data": {"record_sha256": "0" * 64}}
    return [*lines[:2], _canonical(forged), *lines[2:]]


def reorder(lines: list[bytes]) -> list[bytes]:
    """Swap entries 2 and 3."""
    return [lines[0], lines[2], lines[1], *lines[3:]]


def truncate(lines: list[bytes]) -> list[bytes]:
    """Cut the last two entries off."""
    return lines[:-2]


def garble(lines: list[bytes]) -> list[bytes]:
    """Replace entry 4 with bytes that are not JSON."""
    return [*lines[:3], b"{not json", *lines[4:]]


TAMPERINGS: list[tuple[Callable, str, str]] = [
    (edit_middle, "ledger-chain", "ledger.jsonl:4"),
    (edit_whitespace, "ledger-edited", "ledger.jsonl:2"),
    (edit_last, "ledger-edited", "ledger.jsonl.head"),
    (delete_middle, "ledger-chain", "ledger.jsonl:3"),
    (insert_forged, "ledger-sequence", "ledger.jsonl:4"),
    (reorder, "ledger-chain", "ledger.jsonl:2"),
    (truncate, "ledger-truncated", "ledger.jsonl.head"),
    (garble, "ledger-unreadable", "ledger.jsonl:4"),
]


@pytest.mark.parametrize(("tamper", "kind", "where"), TAMPERINGS, ids=[t[0].__name__ for t in TAMPERINGS])
def test_verify_finds_ledger_tampering_and_says_where(seeded_store: Path, tamper: Callable, kind: str,
                                                      where: str) -> None:
    """Edit, delete, insert, reorder, truncate or garble ledger lines: verify exits 1 and names the line."""
    assert 0 == cli(seeded_store, "reindex").exit_code  # six entries: five ingests and a reindex
    before = _lines(seeded_store)
    _write(seeded_store, tamper(before))
    result = cli(seeded_store, "verify", "--fast")
    assert 1 == result.exit_code, result.output
    report = cli_json(seeded_store, "verify", "--fast")
    assert False is report["ok"]
    assert (kind, where) in {(p["kind"], p["object"]) for p in report["problems"]}, report["problems"]
    assert f"PROBLEM {kind}:" in result.stdout
    assert f"object: {where}" in result.stdout


def test_intact_ledger_verifies_and_log_shows_its_head(seeded_store: Path) -> None:
    """An untouched store verifies; `docket log` ends with the head digest, which is the last line's sha256."""
    assert 0 == cli(seeded_store, "verify").exit_code
    log = cli(seeded_store, "log")
    head = hashlib.sha256(_lines(seeded_store)[-1]).hexdigest()
    assert f"head: {head} (5 entries)" == log.stdout.splitlines()[-1]
    events = [json.loads(line)["event"] for line in cli(seeded_store, "log", "--json").stdout.splitlines()]
    assert ["ingest"] * 5 == events


def test_each_entry_chains_onto_the_line_before(seeded_store: Path) -> None:
    """Entries are numbered 1.. and each prev is the sha256 of the previous line's bytes (genesis: zeros)."""
    entries = [json.loads(line) for line in _lines(seeded_store)]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    prevs = [e["prev"] for e in entries]
    assert ["0" * 64] + [hashlib.sha256(line).hexdigest() for line in _lines(seeded_store)[:-1]] == prevs
