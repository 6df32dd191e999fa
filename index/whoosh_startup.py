"""Three costs whoosh-reloaded 2.7.5 puts on every process that opens an index, taken off.

A cold ``docket search`` on a 100,000-document index spent 0.25 of its 0.33 s after imports in one
loop: opening a variable-length column (stored fields, ``clean_sha256``, ``minhash``) rebuilds each
document's offset from the lengths in Python when the segment has fewer than 32,768 documents (the
offsets are only written above that). :func:`_offsets_and_lengths` computes the same array with
``itertools.accumulate`` in C: 21 ms -> 1 ms a column a 25,000-document segment.

``whoosh.reading`` imports the ``cached_property`` package for one attribute, and that package
imports ``asyncio`` (40 ms at start-up, nothing docket uses). :func:`install` puts the standard
library's ``functools.cached_property`` (same contract: computed once, stored on the instance) in
its place when nothing has imported the package yet. ``whoosh.compat`` imports ``urlretrieve`` from
``urllib.request`` (50-70 ms: http.client, email, ssl) and never calls it: while it loads, it gets a
stand-in that imports the real function when called.

All are installed by ``index.__init__`` before any whoosh module loads; the behaviour of whoosh is
unchanged (tests/test_whoosh_startup.py compares them with whoosh's own code).
"""

from __future__ import annotations

import functools
import itertools
import struct
import sys
import types
from array import array


def install() -> None:
    """Put them in place (idempotent)."""
    if "cached_property" not in sys.modules:
        shim = types.ModuleType("cached_property", "functools.cached_property standing in (index/whoosh_startup.py)")
        shim.cached_property = functools.cached_property
        sys.modules["cached_property"] = shim
    if "whoosh.compat" not in sys.modules and "urllib.request" not in sys.modules:
        # whoosh.compat imports urlretrieve from urllib.request (which loads http.client, email and
        # ssl: 50-70 ms) and never calls it. It gets a stand-in that loads the real one if called;
        # the stand-in leaves sys.modules once whoosh.compat has its name.
        stand_in = types.ModuleType("urllib.request", "urlretrieve standing in (index/whoosh_startup.py)")
        stand_in.urlretrieve = _urlretrieve
        sys.modules["urllib.request"] = stand_in
        try:
            import whoosh.compat  # noqa: F401
        finally:
            if sys.modules.get("urllib.request") is stand_in:
                del sys.modules["urllib.request"]
    from whoosh import columns

    reader = columns.VarBytesColumn.Reader
    if reader._read_offsets_and_lengths is not _offsets_and_lengths:  # noqa: SLF001
        reader._whoosh_read_offsets_and_lengths = reader._read_offsets_and_lengths  # noqa: SLF001
        reader._read_offsets_and_lengths = _offsets_and_lengths  # noqa: SLF001


def _urlretrieve(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - urllib.request.urlretrieve's
    """urllib.request.urlretrieve, imported when first called."""
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _offsets_and_lengths(self) -> None:  # noqa: ANN001 - replaces VarBytesColumn.Reader's method
    """whoosh's ``VarBytesColumn.Reader._read_offsets_and_lengths``, the offsets summed in C."""
    dbfile, doccount = self._dbfile, self._doccount
    lastbyte = self._basepos + self._length - 1
    lens_code = chr(dbfile.get_byte(lastbyte))
    offsets = None
    if lens_code == "X":  # the writer stored the offsets too
        self.had_stored_offsets = True
        lens_code = chr(dbfile.get_byte(lastbyte - 2))
        offsets_code = chr(dbfile.get_byte(lastbyte - 1))
        offsetstart = (lastbyte - 2) - doccount * struct.calcsize(offsets_code)
        offsets = dbfile.get_array(offsetstart, offsets_code, doccount)
        lastbyte = offsetstart
    lenstart = lastbyte - struct.calcsize(lens_code) * doccount
    lengths = dbfile.get_array(lenstart, lens_code, doccount)
    if offsets is None:
        offsets = array("L", itertools.accumulate(lengths, initial=0))
        offsets.pop()
    self._offsets = offsets
    self._lengths = lengths
