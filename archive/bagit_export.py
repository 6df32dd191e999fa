"""BagIt (RFC 8493) bags written and read with the standard library only.

A docket bag holds, under ``data/``::

    documents/<id>/original.<ext>   the original bytes, exactly as captured
    documents/<id>/clean.txt        the clean text derived from them
    documents/<id>/provenance.json  the provenance record, byte for byte as stored
    ledger/ledger.jsonl             the whole ledger (and ledger.jsonl.head)
    ledger/objects/<sha256>         objects the ledger refers to (time-stamp replies, CA certificates)

with sha256 and sha512 payload manifests, the matching tag manifests and a ``bag-info.txt`` that
names the ledger head. Reading a bag checks every digest, the Payload-Oxum and that every payload
file is listed, and refuses paths that could escape the bag.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import attrs

from archive.errors import ArchiveError

BAGIT_VERSION = "1.0"
ALGORITHMS = ("sha256", "sha512")
MEDIA_EXTENSIONS = {"text/html": ".html", "text/plain": ".txt"}


class BagInvalid(ArchiveError):
    """A bag that does not validate: names the file and what is wrong with it."""

    def __init__(self, bag: str, problems: list[str]) -> None:
        self.bag = bag
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"bag {bag} does not validate: {problems[0]}{more}")


class BagExists(ArchiveError):
    """The export destination is already there and not empty."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path} already exists and is not empty; give a new folder for the bag")


@attrs.frozen
class BagDocument:
    """One document's files for a bag: original bytes, clean text bytes, record bytes."""

    doc_id: str
    media_type: str
    original: bytes
    clean: bytes
    record: bytes


@attrs.frozen
class BagSummary:
    """What was written: where, how many documents, the Payload-Oxum and the tag manifest's digest."""

    path: str
    documents: int
    payload_oxum: str
    tagmanifest_sha256: str


def encode_path(path: str) -> str:
    """A manifest path with CR, LF and % percent-encoded (RFC 8493 section 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(path: str) -> str:
    """The inverse of :func:`encode_path`."""
    return path.replace("%0D", "\r").replace("%0d", "\r").replace("%0A", "\n").replace("%0a", "\n").replace("%25", "%")


def safe_relative(path: str) -> PurePosixPath:
    """A bag-relative path, refused if it is absolute, climbs with ``..`` or is otherwise odd."""
    if not path or path.startswith(("/", "\\")) or "\\" in path or "\x00" in path or (len(path) > 1 and path[1] == ":"):
        raise ValueError(f"unsafe path {path!r}")
    pure = PurePosixPath(path)
    if any(part in ("..", ".", "") for part in path.split("/")):
        raise ValueError(f"unsafe path {path!r}")
    return pure


def _digests(data: bytes) -> dict[str, str]:
    return {alg: hashlib.new(alg, data).hexdigest() for alg in ALGORITHMS}


def _write(root: Path, relative: str, data: bytes, sums: dict[str, dict[str, str]]) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    for alg, hexdigest in _digests(data).items():
        sums[alg][relative] = hexdigest


def _manifest(entries: dict[str, str]) -> bytes:
    return "".join(f"{digest}  {encode_path(path)}\n" for path, digest in sorted(entries.items())).encode("utf-8")


def write_bag(
    dest: Path, documents: Iterable[BagDocument], ledger: bytes, ledger_head: bytes,
    ledger_objects: dict[str, bytes], info: dict[str, str],
) -> BagSummary:
    """Write a complete bag to ``dest`` (built in a temp folder beside it, then renamed into place).

    ``info`` holds the bag-info.txt fields beyond Payload-Oxum and Bagging-Date (set by the caller).
    """
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BagExists(str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.tmp-"))
    os.chmod(build, 0o755)
    try:
        sums: dict[str, dict[str, str]] = {alg: {} for alg in ALGORITHMS}
        octets = count = docs = 0

        def add(relative: str, data: bytes) -> None:
            nonlocal octets, count
            _write(build, relative, data, sums)
            octets += len(data)
            count += 1

        for doc in documents:
            folder = f"data/documents/{doc.doc_id}"
            add(f"{folder}/original{MEDIA_EXTENSIONS.get(doc.media_type, '.bin')}", doc.original)
            add(f"{folder}/clean.txt", doc.clean)
            add(f"{folder}/provenance.json", doc.record)
            docs += 1
        add("data/ledger/ledger.jsonl", ledger)
        add("data/ledger/ledger.jsonl.head", ledger_head)
        for digest, data in sorted(ledger_objects.items()):
            add(f"data/ledger/objects/{digest}", data)
        oxum = f"{octets}.{count}"
        tag_sums: dict[str, dict[str, str]] = {alg: {} for alg in ALGORITHMS}
        _write(build, "bagit.txt", f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n".encode(),
               tag_sums)
        fields = {**info, "Payload-Oxum": oxum}
        lines = "".join(f"{key}: {' '.join(str(value).split())}\n" for key, value in fields.items())
        _write(build, "bag-info.txt", lines.encode("utf-8"), tag_sums)
        for alg in ALGORITHMS:
            _write(build, f"manifest-{alg}.txt", _manifest(sums[alg]), tag_sums)
        for alg in ALGORITHMS:
            data = _manifest(tag_sums[alg])
            _write(build, f"tagmanifest-{alg}.txt", data, {a: {} for a in ALGORITHMS})
            if alg == "sha256":
                tag_digest = hashlib.sha256(data).hexdigest()
        if dest.exists():
            dest.rmdir()
        os.replace(build, dest)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return BagSummary(str(dest), docs, oxum, tag_digest)


@attrs.frozen
class ValidBag:
    """A bag that validated: its root, bag-info fields and every payload file (bag-relative path)."""

    root: Path
    info: dict[str, str]
    payload: tuple[str, ...]

    def read(self, relative: str) -> bytes:
        """A payload or tag file's bytes (the path was checked when the bag validated)."""
        return (self.root / safe_relative(relative)).read_bytes()


