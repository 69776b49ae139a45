"""Collapsing results: at most ``collapse_limit`` hits per value of a field."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

import heron


def place_of(s: heron.Searcher, docnum: int) -> str | None:
    value = s.stored_fields(docnum).get("place")
    # a document with several values is keyed by the least in term (UTF-8) order
    return None if value is None else min(value.split(","), key=lambda t: t.encode())


def brute(s: heron.Searcher, query: str, limit: int, **kw: object) -> list[int]:
    """Collapse the full ranking by hand: the first value of the field is the key."""
    seen: Counter[str] = Counter()
    kept = []
    for docnum in s.search(query, limit=None, **kw).docnums():  # type: ignore[arg-type]
        key = place_of(s, docnum)
        if key is not None:
            seen[key] += 1
            if seen[key] > limit:
                continue
        kept.append(docnum)
    return kept


@pytest.mark.parametrize("limit", [1, 2])
def test_collapse_keeps_the_best_per_value(searcher: heron.Searcher, limit: int) -> None:
    query = "cocoa OR sugar OR oil"
    r = searcher.search(query, limit=None, collapse="place", collapse_limit=limit)
    assert r.docnums() == brute(searcher, query, limit)
    counts = Counter(place_of(searcher, d) for d in r.docnums())
    assert all(n <= limit for key, n in counts.items() if key is not None)
    assert r.total == len(r.docnums())
    assert [h.rank for h in r] == list(range(1, len(r) + 1))


def test_collapse_keeps_documents_without_a_value(searcher: heron.Searcher) -> None:
    r = searcher.search("prices OR petroleum OR quota OR grain OR wheat", limit=None,
                        collapse="place")
    found = {h["id"] for h in r}
    assert "d7" in found  # no place
    assert "d4" in found  # no place


def test_collapse_with_limit_and_offset(searcher: heron.Searcher) -> None:
    full = brute(searcher, "cocoa OR sugar OR oil", 1)
    r = searcher.search("cocoa OR sugar OR oil", limit=2, offset=1, collapse="place")
    assert r.docnums() == full[1:3]
    assert r.total == len(full)


def test_collapse_with_sort_by(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa OR sugar OR oil", limit=None, sort_by="-words",
                        collapse="place")
    assert r.docnums() == brute(searcher, "cocoa OR sugar OR oil", 1, sort_by="-words")
    assert [h["id"] for h in r][:2] == ["d8", "d6"]  # zürich's and ghana's largest


def test_collapse_on_a_column(searcher: heron.Searcher) -> None:
    r = searcher.search("cocoa OR prices", limit=None, collapse="date")
    dates = [searcher.stored_fields(d).get("date") for d in r.docnums()]
    present = [d for d in dates if d is not None]
    assert len(present) == len(set(present))
    # d1 and d3 differ in date; d6 and d7 share the day but not the hour: all kept
    assert len(r) == len(searcher.search("cocoa OR prices", limit=None))


def test_collapse_errors(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.HeronError):
        searcher.search("cocoa", collapse="body")  # TEXT: many terms per document
    with pytest.raises(heron.SchemaError):
        searcher.search("cocoa", collapse="nope")
    with pytest.raises(heron.ArgumentError):
        searcher.search("cocoa", collapse="place", collapse_limit=0)


def test_collapse_looks_past_a_crowded_top(tmp_path: Path) -> None:
    # the 200 best documents share one place: the ranked prefix must grow to find ten
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(),
                          place=heron.KEYWORD(stored=True, commas=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    for part in range(2):
        with ix.writer(merge=False) as w:
            for i in range(100):
                w.add_document(id=f"u{part}-{i}", body="oil " * (3 + i % 5), place="usa")
            for i in range(50):
                w.add_document(id=f"p{part}-{i}", body="oil", place=f"place{part}-{i}")
    with ix.searcher() as s:
        r = s.search("oil", limit=10, collapse="place")
        full = brute(s, "oil", 1)
        assert r.docnums() == full[:10]
        assert r.total == len(full) == 101
        assert sum(h["place"] == "usa" for h in r) == 1


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_collapse_matches_brute_force_on_random_segments(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(),
                          place=heron.KEYWORD(stored=True, commas=True),
                          words=heron.NUMERIC(stored=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    places = ["gaza", "sinai", "zürich", "köln", "oslo"]
    n = 0
    for _ in range(3):
        with ix.writer(merge=False) as w:
            for _ in range(40):
                doc = {"id": f"d{n}", "body": "oil " * rng.randint(1, 6) + "x " * rng.randint(0, 9),
                       "words": rng.randint(0, 50)}
                if rng.random() < 0.8:
                    doc["place"] = rng.sample(places, rng.randint(1, 2))
                w.add_document(**doc)
                n += 1
        with ix.writer(merge=False) as w:
            for _ in range(5):
                w.delete_by_term("id", f"d{rng.randrange(n)}")
    with ix.searcher() as s:
        for limit in (1, 2, 3):
            for sort_by in (None, "-words"):
                full = brute(s, "oil", limit, sort_by=sort_by)
                r = s.search("oil", limit=None, collapse="place", collapse_limit=limit,
                             sort_by=sort_by)
                assert r.docnums() == full
                assert r.total == len(full)
                page = s.search("oil", limit=4, offset=3, collapse="place",
                                collapse_limit=limit, sort_by=sort_by)
                assert page.docnums() == full[3:7]
