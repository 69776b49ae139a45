"""Collapsing: keep at most ``limit`` hits per value of a field, the best first.

Ranking comes first (by score, or by the sort keys), then each value keeps its best
``limit`` documents; documents without a value are all kept. A document with several
values (a KEYWORD list) is keyed by its first value in term order, as sorting does.

Each segment first drops what cannot survive (beyond its own best ``limit`` per
value), so the merge across segments sees few candidates; the survivors are then
ranked together and collapsed once more with keys shared by every segment.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import define, field

from heron.errors import ArgumentError, ArgumentTypeError
from heron.index import SegmentReader
from heron.query import Matches
from heron.schema import Schema
from heron.search._facets import check_facet_field
from heron.search._sorting import SortKey, segment_top

#: the key of documents that have no value: never collapsed
MISSING = -1


def check_collapse(schema: Schema, name: str, limit: int) -> None:
    """Raise unless ``name`` is a field hits can be collapsed on and ``limit`` is usable."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ArgumentTypeError(f"collapse_limit is an int, got {limit!r}")
    if limit < 1:
        raise ArgumentError(f"collapse_limit must be at least 1, got {limit}")
    check_facet_field(schema, name)


def segment_keys(segment: SegmentReader, name: str, docs: npt.NDArray[np.int64],
                 table: dict[Any, int]) -> npt.NDArray[np.int64]:
    """A key number per document (``MISSING`` without a value), the same in every segment.

    ``table`` maps values (term text, or raw column entries) to key numbers and grows
    with each new value; only distinct values go through Python.
    """
    keys = np.full(len(docs), MISSING, dtype=np.int64)
    if not len(docs):
        return keys
    forward = segment.forward(name)
    if forward is not None:
        offsets, terms = forward
        present = offsets[docs + 1] > offsets[docs]
        if not present.any():
            return keys
        ordinals = terms[offsets[docs[present]]]  # a document's terms are in term order
        first, _ = segment.terms.field_range(name)
        uniq, inverse = np.unique(ordinals, return_inverse=True)
        values = [segment.terms.term(first + int(o)) for o in uniq.tolist()]
    else:
        column = segment.column(name)
        if column is None:
            return keys
        raw, mask = column
        present = mask[docs]
        uniq, inverse = np.unique(raw[docs[present]], return_inverse=True)
        values = uniq.tolist()
    numbers = np.asarray([table.setdefault(v, len(table)) for v in values], dtype=np.int64)
    keys[present] = numbers[inverse.reshape(-1)]
    return keys


def keep_best(keys: npt.NDArray[np.int64], limit: int) -> npt.NDArray[np.bool_]:
    """Which entries of ``keys`` (in rank order) are among the first ``limit`` of their key.

    >>> keep_best(np.array([3, 3, -1, 3, 5, -1]), 2).tolist()
    [True, True, True, False, True, True]
    """
    n = len(keys)
    if not n:
        return np.zeros(0, dtype=bool)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    first = np.ones(n, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    run_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    keep_sorted = (np.arange(n) - run_start < limit) | (ordered == MISSING)
    keep = np.empty(n, dtype=bool)
    keep[order] = keep_sorted
    return keep


def collapse_segment(found: Matches, keys: npt.NDArray[np.int64],
                     rank: npt.NDArray[np.int64], limit: int
                     ) -> tuple[Matches, npt.NDArray[np.int64]]:
    """The matches of one segment that may survive collapsing, and their keys.

    ``rank`` is the segment's order of ``found`` (best first).
    """
    survivors = np.sort(rank[keep_best(keys[rank], limit)])
    return Matches(found.docs[survivors], found.scores[survivors]), keys[survivors]


def collapse_ranked(docs: npt.NDArray[np.int64], scores: npt.NDArray[np.float64],
                    keyed: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]],
                    limit: int, k: int | None
                    ) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Ranked global ``docs`` (and scores) collapsed: how many remain, and the first ``k``.

    ``keyed`` holds each segment's surviving global documents (ascending, segments in
    order) with their keys.
    """
    if not keyed:
        return 0, docs, scores
    all_docs = np.concatenate([d for d, _ in keyed])
    all_keys = np.concatenate([c for _, c in keyed])
    keep = keep_best(all_keys[np.searchsorted(all_docs, docs)], limit)
    docs, scores = docs[keep], scores[keep]
    return len(docs), docs[:k], scores[:k]


@define
class Collapser:
    """Collapses one search: segment by segment, then once over the merged ranking."""

    name: str
    limit: int
    sort: list[SortKey] | None = None
    #: key numbers of the values seen so far, shared by every segment
    _table: dict[Any, int] = field(factory=dict)
    _keyed: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = field(factory=list)

    def segment(self, segment: SegmentReader, found: Matches, base: int) -> Matches:
        """The matches of a segment that may survive collapsing."""
        rank = (np.lexsort((found.docs, -found.scores)) if self.sort is None
                else segment_top(segment, found, self.sort, len(found)))
        keys = segment_keys(segment, self.name, found.docs, self._table)
        found, kept_keys = collapse_segment(found, keys, rank, self.limit)
        self._keyed.append((found.docs + base, kept_keys))
        return found

    def finish(self, docs: npt.NDArray[np.int64], scores: npt.NDArray[np.float64],
               k: int | None) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The ranked survivors collapsed: how many remain, and the first ``k``."""
        return collapse_ranked(docs, scores, self._keyed, self.limit, k)
