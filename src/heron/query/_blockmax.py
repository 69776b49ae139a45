"""The best k of an OR of terms on one segment without scoring every posting (block-max).

A term's postings come in blocks of 128, each with a bound on its scores from the
term's scorer (:meth:`~heron.scoring.TermScorer.upper_bound` of the block's largest
frequency in its shortest field; see :mod:`heron.index._blocks`); it applies only when
every term's scorer offers bounds. Documents are grouped in windows
of 512; a window's bound is the sum over the terms of the best bound of their blocks
that overlap it. The windows of highest bounds are scored first, for a first k-th best
score ``theta``; then, per window, the terms of lowest bounds whose bounds add up to
less than ``theta`` are left out (MaxScore), and only the other terms' blocks that overlap
the remaining windows are read (Ding and Suel's block-max idea, done a window at a time
with numpy rather than a document at a time). When that would still read a quarter of
the postings, everything is scored as usual. Candidates are scored exactly, every
term looked up for all of them at once (``searchsorted``), and their scores add up in
the order :func:`~heron.query._matches.union` adds them (first clause to last, whichever
kernels), so the top k and its scores equal the exhaustive ones bit for bit. Every
matching document is still counted (a bitmap, no scoring), so totals stay exact.

The searcher uses it only when asked (``Searcher.prune``): at news x16 it measured no
quicker than scoring every posting (benchmarks/RESULTS.md, issue #13).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import define

from heron.index import SegmentReader
from heron.index._arrays import concat_ranges
from heron.index._blocks import Blocks, term_blocks
from heron.query._base import _OrWeight, match_each
from heron.query._matches import Matches, union
from heron.query._term import TermWeight
from heron.query._weight import Weight

#: below this many postings in all, scoring them all is quicker than pruning (a pruned
#: search costs some 60 numpy calls whatever the lists' lengths)
SMALL = 1 << 16
#: windows of documents bounded together: 512 documents
SHIFT = 9
#: windows scored first, for a first k-th best score
FIRST_WINDOWS = 8
#: relative slack on a sum of bounds, against rounding in the sums of scores
SLACK = 1e-9

_NONE = np.zeros(0, dtype=np.uint32)

_Postings = tuple[TermWeight, int, npt.NDArray[Any], npt.NDArray[Any]]
_Span = tuple[Blocks, npt.NDArray[np.int64], npt.NDArray[np.int64]]


SegmentMatch = Callable[[SegmentReader], tuple[Matches, "npt.NDArray[np.int64] | None"]]


def segment_matcher(weight: Weight, k: int | None) -> SegmentMatch:
    """A function matching one segment: its matches and, when only the best ``k`` of them
    were scored (an OR of terms), every matching document apart (None: all were scored).

    ``k`` None: every match is needed with its score.
    """
    pruner = None if k is None else top_terms(weight, k)
    if pruner is None:
        return lambda segment: (weight.match(segment), None)
    return pruner.match


def top_terms(weight: Weight, k: int, *, small: int = SMALL, shift: int = SHIFT
              ) -> TopTerms | None:
    """A pruning matcher for ``weight`` when it is an OR of terms (or one term) whose
    scorers all offer upper bounds; None otherwise (then score exhaustively)."""
    if isinstance(weight, TermWeight):
        terms = [weight]
    elif isinstance(weight, _OrWeight) and weight.expired is None and weight.weights and all(
            isinstance(w, TermWeight) for w in weight.weights):
        terms = [w for w in weight.weights if isinstance(w, TermWeight)]
    else:
        return None
    if k < 1 or any(t.context is not terms[0].context for t in terms):
        return None
    if any(t.scorer.upper_bound(1, None) is None or t.scorer.upper_bound(1, 1) is None
           for t in terms):
        return None
    return TopTerms(terms, k, small, shift)


@define
class TopTerms:
    """An OR of term weights that finds a segment's best ``k`` without scoring every posting."""

    terms: list[TermWeight]
    k: int
    #: fewer postings than this in all: score them all
    small: int = SMALL
    #: windows of ``1 << shift`` documents
    shift: int = SHIFT

    def match(self, segment: SegmentReader) -> tuple[Matches, npt.NDArray[np.int64]]:
        """Matches that hold the segment's best ``k`` (with their exact scores), and every
        live matching document (ascending)."""
        clauses: list[_Postings] = []
        for w in self.terms:
            number = w.numbers.get(segment.name, -1)
            docs, freqs = segment.postings(number) if number >= 0 else (_NONE, _NONE)
            clauses.append((w, number, docs, freqs))
        if sum(len(c[2]) for c in clauses) <= self.small:
            every_match = self._exhaustive(segment)
            return every_match, every_match.docs
        every = _every(segment, clauses)
        if len(every) <= self.k:
            return self._exhaustive(segment), every
        window_bounds = self._window_bounds(segment, clauses)
        if window_bounds is None:  # some block has no bound
            return self._exhaustive(segment), every
        bounds, spans = window_bounds
        windows = bounds.shape[1]
        best = np.argsort(-bounds.sum(axis=0), kind="stable")
        done = np.zeros(windows, dtype=bool)
        found: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
        take = FIRST_WINDOWS
        while True:  # the windows of highest bounds until they hold k matches
            chosen = np.zeros(windows, dtype=bool)
            chosen[best[:take]] = True
            chosen &= ~done
            done |= chosen
            cands = _candidates(segment, clauses, spans, np.broadcast_to(chosen, bounds.shape),
                                self.shift)
            found.append((cands, _scores(segment, clauses, cands)))
            if sum(len(d) for d, _ in found) >= self.k or take >= windows:
                break
            take *= 4
        scored = np.concatenate([s for _, s in found])
        theta = float(np.partition(scored, -self.k)[-self.k])
        essential = _essential(bounds, theta) & ~done
        if _postings_in(spans, essential) * 4 > sum(len(c[2]) for c in clauses):
            return self._exhaustive(segment), every  # too little to skip: scoring all is quicker
        if essential.any():
            cands = _candidates(segment, clauses, spans, essential, self.shift)
            found.append((cands, _scores(segment, clauses, cands)))
        cands = np.concatenate([d for d, _ in found])
        order = np.argsort(cands)
        return Matches(cands[order], np.concatenate([s for _, s in found])[order]), every

    def _window_bounds(self, segment: SegmentReader, clauses: Sequence[_Postings]
                       ) -> tuple[npt.NDArray[np.float64], list[_Span | None]] | None:
        """Per clause and window of documents, the best bound of the clause's blocks that
        overlap the window (0: none), and each clause's blocks with the windows they span;
        None if a scorer offers no bound for some block."""
        windows = (segment.doc_count >> self.shift) + 1
        bounds = np.zeros((len(clauses), windows), dtype=np.float64)
        spans: list[_Span | None] = []
        for i, (w, number, docs, _) in enumerate(clauses):
            if not len(docs):
                spans.append(None)
                continue
            blocks = term_blocks(segment, number, w.field)
            ub = block_bounds(w, blocks)
            if ub is None:
                return None
            low, high = blocks.first_doc >> self.shift, blocks.last_doc >> self.shift
            np.maximum.at(bounds[i], concat_ranges(low, high - low + 1),
                          np.repeat(ub, high - low + 1))
            spans.append((blocks, low, high))
        return bounds, spans

    def _exhaustive(self, segment: SegmentReader) -> Matches:
        return union(match_each(self.terms, segment), segment.doc_count)