def _parse_tag_file(data: bytes, name: str, problems: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for line in data.decode("utf-8", "replace").splitlines():
        if line[:1] in (" ", "\t") and key is not None:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            fields[key] = value.strip()
        elif line.strip():
            problems.append(f"{name}: malformed line {line!r}")
    return fields


def _parse_manifest(root: Path, name: str, problems: list[str]) -> dict[str, str]:
    entries: dict[str, str] = {}
    for number, line in enumerate((root / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, path = line.strip().partition(" ")
        path = decode_path(path.strip().removeprefix("*"))
        try:
            safe_relative(path)
        except ValueError as exc:
            problems.append(f"{name} line {number}: {exc}")
            continue
        entries[path] = digest.lower()
    return entries


def _check_file(root: Path, relative: str, expected: dict[str, str], problems: list[str]) -> int:
    """Re-hash one file with every algorithm it is listed under; returns its size (or 0 if missing)."""
    path = root / relative
    if path.is_symlink() or not path.is_file():
        problems.append(f"{relative}: listed in a manifest but missing (or not a regular file)")
        return 0
    hashers = {alg: hashlib.new(alg) for alg in expected}
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            size += len(chunk)
            for hasher in hashers.values():
                hasher.update(chunk)
    for alg, digest in expected.items():
        found = hashers[alg].hexdigest()
        if found != digest:
            problems.append(f"{relative}: {alg} expected {digest}, found {found}")
    return size


def validate_bag(root: Path) -> ValidBag:
    """Check a bag completely (RFC 8493 section 3) and return it; raises :class:`BagInvalid`.

    Every manifest and tag manifest is re-hashed, every payload file must be in every manifest,
    Payload-Oxum must match, and no path may be absolute, climb out with ``..`` or be a symlink.
    """
    problems: list[str] = []
    if not (root / "bagit.txt").is_file():
        raise BagInvalid(str(root), ["bagit.txt is missing: not a bag"])
    declaration = _parse_tag_file((root / "bagit.txt").read_bytes(), "bagit.txt", problems)
    if "BagIt-Version" not in declaration:
        problems.append("bagit.txt does not declare BagIt-Version")
    info = _parse_tag_file((root / "bag-info.txt").read_bytes(), "bag-info.txt", problems) \
        if (root / "bag-info.txt").is_file() else {}
    manifests = sorted(p.name for p in root.glob("manifest-*.txt"))
    if not manifests:
        problems.append("no payload manifest (manifest-<algorithm>.txt)")
    listed: dict[str, dict[str, str]] = {}
    for name in manifests:
        alg = name[len("manifest-"):-len(".txt")]
        if alg not in hashlib.algorithms_available:
            problems.append(f"{name}: unknown algorithm {alg}")
            continue
        for path, digest in _parse_manifest(root, name, problems).items():
            if not path.startswith("data/"):
                problems.append(f"{name}: {path} is outside data/")
                continue
            listed.setdefault(path, {})[alg] = digest
    on_disk: set[str] = set()
    data = root / "data"
    for dirpath, dirnames, filenames in os.walk(data):
        for name in filenames + [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            on_disk.add((Path(dirpath) / name).relative_to(root).as_posix())
    octets = 0
    for path in sorted(listed):
        if len(listed[path]) != len(manifests):
            problems.append(f"{path}: not listed in every manifest")
        octets += _check_file(root, path, listed[path], problems)
    for path in sorted(on_disk - set(listed)):
        problems.append(f"{path}: in data/ but in no manifest")
    oxum = info.get("Payload-Oxum")
    if oxum and oxum != f"{octets}.{len(listed)}":
        problems.append(f"Payload-Oxum says {oxum}, the payload is {octets}.{len(listed)}")
    for name in sorted(p.name for p in root.glob("tagmanifest-*.txt")):
        alg = name[len("tagmanifest-"):-len(".txt")]
        if alg not in hashlib.algorithms_available:
            problems.append(f"{name}: unknown algorithm {alg}")
            continue
        for path, digest in _parse_manifest(root, name, problems).items():
            _check_file(root, path, {alg: digest}, problems)
    if problems:
        raise BagInvalid(str(root), problems)
    return ValidBag(root, info, tuple(sorted(listed)))
