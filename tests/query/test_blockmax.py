"""Block-max pruning against exhaustive scoring: the same top k, the same scores, the same
matches, on random indexes (several segments, deletions) and random OR queries."""

from __future__ import annotations

import importlib.util
import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron._kernels import ENV
from heron.query import Context, Or, Term
from heron.query._blockmax import segment_matcher, top_terms
from heron.query._matches import Matches
from heron.scoring import BM25, TFIDF, Frequency, FunctionScoring, Scoring
from heron.search._collect import top_indices

WORDS = [f"w{i}" for i in range(14)]
PLAIN = heron.analysis.RegexTokenizer() | heron.analysis.LowercaseFilter()
SCHEMA = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(analyzer=PLAIN),
                      body=heron.TEXT(analyzer=PLAIN))


def _text(rng: random.Random, longest: int) -> str:
    # a skewed vocabulary, so that some terms have many blocks and others few postings
    count = rng.randint(0, longest)
    return " ".join(WORDS[min(int(rng.expovariate(0.35)), len(WORDS) - 1)] for _ in range(count))


def _build(seed: int, docs: int, parts: int, deletions: int) -> heron.Index:
    rng = random.Random(seed)
    ix = heron.create_index(Path(tempfile.mkdtemp()) / "ix", SCHEMA)
    rows = [{"id": str(i), "title": _text(rng, 4), "body": _text(rng, 30)} for i in range(docs)]
    size = -(-docs // parts)
    for start in range(0, docs, size):
        with ix.writer() as w:
            w.add_documents(rows[start:start + size])
    if deletions:
        with ix.writer() as w:
            for i in rng.sample(range(docs), deletions):
                w.delete_by_term("id", str(i))
    return ix


def _top(found: Matches, k: int) -> tuple[list[int], list[float]]:
    best = top_indices(found.scores, found.docs, k)
    return found.docs[best].tolist(), found.scores[best].tolist()


@pytest.mark.parametrize("kernels", [
    "numpy", pytest.param("numba", marks=pytest.mark.skipif(
        importlib.util.find_spec("numba") is None, reason="numba (the fast extra) is absent"))])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), docs=st.integers(150, 900), parts=st.integers(1, 3),
       deletions=st.integers(0, 60), data=st.data())
def test_pruned_top_k_equals_exhaustive(  # noqa: PLR0917 - hypothesis draws each
        kernels: str, seed: int, docs: int, parts: int, deletions: int, data: st.DataObject
) -> None:
    before = os.environ.get(ENV)
    os.environ[ENV] = kernels  # exhaustive and pruned scoring both with these kernels
    try:
        _pruned_equals_exhaustive(seed, docs, parts, deletions, data)
    finally:
        if before is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = before


def _pruned_equals_exhaustive(seed: int, docs: int, parts: int, deletions: int,
                              data: st.DataObject) -> None:
    ix = _build(seed, docs, parts, deletions)
    scoring: Scoring = data.draw(st.sampled_from([BM25(), BM25(k1=1.7, b=0.3), TFIDF(),
                                                  Frequency()]))
    with ix.searcher() as searcher:
        context = Context(searcher.reader, scoring)
        for _ in range(6):
            clauses = data.draw(st.lists(st.tuples(st.sampled_from(["title", "body"]),
                                                   st.sampled_from([*WORDS, "absent"]),
                                                   st.sampled_from([1.0, 0.5, 3.0])),
                                         min_size=1, max_size=9))
            k = data.draw(st.integers(1, 25))
            shift = data.draw(st.integers(0, 6))
            weight = Or(tuple(Term(f, t, boost=b) for f, t, b in clauses)).bind(context)
            pruner = top_terms(weight, k, small=0, shift=shift)
            assert pruner is not None
            for segment in searcher.reader.segments:
                exhaustive = weight.match(segment)
                found, every = pruner.match(segment)
                assert every.tolist() == exhaustive.docs.tolist()
                assert _top(found, k) == _top(exhaustive, k)  # documents and exact scores
                assert set(found.docs.tolist()) <= set(every.tolist())


def test_searcher_prunes_to_the_same_results(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", SCHEMA)
    rng = random.Random(7)
    with ix.writer() as w:
        w.add_documents({"id": str(i), "title": _text(rng, 4), "body": _text(rng, 40)}
                        for i in range(3000))
    with ix.searcher() as searcher:
        searcher.prune = True
        text = "w0 w1 w2 w3"
        pruned = searcher.search(text, limit=5)
        full = searcher.search(text, limit=None)
        groups = searcher.search(text, limit=5).groups("id")
    assert pruned.total == full.total == sum(len(v) for v in groups.values())
    assert [(h.docnum, h.score) for h in pruned] == [(h.docnum, h.score) for h in full][:5]


def test_other_weights_are_matched_exhaustively(tmp_path: Path) -> None:
    ix = _build(3, 300, 1, 0)
    with ix.searcher() as searcher:
        context = Context(searcher.reader, BM25())
        weight = (Term("body", "w0") & Term("body", "w1")).bind(context)
        assert top_terms(weight, 10) is None
        segment = searcher.reader.segments[0]
        found, every = segment_matcher(weight, 10)(segment)
        assert every is None
        assert found.docs.tolist() == weight.match(segment).docs.tolist()


def test_scorers_without_bounds_are_matched_exhaustively(tmp_path: Path) -> None:
    ix = _build(4, 600, 1, 20)
    scoring = FunctionScoring(lambda tf, df, length, avg, n: tf / (df + length))
    with ix.searcher(scoring) as searcher:
        weight = Or((Term("body", "w0"), Term("title", "w1"))).bind(
            Context(searcher.reader, scoring))
        assert top_terms(weight, 5, small=0) is None
        searcher.prune = True
        pruned = searcher.search("w0 w1 w2", limit=5)
        searcher.prune = False
        full = searcher.search("w0 w1 w2", limit=5)
    assert pruned.total == full.total > 5
    assert [(h.docnum, h.score) for h in pruned] == [(h.docnum, h.score) for h in full]
