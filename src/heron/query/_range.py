"""Range queries on NUMERIC and DATETIME fields, answered from the per-document column."""

from __future__ import annotations

from typing import Any

import numpy as np
from attrs import define, frozen

from heron.errors import QueryError, SchemaError
from heron.index import SegmentReader
from heron.query._base import Context, Matches, Query, Weight, live
from heron.query._multiterm import TermRange
from heron.schema import DATETIME, NUMERIC, FieldType


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
        if isinstance(ftype, NUMERIC | DATETIME):
            return NumericRange(self.field, self.low, self.high, self.include_low,
                                self.include_high, self.boost)
        if ftype.columnar or not ftype.indexed:
            raise QueryError(f"a range needs a NUMERIC, DATETIME, TEXT, KEYWORD or ID field; "
                             f"{self.field!r} is {ftype.kind}")
        low = None if self.low is None else str(self.low)
        high = None if self.high is None else str(self.high)
        return TermRange(self.field, low, high, self.include_low, self.include_high, self.boost)

    def bind(self, context: Context) -> Weight:
        return self.resolve(context).bind(context)


@frozen
class NumericRange(Range):
    """Documents whose NUMERIC or DATETIME ``field`` lies between ``low`` and ``high``.

    Bounds are numbers, datetimes or their text forms; ``None`` leaves an end open.
    For DATETIME, a date-only upper bound written as text (``2017-06-30``) includes
    that whole day. Matches score the boost alone.

    >>> NumericRange("year", 2010, 2017)
    NumericRange(field='year', low=2010, high=2017, include_low=True, include_high=True, boost=1.0)
    """

    def resolve(self, context: Context) -> Query:
        return self

    def bind(self, context: Context) -> Weight:
        ftype = context.schema[self.field]
        if not isinstance(ftype, NUMERIC | DATETIME):
            raise QueryError(f"a numeric range needs a NUMERIC or DATETIME field; "
                             f"{self.field!r} is {ftype.kind}")
        low = None if self.low is None else column_bound(ftype, self.field, self.low)
        high = None if self.high is None else column_bound(ftype, self.field, self.high)
        include_high = self.include_high
        if (isinstance(ftype, DATETIME) and isinstance(self.high, str) and len(self.high) == 10
                and high is not None):
            high += 86_400_000_000 if include_high else 0  # through the end of that day
            include_high = False
        return _RangeWeight(self.field, low, high, self.include_low, include_high,
                            self.boost * ftype.boost)


@define
class _RangeWeight(Weight):
    field: str
    low: float | int | None
    high: float | int | None
    include_low: bool
    include_high: bool
    score: float

    def match(self, segment: SegmentReader) -> Matches:
        column = segment.column(self.field)
        if column is None:
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

