"""The `docket` command line: parse, call one library function, render. Exit 0 ok, 1 problem, 2 usage."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import attrs
import click

from archive.atomic import restrict_umask
from archive.errors import ArchiveError
from corpus.collection import DEFAULT_MAX_SIZE, Collection, IngestOptions, IngestOutcome, read_limited
from corpus.errors import BadFact, DocketError, InputError, NoContent, display_path
from corpus.facts import CaptureFacts, check_timestamp, check_url
from corpus.readers import discover, sniff_media_type
from corpus.render import hit_lines, use_colour
from corpus.search_output import RangeParam
from corpus.version import DOCKET_VERSION
from index import search as index_search
from index.errors import IndexMissing, IndexOutdated, QuerySyntaxError

pass_collection = click.make_pass_decorator(Collection)


def fail(message: str, code: int = 1) -> None:
    """Print one error line on stderr and exit with ``code``."""
    click.echo(f"docket: error: {message}", err=True)
    sys.exit(code)


def run_guarded(action):  # noqa: ANN001, ANN201
    """Call ``action``; domain errors become one line on stderr (exit 1, or 2 for a bad query)."""
    try:
        return action()
    except QuerySyntaxError as exc:
        fail(str(exc), 2)
    except BadFact as exc:
        fail(str(exc), 2)
    except (ArchiveError, DocketError, IndexMissing, IndexOutdated) as exc:
        fail(str(exc), 1)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), envvar="DOCKET_STORE",
              default=Path("docket-store"), show_default=True, help="The store folder (or $DOCKET_STORE).")
@click.version_option(DOCKET_VERSION, prog_name="docket")
@click.pass_context
def main(ctx: click.Context, store: Path) -> None:
    """docket: keep news articles with their provenance, and search them.

    \b
    Example:
      docket ingest articles/ && docket search 'Kochetkov evacuation'
    """
    restrict_umask()
    ctx.obj = Collection(store)


def _outcome_line(outcome: IngestOutcome) -> str:
    """One line per ingested file."""
    if outcome.status == "failed":
        return f"failed     {outcome.message}"
    short = (outcome.doc_id or "")[:12]
    title = f"  {outcome.title}" if outcome.title else ""
    if outcome.status == "unchanged":
        return f"unchanged  {short}  {display_path(outcome.path)}: {outcome.message}"
    return f"added      {short}  {display_path(outcome.path)}{title}"


PROGRESS_THRESHOLD = 50


def _progress_bar(paths: list[Path]):  # noqa: ANN202 - click's ProgressBar type is private
    """A progress bar on stderr for many files, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    total = sum(1 for _ in discover(paths))
    if total < PROGRESS_THRESHOLD:
        return None
    bar = click.progressbar(length=total, label="ingesting", file=sys.stderr, show_pos=True)
    bar.render_progress()
    return bar


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--url", help="Source URL of the capture (when the file does not say).")
@click.option("--retrieved-at", help="When the page was captured, ISO 8601 (e.g. 2017-06-26T11:07:00Z).")
@click.option("--note", help="A note kept in each document's provenance record.")
@click.option("--max-size", type=int, default=DEFAULT_MAX_SIZE, show_default=True, help="Largest file accepted, in bytes.")
@click.option("--workers", type=int, default=0, help="Cleaning processes (0: one per core).")
@click.option("--lock-timeout", type=float, default=600.0, show_default=True,
              help="Seconds to wait for another writer before giving up.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and failures.")
@pass_collection
def ingest(collection: Collection, paths: tuple[Path, ...], url: str | None, retrieved_at: str | None,
           note: str | None, max_size: int, workers: int, lock_timeout: float, quiet: bool) -> None:
    """Store files and folders (.html/.htm as HTML, .txt/.md as text, others sniffed).

    The same bytes ingested again change nothing. Exit 1 if any file failed.

    \b
    Example:
      docket ingest captures/ --note "batch from field team"
      docket ingest page.html --url https://example.org/a --retrieved-at 2017-06-26T11:07:00Z
    """
    try:
        facts = CaptureFacts(source_url=check_url(url) if url else None,
                             retrieved_at=check_timestamp(retrieved_at) if retrieved_at else None, note=note)
    except BadFact as exc:
        fail(str(exc), 2)
    counts = {"added": 0, "unchanged": 0, "failed": 0}
    progress = _progress_bar(list(paths))

    def report(outcome: IngestOutcome) -> None:
        counts[outcome.status] += 1
        if progress is not None:
            progress.update(1)
        if outcome.status == "failed":
            click.echo(f"docket: error: {outcome.message}", err=True)
        elif not quiet:
            click.echo(_outcome_line(outcome))

    def waiting() -> None:
        click.echo("docket: another docket process is writing to this store; waiting for it…", err=True)

    options = IngestOptions(facts=facts, max_size=max_size, workers=workers, lock_timeout=lock_timeout)
    try:
        run_guarded(lambda: collection.ingest(list(paths), options, report, waiting))
    finally:
        if progress is not None:
            progress.render_finish()
    click.echo(f"{counts['added']} added, {counts['unchanged']} unchanged, {counts['failed']} failed")
    if counts["failed"]:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per input.")
