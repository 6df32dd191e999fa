"""Bytes in any common encoding decode to the right text; binary and empty input are refused."""

from __future__ import annotations

import codecs

import pytest

from corpus.decode import decode_bytes
from corpus.errors import BinaryInput, EmptyInput

RUSSIAN = "Российская ЛГБТ-сеть помогает людям покинуть Чечню. Игорь Кочетков рассказал об эвакуации."
FRENCH = "Le café de la rue Saint-Honoré a rouvert ; l’été dernier il était fermé. Déjà vu, naïve façade."


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (FRENCH.encode("utf-8"), FRENCH),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), FRENCH),
        (FRENCH.encode("utf-16"), FRENCH),
        (codecs.BOM_UTF16_BE + RUSSIAN.encode("utf-16-be"), RUSSIAN),
        ((RUSSIAN + " " + RUSSIAN).encode("cp1251"), RUSSIAN + " " + RUSSIAN),
        (FRENCH.replace("’", "'").encode("latin-1"), FRENCH.replace("’", "'")),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-be-bom", "cp1251", "latin-1"],
)
def test_common_encodings_decode_to_the_right_text(data: bytes, text: str) -> None:
    """UTF-8, UTF-16 with BOM, cp1251 and latin-1 bytes all give back the text that was written."""
    assert text == decode_bytes(data).text


def test_a_declared_html_charset_is_honoured() -> None:
    """A page that declares windows-1251 decodes with it even when detection might guess otherwise."""
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'
    assert page == decode_bytes(page.encode("cp1251")).text


def test_a_mislabelled_charset_falls_back_to_what_the_bytes_are() -> None:
    """A page claiming UTF-8 but written in cp1251 still decodes to the right Cyrillic."""
    page = f'<html><head><meta charset="utf-8"></head><body><p>{RUSSIAN} {RUSSIAN}</p></body></html>'
    assert RUSSIAN in decode_bytes(page.encode("cp1251")).text


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\x1f\x8b\x08\x00\x00\x00",
     bytes(range(256)) * 4],
    ids=["pdf", "png", "gzip", "random-binary"],
)
def test_binary_input_is_refused_with_a_reason(data: bytes) -> None:
    """PDF, PNG, gzip and arbitrary binary bytes are not documents."""
    with pytest.raises(BinaryInput, match="not a text or HTML document"):
        decode_bytes(data, "x.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\t\n"])
def test_empty_input_is_refused(data: bytes) -> None:
    """An empty or blank file is refused as empty."""
    with pytest.raises(EmptyInput, match="x.txt: the file is empty"):
        decode_bytes(data, "x.txt")
