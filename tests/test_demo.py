"""Tests for heron.demo: the default corpus and the demo job."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import heron
from heron import demo

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
        assert set(doc) == {"id", "title", "body", "kind"}
        assert all(isinstance(value, str) for value in doc.values())
        assert doc["body"].strip() == doc["body"] != ""
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
    assert by_id["topic:with"]["title"] == "with"
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


def test_first_line_is_cut_to_width() -> None:
    assert demo._first_line("\n\n  Hello world.  \nmore") == "Hello world."
    cut = demo._first_line("x" * 200)
    assert len(cut) == 90
    assert cut.endswith("...")
    assert demo._first_line("") == ""


@pytest.mark.slow
@needs_core
def test_main_builds_queries_and_prints_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full = demo.default_corpus

    def small() -> Iterator[dict[str, str]]:
        return itertools.islice(full(), 3000)  # enough to cross the writer's batches

    monkeypatch.setattr(demo, "default_corpus", small)
    path = tmp_path / "demo"
    assert demo.main(["--path", str(path)]) == 0
    out = capsys.readouterr().out
    for query in demo.QUERIES:
        assert repr(query) in out
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"3000 documents, [\d.]+ MB, [\d.]+ s, [\d.]+ MB/s", last), last

    # A second run overwrites the index instead of failing or appending.
    assert demo.main(["--path", str(path)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("3000 documents,")
