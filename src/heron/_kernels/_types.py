"""What a set of kernels offers: one frozen record of functions, and their scratch space."""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import define, field, frozen

from heron._kernels._group import Grouped
from heron._kernels._words import WordTable

Docs = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]
#: one term's postings to score with BM25: documents, frequencies, the length norms of
#: every document of the segment, and the weight (boost times idf)
Postings = tuple[npt.NDArray[Any], npt.NDArray[Any], Scores, float]
#: one word of a two-word phrase: its documents, frequencies, positions (every posting's,
#: one after another) and how many positions come before each block of 128 postings
PairTerm = tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[np.int64]]
#: a score per document of a segment (zeros) and a bit per document (zeros)
Buffers = tuple[Scores, npt.NDArray[np.uint64]]


@define
class Scratch:
    """Zeroed buffers for the compiled OR of terms (``score_or``), reused between searches
    (a searcher holds one): a search takes a pair and gives it back zeroed again; two at
    once get two. At most :attr:`keep` pairs are kept, each a float and a bit per
    document of the largest segment searched."""

    _free: queue.SimpleQueue[Buffers] = field(factory=queue.SimpleQueue)
    #: pairs kept at most (more are dropped when given back)
    keep: int = 4

    def take(self, size: int) -> Buffers:
        """Zeroed buffers for a segment of ``size`` documents (at least that long)."""
        try:
            acc, bits = self._free.get_nowait()
            if len(acc) >= size:
                return acc, bits
        except queue.Empty:
            pass
        return np.zeros(size, dtype=np.float64), np.zeros(size // 64 + 1, dtype=np.uint64)

    def give(self, buffers: Buffers) -> None:
        """Give back buffers that are zeroed again."""
        if self._free.qsize() < self.keep:
            self._free.put(buffers)

    def clear(self) -> None:
        """Drop the buffers kept."""
        while True:
            try:
                self._free.get_nowait()
            except queue.Empty:
                return


@frozen
class Kernels:
    """The kernels of one implementation (``name``: ``numpy`` or ``numba``)."""

    name: str
    #: ``bm25(weight, freqs, norms, docs)``: ``weight * f / (f + norms[doc])`` per posting
    bm25: Callable[[float, npt.NDArray[Any], Scores, npt.NDArray[Any]], Scores]
    #: ``union(docs, scores, size)``: the documents of any part (each sorted and unique)
    #: with their scores summed in the parts' order; ``size``: the segment's documents
    union: Callable[[Sequence[npt.NDArray[Any]], Sequence[Scores], int], tuple[Docs, Scores]]
    #: ``top_k(scores, docs, k)``: indices of the ``k`` best entries, best first (higher
    #: score, then lower document)
    top_k: Callable[[Scores, npt.NDArray[Any], int], npt.NDArray[np.int64]]
    #: ``score_or(postings, size, deleted, scratch)``: the documents of any term's
    #: postings that are not ``deleted`` (a mask or None) with their BM25 scores summed in
    #: the terms' order, as :attr:`bm25` then :attr:`union` give them
    score_or: Callable[[Sequence[Postings], int, npt.NDArray[np.bool_] | None,
                        Scratch | None], tuple[Docs, Scores]]
    #: ``distinct(docs, size, deleted)``: the documents of ``docs`` (of a segment of
    #: ``size``; any order, repeats) that are not ``deleted`` (a mask or None), ascending
    distinct: Callable[[npt.NDArray[Any], int, npt.NDArray[np.bool_] | None], Docs]
    #: ``intersect(docs, scores, other, other_scores)``: the documents of ``docs`` also in
    #: ``other`` (both ascending), each score plus the other's
    intersect: Callable[[Docs, Scores, npt.NDArray[Any], Scores], tuple[Docs, Scores]]
    #: ``group_by_term(ids, docs, positions, rank, counts)``: a new segment's buffered
    #: tokens, in batches, grouped by term (see :func:`heron._kernels._group.group_by_term`)
    group_by_term: Callable[[list[Any], list[Any], list[Any] | None, npt.NDArray[np.int32],
                             npt.NDArray[np.int64]], Grouped]
    #: ``exact_pair(first, second, delta, deleted)``: the live documents where ``second``
    #: stands ``delta`` places after ``first``, and how often (None: phrases are matched
    #: by :mod:`heron.query._phrase_match`, in numpy)
    exact_pair: Callable[[PairTerm, PairTerm, int, npt.NDArray[np.bool_] | None],
                         tuple[Docs, Docs]] | None = None
    #: ``word_table(rule)``: a new :class:`heron._kernels._words.WordTable` splitting
    #: ASCII texts by ``rule`` (None: texts are split by the tokenizer, in Python)
    word_table: Callable[[str], WordTable] | None = None
