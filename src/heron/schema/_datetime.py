"""The DATETIME field type."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from attrs import field, frozen

from heron.errors import SchemaError
from heron.schema._field import _INT64, FieldType, _positive
from heron.schema._periods import period

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NAIVE_EPOCH = dt.datetime(1970, 1, 1)
#: the microseconds of the first and last instants a datetime can hold (years 1 to 9999)
_MIN_MICROS = -62_135_596_800_000_000
_MAX_MICROS = 253_402_300_799_999_999


@frozen
class DATETIME(FieldType):
    """Dates and times: ``datetime``, ``date`` or an ISO 8601 string.

    Naive values are taken as UTC for indexing; the stored value comes back as given.

    >>> DATETIME().convert("published", "2017-01-05T10:00:00")
    datetime.datetime(2017, 1, 5, 10, 0)
    """

    kind: ClassVar[str] = "DATETIME"
    columnar: ClassVar[bool] = True
    column_ranges: ClassVar[bool] = True
    stored: bool = False
    sortable: bool = False
    boost: float = field(default=1.0, validator=_positive)

    def convert(self, name: str, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            moment = value if type(value) is dt.datetime else dt.datetime(
                value.year, value.month, value.day, value.hour, value.minute, value.second,
                value.microsecond, value.tzinfo, fold=value.fold)  # a subclass's extras go
        elif isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        elif isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                raise SchemaError(
                    f"field {name!r}: {value!r} is not an ISO 8601 date or time"
                ) from None
        else:
            raise self._wrong(name, "a datetime, a date or an ISO 8601 string", value)
        if moment.tzinfo is not None:
            self._check_instant(name, moment)
        return moment

    @classmethod
    def _check_instant(cls, name: str, moment: dt.datetime) -> None:
        """Raise SchemaError unless an aware ``moment`` lies in years 1 to 9999 UTC."""
        try:
            micros = cls.micros(moment)
        except (TypeError, ValueError, OverflowError) as exc:
            raise SchemaError(f"field {name!r}: {moment!r:.80} has no usable UTC offset: "
                              f"{exc}") from None
        if not _MIN_MICROS <= micros <= _MAX_MICROS:
            raise SchemaError(f"field {name!r}: {moment.isoformat()} is outside the years 1 "
                              "to 9999 in UTC")

    def query_span(self, name: str, value: Any) -> tuple[Any, Any] | None:
        """The period a date in a query stands for, at the precision it is written in (a
        ``date`` is its day; a ``datetime`` is one instant, no span).

        >>> [d.isoformat() for d in DATETIME().query_span("date", "1987-03")]
        ['1987-03-01T00:00:00', '1987-04-01T00:00:00']
        >>> [d.isoformat() for d in DATETIME().query_span("date", dt.date(1987, 3, 1))]
        ['1987-03-01T00:00:00', '1987-03-02T00:00:00']
        """
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()
        if not isinstance(value, str):
            return None
        text = value
        try:
            start, end = period(text)
        except ValueError:
            raise SchemaError(f"field {name!r}: {text!r} is not a date or time (1987, 1987-03, "
                              "1987-03-01, 19870301, 1987-03-01T10:30, ...)") from None
        return self.convert(name, start), None if end is None else self.convert(name, end)

    @staticmethod
    def micros(value: dt.datetime) -> int:
        """Microseconds since 1970-01-01 UTC (naive values are taken as UTC)."""
        aware = value if value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)
        delta = aware - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

    def index_text(self, value: Any) -> str:
        return f"{self.micros(value) + _INT64:016x}"

    def column_dtype(self) -> type[np.generic]:
        return np.int64

    def column_value(self, value: Any) -> int | float:
        return self.micros(value)

    def from_column(self, raw: Any) -> Any:
        """The naive UTC datetime of a column entry (microseconds since the epoch)."""
        return _NAIVE_EPOCH + dt.timedelta(microseconds=int(raw))

    def column_instants(self, raw: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
        """Column entries (microseconds since the epoch) as ``datetime64[us]``, UTC.

        >>> DATETIME().column_instants(np.array([0])).tolist()
        [datetime.datetime(1970, 1, 1, 0, 0)]
        """
        return np.asarray(raw, dtype=np.int64).view("datetime64[us]")

    def to_stored(self, value: Any) -> Any:
        return value.isoformat()

    def from_stored(self, value: Any) -> Any:
        return dt.datetime.fromisoformat(value)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "stored": self.stored, "sortable": self.sortable,
                "boost": self.boost}
