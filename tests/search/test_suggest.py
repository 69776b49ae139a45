"""Suggestions, corrections and completions (heron.search._suggest, _correct)."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron
from heron.search._suggest import edit_distance

DOCS = [
    "Petroleum exports rose as petroleum prices fell",
    "Crude oil exports and petroleum products",
    "Petroleum petroleum refineries export crude oil",
    "Exported goods and exporters of crude oil",
    "Zürich cocoa traders and the café in Zürich",
    "Happy traders, happiness of oil traders",
]


def schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                        body=heron.TEXT(), tag=heron.KEYWORD(stored=True))


@pytest.fixture
def index(tmp_path: Path) -> heron.Index:
    """DOCS in three segments, the body not stored; one extra document deleted."""
    ix = heron.create_index(tmp_path / "ix", schema())
    for chunk in (DOCS[:2], DOCS[2:4], DOCS[4:]):
        with ix.writer() as w:
            for text in chunk:
                n = str(DOCS.index(text))
                w.add_document(id=n, title=text, body=text, tag="t")
    with ix.writer() as w:
        w.add_document(id="gone", title="petrolem petrolem", body="petrolem")
    with ix.writer() as w:
        w.delete_by_term("id", "gone")
    return ix


def test_edit_distance() -> None:
    assert edit_distance("exprts", "exports") == 1
    assert edit_distance("", "abc") == 3
    assert edit_distance("ab", "ba") == 1


def test_suggest_returns_words_not_stems(index: heron.Index) -> None:
    with index.searcher() as s:
        assert s.suggest("body", "petrolium")[0] == "petroleum"
        assert "exports" in s.suggest("body", "exprts", limit=5)
        assert all(w != "export" or w in DOCS[2] for w in s.suggest("body", "exprts"))
        assert s.suggest("title", "Petrolium", limit=1) == ["petroleum"]
        assert s.suggest("body", "xqzwv") == []


def test_suggest_unicode_and_prefix(index: heron.Index) -> None:
    with index.searcher() as s:
        assert "zürich" in s.suggest("body", "zurich")
        assert "café" in s.suggest("body", "cafe")
        assert s.suggest("body", "petrolium", prefix=3, maxdist=1) == ["petroleum"]
        with pytest.raises(ValueError, match="maxdist"):
            s.suggest("body", "oil", maxdist=3)


def test_complete_most_frequent_first(index: heron.Index) -> None:
    with index.searcher() as s:
        assert s.complete("body", "petro") == ["petroleum"]
        words = s.complete("body", "ex", limit=5)
        assert words[0] == "exports"
        assert set(words) == {"exports", "export", "exported", "exporters"}
        assert s.complete("body", "happy") == ["happy"]  # indexed as "happi"
        assert s.complete("body", "ex", limit=2) == words[:2]
        assert s.complete("body", "") == []
        assert s.complete("body", "zü") == ["zürich"]


def test_correct_keeps_known_words_and_syntax(index: heron.Index) -> None:
    with index.searcher() as s:
        assert s.correct("petrolium exprts") == "petroleum exports"
        assert s.correct("petroleum exports") is None
        assert s.correct('title:petrolium AND "crude oil"') == 'title:petroleum AND "crude oil"'
        assert s.correct('"crude oyl" OR Petrolium') == '"crude oil" OR Petroleum'
        assert s.correct("petrol* tag:petrolium body:(exprts OR oil)") == (
            "petrol* tag:petrolium body:(exports OR oil)")
        assert s.correct("xqzwv") is None
        assert s.correct("the petrolium", fields=["body"]) == "the petroleum"


def test_deleted_and_merged_segments_keep_forms(index: heron.Index) -> None:
    index.optimize()
    with index.searcher() as s:
        assert len(s.reader.segments) == 1
        assert s.suggest("body", "petrolium")[0] == "petroleum"
        assert s.complete("body", "ex", limit=1) == ["exports"]
        assert s.correct("exprts") == "exports"


def test_forms_survive_a_segment_without_them(tmp_path: Path) -> None:
    """A field whose words are its terms writes no forms: the terms are the words."""
    ix = heron.create_index(tmp_path / "k", heron.Schema(tag=heron.KEYWORD()))
    with ix.writer() as w:
        w.add_document(tag="petroleum")
        w.add_document(tag="petroleum")
    with ix.searcher() as s:
        assert s.reader.segments[0].surface("tag") is None
        assert s.suggest("tag", "petrolium") == ["petroleum"]
        assert s.complete("tag", "pet") == ["petroleum"]
