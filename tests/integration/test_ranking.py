"""BM25 against a hand computation, repeated query words, and invariance across segments."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

import heron

K1, B = 1.2, 0.75


def _bm25(tf: int, dl: int, avgdl: float, *, n: int, df: int, boost: float = 1.0) -> float:
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return boost * idf * tf / (tf + K1 * (1 - B + B * dl / avgdl))


def _plain_schema() -> heron.Schema:
    simple = heron.analysis.SimpleAnalyzer()
    return heron.Schema(
        id=heron.ID(stored=True),
        title=heron.TEXT(analyzer=simple, boost=2.0),
        body=heron.TEXT(analyzer=simple),
    )


DOCS = [
    {"id": "d0", "title": "cat", "body": "the cat sat on the mat"},
    {"id": "d1", "title": "dog", "body": "the dog chased the cat and the cat ran"},
    {"id": "d2", "body": "a bird sang"},
    {"id": "d3", "title": "cat cat", "body": "dogs and birds"},
]


def test_scores_match_hand_computation(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", _plain_schema())
    with ix.writer() as w:
        w.add_documents(DOCS)
    body_len = [6, 9, 3, 3]
    title_len = [1, 1, 0, 2]
    avg_body = sum(body_len) / 4
    avg_title = sum(title_len) / 3  # d2 has no title: N and avgdl count documents with the field
    expected = {
        "d0": (_bm25(1, 6, avg_body, n=4, df=2)
               + _bm25(1, 1, avg_title, n=3, df=2, boost=2.0)),
        "d1": _bm25(2, 9, avg_body, n=4, df=2),
        "d3": _bm25(2, 2, avg_title, n=3, df=2, boost=2.0),
    }
    with ix.searcher() as s:
        res = s.search("cat")
        got = {h["id"]: h.score for h in res}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12)
    assert list(got) == sorted(expected, key=expected.__getitem__, reverse=True)


def test_repeated_query_word_counts_each_time(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", _plain_schema())
    with ix.writer() as w:
        w.add_documents(DOCS)
    with ix.searcher() as s:
        once = {h["id"]: h.score for h in s.search("cat dog", fields=["body"])}
        twice = {h["id"]: h.score for h in s.search("cat cat dog", fields=["body"])}
    cat_d1 = _bm25(2, 9, 21 / 4, n=4, df=2)
    assert twice["d1"] == pytest.approx(once["d1"] + cat_d1, rel=1e-12)
    assert twice["d0"] == pytest.approx(2 * once["d0"], rel=1e-12)


def _random_docs(seed: int, count: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(40)]
    return [
        {"id": f"d{i}", "title": " ".join(rng.choices(vocab, k=rng.randint(0, 4))),
         "body": " ".join(rng.choices(vocab, k=rng.randint(1, 30)))}
        for i in range(count)
    ]


def _scores(ix: heron.Index, query: str) -> dict[str, float]:
    with ix.searcher() as s:
        return {h["id"]: h.score for h in s.search(query, limit=None)}


def test_scores_do_not_depend_on_segmentation(tmp_path: Path) -> None:
    docs = _random_docs(7, 300)
    one = heron.create_index(tmp_path / "one", _plain_schema())
    with one.writer() as w:
        w.add_documents(docs)
    many = heron.create_index(tmp_path / "many", _plain_schema())
    for start in range(0, 300, 15):  # twenty commits, twenty segments
        with many.writer(merge=False) as w:
            w.add_documents(docs[start : start + 15])
    with many.searcher() as s:
        assert len(s.reader.segments) == 20
    for query in ("w1", "w2 w3 w5", "title:w7 body:w7 w8", "w0 w0 w39"):
        a, b = _scores(one, query), _scores(many, query)
        assert a.keys() == b.keys()
        assert a, query
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-12, abs=0)


def test_results_total_offset_and_indexing(tmp_path: Path) -> None:
    docs = _random_docs(3, 120)
    ix = heron.create_index(tmp_path / "ix", _plain_schema())
    with ix.writer() as w:
        w.add_documents(docs)
    with ix.searcher() as s:
        everything = s.search("w4 w9", limit=None)
        page = s.search("w4 w9", limit=5, offset=10)
    assert page.total == everything.total > 15
    assert [h.docnum for h in page] == [h.docnum for h in everything][10:15]
    assert [h.rank for h in page] == [11, 12, 13, 14, 15]
    assert page[0].docnum == everything[10].docnum
    assert len(page) == 5
