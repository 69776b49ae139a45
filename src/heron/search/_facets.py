"""Facet counts: how many matching documents hold each value of a field."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from heron.errors import ArgumentError
from heron.index import SegmentReader
from heron.index._arrays import concat_ranges
from heron.schema import Schema


def check_facet_field(schema: Schema, name: str) -> None:
    """Raise unless ``name`` is a field that facets can count."""
    ftype = schema[name]
    if not ftype.can_facet:
        raise ArgumentError(f"facets count fields of whole values (KEYWORD, ID, NUMERIC, "
                            f"DATETIME, BOOLEAN); {name!r} is {ftype.kind}")


def column_value(schema: Schema, name: str, raw: Any) -> Any:
    """A column entry as the Python value users see (the field type converts it back)."""
    return schema[name].from_column(raw)


def count_segment(schema: Schema, name: str, segment: SegmentReader,
                  docs: npt.NDArray[np.int64], into: dict[Any, int]) -> None:
    """Add one segment's facet counts of field ``name`` over ``docs`` to ``into``."""
    if not len(docs):
        return
    column = segment.column(name)  # a field with a column counts its values
    if column is not None:
        values, present = column
        chosen = values[docs[present[docs]]]
        uniq, counts = np.unique(chosen, return_counts=True)
        for raw, count in zip(uniq.tolist(), counts.tolist(), strict=True):
            value = column_value(schema, name, raw)
            into[value] = into.get(value, 0) + count
        return
    forward = segment.forward(name)  # a term-keyed field counts its terms
    if forward is None:
        return
    offsets, terms = forward
    ordinals = terms[concat_ranges(offsets[docs], offsets[docs + 1] - offsets[docs])]
    counts = np.bincount(ordinals)
    start, _ = segment.terms.field_range(name)
    for ordinal in np.flatnonzero(counts).tolist():
        text = segment.terms.term(start + ordinal)
        into[text] = into.get(text, 0) + int(counts[ordinal])


def order_counts(counts: dict[Any, int]) -> dict[Any, int]:
    """Counts ordered by count (descending), then value."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))
