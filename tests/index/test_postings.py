"""Compressed document numbers (segment format 3): blocks of gaps in 1, 2 or 4 bytes decode
to the documents written, whole or a block at a time, through merges and crafted damage."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tests.index.crafting import copy_index, craft_segment

import heron
from heron.errors import CorruptIndexError
from heron.index import _postings, _segment_stream
from heron.index._postings import (
    BLOCK,
    DocsReader,
    Encoded,
    block_last,
    encode_long_term,
    encode_terms,
    encoding_problem,
)


def _encode(terms: list[list[int]]) -> Encoded:
    """The arrays a segment writer makes for ``terms`` (each a sorted list of documents)."""
    counts = np.asarray([len(t) for t in terms], dtype=np.int64)
    docs = np.asarray([d for t in terms for d in t], dtype=np.int64)
    enc = encode_terms(docs, counts)
    multi, nblocks, last = block_last(docs, counts)
    return Encoded(enc.data, np.concatenate(([0], np.cumsum(enc.nbytes))).astype(np.uint32),
                   np.concatenate(([0], np.cumsum(counts))).astype(np.uint32),
                   multi.astype(np.uint32),
                   np.concatenate(([0], np.cumsum(nblocks))).astype(np.uint32),
                   last.astype(np.uint32))


_GAPS = st.sampled_from([1, 2, 255, 256, 257, 65535, 65536, 65537, 1 << 20])
_TERM = st.lists(_GAPS, min_size=1, max_size=300).map(
    lambda gaps: np.cumsum([0, *gaps[1:]]).tolist())
_SIZES = st.sampled_from([1, 127, 128, 129, 256, 257])


@settings(max_examples=60, deadline=None)
@given(terms=st.lists(st.one_of(_TERM, _SIZES.map(lambda n: list(range(3, 3 + 2 * n, 2)))),
                      min_size=1, max_size=6),
       shift=st.sampled_from([0, 255, 256, 65535, 65536, (1 << 32) - (1 << 21) - 3]))
def test_documents_decode_as_written(terms: list[list[int]], shift: int) -> None:
    terms = [[d + shift for d in t] for t in terms]
    assume(max(t[-1] for t in terms) < (1 << 32) - 1)
    enc = _encode(terms)
    assert encoding_problem(enc, (1 << 32) - 1) is None
    reader = DocsReader(enc, (1 << 32) - 1, "segment")
    assert reader.terms(0, len(terms)).tolist() == [d for t in terms for d in t]
    for i, docs in enumerate(terms):
        assert reader.term(i).tolist() == docs
        nblocks = (len(docs) + BLOCK - 1) // BLOCK
        assert reader.last_docs(i).tolist() == [docs[min(len(docs), (b + 1) * BLOCK) - 1]
                                                for b in range(nblocks)]
        for lo in range(nblocks):
            for hi in range(lo + 1, nblocks + 1):
                assert reader.blocks(i, lo, hi).tolist() == docs[lo * BLOCK : hi * BLOCK]
        assert reader.terms(i, i + 1).tolist() == docs
    sizes = np.diff(enc.term_bytes.astype(np.int64)).tolist()
    for docs, size in zip(terms, sizes, strict=True):
        top = max((b - a for a, b in itertools.pairwise(docs)), default=0)
        width = 1 if top < 256 else 2 if top < 65536 else 4
        assert size == 4 + width * (len(docs) - 1)  # the narrowest width that holds the gaps


def _damaged(enc: Encoded, **change: Any) -> Encoded:
    fields = {k: getattr(enc, k) for k in ("data", "term_bytes", "post", "skip_terms",
                                           "skip_first", "last")}
    fields.update(change)
    return Encoded(**fields)


def test_damaged_encodings_are_named() -> None:
    enc = _encode([list(range(0, 600, 2)), [5], list(range(0, 70000 * 3, 300))[:200]])
    assert encoding_problem(enc, 1 << 20) is None
    assert np.diff(enc.term_bytes.astype(np.int64)).tolist() == [4 + 299, 4, 4 + 2 * 199]
    term_bytes = enc.term_bytes.copy()
    term_bytes[1] += 1  # the first term's bytes no longer a width's worth
    assert "bytes" in str(encoding_problem(_damaged(enc, term_bytes=term_bytes), 1 << 20))
    last = enc.last.copy()
    last[1] += 1
    assert "last documents" in str(encoding_problem(_damaged(enc, last=last), 1 << 20))
    assert "past the segment" in str(encoding_problem(enc, 59_700))
    assert "skip data" in str(encoding_problem(
        _damaged(enc, skip_terms=np.asarray([0, 1], np.uint32)), 1 << 20))
    assert "blocks" in str(encoding_problem(
        _damaged(enc, skip_first=np.asarray([0, 2, 4], np.uint32)), 1 << 20))
    data = enc.data.copy()
    data[5] = 0  # a second gap of 0: the same document twice
    assert "ascending" in str(encoding_problem(_damaged(enc, data=data), 1 << 20))
    # what opening checks passes; decoding what is damaged refuses it
    assert encoding_problem(_damaged(enc, data=data), 1 << 20, full=False) is None
    reader = DocsReader(_damaged(enc, data=data), 1 << 20, "segment")
    for decode in (lambda: reader.term(0), lambda: reader.blocks(0, 0, 1),
                   lambda: reader.terms(0, 3)):
        with pytest.raises(CorruptIndexError, match="segment"):
            decode()
    assert reader.term(2).tolist() == list(range(0, 60000, 300))
    reader = DocsReader(_damaged(enc, last=last), 1 << 20, "segment")
    assert reader.blocks(0, 0, 1).tolist() == list(range(0, 256, 2))
    with pytest.raises(CorruptIndexError, match="term 0"):
        reader.blocks(0, 1, 2)  # block 1 does not end at its skip data's document
    wraps = Encoded(np.asarray([5, 2**32 - 3], dtype="<u4").view(np.uint8),
                    np.asarray([0, 8], np.uint32), np.asarray([0, 2], np.uint32),
                    np.zeros(0, np.uint32), np.zeros(1, np.uint32), np.zeros(0, np.uint32))
    assert encoding_problem(wraps, 100, full=False) is None
    with pytest.raises(CorruptIndexError):  # 5 + (2**32 - 3) wraps around to 2 in 32 bits
        DocsReader(wraps, 100, "segment").term(0)
    assert "past the segment" in str(encoding_problem(wraps, 100))
    reader = DocsReader(enc, 59_700, "segment")
    with pytest.raises(CorruptIndexError, match="term 2"):
        reader.term(2)
    assert reader.term(0).tolist() == list(range(0, 600, 2))


def _schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), tags=heron.KEYWORD(),
                        body=heron.TEXT())


def _index(path: Path, n: int) -> heron.Index:
    """Tags chosen so that gaps cross the widths' bounds: every document, every 255th,
    256th, 65535th, 65536th, and two documents far apart."""
    ix = heron.create_index(path, _schema())
    with ix.writer() as w:
        for i in range(n):
            tags = ["all"] + [f"every{k}" for k in (255, 256, 65535, 65536) if i % k == 0]
            if i in (3, n - 1):
                tags.append("far")
            if i < 129:
                tags.append("first129")
            w.add_document(id=f"d{i}", tags=" ".join(tags), body=f"w{i % 7} common")
    return ix


def _expected(n: int) -> dict[str, list[int]]:
    return {"all": list(range(n)), "far": [3, n - 1], "first129": list(range(129)),
            **{f"every{k}": list(range(0, n, k)) for k in (255, 256, 65535, 65536)}}


def test_an_index_with_gaps_at_the_width_bounds_round_trips(tmp_path: Path) -> None:
    n = 65536 * 2 + 5
    ix = _index(tmp_path / "ix", n)
    with ix.searcher() as s:
        [seg] = s.reader.segments
        assert seg.encoded
        for tag, docs in _expected(n).items():
            number = seg.terms.find("tags", tag)
            found, freqs = seg.postings(number)
            assert found.tolist() == docs
            assert freqs.tolist() == [1] * len(docs)
            blocks = (len(docs) + BLOCK - 1) // BLOCK
            assert seg.block_last_docs(number).tolist() == [
                docs[min(len(docs), (b + 1) * BLOCK) - 1] for b in range(blocks)]
            # one document's posting, found by decoding the one block that may hold it
            where = {d: i for i, d in enumerate(docs)}
            probe = sorted({*docs[:3], *docs[-3:], *docs[BLOCK - 2 : BLOCK + 2],
                            *range(0, n, 9973), *range(1, 400), n - 1})
            assert [seg.posting_index(number, d) for d in probe] == [
                where.get(d, -1) for d in probe]
        sizes = np.diff(seg.raw_array("terms.docs").astype(np.int64))
        counts = np.diff(seg.raw_array("terms.post").astype(np.int64))
        many = counts > 1
        assert set(((sizes[many] - 4) // (counts[many] - 1)).tolist()) == {1, 2, 4}
    ix.check()
    with ix.writer() as w:  # deletions, then a merge that rewrites the segment
        w.delete_by_term("id", "d3")
        w.delete_by_term("id", "d256")
        w.add_document(id="new", tags="all far", body="common")
    with ix.writer() as w:
        w.commit(optimize=True)
    with ix.searcher() as s:
        assert sorted(h["id"] for h in s.search("tags:far", limit=None)) == [f"d{n - 1}", "new"]
        assert len(s.search("tags:all", limit=None)) == n - 1
        assert len(s.search("tags:every256", limit=None)) == len(range(0, n, 256)) - 1
    ix.check()


@pytest.mark.parametrize(("budget", "encode"), [(None, 1 << 20), (1 << 12, 1 << 20),
                                               (None, 50)])
def test_merges_of_format_3_segments_keep_postings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int | None, encode: int) -> None:
    """Merging in one chunk, or with a tiny buffer (long terms streamed in pieces); terms
    encoded a run of 50 postings at a time."""
    monkeypatch.setattr(_segment_stream, "ENCODE_POSTINGS", encode)
    ix = heron.create_index(tmp_path / "ix", _schema())
    for part in range(3):
        with ix.writer() as w:
            for i in range(part * 700, part * 700 + 700):
                w.add_document(id=f"d{i}", tags="all" + (" odd" if i % 2 else ""),
                               body=f"w{i % 300} common")
    with ix.writer() as w:
        w.delete_by_term("id", "d1")
    kwargs = {} if budget is None else {"buffer_mb": 1}
    with ix.writer(**kwargs) as w:
        w.commit(optimize=True)
    with ix.searcher() as s:
        [seg] = s.reader.segments
        docs, _ = seg.postings(seg.terms.find("tags", "odd"))
        assert len(docs) == 1049
        assert np.all(np.diff(docs.astype(np.int64)) > 0)
        assert len(s.search("tags:all", limit=None)) == 2099
        words = [seg.postings(seg.terms.find("body", f"w{k}"))[0].tolist() for k in range(300)]
        assert sorted(d for w in words for d in w) == list(range(2099))
    ix.check()


def test_crafted_skip_data_is_refused(tmp_path: Path) -> None:
    ix = _index(tmp_path / "base", 300)
    ix.check()

    def edit(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        last = arrays["skip.last"].copy()
        last[0] += 1
        arrays["skip.last"] = last

    path = copy_index(tmp_path / "base", tmp_path / "ix")
    craft_segment(path, edit)
    with heron.open_index(path).searcher() as s:
        [seg] = s.reader.segments
        number = seg.terms.find("tags", "all")
        assert seg.postings(number)[0].tolist() == list(range(300))  # needs no skip data
        with pytest.raises(heron.CorruptIndexError, match="damaged"):
            seg.doc_blocks(number, 1, 2)  # block 1 decodes from block 0's last document
    with pytest.raises(heron.CorruptIndexError):
        heron.open_index(path).check()


def test_a_merge_refuses_what_crafted_skip_data_would_misplace(tmp_path: Path) -> None:
    # opening and searching need no skip data; a merge reading a long term in pieces does:
    # pieces that do not follow each other are refused, never written as postings
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), tags=heron.KEYWORD())
    base = heron.create_index(tmp_path / "base", schema)
    with base.writer() as w:
        w.add_documents({"id": f"a{i}", "tags": "all"} for i in range(6000))
    with base.writer() as w:
        w.add_documents({"id": f"b{i}", "tags": "other"} for i in range(500))

    def edit(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        last = arrays["skip.last"].astype(np.int64)
        last[20:] -= 2  # blocks from the 21st claim to end two documents earlier
        arrays["skip.last"] = last.astype(np.uint32)

    path = copy_index(tmp_path / "base", tmp_path / "ix")
    craft_segment(path, edit)
    ix = heron.open_index(path)
    with ix.searcher() as s:
        assert s.search("tags:all", limit=None).total == 6000
    with pytest.raises(heron.CorruptIndexError), ix.writer(buffer_mb=1) as w:
        w.commit(optimize=True)
    with ix.searcher() as s:  # the last commit stands
        assert len(s.reader.segments) == 2
        assert {h["id"][0] for h in s.search("tags:all", limit=None)} == {"a"}


def test_decoded_documents_of_long_terms_are_kept_read_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long term is decoded once and shared: callers cannot change what others read; the
    kept postings stay within the budget (the oldest let go)."""
    monkeypatch.setattr(_postings, "CACHED_FROM", 100)
    monkeypatch.setattr(_postings, "CACHE_POSTINGS", 400)
    ix = _index(tmp_path / "ix", 300)
    with ix.searcher() as s:
        [seg] = s.reader.segments
        numbers = [seg.terms.find("tags", t) for t in ("all", "first129")]
        docs = seg.term_docs(numbers[0])
        assert seg.term_docs(numbers[0]) is docs
        assert docs.tolist() == list(range(300))
        with pytest.raises(ValueError, match="read-only"):
            docs[0] = 5
        assert seg.term_docs(numbers[1]).tolist() == list(range(129))  # 429 > 400: "all" goes
        assert seg.term_docs(numbers[0]) is not docs
        assert seg.term_docs(numbers[0]).tolist() == list(range(300))


