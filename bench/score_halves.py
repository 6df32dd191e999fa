"""Score one prediction folder on all pages and on the odd and even halves of a labelled page set.

Usage: python bench/score_halves.py DATASET PREDS [--scorer ../shared/bench/score_extraction.py]
(the odd half is the one tuned on, the even half is held out; a page without a prediction scores as empty)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path


def main() -> None:
    """Print sh F1, precision and recall for all pages, the odd half and the even half."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("preds", type=Path)
    parser.add_argument("--scorer", type=Path, default=Path("/work/shared/bench/score_extraction.py"))
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("score_extraction", args.scorer)
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    meta = json.loads((args.dataset / "meta.json").read_text(encoding="utf-8"))
    ids = sorted(pid for pid in meta["pages"] if (args.dataset / "gold" / f"{pid}.txt").exists())
    files = {pid: args.preds / f"{pid}.txt" for pid in ids}
    preds = {pid: path.read_text(encoding="utf-8") if path.exists() else "" for pid, path in files.items()}
    halves = {"all": ids, "odd": [p for p in ids if int(p) % 2], "even": [p for p in ids if int(p) % 2 == 0]}
    for name, subset in halves.items():
        out = scorer.score(args.dataset, preds, subset)
        print(f"{name:5} sh_f1={out['sh_f1']:.4f} sh_p={out['sh_p']:.4f} sh_r={out['sh_r']:.4f} empty={out['empty']}")


if __name__ == "__main__":
    main()
