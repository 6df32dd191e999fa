"""Capture facts, versions of one source, PROV-JSON and on-disk permissions, through the CLI."""

from __future__ import annotations

import getpass
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLE
from provenance_support import cli, cli_json, doc_id_of, page, write_page

from corpus.version import DOCKET_VERSION


def test_url_comes_from_the_canonical_link_and_capture_time_stays_unknown(tmp_path: Path) -> None:
    """With no --url the source URL is the page's canonical link; no --retrieved-at means None."""
    store = tmp_path / "store"
    html = write_page(tmp_path / "in", "a.html", page(canonical="https://news.example.org/a",
                                                      og_url="https://news.example.org/og-a"))
    added = cli(store, "ingest", str(html))
    assert 0 == added.exit_code, added.output
    record = cli_json(store, "show", doc_id_of(added))
    assert "https://news.example.org/a" == record["original"]["source_url"]
    assert record["original"]["retrieved_at"] is None
    assert getpass.getuser() == record["ingest"]["by"]
    assert DOCKET_VERSION == record["ingest"]["docket_version"]
    shown = cli(store, "show", doc_id_of(added))
    assert "  captured: unknown" in shown.stdout


def test_url_falls_back_to_og_url(tmp_path: Path) -> None:
    """A page with og:url and no canonical link is recorded with its og:url."""
    store = tmp_path / "store"
    html = write_page(tmp_path / "in", "a.html", page(og_url="https://news.example.org/og-only"))
    record = cli_json(store, "show", doc_id_of(cli(store, "ingest", str(html))))
    assert "https://news.example.org/og-only" == record["original"]["source_url"]


def test_command_line_facts_are_recorded_and_win(tmp_path: Path) -> None:
    """--url, --retrieved-at (normalised to UTC) and --note are kept in the record."""
    store = tmp_path / "store"
    html = write_page(tmp_path / "in", "a.html", page(canonical="https://news.example.org/a"))
    added = cli(store, "ingest", str(html), "--url", "https://archive.example.net/a",
                "--retrieved-at", "2017-06-26T13:07:00+02:00", "--note", "field team batch 3")
    record = cli_json(store, "show", doc_id_of(added))
    assert "https://archive.example.net/a" == record["original"]["source_url"]
    assert "2017-06-26T11:07:00Z" == record["original"]["retrieved_at"]
    assert "field team batch 3" == record["ingest"]["note"]
    assert "https://news.example.org/a" == record["metadata"]["canonical_url"]


def test_text_without_url_has_no_source(tmp_path: Path) -> None:
    """A plain-text capture that names no URL is recorded with source_url None, never a guess."""
    store = tmp_path / "store"
    added = cli(store, "ingest", str(SAMPLE / "000_26da7805ef2cab98.txt"))
    record = cli_json(store, "show", doc_id_of(added))
    assert record["original"]["retrieved_at"] is None
    assert "text/plain" == record["original"]["media_type"]


def test_bad_url_is_a_usage_error(tmp_path: Path) -> None:
    """A --url that is not an absolute URL exits 2 with one error line."""
    html = write_page(tmp_path / "in", "a.html", page())
    result = cli(tmp_path / "store", "ingest", str(html), "--url", "not a url")
    assert 2 == result.exit_code
    assert result.stderr.startswith("docket: error: --url 'not a url' is not a URL")


def test_new_bytes_from_a_known_url_are_a_new_version(tmp_path: Path) -> None:
    """Three captures of one URL chain by previous_version; show lists older and newer versions."""
    store = tmp_path / "store"
    url = "https://news.example.org/evacuation"
    ids = []
    for number, extra in enumerate(("", "Update: the network has now helped fifty people.",
                                    "Update: the network has now helped seventy people.")):
        html = write_page(tmp_path / f"in{number}", "a.html", page(canonical=url, extra=extra))
        ids.append(cli_json(store, "show", doc_id_of(cli(store, "ingest", str(html))))["id"])
    other = write_page(tmp_path / "other", "b.html", page("Other story", canonical="https://news.example.org/b"))
    other_id = cli_json(store, "show", doc_id_of(cli(store, "ingest", str(other))))["id"]
    records = [cli_json(store, "show", doc_id) for doc_id in ids]
    assert [None, ids[0], ids[1]] == [r["previous_version"] for r in records]
    assert [ids] * 3 == [[v["id"] for v in r["versions"]] for r in records]
    assert cli_json(store, "show", other_id)["previous_version"] is None
    middle = cli(store, "show", ids[1][:12]).stdout
    assert "  versions: 3 captures of this source, oldest first" in middle
    assert f"1. {ids[0][:12]}" in middle and "(older)" in middle
    assert f"2. {ids[1][:12]}" in middle and "(this)" in middle
    assert f"3. {ids[2][:12]}" in middle and "(newer)" in middle
    assert 0 == cli(store, "verify").exit_code


