"""Handing a collection on and anchoring it in time: BagIt export and import, RFC 3161 time-stamps.

Each of these changes what the collection's history says, so each is logged in the ledger.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import attrs

from archive.atomic import write_atomic
from archive.bagit_export import BagDocument, BagInvalid, BagSummary, validate_bag, write_bag
from archive.codec import record_from_bytes
from archive.errors import ArchiveError, CorruptRecord
from archive.timestamp import add_timestamp, build_query, imprint_of_head
from corpus.collection import Collection, indexed_document
from corpus.facts import current_user, utc_now
from corpus.version import DOCKET_VERSION
from index import writer as index_writer

SOFTWARE_AGENT = f"docket {DOCKET_VERSION} (https://github.com/docket/docket)"


def ledger_object_digests(collection: Collection) -> list[str]:
    """Digests of objects the ledger refers to (time-stamp replies, CA certificates, imported ledgers)."""
    digests: list[str] = []
    for entry in collection.archive.ledger.entries():
        for digest in entry.data.get("objects", ()) if isinstance(entry.data.get("objects"), list) else ():
            if digest not in digests:
                digests.append(str(digest))
    return digests


def export_bag(collection: Collection, dest: Path, ids: list[str] | None = None,
               description: str | None = None) -> BagSummary:
    """Write the collection (or the documents ``ids``) as a BagIt bag and log an "export" entry.

    Every object is re-hashed as it is read, so a damaged store refuses to export.
    """
    archive = collection.archive
    with archive.lock():
        wanted = sorted(ids) if ids is not None else sorted(collection.ingested_ids())

        def documents():  # noqa: ANN202 - a generator, read lazily so memory stays flat
            for doc_id in wanted:
                record = collection.record(doc_id)
                yield BagDocument(doc_id, record.original.media_type, collection.original(record),
                                  archive.objects.get(record.clean.sha256), archive.read_record_bytes(doc_id))

        ledger = archive.ledger.path.read_bytes() if archive.ledger.path.exists() else b""
        head_file = archive.ledger.head_path.read_bytes() if archive.ledger.head_path.exists() else b""
        seq, head = archive.ledger.head()
        info = {
            "Bag-Software-Agent": SOFTWARE_AGENT,
            "Bagging-Date": date.today().isoformat(),
            "External-Description": description or (
                f"docket collection of {len(wanted)} documents: original captures, clean texts derived from "
                "them, provenance records (docket.record/1) and the hash-chained ledger"),
            "External-Identifier": f"docket-ledger:{head}",
            "Contact-Name": current_user(),
            "Docket-Ledger-Head": f"{seq} {head}",
            "Docket-Ledger-Head-Imprint": imprint_of_head(head),
            "Docket-Documents": str(len(wanted)),
        }
        objects = {digest: archive.objects.get(digest) for digest in ledger_object_digests(collection)}
        summary = write_bag(dest, documents(), ledger, head_file, objects, info)
        archive.ledger.append([("export", None, {
            "format": "bagit", "destination": str(dest.resolve()), "documents": summary.documents,
            "payload_oxum": summary.payload_oxum, "tagmanifest_sha256": summary.tagmanifest_sha256,
            "ledger_head": head, "ids": wanted if ids is not None else "all",
        })], utc_now())
    return summary


@attrs.frozen
class ImportSummary:
    """What an import did: documents added, those already present, the bag's ledger head."""

    added: int
    unchanged: int
    source_head: str | None


def _bag_documents(bag) -> dict[str, dict[str, str]]:  # noqa: ANN001 - ValidBag
    """Group the bag's payload by document folder: id -> {"original": path, "clean": ..., "record": ...}."""
    docs: dict[str, dict[str, str]] = {}
    for path in bag.payload:
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "documents":
            role = {"clean.txt": "clean", "provenance.json": "record"}.get(parts[3], "original")
            docs.setdefault(parts[2], {})[role] = path
    return docs


