"""How much CPU and memory building one index segment takes: docket's segment build against whoosh's
own segment writer, on the same documents (a store's records and clean texts).

    python -m bench.segment_build STORE [--docs N]

Each writer runs in a fresh process; printed per writer: CPU ms per document while adding and while
finishing the segment, and the process's peak RSS (with the documents themselves loaded, shown apart).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WRITERS = ("docket", "whoosh")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(store: str, docs: int, writer: str, folder: str) -> dict:
    """Index the first ``docs`` documents of ``store`` into one segment under ``folder``."""
    from whoosh.writing import SegmentWriter

    from corpus.collection import Collection, indexed_document
    from index.segments import SegmentBuild, _staging_index
    from index.writer import open_index

    loaded = []
    for record, text in Collection(Path(store)).documents():
        loaded.append(indexed_document(record, text))
        if len(loaded) >= docs:
            break
    loaded_mib = _peak_mib()
    index = Path(folder) / "index"
    open_index(index, create=True)
    start = time.process_time()
    segment = SegmentBuild(index)
    if writer == "whoosh":
        segment.writer.cancel()
        segment.writer = SegmentWriter(_staging_index(index), _lk=False, limitmb=128)
    for first in range(0, len(loaded), 128):
        segment.add(loaded[first : first + 128])
    added = time.process_time()
    segment.finish()
    finished = time.process_time()
    count = len(loaded)
    return {"writer": writer, "documents": count, "add_ms": 1000 * (added - start) / count,
            "finish_ms": 1000 * (finished - added) / count, "peak_mib": _peak_mib(), "documents_mib": loaded_mib}


def main() -> None:
    """Run each writer in its own process and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="a docket store (e.g. bench/work/store-10000)")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--one", choices=WRITERS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(build(args.store, args.docs, args.one, args.folder)))
        return
    print(f"{'writer':<8}{'docs':>8}{'add ms/doc':>12}{'finish ms/doc':>15}{'total':>8}{'peak RSS MiB':>14}"
          f"{'of it documents':>17}")
    for writer in WRITERS:
        folder = tempfile.mkdtemp(prefix="docket-segment-")
        try:
            done = subprocess.run([sys.executable, "-m", "bench.segment_build", args.store, "--docs", str(args.docs),
                                   "--one", writer, "--folder", folder], cwd=REPO, check=True,
                                  capture_output=True, text=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{writer:<8}{r['documents']:>8,}{r['add_ms']:>12.2f}{r['finish_ms']:>15.2f}"
              f"{r['add_ms'] + r['finish_ms']:>8.2f}{r['peak_mib']:>14.0f}{r['documents_mib']:>17.0f}")


if __name__ == "__main__":
    main()
