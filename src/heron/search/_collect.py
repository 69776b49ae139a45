"""Collecting the best hits over segments: per-segment top-k, then one merge."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from heron.query import Matches

#: past this many entries (and a sample of them longer than k), the k-th best score is
#: looked for among the entries at least as good as the k-th best of a strided sample
SAMPLE_FROM = 8192
#: the size of that sample
SAMPLE = 2048


def _at_least_kth(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Indices of the entries scoring at least the ``k``-th best score (0 < k < n)."""
    n = len(scores)
    if n >= SAMPLE_FROM and k < SAMPLE:
        # the k-th best of a sample is no better than the k-th best of all, so the entries
        # at least as good as it hold every one at least as good as the k-th best
        sample = scores[:: n // SAMPLE]
        floor = np.partition(sample, len(sample) - k)[len(sample) - k]
        if np.isfinite(floor):
            wide = np.flatnonzero(scores >= floor)
            part = scores[wide]
            kth = np.partition(part, len(part) - k)[len(part) - k]
            found: npt.NDArray[np.intp] = wide[part >= kth]
            return found
    kth = np.partition(scores, n - k)[n - k]
    return np.flatnonzero(scores >= kth)


def top_indices(scores: npt.NDArray[np.float64], docs: npt.NDArray[np.int64], k: int
                ) -> npt.NDArray[np.int64]:
    """Indices of the ``k`` best entries, best first (higher score, then lower doc)."""
    n = len(scores)
    if k <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    # keep every entry tied with the k-th score so ties break by document number
    candidates = _at_least_kth(scores, k) if k < n else np.arange(n)
    order = np.lexsort((docs[candidates], -scores[candidates]))
    return candidates[order[:k]].astype(np.int64)


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
