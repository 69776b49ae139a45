"""Fuzzy queries: blended scoring (the word itself first) and work bounded by the word's length."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import heron
from heron.analysis import LowercaseFilter, RegexTokenizer
from heron.query import Fuzzy, Term
from heron.query._fuzzy import TIE_BREAKER, similarity

SCHEMA = heron.Schema(id=heron.ID(stored=True),
                      body=heron.TEXT(analyzer=RegexTokenizer() | LowercaseFilter()),
                      n=heron.NUMERIC())


def _index(path: Path, bodies: list[str]) -> heron.Index:
    ix = heron.create_index(path, SCHEMA)
    with ix.writer() as w:
        w.add_documents({"id": f"d{i}", "body": b} for i, b in enumerate(bodies))
    return ix


def test_similarity_is_lucenes() -> None:
    assert similarity("sugar", "sugar", 0) == 1.0
    assert similarity("sugar", "sugars", 1) == pytest.approx(0.8)
    assert similarity("sugar", "sgar", 1) == pytest.approx(0.75)
    assert similarity("ab", "b", 1) == 0.0  # never negative
    assert similarity("abc", "c", 2) == 0.0


def test_exact_term_outranks_an_expansion_with_equal_tf_and_length(tmp_path: Path) -> None:
    # "sugars" is rarer, so as its own term it would have the higher idf and rank first
    ix = _index(tmp_path / "ix", ["sugar x", "sugar y", "sugars z", "other w"])
    with ix.searcher() as s:
        hits = s.search(Fuzzy("body", "sugar", 1), limit=None)
        assert [h["id"] for h in hits][:2] in (["d0", "d1"], ["d1", "d0"])
        assert hits[2]["id"] == "d2"
        scores = {h["id"]: h.score for h in hits}
        # every expansion has the best document frequency, weighted by its similarity
        assert scores["d2"] == pytest.approx(0.8 * scores["d0"])
        assert scores["d0"] == pytest.approx(s.search(Term("body", "sugar"))[0].score)


def test_boost_multiplies_fuzzy_scores(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix", ["sugar x", "sugars z"])
    with ix.searcher() as s:
        plain = {h["id"]: h.score for h in s.search(Fuzzy("body", "sugar", 1))}
        boosted = {h["id"]: h.score for h in s.search(Fuzzy("body", "sugar", 1, boost=3.0))}
    assert boosted == pytest.approx({k: 3 * v for k, v in plain.items()})


def test_a_document_scores_its_best_expansion_and_a_little_of_the_others(tmp_path: Path
                                                                         ) -> None:
    ix = _index(tmp_path / "ix", ["sugar sugars", "sugar other", "coca cola", "cocoa x"])
    with ix.searcher() as s:
        sugar = {h["id"]: h.score for h in s.search(Fuzzy("body", "sugar", 1), limit=None)}
        cocoa = {h["id"]: h.score for h in s.search(Fuzzy("body", "cocoa", 2), limit=None)}
    assert sugar["d0"] == pytest.approx(sugar["d1"] * (1 + TIE_BREAKER * 0.8))
    # "coca" (0.75) and "cola" (0.5) together stay below the word itself
    assert cocoa["d2"] == pytest.approx(cocoa["d3"] * (0.75 + TIE_BREAKER * 0.5))


def test_fuzzy_across_segments_uses_the_index_wide_best_df(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix", ["sugar x"])
    with ix.writer() as w:
        w.add_documents([{"id": "e0", "body": "sugars y"}, {"id": "e1", "body": "sugar z"}])
    with ix.searcher() as s:
        scores = {h["id"]: h.score for h in s.search(Fuzzy("body", "sugar", 1), limit=None)}
    assert scores["e0"] == pytest.approx(0.8 * scores["e1"])
    assert scores["d0"] == pytest.approx(scores["e1"])


def _derived_bytes(s: heron.Searcher) -> int:
    """Bytes of the numpy arrays that queries derived from the searcher's segments."""
    total = 0
    stack: list[object] = [seg.derived for seg in s.reader.segments]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            total += item.nbytes
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif hasattr(item, "__attrs_attrs__") or hasattr(item, "__slots__"):
            stack.extend(getattr(item, a) for a in getattr(item, "__slots__", ())
                         if hasattr(item, a))
    return total


@pytest.mark.parametrize("distance", [1, 2])
def test_work_is_bounded_by_the_words_length(tmp_path: Path, distance: int) -> None:
    """A 100,000-character token is never laid out in a table (it took gigabytes)."""
    long_token = "t" + "u" * 99_999
    medium = "t" + "v" * 2_000
    bodies = ["tunnel", "tunnels", "funnel", "tunel", long_token, medium,
              *(f"w{i}" for i in range(300))]
    ix = _index(tmp_path / "ix", bodies)
    with ix.searcher() as s:
        found = {h["id"] for h in s.search(Fuzzy("body", "tunel", distance), limit=None)}
        assert found == ({"d0", "d3"} if distance == 1 else {"d0", "d1", "d2", "d3"})
        assert _derived_bytes(s) < 1_000_000  # its code points once (400 kB), no table
        # long words find long terms near them, and nothing else
        for near in (medium[:-1] + "x", "x" + medium[1:], medium[:700] + "w" + medium[700:]):
            assert {h["id"] for h in s.search(Fuzzy("body", near, distance))} == {"d5"}
        assert {h["id"] for h in s.search(Fuzzy("body", medium[:-3], distance))} == set()


def test_fuzzy_needs_text(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix", ["sugar"])
    with ix.searcher() as s, pytest.raises(heron.QueryError, match="'n'"):
        s.search(Fuzzy("n", "12", 1))
    with pytest.raises(heron.QueryError, match="text"):
        Fuzzy("body", 12, 1)  # type: ignore[arg-type]
