"""Sharded indexes without Dask: the same results as one index, routing, commits."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import load_news
from tests.distributed.helpers import (
    assert_same,
    compare_all,
    news_rows,
    reference,
    schema,
    synthetic,
)

import heron
import heron.distributed as hd


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_same_results_as_one_index(tmp_path: Path, shards: int) -> None:
    rows = synthetic(400)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=shards)
    sx.index(rows)
    one = reference(tmp_path / "one", rows)
    assert sx.doc_count() == one.doc_count() == 400
    assert compare_all(sx, one) >= 4


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_same_results_on_news(tmp_path: Path, shards: int) -> None:
    rows = news_rows(load_news(2000))
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=shards)
    sx.index(rows)
    one = reference(tmp_path / "one", rows)
    assert compare_all(sx, one) >= 4
    with sx.searcher() as s, one.searcher() as o:
        for q in ['"interest rates"', "title:coffee prices", "oil OR opec"]:
            assert_same(s.search(q, limit=None), o.search(q, limit=None))
            mine, ref = s.search(q, limit=10), o.search(q, limit=10)
            assert [h.score for h in mine] == pytest.approx([h.score for h in ref], rel=1e-9)
            by_id = {h["id"]: h for h in ref}
            for hit in mine:  # the same hits, highlighted the same way
                if hit["id"] in by_id:
                    assert hit.highlights("body") == by_id[hit["id"]].highlights("body")


def test_each_shard_is_an_ordinary_index(tmp_path: Path) -> None:
    rows = synthetic(120)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=3)
    sx.index(rows)
    counts = []
    for number, path in enumerate(sx.shard_paths):
        ix = heron.open_index(path)
        ix.check()
        counts.append(ix.doc_count())
        with ix.searcher() as s:
            held = [d["id"] for d in s.documents()]
        assert all(hd.shard_of(sx.schema, i, 3) == number for i in held)
    assert sum(counts) == 120
    assert min(counts) > 0


def test_updates_and_deletes_find_their_shard(tmp_path: Path) -> None:
    rows = synthetic(60)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=4)
    sx.index(rows)
    with sx.writer() as w:
        w.update_document(id="d17", title="changed", body="a new body", words=3)
        w.delete_by_term("id", "d18")
        w.add_document(id="new", title="fresh", body="fresh text", words=2)
    assert sx.doc_count() == 60
    reopened = hd.open_sharded(tmp_path / "sharded")
    with reopened.searcher() as s:
        changed = s.document(id="d17") or {}
        assert (changed["title"], changed["body"], changed["words"]) == ("changed",
                                                                          "a new body", 3)
        assert len(list(s.documents(id="d17"))) == 1
        assert (s.document(id="new") or {})["title"] == "fresh"
        assert s.document(id="d18") is None
        assert s.search("title:changed").total == 1
    home = heron.open_index(sx.shard_paths[hd.shard_of(sx.schema, "d17", 4)])
    with home.searcher() as s:
        assert s.document(id="d17") is not None


def test_rerunning_a_load_makes_no_duplicates(tmp_path: Path) -> None:
    rows = synthetic(80)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=3)
    sx.index(rows)
    sx.index(rows[:50])
    assert sx.doc_count() == 80
    with sx.searcher() as s:
        assert s.search("words:[0 TO 100]", limit=None).total == 80


def test_a_schema_without_unique_field_is_refused(tmp_path: Path) -> None:
    plain = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT())
    with pytest.raises(heron.SchemaError, match="unique field"):
        hd.create_sharded(tmp_path / "sharded", plain, shards=2)
    assert not (tmp_path / "sharded").exists()


def test_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(heron.ArgumentTypeError):
        hd.create_sharded(tmp_path / "a", schema(), shards=2.0)  # type: ignore[arg-type]
    with pytest.raises(heron.ArgumentError):
        hd.create_sharded(tmp_path / "a", schema(), shards=0)
    sx = hd.create_sharded(tmp_path / "b", schema(), shards=2)
    with pytest.raises(heron.IndexExistsError):
        hd.create_sharded(tmp_path / "b", schema(), shards=2)
    with pytest.raises(heron.SchemaError, match="unique field"):
        sx.index([{"title": "no id"}])
    with pytest.raises(heron.IndexNotFoundError):
        hd.open_sharded(tmp_path / "nothing")
    with sx.searcher() as s, pytest.raises(heron.ArgumentError):
        s.search("x", limit=-1)


def test_a_reader_never_mixes_shard_commits(tmp_path: Path) -> None:
    """A shard commit that no sharded commit adopted (a crash between the two) is not seen,
    and the next sharded commit rolls it back before applying its own changes."""
    rows = synthetic(90)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=3)
    sx.index(rows)
    with sx.searcher() as before:
        first = before.search("tunnels", limit=None)
        # shard 0 commits on its own, as a sharded commit that died half-way leaves it
        orphan = heron.open_index(sx.shard_paths[0])
        with orphan.writer() as w:
            w.add_document(id="orphan", title="tunnels", body="tunnels", words=1)
        assert orphan.doc_count() == heron.open_index(sx.shard_paths[0]).doc_count()
        with sx.searcher() as during:
            assert during.search("tunnels", limit=None).total == first.total
            assert during.document(id="orphan") is None
        assert sx.doc_count() == 90
        # the next sharded commit starts from the adopted commits
        with sx.writer() as w:
            w.update_document(id="d1", title="tunnels again", body="x", words=1)
        assert sx.doc_count() == 90
        with sx.searcher() as after:
            assert after.document(id="orphan") is None
            assert (after.document(id="d1") or {})["title"] == "tunnels again"
        # the searcher opened first still sees its own commit
        assert before.search("tunnels", limit=None).total == first.total


def test_older_sharded_commits_stay_readable(tmp_path: Path) -> None:
    """The shard generations of the previous sharded commit are pinned: they open while
    newer commits exist; older ones are cleaned up by the shards' writers."""
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=2)
    sx.index(synthetic(40))
    seen = [sx.manifest()]
    for n in range(3):
        with sx.writer() as w:
            for i in range(6):
                w.update_document(id=f"d{i}", title=f"round {n}", body="b", words=1)
        seen.append(sx.manifest())
    for manifest in seen[-2:]:
        total = 0
        for name, gen in zip(manifest.shards, manifest.generations, strict=True):
            with heron.IndexReader.open(sx.path / name, generation=gen) as reader:
                total += reader.doc_count()
        assert total == 40
    gone = [g for old in seen[:-2] for g in old.generations
            if g not in seen[-1].generations + seen[-2].generations]
    assert gone
    removed = 0
    for name in seen[0].shards:
        for gen in gone:
            if not (sx.path / name / f"manifest_{gen:08d}.json").exists():
                removed += 1
                with pytest.raises(heron.IndexNotFoundError):
                    heron.IndexReader.open(sx.path / name, generation=gen)
    assert removed > 0
