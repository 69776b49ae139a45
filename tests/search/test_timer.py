"""Time limits: a search stops between segments, and between an OR's clauses, once its
time is up; the checks are counted with an injected clock, not timed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import heron
from heron.search._timer import Deadline


def ticking(times: list[float]) -> Callable[[], float]:
    """A clock that gives ``times`` one call after another, then the last for ever."""
    def clock() -> float:
        return times.pop(0) if len(times) > 1 else times[0]
    return clock


def test_time_limit_zero_stops_at_the_first_check(searcher: heron.Searcher) -> None:
    full = searcher.search("cocoa OR sugar OR oil", limit=None)
    r = searcher.search("cocoa OR sugar OR oil", limit=None, time_limit=0)
    assert r.timed_out
    assert 0 < r.total < full.total
    assert set(r.docnums()) < set(full.docnums())


def test_segments_scored_before_the_time_is_up(searcher: heron.Searcher) -> None:
    # a one-term query checks only between segments: the clock is read when the
    # deadline is made, before segment 2 (still in time) and before segment 3 (late)
    searcher.clock = ticking([0.0, 0.5, 2.0])
    r = searcher.search(heron.query.Term("body", "cocoa"), limit=None, time_limit=1.0,
                        facets="topics")
    assert r.timed_out
    assert sorted(h["id"] for h in r) == ["d1", "d3", "d6"]  # d9 is in segment 3
    assert r.facets["topics"] == {"cocoa": 3, "sugar": 1}
    assert r.groups("place", stored="id") == {"ghana": ["d1", "d3", "d6"],
                                              "ivory coast": ["d3"]}


def test_an_or_stops_between_clauses(searcher: heron.Searcher) -> None:
    searcher.clock = ticking([0.0, 0.0, 5.0])  # made; first clause check; then late
    r = searcher.search(heron.query.Or((heron.query.Term("body", "cocoa"),
                                        heron.query.Term("body", "sugar"),
                                        heron.query.Term("body", "oil"))),
                        limit=None, time_limit=1.0)
    assert r.timed_out
    assert sorted(h["id"] for h in r) == ["d1", "d3"]  # cocoa and sugar in segment 1


def test_generous_time_limit_finishes(searcher: heron.Searcher) -> None:
    full = searcher.search("cocoa OR sugar OR oil", limit=5, facets="place")
    r = searcher.search("cocoa OR sugar OR oil", limit=5, facets="place", time_limit=60)
    assert not r.timed_out
    assert not full.timed_out
    assert r.docnums() == full.docnums()
    assert r.facets == full.facets


@pytest.mark.parametrize("limit", [-1, float("nan")])
def test_bad_time_limit(searcher: heron.Searcher, limit: float) -> None:
    with pytest.raises(heron.ArgumentError):
        searcher.search("cocoa", time_limit=limit)
    with pytest.raises(heron.ArgumentTypeError):
        searcher.search("cocoa", time_limit="1")  # type: ignore[arg-type]


def test_deadline_with_a_clock() -> None:
    now = [10.0]
    deadline = Deadline(0.5, clock=lambda: now[0])
    assert not deadline.expired()
    now[0] = 10.49
    assert not deadline.expired()
    assert not deadline.passed
    now[0] = 10.5
    assert deadline.expired()
    assert deadline.passed
    now[0] = 0.0
    assert deadline.expired()  # stays expired
    assert not Deadline(None).expired()
