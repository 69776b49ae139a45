"""Collapsing: keep at most ``limit`` hits per value of a field, the best first.

Ranking comes first (by score, or by the sort keys), then each value keeps its best
``limit`` documents; documents without a value are all kept. A document with several
values (a KEYWORD list) is keyed by its first value in term order, as sorting does.

Each segment first drops what cannot survive (beyond its own best ``limit`` per
value), so the merge across segments sees few candidates; the survivors are then
ranked together and collapsed once more with keys shared by every segment: column
values as they are, and for term fields a number per distinct term that a searcher
works out once per segment and field (:class:`KeyTables`).
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
from heron.search._collect import top_indices
from heron.search._facets import check_facet_field
from heron.search._sorting import SortKey, segment_top

Keys = tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]
"""Comparable keys of documents, and whether each document has one."""


def check_collapse(schema: Schema, name: str, limit: int) -> None:
    """Raise unless ``name`` is a field hits can be collapsed on and ``limit`` is usable."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ArgumentTypeError(f"collapse_limit is an int, got {limit!r}")
    if limit < 1:
        raise ArgumentError(f"collapse_limit must be at least 1, got {limit}")
    check_facet_field(schema, name)


@define
class KeyTables:
    """Per segment and term field, a key number for each term, the same in every segment.

    A searcher keeps one, so each (segment, field) table is read once.
    """

    _numbers: dict[str, dict[str, int]] = field(factory=dict)
    _tables: dict[tuple[str, str], npt.NDArray[np.int64]] = field(factory=dict)

    def table(self, segment: SegmentReader, name: str) -> npt.NDArray[np.int64]:
        """Key numbers of the field's terms in the segment, by field-relative ordinal."""
        found = self._tables.get((segment.name, name))
        if found is None:
            numbers = self._numbers.setdefault(name, {})
            start, stop = segment.terms.field_range(name)
            found = np.fromiter(
                (numbers.setdefault(text, len(numbers))
                 for _, text in segment.terms.iter_range(name, start, stop)),
                dtype=np.int64, count=stop - start)
            self._tables[(segment.name, name)] = found
        return found

    def clear(self) -> None:
        """Forget every table."""
        self._numbers.clear()
        self._tables.clear()


def segment_keys(segment: SegmentReader, name: str, docs: npt.NDArray[np.int64],
                 tables: KeyTables) -> Keys:
    """The collapsing key of each document and whether it has one."""
    column = segment.column(name)
    if column is not None:
        raw, mask = column
        return raw[docs], mask[docs]
    forward = segment.forward(name)
    if forward is None:
        return np.zeros(len(docs), dtype=np.int64), np.zeros(len(docs), dtype=bool)
    offsets, terms = forward
    present = offsets[docs + 1] > offsets[docs]
    first = np.where(present, offsets[docs], 0)
    keys = np.zeros(len(docs), dtype=np.int64)
    if len(terms):  # a document's terms are in term order: the first is the least
        keys = tables.table(segment, name)[terms[np.minimum(first, len(terms) - 1)]]
    return keys, present


def keep_best(keys: npt.NDArray[Any], present: npt.NDArray[np.bool_], limit: int
              ) -> npt.NDArray[np.bool_]:
    """Which entries (in rank order) are among the first ``limit`` of their key.

    Entries without a key are all kept.

    >>> keep_best(np.array([3, 3, 3, 3, 5, 3]), np.array([1, 0, 1, 1, 1, 0], bool), 2).tolist()
    [True, True, True, False, True, True]
    """
    keep = np.ones(len(keys), dtype=bool)
    where = np.flatnonzero(present)  # entries without a key must not take a key's places
    n = len(where)
    if not n:
        return keep
    order = np.argsort(keys[where], kind="stable")
    ordered = keys[where][order]
    first = np.ones(n, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    run_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    chosen = np.empty(n, dtype=bool)
    chosen[order] = np.arange(n) - run_start < limit
    keep[where] = chosen
    return keep


def count_kept(keys: npt.NDArray[Any], present: npt.NDArray[np.bool_], limit: int) -> int:
    """How many documents collapsing keeps: up to ``limit`` per key, and all without one.

    >>> count_kept(np.array([3, 3, 3, 5, 0]), np.array([1, 1, 1, 1, 0], bool), 2)
    4
    """
    _, counts = np.unique(keys[present], return_counts=True)
    return int(np.minimum(counts, limit).sum()) + int((~present).sum())


@define
class Collapser:
    """Collapses one search over its segments.

    Ranked by score, every match is kept with its key and only the best few are ranked:
    collapsing a prefix of the ranking gives a prefix of the collapsed ranking, so the
    prefix grows until it keeps enough hits. Ranked by sort keys, each segment first
    drops what cannot survive, and the merged ranking of the survivors is collapsed.
    """

    name: str
    limit: int
    sort: list[SortKey] | None
    tables: KeyTables
    _docs: list[npt.NDArray[np.int64]] = field(factory=list)
    _scores: list[npt.NDArray[np.float64]] = field(factory=list)
    _keys: list[npt.NDArray[Any]] = field(factory=list)
    _present: list[npt.NDArray[np.bool_]] = field(factory=list)

    def segment(self, segment: SegmentReader, found: Matches, base: int) -> Matches:
        """Record a segment's matches; return those that may survive collapsing."""
        keys, present = segment_keys(segment, self.name, found.docs, self.tables)
        if self.sort is not None:
            rank = segment_top(segment, found, self.sort, len(found))
            survivors = np.sort(rank[keep_best(keys[rank], present[rank], self.limit)])
            found = Matches(found.docs[survivors], found.scores[survivors])
            keys, present = keys[survivors], present[survivors]
        self._docs.append(found.docs + base)
        self._scores.append(found.scores)
        self._keys.append(keys)
        self._present.append(present)
        return found

    def _all(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any], npt.NDArray[np.bool_]]:
        if not self._docs:
            return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                    np.zeros(0, dtype=bool))
        return (np.concatenate(self._docs), np.concatenate(self._keys),
                np.concatenate(self._present))

    def collect(self, k: int | None
                ) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """By score: how many documents collapsing keeps, and the best ``k`` of them."""
        docs, keys, present = self._all()
        scores = np.concatenate(self._scores) if self._scores else np.zeros(0)
        total = count_kept(keys, present, self.limit)
        want = total if k is None else min(k, total)
        size = max(4 * want, 64)
        while True:
            top = top_indices(scores, docs, min(size, len(docs)))
            kept = top[keep_best(keys[top], present[top], self.limit)]
            if len(kept) >= want or size >= len(docs):
                kept = kept[:want]
                return total, docs[kept], scores[kept]
            size *= 4

    def finish(self, docs: npt.NDArray[np.int64], scores: npt.NDArray[np.float64],
               k: int | None) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """By sort keys: the ranked survivors (global ``docs``) collapsed, and the first ``k``."""
        all_docs, all_keys, all_present = self._all()
        where = np.searchsorted(all_docs, docs)  # segments are in order
        keep = keep_best(all_keys[where], all_present[where], self.limit)
        docs, scores = docs[keep], scores[keep]
        return len(docs), docs[:k], scores[:k]
