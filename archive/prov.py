"""A provenance record as W3C PROV-JSON (https://www.w3.org/submissions/prov-json/): a pure mapping.

Entities are named by content: ``sha256:<hex>`` (a ``urn:hash::sha256:`` URN) for the original
bytes and the clean text. The cleaning is an activity that used the original and generated the
clean text, associated with the docket software acting on behalf of the person who ingested.
"""

from __future__ import annotations

from typing import Any

from archive.records import ProvenanceRecord

PREFIXES = {
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sha256": "urn:hash::sha256:",
    "docket": "https://github.com/docket/docket/ns#",
    "user": "urn:docket:user:",
}


def _typed(value: str, xsd_type: str) -> dict[str, str]:
    return {"$": value, "type": xsd_type}


def _datetime(value: str) -> dict[str, str]:
    """A PROV time: date-only capture times stay xsd:date, others are xsd:dateTime."""
    return _typed(value, "xsd:date" if len(value) == 10 else "xsd:dateTime")


def record_to_prov(record: ProvenanceRecord) -> dict[str, Any]:
    """The PROV-JSON document for one provenance record (deterministic: same record, same JSON)."""
    orig, clean, ingest, meta = record.original, record.clean, record.ingest, record.metadata
    original_id = f"sha256:{orig.sha256}"
    clean_id = f"sha256:{clean.sha256}"
    cleaning_id = f"docket:cleaning-{orig.sha256}"
    person_id = f"user:{ingest.by}"
    software_id = f"docket:docket-{ingest.docket_version}"

    original: dict[str, Any] = {
        "prov:type": "docket:Original", "prov:label": orig.filename or orig.sha256,
        "docket:sha256": orig.sha256, "docket:size": _typed(str(orig.size), "xsd:integer"),
        "docket:mediaType": orig.media_type,
    }
    if orig.encoding:
        original["docket:encoding"] = orig.encoding
    if orig.source_url:
        original["prov:atLocation"] = _typed(orig.source_url, "xsd:anyURI")
    if orig.retrieved_at:
        original["docket:retrievedAt"] = _datetime(orig.retrieved_at)
    for name, value in (("title", meta.title), ("author", meta.author), ("published", meta.published),
                        ("site", meta.site), ("language", meta.language)):
        if value:
            original[f"docket:{name}"] = value
    doc: dict[str, Any] = {
        "prefix": dict(PREFIXES),
        "entity": {
            original_id: original,
            clean_id: {
                "prov:type": "docket:CleanText", "prov:label": f"clean text of {orig.sha256[:12]}",
                "docket:sha256": clean.sha256, "docket:size": _typed(str(clean.size), "xsd:integer"),
                "docket:mediaType": "text/plain; charset=utf-8",
            },
        },
        "activity": {
            cleaning_id: {
                "prov:type": "docket:Cleaning", "prov:startTime": _datetime(ingest.at),
                "prov:endTime": _datetime(ingest.at), "docket:cleaner": clean.cleaner,
                "docket:cleanerVersion": clean.cleaner_version,
                "docket:settings": ", ".join(f"{k}={v}" for k, v in sorted(clean.settings.items())),
                "docket:removedBlocks": _typed(str(len(record.removed)), "xsd:integer"),
            },
        },
        "agent": {
            person_id: {"prov:type": "prov:Person", "prov:label": ingest.by},
            software_id: {"prov:type": "prov:SoftwareAgent", "prov:label": f"docket {ingest.docket_version}"},
        },
        "used": {"_:used1": {"prov:activity": cleaning_id, "prov:entity": original_id}},
        "wasGeneratedBy": {
            "_:gen1": {"prov:entity": clean_id, "prov:activity": cleaning_id, "prov:time": _datetime(ingest.at)},
        },
        "wasDerivedFrom": {
            "_:der1": {"prov:generatedEntity": clean_id, "prov:usedEntity": original_id,
                       "prov:activity": cleaning_id, "prov:generation": "_:gen1", "prov:usage": "_:used1"},
        },
        "wasAssociatedWith": {
            "_:assoc1": {"prov:activity": cleaning_id, "prov:agent": software_id},
            "_:assoc2": {"prov:activity": cleaning_id, "prov:agent": person_id},
        },
        "actedOnBehalfOf": {
            "_:deleg1": {"prov:delegate": software_id, "prov:responsible": person_id, "prov:activity": cleaning_id},
        },
        "wasAttributedTo": {
            "_:attr1": {"prov:entity": original_id, "prov:agent": person_id},
            "_:attr2": {"prov:entity": clean_id, "prov:agent": software_id},
        },
    }
    if ingest.note:
        doc["activity"][cleaning_id]["docket:note"] = ingest.note
    if record.previous_version:
        previous_id = f"sha256:{record.previous_version}"
        doc["entity"][previous_id] = {"prov:type": "docket:Original",
                                      "prov:label": f"earlier capture {record.previous_version[:12]}"}
        doc["wasDerivedFrom"]["_:rev1"] = {"prov:generatedEntity": original_id, "prov:usedEntity": previous_id,
                                           "prov:type": "prov:Revision"}
    return doc
