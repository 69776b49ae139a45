"""Whoosh-style conveniences: documents by value, the lexicon, frequencies and explain."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import heron


@pytest.fixture
def searcher(tmp_path: Path) -> heron.Searcher:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True),
                          title=heron.TEXT(stored=True, boost=2.0), body=heron.TEXT(stored=True),
                          tags=heron.KEYWORD(stored=True, commas=True),
                          year=heron.NUMERIC(stored=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    with ix.writer() as w:
        w.add_document(id="a1", title="Gaza tunnels", body="tunnels tunnels smuggling",
                       tags="gaza,sinai", year=2015)
        w.add_document(id="a2", title="Grain", body="wheat tunnel", tags="grain", year=2016)
    with ix.writer(merge=False) as w:  # keep a2's deleted entry: statistics lag until a merge
        w.add_document(id="a3", title="More tunnels", body="egypt", tags="gaza", year=2017)
        w.delete_by_term("id", "a2")
    return ix.searcher()


def test_documents_by_value(searcher: heron.Searcher) -> None:
    assert searcher.document(id="a3") == {
        "id": "a3", "title": "More tunnels", "body": "egypt", "tags": "gaza", "year": 2017}
    assert searcher.document(id="a2") is None  # deleted
    assert searcher.document(id="nope") is None
    assert [d["id"] for d in searcher.documents(tags="gaza")] == ["a1", "a3"]
    assert [d["id"] for d in searcher.documents(tags="gaza", year=2015)] == ["a1"]
    assert [d["id"] for d in searcher.documents()] == ["a1", "a3"]


def test_lexicon_and_frequency(searcher: heron.Searcher) -> None:
    # across two segments; a deleted document's terms stay until a merge, as in Lucene
    assert list(searcher.lexicon("tags")) == ["gaza", "grain", "sinai"]
    assert list(searcher.lexicon("title")) == ["gaza", "grain", "tunnel"]
    assert searcher.doc_frequency("body", "tunnel") == 2  # statistics lag until a merge
    assert searcher.doc_frequency("body", "absent") == 0


def test_explain_adds_up_to_the_score(searcher: heron.Searcher) -> None:
    hit = searcher.search("tunnels year:[2000 TO 2020]")[0]
    text = hit.explain()
    first = text.splitlines()[0]
    assert math.isclose(float(first.split(" = ")[0]), hit.score, abs_tol=1e-4)
    assert "title:tunnel" in text
    assert "body:tunnel" in text
    assert "idf = ln(1 + (N 3 - n 2 + 0.5) / (n 2 + 0.5))" in text
    assert "NumericRange" in text


def test_results_helpers_and_generation(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", heron.Schema(body=heron.TEXT(stored=True)))
    first = ix.latest_generation()
    with ix.writer() as w:
        w.add_document(body="one tunnel")
    assert ix.latest_generation() == first + 1
    with ix.searcher() as s:
        found = s.search("tunnel")
        none = s.search("absent")
    assert not found.is_empty()
    assert found.scored_length() == len(found) == 1
    assert none.is_empty()
    assert none.scored_length() == 0
