"""The start-up fixes of index/whoosh_startup.py leave whoosh's behaviour as it was."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import columns, fields
from whoosh.filedb.filestore import RamStorage

from corpus.version import DOCKET_VERSION
from index import whoosh_startup


def _column_file(values: list[bytes], cutoff: int):  # noqa: ANN202 - (storage file, length)
    storage = RamStorage()
    out = storage.create_file("col")
    writer = columns.VarBytesColumn(write_offsets_cutoff=cutoff).writer(out)
    for docnum, value in enumerate(values):
        if value:  # empty values are gaps the writer fills
            writer.add(docnum, value)
    writer.finish(len(values))
    length = out.tell()
    out.close()
    return storage.open_file("col"), length


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.binary(max_size=40), max_size=60), cutoff=st.sampled_from([0, 2**15]))
def test_offsets_are_whoosh_own(values, cutoff):
    dbfile, length = _column_file(values, cutoff)
    fast = columns.VarBytesColumn.Reader(dbfile, 0, length, len(values))
    assert columns.VarBytesColumn.Reader._read_offsets_and_lengths is whoosh_startup._offsets_and_lengths  # noqa: SLF001
    slow = object.__new__(columns.VarBytesColumn.Reader)
    slow._dbfile, slow._basepos, slow._length, slow._doccount = dbfile, 0, length, len(values)  # noqa: SLF001
    slow.had_stored_offsets = False
    columns.VarBytesColumn.Reader._whoosh_read_offsets_and_lengths(slow)  # noqa: SLF001
    assert list(fast._offsets) == list(slow._offsets)  # noqa: SLF001
    assert list(fast._lengths) == list(slow._lengths)  # noqa: SLF001
    assert fast.had_stored_offsets == slow.had_stored_offsets == (cutoff == 0 and bool(values))
    assert [fast[i] for i in range(len(values))] == values


def test_deleted_documents_are_cached_as_before():
    ix = RamStorage().create_index(fields.Schema(id=fields.ID(stored=True, unique=True)))
    with ix.writer() as writer:
        for name in "abc":
            writer.add_document(id=name)
    with ix.writer() as writer:
        writer.delete_by_term("id", "b")
    with ix.reader() as reader:
        first = reader.deleted_docs_set
        assert first == frozenset({1})
        assert reader.deleted_docs_set is first


def test_search_process_loads_no_asyncio_network_or_package_metadata():
    code = ("import functools, sys, corpus.cli, index.search, whoosh.reading; "
            "print(sorted(m for m in ('asyncio', 'importlib.metadata', 'importlib.resources', 'urllib.request', "
            "'http.client', 'ssl') if m in sys.modules), "
            "whoosh.reading.cached_property is functools.cached_property)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[] True"


def test_the_version_is_the_installed_one():
    assert metadata.version("docket") == DOCKET_VERSION


def test_whoosh_urlretrieve_still_works_and_urllib_is_the_real_one(tmp_path):
    source, copy = tmp_path / "source.txt", tmp_path / "copy.txt"
    source.write_text("evidence", encoding="utf-8")
    code = ("import sys, index, whoosh.compat, urllib.request; "
            "assert urllib.request.urlopen is not None; "
            f"whoosh.compat.urlretrieve({source.as_uri()!r}, {str(copy)!r}); print('ok')")
    assert "ok" == subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout.strip()
    assert "evidence" == copy.read_text(encoding="utf-8")
