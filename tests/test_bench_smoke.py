"""The benchmark runs end to end at the smoke size and prints a sane table (timings are not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DOCKET_SHARED") or REPO.parent / "shared")

pytestmark = pytest.mark.skipif(not (SHARED / "bench" / "extraction-dev" / "gold").is_dir(),
                                reason="needs ../shared/bench/extraction-dev")


def test_the_benchmark_prints_a_sane_table_for_1000_documents(tmp_path: Path) -> None:
    """`python -m bench.run --docs 1000` ingests every document into all three engines, finds hits for
    the queries in each, re-hashes every object, and prints the side-by-side and growth tables."""
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--docs", "1000", "--no-html", "--queries", "6",
         "--workdir", str(tmp_path), "--json", str(figures)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert 0 == done.returncode, done.stderr
    for line in ("ingest, documents/s", "search p95, ms", "fixity re-hash, GB/s", "cold `docket search`", "growth"):
        assert line in done.stdout
    size = json.loads(figures.read_text(encoding="utf-8"))["sizes"][0]
    assert 1000 == size["ingest"]["docket"]["added"]
    assert 0 == size["ingest"]["docket"]["failed"]
    assert 2000 == size["fixity"]["objects"]
    assert 0 == size["fixity"]["bad"]
    for engine in ("docket", "whoosh", "fts5"):
        search = size["search"][engine]
        assert 30 == search["queries"]
        assert search["hits"] > 100
        assert 0 < search["p50_ms"] <= search["p95_ms"]
    assert size["ingest"]["docket"]["rss_mib"] > 0
