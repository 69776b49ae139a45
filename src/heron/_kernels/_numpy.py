"""The kernels in numpy: whole-array operations, the reference for the compiled ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from heron._kernels._group import Grouped
from heron._kernels._types import Docs, Kernels, Postings, Scores, Scratch

#: past this many entries (and a sample of them longer than k), the k-th best score is
#: looked for among the entries at least as good as the k-th best of a strided sample
SAMPLE_FROM = 8192
#: the size of that sample
SAMPLE = 2048
#: ``np.add.reduceat`` adds a run of this many or more otherwise than first to last: the
#: first entry to the sum of the others (pairwise from nine on)
NOT_IN_ORDER_FROM = 3


def bm25(weight: float, freqs: npt.NDArray[Any], norms: Scores, docs: npt.NDArray[Any]
         ) -> Scores:
    """BM25 of postings: ``weight * f / (f + norms[doc])`` (``norms``: the length part)."""
    tf = freqs.astype(np.float64)
    scores: Scores = weight * tf / (tf + norms[docs])
    return scores


def union(docs: Sequence[npt.NDArray[Any]], scores: Sequence[Scores], size: int
          ) -> tuple[Docs, Scores]:
    """Documents in any part, scores summed in the parts' order (dense when the parts
    cover much of the segment's ``size`` documents, else by a stable sort)."""
    total = sum(len(d) for d in docs)
    if total * 8 >= size:
        acc = np.zeros(size, dtype=np.float64)
        hit = np.zeros(size, dtype=bool)
        marked: set[int] = set()
        for d, s in zip(docs, scores, strict=True):  # in order: the scores add up as always
            if len(d) == size:  # every document (ascending, unique): no indexing
                acc += s
            else:
                acc[d] += s
            if id(d) not in marked:  # a part repeated (a shared weight) is marked once
                marked.add(id(d))
                hit[d] = True
        found = np.flatnonzero(hit)
        return found, acc[found]
    all_docs, all_scores, starts = grouped(docs, scores)
    return all_docs[starts].astype(np.int64, copy=False), run_sums(all_scores, starts)


def run_sums(scores: Scores, starts: npt.NDArray[np.intp]) -> Scores:
    """The sum of each run of ``scores`` (runs begin at ``starts``), added first to last,
    as the dense path and the compiled kernels add (``np.add.reduceat`` computes ``s0 +
    (s1 + s2 ...)`` for a run of three or more, which rounds otherwise)."""
    if not len(starts):
        return scores[:0].copy()
    sums: Scores = np.add.reduceat(scores, starts)  # right for runs of one and two
    lengths = np.diff(starts, append=len(scores))
    longer = np.flatnonzero(lengths >= NOT_IN_ORDER_FROM)
    if len(longer):  # the longest runs first: those still going are a prefix at each step
        longer = longer[np.argsort(-lengths[longer], kind="stable")]
        first, count = starts[longer], lengths[longer]
        acc = scores[first] + scores[first + 1]
        going = len(longer)
        for step in range(2, int(count[0])):
            going = int(np.searchsorted(-count, -step, side="left"))
            acc[:going] += scores[first[:going] + step]
        sums[longer] = acc
    return sums


def grouped(docs: Sequence[npt.NDArray[Any]], scores: Sequence[Scores]
            ) -> tuple[npt.NDArray[Any], Scores, npt.NDArray[np.intp]]:
    """The parts' documents and scores together, sorted by document (stably, so a
    document's scores keep the parts' order), and where each document's run starts."""
    all_docs = np.concatenate(docs)
    all_scores = np.concatenate(scores)
    order = np.argsort(all_docs, kind="stable")
    all_docs, all_scores = all_docs[order], all_scores[order]
    first = np.ones(len(all_docs), dtype=bool)
    first[1:] = all_docs[1:] != all_docs[:-1]
    return all_docs, all_scores, np.flatnonzero(first)


def _at_least_kth(scores: Scores, k: int) -> npt.NDArray[np.intp]:
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


def top_k(scores: Scores, docs: npt.NDArray[Any], k: int) -> npt.NDArray[np.int64]:
    """Indices of the ``k`` best entries, best first (higher score, then lower doc)."""
    n = len(scores)
    if k <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    # keep every entry tied with the k-th score so ties break by document number
    candidates = _at_least_kth(scores, k) if k < n else np.arange(n)
    if len(candidates) < min(k, n) or (k >= n and np.isnan(scores).any()):
        # a score that is no number (sorted as the largest) took places: leave them out
        real = np.flatnonzero(~np.isnan(scores))
        return real[top_k(scores[real], docs[real], k)]
    order = np.lexsort((docs[candidates], -scores[candidates]))
    return candidates[order[:k]].astype(np.int64)


