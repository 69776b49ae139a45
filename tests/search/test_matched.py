"""Which (field, term) pairs each hit matched: search(terms=True) and Hit.matched_terms."""

from __future__ import annotations

import pytest

import heron


def test_matched_terms(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa OR sugar", terms=True, limit=None)
    got = {h["id"]: set(h.matched_terms()) for h in r}
    assert got["d1"] == {("title", "cocoa"), ("body", "cocoa"), ("body", "sugar")}
    assert got["d8"] == {("title", "sugar"), ("body", "sugar")}
    assert got["d9"] == {("title", "cocoa"), ("body", "cocoa")}  # third segment
    assert got["d10"] == {("title", "sugar"), ("body", "sugar")}
    assert all(h.matched_terms() == sorted(h.matched_terms()) for h in r)


def test_matched_terms_on_a_page_and_with_filters(searcher: heron.Searcher) -> None:
    r = searcher.search("oil OR petroleum", terms=True, limit=1, offset=1, filter="topics:crude")
    (hit,) = r
    assert set(hit.matched_terms()) <= {("title", "oil"), ("body", "oil"),
                                        ("title", "petroleum"), ("body", "petroleum")}
    assert hit.matched_terms()


def test_matched_terms_needs_terms_true(searcher: heron.Searcher) -> None:
    hit = searcher.search("cocoa")[0]
    with pytest.raises(heron.HeronError, match="terms=True"):
        hit.matched_terms()
