"""The cleaner docket runs: HTML or text in, a CleanResult out; its name and version for provenance.

The same bytes and the same cleaner version must always give the same clean digest, and `docket
verify` re-derives clean texts with it. So the version carries a fingerprint of everything that decides
what is kept: the cleaners' and rules' source files and the versions of the engines they call. Any change
to them is a new version, reported by verify as such rather than as corruption.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata
from pathlib import Path

import attrs

from corpus.cleaned import CleanResult
from corpus.readers import MediaType

CLEANER_NAME = "docket.clean"
CLEANER_MAJOR = "1"
_HERE = Path(__file__).resolve().parent
CLEANER_SOURCES = ("clean.py", "cleaned.py", "clean_text.py", "clean_html.py", "text_metadata.py",
                   "html_metadata.py", "decode.py", "prepare.py", "trafilatura_xpaths.py",
                   "trafilatura_links.py")
CLEANER_ENGINES = ("trafilatura", "lxml", "justext", "htmldate", "charset-normalizer")


def cleaner_fingerprint(root: Path = _HERE) -> str:
    """12 hex digits of sha256 over the cleaner's sources (in ``root``), its rules and its engines' versions."""
    digest = hashlib.sha256()
    paths = [root / name for name in CLEANER_SOURCES] + sorted((root / "rules").glob("*.py"))
    for path in paths:
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for engine in CLEANER_ENGINES:
        try:
            digest.update(f"{engine}={metadata.version(engine)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{engine}=absent".encode())
    return digest.hexdigest()[:12]


CLEANER_VERSION = f"{CLEANER_MAJOR}+{cleaner_fingerprint()}"


def clean_document(text: str, media_type: MediaType, url: str | None = None) -> CleanResult:
    """Clean one decoded document with the cleaner for its media type."""
    if media_type is MediaType.HTML:
        from corpus.clean_html import clean_html

        return without_controls(clean_html(text, url=url))
    from corpus.clean_text import clean_text

    return without_controls(clean_text(text))


# C0 and C1 control characters but tab and newline: terminal escapes, bells, NULs are never article
# text (an HTML page can spell them as &#x1b;), and docket must not carry them to anyone's terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(result: CleanResult) -> CleanResult:
    """The result with every control character in its blocks and metadata turned into a space."""

    def fix(value: str | None) -> str | None:
        return _CONTROLS.sub(" ", value) if value and _CONTROLS.search(value) else value

    blocks = tuple(attrs.evolve(block, text=fix(block.text)) if _CONTROLS.search(block.text) else block
                   for block in result.blocks)
    meta = result.metadata
    metadata = attrs.evolve(meta, title=fix(meta.title), author=fix(meta.author), site=fix(meta.site),
                            tags=tuple(fix(tag) or "" for tag in meta.tags), url=fix(meta.url),
                            language=fix(meta.language))
    return CleanResult(blocks=blocks, metadata=metadata)


def cleaner_settings(media_type: MediaType) -> dict[str, object]:
    """The settings recorded with each derivation (which input path of the cleaner ran)."""
    return {"input": media_type.value}
