"""Searcher(statistics=...): a part of a collection scores as the whole collection does."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

import heron
from heron.query import CollectionStatistics
from heron.scoring import BM25, BM25F, TFIDF, FunctionScoring, Scoring

SCHEMA = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True))
DOCS = [{"id": f"d{i}", "body": " ".join(["tunnel"] * (1 + i % 3) + ["gaza"] * (i % 2)
                                          + ["border"] * (i % 5))} for i in range(40)]


def build(path: Path, docs: list[dict[str, str]], schema: heron.Schema = SCHEMA) -> heron.Index:
    ix = heron.create_index(path, schema)
    with ix.writer() as w:
        w.add_documents(docs)
    return ix


def by_length(tf: npt.NDArray[np.float64], df: npt.NDArray[np.float64],
              length: npt.NDArray[np.float64], avg: npt.NDArray[np.float64],
              n: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A scoring function that reads every statistic: frequencies, lengths and counts."""
    return tf * np.log1p(n / df) / (0.5 + length / avg)


#: every model whose scores depend on collection statistics (Frequency reads none)
MODELS = [BM25(), TFIDF(), BM25F(), FunctionScoring(by_length)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_parts_score_as_the_whole(tmp_path: Path, model: Scoring) -> None:
    whole = build(tmp_path / "whole", DOCS)
    parts = [build(tmp_path / "a", DOCS[:15]), build(tmp_path / "b", DOCS[15:])]
    query = 'tunnel gaza OR "gaza border"'
    searchers = [p.searcher(model) for p in parts]
    stats = CollectionStatistics.combine(s.collection_statistics(query) for s in searchers)
    assert stats.max_doc == 40
    assert stats.doc_freqs[("body", "gaza")] == sum(1 for d in DOCS if "gaza" in d["body"])
    with whole.searcher(model) as ws:
        expected = {h["id"]: h.score for h in ws.search(query, limit=None)}
    got = {}
    for s in searchers:
        own = {h["id"]: h.score for h in s.search(query, limit=None)}
        s.statistics = stats
        got.update({h["id"]: h.score for h in s.search(query, limit=None)})
        assert any(not math.isclose(own[k], got[k], rel_tol=1e-9) for k in own)
        s.close()
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[k], expected[k], rel_tol=1e-9) for k in got)


def test_statistics_are_those_of_the_terms_bound(tmp_path: Path) -> None:
    ix = build(tmp_path / "ix", DOCS)
    with ix.searcher() as s:
        stats = s.collection_statistics("tunnel", filter="body:border")
        assert set(stats.doc_freqs) == {("body", "tunnel"), ("body", "border")}
        assert stats.fields["body"] == s.reader.field_stats("body")
        assert s.statistics is None
        assert s.search("tunnel").total == 40


TWO = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                   body=heron.TEXT(stored=True))
TITLED = [{"id": d["id"], "title": " ".join(d["body"].split()[-2:]), "body": d["body"]}
          for d in DOCS]


def test_bm25f_over_fields_scores_as_the_whole(tmp_path: Path) -> None:
    model = BM25F(b={"title": 0.5, "body": 0.75}, weights={"title": 2.0})
    whole = build(tmp_path / "whole", TITLED, TWO)
    parts = [build(tmp_path / "a", TITLED[:25], TWO), build(tmp_path / "b", TITLED[25:], TWO)]
    fields = ["title", "body"]
    with whole.searcher(model) as ws:
        expected = {h["id"]: h.score for h in ws.search("gaza border", fields=fields,
                                                        limit=None)}
    searchers = [p.searcher(model) for p in parts]
    stats = CollectionStatistics.combine(
        s.collection_statistics("gaza border", fields=fields) for s in searchers)
    assert set(stats.fields) == {"title", "body"}
    got = {}
    for s in searchers:
        own = {h["id"]: h.score for h in s.search("gaza border", fields=fields, limit=None)}
        s.statistics = stats
        got.update({h["id"]: h.score for h in s.search("gaza border", fields=fields,
                                                       limit=None)})
        assert any(not math.isclose(own[k], got[k], rel_tol=1e-9) for k in own)
        s.close()
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[k], expected[k], rel_tol=1e-9) for k in got)
