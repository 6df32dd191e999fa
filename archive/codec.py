"""Serialisation of provenance records and ledger entries: canonical JSON, stable byte for byte."""

from __future__ import annotations

import json
from typing import Any

import attrs

from archive.errors import CorruptRecord
from archive.records import (
    CleanFacts,
    DocumentMetadata,
    IngestFacts,
    OriginalFacts,
    ProvenanceRecord,
    Removal,
)

RECORD_FORMAT = "docket.record/1"


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace: equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_to_dict(record: ProvenanceRecord) -> dict[str, Any]:
    """The record as plain JSON-ready data (``attrs.asdict``'s, the removed blocks built directly:
    a page's hundreds of them were most of the record's conversion)."""
    data = attrs.asdict(record, filter=lambda field, _value: field.name != "removed")
    data["removed"] = tuple({"rule": block.rule, "text": block.text} for block in record.removed)
    data["format"] = RECORD_FORMAT
    data["id"] = record.id
    return data


def record_to_bytes(record: ProvenanceRecord) -> bytes:
    """The record's canonical bytes, as stored and hashed."""
    return canonical_json(record_to_dict(record)) + b"\n"


def record_from_dict(data: dict[str, Any], where: str = "record") -> ProvenanceRecord:
    """Rebuild a record from its JSON data; a malformed record raises :class:`CorruptRecord`."""
    try:
        if data.get("format") != RECORD_FORMAT:
            raise ValueError(f"unknown record format {data.get('format')!r}")
        metadata = dict(data["metadata"])
        metadata["tags"] = tuple(metadata.get("tags") or ())
        record = ProvenanceRecord(
            original=OriginalFacts(**data["original"]),
            clean=CleanFacts(**data["clean"]),
            metadata=DocumentMetadata(**metadata),
            ingest=IngestFacts(**data["ingest"]),
            removed=tuple(Removal(**item) for item in data.get("removed", ())),
            previous_version=data.get("previous_version"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptRecord(where, f"malformed provenance record ({exc})") from None
    if data.get("id") != record.id:
        raise CorruptRecord(where, f"record id {data.get('id')!r} does not match its original {record.id}")
    return record


def record_from_bytes(raw: bytes, where: str = "record") -> ProvenanceRecord:
    """Parse a stored record."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptRecord(where, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CorruptRecord(where, "not a JSON object")
    return record_from_dict(data, where)
