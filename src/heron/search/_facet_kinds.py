"""Kinds of facets: values of a field, numeric ranges, and date buckets.

A facet names the key its counts go under in ``results.facets``, checks its field
against the schema, adds one segment's counts over the matching documents (with numpy,
never a loop per document) and orders the counts when every segment is done.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import ArgumentError, ArgumentTypeError, SchemaError
from heron.index import SegmentReader
from heron.schema import FieldType, Schema
from heron.search._facets import check_facet_field, count_segment, order_counts

#: the most buckets a range facet may have
MAX_BUCKETS = 100_000
#: date bucket units and the numpy unit codes they truncate to
_UNITS = {"year": "Y", "month": "M", "day": "D", "hour": "h"}


class Facet:
    """Base of facets: how matching documents are counted into buckets."""

    field: str

    @property
    def key(self) -> str:
        """The key of this facet's counts in ``results.facets``."""
        return self.field

    def check(self, schema: Schema) -> None:
        """Raise unless the facet can count this schema's field."""
        raise NotImplementedError

    def count(self, schema: Schema, segment: SegmentReader, docs: npt.NDArray[np.int64],
              into: dict[Any, int]) -> None:
        """Add one segment's counts over ``docs`` (segment-local, live) to ``into``."""
        raise NotImplementedError

    def finish(self, counts: dict[Any, int]) -> dict[Any, int]:
        """The counts in the order users see them."""
        return counts


@frozen
class Field(Facet):
    """Each value of a KEYWORD, ID, NUMERIC, DATETIME or BOOLEAN field, most frequent first."""

    field: str

    def check(self, schema: Schema) -> None:
        check_facet_field(schema, self.field)

    def count(self, schema: Schema, segment: SegmentReader, docs: npt.NDArray[np.int64],
              into: dict[Any, int]) -> None:
        count_segment(schema, self.field, segment, docs, into)

    def finish(self, counts: dict[Any, int]) -> dict[Any, int]:
        return order_counts(counts)


def _column_of(schema: Schema, name: str, what: str) -> FieldType:
    ftype = schema[name]
    if not ftype.columnar:
        raise ArgumentError(f"{what} facets need a field with a column (NUMERIC, DATETIME); "
                         f"{name!r} is {ftype.kind}")
    return ftype


def _holds_dates(ftype: FieldType) -> bool:
    try:
        ftype.column_instants(np.zeros(0, dtype=np.int64))
    except SchemaError:
        return False
    return True


def _present(segment: SegmentReader, name: str, docs: npt.NDArray[np.int64]
             ) -> npt.NDArray[Any]:
    """The column values of those ``docs`` that have one."""
    column = segment.column(name)
    if column is None or not len(docs):
        return np.zeros(0)
    values, present = column
    return values[docs[present[docs]]]


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"{name} is a number, got {value!r}")
    return value


