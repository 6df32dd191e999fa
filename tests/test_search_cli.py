"""`docket search`, `quote` and `show --highlight/--range` on the seed collection, through the CLI."""
# ruff: noqa: F811 - pytest fixtures imported from search_support are redefined as test arguments

from __future__ import annotations

import csv
import io
import json

from search_support import docket, seed_store, seed_template  # noqa: F401 - fixtures


def test_json_shape_is_exactly_the_design(seed_store):
    """--json keeps DESIGN.md's keys; the citation rides under its own key."""
    code, out, _ = docket(seed_store, "search", "Kochetkov evacuation", "--json")
    data = json.loads(out)
    assert 0 == code
    assert ["query", "total", "hits"] == list(data)
    assert 2 == data["total"]
    for hit in data["hits"]:
        assert ["id", "title", "score", "published", "source", "raw_sha256", "clean_sha256", "snippets",
                "citation"] == list(hit)
        for snippet in hit["snippets"]:
            assert ["text", "highlights"] == list(snippet)
            words = {snippet["text"][a:b].lower() for a, b in snippet["highlights"]}
            assert words <= {"kochetkov", "evacuation", "evacuate", "evacuated"}


def test_snippet_ranges_point_into_the_clean_text(seed_store):
    """Every snippet's citation range, read back with show --range, is the passage the snippet quotes."""
    _, out, _ = docket(seed_store, "search", "Chechnya", "--json")
    for hit in json.loads(out)["hits"]:
        for snippet, rng in zip(hit["snippets"], hit["citation"]["snippet_ranges"], strict=True):
            if rng is None:
                continue
            code, passage, _ = docket(seed_store, "show", hit["id"][:12], "--range", f"{rng[0]}:{rng[1]}")
            assert 0 == code
            assert " ".join(passage.split()) == snippet["text"].strip("…")


def test_bad_query_is_one_line_and_exit_2(seed_store):
    """An unparseable query prints one error line and exits 2."""
    code, out, err = docket(seed_store, "search", "“unclosed")
    assert (2, "") == (code, out)
    assert "docket: error: cannot parse query '“unclosed': a phrase is not closed: put a \" at its end\n" == err


def test_pasted_queries_never_crash(seed_store):
    """URLs, colons, apostrophes, em dashes and curly quotes run (exit 0)."""
    for query in ("https://www.rferl.org/a/chechnya", "Note: gays", "Kochetkov’s", "Chechnya — Russia",
                  "‘Novaya Gazeta’", "and/or", "id:7a12"):
        code, _, err = docket(seed_store, "search", query)
        assert 0 == code, (query, err)


def test_html_output_escapes_document_markup(tmp_path):
    """A document's own <script> never reaches --format html output as markup."""
    page = tmp_path / "page.txt"
    page.write_text("Markup test\n\nThe report on Grozny quoted <script>alert('x')</script> verbatim "
                    "and said Grozny again.\n", encoding="utf-8")
    store = tmp_path / "store"
    assert 0 == docket(store, "ingest", str(page))[0]
    code, out, _ = docket(store, "search", "Grozny", "--format", "html")
    assert 0 == code
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "<mark>Grozny</mark>" in out


def test_quote_citation_show_range_round_trip(seed_store):
    """quote finds the exact passage; its citation's range, shown, gives the passage back."""
    passage = "we started receiving requests"
    code, out, _ = docket(seed_store, "quote", passage.replace(" ", "\n  "), "--json")
    assert 0 == code
    found = [json.loads(line) for line in out.splitlines()]
    assert 1 == len(found)
    cite = found[0]
    assert f"characters {cite['start']}–{cite['end']}" in cite["citation"]
    assert cite["clean_sha256"] in cite["citation"]
    code, shown, _ = docket(seed_store, "show", cite["id"][:12], "--range", f"{cite['start']}:{cite['end']}")
    assert (0, passage + "\n") == (code, shown)


def test_quote_without_match_exits_1(seed_store):
    """A passage no document contains is reported, exit 1."""
    code, _, err = docket(seed_store, "quote", "no document says this")
    assert 1 == code
    assert "no document contains" in err


def test_show_range_outside_the_text_is_usage_error(seed_store):
    """A range past the end of the clean text is bad usage (exit 2)."""
    _, out, _ = docket(seed_store, "search", "Kochetkov", "--json")
    doc_id = json.loads(out)["hits"][0]["id"][:12]
    assert 2 == docket(seed_store, "show", doc_id, "--range", "0:99999999")[0]
    assert 2 == docket(seed_store, "show", doc_id, "--range", "9:3")[0]


def test_show_highlight_marks_every_match(seed_store):
    """show --highlight prints the whole clean text with every match marked."""
    _, out, _ = docket(seed_store, "search", "Moskalkova", "--json")
    doc_id = json.loads(out)["hits"][0]["id"][:12]
    code, shown, _ = docket(seed_store, "show", doc_id, "--highlight", "Moskalkova OR ombudsman")
    assert 0 == code
    plain = shown.replace("**", "")
    assert plain.count("Moskalkova") == shown.count("**Moskalkova**")
    assert shown.count("**ombudsman**") >= 1


def test_export_all_streams_every_hit(seed_store):
    """--all --format jsonl/csv writes every matching document, not a page."""
    _, out, _ = docket(seed_store, "search", "Chechnya", "--json", "--limit", "1")
    total = json.loads(out)["total"]
    code, lines, _ = docket(seed_store, "search", "Chechnya", "--all", "--format", "jsonl", "--limit", "1")
    assert 0 == code
    assert total == len(lines.splitlines()) > 1
    code, table, _ = docket(seed_store, "search", "Chechnya", "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert total == len(rows)
    assert all(r["start"] and r["clean_sha256"] for r in rows)
    assert 2 == docket(seed_store, "search", "Chechnya", "--all")[0]


def test_date_filter_and_facets_on_the_seeds(seed_store):
    """--since/--until and --facets run on the seeds; undated documents drop out of a date filter."""
    _, out, _ = docket(seed_store, "search", "Chechnya", "--json", "--facets")
    data = json.loads(out)
    assert sum(count for _, count in data["facets"]["site"]) == data["total"]
    _, out, _ = docket(seed_store, "search", "Chechnya", "--json", "--since", "1900", "--until", "2100")
    dated = [h for h in data["hits"] if h["published"]]
    assert len(dated) == json.loads(out)["total"]
    assert 2 == docket(seed_store, "search", "Chechnya", "--since", "June 2017")[0]


def test_old_index_says_run_reindex(seed_store):
    """A store whose index has an old schema version says to run docket reindex; reindex fixes it."""
    (seed_store / "index" / "SCHEMA_VERSION").write_text("1\n")
    code, _, err = docket(seed_store, "search", "Chechnya")
    assert 1 == code
    assert "run `docket reindex`" in err
    assert 0 == docket(seed_store, "reindex")[0]
    assert 0 == docket(seed_store, "search", "Chechnya")[0]
