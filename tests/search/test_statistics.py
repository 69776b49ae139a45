"""Searcher(statistics=...): a part of a collection scores as the whole collection does."""

from __future__ import annotations

import math
from pathlib import Path

import heron
from heron.query import CollectionStatistics

SCHEMA = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True))
DOCS = [{"id": f"d{i}", "body": " ".join(["tunnel"] * (1 + i % 3) + ["gaza"] * (i % 2)
                                          + ["border"] * (i % 5))} for i in range(40)]


def build(path: Path, docs: list[dict[str, str]]) -> heron.Index:
    ix = heron.create_index(path, SCHEMA)
    with ix.writer() as w:
        w.add_documents(docs)
    return ix


def test_parts_score_as_the_whole(tmp_path: Path) -> None:
    whole = build(tmp_path / "whole", DOCS)
    parts = [build(tmp_path / "a", DOCS[:15]), build(tmp_path / "b", DOCS[15:])]
    query = 'tunnel gaza OR "gaza border"'
    searchers = [p.searcher() for p in parts]
    stats = CollectionStatistics.combine(s.collection_statistics(query) for s in searchers)
    assert stats.max_doc == 40
    assert stats.doc_freqs[("body", "gaza")] == sum(1 for d in DOCS if "gaza" in d["body"])
    with whole.searcher() as ws:
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
