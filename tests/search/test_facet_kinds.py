"""Range and date facets, and facets given as names or facet objects."""

from __future__ import annotations

import datetime as dt

import pytest

import heron
from heron import facets

from .conftest import live_docs


def test_facets_take_a_single_name(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa", facets="topics")
    assert r.facets == {"topics": {"cocoa": 4, "sugar": 1}}


def test_range_facet(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa OR sugar OR oil", limit=1,
                        facets=[facets.Range("words", 0, 400, 100)])
    assert r.facets["words"] == {(0, 100): 2, (100, 200): 1, (200, 300): 1, (300, 400): 1}
    r = searcher.search("cocoa OR sugar OR oil", limit=1,
                        facets=facets.Range("words", 0, 400, 100, before=True, after=True))
    got = r.facets["words"]
    assert got[(None, 0)] == 1  # d10: -5
    assert got[(400, None)] == 2  # d6: 999, d8: 1500
    assert next(iter(got)) == (None, 0)
    assert sum(got.values()) == r.total


def test_range_facet_last_bucket_ends_at_end(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa OR sugar OR oil", facets=facets.Range("words", 0, 250, 100))
    assert r.facets["words"] == {(0, 100): 2, (100, 200): 1, (200, 250): 0}


def test_date_buckets(searcher: heron.Searcher) -> None:
    query = "cocoa OR sugar OR oil OR grain OR petroleum"
    r = searcher.search(query, facets=[facets.DateBuckets("date", "month"), "place"])
    expected: dict[str, int] = {}
    for doc in live_docs():
        if "date" in doc:
            key = doc["date"].strftime("%Y-%m")
            expected[key] = expected.get(key, 0) + 1
    assert r.facets["date"] == dict(sorted(expected.items()))
    assert next(iter(r.facets["date"])) == "1987-02"
    assert r.facets["place"]["ghana"] == 3
    years = searcher.search(query, facets=facets.DateBuckets("date", "year")).facets["date"]
    assert years == {"1987": 7, "1988": 1}
    days = searcher.search("petroleum OR talks", facets=facets.DateBuckets("date", "day"))
    assert days.facets["date"] == {"1987-04-01": 2}
    hours = searcher.search("petroleum OR talks",
                            facets=facets.DateBuckets("date", "hour", name="hours"))
    assert hours.facets["hours"] == {"1987-04-01T00": 1, "1987-04-01T23": 1}


def test_facet_errors(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.HeronError):
        searcher.search("cocoa", facets=facets.Range("title", 0, 10, 1))
    with pytest.raises(heron.HeronError):
        searcher.search("cocoa", facets=facets.DateBuckets("words", "month"))
    with pytest.raises(heron.ArgumentError):
        facets.DateBuckets("date", "week")
    with pytest.raises(heron.ArgumentError):
        facets.Range("words", 0, 10, 0)
    with pytest.raises(heron.ArgumentError):
        facets.Range("words", 10, 0, 1)
    with pytest.raises(heron.ArgumentTypeError):
        searcher.search("cocoa", facets=[3])  # type: ignore[list-item]


def test_date_bucket_keys_follow_the_field_type() -> None:
    ftype = heron.DATETIME()
    raw = [ftype.column_value(dt.datetime(2001, 5, 6, 7, 8))]
    assert facets.DateBuckets("d", "day").labels(ftype, raw) == ["2001-05-06"]
