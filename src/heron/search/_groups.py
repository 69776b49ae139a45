"""Groups: every matching document per value of a field (Whoosh's ``groupedby``).

A search keeps its matches per segment (:class:`MatchSet`), so ``results.groups(name)``
can list them by value afterwards, while its searcher is open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import SearcherClosedError
from heron.index import SegmentReader
from heron.index._arrays import concat_ranges
from heron.search._facets import check_facet_field

if TYPE_CHECKING:
    from heron.search._searcher import Searcher


def value_runs(segment: SegmentReader, name: str, docs: npt.NDArray[np.int64]
               ) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Each (value, document) pair of ``docs`` in field ``name``, sorted by value then doc.

    Values are raw column entries for fields with a column, field-relative term ordinals
    (from per-document term lists) otherwise; a document has one pair per value it holds.
    """
    column = segment.column(name)
    if column is not None:
        raw, present = column
        owners = docs[present[docs]]
        values: npt.NDArray[Any] = raw[owners]
    else:
        forward = segment.forward(name)
        if forward is None:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        offsets, terms = forward
        counts = offsets[docs + 1] - offsets[docs]
        values = terms[concat_ranges(offsets[docs], counts)]
        owners = np.repeat(docs, counts)
    order = np.argsort(values, kind="stable")  # docs stay ascending within a value
    return values[order], owners[order]


def segment_groups(segment: SegmentReader, name: str, docs: npt.NDArray[np.int64],
                   convert: Any) -> dict[Any, npt.NDArray[np.int64]]:
    """One segment's matching documents per value (the user's value, via ``convert``)."""
    values, owners = value_runs(segment, name, docs)
    if not len(values):
        return {}
    cuts = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    out = {}
    forward = segment.column(name) is None  # values are term ordinals
    first, _ = segment.terms.field_range(name) if forward else (0, 0)
    for value, part in zip(values[starts].tolist(), np.split(owners, cuts), strict=True):
        key = segment.terms.term(first + value) if forward else convert(value)
        out[key] = part
    return out


@frozen
class MatchSet:
    """Every match of a search: segment-local documents per segment, with its base."""

    searcher: Searcher
    parts: tuple[tuple[int, SegmentReader, npt.NDArray[np.int64]], ...]

    def groups(self, name: str, stored: str | None = None) -> dict[Any, list[Any]]:
        """Matching document numbers per value of ``name`` (or ``stored`` field values)."""
        if self.searcher.closed:
            raise SearcherClosedError("the searcher of these results is closed")
        schema = self.searcher.schema
        check_facet_field(schema, name)
        if stored is not None:
            schema[stored]
        convert = schema[name].from_column
        merged: dict[Any, list[npt.NDArray[np.int64]]] = {}
        for base, segment, docs in self.parts:
            for key, local in segment_groups(segment, name, docs, convert).items():
                merged.setdefault(key, []).append(local + base)
        out: dict[Any, list[Any]] = {}
        for key, arrays in merged.items():
            numbers = np.concatenate(arrays).tolist()
            out[key] = numbers if stored is None else [
                self.searcher.stored_value(n, stored) for n in numbers]
        return out
