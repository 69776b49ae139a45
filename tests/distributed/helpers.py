"""What the sharded tests share: documents, a reference index, and comparing rankings."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import heron
import heron.distributed as hd

WORDS = ["smuggling", "tunnels", "gaza", "egypt", "border", "wheat", "grain", "oil", "prices",
         "coffee", "rates", "interest", "bank", "exports"]


def schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                        body=heron.TEXT(stored=True), topics=heron.KEYWORD(stored=True,
                                                                            commas=True),
                        words=heron.NUMERIC(stored=True, sortable=True))


def synthetic(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Documents of varied lengths and word mixes (a linear congruential sequence)."""
    rows = []
    state = seed
    for i in range(count):
        words = []
        for _ in range(3 + i % 17):
            state = (state * 1103515245 + 12345) % (1 << 31)
            words.append(WORDS[state % len(WORDS)])
        rows.append({"id": f"d{i}", "title": " ".join(words[:3]), "body": " ".join(words),
                     "topics": ",".join(sorted({words[0], words[-1]})), "words": len(words)})
    return rows


def news_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """News articles in the tests' schema."""
    return [{"id": r["id"], "title": r["title"], "body": r["body"],
             "topics": ",".join(r["topics"]), "words": len(r["body"].split())} for r in rows]


def reference(path: Path, rows: Sequence[dict[str, Any]]) -> heron.Index:
    """One ordinary index holding every row."""
    ix = heron.create_index(path, schema())
    with ix.writer() as w:
        w.add_documents(rows)
    return ix


#: one query of each kind: keyword, phrase, field, range, and a boolean mix
QUERIES = ["tunnels gaza", '"oil prices"', "title:coffee", "words:[5 TO 9]",
           "grain AND (wheat OR exports) -bank", "interest rates bank"]


Group = tuple[tuple[Any, ...], float, frozenset[str]]


def groups(hits: Iterable[Any], key: Callable[[Any], tuple[Any, ...]] = lambda h: ()
           ) -> list[Group]:
    """Hits as runs of equal (sort key, score): within a run any order is a right order."""
    out: list[Group] = []
    for hit in hits:
        k, score = key(hit), hit.score
        if out and out[-1][0] == k and math.isclose(out[-1][1], score, rel_tol=1e-9):
            out[-1] = (k, out[-1][1], out[-1][2] | {hit["id"]})
        else:
            out.append((k, score, frozenset({hit["id"]})))
    return out


def assert_same(sharded: hd.ShardedResults, one: heron.Results,
                key: Callable[[Any], tuple[Any, ...]] = lambda h: ()) -> None:
    """Same total, same hits in the same order (ties too: one index's insertion order),
    scores to 1e-9."""
    assert sharded.total == one.total
    assert len(sharded) == len(one)
    assert [h["id"] for h in sharded] == [h["id"] for h in one]
    mine, theirs = groups(sharded, key), groups(one, key)
    assert [g[0] for g in mine] == [g[0] for g in theirs]
    assert [g[2] for g in mine] == [g[2] for g in theirs]
    for a, b in zip(mine, theirs, strict=True):
        assert math.isclose(a[1], b[1], rel_tol=1e-9)
    for a, b in zip(sharded, one, strict=True):
        assert math.isclose(a.score, b.score, rel_tol=1e-9)


def compare_all(sx: hd.ShardedIndex, one: heron.Index, client: Any = None) -> int:
    """Every query of QUERIES, whole and first page, with facets and sorting; the number
    of comparisons that found hits."""
    found = 0
    with sx.searcher(client=client) as s, one.searcher() as o:
        assert s.doc_count() == o.doc_count()
        for q in QUERIES:
            assert_same(s.search(q, limit=None), o.search(q, limit=None))
            page, ref = s.search(q, limit=5), o.search(q, limit=5)
            assert page.total == ref.total
            assert [h["id"] for h in page] == [h["id"] for h in ref]
            assert all(math.isclose(a.score, b.score, rel_tol=1e-9)
                       for a, b in zip(page, ref, strict=True))
            faceted = s.search(q, limit=None, facets=["topics", "words"])
            assert faceted.facets == o.search(q, limit=None, facets=["topics", "words"]).facets
            by = s.search(q, limit=None, sort_by=["-words", "id"])
            ref_by = o.search(q, limit=None, sort_by=["-words", "id"])
            assert [h["id"] for h in by] == [h["id"] for h in ref_by]
            assert_same(s.search(q, limit=None, sort_by="-words"),
                        o.search(q, limit=None, sort_by="-words"), key=lambda h: (h["words"],))
            found += ref.total > 0
    return found
