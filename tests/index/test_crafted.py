"""Damaged segments whose checksums are all correct: always CorruptIndexError, nothing else."""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.index.crafting import (
    JSON_VALUES,
    Arrays,
    build,
    check_raises,
    copy_index,
    craft_deletions,
    craft_segment,
    leaves,
    nested,
    outcomes,
    read_container,
    read_manifest,
    replace_at,
    stored_arrays,
    stored_documents,
)

import heron
from heron.errors import CorruptIndexError
from heron.index._stored import compress_blocks

Edit = Callable[[Arrays, dict[str, Any]], None]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crafted") / "ix"
    build(path)
    return path


def _set(name: str, change: Callable[[np.ndarray], np.ndarray | None]) -> Edit:
    """An edit of one array: ``change`` edits it in place or returns a replacement."""

    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        new = change(arrays[name])
        if new is not None:
            arrays[name] = new

    return edit


def _meta(change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        change(meta)

    return edit


def _drop(name: str) -> Edit:
    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        del arrays[name]

    return edit


def _add(name: str, arr: np.ndarray) -> Edit:
    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        arrays[name] = arr

    return edit


def _stored(change: Callable[[list[bytes]], list[bytes]], tail: bytes = b"",
            frame: Callable[[bytes], bytes] | None = None) -> Edit:
    """Rebuild the stored fields from edited documents (``frame``: how a block is made)."""

    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        arrays.update(stored_arrays(change(stored_documents(arrays)), tail, frame=frame))

    return edit


def _claims(total: int, frame: Callable[[bytes], bytes]) -> Edit:
    """Every document in one block whose offsets (and, for zstd, the frame's header) say
    the block holds ``total`` bytes, while it holds two."""

    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        n = len(arrays["stored.offsets"]) - 1
        offsets = np.arange(n + 1, dtype=np.int64) + (total - n)
        offsets[0] = 0
        raw = frame(b"{}")
        arrays.update({"stored.offsets": offsets,
                       "stored.blocks": np.array([0, total], dtype=np.int64),
                       "stored.zpos": np.array([0, len(raw)], dtype=np.int64),
                       "stored.data": np.frombuffer(raw, dtype=np.uint8).copy()})

    return edit


def _zstd_saying(size: int) -> Callable[[bytes], bytes]:
    """A zstd frame of one raw block whose header says it holds ``size`` bytes."""

    def frame(payload: bytes) -> bytes:
        header = b"\x28\xb5\x2f\xfd" + bytes([0xE0]) + size.to_bytes(8, "little")
        return header + ((len(payload) << 3) | 1).to_bytes(3, "little") + payload

    return frame


def _flip_last(raw: bytes) -> bytes:
    """The frame with the last byte of its checksum changed."""
    return raw[:-1] + bytes([raw[-1] ^ 0xFF])


def _descend(arr: np.ndarray) -> None:
    """Make an offsets array decrease once, somewhere inside."""
    arr[1] = arr[2] + 1


def _grow_last(by: int) -> Callable[[np.ndarray], None]:
    def change(arr: np.ndarray) -> None:
        arr[-1] += by

    return change


def _nudge_inner(arr: np.ndarray) -> None:
    """Move one inner offset by one without breaking the order (a term gets one more)."""
    for j in range(1, len(arr) - 1):
        if arr[j - 1] < arr[j] < arr[j + 1]:
            arr[j] += 1
            return
    raise AssertionError("no offset to nudge")


def _wide(change: Callable[[np.ndarray], None]) -> Callable[[np.ndarray], np.ndarray]:
    """``change`` applied to the array as int64 (offsets are written narrower when they fit)."""

    def wide(arr: np.ndarray) -> np.ndarray:
        arr = arr.astype(np.int64)
        change(arr)
        return arr

    return wide


def _narrow(change: Callable[[np.ndarray], None]) -> Callable[[np.ndarray], np.ndarray]:
    """``change`` applied to the array as uint32."""

    def narrow(arr: np.ndarray) -> np.ndarray:
        arr = arr.astype(np.uint32)
        change(arr)
        return arr

    return narrow


def _skip(terms: list[int], first: list[int], last: list[int]) -> Edit:
    """Replace the skip data of the compressed document numbers."""

    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        arrays["skip.terms"] = np.asarray(terms, dtype=np.uint32)
        arrays["skip.first"] = np.asarray(first, dtype=np.uint32)
        arrays["skip.last"] = np.asarray(last, dtype=np.uint32)

    return edit


def _pos(field: str, what: int) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        meta["fields"][field] = what

    return change


def _setitem(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        meta[key] = value

    return change


def _range(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        meta["term_ranges"][field] = value

    return change


def _swap_ranges(meta: dict[str, Any]) -> None:
    ranges = meta["term_ranges"]
    ranges["title"], ranges["body"] = ranges["body"], ranges["title"]


def _stat(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        meta["stats"][field] = value

    return change


def _colmask_two(arr: np.ndarray) -> None:
    arr.view(np.uint8)[3] = 2


def _first_doc(new: bytes) -> Callable[[list[bytes]], list[bytes]]:
    return lambda documents: [new, *documents[1:]]


#: damage found when the damaged part is first used (or when the segment opens)
SEGMENT_DAMAGE: dict[str, Edit] = {
    # postings
    "post.docs uint16 in format 3": _set("post.docs", lambda a: a.astype(np.uint16)),
    "terms.docs decreasing": _set("terms.docs", _descend),
    "terms.docs past the data": _set("terms.docs", _grow_last(3)),
    "terms.docs one short": _set("terms.docs", lambda a: a[:-1]),
    "terms.docs a term's bytes moved": _set("terms.docs", _nudge_inner),
    "terms.docs float64": _set("terms.docs", lambda a: a.astype(np.float64)),
    "skip.terms names a term of one block": _skip([0], [0, 1], [0]),
    "skip.first past the blocks": _skip([], [5], []),
    "skip.last past skip.first": _skip([], [0], [3]),
    "skip.last missing": _drop("skip.last"),
    "skip.last int64": _set("skip.last", lambda a: a.astype(np.int64)),
    "compressed documents in format 2": _meta(_setitem("format", "heron-segment-2")),
    "post.docs float64": _set("post.docs", lambda a: a.astype(np.float64)),
    "post.docs int8": _set("post.docs", lambda a: a.astype(np.int8)),
    "post.docs uint64": _set("post.docs", lambda a: a.astype(np.uint64)),
    "post.docs 2-D": _set("post.docs", lambda a: a.reshape(-1, 1)),
    "post.docs shorter": _set("post.docs", lambda a: a[:-1]),
    "post.freqs zero": _set("post.freqs", lambda a: a.__setitem__(0, 0)),
    "post.freqs shorter": _set("post.freqs", lambda a: a[:-1]),
    "post.freqs float32": _set("post.freqs", lambda a: a.astype(np.float32)),
    # dictionary
    "terms.offsets int8": _set("terms.offsets", lambda a: a.astype(np.int8)),
    "terms.offsets int32": _set("terms.offsets", lambda a: a.astype(np.int32)),
    "terms.offsets one short": _set("terms.offsets", lambda a: a[:-1]),
    "terms.offsets decreasing": _set("terms.offsets", _descend),
    "terms.offsets past the blob": _set("terms.offsets", _grow_last(5)),
    "terms.offsets negative": _set("terms.offsets", _wide(lambda a: a.__setitem__(0, -3))),
    "terms.keys shorter": _set("terms.keys", lambda a: a[:-1]),
    "terms.keys int64": _set("terms.keys", lambda a: a.astype(np.int64)),
    "terms.post decreasing": _set("terms.post", _descend),
    "terms.post past the postings": _set("terms.post", _grow_last(3)),
    "terms.post huge": _set("terms.post", _wide(lambda a: a.__setitem__(5, 2**62))),
    "terms.post huge in uint32": _set("terms.post", _narrow(lambda a: a.__setitem__(
        5, 2**32 - 1))),
    "terms.post uint16": _set("terms.post", lambda a: a.astype(np.uint16)),
    "stored.offsets int32": _set("stored.offsets", lambda a: a.astype(np.int32)),
    "norms uint8": _set("norms.body", lambda a: a.astype(np.uint8)),
    "norms int64": _set("norms.body", lambda a: a.astype(np.int64)),
    "terms.post float64": _set("terms.post", lambda a: a.astype(np.float64)),
    "terms.pos decreasing": _set("terms.pos", _descend),
    "terms.pos past the positions": _set("terms.pos", _grow_last(1)),
    "terms.pos not adding up": _set("terms.pos", _nudge_inner),
    "pos.data int64": _set("pos.data", lambda a: a.astype(np.int64)),
    "pos.data shorter": _set("pos.data", lambda a: a[:-1]),
    # per-field arrays
    "norms shorter": _set("norms.body", lambda a: a[:-1]),
    "norms float32": _set("norms.body", lambda a: a.astype(np.float32)),
    "norms of an unknown field": _add("norms.nothing", np.zeros(40, np.uint32)),
    "col shorter": _set("col.year", lambda a: a[:-1]),
    "col uint32": _set("col.year", lambda a: a.astype(np.uint32)),
    "colmask holds 2": _set("colmask.year", _colmask_two),
    "colmask missing": _drop("colmask.year"),
    "fwd offsets decreasing": _set("fwd.tags.offsets", _descend),
    "fwd offsets past the terms": _set("fwd.tags.offsets", _grow_last(2)),
    "fwd offsets one short": _set("fwd.id.offsets", lambda a: a[:-1]),
    "fwd terms outside the field": _set("fwd.tags.terms", lambda a: a.__setitem__(0, 10**6)),
    "fwd terms missing": _drop("fwd.tags.terms"),
    "surf starts decreasing": _set("surf.body.starts", _descend),
    "surf starts one short": _set("surf.body.starts", lambda a: a[:-1]),
    "surf starts past the forms": _set("surf.body.starts", _grow_last(2)),
    "surf offsets past the blob": _set("surf.body.offsets", _grow_last(3)),
    "surf offsets decreasing": _set("surf.body.offsets", _descend),
    "surf counts zero": _set("surf.body.counts", lambda a: a.__setitem__(0, 0)),
    "surf counts int64": _set("surf.body.counts", lambda a: a.astype(np.int64)),
    "surf blob missing": _drop("surf.body.blob"),
    "surf of an unknown field": _add("surf.nothing.blob", np.zeros(3, np.uint8)),
    # stored fields
    "stored.offsets decreasing": _set("stored.offsets", _descend),
    "stored.offsets past the blocks": _set("stored.offsets", _grow_last(100)),
    "stored.offsets empty last document": _set(
        "stored.offsets", lambda a: a.__setitem__(-1, a[-2])),
    "stored.offsets one short": _set("stored.offsets", lambda a: a[:-1]),
    "stored.blocks inside a document": _set("stored.blocks", lambda a: a.__setitem__(1, a[1] + 1)),
    "stored.blocks shorter": _set("stored.blocks", lambda a: a[:-1]),
    "stored.zpos decreasing": _set("stored.zpos", _descend),
    "stored.zpos past the data": _set("stored.zpos", _grow_last(7)),
    "stored.zpos empty": _set("stored.zpos", lambda a: a[:0]),
    "stored.data flipped byte": _set("stored.data", lambda a: a.__setitem__(20, a[20] ^ 0xFF)),
    "stored block inflates to more": _stored(lambda d: d, tail=b" " * 100_000),
    "stored zlib block inflates to more": _stored(lambda d: d, tail=b" " * 100_000,
                                                  frame=zlib.compress),
    "stored zlib block damaged": _stored(lambda d: d, frame=lambda raw: zlib.compress(raw)[:-3]),
    "stored frame without its size": _stored(lambda d: d, frame=zstandard.ZstdCompressor(
        write_content_size=False).compress),
    "stored frame and more": _stored(lambda d: d, frame=lambda raw: compress_blocks([raw])[0]
                                     + b"\x00\x01"),
    "stored frame checksum wrong": _stored(lambda d: d, frame=lambda raw: _flip_last(
        compress_blocks([raw])[0])),
    "stored frame claims 2**44 bytes": _claims(2**44, _zstd_saying(2**44)),
    "stored zlib block claims 2**63-1 bytes": _claims(2**63 - 1, zlib.compress),
    "stored frame claims 2**63-1 bytes": _claims(2**63 - 1, _zstd_saying(2**63 - 1)),
    "stored frame truncated": _stored(lambda d: d,
                                      frame=lambda raw: compress_blocks([raw])[0][:-6]),
    "stored document deeply nested": _stored(_first_doc(nested(100_000).encode())),
    "stored document not an object": _stored(_first_doc(b"[1, 2]")),
    "stored document not UTF-8": _stored(_first_doc(b'{"id": "\xff\xfe"}')),
    # arrays that should not be there, or are not
    "unknown array": _add("evil", np.zeros(3, np.uint8)),
    "terms.post missing": _drop("terms.post"),
    "stored.data missing": _drop("stored.data"),
    # metadata
    "field number 2**40": _meta(_pos("body", 2**40)),
    "field number 300 in format 1": _meta(lambda m: m.update(
        format="heron-segment-1", fields={**m["fields"], "body": 300})),
    "field number negative": _meta(_pos("body", -1)),
    "field number a bool": _meta(_pos("body", True)),
    "field number a string": _meta(_pos("body", "1")),
    "field numbers duplicated": _meta(lambda m: m["fields"].__setitem__("body", m["fields"]["id"])),
    "fields a list": _meta(_setitem("fields", ["id", "body"])),
    "term range reversed": _meta(lambda m: m["term_ranges"]["body"].reverse()),
    "term range past the dictionary": _meta(_range("body", [0, 10**9])),
    "term range negative": _meta(_range("body", [-5, 3])),
    "term range of three": _meta(_range("body", [0, 1, 2])),
    "term range of an unknown field": _meta(_range("nothing", [0, 0])),
    "term ranges out of field order": _meta(_swap_ranges),
    "term ranges a list": _meta(_setitem("term_ranges", [[0, 1]])),
    "stats a list": _meta(_setitem("stats", [])),
    "stats docs a string": _meta(_stat("body", {"docs": "40", "length": 10})),
    "stats without length": _meta(_stat("body", {"docs": 4})),
    "stats docs past the segment": _meta(_stat("body", {"docs": 41, "length": 10})),
    "stats negative length": _meta(_stat("body", {"docs": 4, "length": -1})),
    "stats length zero": _meta(_stat("title", {"docs": 40, "length": 0})),
    "stats length below docs": _meta(_stat("title", {"docs": 40, "length": 39})),
    "stats a number": _meta(_stat("body", 7)),
    "stats of an unknown field": _meta(_stat("nothing", {"docs": 0, "length": 0})),
    "doc_count a string": _meta(_setitem("doc_count", "40")),
    "unknown format": _meta(_setitem("format", "heron-segment-9")),
    "extra meta key": _meta(_setitem("extra", 1)),
    "meta without stats": _meta(lambda m: m.pop("stats")),
}


def _toc_entry(name: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(toc: dict[str, Any]) -> None:
        toc["arrays"][name][key] = value

    return edit


def _toc_set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(toc: dict[str, Any]) -> None:
        toc[key] = value

    return edit


def _deep_meta(text: str) -> str:
    return text.replace('"meta":{', '"meta":{"deep":' + nested(100_000) + ",", 1)


TOC_DAMAGE: dict[str, Callable[[dict[str, Any]], None]] = {
    "shape disagrees with nbytes": _toc_entry("post.docs", "shape", [3]),
    "shape negative": _toc_entry("post.docs", "shape", [-1]),
    "shape huge": _toc_entry("post.docs", "shape", [2**62, 4]),
    "shape a string": _toc_entry("post.docs", "shape", "12"),
    "shape of floats": _toc_entry("post.docs", "shape", [1.5]),
    "dtype big-endian": _toc_entry("terms.post", "dtype", ">i8"),
    "dtype object": _toc_entry("terms.post", "dtype", "|O"),
    "offset negative": _toc_entry("terms.post", "offset", -64),
    "offset into the header": _toc_entry("terms.blob", "offset", 0),
    "offset past the end": _toc_entry("terms.post", "offset", 10**12),
    "nbytes a float": _toc_entry("terms.post", "nbytes", 8.0),
    "crc a string": _toc_entry("terms.post", "crc32", "0"),
    "entry with an extra key": _toc_entry("terms.post", "extra", 1),
    "arrays a list": _toc_set("arrays", []),
    "meta a list": _toc_set("meta", []),
    "extra key": _toc_set("extra", {}),
}

#: damage only a full check can see: nothing else raises, the check does
CHECK_ONLY: dict[str, Edit] = {}


def _swap_postings(arrays: Arrays, meta: dict[str, Any]) -> None:
    post, docs = arrays["terms.post"], arrays["post.docs"]
    for t in range(len(post) - 1):
        a, b = int(post[t]), int(post[t + 1])
        if b - a >= 2:
            if "terms.docs" in arrays:  # format 3: gaps; a second gap of 0 repeats a document
                docs[int(arrays["terms.docs"][t]) + 4] = 0
            else:
                docs[a], docs[a + 1] = docs[a + 1], docs[a]
            return
    raise AssertionError("no term with two postings")


def _swap_positions(arrays: Arrays, meta: dict[str, Any]) -> None:
    pos, data = arrays["terms.pos"], arrays["pos.data"]
    post, freqs = arrays["terms.post"], arrays["post.freqs"]
    for t in range(len(post) - 1):
        if pos[t + 1] == pos[t]:
            continue
        at = int(pos[t])
        for j in range(int(post[t]), int(post[t + 1])):
            f = int(freqs[j])
            if f >= 2 and data[at] != data[at + 1]:
                data[at], data[at + 1] = data[at + 1], data[at]
                return
            at += f
    raise AssertionError("no posting with two positions")


CHECK_ONLY["positions not ascending within a posting"] = _swap_positions
# format 3: a term's documents are checked when it is decoded (these terms: by no operation;
# tests/index/test_postings.py decodes damaged ones)
CHECK_ONLY["postings not ascending within a term"] = _swap_postings
CHECK_ONLY["post.docs past the documents"] = _set("post.docs", lambda a: a.__setitem__(-1, 255))
CHECK_ONLY["stats disagree with norms"] = _meta(
    lambda m: m["stats"]["body"].__setitem__("length", m["stats"]["body"]["length"] + 1))


def _assert_refused(path: Path) -> None:
    seen = outcomes(path)
    assert "corrupt" in seen.values(), seen
    assert check_raises(path)


@pytest.mark.parametrize("damage", SEGMENT_DAMAGE)
def test_damaged_segment(base: Path, tmp_path: Path, damage: str) -> None:
    path = copy_index(base, tmp_path / "ix")
    craft_segment(path, SEGMENT_DAMAGE[damage])
    _assert_refused(path)


@pytest.mark.parametrize("damage", [
    "stored frame claims 2**44 bytes", "stored zlib block claims 2**63-1 bytes",
    "stored frame claims 2**63-1 bytes", "stored block inflates to more",
    "stored zlib block inflates to more", "stored frame checksum wrong"])
def test_a_merge_that_reblocks_damaged_stored_documents_refuses(base: Path, tmp_path: Path,
                                                                damage: str) -> None:
    """A merge inflates the blocks of a segment with deletions to write its live documents
    again: a damaged block raises CorruptIndexError there too, and nothing is published."""
    path = copy_index(base, tmp_path / "ix")
    craft_segment(path, SEGMENT_DAMAGE[damage])
    before = sorted(p.name for p in path.iterdir())
    writer = heron.open_index(path).writer()
    writer.delete_by_term("id", "d3")
    with pytest.raises(CorruptIndexError):
        writer.commit(optimize=True)
    assert writer.closed  # the failed commit cancelled it
    assert sorted(p.name for p in path.iterdir()) == before


@pytest.mark.parametrize("damage", TOC_DAMAGE)
def test_damaged_table_of_contents(base: Path, tmp_path: Path, damage: str) -> None:
    path = copy_index(base, tmp_path / "ix")
    craft_segment(path, lambda arrays, meta: None, toc_edit=TOC_DAMAGE[damage])
    _assert_refused(path)


def test_deeply_nested_table_of_contents(base: Path, tmp_path: Path) -> None:
    path = copy_index(base, tmp_path / "ix")
    craft_segment(path, lambda arrays, meta: None, text_edit=_deep_meta)
    _assert_refused(path)


@pytest.mark.parametrize("damage", CHECK_ONLY)
def test_damage_that_check_finds(base: Path, tmp_path: Path, damage: str) -> None:
    path = copy_index(base, tmp_path / "ix")
    craft_segment(path, CHECK_ONLY[damage])
    outcomes(path)  # searches may or may not notice, but raise nothing else
    assert check_raises(path)


DELETIONS_DAMAGE: dict[str, Edit] = {
    "bitmap one byte short": _set("deleted", lambda a: a[:-1]),
    "bitmap one byte long": _set("deleted", lambda a: np.append(a, np.uint8(0))),
    "bitmap of uint16": _set("deleted", lambda a: a.astype(np.uint16)),
    "bitmap 2-D": _set("deleted", lambda a: a.reshape(1, -1)),
    "bitmap marks past the end": _set("deleted", lambda a: a.__setitem__(-1, a[-1] | 1)),
    "bitmap renamed": lambda arrays, meta: arrays.update(other=arrays.pop("deleted")),
    "another array": _add("extra", np.zeros(2, np.uint8)),
    "other segment": _meta(_setitem("segment", "seg_000009")),
    "doc_count differs": _meta(_setitem("doc_count", 39)),
    "deleted_count differs": _meta(_setitem("deleted_count", 2)),
    "deleted_count missing": _meta(lambda m: m.pop("deleted_count")),
    "more bits than counted": _set("deleted", lambda a: a.__setitem__(0, a[0] | 0x80)),
}


@pytest.mark.parametrize("damage", DELETIONS_DAMAGE)
def test_damaged_deletions(base: Path, tmp_path: Path, damage: str) -> None:
    path = copy_index(base, tmp_path / "ix")
    craft_deletions(path, DELETIONS_DAMAGE[damage])
    assert outcomes(path) == {"open": "corrupt"}
    assert check_raises(path)


def test_undamaged_copy_passes(base: Path, tmp_path: Path) -> None:
    """The crafting helpers themselves change nothing when no edit is made."""
    path = copy_index(base, tmp_path / "ix")
    craft_segment(path, lambda arrays, meta: None)
    craft_deletions(path, lambda arrays, meta: None)
    assert set(outcomes(path).values()) == {"ok"}
    assert not check_raises(path)
    with heron.open_index(path).searcher() as s:
        assert s.doc_count() == 39
        assert s.search('"smuggling tunnels"', limit=None).total == 39


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_values_never_leak_other_errors(base: Path, data: st.DataObject) -> None:
    """Any value of any segment array replaced (checksums fixed): heron errors or results."""
    arrays, _ = read_container(base / f"{read_manifest(base)['segments'][0]['name']}.hsg")
    name = data.draw(st.sampled_from(sorted(n for n, a in arrays.items() if a.size)))
    arr = arrays[name]
    index = data.draw(st.integers(0, arr.size - 1))
    if arr.dtype.kind == "f":
        value: Any = data.draw(st.floats(allow_nan=True, allow_infinity=True))
    elif arr.dtype.kind == "b":
        value = data.draw(st.integers(0, 255))
    else:
        info = np.iinfo(arr.dtype)
        value = data.draw(st.one_of(st.integers(int(info.min), int(info.max)),
                                    st.integers(-2, 2).map(lambda d: int(arr.flat[index]) + d)
                                    .filter(lambda v: info.min <= v <= info.max)))

    def edit(arrays: Arrays, meta: dict[str, Any]) -> None:
        target = arrays[name]
        if target.dtype.kind == "b":
            target.view(np.uint8).flat[index] = value
        else:
            target.flat[index] = value

    with tempfile.TemporaryDirectory() as tmp:
        path = copy_index(base, Path(tmp) / "ix")
        craft_segment(path, edit)
        outcomes(path)
        check_raises(path)


def test_positions_past_the_stored_text(base: Path, tmp_path: Path) -> None:
    """Positions that the stored text does not reach (a crafted index, or ``text=`` that is
    not what was indexed) leave those words unmarked instead of failing."""
    path = copy_index(base, tmp_path / "ix")
    craft_segment(path, _set("pos.data", lambda a: a + 1000))
    assert set(outcomes(path).values()) == {"ok"}
    with heron.open_index(path).searcher() as s:
        hit = s.search('"smuggling tunnels"')[0]
        assert "<b" not in hit.highlights("body")
        assert "<b" not in hit.highlights("body", text="smuggling")


def test_offsets_whose_differences_overflow(base: Path, tmp_path: Path) -> None:
    """Offsets that decrease by more than 2**63 (a subtraction would wrap around)."""
    path = copy_index(base, tmp_path / "ix")

    def edit(arr: np.ndarray) -> np.ndarray:
        arr = arr.astype(np.int64)  # offsets are written as uint32 when they fit
        arr[-3], arr[-2] = 2**63 - 1, -(2**62)
        return arr

    craft_segment(path, _set("fwd.id.offsets", edit))
    _assert_refused(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_meta_never_leaks_other_errors(base: Path, data: st.DataObject) -> None:
    """Any value in a segment's metadata replaced by any JSON value (checksums fixed)."""
    _, meta = read_container(base / f"{read_manifest(base)['segments'][0]['name']}.hsg")
    where = data.draw(st.sampled_from(leaves(meta)))
    new = data.draw(st.sampled_from(JSON_VALUES))

    with tempfile.TemporaryDirectory() as tmp:
        path = copy_index(base, Path(tmp) / "ix")
        craft_segment(path, lambda arrays, meta: replace_at(meta, where, new))
        outcomes(path)
        check_raises(path)
