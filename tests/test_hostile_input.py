"""Hostile and broken input: each bad file gives one clear line and a non-zero exit, the rest of the
batch goes on, and the store is unchanged by it; nothing hostile is executed, echoed or let out."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import corpus.collection as collection_module
from corpus.cli import main
from corpus.collection import Collection
from tests.conftest import SEEDS, run_docket

ERROR = "docket: error: "


def cli(store: Path, *args: str) -> Result:
    """`docket --store STORE ARGS...` in this process, stdout and stderr apart."""
    return CliRunner().invoke(main, ["--store", str(store), *args], env={"NO_COLOR": "1"})


def archive_digests(store: Path) -> set[str]:
    """Every object's digest (re-hashed) and every record's document id: what the archive holds,
    leaving out the ingest times that records and the ledger carry."""
    root = store / "archive"
    objects = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (root / "objects").rglob("*") if p.is_file()}
    return objects | {p.stem for p in (root / "records").rglob("*.json")}


def error_lines(result: Result) -> list[str]:
    """The non-empty lines on stderr."""
    return [line for line in result.stderr.splitlines() if line.strip()]


def article(title: str, words: str = "evacuation") -> str:
    """A small plain-text article the cleaner keeps."""
    return (f"{title}\n\nThe reporters documented the {words} of dozens of people from the region over several "
            "weeks, with help from volunteers, lawyers and two embassies in Moscow.\n\nA second paragraph "
            "describes the route out and the shelters that received them in the spring of that year.\n")


BAD_FILES = {
    "empty.txt": (b"", "the file is empty"),
    "blank.html": (b" \n\t\n  ", "the file is empty"),
    "paper.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20, "it is a PDF file"),
    "photo.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "it is a PNG image"),
    "data.txt": (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + os.urandom(512), "it is gzip-compressed data"),
    "noise.txt": (bytes(range(256)) * 16, "not a text or HTML document"),
    "nuls.html": (b"<html>\x00\x00\x00<body>\x00" * 50, "not a text or HTML document"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_broken_file_is_one_line_and_changes_nothing(tmp_path: Path, name: str) -> None:
    """A broken file in a batch: one error line naming it and why, exit 1, the good file still added,
    and the archive holds exactly what the good file alone gives."""
    data, reason = BAD_FILES[name]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(data)
    (folder / "zz-good.txt").write_text(article("A good report"), encoding="utf-8")
    result = cli(tmp_path / "store", "ingest", str(folder))
    lines = error_lines(result)
    assert 1 == result.exit_code
    assert 1 == len(lines)
    assert lines[0].startswith(f"{ERROR}{folder / name}: ") and reason in lines[0]
    assert "1 added, 0 unchanged, 1 failed" in result.stdout
    alone = cli(tmp_path / "alone", "ingest", str(folder / "zz-good.txt"))
    assert 0 == alone.exit_code
    assert archive_digests(tmp_path / "alone") == archive_digests(tmp_path / "store")
    assert 0 == cli(tmp_path / "store", "verify").exit_code


def test_invalid_utf8_and_a_mislabelled_charset_decode_or_fail_cleanly(tmp_path: Path) -> None:
    """A page declaring UTF-8 but written in cp1251 is read as Cyrillic; UTF-8 with stray bytes is
    read by a guessed encoding; neither crashes and both are verifiable."""
    folder = tmp_path / "in"
    folder.mkdir()
    cyrillic = ("<html><head><meta charset='utf-8'><title>Отчёт</title></head><body><p>Правозащитники сообщили об "
                "эвакуации десятков человек из региона за несколько недель работы.</p></body></html>")
    (folder / "mislabelled.html").write_bytes(cyrillic.encode("cp1251"))
    (folder / "stray.txt").write_bytes(article("Caf\xe9 report").encode("latin-1") + b"\xff\xfe tail \x80\n")
    result = cli(tmp_path / "store", "ingest", str(folder))
    assert 0 == result.exit_code, result.output
    shown = cli(tmp_path / "store", "search", "эвакуации")
    assert "эвакуации" in shown.stdout
    assert 0 == cli(tmp_path / "store", "verify").exit_code


def test_a_200_mb_file_is_refused_by_its_size_without_being_read(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A 200 MB file (sparse) is refused by its size alone, in ingest and clean; --max-size sets the limit."""
    big = tmp_path / "huge.txt"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    result = run_docket(tmp_path / "store", "ingest", str(big), str(SEEDS[0]))
    lines = result.stderr.decode().splitlines()
    assert 1 == result.returncode
    assert [f"{ERROR}{big}: the file is over the size limit (209,715,200 bytes, limit 52,428,800); raise "
            "--max-size if it really is one document"] == lines
    assert "1 added, 0 unchanged, 1 failed" in result.stdout.decode()
    small = cli(tmp_path / "s2", "ingest", "--max-size", "1000", str(SEEDS[0]))
    assert 1 == small.exit_code and "the file is over the size limit" in small.stderr and "limit 1,000)" in small.stderr
    cleaned = cli(tmp_path, "clean", str(big))
    assert 1 == cleaned.exit_code and error_lines(cleaned)[0].startswith(f"{ERROR}{big}: the file is over the size")

    def no_open(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the file was opened")

    monkeypatch.setattr("builtins.open", no_open)
    assert "over the size limit" in str(collection_module.read_limited(big, 50 * 1024 * 1024))


def deep_page(levels: int, closed: bool, words: str) -> str:
    """HTML nested ``levels`` deep, with or without its closing tags."""
    inner = f"<p>{article('Deep report', words)}</p>"
    return "<html><body>" + "<div><span>" * levels + inner + ("</span></div>" * levels if closed else "") + "</body></html>"


def test_html_nested_100000_levels_deep_does_not_crash_alone_or_in_worker_processes(tmp_path: Path) -> None:
    """100,000 nested elements (closed or not): clean and ingest finish, in one process and in the
    worker pool of a larger batch; the process never dies of recursion."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep-closed.html").write_text(deep_page(100_000, True, "evacuation"), encoding="utf-8")
    (folder / "deep-open.html").write_text(deep_page(100_000, False, "relocation"), encoding="utf-8")
    alone = run_docket(tmp_path / "one", "ingest", "--workers", "1", str(folder))
    assert alone.returncode in (0, 1) and b"Traceback" not in alone.stderr
    assert all(line.startswith(ERROR) for line in alone.stderr.decode().splitlines())
    for number in range(32):  # a batch large enough for the worker pool
        (folder / f"filler{number:02d}.txt").write_text(article(f"Filler report {number}", f"word{number}"))
    pooled = run_docket(tmp_path / "pool", "ingest", "--workers", "2", str(folder))
    assert pooled.returncode in (0, 1) and b"Traceback" not in pooled.stderr
    for line in pooled.stderr.decode().splitlines():
        assert line.startswith(ERROR) and "deep-" in line
    added = int(pooled.stdout.decode().splitlines()[-1].split()[0])
    assert 32 <= added <= 34
    cleaned = run_docket(tmp_path, "clean", str(folder / "deep-open.html"))
    assert cleaned.returncode in (0, 1) and b"Traceback" not in cleaned.stderr
    assert 0 == run_docket(tmp_path / "pool", "verify").returncode


HOSTILE_HTML = """<html><head><title>Hostile page</title><script>alert("title-script")</script>
<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="javascript:alert(2)">
<meta http-equiv="refresh" content="0;url=javascript:alert(6)"></head>
<body onload="alert('onload')"><iframe src="javascript:alert(3)"></iframe><iframe srcdoc="<script>alert(7)</script>"></iframe>
<article><h1>Hostile page</h1>
<p>The reporters documented the evacuation of dozens of people from the region over several weeks, with help
from volunteers.<script>document.write("injected-script-text")</script></p>
<p onclick="alert('click')">A second paragraph describes the <a href="javascript:alert(4)">route out</a> and the
<img src=x onerror="alert('img')"> shelters that received them in Moscow and elsewhere.</p>
<style>body{background:url(javascript:alert(5))}</style><object data="javascript:alert(8)"></object>
<svg onload="alert('svg')"><script>alert('svg-script')</script></svg><form action="javascript:alert(9)"></form>
</article></body></html>"""
NEVER_SHOWN = ("alert", "javascript:", "onload", "onerror", "onclick", "<script", "<iframe", "injected-script-text",
               "document.write", "srcdoc")


def test_scripts_frames_and_javascript_links_are_never_echoed(tmp_path: Path) -> None:
    """A page full of scripts, frames, event handlers and javascript: links: no trace of them in the
    output of clean, show or search (text or JSON), and no javascript: URL becomes the source."""
    page = tmp_path / "hostile.html"
    page.write_text(HOSTILE_HTML, encoding="utf-8")
    store = tmp_path / "store"
    assert 0 == cli(store, "ingest", str(page)).exit_code
    doc = Collection(store).archive.document_ids().__next__()
    record = Collection(store).record(doc)
    assert record.original.source_url is None and record.metadata.canonical_url is None
    outputs = {
        "clean": cli(store, "clean", str(page)), "clean --json": cli(store, "clean", "--json", str(page)),
        "clean --explain": cli(store, "clean", "--explain", str(page)),
        "show": cli(store, "show", doc[:12]), "show --json": cli(store, "show", doc[:12], "--json"),
        "search": cli(store, "search", "evacuation"), "search --json": cli(store, "search", "evacuation", "--json"),
    }
    for name, result in outputs.items():
        assert 0 == result.exit_code, (name, result.output)
        assert "evacuation" in result.stdout, name
        for mark in NEVER_SHOWN:
            if name in ("show --json", "clean --explain", "clean --json") and mark == "javascript:":
                continue  # checked below: only inside the removed blocks' text, never as a link or source
            assert mark not in result.stdout.lower(), (name, mark)
    assert "evacuation" in record.metadata.title.lower() or "hostile" in record.metadata.title.lower()


def test_terminal_control_characters_in_a_document_never_reach_the_terminal(tmp_path: Path) -> None:
    """Escape sequences (ESC, BEL, C1 CSI) inside a document are not written out by clean, show or search."""
    page = tmp_path / "esc.txt"
    page.write_text(article("Escape report", "evacuation \x1b[2J\x1b]0;pwned\x07 \u009b31m"), encoding="utf-8")
    store = tmp_path / "store"
    assert 0 == cli(store, "ingest", str(page)).exit_code
    doc = next(Collection(store).archive.document_ids())
    for args in (("clean", str(page)), ("show", doc[:12]), ("search", "evacuation")):
        result = cli(store, *args)
        assert 0 == result.exit_code
        assert not any(char in result.stdout for char in "\x1b\x07\u009b"), args


HOSTILE_NAMES = ["new\nline.txt", "semi;rm -rf $(echo x)`id`|&>.txt", "ünïcødé\u202eevil.txt", "tab\tand\x1b[31m.txt",
                 "quote'\"*?[x].txt", "-n.txt"]


def test_file_names_with_newlines_and_shell_characters_stay_on_one_line(tmp_path: Path) -> None:
    """Odd names (newline, shell metacharacters, bidi override, escape, undecodable bytes): every
    message about them is one line, with the name escaped; a good file with such a name is stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in HOSTILE_NAMES:
        (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00binary")
    os.close(os.open(os.fsencode(folder) + b"/raw\xff\xfe.txt", os.O_WRONLY | os.O_CREAT, 0o644))
    good = os.fsencode(folder) + b"/good \n\xff.txt"
    with open(good, "wb") as handle:
        handle.write(article("A good report with a bad name").encode("utf-8"))
    result = run_docket(tmp_path / "store", "ingest", str(folder))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert 1 == result.returncode
    lines = err.splitlines()
    assert len(HOSTILE_NAMES) + 1 == len(lines)
    assert all(line.startswith(f"{ERROR}{folder}/") for line in lines)
    assert any("new\\nline.txt: not a text or HTML document" in line for line in lines)
    assert any("\\u202eevil.txt" in line for line in lines)
    assert any("raw\\xff\\xfe.txt: the file is empty" in line for line in lines)
    assert not any(char in err + out for char in "\x1b\u202e\t")
    added = [line for line in out.splitlines() if line.startswith("added")]
    assert [f"added      {added[0].split()[1]}  {folder}/good \\n\\xff.txt  A good report with a bad name"] == added
    doc = next(Collection(tmp_path / "store").archive.document_ids())
    assert "good \\n\\xff.txt" == Collection(tmp_path / "store").record(doc).original.filename
    assert 0 == run_docket(tmp_path / "store", "verify").returncode


def test_symlink_loops_in_a_folder_end_and_are_reported(tmp_path: Path) -> None:
    """A folder with a self-referencing link and a link to its own parent: the walk ends, the looping
    file is one error line, the real article is added."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "sub" / "up").symlink_to("..")
    (folder / "sub" / "again").symlink_to(folder)
    (folder / "sub" / "a.txt").write_text(article("Looped report"), encoding="utf-8")
    result = cli(tmp_path / "store", "ingest", str(folder))
    assert 1 == result.exit_code
    assert [f"{ERROR}{folder}/loop.txt: cannot be read (Too many levels of symbolic links); check that it exists "
            "and that you may read it"] == error_lines(result)
    assert "1 added, 0 unchanged, 1 failed" in result.stdout


def test_an_unreadable_file_is_one_line_and_the_batch_goes_on(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A file that cannot be opened (permission denied, simulated: tests may run as root) is one error
    line; the other file is added."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "locked.txt").write_text(article("Locked report"), encoding="utf-8")
    (folder / "open.txt").write_text(article("Open report", "relocation"), encoding="utf-8")
    real_open = open

    def guarded_open(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(collection_module, "open", guarded_open, raising=False)
    result = cli(tmp_path / "store", "ingest", str(folder))
    assert 1 == result.exit_code
    assert [f"{ERROR}{folder}/locked.txt: cannot be read (Permission denied); check that it exists and that you "
            "may read it"] == error_lines(result)
    assert "1 added, 0 unchanged, 1 failed" in result.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_chmod_000_file_is_one_line(tmp_path: Path) -> None:
    """A real unreadable file (as a normal user): one line, exit 1."""
    path = tmp_path / "secret.txt"
    path.write_text(article("Secret report"), encoding="utf-8")
    path.chmod(0)
    result = cli(tmp_path / "store", "ingest", str(path))
    assert 1 == result.exit_code
    assert error_lines(result)[0].startswith(f"{ERROR}{path}: cannot be read (Permission denied)")


@pytest.mark.parametrize("url", ["not a url", "javascript:alert(1)", "file:///etc/passwd", "http://", "//example.org/a",
                                 "https://exa mple.org/", "https://example.org/\nx", "data:text/html,<script>"])
def test_a_url_that_is_not_a_web_address_is_refused(tmp_path: Path, url: str) -> None:
    """--url must be an absolute http(s)/ftp address: anything else is one line, exit 2, nothing stored."""
    result = cli(tmp_path / "store", "ingest", str(SEEDS[0]), "--url", url)
    assert 2 == result.exit_code
    assert 1 == len(error_lines(result))
    assert error_lines(result)[0].startswith(f"{ERROR}--url ") and "is not a URL" in result.stderr
    assert not (tmp_path / "store" / "archive").exists()


# ---- bags ---------------------------------------------------------------------------------------

def exported_bag(seeded_store: Path, tmp_path: Path) -> Path:
    """A valid bag of the seeded store, and a check that it imports."""
    bag = tmp_path / "bag"
    assert 0 == cli(seeded_store, "export", "bagit", str(bag)).exit_code
    return bag


def rewrite_manifests(bag: Path, extra: list[tuple[str, bytes]]) -> None:
    """Add entries (path, content digest source) to every payload manifest, then re-hash the tag manifests."""
    for manifest in bag.glob("manifest-*.txt"):
        alg = manifest.name[len("manifest-"):-len(".txt")]
        lines = manifest.read_text(encoding="utf-8")
        lines += "".join(f"{hashlib.new(alg, data).hexdigest()}  {path}\n" for path, data in extra)
        manifest.write_text(lines, encoding="utf-8")
    for tagmanifest in bag.glob("tagmanifest-*.txt"):
        alg = tagmanifest.name[len("tagmanifest-"):-len(".txt")]
        out = []
        for line in tagmanifest.read_text(encoding="utf-8").splitlines():
            path = line.split(maxsplit=1)[1]
            out.append(f"{hashlib.new(alg, (bag / path).read_bytes()).hexdigest()}  {path}")
        tagmanifest.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.mark.parametrize("entry", ["data/../../escape.txt", "/tmp/escape-abs.txt", "data/documents/../../../escape.txt",
                                   "data/./x/../../escape.txt", "data\\..\\..\\escape.txt"])
def test_a_bag_with_paths_that_climb_out_is_refused_and_nothing_is_written(seeded_store: Path, tmp_path: Path,
                                                                           entry: str) -> None:
    """A manifest entry that climbs out of the bag or is absolute: the import is refused whole, one
    line, the target store is not created, and no file appears outside."""
    bag = exported_bag(seeded_store, tmp_path)
    rewrite_manifests(bag, [(entry, b"root:x:0:0:root:/root:/bin/bash\n")])
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli(tmp_path / "target", "import", "bagit", str(bag))
    lines = error_lines(result)
    assert 1 == result.exit_code
    assert 1 == len(lines) and lines[0].startswith(f"{ERROR}bag {bag} does not validate: ")
    assert "unsafe path" in lines[0]
    assert before == sorted(p.name for p in tmp_path.iterdir())
    assert not Path("/tmp/escape-abs.txt").exists()
    assert not (tmp_path / "target" / "archive" / "records").exists()


def test_a_bag_whose_payload_is_a_symlink_out_is_refused(seeded_store: Path, tmp_path: Path) -> None:
    """A payload file replaced by a link to /etc/passwd, or a document folder linked elsewhere: refused."""
    bag = exported_bag(seeded_store, tmp_path)
    victim = next((bag / "data" / "documents").rglob("clean.txt"))
    victim.unlink()
    victim.symlink_to("/etc/passwd")
    result = cli(tmp_path / "target", "import", "bagit", str(bag))
    assert 1 == result.exit_code and "not a regular file" in result.stderr
    assert not (tmp_path / "target" / "archive" / "records").exists()
    shutil.rmtree(bag)
    bag = exported_bag(seeded_store, tmp_path)
    folder = next((bag / "data" / "documents").iterdir())
    outside = tmp_path / "outside"
    shutil.move(str(folder), outside)
    folder.symlink_to(outside, target_is_directory=True)
    result = cli(tmp_path / "target", "import", "bagit", str(bag))
    assert 1 == result.exit_code and f"{ERROR}bag {bag} does not validate" in result.stderr
    assert not (tmp_path / "target" / "archive" / "records").exists()
