"""The kernels: numpy's and numba's give the same results to the bit, and the same as a
plain Python reference (scores summed in the parts' order, ties broken by document)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import heron
from heron._kernels import (
    AUTO_FROM,
    ENV,
    NUMPY,
    WRITER_BUFFER_FROM,
    WRITER_FROM,
    Kernels,
    Scratch,
    active,
    for_writer,
    load,
)
from heron._kernels._numpy import SAMPLE, SAMPLE_FROM, run_sums
from heron.errors import CorruptIndexError, MissingDependencyError

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
NO_NUMBA = "numba is not installed (the fast extra): only numpy's kernels are checked"


def every_kernels() -> Iterator[Any]:
    yield pytest.param("numpy", id="numpy")
    yield pytest.param("numba", id="numba",
                       marks=pytest.mark.skipif(not HAVE_NUMBA, reason=NO_NUMBA))


KERNELS = list(every_kernels())


def _sorted_top(scores: npt.NDArray[np.float64], docs: npt.NDArray[np.int64], k: int
                ) -> list[int]:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], docs[i]))
    return order[:k]


def _union_reference(docs: list[npt.NDArray[np.int64]], scores: list[npt.NDArray[np.float64]]
                     ) -> tuple[list[int], list[float]]:
    summed: dict[int, float] = {}
    for d, s in zip(docs, scores, strict=True):
        for doc, score in zip(d.tolist(), s.tolist(), strict=True):
            summed[doc] = summed[doc] + score if doc in summed else score
    found = sorted(summed)
    return found, [summed[d] for d in found]


@pytest.mark.parametrize("name", KERNELS)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3 * SAMPLE_FROM),
       k=st.integers(0, SAMPLE + 10), distinct=st.integers(1, 50_000),
       skew=st.booleans())
def test_top_k_equals_a_full_sort(  # noqa: PLR0917 - hypothesis draws each argument
        name: str, seed: int, n: int, k: int, distinct: int,
                                  skew: bool) -> None:
    rng = np.random.default_rng(seed)
    # few distinct values give many ties at the k-th score; skew puts the best at the end
    scores = rng.integers(0, distinct, n).astype(np.float64) / 7.0
    if skew:
        scores = np.sort(scores)
    docs = rng.permutation(n).astype(np.int64)
    got = load(name).top_k(scores, docs, k).tolist()
    assert got == _sorted_top(scores, docs, k)


@pytest.mark.parametrize("name", KERNELS)
def test_top_k_ties_negatives_and_infinities(name: str) -> None:
    top_k = load(name).top_k
    rng = np.random.default_rng(3)
    n = 4 * SAMPLE_FROM  # numpy's sampled path
    scores = rng.random(n)
    scores[rng.choice(n, 30, replace=False)] = 9.0  # thirty tied at the top
    docs = np.arange(n, dtype=np.int64)
    for k in (1, 10, 29, 30, 31, 100, n, n + 5):
        assert top_k(scores, docs, k).tolist() == _sorted_top(scores, docs, k)
    minus = -np.abs(scores)  # every score negative
    assert top_k(minus, docs, 10).tolist() == _sorted_top(minus, docs, 10)
    with_inf = np.full(n, -np.inf)
    with_inf[[5, 700, 9000]] = [1.0, 2.0, 1.0]  # the sample's 5th best is -inf: the full path
    assert top_k(with_inf, docs, 5).tolist() == _sorted_top(with_inf, docs, 5)
    assert top_k(scores[:0], docs[:0], 10).tolist() == []
    assert top_k(scores, docs, 0).tolist() == []


@pytest.mark.parametrize("name", KERNELS)
@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(2, 12),
       size=st.integers(1, 3000), density=st.floats(0.0, 1.0), repeat=st.booleans())
def test_union_sums_in_the_parts_order(  # noqa: PLR0917 - hypothesis draws each
        name: str, seed: int, parts: int, size: int,
                                       density: float, repeat: bool) -> None:
    rng = np.random.default_rng(seed)
    docs, scores = [], []
    for _ in range(parts):
        d = np.flatnonzero(rng.random(size) < density).astype(np.int64)
        if not len(d):
            d = np.array([rng.integers(size)], dtype=np.int64)
        docs.append(d)
        scores.append(rng.random(len(d)) * 10.0 ** rng.integers(-3, 4))
    if repeat:  # a part twice (a weight shared by two clauses)
        docs.append(docs[0])
        scores.append(scores[0])
    got_docs, got_scores = load(name).union(docs, scores, size)
    want_docs, want_scores = _union_reference(docs, scores)
    assert got_docs.dtype == np.int64
    assert got_docs.tolist() == want_docs
    assert got_scores.tolist() == want_scores  # sparse or dense, in order: not pairwise


@pytest.mark.parametrize("name", KERNELS)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(1, 12), size=st.integers(1, 4000),
       density=st.floats(0.0, 1.0), deletions=st.floats(0.0, 0.5))
def test_score_or_is_bm25_then_union(  # noqa: PLR0917 - hypothesis draws each
        name: str, seed: int, parts: int, size: int,
                                     density: float, deletions: float) -> None:
    rng = np.random.default_rng(seed)
    norms = {field: rng.random(size) * 3.0 + 0.3 for field in ("title", "body")}
    postings = []
    for i in range(parts):
        docs = np.flatnonzero(rng.random(size) < density).astype(np.uint32)
        freqs = rng.integers(1, 50, len(docs)).astype(np.uint16)
        postings.append((docs, freqs, norms["title" if i % 2 else "body"],
                         float(rng.random() * 5)))
    deleted = rng.random(size) < deletions if deletions > 0.05 else None
    got_docs, got_scores = load(name).score_or(postings, size, deleted, Scratch())
    want: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
    for docs, freqs, norm, weight in postings:
        keep = np.ones(len(docs), dtype=bool) if deleted is None else ~deleted[docs]
        live = docs[keep].astype(np.int64)
        want.append((live, NUMPY.bm25(weight, freqs[keep], norm, live)))
    want_docs, want_scores = _union_reference([d for d, _ in want], [s for _, s in want])
    assert got_docs.tolist() == want_docs
    assert got_scores.tolist() == want_scores


@pytest.mark.parametrize("name", KERNELS)
def test_scratch_buffers_come_back_zeroed(name: str) -> None:
    scratch = Scratch()
    norms = np.ones(5000)
    first = (np.array([3, 70, 4000], dtype=np.uint32), np.array([1, 2, 3], dtype=np.uint8),
             norms, 1.0)
    second = (np.array([5], dtype=np.uint32), np.array([1], dtype=np.uint8), norms, 1.0)
    kernels = load(name)
    assert kernels.score_or([first], 5000, None, scratch)[0].tolist() == [3, 70, 4000]
    docs, scores = kernels.score_or([second], 5000, None, scratch)
    assert docs.tolist() == [5]  # nothing of the first search is left in the buffers
    assert scores.tolist() == [0.5]
    acc, bits = scratch.take(100)
    assert len(acc) >= 100
    assert not acc.any()
    assert not bits.any()
    scratch.clear()


@pytest.mark.parametrize("name", KERNELS)
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 5000),
       dtype=st.sampled_from([np.uint8, np.uint16, np.uint32]),
       weight=st.floats(0.01, 100.0))
def test_bm25_equals_the_formula(name: str, seed: int, n: int, dtype: Any,
                                 weight: float) -> None:
    rng = np.random.default_rng(seed)
    norms = rng.random(n + 7) * 3.0 + 0.3
    docs = np.sort(rng.choice(n + 7, n, replace=False)).astype(np.int64)
    freqs = rng.integers(1, 200, n).astype(dtype)
    got = load(name).bm25(weight, freqs, norms, docs)
    want = [weight * f / (f + norms[d]) for f, d in zip(freqs.tolist(), docs.tolist(),
                                                         strict=True)]
    assert got.tolist() == want


@pytest.mark.skipif(not HAVE_NUMBA, reason=NO_NUMBA)
def test_auto_takes_numba_for_large_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert active(AUTO_FROM).name == "numba"
    assert active(AUTO_FROM - 1) is NUMPY  # small: not worth importing numba
    monkeypatch.setenv(ENV, " NumPy ")
    assert active(AUTO_FROM) is NUMPY
    monkeypatch.setenv(ENV, "numba")
    assert active(1).name == "numba"  # asked for: whatever the size


@pytest.mark.skipif(not HAVE_NUMBA, reason=NO_NUMBA)
def test_writers_with_small_buffers_keep_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert for_writer(WRITER_FROM, WRITER_BUFFER_FROM).name == "numba"
    assert for_writer(WRITER_FROM, WRITER_BUFFER_FROM - 1) is NUMPY  # numba's ~115 MB: too much
    assert for_writer(WRITER_FROM - 1, 10 * WRITER_BUFFER_FROM) is NUMPY  # a small load
    monkeypatch.setenv(ENV, "numba")
    assert for_writer(1, 1).name == "numba"  # asked for: whatever the buffer


def test_a_missing_numba_falls_back_or_says_which_extra(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    load.cache_clear()
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    try:
        assert load("auto") is NUMPY
        with pytest.raises(MissingDependencyError, match=r"heron\[fast\]"):
            load("numba")
    finally:
        load.cache_clear()


def test_an_unknown_choice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "fortran")
    with pytest.raises(ValueError, match="HERON_KERNELS must be one of auto, numpy, numba"):
        active(1)


def test_kernels_are_named() -> None:
    assert isinstance(NUMPY, Kernels)
    assert NUMPY.name == "numpy"


@pytest.mark.skipif(not HAVE_NUMBA, reason=NO_NUMBA)
def test_searches_give_the_same_hits_and_scores_with_either(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(60)]
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(),
                          body=heron.TEXT())
    index = heron.create_index(tmp_path / "ix", schema)
    for batch in range(3):  # three segments, with deletions
        with index.writer(merge=False) as writer:
            for i in range(400):
                n = int(rng.integers(1, 40))
                writer.add_document(id=f"{batch}-{i}",
                                    title=" ".join(rng.choice(words[:20], 3)),
                                    body=" ".join(rng.choice(words, n)))
            writer.delete_by_term("id", f"{batch}-7")
    queries = ["w1", "w1 w2", "w3 w4 w5 w6", "w1 OR w2 OR w3 OR w4 OR w5 OR w6 OR w7 OR w8 "
               "OR w9", "w1 AND w2", '"w1 w2"', "w1 -w2", "w1^3 w30 w59", "nothing w5",
               "body:w1*", "body:w?", '"w3 w3"', '"w1 w2 w3"~2', "w1 AND w2 AND w5 -w7",
               "+w4 w8 w9"]
    found = {}
    for name in ("numpy", "numba"):
        monkeypatch.setenv(ENV, name)
        with index.searcher() as searcher:
            found[name] = [[(h["id"], h.score) for h in searcher.search(
                q, limit=25, fields=["title", "body"])] for q in queries]
            found[name].append([searcher.search(q, fields=["title", "body"]).total
                                for q in queries])
            found[name].append([(h["id"], h.score) for h in searcher.search(
                "w1 w2", filter="body:w3", limit=None)])
    assert found["numba"] == found["numpy"]
    assert all(found["numpy"][:-1])


@pytest.mark.parametrize("name", KERNELS)
@pytest.mark.parametrize("size", [10, 10_000])  # dense, and numpy's sorted path
def test_union_of_three_adds_in_order(name: str, size: int) -> None:
    """(0.1 + 0.2) + 0.3 is 0.6000000000000001; 0.1 + (0.2 + 0.3) is 0.6: every path adds a
    document's scores first to last, whatever the segment's density."""
    docs = [np.array([5], dtype=np.int64)] * 3
    scores = [np.array([0.1]), np.array([0.2]), np.array([0.3])]
    found_docs, found = load(name).union(docs, scores, size)
    assert found_docs.tolist() == [5]
    assert found.tolist() == [(0.1 + 0.2) + 0.3]


@pytest.mark.parametrize("name", KERNELS)
def test_top_k_leaves_out_nan(name: str) -> None:
    """A score that is not a number (inf - inf from a user's scoring) never ranks; the
    others still fill the k places."""
    scores = np.array([np.nan, 2.0, 1.0, np.nan, 3.0])
    docs = np.arange(5, dtype=np.int64)
    top_k = load(name).top_k
    assert top_k(scores, docs, 2).tolist() == [4, 1]
    assert top_k(scores, docs, 5).tolist() == [4, 1, 2]
    big = np.random.default_rng(2).random(4 * SAMPLE_FROM)
    big[::3] = np.nan
    want = _sorted_top(np.nan_to_num(big, nan=-1.0), np.arange(len(big)), 20)
    assert top_k(big, np.arange(len(big), dtype=np.int64), 20).tolist() == want


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.lists(st.integers(1, 14), max_size=60))
def test_run_sums_add_each_run_first_to_last(seed: int, runs: list[int]) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.random(sum(runs)) * 10.0 ** rng.integers(-3, 4, sum(runs))
    starts = np.cumsum([0, *runs[:-1]]).astype(np.intp) if runs else np.zeros(0, np.intp)
    want = []
    for start, length in zip(starts.tolist(), runs, strict=True):
        total = scores[start]
        for i in range(start + 1, start + length):
            total += scores[i]
        want.append(float(total))
    assert run_sums(scores, starts).tolist() == want


def test_numba_is_imported_only_when_a_large_segment_needs_it(tmp_path: Any) -> None:
    """``import heron`` and searches of small indexes never load numba (half a second)."""
    code = f"""
import sys, heron
print('numba' in sys.modules)
schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT())
ix = heron.create_index({str(tmp_path / 'ix')!r}, schema)
with ix.writer() as w:
    w.add_document(id='a', body='tunnel gaza')
    w.add_document(id='b', body='tunnel wheat')
