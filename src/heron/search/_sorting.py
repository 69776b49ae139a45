"""Sorting hits by field values read from per-field columns, ties broken by score.

Each segment picks its best ``k`` documents with one ``lexsort`` over its columns
(values of fields with a column, term ordinals of term-keyed fields such as KEYWORD);
the candidates of all segments are then merged by their actual values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import ArgumentError, UnknownFieldError
from heron.index import SegmentReader
from heron.query import Matches
from heron.schema import Schema


@frozen
class SortKey:
    """One field to sort by, ascending unless ``reverse``."""

    field: str
    reverse: bool = False


def sort_keys(schema: Schema, sort_by: str | Sequence[str]) -> list[SortKey]:
    """Parse ``"year"``, ``"-year"`` or a list of them into sort keys."""
    names = [sort_by] if isinstance(sort_by, str) else list(sort_by)
    keys = []
    for spec in names:
        reverse = spec.startswith("-")
        name = spec.lstrip("+-")
        if name not in schema:
            raise UnknownFieldError(name, schema.names())
        if not schema[name].can_sort:
            raise ArgumentError(f"cannot sort by {name!r}: sorting needs a field with one value "
                                "per document (KEYWORD, ID, NUMERIC, DATETIME, BOOLEAN), not "
                                f"{schema[name].kind}")
        keys.append(SortKey(name, reverse))
    if not keys:
        raise ArgumentError("sort_by names no field")
    return keys


def _segment_values(segment: SegmentReader, key: SortKey, docs: npt.NDArray[np.int64]
                    ) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """Sortable values (numbers or ordinals) and presence of ``docs`` in one segment.

    A field with a column sorts by it (even if it keeps term lists too, as unstored
    fields do); a term-keyed field by its least term's ordinal.
    """
    column = segment.column(key.field)
    if column is not None:
        values, present = column
        return values[docs], present[docs]
    forward = segment.forward(key.field)
    if forward is None:
        return np.zeros(len(docs)), np.zeros(len(docs), dtype=bool)
    offsets, terms = forward
    present = offsets[docs + 1] > offsets[docs]
    first = np.where(present, offsets[docs], 0)
    values = terms[np.minimum(first, max(len(terms) - 1, 0))] if len(terms) else (
        np.zeros(len(docs), dtype=np.uint32))
    return values.astype(np.int64), present


def _reversed(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Values whose ascending order is the descending order of ``values``.

    Integers are inverted bit by bit (``~v == -v - 1``), which cannot overflow where
    negating the smallest int64 would.
    """
    return np.invert(values) if values.dtype.kind in "iu" else -values


def segment_top(segment: SegmentReader, found: Matches, keys: list[SortKey], k: int
                ) -> npt.NDArray[np.int64]:
    """Indices into ``found`` of the segment's best ``k`` by the sort keys."""
    columns: list[npt.NDArray[Any]] = [found.docs, -found.scores]
    for key in reversed(keys):
        values, present = _segment_values(segment, key, found.docs)
        signed = _reversed(values) if key.reverse else values
        columns.extend([signed, ~present])  # missing values sort last either way
    order = np.lexsort(tuple(columns))
    return order[:k].astype(np.int64)


def segment_value(segment: SegmentReader, key: SortKey, doc: int) -> Any:
    """The comparable value of one document (a term's text, or a number), or None."""
    values, present = _segment_values(segment, key, np.asarray([doc], dtype=np.int64))
    if not present[0]:
        return None
    if segment.column(key.field) is None:
        start, _ = segment.terms.field_range(key.field)
        return segment.terms.term_bytes(start + int(values[0]))
    return values[0].item()


def merge_order(rows: list[tuple[list[Any], float, int]], keys: list[SortKey]) -> list[int]:
    """Order candidate rows (values, score, global doc) by the keys, score, then doc."""
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][1], rows[i][2]))
    for pos in reversed(range(len(keys))):
        present = [i for i in order if rows[i][0][pos] is not None]
        missing = [i for i in order if rows[i][0][pos] is None]
        present.sort(key=lambda i: rows[i][0][pos], reverse=keys[pos].reverse)
        order = present + missing
    return order
