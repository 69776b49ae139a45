"""The ``heron`` command end to end: each command run in a child process on files written here."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from tests.cli.running import ESCAPE, fails, heron_cmd, ok, write_jsonl

import heron
from heron.cli import main

DOCS: list[dict[str, Any]] = [
    {"id": "a1", "title": "Smuggling tunnels under Gaza",
     "body": "Egypt flooded the smuggling tunnels along the Gaza border.",
     "topics": ["gaza", "crude"], "date": "2017-01-05", "words": 120},
    {"id": "a2", "title": "Crude oil prices",
     "body": "Crude oil prices rose as the tunnels closed and smuggling stopped.",
     "topics": ["crude"], "date": "2018-03-01", "words": 80},
    {"id": "a3", "title": "Grain harvest", "body": "Wheat exports fell after the harvest.",
     "topics": ["grain"], "date": "2016-07-07", "words": 40},
]


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """An index of DOCS made by the command."""
    path = tmp_path / "news"
    out = ok("index", path, write_jsonl(tmp_path / "articles.jsonl", DOCS))
    assert out.splitlines()[-1].startswith("indexed 3 documents")
    return path


def ids(path: Path, query: str | None = None) -> list[str]:
    """The ids of a query's hits, best first, or of every document."""
    with heron.open_index(path).searcher() as s:
        if query is None:
            return [doc["id"] for doc in s.documents()]
        return [hit["id"] for hit in s.search(query, limit=None)]


def test_index_infers_the_schema_and_prints_it(news: Path) -> None:
    schema = heron.open_index(news).schema
    kinds = {name: schema[name].kind for name in schema.names()}
    assert kinds == {"id": "ID", "title": "TEXT", "body": "TEXT", "topics": "KEYWORD",
                     "date": "DATETIME", "words": "NUMERIC"}
    assert schema.unique_field() == "id"
    assert heron.open_index(news).doc_count() == 3
    with heron.open_index(news).searcher() as s:
        assert [h["id"] for h in s.search("words:[100 TO 200]")] == ["a1"]
        assert [h["id"] for h in s.search("topics:grain")] == ["a3"]


def test_printed_schema_names_each_type(tmp_path: Path) -> None:
    out = ok("index", tmp_path / "ix", write_jsonl(tmp_path / "d.jsonl", DOCS))
    first = out.splitlines()[0]
    for part in ("id ID unique", "title TEXT", "topics KEYWORD", "date DATETIME",
                 "words NUMERIC"):
        assert part in first
    assert ok("index", tmp_path / "quiet", tmp_path / "d.jsonl", "--quiet") == ""


def test_indexing_appends_and_updates_by_the_unique_field(news: Path, tmp_path: Path) -> None:
    more = [{"id": "a3", "title": "Grain harvest revised", "body": "Wheat exports rose."},
            {"id": "a4", "title": "Sinai", "body": "Sinai tunnels.", "topics": ["gaza"]}]
    out = ok("index", news, write_jsonl(tmp_path / "more.jsonl", more))
    assert "schema" not in out  # the index's own schema is used
    assert "the index has 4 documents (+1)" in out
    assert sorted(ids(news)) == ["a1", "a2", "a3", "a4"]
    assert ids(news, "revised") == ["a3"]
    assert ids(news, "fell") == []


def test_stdin_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    gz = tmp_path / "more.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        f.write(json.dumps(DOCS[2]) + "\n\n")
    lines = "".join(json.dumps(d) + "\n" for d in DOCS[:2])
    done = heron_cmd("index", path, "-", gz, stdin=lines)
    assert done.returncode == 0, done.stderr
    assert sorted(ids(path)) == ["a1", "a2", "a3"]


def test_csv_tsv_and_folders(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "title", "year"])
        writer.writerow(["c1", "Tunnels, again", "2017"])
        writer.writerow(["c2", "Bridges", ""])
    ok("index", tmp_path / "csv", table)
    schema = heron.open_index(tmp_path / "csv").schema
    assert schema["year"].kind == "NUMERIC"
    assert ids(tmp_path / "csv", "year:2017") == ["c1"]
    (tmp_path / "t.tsv").write_text("id\ttitle\nt1\tTabbed tunnels\n", encoding="utf-8")
    ok("index", tmp_path / "csv", tmp_path / "t.tsv")
    assert ids(tmp_path / "csv", "tunnels") == ["c1", "t1"] or sorted(
        ids(tmp_path / "csv", "tunnels")) == ["c1", "t1"]

    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("First line title\nbody about tunnels\n", encoding="utf-8")
    (folder / "sub" / "two.md").write_text("# Markdown title\n\ntext\n", encoding="utf-8")
    (folder / "three.html").write_text(
        "<html><head><title>Page title</title><script>var tunnels;</script></head>"
        "<body><p>Hello <b>bridges</b></p></body></html>", encoding="utf-8")
    (folder / ".hidden.txt").write_text("hidden", encoding="utf-8")
    ok("index", tmp_path / "pages-ix", folder)
    with heron.open_index(tmp_path / "pages-ix").searcher() as s:
        docs = {d["id"]: d for d in s.documents()}
    assert sorted(docs) == ["one.txt", "sub/two.md", "three.html"]
    assert docs["three.html"]["title"] == "Page title"
    assert "tunnels" not in docs["three.html"]["body"]  # scripts are not text
    assert docs["sub/two.md"]["title"] == "Markdown title"
    assert docs["one.txt"]["title"] == "First line title"


