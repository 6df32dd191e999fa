"""Finding input files and telling HTML from text."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path


class MediaType(StrEnum):
    """The two kinds of document docket reads."""

    HTML = "text/html"
    TEXT = "text/plain"


EXTENSIONS = {".html": MediaType.HTML, ".htm": MediaType.HTML, ".xhtml": MediaType.HTML,
              ".txt": MediaType.TEXT, ".md": MediaType.TEXT, ".text": MediaType.TEXT}
# Files a folder walk passes over: clearly not documents (pictures, scripts, styles, data).
SKIPPED_EXTENSIONS = frozenset({
    ".css", ".js", ".json", ".xml", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico",
    ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".mp3", ".mp4", ".woff", ".woff2", ".ttf",
    ".exe", ".so", ".pyc", ".db", ".sqlite",
})
_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<p[\s>]|<div[\s>]",
                         re.IGNORECASE)


def sniff_media_type(path: Path, head: bytes) -> MediaType:
    """HTML or text: by extension first, else by looking for HTML tags in the first bytes."""
    known = EXTENSIONS.get(path.suffix.lower())
    if known is not None:
        return known
    return MediaType.HTML if _HTML_SNIFF.search(head[:4096]) else MediaType.TEXT


def discover(paths: list[Path]) -> Iterator[tuple[Path, bool]]:
    """Each input file as (path, named): folders are walked recursively in sorted order.

    ``named`` is True for a file given directly. Folder walks skip hidden entries and clearly
    non-document extensions, and do not follow symbolic links to folders (so loops end).
    """
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or Path(name).suffix.lower() in SKIPPED_EXTENSIONS:
                        continue
                    yield Path(folder) / name, False
        else:
            yield path, True
