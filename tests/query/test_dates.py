"""Dates in the query language: periods at their written precision, times and quoted values
in ranges, comparisons only after a field (so ``<SRD>`` is a word)."""

from __future__ import annotations

import datetime as dt

import pytest

import heron

D = dt.datetime


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True), date=heron.DATETIME(stored=True),
                          title=heron.TEXT(stored=True))
    ix = heron.create_index(tmp_path_factory.mktemp("dates") / "ix", schema)
    days = [D(1987, 2, 28, 23, 59, 59, 999_999), D(1987, 3, 1), D(1987, 3, 1, 15, 1, 1, 790_000),
            D(1987, 3, 31, 12), D(1987, 4, 1), D(1988, 1, 1)]
    with ix.writer() as w:
        w.add_documents({"id": f"d{i}", "date": d, "title": f"report {i}"}
                        for i, d in enumerate(days))
        w.add_document(id="srd", date=D(1987, 5, 5), title="Shares of <SRD> rose")
    return ix


@pytest.mark.parametrize(
    ("query", "want"),
    [
        ("date:1987-03-01", {"d1", "d2"}),
        ("date:19870301", {"d1", "d2"}),
        ("date:1987-03", {"d1", "d2", "d3"}),
        ("date:1987", {"d0", "d1", "d2", "d3", "d4", "srd"}),
        ("date:[19870301 TO 19870301]", {"d1", "d2"}),
        ("date:[1987-03-01T15:00 TO 1987-03-01T16:00]", {"d2"}),
        ('date:["1987-03-01 15:00" TO "1987-03-01 16:00"]', {"d2"}),
        ('date:"1987-03-01 15:01:01.79"', {"d2"}),
        ('date:"1987-03-01"', {"d1", "d2"}),
        ("date:>=1987-04", {"d4", "d5", "srd"}),
        ("date:<1987-03", {"d0"}),
        ("date:{1987 TO *}", {"d5"}),
        ("date:[* TO 1987-02]", {"d0"}),
        ("date:1987-03 -date:1987-03-01", {"d3"}),
    ],
)
def test_dates_in_queries(dated: heron.Index, query: str, want: set[str]) -> None:
    with dated.searcher() as s:
        assert {h["id"] for h in s.search(query, limit=None)} == want
        assert {h["id"] for h in s.search(query, limit=None, lenient=True)} == want


@pytest.mark.parametrize("query", ["date:1987-13", "date:[1987-02-30 TO 1988]", "date:soon"])
def test_impossible_dates(dated: heron.Index, query: str) -> None:
    with dated.searcher() as s:
        with pytest.raises(heron.QueryError, match="date"):
            s.search(query)
        res = s.search(query, lenient=True)
        assert res.query_warnings


def test_a_ticker_in_angle_brackets_is_a_word(dated: heron.Index) -> None:
    with dated.searcher() as s:
        assert [h["id"] for h in s.search("<SRD>")] == ["srd"]
        assert [h["id"] for h in s.search("title:srd")] == ["srd"]
