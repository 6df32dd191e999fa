"""Score docket's cleaner beside the reference extractors on a labelled page set, in one run, one table.

Usage:
  python -m bench.extraction                               # all 300 pages, html and text, every extractor
  python -m bench.extraction --limit 30 --only docket,trafilatura --mode html

Every extractor sees the same pages, decoded the way docket decodes them (corpus.decode.decode_bytes),
in this one process pinned to one core, page by page in turn (so a busy machine slows them alike).
Scores come from the scorer's own functions (`score_extraction.py` beside the dataset, loaded with
importlib): the ScrapingHub shingle metric, precision averaged over pages with output, recall over all
pages. In text mode the reference extractors, which read HTML, get the flattened text wrapped as HTML:
each non-blank line one escaped <p>. The reference extractors are the optional `bench` extras
(`pip install -e .[bench]`); one that is not installed is left out with a note on stderr.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import attrs

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/extraction.py` as well as `python -m bench.extraction`
    sys.path.insert(0, str(REPO))

from corpus.clean import clean_document  # noqa: E402
from corpus.decode import decode_bytes  # noqa: E402
from corpus.readers import MediaType  # noqa: E402

DEFAULT_DATASET = REPO.parent / "shared" / "bench" / "extraction-dev"
MODES = ("html", "text")
# Tags after which text starts a new paragraph when a tree is flattened (so words do not run together).
BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
                        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
                        "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"})
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head")

Extract = Callable[[str], str]


@attrs.frozen
class Extractor:
    """A named extractor: one function for an HTML page, one for a page flattened to text."""

    name: str
    on_html: Extract
    on_text: Extract

    def run(self, mode: str, document: str) -> str:
        """The extractor's main text for one decoded document."""
        return (self.on_html if mode == "html" else self.on_text)(document) or ""


def tree_text(root) -> str:  # noqa: ANN001 - an lxml element
    """The visible text of an lxml tree, a blank line at every block boundary."""
    from lxml import etree

    etree.strip_elements(root, *INVISIBLE_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for element in root.iter(etree.Element):
        if isinstance(element.tag, str) and element.tag.lower() in BLOCK_TAGS:
            element.tail = "\n\n" + (element.tail or "")
            element.text = "\n\n" + (element.text or "")
    lines = (" ".join(line.split()) for line in "".join(root.itertext()).split("\n"))
    return "\n\n".join(line for line in lines if line)


def html_text(document: str) -> str:
    """All visible text of an HTML page (the "no cleaning" baseline, and readability's HTML to text)."""
    import lxml.html

    if not document.strip():
        return ""
    try:
        return tree_text(lxml.html.document_fromstring(document))
    except Exception:  # noqa: BLE001 - lxml refuses some inputs (e.g. only a declaration)
        return ""


def as_html(text: str) -> str:
    """Flattened page text as a minimal HTML page: each non-blank line one paragraph."""
    paragraphs = "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())
    return f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{paragraphs}\n</body></html>\n"


def wrapped(on_html: Extract) -> Extract:
    """An HTML extractor applied to text by wrapping the text as paragraphs first."""
    return lambda text: on_html(as_html(text))


def make_docket() -> Extractor:
    return Extractor("docket", lambda page: clean_document(page, MediaType.HTML).body,
                     lambda text: clean_document(text, MediaType.TEXT).body)


def make_trafilatura() -> Extractor:
    import trafilatura

    from corpus import trafilatura_links, trafilatura_xpaths

    def extract(page: str) -> str:
        # trafilatura itself, not with the expressions and the test docket's cleaner evaluates its own way
        with trafilatura_xpaths.as_shipped(), trafilatura_links.as_shipped():
            return trafilatura.extract(page, include_comments=False) or ""

    return Extractor("trafilatura", extract, wrapped(extract))


def make_readability() -> Extractor:
    from readability import Document

    def extract(page: str) -> str:
        return html_text(Document(page).summary(html_partial=True))

    return Extractor("readability", extract, wrapped(extract))


def make_justext() -> Extractor:
    import justext

    stoplist = justext.get_stoplist("English")  # every page of extraction-dev declares lang="en..."

    def extract(page: str) -> str:
        return "\n\n".join(p.text for p in justext.justext(page, stoplist) if not p.is_boilerplate)

    return Extractor("justext", extract, wrapped(extract))


def make_boilerpy3() -> Extractor:
    import logging

    from boilerpy3 import extractors

    logging.getLogger("boilerpy3").setLevel(logging.ERROR)  # it warns about nested <a> on some pages
    article = extractors.ArticleExtractor(raise_on_failure=False)
    return Extractor("boilerpy3", article.get_content, wrapped(article.get_content))


def make_resiliparse() -> Extractor:
    from resiliparse.extract.html2text import extract_plain_text

    def extract(page: str) -> str:
        return extract_plain_text(page, main_content=True, comments=False, alt_texts=False)

    return Extractor("resiliparse", extract, wrapped(extract))


def make_no_cleaning() -> Extractor:
    return Extractor("no cleaning", html_text, lambda text: text)


# In table order; the key is the name --only takes.
EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "docket": make_docket, "trafilatura": make_trafilatura, "readability": make_readability,
    "justext": make_justext, "boilerpy3": make_boilerpy3, "resiliparse": make_resiliparse, "none": make_no_cleaning,
}


