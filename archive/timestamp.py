"""RFC 3161 trusted time-stamps over the ledger head: the query, the TSA's reply, and their checks.

What is time-stamped: the message imprint is ``sha256(H)`` where ``H`` is the ledger head digest
as its 64 lower-case hex ASCII characters, no newline — the same text ``docket log`` prints and
``ledger.jsonl.head`` holds after the sequence number. Anyone can recompute it with
``printf '%s' H | sha256sum``. A reply therefore proves the whole history up to that entry existed
at the TSA's time.

The query is DER built here; replies are read and signatures checked by the ``openssl`` command
(``openssl ts``), the only place docket runs it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import attrs

from archive.archive import Archive
from archive.errors import ArchiveError
from archive.fixity import Problem

SHA256_OID = bytes.fromhex("0609608648016503040201")  # 2.16.840.1.101.3.4.2.1


class TimestampError(ArchiveError):
    """A time-stamp query or reply that cannot be made, read or accepted."""


def imprint_of_head(head_digest: str) -> str:
    """The message imprint time-stamped for a ledger head: sha256 of the digest's hex characters."""
    return hashlib.sha256(head_digest.encode("ascii")).hexdigest()


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")  # room for a zero sign bit
    return _der(0x02, body)


def build_query(imprint_hex: str, nonce: int | None = None) -> bytes:
    """A DER TimeStampReq (version 1, sha256 imprint, a 64-bit nonce, certReq TRUE)."""
    nonce = secrets.randbits(63) if nonce is None else nonce
    algorithm = _der(0x30, SHA256_OID + b"\x05\x00")
    imprint = _der(0x30, algorithm + _der(0x04, bytes.fromhex(imprint_hex)))
    return _der(0x30, _der_integer(1) + imprint + _der_integer(nonce) + b"\x01\x01\xff")


@attrs.frozen
class TimestampInfo:
    """What a time-stamp query or reply says: status, imprint, nonce, and for replies time and TSA."""

    status: str | None
    hash_algorithm: str | None
    imprint: str | None
    nonce: str | None = None
    serial: str | None = None
    time: str | None = None
    tsa: str | None = None


def _openssl(args: list[str]) -> subprocess.CompletedProcess:
    exe = shutil.which("openssl")
    if exe is None:
        raise TimestampError("the openssl command is not installed; it is needed to read time-stamp replies")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)


def _field(text: str, name: str) -> str | None:
    match = re.search(rf"^{re.escape(name)}:[ \t]*(.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _parse_text(text: str) -> TimestampInfo:
    hex_bytes = re.findall(r"^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})", text, re.MULTILINE)
    imprint = "".join(chunk.replace("-", " ").replace(" ", "") for chunk in hex_bytes) or None
    nonce = _field(text, "Nonce")
    return TimestampInfo(
        status=_field(text, "Status"), hash_algorithm=_field(text, "Hash Algorithm"), imprint=imprint,
        nonce=nonce.lower() if nonce and nonce != "unspecified" else None, serial=_field(text, "Serial number"),
        time=_field(text, "Time stamp"), tsa=_field(text, "TSA"),
    )


def _with_file(data: bytes, action):  # noqa: ANN001, ANN202 - a tiny local helper
    with tempfile.TemporaryDirectory(prefix="docket-ts-") as folder:
        path = Path(folder) / "blob.der"
        path.write_bytes(data)
        return action(path, Path(folder))


def read_query(data: bytes) -> TimestampInfo:
    """What a DER time-stamp query asks for."""
    result = _with_file(data, lambda path, _: _openssl(["ts", "-query", "-in", str(path), "-text"]))
    if result.returncode != 0:
        raise TimestampError(f"not an RFC 3161 time-stamp query ({_last_line(result.stderr)})")
    return _parse_text(result.stdout)


def read_reply(data: bytes) -> TimestampInfo:
    """What a DER time-stamp reply says; a reply openssl cannot parse raises TimestampError."""
    result = _with_file(data, lambda path, _: _openssl(["ts", "-reply", "-in", str(path), "-text"]))
    if result.returncode != 0 or "TST info" not in result.stdout:
        raise TimestampError(f"not an RFC 3161 time-stamp reply ({_last_line(result.stderr or result.stdout)})")
    info = _parse_text(result.stdout)
    if not info.status or not info.status.startswith("Granted"):
        raise TimestampError(f"the time-stamp authority did not grant the request (status {info.status})")
    if info.hash_algorithm != "sha256" or not info.imprint:
        raise TimestampError(f"the reply time-stamps a {info.hash_algorithm} imprint; docket asks for sha256")
    return info


def verify_signature(reply: bytes, imprint_hex: str, ca_pem: bytes) -> str | None:
    """Check the reply's signature chains to ``ca_pem`` and covers ``imprint_hex``; None if it does,
    else openssl's reason."""
    def run(path: Path, folder: Path) -> subprocess.CompletedProcess:
        ca = folder / "ca.pem"
        ca.write_bytes(ca_pem)
        return _openssl(["ts", "-verify", "-in", str(path), "-digest", imprint_hex, "-CAfile", str(ca)])

    result = _with_file(reply, run)
    if result.returncode == 0 and "Verification: OK" in result.stdout:
        return None
    return _last_line(result.stderr or result.stdout)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() and "Using configuration" not in line]
    return (errors or lines or ["no output"])[-1][:300]


