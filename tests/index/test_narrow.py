"""Segment format 3 writes offsets and norms narrower when their values fit; segments of
format 2 (wide arrays) stay readable, mergeable and checkable next to them."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import pytest

import heron
from heron.index import _format, _stored, _writer
from heron.index._files import Container
from heron.index._format import SEGMENT_MAGIC
from heron.index._stream import ContainerStream

_OFFSETS = ("terms.offsets", "terms.post", "terms.pos", "stored.offsets", "stored.blocks",
            "stored.zpos", "fwd.id.offsets", "surf.body.starts", "surf.body.offsets")


@pytest.mark.parametrize(("values", "dtype"), [
    ([0, 2**32 - 1], "<u4"), ([0, 2**32], "<i8"), ([-1, 5], "<i8"), ([], "<u4")])
def test_a_spilled_array_is_written_narrow_when_its_values_fit(
        tmp_path: Path, values: list[int], dtype: str) -> None:
    path = tmp_path / "c"
    with ContainerStream(path, SEGMENT_MAGIC) as out:
        out.spill("a", np.int64, "<u4").append(np.asarray(values, dtype=np.int64))
        out.finish({})
    c = Container(path, SEGMENT_MAGIC)
    try:
        assert c.dtype("a") == dtype
        assert c.array("a").tolist() == values
    finally:
        c.close()


def _schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                        body=heron.TEXT(stored=True))


@pytest.mark.parametrize(("longest", "dtype"), [(65535, "<u2"), (65536, "<u4")])
def test_norms_are_two_bytes_when_the_longest_field_fits(tmp_path: Path, longest: int,
                                                          dtype: str) -> None:
    ix = heron.create_index(tmp_path / "ix", _schema())
    with ix.writer() as w:
        w.add_document(id="long", title="long", body=" ".join(["word"] * longest))
        w.add_document(id="short", title="short", body="word and running words")
    with ix.searcher() as s:
        [seg] = s.reader.segments
        assert seg._c.dtype("norms.body") == dtype
        assert seg.norms("body").tolist() == [longest, 3]  # "and" is a stop word
        assert sorted(h["id"] for h in s.search("word")) == ["long", "short"]
    ix.check()


def _add(ix: heron.Index, lo: int, hi: int) -> None:
    with ix.writer() as w:
        for i in range(lo, hi):
            w.add_document(id=f"d{i}", title=f"title {i % 7} running",
                           body=f"tunnels {i} and {i % 13} runs of words number{i % 50}")


def _zlib_blocks(blocks: list[bytes]) -> list[bytes]:
    """Blocks as heron wrote them before manifest version 4: zlib streams."""
    return [zlib.compress(b, 1) for b in blocks]


@pytest.mark.parametrize("deletes", [False, True])
def test_format_2_segments_read_merge_and_check_next_to_format_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deletes: bool) -> None:
    """An old segment (wide arrays, stored blocks of 512 bytes at zlib level 1) merges with a
    new one: its blocks copied as they are (no deletions) or re-blocked."""
    ix = heron.create_index(tmp_path / "ix", _schema())
    with monkeypatch.context() as patch:
        patch.setattr(_format, "SEGMENT_FORMAT", _format.SEGMENT_FORMAT_2)
        patch.setattr(_stored, "BLOCK_BYTES", 512)
        patch.setattr(_stored, "compress_blocks", _zlib_blocks)
        _add(ix, 0, 300)
    _add(ix, 300, 600)
    if deletes:
        with ix.writer() as w:
            w.delete_by_term("id", "d5")
            w.delete_by_term("id", "d305")
    with ix.searcher() as s:
        old, new = s.reader.segments
        assert old._c.meta["format"] == _format.SEGMENT_FORMAT_2
        assert new._c.meta["format"] == _format.SEGMENT_FORMAT_3
        assert {old._c.dtype(n) for n in _OFFSETS} == {"<i8"}
        assert {new._c.dtype(n) for n in _OFFSETS} == {"<u4"}
        assert (old._c.dtype("norms.body"), new._c.dtype("norms.body")) == ("<u4", "<u2")
        old_blocks, new_blocks = (len(seg.raw_array("stored.blocks")) for seg in (old, new))
        assert old_blocks > 3 * new_blocks
        assert _codecs(old) == {"zlib"}
        assert _codecs(new) == {"zstd"}
        before = {q: sorted(h["id"] for h in s.search(q, limit=None))
                  for q in ("tunnels", "number7", '"runs of"', "title:running", "runs 13")}
        assert len(before["tunnels"]) == 598 if deletes else 600
        documents = {h["id"]: dict(h.fields) for h in s.search("tunnels", limit=None)}
    ix.check()
    with ix.writer() as w:
        w.commit(optimize=True)
    with ix.searcher() as s:
        [merged] = s.reader.segments
        assert merged._c.meta["format"] == _format.SEGMENT_FORMAT_3
        blocks = len(merged.raw_array("stored.blocks"))
        copied = old_blocks + new_blocks - 1  # the blocks of both, as they were
        assert blocks < copied if deletes else blocks == copied
        # copied as they were: one segment of both kinds; re-blocked: Zstandard frames
        assert _codecs(merged) == ({"zstd"} if deletes else {"zlib", "zstd"})
        assert {merged._c.dtype(n) for n in _OFFSETS} == {"<u4"}
        assert {q: sorted(h["id"] for h in s.search(q, limit=None)) for q in before} == before
        assert {h["id"]: dict(h.fields) for h in s.search("tunnels", limit=None)} == documents
    ix.check()


def _codecs(seg: heron.index.SegmentReader) -> set[str]:
    """What the stored blocks of a segment are: zstd frames, zlib streams, or both."""
    zpos, data = seg.raw_array("stored.zpos"), seg.raw_array("stored.data")
    return {"zstd" if data[int(z) : int(z) + 4].tobytes() == b"\x28\xb5\x2f\xfd" else "zlib"
            for z in zpos[:-1]}


def _manifest_version(path: Path) -> int:
    newest = max(path.glob("manifest_*.json"), key=lambda p: p.name)
    return int(json.loads(newest.read_text())["version"])


def test_a_commit_that_writes_no_segment_keeps_an_old_index_readable_by_old_heron(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index of heron 0.2 (format-2 segments, a version-2 manifest) stays version 2
    while commits only delete or merge nothing; the first new segment makes it 4."""
    ix = heron.create_index(tmp_path / "ix", _schema())
    with monkeypatch.context() as patch:
        patch.setattr(_format, "SEGMENT_FORMAT", _format.SEGMENT_FORMAT_2)
        patch.setattr(_writer, "FORMAT_VERSION", 2)  # heron 0.2 wrote version-2 manifests
        _add(ix, 0, 50)
    assert _manifest_version(tmp_path / "ix") == 2
    with ix.writer() as w:
        w.delete_by_term("id", "d5")
    assert _manifest_version(tmp_path / "ix") == 2  # deletions alone: old heron reads it
    with ix.searcher() as s:
        assert s.search("tunnels", limit=None).total == 49
    _add(ix, 50, 60)
    assert _manifest_version(tmp_path / "ix") == 4  # a new segment: old heron refuses
    with ix.searcher() as s:
        assert s.search("tunnels", limit=None).total == 59