def block_bounds(term: TermWeight, blocks: Blocks) -> npt.NDArray[np.float64] | None:
    """Per block, the term scorer's bound on its scores (each distinct pair of largest
    frequency and shortest length asked once); None if it offers none for some block."""
    lengths = blocks.min_length
    pairs = np.stack((blocks.max_freq, np.zeros_like(blocks.max_freq) if lengths is None
                      else lengths))
    unique, back = np.unique(pairs, axis=1, return_inverse=True)
    ubs = np.empty(unique.shape[1], dtype=np.float64)
    for i, (freq, length) in enumerate(unique.T.tolist()):
        ub = term.scorer.upper_bound(int(freq), None if lengths is None else int(length))
        if ub is None:
            return None
        ubs[i] = ub
    return ubs[back.reshape(-1)]


def _essential(bounds: npt.NDArray[np.float64], theta: float) -> npt.NDArray[np.bool_]:
    """Per clause and window, whether the clause's documents there must be scored: not
    when the clause is among those of lowest bounds in the window whose bounds add up to
    less than ``theta`` (a document of those alone cannot reach the top k: MaxScore)."""
    order = np.argsort(bounds, axis=0, kind="stable")
    running = np.cumsum(np.take_along_axis(bounds, order, axis=0), axis=0)
    lesser = np.empty_like(bounds, dtype=bool)
    np.put_along_axis(lesser, order, running * (1 + SLACK) < theta, axis=0)
    return ~lesser & (bounds > 0)