@click.option("--explain", is_flag=True, help="Show every block, with removed ones marked and why.")
@click.option("--max-size", type=int, default=DEFAULT_MAX_SIZE, show_default=True, help="Largest file accepted, in bytes.")
def clean(paths: tuple[Path, ...], as_json: bool, explain: bool, max_size: int) -> None:
    """Clean files without storing them: print the article text.

    \b
    Example:
      docket clean page.html
      docket clean --json pages/*.html
      docket clean --explain page.txt
    """
    failed = False
    colour = use_colour(sys.stdout)
    for path, _named in discover(list(paths)):
        try:
            raw = read_limited(path, max_size)
            if isinstance(raw, InputError):
                raise raw
            from corpus.clean import clean_document
            from corpus.decode import decode_bytes

            decoded = decode_bytes(raw, str(path))
            result = clean_document(decoded.text, sniff_media_type(path, raw[:4096]))
            if not explain and not result.body.strip():
                raise NoContent(str(path))
        except InputError as exc:
            click.echo(f"docket: error: {exc}", err=True)
            failed = True
            continue
        except OSError as exc:
            click.echo(f"docket: error: {display_path(str(path))}: cannot be read ({exc.strerror})", err=True)
            failed = True
            continue
        if as_json:
            click.echo(json.dumps({
                "path": display_path(str(path)), "title": result.title, "text": result.body,
                "metadata": attrs.asdict(result.metadata),
                "removed": [{"rule": b.rule, "text": b.text} for b in result.removed],
            }, ensure_ascii=False))
        elif explain:
            click.echo(f"== {display_path(str(path))}  (title: {result.title!r})")
            for block in result.blocks:
                if block.kept:
                    click.echo(f"  KEEP  {block.text}")
                else:
                    label = f"- {block.rule:<18}"
                    line = f"{label}{block.text}"
                    click.echo(click.style(line, fg="red") if colour else line)
        else:
            if result.title:
                click.echo(result.title + "\n")
            click.echo(result.body)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("doc_id")