with ix.searcher() as s:
    print([h['id'] for h in s.search('tunnel OR wheat')], 'numba' in sys.modules)
"""
    env = {k: v for k, v in os.environ.items() if k != ENV}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True, timeout=120)
    assert done.stdout.split("\n")[:2] == ["False", "['b', 'a'] False"]


@pytest.mark.parametrize("name", KERNELS)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 3000), size=st.integers(1, 5000),
       deletions=st.floats(0.0, 0.5))
def test_distinct_gives_each_live_document_once(name: str, seed: int, n: int, size: int,
                                                deletions: float) -> None:
    rng = np.random.default_rng(seed)
    docs = rng.integers(0, size, n).astype(np.uint32)
    deleted = rng.random(size) < deletions if deletions > 0.05 else None
    found = load(name).distinct(docs, size, deleted)
    want = sorted(d for d in set(docs.tolist()) if deleted is None or not deleted[d])
    assert found.dtype == np.int64
    assert found.tolist() == want


@pytest.mark.parametrize("name", KERNELS)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 5000),
       first=st.floats(0.0, 1.0), second=st.floats(0.0, 1.0))
def test_intersect_keeps_shared_documents_and_adds_scores(name: str, seed: int, size: int,
                                                          first: float, second: float) -> None:
    rng = np.random.default_rng(seed)
    a = np.flatnonzero(rng.random(size) < first).astype(np.int64)
    b = np.flatnonzero(rng.random(size) < second).astype(np.int64)
    sa, sb = rng.random(len(a)) * 7, rng.random(len(b)) / 3
    docs, scores = load(name).intersect(a, sa, b, sb)
    in_b = dict(zip(b.tolist(), sb.tolist(), strict=True))
    want = [(d, s + in_b[d]) for d, s in zip(a.tolist(), sa.tolist(), strict=True) if d in in_b]
    assert docs.tolist() == [d for d, _ in want]
    assert scores.tolist() == [s for _, s in want]


@pytest.mark.parametrize("name", KERNELS)
def test_a_posting_past_the_segment_is_refused_not_written(name: str) -> None:
    """numba checks no bounds: a document past the segment (a damaged index the open checks
    did not read) raises CorruptIndexError rather than writing past the buffers."""
    norms = np.ones(65)
    far = (np.array([3, 7000], dtype=np.uint32), np.array([1, 1], dtype=np.uint8), norms, 1.0)
    kernels = load(name)
    with pytest.raises((CorruptIndexError, IndexError)):
        kernels.score_or([far], 65, None, Scratch())
    with pytest.raises((CorruptIndexError, IndexError)):
        kernels.distinct(np.array([3, 7000], dtype=np.uint32), 65, np.zeros(65, dtype=bool))
    if name == "numba":  # its own checks, each a CorruptIndexError
        with pytest.raises(CorruptIndexError, match="past the segment's end"):
            kernels.distinct(np.array([3, 70], dtype=np.uint32), 65, None)