def test_schema_from_a_file_as_info_prints_it(news: Path, tmp_path: Path) -> None:
    info = json.loads(ok("info", news, "--json"))
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(info["schema"]), encoding="utf-8")
    out = ok("index", tmp_path / "copy", tmp_path / "articles.jsonl", "--schema", schema_file)
    assert "schema (" not in out
    assert heron.open_index(tmp_path / "copy").schema == heron.open_index(news).schema


def test_overwrite_starts_again(news: Path, tmp_path: Path) -> None:
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(json.loads(ok("info", news, "--json"))["schema"]))
    (tmp_path / "bad.jsonl").write_text('{"id": "y"}\n{bad\n', encoding="utf-8")
    err = fails("index", news, tmp_path / "bad.jsonl", "--overwrite", "--schema", schema_file)
    assert "bad.jsonl:2" in err
    assert sorted(ids(news)) == ["a1", "a2", "a3"]  # same schema: replaced in one commit
    write_jsonl(tmp_path / "one.jsonl", [{"id": "z", "title": "tunnels"}])
    ok("index", news, tmp_path / "one.jsonl", "--overwrite", "--schema", schema_file)
    assert ids(news) == ["z"]
    assert ids(news, "tunnels") == ["z"]
    ok("index", news, tmp_path / "one.jsonl", "--overwrite")  # another schema
    assert heron.open_index(news).schema.names() == ["id", "title"]
    assert ids(news) == ["z"]


def test_search_prints_ranked_hits_with_snippets(news: Path) -> None:
    lines = ok("search", news, "tunnels smuggling").splitlines()
    assert lines[0] == "2 hits for 'tunnels smuggling', showing 1-2"
    first, snippet, second = lines[1], lines[2], lines[3]
    assert first.split()[0] == "1"
    assert "Smuggling tunnels under Gaza" in first
    assert "[a1]" in first
    assert float(first.split()[1]) >= float(second.split()[1]) > 0
    assert "smuggling tunnels" in snippet
    assert snippet.startswith("      ")


