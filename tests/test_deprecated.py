"""Deprecated names: still importable for one release, each use warning."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron


def test_writer_is_a_deprecated_alias_of_index_writer(tmp_path: Path) -> None:
    with pytest.warns(DeprecationWarning, match=r"heron\.Writer is deprecated.*heron\.IndexWriter"):
        old = heron.Writer
    assert old is heron.IndexWriter
    ix = heron.create_index(tmp_path / "ix", heron.Schema(body=heron.TEXT(stored=True)))
    with ix.writer() as w:
        assert isinstance(w, old)
        w.add_document(body="still works")
        assert w.delete_by_query("nothing") == 0
    assert ix.doc_count() == 1


def test_from_import_warns_too() -> None:
    with pytest.warns(DeprecationWarning, match="heron.Writer"):
        from heron import Writer  # noqa: PLC0415 - the import is what is tested
    assert Writer is heron.IndexWriter


def test_deprecated_names_are_not_public() -> None:
    assert "Writer" not in heron.__all__
    assert "Writer" not in dir(heron)


def test_unknown_names_still_raise() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Writre'"):
        heron.Writre  # type: ignore[attr-defined]  # noqa: B018
