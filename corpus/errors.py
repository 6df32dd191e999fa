"""Errors of the collection layer: bad input, with the path, what is wrong and what to do."""

from __future__ import annotations


def display_path(path: str) -> str:
    """A file name as one line of text: undecodable bytes shown as ``\\xNN``, control and invisible
    formatting characters (newlines, escapes, bidi overrides) as Python escapes; the rest as is."""
    shown = []
    for char in path:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by the file system encoding
            shown.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            shown.append(char)
        else:
            shown.append(char.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(shown)


class DocketError(Exception):
    """Base class of errors docket reports to a user as one line."""


class InputError(DocketError):
    """A file that cannot be ingested; nothing of it is stored."""

    reason = "cannot be read as a document"
    advice = ""

    def __init__(self, path: str, detail: str = "") -> None:
        self.path = path
        self.detail = detail
        text = f"{display_path(path)}: {self.reason}"
        if detail:
            text += f" ({detail})"
        if self.advice:
            text += f"; {self.advice}"
        super().__init__(text)


class EmptyInput(InputError):
    """The file holds no text."""

    reason = "the file is empty"
    advice = "nothing to ingest"


class BinaryInput(InputError):
    """The file is not text (an image, a PDF, an archive...)."""

    reason = "not a text or HTML document"
    advice = "docket ingests HTML pages and plain text; convert it to text first"


class UndecodableInput(InputError):
    """The bytes match no text encoding docket knows."""

    reason = "the bytes are not text in any encoding docket recognises"
    advice = "re-save it as UTF-8"


class InputTooLarge(InputError):
    """The file is over the size limit."""

    reason = "the file is over the size limit"
    advice = "raise --max-size if it really is one document"


class UnreadableInput(InputError):
    """The file cannot be opened or read."""

    reason = "cannot be read"
    advice = "check that it exists and that you may read it"


class NoContent(InputError):
    """Cleaning left no article text."""

    reason = "no article text found after cleaning"
    advice = "`docket clean --explain` shows what was removed and why"


class BadFact(DocketError):
    """A capture fact given on the command line is malformed (a --url that is not a URL, ...)."""


class RepairRefused(DocketError):
    """``docket repair`` found damage (not an interrupted write) and changed nothing."""