def test_search_uses_numpy_kernels_unless_told(news: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """One search does not repay importing numba: ``heron search`` takes numpy's kernels
    (same results) unless HERON_KERNELS says otherwise."""
    seen: list[str | None] = []
    open_index = heron.open_index

    def opening(path: Any) -> heron.Index:
        seen.append(os.environ.get("HERON_KERNELS"))
        return open_index(path)

    monkeypatch.setattr(heron, "open_index", opening)
    monkeypatch.delenv("HERON_KERNELS", raising=False)
    assert main(["search", str(news), "tunnels"]) == 0
    assert "HERON_KERNELS" not in os.environ  # the caller's environment as it was
    monkeypatch.setenv("HERON_KERNELS", "auto")
    assert main(["search", str(news), "tunnels"]) == 0
    assert os.environ["HERON_KERNELS"] == "auto"
    assert seen == ["numpy", "auto"]
    assert capsys.readouterr().out.count("2 hits for 'tunnels'") == 2


def test_search_sort_filter_facets_limit(news: Path) -> None:
    out = ok("search", news, "tunnels OR wheat", "--sort", "-date", "--facets", "topics")
    hits = [line for line in out.splitlines() if re.match(r"\s+\d+\s+\d", line)]
    assert ["[a2]" in hits[0], "[a1]" in hits[1], "[a3]" in hits[2]] == [True] * 3
    assert "topics: crude 2, gaza 1, grain 1" in out
    out = ok("search", news, 'title:gaza "smuggling tunnels"', "--limit", "5", "--sort",
             "-date", "--filter", "topics:crude", "--facets", "topics")
    assert out.splitlines()[0].startswith("1 hits")
    out = ok("search", news, "tunnels", "--limit", "1")
    assert out.splitlines()[0] == "2 hits for 'tunnels', showing 1-1"


def test_search_json(news: Path) -> None:
    data = json.loads(ok("search", news, "tunnels", "--json", "--facets", "topics"))
    assert data["query"] == "tunnels"
    assert data["total"] == 2
    first = data["hits"][0]
    assert first["id"] == "a1"
    assert first["rank"] == 1
    assert first["score"] > data["hits"][1]["score"]
    assert first["title"] == "Smuggling tunnels under Gaza"
    assert first["words"] == 120
    assert first["date"].startswith("2017-01-05")
    assert '<b class="match term0">tunnels</b>' in first["highlights"]["body"]
    assert data["facets"]["topics"] == {"crude": 2, "gaza": 1}


def test_info(news: Path) -> None:
    info = json.loads(ok("info", news, "--json"))
    assert info["documents"] == 3
    assert info["segments"] == 1
    assert info["bytes"] > 0
    assert info["format_version"] == heron.index.FORMAT_VERSION
    fields = {f["name"]: f for f in info["fields"]}
    assert fields["topics"]["type"] == "KEYWORD"
    assert fields["topics"]["terms"] == 3
    assert fields["id"]["unique"]
    text = ok("info", news)
    assert "documents:  3" in text
    assert re.search(r"topics\s+KEYWORD\s+yes\s+3", text)


def test_check_and_optimize(news: Path, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "b.jsonl", [{"id": "b1", "title": "second segment"}])
    ok("index", news, tmp_path / "b.jsonl")
    assert "sound" in ok("check", news)
    assert ok("check", news, "--quiet") == ""
    out = ok("optimize", news)
    assert "-> 1," in out
    assert json.loads(ok("info", news, "--json"))["segments"] == 1
    assert sorted(ids(news)) == ["a1", "a2", "a3", "b1"]
    segment = next(news.glob("*.hsg"))
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    segment.write_bytes(bytes(data))
    err = fails("check", news)
    assert "damaged" in err
    assert segment.name in err


def test_bad_query_shows_a_caret(news: Path) -> None:
    err = fails("search", news, "title:(gaza tunnels")
    first, query, caret = err.splitlines()
    assert first.startswith("heron: error: bad query: ")
    assert query == "  title:(gaza tunnels"
    assert caret == "  " + " " * 6 + "^"
    err = fails("search", news, "gaza", "--filter", "topics:[a TO")
    assert err.startswith("heron: error: bad filter: ")
    assert "titel" in fails("search", news, "titel:gaza")


def test_missing_damaged_and_locked_indexes(news: Path, tmp_path: Path) -> None:
    for command in (["search", tmp_path / "none", "x"], ["info", tmp_path / "none"],
                    ["check", tmp_path / "none"], ["optimize", tmp_path / "none"]):
        err = fails(*command)
        assert err.count("\n") == 1
        assert "no index at" in err
        assert "heron index" in err  # what to do
    with heron.open_index(news).writer():
        err = fails("index", news, tmp_path / "articles.jsonl")
        assert "another process" in err
        assert err.count("\n") == 1
        assert "another process" in fails("optimize", news)
    for segment in news.glob("*.hsg"):
        segment.write_bytes(segment.read_bytes()[:-3])
    err = fails("search", news, "tunnels")
    assert "damaged" in err
    assert f"heron check {news}" in err


def test_malformed_records_name_file_and_line(news: Path, tmp_path: Path) -> None:
    cases = {
        "bad.jsonl": ('{"id": "n1", "title": "ok"}\n\n{"id": "n2", "title": \n', "bad.jsonl:3",
                      "not valid JSON"),
        "list.jsonl": ('["not", "an", "object"]\n', "list.jsonl:1", "JSON object"),
        "field.jsonl": ('{"id": "n1"}\n{"id": "n2", "colour": "red"}\n', "field.jsonl:2",
                        "colour"),
        "type.jsonl": ('{"id": "n1", "words": "many"}\n', "type.jsonl:1", "words"),
        "rows.csv": ("id,title\nr1,a\nr2,b,extra\n", "rows.csv:3", "3 values for 2 columns"),
    }
    for name, (text, where, what) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        err = fails("index", news, tmp_path / name)
        assert err.count("\n") == 1, err
        assert where in err
        assert what in err
        assert "nothing of this run was committed" in err
        assert sorted(ids(news)) == ["a1", "a2", "a3"]  # the last commit, intact
    assert "no such file" in fails("index", news, tmp_path / "absent.jsonl")
    (tmp_path / "x.doc").write_text("?", encoding="utf-8")
    assert "unknown kind of file" in fails("index", news, tmp_path / "x.doc")
    (tmp_path / "new.jsonl").write_text('{"id": "a"}\n{oops\n', encoding="utf-8")
    assert "new.jsonl:2" in fails("index", tmp_path / "fresh", tmp_path / "new.jsonl")
    assert not (tmp_path / "fresh").exists()  # a new index that failed is not left behind


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = heron_cmd("info", tmp_path / "none", "--debug")
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert "IndexNotFoundError" in done.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in ([], ["search"], ["search", "ix", "q", "--limit", "0"], ["frobnicate"],
                 ["index", "ix"]):
        done = heron_cmd(*args)
        assert done.returncode == 2
        assert "usage: heron" in done.stderr


def test_help_and_version_and_console_entry_point() -> None:
    out = ok("--help")
    for command in ("index", "search", "info", "check", "optimize", "demo"):
        assert command in out
    assert ok("--version").strip() == f"heron {heron.__version__}"
    from importlib.metadata import entry_points  # noqa: PLC0415

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("heron", "heron.cli:main") == "heron.cli:main"
    assert ESCAPE not in out
