"""Collecting the best hits over segments: per-segment top-k, then one merge."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from heron._kernels import active
from heron.query import Matches


def top_indices(scores: npt.NDArray[np.float64], docs: npt.NDArray[np.int64], k: int
                ) -> npt.NDArray[np.int64]:
    """Indices of the ``k`` best entries, best first (higher score, then lower doc)."""
    return active(len(scores)).top_k(scores, docs, k)


def collect(parts: Iterable[tuple[int, Matches]], k: int
            ) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Merge per-segment matches (with their base document numbers) into the top ``k``.

    Returns the total number of matches and the best global document numbers with
    their scores, best first.
    """
    total = 0
    docs_parts: list[npt.NDArray[np.int64]] = []
    score_parts: list[npt.NDArray[np.float64]] = []
    for base, found in parts:
        total += len(found)
        best = top_indices(found.scores, found.docs, k)
        docs_parts.append(found.docs[best] + base)
        score_parts.append(found.scores[best])
    if not docs_parts:
        return 0, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    if len(docs_parts) == 1:  # already the best, in order
        return total, docs_parts[0], score_parts[0]
    docs = np.concatenate(docs_parts)
    scores = np.concatenate(score_parts)
    best = top_indices(scores, docs, k)
    return total, docs[best], scores[best]
