"""Surface forms in segments (heron.index._surface): written, merged, checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import heron
from heron.index import _surface
from heron.index._format import array_kind as kind_of
from heron.index._surface import forms_of


def build(tmp_path: Path, *, merge: bool) -> heron.Index:
    ix = heron.create_index(tmp_path / "ix", heron.Schema(
        id=heron.ID(stored=True, unique=True), body=heron.TEXT()))
    for texts in (["Tunnels and TUNNELS", "a tunnel"], ["tunnels", "running runs"]):
        with ix.writer() as w:
            for i, text in enumerate(texts):
                w.add_document(id=f"{text}{i}", body=text)
    with ix.writer() as w:
        w.delete_by_term("id", "a tunnel1")
    if merge:
        ix.optimize()
    return ix


def forms(seg: heron.index.SegmentReader, term: str) -> list[tuple[str, int]]:
    arrays = seg.surface("body")
    assert arrays is not None
    number = seg.terms.find("body", term) - seg.terms.field_range("body")[0]
    return forms_of(arrays, number)


def test_forms_per_segment_most_frequent_first(tmp_path: Path) -> None:
    ix = build(tmp_path, merge=False)
    with ix.searcher() as s:
        first, second = s.reader.segments
        assert forms(first, "tunnel") == [("tunnels", 2), ("tunnel", 1)]
        assert forms(second, "run") == [("running", 1), ("runs", 1)]
        assert s.reader.segments[0].surface("id") is None  # ids are their own words


def test_merge_sums_forms(tmp_path: Path) -> None:
    ix = build(tmp_path, merge=True)
    ix.check()
    with ix.searcher() as s:
        (seg,) = s.reader.segments
        assert forms(seg, "tunnel") == [("tunnels", 3), ("tunnel", 1)]
        assert forms(seg, "run")[0][1] == 1


def test_layout_knows_surface_arrays() -> None:
    assert kind_of("surf.body.starts") == ("surf.*.starts", "body")
    assert kind_of("surf.a.b.blob") == ("surf.*.blob", "a.b")
    assert kind_of("fwd.body.terms") == ("fwd.*.terms", "body")


def test_forms_of_out_of_range() -> None:
    arrays = (np.array([0, 1]), np.array([0, 3]), np.array([2], np.uint32),
              np.frombuffer(b"abc", np.uint8))
    assert forms_of(arrays, 0) == [("abc", 2)]
    assert forms_of(arrays, 1) == []
    assert forms_of(arrays, -1) == []


def test_merge_with_a_segment_without_forms(tmp_path: Path) -> None:
    """A segment whose words are all their own terms writes no forms (as segments written
    before forms existed): merged with one that has them, its terms offer themselves."""
    ix = heron.create_index(tmp_path / "ix", heron.Schema(body=heron.TEXT()))
    for text in ("oil oil", "exports rose"):
        with ix.writer() as w:
            w.add_document(body=text)
    with ix.searcher() as s:
        assert s.reader.segments[0].surface("body") is None
        assert s.reader.segments[1].surface("body") is not None
    ix.optimize()
    ix.check()
    with ix.searcher() as s:
        (seg,) = s.reader.segments
        assert forms(seg, "export") == [("exports", 1)]
        assert forms(seg, "oil") == []
        assert s.complete("body", "oi") == ["oil"]
        assert s.suggest("body", "oyl") == ["oil"]


WORDS = st.lists(st.text(st.sampled_from("aAbBéÉ"), min_size=1, max_size=4)
                 | st.sampled_from(["Oil", "oil", "OIL", "oils", "x" * 70, "X" * 70 + "s"]),
                 min_size=1, max_size=12)


def _surface_files(path: Path, batches: list[list[str]]) -> list[bytes]:
    """The bytes of the segments of an index of ``batches`` (one segment each), and of the
    segment merging them."""
    ix = heron.create_index(path, heron.Schema(id=heron.ID(stored=True, unique=True),
                                               body=heron.TEXT()))
    seq = 0
    with ix.writer(merge=False) as w:
        for batch in batches:
            for text in batch:
                w.add_document(id=str(seq), body=text)
                seq += 1
            w.flush()
    written = sorted(f.read_bytes() for f in path.glob("*.hsg"))
    ix.optimize()
    return written + sorted(f.read_bytes() for f in path.glob("*.hsg"))


@settings(max_examples=25, deadline=None)
@given(batches=st.lists(st.lists(WORDS.map(" ".join), min_size=1, max_size=4), min_size=2,
                        max_size=3))
def test_forms_compared_as_numpy_strings_as_in_python(
        tmp_path_factory: pytest.TempPathFactory, batches: list[list[str]]) -> None:
    """Forms are summed and ordered as fixed-width numpy strings up to KEY_WIDTH bytes,
    in Python past it: both give the same bytes, when a segment is written and merged."""
    base = tmp_path_factory.mktemp("forms")
    fast = _surface_files(base / "fast", batches)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_surface, "KEY_WIDTH", 0)  # every form in Python
        slow = _surface_files(base / "slow", batches)
    assert fast == slow


def test_forms_with_a_nul_byte_are_compared_in_python() -> None:
    forms = _surface.FormColumns.of(np.array([0, 0]), [b"a\x00", b"a"], np.array([1, 1]))
    assert forms.keys() is None
    assert _surface.FormColumns.of(np.array([0]), [b"a" * 65], np.array([1])).keys() is None
    keys = _surface.FormColumns.of(np.array([0, 0, 0]), [b"ab", b"a", b"b"],
                                   np.array([1, 1, 1])).keys()
    assert keys is not None
    assert np.argsort(keys).tolist() == [1, 0, 2]
