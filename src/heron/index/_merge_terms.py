"""The merged term dictionary and postings of a merge, a bounded chunk at a time.

Each segment's terms of a field are sorted, and its map into the merged (united)
terms is monotonic, so any run of consecutive merged terms comes from a contiguous
range of each segment's terms, postings and positions. :func:`field_chunks` walks a
field's merged terms as a k-way merge: each step takes at most ``budget.terms`` terms
of every segment, up to the smallest of the terms each segment would reach next, so no
list of all terms is ever built. :func:`pair_chunks` splits such a run further so that
the postings and positions gathered at once stay within the budget, and
:func:`gather_pairs` gathers one run's live (term, document) pairs in merged order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.index._arrays import concat_ranges, fixed_width, stable_order
from heron.index._format import (
    POS_DATA,
    POST_DOCS,
    POST_FREQS,
    TERMS_BLOB,
    TERMS_OFFSETS,
    TERMS_POS,
    TERMS_POST,
)
from heron.index._postings import BLOCK
from heron.index._segment_reader import SegmentReader
from heron.index._segment_stream import Pairs
from heron.index._stream import release_pages

#: bytes of working memory per (term, document) pair, position and term in a chunk
PAIR_BYTES = 96
POSITION_BYTES = 40
TERM_BYTES = 512
_UNLIMITED = 1 << 62


@frozen
class MergeBudget:
    """How much one merge chunk may gather: pairs, positions, and terms per segment."""

    pairs: int
    positions: int
    terms: int

    @classmethod
    def of_bytes(cls, nbytes: int | None) -> MergeBudget:
        """The budget for about ``nbytes`` of working memory (None: no limit, one chunk)."""
        if nbytes is None:
            return cls(_UNLIMITED, _UNLIMITED, _UNLIMITED)
        return cls(max(1, nbytes // PAIR_BYTES), max(1, nbytes // POSITION_BYTES),
                   max(1, nbytes // TERM_BYTES))


@frozen
class TermRun:
    """Consecutive merged terms of a field, and where each segment's terms fall in them.

    ``starts[s]`` is segment s's first term number in the run and ``maps[s]`` the index
    in ``terms`` of each of its terms from there on (ascending).
    """

    terms: list[bytes]
    starts: list[int]
    maps: list[npt.NDArray[np.int64]]


def _term_list(seg: SegmentReader, start: int, stop: int) -> list[bytes]:
    """The bytes of a segment's terms ``[start, stop)``."""
    if stop <= start:
        return []
    offsets = seg.raw_array(TERMS_OFFSETS)[start : stop + 1].tolist()
    base = offsets[0]
    blob = seg.raw_array(TERMS_BLOB)[base : offsets[-1]].tobytes()
    return [blob[a - base : b - base] for a, b in itertools.pairwise(offsets)]


def field_chunks(segments: Sequence[SegmentReader], field: str, per_segment: int,
                 bounds: Sequence[tuple[int, int]] | None = None) -> Iterator[TermRun]:
    """The merged terms of ``field`` in runs taking at most ``per_segment`` of each segment's
    (of its terms ``bounds[s]`` alone, if given: a range of the field's in each)."""
    cursors = []
    stops = []
    for s, seg in enumerate(segments):
        lo, hi = seg.terms.field_range(field) if bounds is None else bounds[s]
        cursors.append(lo)
        stops.append(hi)
    while any(c < s for c, s in zip(cursors, stops, strict=True)):
        pivot: bytes | None = None
        for seg, cur, stop in zip(segments, cursors, stops, strict=True):
            if cur + per_segment < stop:
                candidate = seg.terms.term_bytes(cur + per_segment)
                pivot = candidate if pivot is None else min(pivot, candidate)
        ends = [stop if pivot is None else
                max(cur, min(stop, seg.terms.lower_bound(field, pivot)))
                for seg, cur, stop in zip(segments, cursors, stops, strict=True)]
        united = _unite(segments, cursors, ends)
        if united is None:  # a long term, or one with a NUL byte: united in Python
            lists = [_term_list(seg, cur, end)
                     for seg, cur, end in zip(segments, cursors, ends, strict=True)]
            terms = sorted(set().union(*lists))
            index = {t: i for i, t in enumerate(terms)}
            maps = [np.asarray([index[t] for t in part], dtype=np.int64) for part in lists]
            united = terms, maps
        yield TermRun(united[0], list(cursors), united[1])
        cursors = ends


