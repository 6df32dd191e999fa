"""Write clean_text predictions for a labelled page set, for ``score_extraction.py --preds``.

Usage: python bench/text_preds.py DATASET OUT_DIR [--ids odd|even|all]

Reads DATASET/text/<id>.txt, writes OUT_DIR/<id>.txt (the clean body) for each page, and prints the
mean time per page. For the held-out check, ``--ids odd`` or ``--ids even`` writes only that half;
the scorer then counts the other half's pages as empty, so score a half from a DATASET copy or read
its own numbers from the per-half runs described in the README of the bench.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.clean_text import clean_text  # noqa: E402


def main() -> None:
    """Clean every page of the set and write one prediction file per page."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--ids", choices=("all", "odd", "even"), default="all")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = sorted((args.dataset / "text").glob("*.txt"))
    if args.ids != "all":
        parity = 1 if args.ids == "odd" else 0
        pages = [page for page in pages if int(page.stem) % 2 == parity]
    elapsed = 0.0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        started = time.perf_counter()
        body = clean_text(text).body
        elapsed += time.perf_counter() - started
        (args.out / page.name).write_text(body, encoding="utf-8")
    print(f"{len(pages)} pages, {1000 * elapsed / max(1, len(pages)):.2f} ms per page", file=sys.stderr)


if __name__ == "__main__":
    main()
