"""CLI commands for handing on and anchoring a collection: `export`, `import`, `timestamp`.

Registered onto :data:`corpus.cli.main` when ``corpus.cli`` is imported. ``corpus.handover`` (BagIt,
RFC 3161) is imported by the commands that use it: 40 ms every other command would pay at start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from corpus.cli import main, pass_collection, run_guarded
from corpus.collection import Collection


def _handover():  # noqa: ANN202 - the module
    """corpus.handover, imported on first use."""
    from corpus import handover

    return handover


@main.group("export")
def export_group() -> None:
    """Write the collection in a standard package for another archive.

    \b
    Example:
      docket export bagit /media/usb/chechnya-2017
    """


@export_group.command("bagit")
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@click.argument("ids", nargs=-1)
@click.option("--description", help="External-Description for bag-info.txt.")
@pass_collection
def export_bagit(collection: Collection, dest: Path, ids: tuple[str, ...], description: str | None) -> None:
    """Write a BagIt bag (RFC 8493) of every document, or of the IDs given, with the ledger.

    DEST must not exist (or be empty). The bag holds originals, clean texts, provenance records and
    the ledger, with sha256 and sha512 manifests and tag manifests. Logged as an "export" entry.

    \b
    Example:
      docket export bagit ../handover-2017
      docket export bagit ../two-docs 26da7805 fc9bd812 --description "for the tribunal"
    """
    wanted = run_guarded(lambda: [collection.resolve(i) for i in ids]) if ids else None
    summary = run_guarded(lambda: _handover().export_bag(collection, dest, wanted, description))
    click.echo(f"exported {summary.documents} documents to {summary.path} "
               f"(Payload-Oxum {summary.payload_oxum}, tagmanifest-sha256 {summary.tagmanifest_sha256})")


@main.group("import")
def import_group() -> None:
    """Take in a collection another docket exported.

    \b
    Example:
      docket --store new-store import bagit /media/usb/chechnya-2017
    """


@import_group.command("bagit")
@click.argument("src", type=click.Path(path_type=Path, exists=True, file_okay=False))
@pass_collection
def import_bagit(collection: Collection, src: Path) -> None:
    """Import a docket BagIt bag: every digest is checked first, and a bag that fails is refused whole.

    Records are kept byte for byte; each document is logged as an imported "ingest" and the bag's own
    ledger is kept as an object named by an "import" entry.

    \b
    Example:
      docket --store new-store import bagit ../handover-2017
    """
    summary = run_guarded(lambda: _handover().import_bag(collection, src))
    click.echo(f"imported {summary.added} documents ({summary.unchanged} already here) from {src}; "
               f"the bag's ledger head was {summary.source_head}")


@main.group("timestamp")
def timestamp_group() -> None:
    """Anchor the ledger in time with an RFC 3161 time-stamp authority (TSA).

    The imprint is sha256 of the ledger head digest's 64 hex characters (`docket log` prints it).

    \b
    Example:
      docket timestamp request -o head.tsq
      curl -sH 'Content-Type: application/timestamp-query' --data-binary @head.tsq https://freetsa.org/tsr > head.tsr
      docket timestamp add head.tsr --query head.tsq --ca cacert.pem
    """


@timestamp_group.command("request")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the DER query here (default: standard output).")
@pass_collection
def timestamp_request(collection: Collection, output: Path | None) -> None:
    """Write a time-stamp query (DER) for the current ledger head; send it to a TSA.

    \b
    Example:
      docket timestamp request -o head.tsq
    """
    query, seq, head, imprint = run_guarded(lambda: _handover().timestamp_query(collection))
    if output is None:
        sys.stdout.buffer.write(query)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(query)
    click.echo(f"time-stamp query for ledger head {head} (seq {seq}); imprint sha256 {imprint}", err=True)


@timestamp_group.command("add")
@click.argument("response", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--query", "query", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="The query sent: the reply's imprint and nonce must match it.")
@click.option("--ca", "ca", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="The TSA's CA certificate (PEM): the signature is verified now, and the certificate kept.")
@pass_collection
def timestamp_add_command(collection: Collection, response: Path, query: Path | None, ca: Path | None) -> None:
    """Store a TSA's reply after checking it time-stamps a head of this ledger; logs a "timestamp" entry.

    \b
    Example:
      docket timestamp add head.tsr --query head.tsq --ca tsa-ca.pem
    """
    data = run_guarded(lambda: _handover().timestamp_add(collection, response.read_bytes(),
                                             ca.read_bytes() if ca else None,
                                             query.read_bytes() if query else None))
    signed = "signature verified" if ca else "signature not verified (no --ca)"
    click.echo(f"time-stamp {data['tsa_time']} by {data['tsa']} over ledger head seq {data['head_seq']} "
               f"stored as object {str(data['reply_sha256'])[:12]}; {signed}")