#: the longest term united as a fixed-width numpy string (a longer one: in Python)
TERM_WIDTH = 64


def _unite(segments: Sequence[SegmentReader], starts: Sequence[int], stops: Sequence[int]
           ) -> tuple[list[bytes], list[npt.NDArray[np.int64]]] | None:
    """The sorted union of the segments' terms ``[starts[s], stops[s])`` and, per segment,
    the index of each of its terms in it; united as numpy strings (:func:`fixed_width`),
    None if one is too long for that."""
    blobs, firsts, lengths = [], [], []
    base = 0
    for seg, start, stop in zip(segments, starts, stops, strict=True):
        offsets = seg.raw_array(TERMS_OFFSETS)[start : stop + 1].astype(np.int64)
        lo, hi = (int(offsets[0]), int(offsets[-1])) if len(offsets) else (0, 0)
        blobs.append(np.asarray(seg.raw_array(TERMS_BLOB)[lo:hi]))
        firsts.append(offsets[:-1] - lo + base)
        lengths.append(np.diff(offsets))
        base += hi - lo
    keys = fixed_width(np.concatenate(blobs), np.concatenate(firsts), np.concatenate(lengths),
                       TERM_WIDTH)
    if keys is None:
        return None
    unique, inverse = np.unique(keys, return_inverse=True)
    cuts = np.cumsum([len(part) for part in lengths])[:-1]
    return unique.tolist(), np.split(inverse.reshape(-1).astype(np.int64), cuts)


def pair_chunks(segments: Sequence[SegmentReader], run: TermRun, budget: MergeBudget
                ) -> Iterator[tuple[int, int, bool]]:
    """Split a run into runs of merged terms ``[lo, hi)`` within the pair and position budget.

    A single term larger than the budget is a run of its own, flagged True: its postings
    are to be read in pieces (:func:`term_pieces`).
    """
    n = len(run.terms)
    pairs = np.zeros(n, dtype=np.float64)
    positions = np.zeros(n, dtype=np.float64)
    for seg, start, tmap in zip(segments, run.starts, run.maps, strict=True):
        stop = start + len(tmap)
        post = seg.raw_array(TERMS_POST)[start : stop + 1]
        pos = seg.raw_array(TERMS_POS)[start : stop + 1]
        pairs += np.bincount(tmap, weights=np.diff(post), minlength=n)
        positions += np.bincount(tmap, weights=np.diff(pos), minlength=n)
    cost = np.maximum(pairs / budget.pairs, positions / budget.positions)
    cum = np.cumsum(cost)
    lo = 0
    while lo < n:
        before = float(cum[lo - 1]) if lo else 0.0
        hi = int(np.searchsorted(cum, before + 1.0, side="right"))
        hi = min(max(hi, lo + 1), n)
        yield lo, hi, hi == lo + 1 and float(cost[lo]) > 1.0
        lo = hi


def segment_range(run: TermRun, s: int, lo: int, hi: int) -> tuple[int, int]:
    """Segment ``s``'s term numbers ``[a, b)`` that map into merged terms ``[lo, hi)``."""
    tmap = run.maps[s]
    a = int(np.searchsorted(tmap, lo, side="left"))
    b = int(np.searchsorted(tmap, hi, side="left"))
    return run.starts[s] + a, run.starts[s] + b


