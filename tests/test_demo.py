"""Tests for heron.demo: the default corpus and the demo job."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import heron
from heron import demo
from heron.cli import main

needs_core = pytest.mark.skipif(
    not hasattr(heron, "create_index"), reason="heron's index API has not landed yet"
)


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, str]]:
    return list(demo.default_corpus())


@pytest.mark.slow
def test_corpus_documents_are_well_formed(corpus: list[dict[str, str]]) -> None:
    assert len(corpus) > 1000
    for doc in corpus:
        assert set(doc) == {"id", "title", "body", "kind", "name", "context"}
        assert all(isinstance(value, str) for value in doc.values())
        assert doc["body"].strip() == doc["body"] != ""
        assert doc["name"]
        assert doc["title"]
        assert doc["kind"] in {"reference", "module", "class", "function"}


@pytest.mark.slow
def test_corpus_ids_are_unique(corpus: list[dict[str, str]]) -> None:
    ids = [doc["id"] for doc in corpus]
    assert len(ids) == len(set(ids))


@pytest.mark.slow
def test_corpus_is_deterministic(corpus: list[dict[str, str]]) -> None:
    assert list(demo.default_corpus()) == corpus


@pytest.mark.slow
def test_corpus_has_reference_topics_and_docstrings(corpus: list[dict[str, str]]) -> None:
    by_id = {doc["id"]: doc for doc in corpus}
    assert by_id["topic:with"]["kind"] == "reference"
    assert by_id["topic:with"]["title"] == 'The "with" statement'
    assert by_id["topic:with"]["name"].split()[0] == "with"
    assert by_id["module:json"]["kind"] == "module"
    assert by_id["module:json.decoder"]["title"] == "json.decoder"
    assert by_id["def:json.loads"]["kind"] == "function"
    assert by_id["class:json.decoder.JSONDecoder"]["kind"] == "class"
    assert by_id["def:json.decoder.JSONDecoder.decode"]["kind"] == "function"
    assert "module:concurrent.futures" in by_id


@pytest.mark.slow
def test_corpus_skips_tests_and_private_names(corpus: list[dict[str, str]]) -> None:
    names = [doc["id"].split(":", 1)[1] for doc in corpus if not doc["id"].startswith("topic:")]
    for name in names:
        parts = name.split(".")
        # The last part may be a function named "test" (cgi.test); packages may not be tests.
        assert not {"test", "tests", "idle_test"} & set(parts[:-1]), name
        assert all(
            not p.startswith("_") or (p.startswith("__") and p.endswith("__")) for p in parts
        ), name


def test_reference_topics_are_split_into_sections(corpus: list[dict[str, str]]) -> None:
    by_id = {doc["id"]: doc for doc in corpus}
    lists = by_id["topic:typesseq#lists"]
    assert lists["title"] == "Lists"
    assert "sorts the list in place" in lists["body"]
    assert lists["name"].startswith("typesseq")
    # sections repeated across topics appear once (topics themselves stay, under their id)
    sections = [doc["body"] for doc in corpus if doc["id"].startswith("topic:") and
                "#" in doc["id"]]
    firsts = {doc["body"] for doc in corpus if doc["id"].startswith("topic:") and
              "#" not in doc["id"]}
    assert len(sections) == len(set(sections))
    assert not set(sections) & firsts


def test_names_and_context(corpus: list[dict[str, str]]) -> None:
    by_id = {doc["id"]: doc for doc in corpus}
    assert by_id["class:json.decoder.JSONDecoder"]["name"].startswith("json decoder json decoder")
    assert "unicode decode error" in by_id["def:codecs.StreamReader.read"]["name"]
    assert by_id["def:re.findall"]["context"].startswith("Support for regular expressions")
    assert by_id["module:re"]["context"] == ""
    assert by_id["class:UnicodeDecodeError"]["name"].startswith("unicode decode error")
    assert by_id["def:bytes.decode"]["name"].startswith("bytes decode")
    assert by_id["def:bytes.decode"]["context"].startswith("Built-in functions")
    assert demo._name_words("http.HTTPStatus.is_ok2") == "http http status is ok 2"


def test_builtins_are_documented_with_their_own_methods(corpus: list[dict[str, str]]) -> None:
    by_id = {doc["id"]: doc for doc in corpus}
    assert by_id["class:UnicodeDecodeError"]["kind"] == "class"
    assert by_id["def:bytes.decode"]["kind"] == "function"
    assert "UnicodeDecodeError" in by_id["def:bytes.decode"]["body"]
    assert {"def:str.encode", "def:list.sort", "def:len", "class:dict"} <= set(by_id)
    # inherited methods and the site's helpers are not repeated as documents
    assert "def:UnicodeDecodeError.with_traceback" not in by_id
    assert "def:BaseException.with_traceback" in by_id
    assert not {"def:help", "class:help", "def:exit", "def:copyright"} & set(by_id)


def test_deprecated_modules_and_tools_are_left_out(corpus: list[dict[str, str]]) -> None:
    tops = {doc["id"].split(":", 1)[1].split(".")[0] for doc in corpus
            if doc["kind"] != "reference"}
    assert not tops & {"nntplib", "uu", "cgi", "idlelib", "lib2to3", "turtledemo"}
    assert {"re", "codecs", "json", "threading"} <= tops


def test_query_string_rewards_every_word_and_neighbours() -> None:
    assert demo.query_string("tunnels") == "tunnels"
    query = demo.query_string("sort list in place")
    assert '"list in"~3^2' in query
    assert "(+sort +list +in +place)^2" in query


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory: pytest.TempPathFactory, corpus: list[dict[str, str]]
               ) -> heron.Index:
    return demo.build(str(tmp_path_factory.mktemp("demo") / "ix"), corpus)


@pytest.mark.slow
@needs_core
@pytest.mark.parametrize(
    ("words", "top", "wanted"),
    [
        ("context manager", 1, {"topic:context-managers"}),
        ("regular expression groups", 3, {"def:re.findall", "def:re.split", "def:re.compile",
                                          "def:re.purge", "module:re", "def:re.match"}),
        ("unicode decode error", 3, {"class:UnicodeDecodeError", "def:bytes.decode",
                                     "def:bytearray.decode", "def:str.encode",
                                     "def:codecs.decode"}),
        ("sort list in place", 2, {"def:list.sort", "topic:typesseq#lists",
                                   "def:pydoc.sort_attributes"}),
        ("thread lock", 2, {"def:threading.RLock", "class:threading.Condition",
                            "module:threading"}),
    ],
)
def test_the_demo_queries_rank_what_a_reader_would_pick(
    demo_index: heron.Index, words: str, top: int, wanted: set[str]
) -> None:
    with demo_index.searcher() as s:
        ids = [hit["id"] for hit in s.search(demo.query_string(words), limit=top)]
    assert len(ids) == top
    assert set(ids) <= wanted, ids


@needs_core
def test_heron_demo_shows_hits_snippets_and_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full = demo.default_corpus

    def small() -> Iterator[dict[str, str]]:
        return itertools.islice(full(), 3000)  # enough to cross the writer's batches

    monkeypatch.setattr(demo, "default_corpus", small)
    path = tmp_path / "demo"
    assert main(["demo", "--path", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out  # not a terminal: no colour
    for query in demo.QUERIES:
        assert repr(query) in out
    assert re.search(r"\n  1 +\d+\.\d+  \S", out)  # ranked hits
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"3000 documents, [\d.]+ MB, [\d.]+ s, [\d.]+ MB/s", last), last

    # A second run replaces the index instead of failing or appending.
    assert main(["demo", "--path", str(path)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("3000 documents,")
