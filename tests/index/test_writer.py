"""The writer: commits, rollbacks, validation before writing, the lock and buffer flushes."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

import heron


def _ids(ix: heron.Index) -> list[str]:
    with ix.searcher() as s:
        return sorted(s.stored_fields(d)["id"] for d in range(s.reader.max_doc))


def test_commit_on_clean_exit(tmp_path: Path, news_schema: heron.Schema,
                              sample_docs: list[dict[str, Any]]) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer() as w:
        w.add_documents(sample_docs)
    assert ix.doc_count() == 4
    assert _ids(ix) == ["a1", "a2", "a3", "a4"]


def _add_twice_then_fail(ix: heron.Index, docs: list[dict[str, Any]]) -> None:
    """Add ``docs`` twice through a tiny buffer (so segments get flushed), then raise."""
    with ix.writer(buffer_mb=0.0001) as w:
        w.add_documents(docs)
        w.add_documents(docs)
        raise RuntimeError("boom")


def test_exception_rolls_back_and_leaves_no_files(tmp_path: Path, news_schema: heron.Schema,
                                                  sample_docs: list[dict[str, Any]]) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer() as w:
        w.add_documents(sample_docs[:2])
    before = sorted(p.name for p in (tmp_path / "ix").iterdir())
    with pytest.raises(RuntimeError, match="boom"):
        _add_twice_then_fail(ix, sample_docs[2:])
    assert ix.doc_count() == 2
    assert sorted(p.name for p in (tmp_path / "ix").iterdir()) == before


def test_bad_document_raises_before_anything_is_written(
    tmp_path: Path, news_schema: heron.Schema
) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer() as w:
        w.add_document(id="ok", body="fine")
        with pytest.raises(heron.SchemaError, match="'year'"):
            w.add_document(id="bad", body="never seen", year="nineteen")
        with pytest.raises(heron.SchemaError, match="titel"):
            w.add_document(id="bad2", titel="typo")
    assert _ids(ix) == ["ok"]
    with ix.searcher() as s:
        assert s.search("never").total == 0


def test_cancel_and_closed_writer(tmp_path: Path, news_schema: heron.Schema) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    w = ix.writer()
    w.add_document(id="x", body="gone")
    w.cancel()
    assert ix.doc_count() == 0
    with pytest.raises(heron.WriterClosedError):
        w.add_document(id="y")
    w2 = ix.writer()  # the lock was released
    w2.add_document(id="y", body="kept")
    w2.commit()
    with pytest.raises(heron.WriterClosedError):
        w2.commit()
    assert ix.doc_count() == 1


def test_second_writer_is_refused_naming_the_holder(tmp_path: Path,
                                                    news_schema: heron.Schema) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer():
        with pytest.raises(heron.LockError, match="process"):
            ix.writer()
        with pytest.raises(heron.LockError):
            ix.writer(timeout=0.1)


def _hold_lock_and_die(path: str) -> None:
    ix = heron.open_index(path)
    w = ix.writer()
    w.add_document(id="lost", body="never committed")
    os._exit(0)  # dies holding the lock, without cleaning up


def test_lock_of_a_dead_process_is_taken_over(tmp_path: Path, news_schema: heron.Schema) -> None:
    heron.create_index(tmp_path / "ix", news_schema)
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=_hold_lock_and_die, args=(str(tmp_path / "ix"),))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    ix = heron.open_index(tmp_path / "ix")
    with ix.writer(timeout=5) as w:
        w.add_document(id="after", body="ok")
    assert _ids(ix) == ["after"]


def test_small_buffer_flushes_many_segments(tmp_path: Path, news_schema: heron.Schema) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    docs = [{"id": f"d{i}", "body": f"word{i % 7} common text number {i}"} for i in range(500)]
    # small batches and buffer, no merge: the flushed segments stay apart
    with ix.writer(buffer_mb=0.02, batch_docs=50, merge=False) as w:
        w.add_documents(docs)
    with ix.searcher() as s:
        assert len(s.reader.segments) > 3
        assert s.search("common").total == 500
        assert s.search("word3").total == len([d for d in range(500) if d % 7 == 3])
    assert ix.doc_count() == 500


def test_create_refuses_existing_unless_overwrite(tmp_path: Path, news_schema: heron.Schema,
                                                  sample_docs: list[dict[str, Any]]) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer() as w:
        w.add_documents(sample_docs)
    with pytest.raises(heron.IndexExistsError):
        heron.create_index(tmp_path / "ix", news_schema)
    ix = heron.create_index(tmp_path / "ix", news_schema, overwrite=True)
    assert ix.doc_count() == 0
    assert not list((tmp_path / "ix").glob("seg_*"))


def test_open_missing_index(tmp_path: Path) -> None:
    with pytest.raises(heron.IndexNotFoundError):
        heron.open_index(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(heron.IndexNotFoundError):
        heron.open_index(tmp_path / "empty")


def test_parallel_writer_matches_a_single_process(tmp_path: Path,
                                                  news_schema: heron.Schema) -> None:
    docs = [{"id": f"d{i}", "body": f"common word{i % 13} text {i}", "year": i}
            for i in range(3000)]

    def build(path: Path, procs: int) -> tuple[dict[str, Any], int]:
        ix = heron.create_index(path, news_schema)
        # many batches, so some go to the worker
        with ix.writer(procs=procs, batch_docs=50, merge=False) as w:
            w.add_documents(docs[:1500])
            w.flush()  # the worker builds the chunks it was given (none is taken back)
            w.update_document(id="d7", body="replaced", year=7)
            w.delete_by_term("id", "d8")
            w.add_documents(docs[1500:])
            w.delete_by_query("word3")
        with ix.searcher() as s:
            return {d["id"]: d for d in s.documents()}, len(s.reader.segments)

    one, _ = build(tmp_path / "one", 1)
    two, segments = build(tmp_path / "two", 2)
    assert segments >= 3  # the writer's own, and chunks a worker built
    assert one == two
    assert "d8" not in two
    assert two["d7"]["body"] == "replaced"
    assert not any("word3" in d["body"].split() for d in two.values())
    assert len(two) == 3000 - 1 - len([i for i in range(3000) if i % 13 == 3])


@pytest.mark.parametrize("merge", [True, False])
def test_parallel_writer_keeps_the_order_documents_were_added_in(
        tmp_path: Path, news_schema: heron.Schema, merge: bool) -> None:
    # batches go to the worker or stay in the writer's process as they come: whatever the
    # split, documents are numbered in the order they were added, as with one process,
    # so equal scores rank alike
    docs = [{"id": f"d{i:05d}", "body": f"alike words {i % 7}", "year": i} for i in range(4000)]
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer(procs=2, batch_docs=100, merge=merge) as w:
        w.add_documents(docs)
    with ix.searcher() as s:
        assert [d["id"] for d in s.documents()] == [d["id"] for d in docs]
        hits = s.search("alike", limit=None)
        assert len({h.score for h in hits}) < len(hits)  # ties: ranked by document number
        ties = [h["id"] for h in hits if h.score == hits[0].score]
        assert ties == sorted(ties)
