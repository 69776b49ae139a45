"""N-gram field types: NGRAM (the whole value) and NGRAMWORDS (each word)."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron
from heron.analysis import EdgeNgramFilter, NgramFilter


def test_ngram_terms() -> None:
    assert heron.NGRAM(minsize=2, maxsize=3).analyzer.terms("Oil X") == [
        "oi", "oil", "il", "il ", "l ", "l x", " x"]
    assert heron.NGRAMWORDS(minsize=2, maxsize=3).analyzer.terms("Oil Ré") == [
        "oi", "oil", "il", "ré"]
    assert heron.NGRAMWORDS(minsize=2, maxsize=4, at="start").analyzer.terms("Petrol") == [
        "pe", "pet", "petr"]
    assert heron.NGRAM(2, 3, at="start").analyzer.terms("ab cd") == ["ab", "ab "]


def test_ngram_arguments() -> None:
    with pytest.raises(heron.SchemaError):
        heron.NGRAM(minsize=3, maxsize=2)
    with pytest.raises(heron.SchemaError):
        heron.NGRAMWORDS(at="end")
    with pytest.raises(heron.SchemaError):
        heron.NGRAMWORDS(minsize=0)


def test_ngram_json_round_trip() -> None:
    schema = heron.Schema(a=heron.NGRAM(2, 5, stored=True),
                          b=heron.NGRAMWORDS(minsize=3, maxsize=6, at="start"))
    again = heron.Schema.from_json(schema.to_json())
    assert again == schema
    assert again["b"].to_json()["at"] == "start"


def test_edge_ngram_filter_is_an_analysis_stage() -> None:
    ana = heron.analysis.SimpleAnalyzer() | EdgeNgramFilter(1, 3)
    assert ana.terms("Gaza strip") == ["g", "ga", "gaz", "s", "st", "str"]
    assert heron.analysis.analyzer_from_json(ana.to_json()) == ana
    assert NgramFilter(2, 2) != EdgeNgramFilter(2, 2)


def build(tmp_path: Path) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True), title=heron.TEXT(stored=True),
                          title_ng=heron.NGRAMWORDS(minsize=2, maxsize=6, stored=True),
                          whole=heron.NGRAM(minsize=2, maxsize=4))
    ix = heron.create_index(tmp_path / "ix", schema)
    titles = [("t1", "Petroleum prices rise"), ("t2", "Petrol stations"),
              ("t3", "Pet food exports"), ("t4", "Zürich petrochemicals"),
              ("t5", "Oil and petroleum")]
    for chunk in (titles[:2], titles[2:4], titles[4:]):
        with ix.writer(merge=False) as w:
            for key, title in chunk:
                w.add_document(id=key, title=title, title_ng=title, whole=title)
    with ix.writer(merge=False) as w:
        w.delete_by_term("id", "t2")
    return ix


def test_as_you_type(tmp_path: Path) -> None:
    with build(tmp_path).searcher() as s:
        def found(q: str) -> set[str]:
            return {h["id"] for h in s.search(q, limit=None)}

        assert found("title_ng:petr") == {"t1", "t4", "t5"}  # t2 is deleted
        assert found("title_ng:pe") == {"t1", "t3", "t4", "t5"}
        assert found("title_ng:petroleu") == {"t1", "t5"}  # longer than maxsize: all 6-grams
        assert found("title_ng:ZÜR") == {"t4"}
        assert found("title_ng:p") == set()  # shorter than minsize
        assert found("title_ng:petr AND title_ng:ris") == {"t1"}
        assert found("whole:mpr") == set()
        assert found("whole:um") == {"t1", "t5"}
        hit = s.search("title_ng:chem")[0]
        assert hit["title_ng"] == "Zürich petrochemicals"


def test_only_the_longest_ngrams_of_a_word_are_required() -> None:
    words = heron.NGRAMWORDS(2, 6)
    assert words.narrow_terms(words.analyzer.terms("petroleu")) == [
        "petrol", "etrole", "troleu"]
    assert words.narrow_terms(["pe", "pet", "ris"]) == ["pet", "ris"]
    edge = heron.NGRAMWORDS(2, 6, at="start")
    assert edge.narrow_terms(["pe", "pet", "et"]) == ["pet", "et"]  # et is no prefix of pet
    assert heron.TEXT().narrow_terms(["a", "ab", "a"]) == ["a", "ab"]


def test_as_you_type_scores_the_longest_ngrams(tmp_path: Path) -> None:
    with build(tmp_path).searcher() as s:
        hit = s.search("title_ng:petr", terms=True)[0]
        assert hit.matched_terms() == [("title_ng", "petr")]
        assert s.search("title_ng:petroleu", terms=True)[0].matched_terms() == [
            ("title_ng", "etrole"), ("title_ng", "petrol"), ("title_ng", "troleu")]
