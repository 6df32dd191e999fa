"""Run the docket benchmark: ingest, search, cold start, fixity and HTML throughput, beside whoosh
alone and SQLite FTS5 on the same documents and queries; print the table and the growth with N.

Usage:
  python -m bench.run --docs 1000                  # the smoke size (about a minute)
  python -m bench.run --sizes 1000,10000,100000    # the full run
Options: --workdir DIR (corpora and stores; kept between runs, corpora are reused), --shared DIR
(default ../shared beside the repository, or $DOCKET_SHARED), --json FILE (all figures), --no-html.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(REPO))

from bench.corpus_gen import default_shared, write_corpus  # noqa: E402
from bench.queries import KINDS, PER_KIND, build_queries  # noqa: E402

# The bar (2 cores), checked in the table's last column.
BAR = {"ingest_rate": 200.0, "html_rate": 60.0, "p50_ms": 15.0, "p95_ms": 60.0, "vs_whoosh": 1.2,
       "cold_s": 0.5, "fixity_gbps": 1.0, "rss_mib": 1024.0}
MIB = 1024 * 1024


def stage(name: str, **args: object) -> dict:
    """Run one measurement in a fresh Python process; its last stdout line is JSON."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.stages", name, json.dumps(args)], cwd=REPO,
                          capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench: stage {name} failed (exit {done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    progress(f"  {name}: {time.perf_counter() - start:.1f} s")
    return result


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_size(count: int, workdir: Path, shared: Path, per_kind: int = PER_KIND, reuse: dict | None = None,
                 again: frozenset[str] = frozenset()) -> dict:
    """Every figure for one corpus size; with ``reuse`` (this size's figures from an earlier run whose
    stores are still in ``workdir``) the ingests are not run again. With ``again`` as well, the engines
    it names are ingested and searched again and the others' figures all reused; without it, every
    engine is searched again. docket's cold start and fixity are always measured."""
    progress(f"N = {count:,}: generating corpus")
    corpus = workdir / f"corpus-{count}"
    text_dir, _html_dir = write_corpus(count, corpus, shared)
    store = workdir / f"store-{count}"
    whoosh_dir = workdir / f"whoosh-{count}"
    fts5_db = workdir / f"fts5-{count}.sqlite"
    figures = {"documents": count, "text_bytes": _folder_bytes(text_dir)}
    ingests = {
        "docket": lambda: stage("ingest_docket", store=str(store), source=str(text_dir)),
        "whoosh": lambda: stage("ingest_whoosh", folder=str(whoosh_dir), count=count, shared=str(shared)),
        "fts5": lambda: stage("ingest_fts5", database=str(fts5_db), count=count, shared=str(shared)),
    }
    figures["ingest"] = {engine: reuse["ingest"][engine] if reuse and engine not in again else run()
                         for engine, run in ingests.items()}
    searches = {
        "docket": lambda: stage("search_docket", store=str(store), shared=str(shared), per_kind=per_kind),
        "whoosh": lambda: stage("search_whoosh", folder=str(whoosh_dir), shared=str(shared), per_kind=per_kind),
        "fts5": lambda: stage("search_fts5", database=str(fts5_db), shared=str(shared), per_kind=per_kind),
    }
    # engines left out of a non-empty ``again`` changed neither store nor code: their searches stand too
    figures["search"] = {engine: reuse["search"][engine] if reuse and again and engine not in again else run()
                         for engine, run in searches.items()}
    figures["cold"] = stage("search_cold", store=str(store), shared=str(shared))
    figures["fixity"] = stage("fixity", store=str(store))
    return figures


def measure_html(workdir: Path, shared: Path) -> dict:
    """Ingest of the 300 real pages of extraction-dev/html, then fixity over the objects they left."""
    progress("HTML: 300 real pages")
    pages = shared / "bench" / "extraction-dev" / "html"
    figures = stage("ingest_docket", store=str(workdir / "store-html"), source=str(pages))
    figures["fixity"] = stage("fixity", store=str(workdir / "store-html"))
    return figures


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def _check(ok: bool) -> str:
    return "ok" if ok else "MISS"


def render(results: dict) -> str:
    """The report: environment, the three engines side by side at the largest N, and growth."""
    sizes = results["sizes"]
    top = sizes[-1]
    n = top["documents"]
    ing, srch = top["ingest"], top["search"]
    d, w, f = ing["docket"], ing["whoosh"], ing["fts5"]
    sd, sw, sf = srch["docket"], srch["whoosh"], srch["fts5"]
    env = results["environment"]
    lines = [
        f"docket benchmark — {env['cores']} cores, Python {env['python']}, whoosh-reloaded {env['whoosh']}, "
        f"SQLite {env['sqlite']}",
        f"machine yardsticks: 2M-step Python loop {env.get('python_loop_ms', float('nan')):.0f} ms, "
        f"sha256 in memory {env.get('sha256_gbps', float('nan')):.2f} GB/s",
        f"corpus: {n:,} generated articles ({top['text_bytes'] / MIB:,.0f} MiB of page text); "
        f"{sd['queries']} queries ({', '.join(KINDS)}), top 10 with snippets",
        "",
        f"{'at N = ' + format(n, ','):<30}{'docket':>12}{'whoosh alone':>14}{'FTS5':>10}"
        f"{'d/whoosh':>10}{'d/FTS5':>9}   bar",
        f"{'ingest, documents/s':<30}{d['rate']:>12.0f}{w['rate']:>14.0f}{f['rate']:>10.0f}"
        f"{_ratio(d['rate'], w['rate']):>10}{_ratio(d['rate'], f['rate']):>9}   "
        f"≥ {BAR['ingest_rate']:.0f} {_check(d['rate'] >= BAR['ingest_rate'])}",
        f"{'index size, MiB':<30}{d['index_bytes'] / MIB:>12.0f}{w['index_bytes'] / MIB:>14.0f}"
        f"{f['index_bytes'] / MIB:>10.0f}{_ratio(d['index_bytes'], w['index_bytes']):>10}"
        f"{_ratio(d['index_bytes'], f['index_bytes']):>9}",
        f"{'search p50, ms':<30}{sd['p50_ms']:>12.1f}{sw['p50_ms']:>14.1f}{sf['p50_ms']:>10.1f}"
        f"{_ratio(sd['p50_ms'], sw['p50_ms']):>10}{_ratio(sd['p50_ms'], sf['p50_ms']):>9}   "
        f"≤ {BAR['p50_ms']:.0f} {_check(sd['p50_ms'] <= BAR['p50_ms'])}",
        f"{'search p95, ms':<30}{sd['p95_ms']:>12.1f}{sw['p95_ms']:>14.1f}{sf['p95_ms']:>10.1f}"
        f"{_ratio(sd['p95_ms'], sw['p95_ms']):>10}{_ratio(sd['p95_ms'], sf['p95_ms']):>9}   "
        f"≤ {BAR['p95_ms']:.0f} {_check(sd['p95_ms'] <= BAR['p95_ms'])}",
        f"{'search mean, ms':<30}{sd['mean_ms']:>12.1f}{sw['mean_ms']:>14.1f}{sf['mean_ms']:>10.1f}"
        f"{_ratio(sd['mean_ms'], sw['mean_ms']):>10}{_ratio(sd['mean_ms'], sf['mean_ms']):>9}   "
        f"d/whoosh ≤ {BAR['vs_whoosh']} {_check(sd['mean_ms'] <= BAR['vs_whoosh'] * sw['mean_ms'])}",
        f"{'hits returned (empty queries)':<30}{sd['hits']:>8} ({sd['empty']:>2}){sw['hits']:>9} ({sw['empty']:>2})"
        f"{sf['hits']:>6} ({sf['empty']:>2})",
    ]
    for kind in KINDS:
        lines.append(f"{'  p95 ' + kind + ', ms':<30}{sd['p95_ms_by_kind'][kind]:>12.1f}"
                     f"{sw['p95_ms_by_kind'][kind]:>14.1f}{sf['p95_ms_by_kind'][kind]:>10.1f}")
    cold = top["cold"]
    rss = max(d["rss_mib"], d["worker_rss_mib"])
    lines += [
        f"{'peak RSS of ingest, MiB':<30}{d['rss_mib']:>12.0f}{w['rss_mib']:>14.0f}{f['rss_mib']:>10.0f}"
        f"{'':>19}   < {BAR['rss_mib']:.0f} {_check(rss < BAR['rss_mib'])}",
        f"{'  largest worker, MiB':<30}{d['worker_rss_mib']:>12.0f}",
        f"{'cold `docket search`, s':<30}{cold['median_s']:>12.2f}{'(median of ' + str(cold['runs']) + ')':>14}"
        f"{'':>29}   < {BAR['cold_s']} {_check(cold['median_s'] < BAR['cold_s'])}",
    ]
    lines += _fixity_lines(results)
    if results.get("html"):
        h = results["html"]
        lines.append(f"{'HTML real pages/s':<30}{h['rate']:>12.1f}   ({h['added']} added, {h['failed']} failed "
                     f"of {h['documents']})   ≥ {BAR['html_rate']:.0f} {_check(h['rate'] >= BAR['html_rate'])}")
    lines += ["", "growth", f"{'N':>9}{'ingest/s':>10}{'index MiB':>11}{'KiB/doc':>9}{'p50 ms':>8}{'p95 ms':>8}"
              f"{'whoosh p95':>11}{'FTS5 p95':>9}{'RSS MiB':>9}{'worker':>8}{'fixity':>8}"]
    for size in sizes:
        d, s = size["ingest"]["docket"], size["search"]
        lines.append(
            f"{size['documents']:>9,}{d['rate']:>10.0f}{d['index_bytes'] / MIB:>11.1f}"
            f"{d['index_bytes'] / 1024 / size['documents']:>9.2f}{s['docket']['p50_ms']:>8.1f}{s['docket']['p95_ms']:>8.1f}"
            f"{s['whoosh']['p95_ms']:>11.1f}{s['fts5']['p95_ms']:>9.1f}{d['rss_mib']:>9.0f}{d['worker_rss_mib']:>8.0f}"
            f"{size['fixity']['docket_gbps']:>8.2f}")
    return "\n".join(lines)


def _fixity_lines(results: dict) -> list[str]:
    """Fixity re-hashing of the real pages' objects (the bar) and of the generated text's at each N, each
    beside hashlib reading the same files in one thread and hashlib over 256 MiB in memory. Generated
    objects are a few KiB: the per-file cost (open, read, close) bounds them, so files/s is their figure."""
    html = (results.get("html") or {}).get("fixity")
    rows = [("real pages (store-html)", html, True)]
    rows += [(f"generated text, N = {size['documents']:,}", size["fixity"], False) for size in results["sizes"]]
    runs = next((fix for _, fix, _ in rows if fix), {})
    lines = [f"{'fixity re-hash, GB/s':<30}{'docket':>8}{'files/s':>9}{'hashlib 1 thread':>18}{'files/s':>9}"
             f"{'in memory':>11}   objects measured (page cache warm, median of {runs.get('runs', 1)}, "
             f"{runs.get('threads', 2)} threads)"]
    for label, fix, bar in rows:
        if fix is None:
            lines.append(f"{'  ' + label:<30}{'not measured (--no-html)':>35}{'':>20}   "
                         f"bar ≥ {BAR['fixity_gbps']} not checked")
            continue
        check = f"   ≥ {BAR['fixity_gbps']} {_check(fix['docket_gbps'] >= BAR['fixity_gbps'])}" if bar else ""
        lines.append(f"{'  ' + label:<30}{fix['docket_gbps']:>8.2f}{fix['docket_files_per_s']:>9,.0f}"
                     f"{fix['hashlib_files_gbps']:>18.2f}{fix['hashlib_files_per_s']:>9,.0f}"
                     f"{fix['hashlib_memory_gbps']:>11.2f}   {fix['objects']:,} objects, avg "
                     f"{fix['bytes'] / max(fix['objects'], 1) / 1024:,.1f} KiB{check}")
    return lines


def environment() -> dict:
    from importlib import metadata

    return {"cores": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "whoosh": metadata.version("whoosh-reloaded"), **machine_speed()}


def machine_speed() -> dict:
    """Two yardsticks for comparing runs on different machines (virtual CPUs vary several-fold): how
    long a fixed pure-Python loop takes, and sha256 over 64 MiB in memory (the best of three)."""
    import hashlib

    def loop() -> float:
        start = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        return time.perf_counter() - start

    def sha() -> float:
        data = bytes(64 * MIB)
        start = time.perf_counter()
        hashlib.sha256(data).digest()
        return len(data) / (time.perf_counter() - start) / 1e9

    return {"python_loop_ms": min(loop() for _ in range(3)) * 1000, "sha256_gbps": max(sha() for _ in range(3))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="docket vs whoosh alone vs SQLite FTS5")
    parser.add_argument("--docs", type=int, help="one corpus size")
    parser.add_argument("--sizes", default="1000", help="comma-separated corpus sizes (default 1000)")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "work")
    parser.add_argument("--shared", type=Path, default=None, help="../shared (or $DOCKET_SHARED)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this file")
    parser.add_argument("--no-html", action="store_true", help="skip the 300 real HTML pages")
    parser.add_argument("--queries", type=int, default=PER_KIND, help=f"queries of each kind (default {PER_KIND})")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="figures (--json) of an earlier run: its ingests (and stores) and HTML figures are reused, "
                             "the rest re-measured")
    parser.add_argument("--again", default="", metavar="ENGINES",
                        help="with --reuse: only these engines are ingested and searched again, the others' figures "
                             "are reused (comma-separated: docket,whoosh,fts5; docket also re-runs the HTML pages)")
    args = parser.parse_args(argv)
    shared = (args.shared or default_shared()).resolve()
    sizes = [args.docs] if args.docs else [int(s) for s in args.sizes.split(",")]
    args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = args.workdir.resolve()
    started = time.perf_counter()
    build_queries(shared)  # fail early on a missing ../shared
    results: dict = {"environment": environment(), "sizes": []}
    earlier = json.loads(args.reuse.read_text(encoding="utf-8")) if args.reuse else {}
    reused = {figures["documents"]: figures for figures in earlier.get("sizes", [])}
    again = frozenset(name for name in args.again.split(",") if name)
    if not args.no_html:
        reuse_html = "html" in earlier and "docket" not in again
        results["html"] = earlier["html"] if reuse_html else measure_html(workdir, shared)
    for number, count in enumerate(sorted(sizes), start=1):
        results["sizes"].append(measure_size(count, workdir, shared, args.queries, reused.get(count), again))
        results["seconds"] = time.perf_counter() - started
        if args.json:
            args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        if number < len(sizes):  # the table so far, while the larger sizes run
            print(render(results) + "\n", flush=True)
    print(render(results))
    print(f"\n(benchmark took {results['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
