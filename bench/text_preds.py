"""Write clean_text predictions for a labelled page set, for ``score_extraction.py --preds``.

Usage: python bench/text_preds.py DATASET OUT_DIR
then:  python ../shared/bench/score_extraction.py DATASET --mode text --preds OUT_DIR

Reads DATASET/text/<id>.txt, writes OUT_DIR/<id>.txt (the clean body) for each page, and prints the
mean cleaning time per page on stderr.
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
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = sorted((args.dataset / "text").glob("*.txt"))
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