def _postings_in(spans: Sequence[_Span | None], chosen: npt.NDArray[np.bool_]) -> int:
    """How many postings the blocks overlapping each clause's chosen windows hold."""
    total = 0
    for span, mine in zip(spans, chosen, strict=True):
        if span is not None and mine.any():
            blocks, low, high = span
            before = np.zeros(len(mine) + 1, dtype=np.int64)
            np.cumsum(mine, out=before[1:])
            pick = before[high + 1] - before[low] > 0
            total += int((blocks.ends - blocks.starts)[pick].sum())
    return total


def _candidates(segment: SegmentReader, clauses: Sequence[_Postings],
                spans: Sequence[_Span | None], chosen: npt.NDArray[np.bool_], shift: int
                ) -> npt.NDArray[np.int64]:
    """The live documents that some clause matches in a window chosen for it (a row of
    ``chosen`` per clause), ascending; only the blocks that overlap those windows are read."""
    mark = np.zeros(segment.doc_count, dtype=bool)
    for (_, _, docs, _), span, mine in zip(clauses, spans, chosen, strict=True):
        if span is None or not mine.any():
            continue
        blocks, low, high = span
        before = np.zeros(len(mine) + 1, dtype=np.int64)
        np.cumsum(mine, out=before[1:])
        pick = before[high + 1] - before[low] > 0
        if not pick.any():
            continue
        found = docs[concat_ranges(blocks.starts[pick], (blocks.ends - blocks.starts)[pick])]
        mark[found[mine[found >> shift]]] = True
    if segment.deleted is not None:
        mark &= ~segment.deleted
    return np.flatnonzero(mark)


def _every(segment: SegmentReader, clauses: Sequence[_Postings]) -> npt.NDArray[np.int64]:
    """Every live document some clause matches, ascending (marked in a bitmap, not scored)."""
    hit = np.zeros(segment.doc_count, dtype=bool)
    for _, _, docs, _ in clauses:
        hit[docs] = True
    if segment.deleted is not None:
        hit &= ~segment.deleted
    return np.flatnonzero(hit)


def _scores(segment: SegmentReader, clauses: Sequence[_Postings],
            candidates: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Exact scores of ``candidates`` (live, ascending), summed as :func:`union` sums them:
    in clause order, first to last (``0 + s1 + s2 ...``)."""
    acc = np.zeros(len(candidates), dtype=np.float64)
    for w, _, docs, freqs in clauses:
        if not len(docs):
            continue
        at = np.searchsorted(docs, candidates)
        at[at == len(docs)] = 0
        inside = np.flatnonzero(docs[at] == candidates)
        if len(inside):
            at = at[inside]
            acc[inside] += w.scores(segment, docs[at], freqs[at])
    return acc