def test_versions_link_within_one_ingest_and_same_bytes_change_nothing(tmp_path: Path) -> None:
    """Two captures of a URL in one ingest call link up; re-ingesting the same bytes adds nothing."""
    store = tmp_path / "store"
    url = "https://news.example.org/evacuation"
    write_page(tmp_path / "in", "1.html", page(canonical=url))
    write_page(tmp_path / "in", "2.html", page(canonical=url, extra="Update: fifty people."))
    assert 0 == cli(store, "ingest", str(tmp_path / "in"), "--workers", "1").exit_code
    again = cli(store, "ingest", str(tmp_path / "in"))
    assert "0 added, 2 unchanged, 0 failed" in again.stdout
    ledger = [json.loads(line) for line in (store / "archive" / "ledger.jsonl").read_text().splitlines()]
    first, second = (e["subject"] for e in ledger)
    assert first == cli_json(store, "show", second)["previous_version"]


def test_prov_json_structure(tmp_path: Path) -> None:
    """show --prov maps the record onto PROV: entities, activity, agents and the five relations."""
    store = tmp_path / "store"
    url = "https://news.example.org/evacuation"
    write_page(tmp_path / "a", "a.html", page(canonical=url))
    cli(store, "ingest", str(tmp_path / "a"), "--retrieved-at", "2017-06-26")
    write_page(tmp_path / "b", "a.html", page(canonical=url, extra="Update."))
    doc_id = doc_id_of(cli(store, "ingest", str(tmp_path / "b"), "--note", "second capture"))
    record = cli_json(store, "show", doc_id)
    result = cli(store, "show", doc_id, "--prov")
    assert 0 == result.exit_code
    prov = json.loads(result.stdout)
    original, clean = f"sha256:{record['id']}", f"sha256:{record['clean']['sha256']}"
    cleaning = f"docket:cleaning-{record['id']}"
    person, software = f"user:{getpass.getuser()}", f"docket:docket-{DOCKET_VERSION}"
    assert {"prov", "xsd", "sha256", "docket", "user"} <= set(prov["prefix"])
    assert {original, clean, f"sha256:{record['previous_version']}"} == set(prov["entity"])
    assert {"$": url, "type": "xsd:anyURI"} == prov["entity"][original]["prov:atLocation"]
    assert record["clean"]["sha256"] == prov["entity"][clean]["docket:sha256"]
    assert "docket:Cleaning" == prov["activity"][cleaning]["prov:type"]
    assert "second capture" == prov["activity"][cleaning]["docket:note"]
    assert {"prov:type": "prov:Person", "prov:label": getpass.getuser()} == prov["agent"][person]
    assert "prov:SoftwareAgent" == prov["agent"][software]["prov:type"]
    assert [{"prov:activity": cleaning, "prov:entity": original}] == list(prov["used"].values())
    assert [clean] == [g["prov:entity"] for g in prov["wasGeneratedBy"].values()]
    derived = {(d["prov:generatedEntity"], d["prov:usedEntity"], d.get("prov:type"))
               for d in prov["wasDerivedFrom"].values()}
    assert {(clean, original, None), (original, f"sha256:{record['previous_version']}", "prov:Revision")} == derived
    assert {software, person} == {a["prov:agent"] for a in prov["wasAssociatedWith"].values()}
    assert {(original, person), (clean, software)} == {
        (a["prov:entity"], a["prov:agent"]) for a in prov["wasAttributedTo"].values()}
    for relation in ("used", "wasGeneratedBy", "wasDerivedFrom", "wasAssociatedWith", "wasAttributedTo"):
        for value in prov[relation].values():
            for key in ("prov:activity", "prov:entity", "prov:agent", "prov:generatedEntity", "prov:usedEntity"):
                if key in value:
                    assert value[key] in {**prov["entity"], **prov["activity"], **prov["agent"]}


def _modes(store: Path) -> dict[str, int]:
    modes = {}
    for folder, dirs, files in os.walk(store):
        for name in dirs + files:
            path = Path(folder) / name
            modes[str(path.relative_to(store))] = stat.S_IMODE(path.lstat().st_mode)
    return modes


def test_nothing_docket_writes_is_world_writable_even_with_umask_000(tmp_path: Path) -> None:
    """Under umask 000 every file and folder of the store is still closed to other writers;
    objects and records are read-only (0444)."""
    store = tmp_path / "store"
    html = write_page(tmp_path / "in", "a.html", page(canonical="https://news.example.org/a"))
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    for args in (["ingest", str(SAMPLE), str(html)], ["reindex"], ["export", "bagit", str(tmp_path / "bag")]):
        done = subprocess.run([sys.executable, "-m", "corpus", "--store", str(store), *args], env=env,
                              capture_output=True, preexec_fn=lambda: os.umask(0), check=False)
        assert 0 == done.returncode, done.stderr
    modes = {**_modes(store), **{f"bag/{k}": v for k, v in _modes(tmp_path / "bag").items()}}
    writable = {path: oct(mode) for path, mode in modes.items() if mode & (stat.S_IWOTH | stat.S_IWGRP)}
    assert {} == writable
    stored = {p: m for p, m in modes.items() if p.startswith(("archive/objects/sha256/", "archive/records/"))
              and (store / p).is_file()}
    assert len(stored) == 6 * 2 + 6
    assert {0o444} == set(stored.values())
