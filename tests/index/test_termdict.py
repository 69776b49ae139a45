"""The term dictionary finds every term, short or long, and nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.index import _format
from heron.index._assemble import dictionary_arrays
from heron.index._files import Container
from heron.index._format import SEGMENT_MAGIC
from heron.index._stream import write_container
from heron.index._termdict import TermDictionary

TERMS = st.text(alphabet="ab\x00é", min_size=1, max_size=10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(present=st.sets(TERMS, min_size=1, max_size=40), probes=st.lists(TERMS, max_size=20))
def test_find_every_term(present: set[str], probes: list[str]) -> None:
    ix = heron.create_index(Path(tempfile.mkdtemp()) / "ix", heron.Schema(key=heron.ID()))
    with ix.writer() as w:
        w.add_documents({"key": t} for t in sorted(present))
    with ix.searcher() as s:
        terms = s.reader.segments[0].terms
        for term in present:
            number = terms.find("key", term)
            assert number >= 0
            assert terms.term(number) == term
        for probe in probes:
            assert (terms.find("key", probe) >= 0) == (probe in present)
        assert terms.find("nofield", next(iter(present))) == -1
        assert list(s.lexicon("key")) == sorted(present, key=lambda t: t.encode())


# -- the term key needs no field number: any number of fields (issue 8) ----------------------

# few letters, NUL, multi-byte characters and a long common stem, so that many terms
# share their first 8 bytes and some are prefixes of others
PIECES = st.sampled_from(["a", "b", "\x00", "é", "😀", "\xff", "ab\x00", "commonst", "ÿ"])
RICH_TERMS = st.lists(PIECES, min_size=1, max_size=6).map("".join)
PROBES = st.lists(PIECES, min_size=0, max_size=7).map("".join)
FIELD_COUNT = 300


def _dictionary(tmp: Path, fmt: str, fields: dict[int, set[str]]) -> TermDictionary:
    """A TermDictionary over a container holding just the term arrays, in format ``fmt``."""
    names = {no: f"f{no}" for no in range(FIELD_COUNT)}
    listed = [(names[no], no, sorted(t.encode() for t in fields.get(no, ())))
              for no in range(FIELD_COUNT)]
    arrays, ranges = dictionary_arrays(listed, fmt)
    path = tmp / "terms.seg"
    size, _ = write_container(path, SEGMENT_MAGIC, arrays,
                              {"format": fmt, "term_ranges": ranges})
    return TermDictionary(Container(path, SEGMENT_MAGIC, size), ranges,
                          {name: no for no, name in names.items()})


def _brute_lower_bound(terms: TermDictionary, field: str, raw: bytes) -> int:
    start, stop = terms.field_range(field)
    return next((n for n in range(start, stop) if terms.term_bytes(n) >= raw), stop)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(["heron-segment-2", "heron-segment-1"]),
       fields=st.dictionaries(st.sampled_from([0, 1, 2, 255, 256, 257, 299]),
                              st.sets(RICH_TERMS, min_size=1, max_size=25), min_size=1),
       probes=st.lists(PROBES, max_size=15))
def test_lookups_agree_with_a_scan(fmt: str, fields: dict[int, set[str]],
                                   probes: list[str]) -> None:
    if fmt == "heron-segment-1":  # format 1 keeps the field number in the top byte
        fields = {no: terms for no, terms in fields.items() if no < 256}
        if not fields:
            return
    terms = _dictionary(Path(tempfile.mkdtemp()), fmt, fields)
    for no in range(FIELD_COUNT):
        field = f"f{no}"
        present = fields.get(no, set())
        start, stop = terms.field_range(field)
        assert [terms.term(n) for n in range(start, stop)] == sorted(
            present, key=lambda t: t.encode())
        for probe in [*probes, *present] if present or no in (3, 298) else []:
            number = terms.find(field, probe)
            if probe in present:
                assert start <= number < stop
                assert terms.term(number) == probe
            else:
                assert number == -1
            raw = probe.encode()
            assert terms.lower_bound(field, raw) == _brute_lower_bound(terms, field, raw)
            lo, hi = terms.prefix_range(field, probe)
            assert [terms.term(n) for n in range(lo, hi)] == sorted(
                (t for t in present if t.startswith(probe)), key=lambda t: t.encode())
    assert terms.find("nofield", "a") == -1


def test_lookups_take_lone_surrogates() -> None:
    terms = _dictionary(Path(tempfile.mkdtemp()), "heron-segment-2", {0: {"a", "\ue000"}})
    assert terms.find("f0", "\ud800") == -1
    assert terms.prefix_range("f0", "\ud800") == (1, 1)  # between U+D7FF and U+E000


def test_format_1_segment_still_opens_and_merges(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(),
                          tag=heron.KEYWORD())
    ix = heron.create_index(tmp_path / "ix", schema)
    with monkeypatch.context() as patch:  # write one segment the way format 1 did
        patch.setattr(_format, "SEGMENT_FORMAT", "heron-segment-1")
        with ix.writer() as w:
            w.add_document(id="old1", body="tunnels under the sea", tag="commonstem_a")
            w.add_document(id="old2", body="tunnel café", tag="commonstem_b")
    with ix.searcher() as s:
        [segment] = s.reader.segments
        assert segment.raw_array("terms.keys")[0] >> 56 == 0  # id, field 0
        assert s.reader.segments[0]._c.meta["format"] == "heron-segment-1"
        assert [h["id"] for h in s.search("tag:commonstem_b")] == ["old2"]
        assert [h["id"] for h in s.search("café")] == ["old2"]
        assert s.document(id="old1") == {"id": "old1"}
    with ix.writer() as w:
        w.add_document(id="new", body="tunnels", tag="commonstem_a")
    with ix.searcher() as s:
        assert {seg._c.meta["format"] for seg in s.reader.segments} == {
            "heron-segment-1", _format.SEGMENT_FORMAT}
        assert sorted(h["id"] for h in s.search("tag:commonstem_a")) == ["new", "old1"]
        assert sorted(h["id"] for h in s.search("tag:commonstem*")) == ["new", "old1", "old2"]
    with ix.writer() as w:
        w.commit(optimize=True)
    with ix.searcher() as s:
        assert [seg._c.meta["format"] for seg in s.reader.segments] == [_format.SEGMENT_FORMAT]
        assert sorted(h["id"] for h in s.search("tunnels")) == ["new", "old1", "old2"]
        assert sorted(h["id"] for h in s.search("tag:commonstem*")) == ["new", "old1", "old2"]