@click.option("--raw", is_flag=True, help="Write the original bytes, exactly as captured.")
@click.option("--json", "as_json", is_flag=True, help="The provenance record and clean text as JSON.")
@click.option("--prov", is_flag=True, help="The provenance as W3C PROV-JSON.")
@click.option("--highlight", "highlight", metavar="QUERY", help="Mark every match of QUERY in the clean text.")
@click.option("--range", "span", type=RangeParam(), help="Print exactly characters START:END of the clean text.")
@pass_collection
def show(collection: Collection, doc_id: str, raw: bool, as_json: bool, prov: bool, highlight: str | None,
         span: tuple[int, int] | None) -> None:
    """Show a document: its clean text and provenance (ID is a digest or a unique prefix).

    \b
    Example:
      docket show 26da7805
      docket show 26da7805 --raw > original.html
      docket show 26da7805 --prov > 26da7805.prov.json
      docket show 26da7805 --highlight 'evacuation' | less -R
      docket show 26da7805 --range 371:400
    """
    def load():
        full = collection.resolve(doc_id)
        record = collection.record(full)
        return record, (collection.original(record) if raw else collection.clean_text(record))

    record, content = run_guarded(load)
    from corpus.cli_search import highlight_spans, show_highlighted, show_range

    if span is not None and not raw:
        show_range(content, span)
        return
    if prov:
        from archive.prov import record_to_prov

        click.echo(json.dumps(record_to_prov(record), ensure_ascii=False, indent=2, sort_keys=True))
        return
    versions = run_guarded(lambda: collection.versions(record))
    if raw:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    if as_json:
        data = collection.record_dict(record)
        data["text"] = content
        if highlight:
            data["highlights"] = highlight_spans(collection, record.id, highlight)
        data["versions"] = [{"id": v.id, "ingested_at": v.ingest.at, "retrieved_at": v.original.retrieved_at}
                            for v in versions]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    meta, orig = record.metadata, record.original
    click.echo(click.style(meta.title or "(untitled)", bold=True) if use_colour(sys.stdout) else meta.title or "(untitled)")
    rows = [
        ("id", record.id), ("author", meta.author), ("published", meta.published), ("site", meta.site),
        ("tags", ", ".join(meta.tags) or None), ("source", orig.source_url), ("captured", orig.retrieved_at or "unknown"),
        ("original", f"{orig.filename} · {orig.media_type} · {orig.size:,} bytes · {orig.encoding}"),
        ("clean", f"sha256 {record.clean.sha256} · {record.clean.cleaner} {record.clean.cleaner_version}"),
        ("removed", f"{len(record.removed)} blocks (docket show {record.id[:12]} --json lists them)"),
        ("ingested", f"{record.ingest.at} by {record.ingest.by} with docket {record.ingest.docket_version}"),
        ("note", record.ingest.note),
    ]
    for name, value in rows:
        if value:
            click.echo(f"{name:>10}: {value}")
    if len(versions) > 1:
        click.echo(f"{'versions':>10}: {len(versions)} captures of this source, oldest first")
        here = [version.id for version in versions].index(record.id)
        for number, version in enumerate(versions, start=1):
            mark = "this" if number - 1 == here else ("older" if number - 1 < here else "newer")
            click.echo(f"{'':>10}  {number}. {version.id[:12]}  ingested {version.ingest.at}  "
                       f"captured {version.original.retrieved_at or 'unknown'}  ({mark})")
    click.echo("")
    if highlight:
        content = show_highlighted(collection, record.id, content, highlight)
    click.echo(content.rstrip("\n"))


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--file", "files", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Say whether these exact bytes are archived, and as which document.")
@click.option("--fast", is_flag=True, help="Skip re-hashing and re-cleaning: quick, but blind to corrupted bytes.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
@click.option("--tsa-ca", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="CA certificate (PEM) to verify stored time-stamp signatures with.")
@pass_collection
def verify(collection: Collection, ids: tuple[str, ...], files: tuple[Path, ...], fast: bool, as_json: bool,
           tsa_ca: Path | None) -> None:
    """Re-hash every object, check records, the ledger chain and the index; name every problem.

    Exit 0 when everything is intact, 1 when anything is wrong.

    \b
    Example:
      docket verify
      docket verify --file ~/captures/page.html
    """
    if files:
        _verify_files(collection, files, as_json)
        return
    wanted = run_guarded(lambda: [collection.resolve(i) for i in ids]) if ids else None
    ca_pem = tsa_ca.read_bytes() if tsa_ca else None
    from corpus.verify import verify_store

    report = run_guarded(lambda: verify_store(collection, wanted, fast=fast, tsa_ca=ca_pem))
    if as_json:
        click.echo(json.dumps({
            "ok": report.ok, "mode": report.mode, "detects_corrupted_bytes": not fast,
            "documents": report.documents,
            "problems": [attrs.asdict(p) for p in report.problems], "notices": list(report.notices),
        }, ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            click.echo(f"PROBLEM {problem.kind}: {problem.message}")
            if problem.object:
                click.echo(f"        object: {problem.object}")
            if problem.expected or problem.found:
                click.echo(f"        expected: {problem.expected}\n        found:    {problem.found}")
        for notice in report.notices:
            click.echo(f"note: {notice}")
        mode = "" if report.mode == "full" else " (fast mode: bytes not re-hashed, corrupted bytes NOT detected)"
        if report.ok:
            click.echo(f"ok: {report.documents} documents verified{mode}")
        else:
            click.echo(f"{len(report.problems)} problem(s) in {report.documents} documents{mode}")
    sys.exit(0 if report.ok else 1)


def _verify_files(collection: Collection, files: tuple[Path, ...], as_json: bool) -> None:
    """Tell, for each file, whether its exact bytes are an archived document."""
    ingested = collection.ingested_ids()
    rows = []
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        rows.append({"path": display_path(str(path)), "sha256": digest, "archived": digest in ingested,
                     "document": digest if digest in ingested else None})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    for row in rows if not as_json else []:
        if row["archived"]:
            click.echo(f"archived  {row['path']}: these exact bytes are document {row['sha256']}")
        else:
            click.echo(f"absent    {row['path']}: no archived document has these bytes (sha256 {row['sha256']})")
    sys.exit(0 if all(r["archived"] for r in rows) else 1)


@main.command()
@pass_collection
def reindex(collection: Collection) -> None:
    """Rebuild the search index from the archive alone.

    \b
    Example:
      docket reindex
    """
    count = run_guarded(collection.reindex)
    click.echo(f"reindexed {count} documents")


@main.command()
@click.option("--lock-timeout", type=float, default=600.0, show_default=True,
              help="Seconds to wait for another writer before giving up.")
@pass_collection
def repair(collection: Collection, lock_timeout: float) -> None:
    """Finish an interrupted ingest: log records whose objects are intact, put ledger.head right,
    index what is missing, remove objects no record names (they were never acknowledged).

    Logged as a "repair" entry. A damaged ledger is refused: `docket verify` names the damage.
    Exit 0 when the store is whole afterwards, 1 when something was left for an archivist.

    \b
    Example:
      docket repair && docket verify
    """
    from corpus.repair import repair_store

    def waiting() -> None:
        click.echo("docket: another docket process is writing to this store; waiting for it…", err=True)

    report = run_guarded(lambda: repair_store(collection, lock_timeout=lock_timeout, on_wait=waiting))
    done = [(report.cut_ledger_line, "cut off a partial last ledger line"),
            (report.head_rewritten, "rewrote ledger.head"),
            (report.logged, f"logged {len(report.logged)} document(s) whose ingest was interrupted"),
            (report.indexed, f"indexed {report.indexed} document(s)"),
            (report.unindexed, f"removed {report.unindexed} unlogged document(s) from the index"),
            (report.removed_objects, f"removed {len(report.removed_objects)} object(s) no record names"),
            (report.removed_temp_files, f"removed {report.removed_temp_files} temp file(s) of unfinished writes")]
    for happened, line in done:
        if happened:
            click.echo(line)
    for problem in report.unrepaired:
        click.echo(f"docket: error: {problem}", err=True)
    if not report.changed and not report.unrepaired:
        click.echo("nothing to repair")
    sys.exit(1 if report.unrepaired else 0)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per entry.")
@pass_collection
def log(collection: Collection, as_json: bool) -> None:
    """Show the ledger, oldest first, and its head digest (which names the whole history).

    \b
    Example:
      docket log
    """
    ledger = collection.archive.ledger
    for line in ledger.lines():
        entry = line.entry
        if as_json:
            click.echo(line.raw.decode("utf-8", "replace"))
        elif entry is None:
            click.echo(f"{line.number:>6}  (unreadable line)")
        else:
            subject = (entry.subject or "")[:12]
            click.echo(f"{entry.seq:>6}  {entry.at}  {entry.event:<9} {subject:<12}  {line.digest[:16]}")
    seq, head = ledger.head()
    if not as_json:
        click.echo(f"head: {head} ({seq} entries)")


@main.command()
@click.option("--query", "queries", multiple=True, help="Queries to run after ingesting (default: three examples).")
@pass_collection
def demo(collection: Collection, queries: tuple[str, ...]) -> None:
    """Ingest the bundled sample collection (five 2017 news reports) and search it.

    \b
    Example:
      docket --store demo-store demo
    """
    from importlib import resources  # here: 30 ms of imports no other command needs

    sample = resources.files("corpus") / "sample"
    with resources.as_file(sample) as folder:
        outcomes = run_guarded(lambda: collection.ingest([Path(folder)]))
    for outcome in outcomes:
        click.echo(_outcome_line(outcome))
    colour = use_colour(sys.stdout)
    for query in queries or ("Kochetkov evacuation", '"Novaya Gazeta"', "asylum OR visas"):
        results = run_guarded(lambda q=query: index_search.search(collection.index_path, q, limit=3))
        click.echo(f"\n$ docket search {query!r}   ({results.total} documents)")
        for rank, hit in enumerate(results.hits, start=1):
            for line in hit_lines(rank, hit, colour):
                click.echo(line)


import corpus.cli_provenance  # noqa: E402,F401  - registers export, import, timestamp
import corpus.cli_search  # noqa: E402,F401  - registers search, quote