def load_scorer(path: Path) -> ModuleType:
    """The scorer script as a module, so its functions score here exactly as they do there."""
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"bench: cannot load the scorer {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_ids(dataset: Path, limit: int | None) -> list[str]:
    """The pages the scorer scores: those in meta.json that have a gold file, sorted, cut to ``limit``."""
    meta = json.loads((dataset / "meta.json").read_text(encoding="utf-8"))
    ids = sorted(pid for pid in meta["pages"] if (dataset / "gold" / f"{pid}.txt").exists())
    return ids[:limit] if limit else ids


def pin_to_one_core() -> str:
    """Run on one core from here on (Linux); say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_mode(mode: str, dataset: Path, ids: list[str], extractors: list[Extractor], keep: Path | None) -> dict:
    """Every extractor on every page of one mode: predictions, seconds and failures per extractor."""
    folder, suffix = ("html", "html") if mode == "html" else ("text", "txt")
    preds: dict[str, dict[str, str]] = {e.name: {} for e in extractors}
    seconds = dict.fromkeys(preds, 0.0)
    failures: dict[str, list[str]] = {name: [] for name in preds}
    for number, pid in enumerate(ids, start=1):
        raw = (dataset / folder / f"{pid}.{suffix}").read_bytes()
        document = decode_bytes(raw, f"{pid}.{suffix}").text
        for extractor in extractors:
            start = time.perf_counter()
            try:
                if number == 1:
                    extractor.run(mode, document)  # warm up, untimed: lazy imports, compiled patterns, caches
                start = time.perf_counter()
                text = extractor.run(mode, document)
            except Exception as exc:  # noqa: BLE001 - a reference extractor failing on a page scores it empty
                text = ""
                failures[extractor.name].append(f"{pid}: {type(exc).__name__}: {exc}"[:200])
            seconds[extractor.name] += time.perf_counter() - start
            preds[extractor.name][pid] = text
            if keep is not None:
                out = keep / mode / extractor.name.replace(" ", "-")
                out.mkdir(parents=True, exist_ok=True)
                (out / f"{pid}.txt").write_text(text, encoding="utf-8")
        if number % 50 == 0 or number == len(ids):
            progress(f"  {mode}: {number}/{len(ids)} pages")
    return {"preds": preds, "seconds": seconds, "failures": failures}


def table(rows: list[dict], modes: tuple[str, ...]) -> str:
    """The side-by-side table: sh F1 / P / R per mode, HTML pages per second."""
    head = f"{'extractor':<13}"
    for mode in modes:
        label = "HTML" if mode == "html" else "text"
        head += f"  {label + ' sh F1':>10} {'P':>6} {'R':>6}"
    if "html" in modes:
        head += f"  {'HTML pages/s':>12}"
    lines = [head, "-" * len(head)]
    for row in rows:
        line = f"{row['extractor']:<13}"
        for mode in modes:
            s = row[mode]
            line += f"  {s['sh_f1']:>10.3f} {s['sh_p']:>6.3f} {s['sh_r']:>6.3f}"
        if "html" in modes:
            line += f"  {row['html']['pages_per_s']:>12.1f}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="default: %(default)s")
    parser.add_argument("--scorer", type=Path, help="score_extraction.py (default: beside the dataset)")
    parser.add_argument("--mode", choices=("html", "text", "both"), default="both")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--only", help=f"comma-separated, from: {','.join(EXTRACTORS)}")
    parser.add_argument("--keep-preds", type=Path, metavar="DIR", help="write DIR/<mode>/<extractor>/<id>.txt")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure (snippets, leaks, failures)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    names = [n.strip() for n in args.only.split(",")] if args.only else list(EXTRACTORS)
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown:
        parser.error(f"unknown extractor(s) {', '.join(unknown)}; choose from {', '.join(EXTRACTORS)}")
    if not (args.dataset / "meta.json").exists():
        parser.error(f"no labelled page set at {args.dataset} (give --dataset)")
    scorer = load_scorer(args.scorer or args.dataset.parent / "score_extraction.py")
    pinned = pin_to_one_core()
    extractors = []
    for name in sorted(names, key=list(EXTRACTORS).index):
        try:
            extractors.append(EXTRACTORS[name]())
        except ImportError as exc:
            progress(f"bench: {name} left out, not installed ({exc}); pip install -e '.[bench]'")
    modes = MODES if args.mode == "both" else (args.mode,)
    ids = page_ids(args.dataset, args.limit)
    progress(f"{len(ids)} pages, {len(extractors)} extractors, {pinned}")
    rows = [{"extractor": e.name} for e in extractors]
    for mode in modes:
        run = run_mode(mode, args.dataset, ids, extractors, args.keep_preds)
        for row in rows:
            name = row["extractor"]
            scores = scorer.score(args.dataset, run["preds"][name], ids)
            secs = run["seconds"][name]
            row[mode] = {**scores, "seconds": round(secs, 3), "pages_per_s": len(ids) / secs if secs else 0.0,
                         "failures": run["failures"][name]}
    took = time.perf_counter() - started
    print(f"extraction benchmark: {len(ids)} pages of {args.dataset.name}; sh = ScrapingHub shingle metric "
          f"(P over pages with output, R over all); speed on one core ({pinned})")
    print(table(rows, modes))
    for row in rows:
        for mode in modes:
            if row[mode]["failures"]:
                print(f"note: {row['extractor']} failed on {len(row[mode]['failures'])} {mode} page(s), scored empty: "
                      f"{row[mode]['failures'][0]}")
    print(f"took {took:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"pages": len(ids), "dataset": str(args.dataset), "seconds": round(took, 1),
                                         "rows": rows}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
