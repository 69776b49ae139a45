"""On the Reuters news collection: both analysis paths agree, and field search works."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.conftest import load_news

import heron
from heron.analysis import StandardAnalyzer
from heron.analysis._encoder import TermEncoder


def test_batch_and_token_paths_give_the_same_terms() -> None:
    rows = load_news()
    texts = [r["title"] + "\n" + r["body"] for r in rows]
    analyzer = StandardAnalyzer()
    encoder = TermEncoder(analyzer)
    batch = encoder.encode(texts)
    terms = np.asarray(encoder.terms, dtype=object)[batch.term_ids]
    starts = np.concatenate([[0], np.cumsum(batch.lengths)])
    for j in range(0, len(texts), 7):  # every 7th article: about 3,000 of them
        tokens = list(analyzer.tokens(texts[j]))
        a, b = int(starts[j]), int(starts[j + 1])
        assert terms[a:b].tolist() == [t.text for t in tokens]
        assert batch.positions[a:b].tolist() == [t.position for t in tokens]


def test_field_search_on_news(tmp_path: Path) -> None:
    rows = load_news(3000)
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(stored=True),
                          topics=heron.KEYWORD(stored=True, commas=True))
    ix = heron.create_index(tmp_path / "news", schema)
    with ix.writer() as w:
        w.add_documents({"id": r["id"], "title": r["title"], "body": r["body"],
                         "topics": r["topics"]} for r in rows)
    assert ix.doc_count() == 3000
    with_coffee = {r["id"] for r in rows if "coffee" in r["topics"]}
    with ix.searcher() as s:
        res = s.search("topics:coffee", limit=None)
        assert {h["id"] for h in res} == with_coffee
        res = s.search("coffee", fields=["title"], limit=20)
        assert res.total > 0
        assert all("coffee" in h["title"].lower() for h in res)


def test_acronyms_and_decimals_are_searchable_on_news(tmp_path: Path) -> None:
    """``U.S.`` and ``1.5`` are words of their own (UAX #29), at index and at query time."""
    rows = load_news(3000)
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True))
    ix = heron.create_index(tmp_path / "news", schema)
    with ix.writer() as w:
        w.add_documents({"id": r["id"], "body": r["title"] + "\n" + r["body"]} for r in rows)
    analyzer = StandardAnalyzer()
    for query in ("U.S.", "1.5", "1,000"):
        (term,) = analyzer.terms(query)  # one term, not "u" and "s" (dropped: too short)
        holding = {r["id"] for r in rows if term in analyzer.terms(r["title"] + "\n" + r["body"])}
        assert len(holding) > 20  # common in the news
        with ix.searcher() as s:
            res = s.search(query, limit=None)
            assert {h["id"] for h in res} == holding
            top = s.search(query, limit=5)
            assert all(query in h["body"] for h in top)
