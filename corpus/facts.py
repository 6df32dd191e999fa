"""Capture facts given on the command line, validated, and who/when/which-version of an ingest."""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from urllib.parse import urlsplit

import attrs

from corpus.errors import BadFact


@attrs.frozen
class CaptureFacts:
    """What the user says about a capture that the file itself may not: URL, time, a note."""

    source_url: str | None = None
    retrieved_at: str | None = None
    note: str | None = None


def check_url(value: str) -> str:
    """A source URL must be absolute http(s) or ftp with a host; anything else is refused."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https", "ftp"} or not parts.netloc or any(c.isspace() for c in value.strip()):
        raise BadFact(f"--url {value!r} is not a URL; give an absolute address like https://example.org/page")
    return value.strip()


def check_timestamp(value: str) -> str:
    """A capture time in ISO 8601 ("2017-06-26", "2017-06-26T11:07:00Z"), returned normalised."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadFact(f"--retrieved-at {value!r} is not an ISO 8601 date or time, e.g. 2017-06-26T11:07:00Z") from None
    if len(text) == 10:
        return parsed.date().isoformat()
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
        return parsed.isoformat().replace("+00:00", "Z")
    return parsed.isoformat()


def utc_now() -> str:
    """The current UTC time, to the second, as ISO 8601 with a Z."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def current_user() -> str:
    """The operating-system user running docket."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