def import_bag(collection: Collection, source: Path) -> ImportSummary:
    """Validate a bag completely, then add its documents and log them; a bag that fails is refused whole.

    Records are kept byte for byte (their ingest facts say who first ingested them); each document
    gets an "ingest" entry marked as imported, and one "import" entry keeps the bag's own ledger.
    """
    bag = validate_bag(source)
    problems: list[str] = []
    checked: list[tuple[str, bytes, bytes, bytes]] = []
    for folder, files in sorted(_bag_documents(bag).items()):
        if set(files) != {"original", "clean", "record"}:
            problems.append(f"data/documents/{folder}: needs an original, clean.txt and provenance.json")
            continue
        record_bytes = bag.read(files["record"])
        try:
            record = record_from_bytes(record_bytes, files["record"])
        except CorruptRecord as exc:
            problems.append(str(exc))
            continue
        original, clean = bag.read(files["original"]), bag.read(files["clean"])
        if record.id != folder or hashlib.sha256(original).hexdigest() != record.original.sha256:
            problems.append(f"{files['original']}: does not hash to the id its record gives ({record.id})")
        elif hashlib.sha256(clean).hexdigest() != record.clean.sha256:
            problems.append(f"{files['clean']}: does not hash to the clean digest its record gives")
        else:
            checked.append((record.id, original, clean, record_bytes))
    if not checked and not problems:
        problems.append("it holds no docket documents (data/documents/<id>/...)")
    if problems:
        raise BagInvalid(str(source), problems)
    ledger_path = "data/ledger/ledger.jsonl"
    source_ledger = bag.read(ledger_path) if ledger_path in bag.payload else b""
    archive = collection.archive
    with archive.lock():
        ingested = collection.ingested_ids()
        events, to_index, unchanged = [], [], 0
        for doc_id, original, clean, record_bytes in checked:
            if doc_id in ingested:
                unchanged += 1
                continue
            archive.objects.put(original)
            archive.objects.put(clean)
            path = archive.record_path(doc_id)
            if path.exists() and path.read_bytes() != record_bytes:
                raise ArchiveError(f"{path}: a different record for document {doc_id[:12]} is already here")
            if not path.exists():
                write_atomic(path, record_bytes)
            record = record_from_bytes(record_bytes, str(path))
            events.append(("ingest", doc_id, {"record_sha256": hashlib.sha256(record_bytes).hexdigest(),
                                              "clean_sha256": record.clean.sha256, "imported": True}))
            to_index.append(indexed_document(record, clean.decode("utf-8")))
        ledger_digest = archive.objects.put(source_ledger)[0].hex
        source_head = bag.info.get("Docket-Ledger-Head", "").split(" ")[-1] or None
        events.append(("import", None, {
            "format": "bagit", "source": str(source.resolve()), "documents": len(events), "unchanged": unchanged,
            "payload_oxum": bag.info.get("Payload-Oxum"), "source_ledger_head": source_head,
            "source_ledger_sha256": ledger_digest, "objects": [ledger_digest],
        }))
        archive.ledger.append(events, utc_now())
        if to_index:
            index_writer.write_documents(collection.index_path, to_index)
    return ImportSummary(len(events) - 1, unchanged, source_head)


def timestamp_query(collection: Collection) -> tuple[bytes, int, str, str]:
    """A DER time-stamp query for the current ledger head: (query, seq, head digest, imprint)."""
    seq, head = collection.archive.ledger.head()
    if seq == 0:
        raise ArchiveError("the ledger is empty: ingest something before asking for a time-stamp")
    imprint = imprint_of_head(head)
    return build_query(imprint), seq, head, imprint


def timestamp_add(collection: Collection, reply: bytes, ca_pem: bytes | None = None,
                  query: bytes | None = None) -> dict[str, object]:
    """Check and store a TSA reply, logging a "timestamp" entry; returns that entry's data."""
    with collection.archive.lock():
        return add_timestamp(collection.archive, reply, utc_now(), ca_pem=ca_pem, query=query)
