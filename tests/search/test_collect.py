"""Collecting the top k: the sampled search for the k-th best score gives the indices that
sorting every entry gives, ties broken by document number."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.query import Matches
from heron.search._collect import SAMPLE, SAMPLE_FROM, collect, top_indices


def _sorted_top(scores: npt.NDArray[np.float64], docs: npt.NDArray[np.int64], k: int
                ) -> list[int]:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], docs[i]))
    return order[:k]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3 * SAMPLE_FROM),
       k=st.integers(0, SAMPLE + 10), distinct=st.integers(1, 50_000),
       skew=st.booleans())
def test_top_indices_equal_a_full_sort(seed: int, n: int, k: int, distinct: int,
                                       skew: bool) -> None:
    rng = np.random.default_rng(seed)
    # few distinct values give many ties at the k-th score; skew puts the best at the end
    scores = rng.integers(0, distinct, n).astype(np.float64) / 7.0
    if skew:
        scores = np.sort(scores)
    docs = rng.permutation(n).astype(np.int64)
    got = top_indices(scores, docs, k).tolist()
    assert got == _sorted_top(scores, docs, k)


def test_top_indices_large_collections_take_the_sampled_path() -> None:
    rng = np.random.default_rng(3)
    n = 4 * SAMPLE_FROM
    scores = rng.random(n)
    scores[rng.choice(n, 30, replace=False)] = 9.0  # thirty tied at the top
    docs = np.arange(n, dtype=np.int64)
    for k in (1, 10, 29, 30, 31, 100):
        assert top_indices(scores, docs, k).tolist() == _sorted_top(scores, docs, k)
    minus = -np.abs(scores)  # every score negative
    assert top_indices(minus, docs, 10).tolist() == _sorted_top(minus, docs, 10)
    with_inf = np.full(n, -np.inf)
    with_inf[[5, 700, 9000]] = [1.0, 2.0, 1.0]  # the sample's 5th best is -inf: the full path
    assert top_indices(with_inf, docs, 5).tolist() == _sorted_top(with_inf, docs, 5)


def test_collect_merges_segments() -> None:
    rng = np.random.default_rng(5)
    parts = []
    for size in (SAMPLE_FROM * 2, 10, 3000):
        docs = np.sort(rng.choice(size * 3, size, replace=False)).astype(np.int64)
        parts.append(Matches(docs, rng.integers(0, 40, size).astype(np.float64)))
    bases = [0, 100_000, 200_000]
    total, docs, scores = collect(zip(bases, parts, strict=True), 25)
    every_doc = np.concatenate([p.docs + b for b, p in zip(bases, parts, strict=True)])
    every_score = np.concatenate([p.scores for p in parts])
    best = _sorted_top(every_score, every_doc, 25)
    assert total == sum(len(p) for p in parts)
    assert docs.tolist() == every_doc[best].tolist()
    assert scores.tolist() == every_score[best].tolist()
