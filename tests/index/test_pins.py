"""Pinned generations: a writer keeps their files; a reader opens a commit by generation."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron
from heron.index._pins import (
    PINS_NAME,
    pin_generations,
    pinned_generations,
    read_generation,
    restore_generation,
)


def _index(path: Path) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True))
    return heron.create_index(path, schema)


def _commit(ix: heron.Index, *ids: str) -> int:
    with ix.writer() as w:
        for i in ids:
            w.update_document(id=i, body=f"text of {i}")
    return ix.latest_generation()


def test_a_pinned_generation_survives_newer_commits(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    first = _commit(ix, "a", "b")
    pin_generations(ix.path, [first])
    assert pinned_generations(ix.path) == [first]
    _commit(ix, "a")
    _commit(ix, "c")
    with heron.IndexReader.open(ix.path, generation=first) as reader:
        assert reader.doc_count() == 2
        assert sorted(reader.stored_fields(d)["id"] for d in range(reader.max_doc)) == ["a", "b"]
    assert ix.doc_count() == 3


def test_an_unpinned_generation_is_removed(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    first = _commit(ix, "a")
    _commit(ix, "a")
    _commit(ix, "b")
    with pytest.raises(heron.IndexNotFoundError, match=f"no commit {first}"):
        heron.IndexReader.open(ix.path, generation=first)
    with pytest.raises(heron.IndexNotFoundError):
        read_generation(tmp_path / "absent", 1)


def test_restore_makes_an_older_commit_newest(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    first = _commit(ix, "a")
    pin_generations(ix.path, [first])
    _commit(ix, "b", "c")
    assert ix.doc_count() == 3
    newest = restore_generation(ix.path, first)
    assert newest > first
    assert ix.latest_generation() == newest
    assert ix.doc_count() == 1
    ix.check()
    assert restore_generation(ix.path, newest) == newest  # already newest: nothing written
    assert _commit(ix, "d") == newest + 1
    assert ix.doc_count() == 2


def test_a_damaged_pins_file_is_corrupt(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    pin_generations(ix.path, [1])
    path = ix.path / PINS_NAME
    path.write_bytes(path.read_bytes().replace(b"[1]", b"[2]"))
    with pytest.raises(heron.CorruptIndexError, match="checksum"):
        pinned_generations(ix.path)
    path.write_bytes(b"\\x00garbage")
    with pytest.raises(heron.CorruptIndexError):
        pinned_generations(ix.path)