@frozen
class Range(Facet):
    """Numbers counted in ``[start, start + gap)``, ``[start + gap, start + 2 gap)``, ...

    The last bucket ends at ``end``. Keys are ``(low, high)`` tuples in order, empty
    buckets included; ``before=True`` adds ``(None, start)`` and ``after=True`` adds
    ``(end, None)`` for the values outside.

    >>> Range("words", 0, 250, 100).edges()
    [0, 100, 200, 250]
    """

    field: str
    start: float = attrs.field(validator=lambda _i, _a, v: _number("start", v))
    end: float = attrs.field(validator=lambda _i, _a, v: _number("end", v))
    gap: float = attrs.field(validator=lambda _i, _a, v: _number("gap", v))
    before: bool = False
    after: bool = False
    name: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.gap > 0:
            raise ArgumentError(f"a range facet's gap must be positive, got {self.gap!r}")
        if not self.end > self.start:
            raise ArgumentError(f"a range facet's end must be above its start, got "
                                f"{self.start!r} to {self.end!r}")
        if (self.end - self.start) / self.gap > MAX_BUCKETS:
            raise ArgumentError(f"a range facet has at most {MAX_BUCKETS} buckets")

    @property
    def key(self) -> str:
        return self.name or self.field

    def edges(self) -> list[float]:
        """The bucket bounds, from ``start`` to ``end``."""
        count = -int(-(self.end - self.start) // self.gap)
        edges = [self.start + i * self.gap for i in range(count)]
        return [*edges, self.end]

    def check(self, schema: Schema) -> None:
        if _holds_dates(_column_of(schema, self.field, "range")):
            raise ArgumentError(f"range facets count numbers; {self.field!r} holds dates "
                             "(count them with DateBuckets)")

    def count(self, schema: Schema, segment: SegmentReader, docs: npt.NDArray[np.int64],
              into: dict[Any, int]) -> None:
        values = _present(segment, self.field, docs)
        if not len(values):
            return
        edges = self.edges()
        where = np.searchsorted(np.asarray(edges), values, side="right") - 1
        inside = (where >= 0) & (where < len(edges) - 1)
        counts = np.bincount(where[inside], minlength=len(edges) - 1)
        for (low, high), n in zip(itertools.pairwise(edges), counts.tolist(), strict=True):
            into[(low, high)] = into.get((low, high), 0) + n
        if self.before:
            into[(None, self.start)] = into.get((None, self.start), 0) + int(
                (where < 0).sum())
        if self.after:
            into[(self.end, None)] = into.get((self.end, None), 0) + int(
                (where >= len(edges) - 1).sum())

    def finish(self, counts: dict[Any, int]) -> dict[Any, int]:
        edges = self.edges()
        keys: list[tuple[float | None, float | None]] = list(itertools.pairwise(edges))
        if self.before:
            keys.insert(0, (None, self.start))
        if self.after:
            keys.append((self.end, None))
        return {k: counts.get(k, 0) for k in keys}


@frozen
class DateBuckets(Facet):
    """Dates counted by ``"year"``, ``"month"``, ``"day"`` or ``"hour"`` (UTC), in order.

    Keys are ISO texts of the period: ``"1987"``, ``"1987-02"``, ``"1987-02-26"``,
    ``"1987-02-26T15"``.
    """

    UNITS: ClassVar[tuple[str, ...]] = tuple(_UNITS)
    field: str
    unit: str = "month"
    name: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.unit not in _UNITS:
            raise ArgumentError(f"date buckets are by {', '.join(_UNITS)}; got {self.unit!r}")

    @property
    def key(self) -> str:
        return self.name or self.field

    def check(self, schema: Schema) -> None:
        ftype = _column_of(schema, self.field, "date")
        ftype.column_instants(np.zeros(0, dtype=np.int64))  # raises unless it holds dates

    def labels(self, ftype: FieldType, raw: Sequence[Any] | npt.NDArray[Any]) -> list[str]:
        """The bucket of each column entry, as text."""
        periods = ftype.column_instants(np.asarray(raw)).astype(f"datetime64[{_UNITS[self.unit]}]")
        return [str(x) for x in np.datetime_as_string(periods)]

    def count(self, schema: Schema, segment: SegmentReader, docs: npt.NDArray[np.int64],
              into: dict[Any, int]) -> None:
        values = _present(segment, self.field, docs)
        if not len(values):
            return
        periods = schema[self.field].column_instants(values).astype(
            f"datetime64[{_UNITS[self.unit]}]")
        uniq, counts = np.unique(periods, return_counts=True)
        for label, n in zip(np.datetime_as_string(uniq).tolist(), counts.tolist(), strict=True):
            into[label] = into.get(label, 0) + n

    def finish(self, counts: dict[Any, int]) -> dict[Any, int]:
        return dict(sorted(counts.items()))


def as_facets(spec: str | Facet | Sequence[str | Facet] | None, schema: Schema) -> list[Facet]:
    """The facets a ``facets=`` argument names, checked against the schema.

    Raises:
        ArgumentTypeError: an entry is neither a field name nor a facet.
        ArgumentError: two facets count under the same key.
    """
    if spec is None:
        return []
    items = [spec] if isinstance(spec, str | Facet) else list(spec)
    found: list[Facet] = []
    for given in items:
        if not isinstance(given, str | Facet):
            raise ArgumentTypeError(f"facets are field names or facet objects, got {given!r}")
        item = Field(given) if isinstance(given, str) else given
        if any(f.key == item.key for f in found):
            raise ArgumentError(f"two facets count under {item.key!r}; give one a name=")
        item.check(schema)
        found.append(item)
    return found
