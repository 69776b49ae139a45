"""Deleting, updating and merging: deleted documents never show, merges keep the rest intact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import heron


def _schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True),
                        tags=heron.KEYWORD(stored=True, commas=True), n=heron.NUMERIC(stored=True))


def _docs(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"id": f"d{i}", "body": f"common word{i % 5} text number{i} smuggling tunnels",
             "tags": "draft" if i % 4 == 0 else "final", "n": i} for i in range(start, count)]


def _ids(ix: heron.Index) -> list[str]:
    with ix.searcher() as s:
        return sorted(d["id"] for d in s.documents())


@pytest.fixture
def ix(tmp_path: Path) -> heron.Index:
    index = heron.create_index(tmp_path / "ix", _schema())
    with index.writer() as w:
        w.add_documents(_docs(20))
    with index.writer() as w:
        w.add_documents(_docs(40, 20))
    return index


def test_delete_by_term_and_query(ix: heron.Index) -> None:
    with ix.writer() as w:
        assert w.delete_by_term("id", "d3") == 1
        assert w.delete_by_term("id", "d3") == 0
        assert w.delete_by_term("id", "nothing") == 0
        assert w.delete_by_query("tags:draft") == 10
        assert w.delete_by_term("n", 25) == 1
    gone = {"d3", "d25"} | {f"d{i}" for i in range(0, 40, 4)}
    assert ix.doc_count() == 40 - len(gone)
    assert _ids(ix) == sorted(f"d{i}" for i in range(40) if f"d{i}" not in gone)
    with ix.searcher() as s:
        assert s.doc_count() == ix.doc_count()
        res = s.search("common", limit=None, facets=["tags"])
        assert res.total == ix.doc_count()
        assert res.facets["tags"] == {"final": ix.doc_count()}
        assert {h["id"] for h in res}.isdisjoint(gone)
        assert s.search("number3").total == 0
        assert s.search('"smuggling tunnels"', limit=None).total == ix.doc_count()
        assert s.search("n:[0 TO 39]", limit=None).total == ix.doc_count()
        assert s.search("id:d*", limit=None).total == ix.doc_count()


def test_update_document_replaces(ix: heron.Index) -> None:
    with ix.writer() as w:
        assert w.update_document(id="d5", body="replaced body", n=500) == 1
        assert w.update_document(id="new", body="fresh", n=1) == 0
        # updating a document added by this same writer replaces it too
        assert w.update_document(id="new", body="fresher", n=2) == 1
        w.add_document(id="twice", body="first")
        w.update_document(id="twice", body="second")
    assert ix.doc_count() == 42
    with ix.searcher() as s:
        assert [h.fields for h in s.search("id:d5")] == [
            {"id": "d5", "body": "replaced body", "n": 500}]
        assert [h["body"] for h in s.search("id:new")] == ["fresher"]
        assert [h["body"] for h in s.search("id:twice")] == ["second"]
        assert s.search("number5").total == 0


def test_update_needs_a_unique_field_and_a_valid_document(tmp_path: Path) -> None:
    plain = heron.create_index(tmp_path / "p", heron.Schema(body=heron.TEXT()))
    with plain.writer() as w, pytest.raises(heron.SchemaError, match="unique"):
        w.update_document(body="x")
    ix = heron.create_index(tmp_path / "u", _schema())
    with ix.writer() as w:
        w.add_document(id="a", body="kept", n=1)
    with ix.writer() as w, pytest.raises(heron.SchemaError, match="'n'"):
        w.update_document(id="a", body="bad", n="not a number")
    assert _ids(ix) == ["a"]  # the bad update deleted nothing


def test_delete_by_query_in_same_writer_applies_to_earlier_documents(ix: heron.Index) -> None:
    with ix.writer() as w:
        w.add_document(id="x1", body="temporary", tags="draft", n=1)
        w.delete_by_query("tags:draft")
        w.add_document(id="x2", body="kept after the delete", tags="draft", n=2)
    ids = _ids(ix)
    assert "x1" not in ids
    assert "x2" in ids


def test_cancel_drops_deletes_and_files(ix: heron.Index) -> None:
    before = sorted(p.name for p in ix.path.iterdir())
    w = ix.writer(buffer_mb=0.001)
    w.delete_by_term("id", "d1")
    w.add_documents(_docs(200, 100))
    w.cancel()
    assert sorted(p.name for p in ix.path.iterdir()) == before
    assert ix.doc_count() == 40


def test_optimize_merges_into_one_segment(ix: heron.Index) -> None:
    with ix.searcher() as s:
        before = {h["id"]: h.fields for h in s.search("common", limit=None)}
        phrase_before = {h["id"] for h in s.search('"text number7"', limit=None)}
    with ix.writer() as w:
        w.delete_by_term("id", "d7")
        w.delete_by_term("id", "d30")
    ix.optimize()
    with ix.searcher() as s:
        assert len(s.reader.segments) == 1
        assert s.reader.max_doc == s.doc_count() == 38
        after = {h["id"]: h.fields for h in s.search("common", limit=None)}
        assert after == {k: v for k, v in before.items() if k not in ("d7", "d30")}
        assert {h["id"] for h in s.search('"text number7"', limit=None)} == phrase_before - {"d7"}
        assert [h["id"] for h in s.search("n:[10 TO 12]", sort_by="-n")] == ["d12", "d11", "d10"]
        assert s.search("tags:draft", limit=None, facets=["tags"]).facets["tags"] == {"draft": 10}
    ix.check()
    assert not [p for p in ix.path.iterdir() if p.name.endswith(".hdl")]


def test_merge_policy_keeps_segments_few(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", _schema())
    for start in range(0, 300, 5):  # sixty commits
        with ix.writer() as w:
            w.add_documents(_docs(start + 5, start))
    with ix.searcher() as s:
        assert len(s.reader.segments) < 15
        assert s.doc_count() == 300
        assert sorted(d["id"] for d in s.documents()) == sorted(f"d{i}" for i in range(300))
        assert s.search('"number123"').total == 1
    ix.check()


def test_merge_policy_can_be_turned_off(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", _schema())
    for start in range(0, 60, 5):
        with ix.writer(merge=False) as w:
            w.add_documents(_docs(start + 5, start))
    with ix.searcher() as s:
        assert len(s.reader.segments) == 12


def test_segment_with_many_deletions_is_reclaimed(ix: heron.Index) -> None:
    with ix.writer() as w:
        for i in range(12):
            w.delete_by_term("id", f"d{i}")
    with ix.searcher() as s:
        assert s.reader.max_doc == 28  # the first segment (20 docs, 12 deleted) was rewritten
        assert s.doc_count() == 28


def test_everything_deleted(ix: heron.Index) -> None:
    with ix.writer() as w:
        assert w.delete_by_query("common") == 40
    assert ix.doc_count() == 0
    with ix.searcher() as s:
        assert s.search("common").total == 0
        assert s.reader.segments == []


def test_readers_are_snapshots(ix: heron.Index) -> None:
    old = ix.searcher()
    with ix.writer() as w:
        w.delete_by_term("id", "d1")
        w.add_document(id="later", body="added later")
    assert old.search("number1").total == 1
    assert old.search("later").total == 0
    new = old.refresh()
    assert new is not old
    assert new.search("number1").total == 0
    assert new.search("later").total == 1
    assert new.refresh() is new