def head_imprints(archive: Archive) -> dict[str, tuple[int, str]]:
    """Every imprint a reply may carry: for each ledger line, sha256 of its digest -> (seq, digest)."""
    imprints = {}
    for line in archive.ledger.lines():
        seq = line.entry.seq if line.entry else line.number
        imprints[imprint_of_head(line.digest)] = (seq, line.digest)
    return imprints


def add_timestamp(archive: Archive, reply: bytes, at: str, *, ca_pem: bytes | None = None,
                  query: bytes | None = None) -> dict[str, object]:
    """Check a TSA reply against the ledger (and the query, the CA when given), store it, log it.

    The reply must time-stamp the head of this ledger at some entry; it is kept as an object and a
    "timestamp" ledger entry names it. The caller holds the write lock. Returns the entry's data.
    """
    info = read_reply(reply)
    if query is not None:
        asked = read_query(query)
        if asked.imprint != info.imprint:
            raise TimestampError(f"the reply time-stamps {info.imprint}, but the query asked for {asked.imprint}")
        if asked.nonce and asked.nonce != info.nonce:
            raise TimestampError(f"the reply's nonce {info.nonce} is not the query's {asked.nonce}")
    heads = head_imprints(archive)
    if info.imprint not in heads:
        raise TimestampError(f"the reply time-stamps {info.imprint}, which is not the imprint of any head of "
                             "this store's ledger (was the query made for another store?)")
    seq, digest = heads[info.imprint]
    if ca_pem is not None:
        reason = verify_signature(reply, info.imprint, ca_pem)
        if reason is not None:
            raise TimestampError(f"the reply's signature does not verify against the CA certificate ({reason})")
    reply_digest, _ = archive.objects.put(reply)
    objects = [reply_digest.hex]
    data: dict[str, object] = {
        "reply_sha256": reply_digest.hex, "imprint": info.imprint, "head_seq": seq, "head_digest": digest,
        "tsa_time": info.time, "serial": info.serial, "tsa": info.tsa,
    }
    if ca_pem is not None:
        ca_digest, _ = archive.objects.put(ca_pem)
        data["ca_sha256"] = ca_digest.hex
        objects.append(ca_digest.hex)
    data["objects"] = objects
    archive.ledger.append([("timestamp", None, data)], at)
    return data


def check_timestamps(archive: Archive, ca_pem: bytes | None = None) -> tuple[list[Problem], list[str]]:
    """Re-check every stored reply: it parses, its imprint is the head it names, and (with a CA given
    or stored) its signature verifies. Returns problems and notices."""
    problems: list[Problem] = []
    notices: list[str] = []
    lines = {(line.entry.seq if line.entry else line.number): line for line in archive.ledger.lines()}
    stamps = [e for e in archive.ledger.entries() if e.event == "timestamp"]
    if stamps and shutil.which("openssl") is None:
        return [], [f"openssl is not installed: {len(stamps)} time-stamp replies were not re-checked"]
    for entry in stamps:
        where = f"ledger.jsonl seq {entry.seq}"
        reply_sha = str(entry.data.get("reply_sha256", ""))
        try:
            reply = archive.objects.get(reply_sha)
            info = read_reply(reply)
        except (ArchiveError, KeyError) as exc:
            problems.append(Problem("timestamp-unreadable", f"time-stamp at {where}: {exc}", object=where,
                                    expected=f"a time-stamp reply with sha256 {reply_sha}", found=str(exc)))
            continue
        head_seq = entry.data.get("head_seq")
        line = lines.get(head_seq) if isinstance(head_seq, int) else None
        expected = imprint_of_head(line.digest) if line is not None and head_seq < entry.seq else "none"
        if info.imprint != expected or info.imprint != entry.data.get("imprint"):
            problems.append(Problem(
                "timestamp-imprint", f"time-stamp at {where} does not match the ledger head at seq {head_seq}: "
                "the ledger up to that entry changed after it was time-stamped", object=where,
                expected=expected, found=info.imprint))
            continue
        ca = ca_pem
        if ca is None and entry.data.get("ca_sha256"):
            try:
                ca = archive.objects.get(str(entry.data["ca_sha256"]))
            except (ArchiveError, KeyError):
                ca = None  # the missing or corrupt object is reported by the object checks
        if ca is None:
            notices.append(f"time-stamp at {where} ({info.time}): imprint checked; no CA certificate, so its "
                           "signature was not verified (give --tsa-ca)")
            continue
        reason = verify_signature(reply, info.imprint, ca)
        if reason is not None:
            problems.append(Problem("timestamp-signature", f"time-stamp at {where}: the signature does not verify "
                                    "against the CA certificate", object=where, expected="a valid TSA signature",
                                    found=reason))
    return problems, notices
