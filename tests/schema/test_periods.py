"""Dates in queries are periods at the precision they are written in."""

from __future__ import annotations

import datetime as dt

import pytest

import heron
from heron.query import NumericRange
from heron.schema._periods import period

D = dt.datetime


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1987", D(1987, 1, 1), D(1988, 1, 1)),
        ("1987-03", D(1987, 3, 1), D(1987, 4, 1)),
        ("198712", D(1987, 12, 1), D(1988, 1, 1)),
        ("1987-03-01", D(1987, 3, 1), D(1987, 3, 2)),
        ("19870301", D(1987, 3, 1), D(1987, 3, 2)),
        ("1987-03-01T10", D(1987, 3, 1, 10), D(1987, 3, 1, 11)),
        ("1987-03-01 10:30", D(1987, 3, 1, 10, 30), D(1987, 3, 1, 10, 31)),
        ("1987-03-01T10:30:05", D(1987, 3, 1, 10, 30, 5), D(1987, 3, 1, 10, 30, 6)),
        ("1987-03-01T10:30:05.79", D(1987, 3, 1, 10, 30, 5, 790_000),
         D(1987, 3, 1, 10, 30, 5, 800_000)),
        ("19870301103005", D(1987, 3, 1, 10, 30, 5), D(1987, 3, 1, 10, 30, 6)),
        ("9999", D(9999, 1, 1), None),
        ("9999-12-31T23:59:59.999999", D(9999, 12, 31, 23, 59, 59, 999_999), None),
    ],
)
def test_periods(text: str, start: dt.datetime, end: dt.datetime | None) -> None:
    assert period(text) == (start, end)


def test_zones() -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert period("1987-03-01T10:00+02:00") == (D(1987, 3, 1, 10, tzinfo=plus2),
                                                D(1987, 3, 1, 10, 1, tzinfo=plus2))
    assert period("1987-03-01T10Z")[0] == D(1987, 3, 1, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["1987-13", "1987-02-30", "87", "March 1987", "1987-03-01T25"])
def test_not_dates(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        period(text)


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True), date=heron.DATETIME(stored=True))
    ix = heron.create_index(tmp_path_factory.mktemp("dated") / "ix", schema)
    days = [D(1987, 2, 28, 23, 59, 59, 999_999), D(1987, 3, 1), D(1987, 3, 1, 15, 1, 1, 790_000),
            D(1987, 3, 31, 12), D(1987, 4, 1), D(1988, 1, 1)]
    with ix.writer() as w:
        w.add_documents({"id": f"d{i}", "date": d} for i, d in enumerate(days))
    return ix


@pytest.mark.parametrize(
    ("low", "high", "include", "want"),
    [
        ("1987-03-01", "1987-03-01", (True, True), {"d1", "d2"}),
        ("19870301", "19870301", (True, True), {"d1", "d2"}),
        ("1987-03", "1987-03", (True, True), {"d1", "d2", "d3"}),
        ("1987-03", "1987-04", (True, False), {"d1", "d2", "d3"}),
        ("1987-02", "1987-03", (False, True), {"d1", "d2", "d3"}),
        ("1987", "1987", (True, True), {"d0", "d1", "d2", "d3", "d4"}),
        ("1987", None, (False, True), {"d5"}),
        (None, "1987-02-28", (True, True), {"d0"}),
        ("1987-03-01T15:01:01.79", "1987-03-01T15:01:01.79", (True, True), {"d2"}),
        ("9999", None, (False, True), set()),
    ],
)
def test_range_bounds_are_whole_periods(dated: heron.Index, low: str | None, high: str | None,
                                         include: tuple[bool, bool], want: set[str]) -> None:
    with dated.searcher() as s:
        res = s.search(NumericRange("date", low, high, *include), limit=None)
        assert {h["id"] for h in res} == want
