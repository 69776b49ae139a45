"""Results.groups: every matching document per value of a field (Whoosh's groupedby)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

import heron
from heron import facets


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


def test_groups_and_facets_match_brute_force(tmp_path: Path) -> None:
    rng = random.Random(7)
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(),
                          tags=heron.KEYWORD(stored=True, commas=True),
                          n=heron.NUMERIC(stored=True), when=heron.DATETIME(stored=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    count = 0
    for _ in range(3):
        with ix.writer(merge=False) as w:
            for _ in range(50):
                body = rng.choice(["oil", "oil x", "x"])
                doc: dict[str, object] = {"id": f"d{count}", "body": body}
                if rng.random() < 0.7:
                    doc["tags"] = rng.sample(["a", "b", "ç", "東京"], rng.randint(1, 3))
                if rng.random() < 0.8:
                    doc["n"] = rng.randint(-20, 120)
                if rng.random() < 0.8:
                    doc["when"] = dt.datetime(1987, rng.randint(1, 12), rng.randint(1, 28),
                                              rng.randint(0, 23))
                w.add_document(**doc)
                count += 1
        with ix.writer(merge=False) as w:
            for _ in range(6):
                w.delete_by_term("id", f"d{rng.randrange(count)}")
    with ix.searcher() as s:
        r = s.search("oil", limit=3, facets=[facets.Range("n", 0, 100, 25, before=True,
                                                            after=True),
                                             facets.DateBuckets("when", "month")])
        stored = {d: s.stored_fields(d) for d in s.search("oil", limit=None).docnums()}
        tags: dict[str, list[int]] = {}
        for d, fields in sorted(stored.items()):
            for tag in (fields.get("tags") or "").split(","):
                if tag:
                    tags.setdefault(tag, []).append(d)
        assert r.groups("tags") == tags
        numbers = [f["n"] for f in stored.values() if "n" in f]
        expected = {(None, 0): sum(v < 0 for v in numbers)}
        for low in range(0, 100, 25):
            expected[(low, low + 25)] = sum(low <= v < low + 25 for v in numbers)
        expected[(100, None)] = sum(v >= 100 for v in numbers)
        assert r.facets["n"] == expected
        months: dict[str, int] = {}
        for f in stored.values():
            if "when" in f:
                key = f["when"].strftime("%Y-%m")
                months[key] = months.get(key, 0) + 1
        assert r.facets["when"] == dict(sorted(months.items()))
        assert sum(len(v) for v in r.groups("n").values()) == len(numbers)
