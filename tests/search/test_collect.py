"""Collecting the top k over segments (the top-k kernels themselves: tests/_kernels)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from heron._kernels._numpy import SAMPLE_FROM
from heron.query import Matches
from heron.search._collect import collect


def _sorted_top(scores: npt.NDArray[np.float64], docs: npt.NDArray[np.int64], k: int
                ) -> list[int]:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], docs[i]))
    return order[:k]


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