def score_or(postings: Sequence[Postings], size: int, deleted: npt.NDArray[np.bool_] | None,
             scratch: Scratch | None = None) -> tuple[Docs, Scores]:
    """BM25 of each term's live postings, then their :func:`union` (``scratch`` unused)."""
    docs_parts, score_parts = [], []
    for stored, stored_freqs, norms, weight in postings:
        docs = stored.astype(np.int64)  # numpy indexes with int64 arrays 2-3x quicker
        freqs = stored_freqs
        if deleted is not None:
            live = ~deleted[docs]
            docs, freqs = docs[live], freqs[live]
        if len(docs):
            docs_parts.append(docs)
            score_parts.append(bm25(weight, freqs, norms, docs))
    if not docs_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    if len(docs_parts) == 1:
        return docs_parts[0], score_parts[0]
    return union(docs_parts, score_parts, size)


def member(docs: npt.NDArray[Any], within: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Mask of the entries of sorted ``docs`` that also occur in sorted ``within``."""
    found = np.zeros(len(docs), dtype=bool)
    if not len(within) or not len(docs):
        return found
    idx = np.searchsorted(within, docs)
    if idx[-1] == len(within):  # the entries past ``within``'s last are in it no more
        idx = idx[: idx.searchsorted(len(within))]
    found[: len(idx)] = within[idx] == docs[: len(idx)]
    return found


def intersect(docs: Docs, scores: Scores, other: npt.NDArray[Any], other_scores: Scores
              ) -> tuple[Docs, Scores]:
    """The documents of ``docs`` also in ``other`` (both ascending), each score plus the
    other's (in that order)."""
    keep = member(docs, other)
    docs, scores = docs[keep], scores[keep]
    return (docs.astype(np.int64, copy=False),
            scores + other_scores[np.searchsorted(other, docs)])


def distinct(docs: npt.NDArray[Any], size: int, deleted: npt.NDArray[np.bool_] | None
             ) -> Docs:
    """The live documents among ``docs``, each once, ascending (a bitmap of the segment's
    ``size`` documents when they are many, else a sort)."""
    if len(docs) * 8 >= size:
        hit = np.zeros(size, dtype=bool)
        hit[docs] = True
        if deleted is not None:
            hit &= ~deleted
        return np.flatnonzero(hit)
    found: Docs = np.unique(docs).astype(np.int64)
    if deleted is not None:
        found = found[~deleted[found]]
    return found


def group_by_term(ids: list[npt.NDArray[np.int32]], docs: list[npt.NDArray[np.int32]],
                  positions: list[npt.NDArray[np.int32]] | None, rank: npt.NDArray[np.int32],
                  counts: npt.NDArray[np.int64]) -> Grouped:
    """A new segment's buffered tokens grouped by term with one stable sort (see
    :func:`heron._kernels._group.group_by_term`; ``counts`` is not needed here). The
    batch lists are emptied, each as soon as it is concatenated."""
    del counts
    term_ids = rank[np.concatenate(ids)]
    ids.clear()
    term_ids, sort = _sort_by_term(term_ids)
    doc_ids = np.concatenate(docs)
    docs.clear()
    doc_ids = doc_ids[sort]
    places = None
    if positions:
        places = np.concatenate(positions)
        positions.clear()
        places = places[sort]
    del sort
    new_pair = np.ones(len(term_ids), dtype=bool)
    new_pair[1:] = (term_ids[1:] != term_ids[:-1]) | (doc_ids[1:] != doc_ids[:-1])
    starts = np.flatnonzero(new_pair)
    del new_pair
    freqs = np.diff(starts, append=len(term_ids)).astype(np.int32)
    return term_ids[starts], doc_ids[starts], freqs, places


def _sort_by_term(ids: npt.NDArray[np.int32]
                  ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """Term numbers sorted, and the stable order that sorts them.

    Each term number is packed above its token's index into one 64-bit key and the
    keys sorted in place: the same order as a stable argsort, in half the memory.
    """
    keys = ids.astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= np.arange(len(ids), dtype=np.uint64)
    keys.sort()
    sorted_ids = (keys >> np.uint64(32)).astype(np.int32)
    keys &= np.uint64(0xFFFFFFFF)
    return sorted_ids, keys.view(np.int64)


NUMPY = Kernels("numpy", bm25, union, top_k, score_or, distinct, intersect,
                group_by_term=group_by_term)
