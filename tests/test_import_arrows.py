"""The three packages import one way: archive and index never import corpus, nor each other."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)
ALLOWED = {
    "archive": {"archive", "attrs"},
    "index": {"index", "attrs", "whoosh"},
    "corpus": {"corpus", "archive", "index", "attrs", "click", "bs4", "lxml", "charset_normalizer",
               "trafilatura", "justext", "htmldate"},
}


def imported_roots(path: Path) -> set[str]:
    """Top-level module names a source file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_each_package_imports_only_what_its_arrows_allow() -> None:
    """archive: stdlib+attrs; index: stdlib+whoosh+attrs; corpus: may use both and its libraries."""
    offences = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in sorted(imported_roots(path) - STDLIB - allowed - {"__future__"}):
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert [] == offences


def test_the_arrow_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The checker itself finds an index module importing archive."""
    bad = tmp_path / "bad.py"
    bad.write_text("from archive.objects import ObjectStore\nimport whoosh\n", encoding="utf-8")
    assert {"archive", "whoosh"} == imported_roots(bad)
