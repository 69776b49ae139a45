"""Sharded search = one index for expanding queries (prefix, wildcard, fuzzy, term ranges,
their caps), for every scoring model, and with a QueryParser."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.distributed.helpers import QUERIES, reference, schema, synthetic

import heron
import heron.distributed as hd
from heron.scoring import BM25F, TFIDF, Frequency, FunctionScoring

#: "zorbel" and its neighbours are rare: some shards hold neighbours but not "zorbel",
#: the most frequent expansion, whose frequency one index's fuzzy score blends with
VARIANTS = ["zorbek", "zorbex", "forbel", "zorbab", "zorbem", "zurbel", "zorbelx"]


def variant_rows(count: int) -> list[dict[str, Any]]:
    rows = synthetic(count, seed=11)
    for i, row in enumerate(rows):
        if i % 30 == 0:
            row["body"] = f"{row['body']} zorbel"
        elif i % 60 in range(7, 56, 7):
            row["body"] = f"{row['body']} {VARIANTS[i % 60 // 7 - 1]}"
        if i % 5 == 0:
            row["title"] = f"{row['title']} {VARIANTS[(i // 5) % len(VARIANTS)]}"
    return rows


def assert_equal(sharded: Any, one: Any) -> None:
    """Same total, same ids in the same order, scores to 1e-9."""
    assert sharded.total == one.total
    assert [h["id"] for h in sharded] == [h["id"] for h in one]
    for a, b in zip(sharded, one, strict=True):
        assert math.isclose(a.score, b.score, rel_tol=1e-9)


def build(tmp_path: Path, rows: list[dict[str, Any]], shards: int
          ) -> tuple[hd.ShardedIndex, heron.Index]:
    sx = hd.create_sharded(tmp_path / f"sharded{shards}", schema(), shards=shards)
    sx.index(rows)
    return sx, reference(tmp_path / f"one{shards}", rows)


EXPANDING = ["zorbel~", "body:zorbel~1", "zorbek~2 gaza", "zor*", "body:z?rbe*", "*rbel",
             "id:[d1 TO d3]", "title:zorbem~ AND body:zor*", "zorbl~ -oil", "tunnel~"]


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_expansions_are_those_of_one_index(tmp_path: Path, shards: int) -> None:
    sx, one = build(tmp_path, variant_rows(240), shards)
    with sx.searcher() as s, one.searcher() as o:
        for q in EXPANDING:
            assert_equal(s.search(q, limit=None), o.search(q, limit=None))
            assert_equal(s.search(q, limit=6, offset=3), o.search(q, limit=6, offset=3))
            assert_equal(s.search("gaza", filter=q, limit=None),
                         o.search("gaza", filter=q, limit=None))
        assert s.search("body:zorbel~", limit=None).total > 30


@pytest.mark.parametrize("shards", [3, 8])
def test_the_cap_counts_every_shard_expansions(tmp_path: Path, shards: int) -> None:
    rows = [{"id": f"c{i}", "title": "", "body": f"tun{chr(97 + i)}x tunnel", "topics": "",
             "words": 1} for i in range(9)]
    sx, one = build(tmp_path, rows, shards)
    with sx.searcher() as s, one.searcher() as o:
        for q in ["tun*", "tun?x", "tunbx~2"]:
            assert s.search(q, limit=None, max_expansions=10).total == o.search(
                q, limit=None, max_expansions=10).total
            with pytest.raises(heron.QueryError, match="more than 4 terms") as theirs:
                o.search(q, max_expansions=4)
            with pytest.raises(heron.QueryError, match="more than 4 terms") as mine:
                s.search(q, max_expansions=4)
            assert mine.value.message == theirs.value.message


def idf_like(tf: Any, df: Any, length: Any, avg: Any, n: Any) -> Any:
    return tf * np.log(1 + n / df) / (1 + length / avg)


MODELS = [BM25F(), BM25F(k1=2.0, b={"title": 0.3, "body": 0.8}, weights={"title": 2.5}),
          TFIDF(), Frequency(), FunctionScoring(idf_like)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("shards", [1, 3, 8])
def test_every_scoring_model_scores_as_one_index(tmp_path: Path, model: Any,
                                                 shards: int) -> None:
    rows = variant_rows(200)
    sx, one_ix = build(tmp_path, rows, shards)
    with sx.searcher(scoring=model) as s, heron.Searcher(one_ix.reader(), model) as o:
        for q in [*QUERIES, "zorbel~", "zor*"]:
            assert_equal(s.search(q, limit=None), o.search(q, limit=None))
            assert_equal(s.search(q, limit=5), o.search(q, limit=5))
            assert_equal(s.search(q, limit=None, sort_by="-words"),
                         o.search(q, limit=None, sort_by="-words"))


def test_a_query_parser_reads_queries_as_in_one_index(tmp_path: Path) -> None:
    sx, one = build(tmp_path, variant_rows(200), 3)
    parser = heron.QueryParser(sx.schema, ["title", "body"], fieldboosts={"title": 2.5},
                               default_operator="AND", disable={"wildcard"},
                               max_expansions=50)
    with sx.searcher(scoring=BM25F()) as s, heron.Searcher(one.reader(), BM25F()) as o:
        for q in ["gaza tunnels", "zor* oil", "zorbel~ egypt", '"oil prices"']:
            assert_equal(s.search(q, limit=None, parser=parser),
                         o.search(q, limit=None, parser=parser))
            assert_equal(s.search(q, limit=None, parser=parser, filter="bank OR rates"),
                         o.search(q, limit=None, parser=parser, filter="bank OR rates"))
        with pytest.raises(heron.ArgumentError, match="with a parser"):
            s.search("gaza", parser=parser, default_operator="AND")
        with pytest.raises(heron.ArgumentTypeError):
            s.search("gaza", parser="title")  # type: ignore[arg-type]
    with pytest.raises(heron.ArgumentTypeError, match="scoring"):
        sx.searcher(scoring="bm25")  # type: ignore[arg-type]
