"""Time limits: a search stops between segments once its time is up."""

from __future__ import annotations

import pytest

import heron
from heron.search._timer import Deadline


def test_time_limit_zero_gives_the_first_segment(searcher: heron.Searcher) -> None:
    full = searcher.search("cocoa OR sugar OR oil", limit=None)
    r = searcher.search("cocoa OR sugar OR oil", limit=None, time_limit=0)
    assert r.timed_out
    assert 0 < r.total < full.total
    # the first segment (d1, d3; d2 is deleted; d4 does not match) was scored in full
    assert {h["id"] for h in r} == {"d1", "d3"}
    assert all(h.docnum in full.docnums() for h in r)


def test_generous_time_limit_finishes(searcher: heron.Searcher) -> None:
    full = searcher.search("cocoa OR sugar OR oil", limit=5, facets="place")
    r = searcher.search("cocoa OR sugar OR oil", limit=5, facets="place", time_limit=60)
    assert not r.timed_out
    assert not full.timed_out
    assert r.docnums() == full.docnums()
    assert r.facets == full.facets


def test_negative_time_limit(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.ArgumentError):
        searcher.search("cocoa", time_limit=-1)


def test_deadline_with_a_clock() -> None:
    now = [10.0]
    deadline = Deadline(0.5, clock=lambda: now[0])
    assert not deadline.expired()
    now[0] = 10.49
    assert not deadline.expired()
    now[0] = 10.5
    assert deadline.expired()
    assert deadline.expired()  # stays expired
    assert not Deadline(None).expired()
