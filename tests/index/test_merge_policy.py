"""The merge policy at commit: a bulk load's flushed segments end as one (with one process
or several), then the logarithmic policy; what is found is the same as unmerged."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from tests.index.test_merge import _doc, _schema

import heron
from heron.index._manifest import SegmentEntry, latest_manifest
from heron.index._merge import MERGE_FACTOR, choose_merges

QUERIES = ["w1", "w2 w3 alpha", "title:w7 body:w7 w8", "title:w3 OR tags:green", "tags:red",
           "year:[1950 TO 1990]", "alp*", "w0 -w1"]


def _bulk_load(path: Path, *, procs: int, merge: bool, edits: bool, docs: int = 700
               ) -> heron.Index:
    """One writer with a tiny buffer: many flushes (``edits``: updates and deletions)."""
    rng = random.Random(13)
    ix = heron.create_index(path, _schema())
    with ix.writer(buffer_mb=0.02, batch_docs=50, procs=procs, merge=merge) as w:
        w.add_documents(_doc(n, rng) for n in range(docs // 2))
        if edits:
            w.update_document(**{**_doc(3, rng), "body": "replaced alpha"})
            w.delete_by_term("id", "d8")
        w.add_documents(_doc(n, rng) for n in range(docs // 2, docs))
        if edits:
            w.delete_by_query("w5")
    return ix


def _found(ix: heron.Index) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    with ix.searcher() as s:
        documents = {d["id"]: d for d in s.documents()}
        scores = {q: {h["id"]: h.score for h in s.search(q, limit=None)} for q in QUERIES}
    return documents, scores


def _segments(ix: heron.Index) -> int:
    return len(latest_manifest(ix.path).segments)


@pytest.mark.parametrize("procs", [1, 2])
@pytest.mark.parametrize("edits", [False, True])
def test_a_bulk_load_ends_as_one_segment(tmp_path: Path, procs: int, edits: bool) -> None:
    apart = _bulk_load(tmp_path / "apart", procs=procs, merge=False, edits=edits)
    merged = _bulk_load(tmp_path / "merged", procs=procs, merge=True, edits=edits)
    assert _segments(apart) > 3  # the tiny buffer flushed many segments
    assert _segments(merged) == 1
    merged.check()
    docs_apart, scores_apart = _found(apart)
    docs_merged, scores_merged = _found(merged)
    assert docs_merged == docs_apart
    assert ("d8" not in docs_merged) is edits
    for query in QUERIES:
        assert scores_merged[query].keys() == scores_apart[query].keys(), query
        if edits:  # deleted documents no longer count in the merged index's statistics
            continue
        for doc_id, score in scores_apart[query].items():
            assert scores_merged[query][doc_id] == pytest.approx(score, rel=1e-12), query
    assert all(scores_merged[q] for q in QUERIES)


@pytest.mark.parametrize("edits", [False, True])
def test_one_process_and_two_leave_the_same_segments(tmp_path: Path, edits: bool) -> None:
    one = _bulk_load(tmp_path / "one", procs=1, merge=True, edits=edits)
    two = _bulk_load(tmp_path / "two", procs=2, merge=True, edits=edits)
    assert _segments(one) == _segments(two) == 1
    assert _found(one) == _found(two)


def test_each_bulk_load_adds_one_segment(tmp_path: Path) -> None:
    rng = random.Random(5)
    ix = heron.create_index(tmp_path / "ix", _schema())
    for load in range(3):
        with ix.writer(buffer_mb=0.02, batch_docs=50) as w:
            w.add_documents(_doc(n, rng) for n in range(load * 300, (load + 1) * 300))
        assert _segments(ix) == load + 1  # earlier loads' segments are not rewritten
    assert ix.doc_count() == 900
    with ix.searcher() as s:
        assert sorted(d["id"] for d in s.documents()) == sorted(f"d{n}" for n in range(900))
    ix.check()


def _entry(name: str, docs: int, deleted: int = 0) -> SegmentEntry:
    entry = SegmentEntry(name, 100, 0, docs)
    return entry if not deleted else SegmentEntry(name, 100, 0, docs, deletions=f"{name}.del",
                                                  deleted_count=deleted)


def test_choose_merges_puts_the_fresh_segments_together_first() -> None:
    old = [_entry(f"old{i}", 50) for i in range(MERGE_FACTOR - 1)]
    fresh = [_entry(f"new{i}", 60) for i in range(3)]
    groups = choose_merges([*old, *fresh], fresh={"new0", "new1", "new2"})
    assert groups == [["new0", "new1", "new2"]]  # the old level lacks one segment
    # without the fresh set, the same entries fill the level: the log policy merges ten
    assert choose_merges([*old, *fresh]) == [[e.name for e in [*old, *fresh][:MERGE_FACTOR]]]
    # one fresh segment is no group of its own, but counts in its level
    assert choose_merges([old[0], fresh[0]], fresh={"new0"}) == []
    assert choose_merges([*old, fresh[0]], fresh={"new0"}) == [
        [e.name for e in [*old, fresh[0]]]]
    # a reclaim still happens
    assert choose_merges([_entry("a", 30, deleted=20), fresh[0]], fresh={"new0"}) == [["a"]]


def test_merges_keep_insertion_order(tmp_path: Path) -> None:
    """Segments merge only with their neighbours, so document numbers (what breaks ties
    between equal scores) keep the order documents were added in, whatever the sizes."""
    ix = heron.create_index(tmp_path / "o", heron.Schema(
        id=heron.ID(stored=True, unique=True), tag=heron.KEYWORD()))
    added: list[str] = []

    def commit(count: int) -> None:
        with ix.writer() as w:
            for _ in range(count):
                added.append(f"d{len(added)}")
                w.add_document(id=added[-1], tag="x")

    commit(1)  # a small segment, then a larger one, then small ones: levels interleave
    commit(2 * MERGE_FACTOR)
    for _ in range(3 * MERGE_FACTOR):
        commit(1)
        with ix.searcher() as s:
            assert [h["id"] for h in s.search("tag:x", limit=None)] == added
    assert len(latest_manifest(ix.path).segments) < 2 * MERGE_FACTOR


def test_choose_merges_takes_neighbours_only() -> None:
    sizes = [1, 50, *[1] * (MERGE_FACTOR - 1), 500, 1]
    entries = [SegmentEntry(f"s{i}", 1, 0, n) for i, n in enumerate(sizes)]
    for group in choose_merges(entries):
        at = [int(name[1:]) for name in group]
        assert at == list(range(at[0], at[0] + len(at)))