def test_fields_without_terms_and_empty_segments(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", _schema())
    with ix.writer() as w:
        w.add_document(id="a")  # no tags, no body: those fields have no terms
        w.add_document(id="b", body="")
    with ix.writer() as w:
        w.add_document(id="c", tags="x")
    with ix.searcher() as s:
        assert [h["id"] for h in s.search("tags:x")] == ["c"]
        assert len(s.search("id:a")) == 1
    ix.check()
    with ix.writer() as w:
        w.commit(optimize=True)
    ix.check()
    with ix.searcher() as s:
        assert [h["id"] for h in s.search("tags:x")] == ["c"]


@settings(max_examples=40, deadline=None)
@given(term=_TERM, step=st.integers(1, 40))
def test_a_long_term_encodes_in_pieces_as_whole(term: list[int], step: int) -> None:
    # a merge encodes a term too long for its budget in pieces: the same bytes
    docs = np.asarray(term, dtype=np.uint32)
    whole = encode_terms(docs, np.asarray([len(docs)]))
    nbytes, pieces = encode_long_term(docs, step)
    assert nbytes == int(whole.nbytes[0])
    assert np.concatenate(list(pieces)).tolist() == whole.data.tolist()


@pytest.mark.parametrize("docs", [[3, 3], [5, 9, 7], [1, 2, 4, 4, 8]])
def test_documents_that_do_not_ascend_are_never_written(docs: list[int]) -> None:
    # what a damaged segment's skip data could hand a merge: refused, not written
    array = np.asarray(docs, dtype=np.uint32)
    with pytest.raises(CorruptIndexError, match="do not ascend"):
        encode_terms(array, np.asarray([len(docs)]))
    with pytest.raises(CorruptIndexError, match="do not ascend"):
        encode_long_term(array, 2)
    assert encode_terms(np.asarray([4, 2, 3]), np.asarray([1, 2])).nbytes.tolist() == [4, 5]
