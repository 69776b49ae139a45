"""Dates written in queries: a period at the precision it is written in.

``1987`` is that year, ``1987-03`` (or ``198703``) that month, ``1987-03-01`` (or
``19870301``) that day, ``1987-03-01T10`` that hour, and so on down to fractions of a
second; a time zone (``Z``, ``+02:00``) may follow. Any other ISO 8601 text that
:meth:`datetime.datetime.fromisoformat` reads is the instant it names.

>>> start, end = period("1987-03")
>>> start.isoformat(), end.isoformat()
('1987-03-01T00:00:00', '1987-04-01T00:00:00')
>>> [p.isoformat() for p in period("19870301 10:30Z")]
['1987-03-01T10:30:00+00:00', '1987-03-01T10:31:00+00:00']
"""

from __future__ import annotations

import datetime as dt
import re

_PERIOD = re.compile(
    r"(?P<year>\d{4})"
    r"(?:(?P<sep>-?)(?P<month>\d{2})"
    r"(?:(?P=sep)(?P<day>\d{2})"
    r"(?:[T ]?(?P<hour>\d{2})"
    r"(?::?(?P<minute>\d{2})"
    r"(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?)?)?)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?\Z",
    re.ASCII | re.IGNORECASE,
)
_UNITS = ("year", "month", "day", "hour", "minute", "second")


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text.upper() == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


def _next_month(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)


def period(text: str) -> tuple[dt.datetime, dt.datetime | None]:
    """The period a date written in a query stands for: ``[start, end)``.

    ``end`` is None when the period runs to the end of time (the year 9999).

    Raises:
        ValueError: the text is no date.
    """
    text = text.strip()
    m = _PERIOD.match(text)
    if m is None:
        instant = dt.datetime.fromisoformat(text)  # other ISO forms: an instant
        return instant, instant + dt.timedelta(microseconds=1)
    given = [u for u in _UNITS if m.group(u) is not None]
    values = {u: int(m.group(u)) for u in given}
    fraction = m.group("fraction") or ""
    start = dt.datetime(values["year"], values.get("month", 1), values.get("day", 1),
                        values.get("hour", 0), values.get("minute", 0), values.get("second", 0),
                        int(fraction.ljust(6, "0")) if fraction else 0, tzinfo=_zone(m["zone"]))
    unit = given[-1]
    try:
        if unit in ("year", "month") and not fraction:
            return start, _next_month(start, 12 if unit == "year" else 1)
        step = (dt.timedelta(microseconds=10 ** (6 - len(fraction))) if fraction
                else dt.timedelta(**{f"{unit}s": 1}))
        try:
            return start, start + step
        except OverflowError:  # local time runs past 9999; its UTC instant may not
            if start.tzinfo is None:
                raise
            return start, start.astimezone(dt.UTC) + step
    except (ValueError, OverflowError):  # past the year 9999
        return start, None
