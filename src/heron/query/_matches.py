"""Matching documents of one segment with their scores, and the set operations on them.

Every query's weight returns :class:`Matches`: segment-local document numbers,
ascending and unique, with their scores, as numpy arrays. Unions, intersections and
differences work on whole arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron._kernels import active
from heron._kernels._numpy import grouped as grouped_arrays
from heron._kernels._numpy import member
from heron.index import SegmentReader

_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


@frozen
class Matches:
    """Matching documents of one segment (ascending, unique) and their scores."""

    docs: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]

    @classmethod
    def empty(cls) -> Matches:
        """No match."""
        return cls(_EMPTY_DOCS, _EMPTY_SCORES)

    def __len__(self) -> int:
        return len(self.docs)


def live(segment: SegmentReader, docs: npt.NDArray[Any]) -> npt.NDArray[np.bool_] | None:
    """Mask of the documents that are not deleted, or None if the segment has no deletions."""
    deleted = segment.deleted
    return None if deleted is None else ~deleted[docs]


def union(parts: Sequence[Matches], size: int) -> Matches:
    """Documents in any part, scores summed in the parts' order (``size``: the segment's
    documents)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    docs, scores = active(size).union([p.docs for p in parts], [p.scores for p in parts], size)
    return Matches(docs, scores)


def grouped(parts: Sequence[Matches]
            ) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """The parts' documents and scores together, sorted by document (stably, so a
    document's scores keep the parts' order), and where each document's run starts."""
    return grouped_arrays([p.docs for p in parts], [p.scores for p in parts])


def intersection(parts: Sequence[Matches], size: int) -> Matches:
    """Documents in every part, scores summed (shortest parts first; ``size``: the
    segment's documents)."""
    if not parts:
        return Matches.empty()
    ordered = sorted(parts, key=len)
    docs, scores = ordered[0].docs, ordered[0].scores
    kernels = active(size)
    for p in ordered[1:]:
        if not len(docs):
            break
        docs, scores = kernels.intersect(docs, scores, p.docs, p.scores)
    return Matches(docs, scores)


def difference(base: Matches, remove: Matches) -> Matches:
    """Documents of ``base`` not in ``remove``, with ``base``'s scores."""
    if not len(remove) or not len(base):
        return base
    if len(remove) >= len(base):
        keep = ~member(base.docs, remove.docs)
    else:  # look the few removed up in the many (all documents, for a lone ``-word``)
        at = np.searchsorted(base.docs, remove.docs)
        inside = at < len(base.docs)
        at = at[inside]
        keep = np.ones(len(base.docs), dtype=bool)
        keep[at[base.docs[at] == remove.docs[inside]]] = False
    return Matches(base.docs[keep], base.scores[keep])


def every(segment: SegmentReader, score: float) -> Matches:
    """All live documents of a segment with a constant score."""
    docs = np.arange(segment.doc_count, dtype=np.int64)
    mask = live(segment, docs)
    if mask is not None:
        docs = docs[mask]
    return Matches(docs, np.full(len(docs), score, dtype=np.float64))
