"""heron.migrate.from_whoosh on real Whoosh indexes: every stored document comes back, and
term, keyword and range queries find the same documents in both."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.cli.running import heron_cmd
from tests.migrate.whoosh_source import body, build, build_many, import_whoosh

import heron
from heron.query import NumericRange, Term

if not import_whoosh():
    pytest.skip("Whoosh is not installed (pip install heron[whoosh])", allow_module_level=True)
import whoosh.fields as wf
import whoosh.index as wi
import whoosh.query as wq

HERE = Path(__file__).resolve().parent


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "whoosh"
    build(path)
    return path


def whoosh_ids(source: Path, query: Any) -> set[str]:
    ix = wi.open_dir(str(source))
    with ix.searcher() as s:
        return {hit["id"] for hit in s.search(query, limit=None)}


def heron_ids(target: Path, query: str | heron.query.Query) -> set[str]:
    with heron.open_index(target).searcher() as s:
        return {hit["id"] for hit in s.search(query, limit=None)}


def as_json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


def test_every_stored_document_is_copied(source: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "heron"
    report = heron.migrate.from_whoosh(source, target)
    printed = capsys.readouterr().out
    assert str(report) in printed
    ix = wi.open_dir(str(source))
    with ix.searcher() as ws:
        expected = {doc["id"]: doc for doc in ws.all_stored_fields()}
    assert report.documents == len(expected) == 59
    assert report.doc_count == 59
    assert report.unrecoverable == ("body",)
    assert "body" in printed
    reopened = heron.open_index(target)
    assert reopened.doc_count() == 59
    with reopened.searcher() as s:
        got = {doc["id"]: doc for doc in s.documents()}
    assert got.keys() == expected.keys()
    for key, doc in expected.items():
        assert got[key] == {k: as_json(v) for k, v in doc.items()}, key
    assert any(isinstance(d["when"], dt.datetime) for d in got.values())
    assert "d5" not in got  # deleted in Whoosh


def test_schema_maps_each_option(source: Path, tmp_path: Path) -> None:
    heron.migrate.from_whoosh(source, tmp_path / "heron")
    schema = heron.open_index(tmp_path / "heron").schema
    assert schema["id"] == heron.ID(stored=True, unique=True)
    assert isinstance(schema["title"], heron.TEXT)
    assert schema["title"].boost == 2.0
    assert schema["title"].stored
    assert not schema["body"].stored
    assert schema["tags"] == heron.KEYWORD(stored=True, commas=True, lowercase=True,
                                           scorable=True)
    assert schema["year"] == heron.NUMERIC(stored=True, sortable=True)
    assert schema["price"] == heron.NUMERIC(numtype="float", stored=True)
    assert schema["when"] == heron.DATETIME(stored=True)
    assert schema["draft"] == heron.BOOLEAN(stored=True)
    assert schema["meta"] == heron.STORED()
    # Whoosh's stop words and analysis carried over: the same words are dropped
    assert schema["title"].analyzer.terms("The tunnels near Gaza") == ["tunnels", "near", "gaza"]


@pytest.mark.parametrize(
    ("whoosh_query", "heron_query"),
    [
        (wq.Term("title", "tunnels"), "title:tunnels"),
        (wq.Term("title", "zürich"), "title:Zürich"),
        (wq.Term("title", "東京"), Term("title", "東京")),
        (wq.Term("tags", "são paulo"), Term("tags", "são paulo")),
        (wq.Term("tags", "gaza"), "tags:gaza"),
        (wq.Term("id", "d17"), "id:d17"),
        (wq.Term("draft", True), "draft:true"),
        (wq.NumericRange("year", 1995, 2003), "year:[1995 TO 2003]"),
        (wq.NumericRange("year", 1995, 2003, startexcl=True, endexcl=True),
         "year:{1995 TO 2003}"),
        (wq.NumericRange("year", None, 1992), "year:<=1992"),
        (wq.NumericRange("price", -1.5, 4.0), "price:[-1.5 TO 4.0]"),
        (wq.DateRange("when", dt.datetime(2017, 3, 1), dt.datetime(2017, 8, 1)),
         NumericRange("when", dt.datetime(2017, 3, 1), dt.datetime(2017, 8, 1))),
        (wq.And([wq.Term("tags", "cairo"), wq.NumericRange("year", 2000, None)]),
         "tags:cairo AND year:>=2000"),
    ],
)
def test_same_queries_find_the_same_documents(source: Path, tmp_path: Path, whoosh_query: Any,
                                              heron_query: Any) -> None:
    target = tmp_path / "heron"
    heron.migrate.from_whoosh(source, target)
    expected = whoosh_ids(source, whoosh_query)
    assert expected  # each query finds something
    assert heron_ids(target, heron_query) == expected


def test_rebuild_fills_unstored_fields(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "heron"
    calls: list[tuple[int, int]] = []
    report = heron.migrate.from_whoosh(
        source, target, rebuild=lambda stored: {"body": body(int(stored["id"][1:]))},
        progress=lambda done, total: calls.append((done, total)))
    assert report.unrecoverable == ()
    assert calls[0] == (0, 59)
    assert calls[-1] == (59, 59)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    for word in ("tunnels", "flooded", "border"):
        (stem,) = [t.text for t in wi.open_dir(str(source)).schema["body"].analyzer(word)]
        expected = whoosh_ids(source, wq.Term("body", stem))
        assert expected
        assert heron_ids(target, f"body:{word}") == expected
    with heron.open_index(target).searcher() as s:
        assert "body" not in s.document(id="d1")


def test_interrupted_migration_leaves_no_index_and_reruns(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "heron"
    seen = []

    def failing(stored: dict[str, Any]) -> dict[str, Any]:
        seen.append(stored["id"])
        if len(seen) == 30:
            raise RuntimeError("the source of the bodies went away")
        return {"body": body(int(stored["id"][1:]))}

    with pytest.raises(RuntimeError, match="went away"):
        heron.migrate.from_whoosh(source, target, rebuild=failing)
    assert not heron.exists_in(target)
    with pytest.raises(heron.IndexNotFoundError):
        heron.open_index(target)
    report = heron.migrate.from_whoosh(source, target)
    assert report.documents == heron.open_index(target).doc_count() == 59
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heron", "whoosh"]


def test_killed_migration_leaves_no_index_and_reruns(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "heron"
    child = subprocess.Popen(
        [sys.executable, str(HERE / "whoosh_source.py"), str(source), str(target), "20"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(Path(heron.__file__).parents[1]), "PATH": ""})
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "waiting\n"  # 19 documents read, the 20th waits
    finally:
        child.kill()
        child.wait()
        assert child.stdin is not None
        child.stdin.close()
        assert child.stdout is not None
        child.stdout.close()
    assert not heron.exists_in(target)
    assert (tmp_path / ".heron.migrating").is_dir()  # what the killed run left
    report = heron.migrate.from_whoosh(source, target, rebuild=lambda s: {
        "body": body(int(s["id"][1:]))})
    assert report.documents == 59
    assert heron_ids(target, "body:flooded") == whoosh_ids(source, wq.Term("body", "flood"))
    assert not (tmp_path / ".heron.migrating").exists()


def test_an_existing_index_needs_overwrite(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "heron"
    heron.create_index(target, heron.Schema(x=heron.ID(stored=True)))
    with pytest.raises(heron.IndexExistsError):
        heron.migrate.from_whoosh(source, target)
    assert heron.open_index(target).schema.names() == ["x"]
    heron.migrate.from_whoosh(source, target, overwrite=True)
    assert heron.open_index(target).doc_count() == 59
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(heron.ArgumentError):
        heron.migrate.from_whoosh(source, tmp_path / "other", overwrite=True)
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_wrong_arguments(source: Path, tmp_path: Path) -> None:
    with pytest.raises(heron.IndexNotFoundError):
        heron.migrate.from_whoosh(tmp_path / "nothing", tmp_path / "heron")
    with pytest.raises(TypeError):
        heron.migrate.from_whoosh(source, tmp_path / "heron", rebuild="body")  # type: ignore[arg-type]
    with pytest.raises(heron.ArgumentTypeError):
        heron.migrate.from_whoosh(source, tmp_path / "heron", rebuild=lambda s: ["x"])  # type: ignore[arg-type,return-value]
    assert not heron.exists_in(tmp_path / "heron")


def test_options_without_equivalent_are_reported(tmp_path: Path) -> None:
    import whoosh.analysis as wa  # noqa: PLC0415

    schema = wf.Schema(
        **{"key.id": wf.ID(stored=True)},
        text=wf.TEXT(stored=True, vector=True, spelling=True,
                     analyzer=wa.RegexTokenizer() | wa.LowercaseFilter() | wa.IntraWordFilter()),
        fold=wf.TEXT(analyzer=wa.StandardAnalyzer() | wa.CharsetFilter(
            __import__("whoosh.support.charset", fromlist=["accent_map"]).accent_map)),
        big=wf.NUMERIC(int, 64, signed=False, stored=True),
        gram=wf.NGRAM(minsize=3, maxsize=5, stored=True, queryor=True),
        words=wf.NGRAMWORDS(minsize=2, maxsize=6, at="start"),
        code=wf.ID(stored=True, analyzer=wa.IDTokenizer() | wa.LowercaseFilter()),
        german=wf.TEXT(lang="de", stored=True),
    )
    (tmp_path / "w").mkdir()
    ix = wi.create_in(str(tmp_path / "w"), schema)
    with ix.writer() as w:
        w.add_document(**{"key.id": "k1"}, text="Wi-Fi routers", fold="Café Zürich", big=2**40,
                       gram="Petroleum", words="Petroleum exports", code="AB-7",
                       german="Die Häuser am See")
    report = heron.migrate.from_whoosh(tmp_path / "w", tmp_path / "h")
    text = "\n".join(report.unmapped)
    for needle in ("key.id: renamed 'key_id'", "text: vector", "text: spelling=True",
                   "IntraWordFilter", "fold: CharsetFilter", "big: unsigned 64-bit",
                   "gram: queryor=True"):
        assert needle in text
    assert set(report.unrecoverable) == {"fold", "words"}
    h = heron.open_index(tmp_path / "h")
    assert h.schema["gram"] == heron.NGRAM(minsize=3, maxsize=5, stored=True)
    assert h.schema["words"] == heron.NGRAMWORDS(minsize=2, maxsize=6, at="start")
    assert h.schema["code"] == heron.ID(stored=True, lowercase=True)
    assert "spell_text" not in h.schema
    assert h.schema["german"].analyzer.stages[-1] == heron.analysis.StemFilter("german")
    whoosh_terms = [t.text for t in ix.schema["german"].analyzer("Die Häuser am See")]
    assert h.schema["german"].analyzer.terms("Die Häuser am See") == whoosh_terms
    with h.searcher() as s:
        (doc,) = s.documents()
        assert doc == {"key_id": "k1", "text": "Wi-Fi routers", "big": 2**40,
                       "gram": "Petroleum", "code": "AB-7", "german": "Die Häuser am See"}
        assert heron_ids_of(s, "gram:petr") == ["k1"]
        assert heron_ids_of(s, "code:ab-7") == ["k1"]
        assert heron_ids_of(s, "german:Haus") == ["k1"]


def heron_ids_of(s: heron.Searcher, query: str) -> list[str]:
    return [hit["key_id"] for hit in s.search(query)]


def test_import_heron_does_not_import_whoosh() -> None:
    code = "import sys, heron; heron.migrate.from_whoosh; print('whoosh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(Path(heron.__file__).parents[1])})
    assert out.stdout == "False\n"


def test_without_whoosh_the_error_says_what_to_install(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['whoosh'] = None; sys.modules['whoosh.index'] = None\n"
            "import heron\n"
            "try:\n    heron.migrate.from_whoosh(sys.argv[1], sys.argv[2])\n"
            "except heron.HeronError as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(tmp_path / "h")],
                         capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(Path(heron.__file__).parents[1])})
    assert 'pip install "heron[whoosh]"' in out.stdout


def test_an_empty_whoosh_index(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    wi.create_in(str(tmp_path / "w"), wf.Schema(id=wf.ID(stored=True), body=wf.TEXT()))
    calls: list[tuple[int, int]] = []
    report = heron.migrate.from_whoosh(tmp_path / "w", tmp_path / "h",
                                       progress=lambda d, t: calls.append((d, t)))
    assert (report.documents, report.doc_count) == (0, 0)
    assert calls == [(0, 0), (0, 0)]
    assert heron.open_index(tmp_path / "h").schema.names() == ["body", "id"]
    assert "0 documents copied" in str(report)


def many_body(stored: dict[str, Any]) -> dict[str, Any]:
    i = int(stored["id"][1:])
    return {"body": f"word{i % 50} other{i % 7}"}


def check_many(target: Path, n: int) -> None:
    with heron.open_index(target).searcher() as s:
        ids = [doc["id"] for doc in s.documents()]
        assert sorted(ids) == sorted(f"d{i}" for i in range(n))  # each once
        assert s.search("body:word7", limit=None).total == len(range(7, n, 50))


def test_a_failed_migration_resumes_after_its_last_commit(tmp_path: Path) -> None:
    source, target = tmp_path / "w", tmp_path / "h"
    build_many(source, 12_000)
    seen = 0

    def failing(stored: dict[str, Any]) -> dict[str, Any]:
        nonlocal seen
        seen += 1
        if seen == 11_000:
            raise RuntimeError("stop")
        return many_body(stored)

    with pytest.raises(RuntimeError):
        heron.migrate.from_whoosh(source, target, rebuild=failing)
    assert not heron.exists_in(target)
    calls: list[tuple[int, int]] = []
    report = heron.migrate.from_whoosh(source, target, rebuild=many_body,
                                       progress=lambda d, t: calls.append((d, t)))
    assert report.resumed == 10_000  # two commits of 5,000 were kept
    assert calls[0] == (10_000, 12_000)
    assert calls[-1] == (12_000, 12_000)
    assert (report.documents, report.doc_count) == (12_000, 12_000)
    assert "(10000 by an interrupted run)" in str(report)
    check_many(target, 12_000)


def test_a_killed_migration_resumes(tmp_path: Path) -> None:
    source, target = tmp_path / "w", tmp_path / "h"
    build_many(source, 7_000)
    child = subprocess.Popen(
        [sys.executable, str(HERE / "whoosh_source.py"), str(source), str(target), "6500",
         "many"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(Path(heron.__file__).parents[1]), "PATH": ""})
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "waiting\n"
    finally:
        child.kill()
        child.wait()
        assert child.stdin is not None
        assert child.stdout is not None
        child.stdin.close()
        child.stdout.close()
    assert not heron.exists_in(target)
    report = heron.migrate.from_whoosh(source, target, rebuild=many_body)
    assert report.resumed == 5_000
    assert report.documents == 7_000
    check_many(target, 7_000)


def test_a_changed_source_starts_over(tmp_path: Path) -> None:
    source, target = tmp_path / "w", tmp_path / "h"
    build_many(source, 6_000)

    def failing(stored: dict[str, Any]) -> dict[str, Any]:
        if stored["id"] == "d5500":
            raise RuntimeError("stop")
        return many_body(stored)

    with pytest.raises(RuntimeError):
        heron.migrate.from_whoosh(source, target, rebuild=failing)
    ix = wi.open_dir(str(source))
    with ix.writer() as w:
        w.add_document(id="d6000", body="word0 other0")
    report = heron.migrate.from_whoosh(source, target, rebuild=many_body)
    assert report.resumed == 0  # the Whoosh index changed since: nothing is resumed
    assert report.documents == 6_001
    check_many(target, 6_001)


def test_the_command_migrates_and_reports(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "by-command"
    done = heron_cmd("migrate-whoosh", source, target)
    assert done.returncode == 0, done.stderr
    assert f"migrated {source} -> {target}" in done.stdout
    assert "\x1b" not in done.stdout + done.stderr  # piped: no bar, no colour
    whoosh_count = wi.open_dir(str(source)).doc_count()
    assert heron.open_index(target).doc_count() == whoosh_count
    again = heron_cmd("migrate-whoosh", source, target, "--quiet")
    assert again.returncode == 1
    assert "--overwrite" in again.stderr or "exists" in again.stderr
    quiet = heron_cmd("migrate-whoosh", source, target, "--overwrite", "--quiet")
    assert (quiet.returncode, quiet.stdout) == (0, "")
    assert heron.open_index(target).doc_count() == whoosh_count
