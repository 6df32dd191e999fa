"""Write docket's cleaned bodies for a labelled page set, and time docket against trafilatura.

Usage: python bench/html_preds.py DATASET OUTDIR [--half odd|even] [--no-trafilatura]
then:  python ../shared/bench/score_extraction.py DATASET --mode html --preds OUTDIR
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.clean_html import clean_html  # noqa: E402

CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode_page(raw: bytes) -> str:
    """Decode page bytes by their meta charset, else UTF-8, replacing what does not decode."""
    match = CHARSET.search(raw[:4096])
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return raw.decode(encoding, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def main() -> None:
    """Clean every page of the set into OUTDIR/<id>.txt and print pages per second of both cleaners."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--half", choices=["odd", "even"])
    parser.add_argument("--no-trafilatura", action="store_true")
    args = parser.parse_args()
    pages = sorted((args.dataset / "html").glob("*.html"))
    if args.half:
        pages = [p for p in pages if int(p.stem) % 2 == (args.half == "odd")]
    html = [(page.stem, decode_page(page.read_bytes())) for page in pages]
    args.outdir.mkdir(parents=True, exist_ok=True)
    extract = None
    if not args.no_trafilatura:
        import trafilatura

        extract = trafilatura.extract
        extract(html[0][1], include_comments=False)  # warm up imports and caches
    clean_html(html[0][1])
    docket_seconds = trafilatura_seconds = 0.0
    # interleaved page by page, so both cleaners see the same load on a shared machine
    for stem, text in html:
        start = time.perf_counter()
        body = clean_html(text).body
        docket_seconds += time.perf_counter() - start
        (args.outdir / f"{stem}.txt").write_text(body, encoding="utf-8")
        if extract is not None:
            start = time.perf_counter()
            extract(text, include_comments=False)
            trafilatura_seconds += time.perf_counter() - start
    print(f"docket       {len(html) / docket_seconds:7.1f} pages/s ({len(html)} pages, {docket_seconds:.1f} s)")
    if extract is not None:
        print(f"trafilatura  {len(html) / trafilatura_seconds:7.1f} pages/s ({len(html)} pages, {trafilatura_seconds:.1f} s)")


if __name__ == "__main__":
    main()
