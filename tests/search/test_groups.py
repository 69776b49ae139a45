"""Results.groups: every matching document per value of a field (Whoosh's groupedby)."""

from __future__ import annotations

import pytest

import heron


def test_groups_by_keyword(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa OR sugar OR oil", limit=2)
    groups = r.groups("place")
    expected: dict[str, list[int]] = {}
    for docnum in searcher.search("cocoa OR sugar OR oil", limit=None).docnums():
        for place in (searcher.stored_fields(docnum).get("place") or "").split(","):
            if place:
                expected.setdefault(place, []).append(docnum)
    assert groups == {k: sorted(v) for k, v in expected.items()}
    assert set(groups) == {"ghana", "ivory coast", "usa", "zürich"}


def test_groups_with_stored_ids(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa OR sugar OR oil")
    groups = r.groups("place", stored="id")
    assert groups["usa"] == ["d5", "d10"]  # d2 is deleted
    assert groups["zürich"] == ["d8", "d9"]
    assert groups["ghana"] == ["d1", "d3", "d6"]


def test_groups_by_column(searcher: heron.Searcher) -> None:
    r = searcher.search("oil OR cocoa")
    groups = r.groups("words", stored="id")
    assert groups[120] == ["d1"]
    assert groups[-5] == ["d10"]
    assert sum(len(v) for v in groups.values()) == r.total


def test_groups_errors(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa")
    with pytest.raises(heron.SchemaError):
        r.groups("nope")
    with pytest.raises(heron.HeronError):
        r.groups("body")
    searcher.close()
    with pytest.raises(heron.SearcherClosedError):
        r.groups("place")
