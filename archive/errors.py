"""Errors of the archive: each carries the facts needed to act on it and reads as a sentence."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class of everything the archive raises."""


class InvalidDigest(ArchiveError, ValueError):
    """A string that should be a sha256 hex digest is not one."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(f"not a sha256 digest (64 lower-case hex characters): {value!r}")


class ObjectMissing(ArchiveError, KeyError):
    """An object the archive should hold is not on disk."""

    def __init__(self, digest: str) -> None:
        self.digest = digest
        super().__init__(f"object {digest} is missing from the archive")

    def __str__(self) -> str:
        return str(self.args[0])


class ChecksumMismatch(ArchiveError):
    """Bytes read back from the archive do not hash to the digest they are stored under."""

    def __init__(self, path: str, expected: str, found: str) -> None:
        self.path = path
        self.expected = expected
        self.found = found
        super().__init__(f"{path}: expected sha256 {expected}, found {found}")


class UnknownDocument(ArchiveError, LookupError):
    """No document matches an id or id prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        super().__init__(f"no document with id {prefix!r}; `docket log` or `docket search` lists ids")

    def __str__(self) -> str:
        return str(self.args[0])


class AmbiguousId(ArchiveError, LookupError):
    """An id prefix matches more than one document."""

    def __init__(self, prefix: str, matches: list[str]) -> None:
        self.prefix = prefix
        self.matches = matches
        super().__init__(
            f"id {prefix!r} matches {len(matches)} documents ({', '.join(m[:12] for m in matches[:5])}); "
            "give more characters"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class StoreLocked(ArchiveError):
    """Another docket process holds the store's write lock for longer than we may wait."""

    def __init__(self, path: str, waited: float) -> None:
        self.path = path
        self.waited = waited
        super().__init__(
            f"the store is locked by another docket process ({path}); waited {waited:.0f} s — "
            "try again when it finishes, or raise --lock-timeout"
        )


class CorruptRecord(ArchiveError):
    """A provenance record or ledger entry cannot be parsed."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
