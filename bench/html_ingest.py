r"""One HTML ingest, timed: ``Collection.ingest`` of a folder of pages into a fresh store.

    python -m bench.html_ingest [PAGES] [--repeat N]

Prints seconds, pages/s and the CPU seconds of this process and its children (the cleaning and indexing
processes). In an hour when the machine's speed swings from run to run, count instructions instead; they
do not depend on the hour (~4 minutes for 100 pages):

    PYTHONHASHSEED=0 valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=/tmp/cg.%p \
        python -m bench.html_ingest PAGES
    grep -h '^summary:' /tmp/cg.* | awk '{s += $2} END {print s}'
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
from pathlib import Path

from bench.corpus_gen import default_shared
from bench.stages import ingest_docket


def ingest_once(pages: Path) -> tuple[float, float, int]:
    """Seconds, CPU seconds (this process and its finished children) and documents of one ingest
    (``bench.stages.ingest_docket``, into a fresh store removed afterwards)."""
    store = Path(tempfile.mkdtemp(prefix="docket-html-"))
    try:
        before = _cpu_seconds()
        figures = ingest_docket(str(store / "store"), str(pages))
        return figures["seconds"], _cpu_seconds() - before, figures["documents"]
    finally:
        shutil.rmtree(store, ignore_errors=True)


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    """Ingest the pages (the 300 real pages of extraction-dev by default) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="?", type=Path, help="a folder of HTML pages")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    pages = args.pages or default_shared() / "bench" / "extraction-dev" / "html"
    for _ in range(args.repeat):
        seconds, cpu, documents = ingest_once(pages)
        print(f"{documents} pages in {seconds:.2f} s: {documents / seconds:.1f} pages/s, CPU {cpu:.2f} s", flush=True)


if __name__ == "__main__":
    main()
