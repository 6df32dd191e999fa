"""Shared fixtures: the real `docket` CLI run as a subprocess on a real store in a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
SEEDS = sorted(SAMPLE.glob("*.txt"))


def run_docket(store: Path, *args: str, input: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `docket --store STORE ARGS...` in a new process; output is captured as bytes."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "corpus", "--store", str(store), *args],
                          capture_output=True, input=input, env=full_env, timeout=300, check=False)


def docket_json(store: Path, *args: str) -> dict:
    """Run docket with --json and parse the output."""
    result = run_docket(store, *args, "--json")
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the five sample articles ingested once for the session (copied per test)."""
    store = tmp_path_factory.mktemp("template") / "store"
    result = run_docket(store, "ingest", str(SAMPLE))
    assert result.returncode == 0, result.stderr.decode()
    return store


@pytest.fixture()
def seeded_store(seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store that a test may tamper with."""
    store = tmp_path / "store"
    shutil.copytree(seeded_template, store, symlinks=True)
    return store


def make_writable(path: Path) -> None:
    """Stored objects are read-only; tests that plant faults make one writable first."""
    path.chmod(0o644)