def gather_pairs(segments: Sequence[SegmentReader], doc_maps: Sequence[npt.NDArray[np.int64]],
                 run: TermRun, lo: int, hi: int) -> Pairs:
    """The live pairs of merged terms ``[lo, hi)`` of a run, stable by term (segments in
    order, so documents stay ascending), with documents renumbered."""
    parts = []
    for s, (seg, dmap) in enumerate(zip(segments, doc_maps, strict=True)):
        a, b = segment_range(run, s, lo, hi)
        if a == b:
            continue
        post = seg.raw_array(TERMS_POST)[a : b + 1].astype(np.int64)
        pos = seg.raw_array(TERMS_POS)[a : b + 1].astype(np.int64)
        per_term = np.diff(post)
        p0, p1, q0, q1 = int(post[0]), int(post[-1]), int(pos[0]), int(pos[-1])
        terms = np.repeat(run.maps[s][a - run.starts[s] : b - run.starts[s]] - lo, per_term)
        docs = dmap[seg.docs_of_terms(a, b)]
        freqs = seg.raw_array(POST_FREQS)[p0:p1].astype(np.int64)
        pos_counts = np.where(np.repeat(np.diff(pos) > 0, per_term), freqs, 0)
        pos_starts = np.cumsum(pos_counts) - pos_counts
        positions = np.array(seg.raw_array(POS_DATA)[q0:q1])  # as stored: moved, not summed
        # from the start: pages faulted back in around a read are released too
        for name, last in ((POST_DOCS, seg.docs_end(b)), (POST_FREQS, p1), (POS_DATA, q1)):
            release_pages(seg.raw_array(name), 0, last)
        live = docs >= 0
        if not live.all():
            positions = positions[concat_ranges(pos_starts[live], pos_counts[live])]
            terms, docs, freqs, pos_counts = terms[live], docs[live], freqs[live], pos_counts[live]
        parts.append((terms, docs, freqs, pos_counts, positions))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty, empty, empty, empty)
    terms = np.concatenate([p[0] for p in parts])
    docs = np.concatenate([p[1] for p in parts])
    freqs = np.concatenate([p[2] for p in parts])
    pos_counts = np.concatenate([p[3] for p in parts])
    positions = np.concatenate([p[4] for p in parts])
    if len(parts) > 1 and hi - lo > 1:
        order = stable_order(terms)
        pos_starts = np.cumsum(pos_counts) - pos_counts
        terms, docs, freqs = terms[order], docs[order], freqs[order]
        pos_counts = pos_counts[order]
        positions = positions[concat_ranges(pos_starts[order], pos_counts)]
    return Pairs(terms, docs, freqs, pos_counts, positions)


def term_pieces(segments: Sequence[SegmentReader], doc_maps: Sequence[npt.NDArray[np.int64]],
                run: TermRun, t: int, budget: MergeBudget) -> Iterator[Pairs]:
    """The live pairs of merged term ``t`` of a run, in pieces within the budget, in order."""
    for s, (seg, dmap) in enumerate(zip(segments, doc_maps, strict=True)):
        a, b = segment_range(run, s, t, t + 1)
        if a == b:
            continue
        x, p1 = (int(v) for v in seg.raw_array(TERMS_POST)[a : a + 2])
        x0 = x
        q, q1 = (int(v) for v in seg.raw_array(TERMS_POS)[a : a + 2])
        has_pos = q1 > q
        while x < p1:
            freqs = seg.raw_array(POST_FREQS)[x : min(p1, x + budget.pairs)].astype(np.int64)
            if has_pos:  # as many pairs as the position budget takes (at least one)
                cut = int(np.searchsorted(np.cumsum(freqs), budget.positions, side="right"))
                freqs = freqs[: max(cut, 1)]
            y = x + len(freqs)
            lo, hi = (x - x0) // BLOCK, (y - x0 + BLOCK - 1) // BLOCK  # the blocks decoded
            skip = x - x0 - lo * BLOCK
            docs = dmap[seg.doc_blocks(a, lo, hi)[skip : skip + y - x]]
            pos_counts = freqs if has_pos else np.zeros(len(freqs), dtype=np.int64)
            n = int(pos_counts.sum())
            positions = np.array(seg.raw_array(POS_DATA)[q : q + n])
            for name, last in ((POST_DOCS, seg.docs_end(a)), (POST_FREQS, y), (POS_DATA, q + n)):
                release_pages(seg.raw_array(name), 0, last)
            live = docs >= 0
            if not live.all():
                starts = np.cumsum(pos_counts) - pos_counts
                positions = positions[concat_ranges(starts[live], pos_counts[live])]
                docs, freqs, pos_counts = docs[live], freqs[live], pos_counts[live]
            yield Pairs(np.zeros(len(docs), dtype=np.int64), docs, freqs, pos_counts, positions)
            x, q = y, q + n
