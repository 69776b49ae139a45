"""Range queries on NUMERIC and DATETIME fields, answered from the per-document column."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
from attrs import define, frozen

from heron.errors import QueryError, SchemaError
from heron.index import SegmentReader
from heron.query._base import Context, Query
from heron.query._matches import Matches, live
from heron.query._multiterm import TermRange
from heron.query._share import exact_key
from heron.query._weight import Marks, Weight
from heron.schema import FieldType


def _span(ftype: FieldType, name: str, value: Any) -> tuple[Any, Any] | None:
    try:
        return ftype.query_span(name, value)
    except SchemaError as exc:
        raise QueryError(str(exc)) from None


def column_bound(ftype: FieldType, name: str, value: Any) -> float | int:
    """The column value a query bound compares with, exact (dates as microseconds)."""
    try:
        converted = ftype.convert(name, value) if not isinstance(value, str) else (
            ftype.from_text(name, value))
        return ftype.column_value(converted)
    except SchemaError as exc:
        raise QueryError(str(exc)) from None


@frozen
class Range(Query):
    """Documents whose ``field`` lies between ``low`` and ``high``, whatever the field's type.

    NUMERIC and DATETIME fields compare values (as :class:`NumericRange`); text, keyword
    and ID fields compare terms in dictionary order (as :class:`TermRange`). ``None``
    leaves an end open.

    >>> Range("year", 2010, 2017, include_high=False)
    Range(field='year', low=2010, high=2017, include_low=True, include_high=False, boost=1.0)
    """

    field: str
    low: Any
    high: Any
    include_low: bool = True
    include_high: bool = True
    boost: float = 1.0

    def resolve(self, context: Context) -> Query:
        """The concrete range query for the field's type."""
        ftype = context.schema[self.field]
        if ftype.column_ranges:
            return NumericRange(self.field, self.low, self.high, self.include_low,
                                self.include_high, self.boost)
        if ftype.columnar or not ftype.indexed:
            raise QueryError(f"a range needs a NUMERIC, DATETIME, TEXT, KEYWORD or ID field; "
                             f"{self.field!r} is {ftype.kind}")
        for bound in (self.low, self.high):
            if bound is not None and not isinstance(bound, str):
                raise QueryError(f"a range on the {ftype.kind} field {self.field!r} compares "
                                 f"terms: its bounds are strings, got {type(bound).__name__} "
                                 f"{bound!r:.40}")
        return TermRange(self.field, self.low, self.high, self.include_low, self.include_high,
                         self.boost)

    def bind(self, context: Context) -> Weight:
        return self.resolve(context).bind(context)

    def marks(self, field_name: str, context: Context, into: Marks) -> None:
        """A term range marks the terms it expands to; a numeric range marks nothing."""
        resolved = self.resolve(context)
        if resolved is not self:
            resolved.marks(field_name, context, into)

    def share_key(self) -> Hashable | None:
        return exact_key(self)


@frozen
class NumericRange(Range):
    """Documents whose NUMERIC or DATETIME ``field`` lies between ``low`` and ``high``.

    Bounds are numbers, datetimes or their text forms; ``None`` leaves an end open.
    For DATETIME, a bound written as text is a period at its precision, taken whole:
    ``[1987-03 TO 1987-04]`` runs from March 1 through the end of April, and
    ``{1987 TO *}`` starts in 1988. Matches score the boost alone.

    >>> NumericRange("year", 2010, 2017)
    NumericRange(field='year', low=2010, high=2017, include_low=True, include_high=True, boost=1.0)
    """

    def resolve(self, context: Context) -> Query:
        return self

    def bind(self, context: Context) -> Weight:
        ftype = context.schema[self.field]
        if not ftype.column_ranges:
            raise QueryError(f"a numeric range needs a NUMERIC or DATETIME field; "
                             f"{self.field!r} is {ftype.kind}")
        low_value, include_low = self.low, self.include_low
        high_value, include_high = self.high, self.include_high
        # a bound written as a span (a date to the day, the month...) counts as a whole
        if self.low is not None and (span := _span(ftype, self.field, self.low)):
            if not include_low and span[1] is None:
                return _RangeWeight(self.field, None, None, True, True, 0.0, empty=True)
            low_value, include_low = span[0] if include_low else span[1], True
        if self.high is not None and (span := _span(ftype, self.field, self.high)):
            high_value, include_high = span[1] if include_high else span[0], False
        low = None if low_value is None else column_bound(ftype, self.field, low_value)
        high = None if high_value is None else column_bound(ftype, self.field, high_value)
        return _RangeWeight(self.field, low, high, include_low, include_high,
                            self.boost * ftype.boost)


@define
class _RangeWeight(Weight):
    field: str
    low: float | int | None
    high: float | int | None
    include_low: bool
    include_high: bool
    score: float
    empty: bool = False

    def describe(self) -> str:
        return (f"NumericRange on {self.field}: {self.low} to {self.high}, constant score "
                "(boost)")

    def match(self, segment: SegmentReader) -> Matches:
        column = segment.column(self.field)
        if column is None or self.empty:
            return Matches.empty()
        values, present = column
        ok = present.copy()
        if self.low is not None:
            ok &= values >= self.low if self.include_low else values > self.low
        if self.high is not None:
            ok &= values <= self.high if self.include_high else values < self.high
        docs = np.flatnonzero(ok).astype(np.int64)
        mask = live(segment, docs)
        if mask is not None:
            docs = docs[mask]
        return Matches(docs, np.full(len(docs), self.score))

