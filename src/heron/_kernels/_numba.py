"""The kernels compiled with numba: one pass over the postings where numpy makes several.

:func:`build` receives the numba module (imported by the caller when a query first needs
it, so that ``import heron`` stays light) and compiles the kernels lazily, caching the
machine code on disk. Every result equals the numpy kernel's to the bit: the same
floating-point operations in the same order.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from heron._kernels._group import _count_pairs, _fill_pairs, _scatter, group_by_term
from heron._kernels._types import Docs, Kernels, PairTerm, Postings, Scores, Scratch
from heron._kernels._words import WordTable, _place, _split_texts
from heron.errors import CorruptIndexError

#: the lowest set bit of a 64-bit word times this, shifted right by 58, indexes
#: DE_BRUIJN_TABLE, which gives the bit's place
DE_BRUIJN = np.uint64(0x03F79D71B4CB0A89)
DE_BRUIJN_TABLE = np.zeros(64, dtype=np.int64)
DE_BRUIJN_TABLE[(((np.uint64(1) << np.arange(64, dtype=np.uint64)) * DE_BRUIJN)
                 >> np.uint64(58)).astype(np.int64)] = np.arange(64)
DE_BRUIJN_TABLE.flags.writeable = False
NO_DELETIONS = np.zeros(0, dtype=np.bool_)
NO_SCORES = np.zeros(0, dtype=np.float64)
PAST_THE_END = "a posting names a document past the segment's end"


def _bm25_loop(weight: float, freqs: Any, norms: Any, docs: Any
               ) -> Any:  # pragma: no cover - compiled (numba)
    """BM25 of postings, one at a time (see :func:`heron._kernels._numpy.bm25`)."""
    out = np.empty(len(docs), dtype=np.float64)
    for i in range(len(docs)):
        tf = np.float64(freqs[i])
        out[i] = weight * tf / (tf + norms[docs[i]])
    return out


def _merge_two(a: Any, sa: Any, b: Any, sb: Any) -> Any:  # pragma: no cover - compiled (numba)
    """The union of two sorted parts, a document's scores added first to second."""
    out = np.empty(len(a) + len(b), dtype=np.int64)
    acc = np.empty(len(a) + len(b), dtype=np.float64)
    i = j = m = 0
    while i < len(a) and j < len(b):
        if a[i] < b[j]:
            out[m], acc[m] = a[i], sa[i]
            i += 1
        elif b[j] < a[i]:
            out[m], acc[m] = b[j], sb[j]
            j += 1
        else:
            out[m], acc[m] = a[i], sa[i] + sb[j]
            i += 1
            j += 1
        m += 1
    while i < len(a):
        out[m], acc[m] = a[i], sa[i]
        i += 1
        m += 1
    while j < len(b):
        out[m], acc[m] = b[j], sb[j]
        j += 1
        m += 1
    return out[:m], acc[:m]


def _add_scores(acc: Any, bits: Any, docs: Any, scores: Any
                ) -> None:  # pragma: no cover - compiled (numba)
    """One part's scores added into ``acc``, its documents marked in ``bits``."""
    for i in range(len(docs)):
        d = docs[i]
        acc[d] += scores[i]
        bits[d >> 6] |= np.uint64(1) << np.uint64(d & 63)


def _add_term(acc: Any, bits: Any, docs: Any, freqs: Any, norms: Any,  # noqa: PLR0917
              weight: float, deleted: Any) -> int:  # pragma: no cover - compiled (numba)
    """One term's BM25 scores added into ``acc``, its documents marked in ``bits``
    (``deleted`` empty: none is); how many were."""
    check = len(deleted) > 0
    n = 0
    for i in range(len(docs)):
        d = docs[i]
        if d >= len(norms):  # numba checks no bounds: a damaged posting must not write
            raise IndexError(PAST_THE_END)
        if check and deleted[d]:
            continue
        tf = np.float64(freqs[i])
        acc[d] += weight * tf / (tf + norms[d])
        bits[d >> 6] |= np.uint64(1) << np.uint64(d & 63)
        n += 1
    return n


def _mark(bits: Any, docs: Any, deleted: Any, size: int
          ) -> None:  # pragma: no cover - compiled (numba)
    """The live documents of ``docs`` marked in ``bits`` (``deleted`` empty: none is)."""
    check = len(deleted) > 0
    for i in range(len(docs)):
        d = docs[i]
        if d >= size:  # numba checks no bounds: a damaged posting must not write
            raise IndexError(PAST_THE_END)
        if not (check and deleted[d]):
            bits[d >> 6] |= np.uint64(1) << np.uint64(d & 63)


def _take_marked(acc: Any, bits: Any, most: int) -> Any:  # pragma: no cover - compiled (numba)
    """The marked documents in order with their sums in ``acc`` (empty: documents alone);
    zeroes both buffers again."""
    out = np.empty(most, dtype=np.int64)
    sums = len(acc) > 0
    summed = np.empty(most if sums else 0, dtype=np.float64)
    table = DE_BRUIJN_TABLE
    m = 0
    for w in range(len(bits)):
        x = bits[w]
        if not x:
            continue
        bits[w] = 0
        while x:
            low = x & (~x + np.uint64(1))
            j = w * 64 + table[(low * DE_BRUIJN) >> np.uint64(58)]
            out[m] = j
            if sums:
                summed[m] = acc[j]
                acc[j] = 0.0
            m += 1
            x ^= low
    return out[:m], summed[:m]


def _common(docs: Any, other: Any) -> Any:  # pragma: no cover - compiled (numba)
    """Where two ascending lists share a document: its index in each. Each document of
    ``docs`` (the shorter) is galloped to in ``other``: steps of 1, 2, 4..., then a binary
    search from the last place found."""
    here = np.empty(min(len(docs), len(other)), dtype=np.int64)
    there = np.empty(len(here), dtype=np.int64)
    n, j, m = len(other), 0, 0
    for i in range(len(docs)):
        d = docs[i]
        if j >= n:
            break
        if other[j] < d:
            step, low = 1, j
            while low + step < n and other[low + step] < d:
                low += step
                step *= 2
            high = min(low + step, n)
            while low + 1 < high:
                mid = (low + high) >> 1
                if other[mid] < d:
                    low = mid
                else:
                    high = mid
            j = high
            if j >= n:
                break
        if other[j] == d:
            here[m], there[m] = i, j
            m += 1
            j += 1
    return here[:m], there[:m]


# one compiled loop: a kernel can call only kernels, and these compile when numba arrives
def _pair_counts(  # noqa: PLR0912, PLR0917
        docs: Any, here: Any, there: Any, short_freqs: Any, short_pos: Any, long_freqs: Any,
        long_pos: Any, long_before: Any, delta: int, deleted: Any
) -> Any:  # pragma: no cover - compiled (numba)
    """For the shared postings ``here`` (in the shorter list) and ``there`` (the longer),
    the live documents where the longer's term stands ``delta`` places after the
    shorter's, and at how many places (each once, however often a term stands there)."""
    out = np.empty(len(here), dtype=np.int64)
    counts = np.empty(len(here), dtype=np.int64)
    check = len(deleted) > 0
    s_last, s_start, l_last, l_start, m = 0, np.int64(0), -1, np.int64(0), 0
    for k in range(len(here)):
        i, j = here[k], there[k]
        d = docs[i]
        if check and deleted[d]:
            continue
        for t in range(s_last, i):  # the shorter list's positions start: summed on
            s_start += short_freqs[t]
        s_last = i
        # the longer list's: on from the last one found in the same block, else from the
        # block's first
        if l_last < 0 or l_last >> 7 != j >> 7:
            l_last, l_start = (j >> 7) << 7, long_before[j >> 7]
        for t in range(l_last, j):
            l_start += long_freqs[t]
        l_last = j
        a, a_end = s_start, s_start + short_freqs[i]
        b, b_end = l_start, l_start + long_freqs[j]
        if a_end > len(short_pos) or b_end > len(long_pos):
            raise IndexError("positions of a posting lie past the term's")
        found = 0
        while a < a_end and b < b_end:
            want = np.int64(short_pos[a]) + delta
            have = np.int64(long_pos[b])
            if have < want:
                b += 1
            elif have > want:
                a += 1
            else:  # one place, however often either term stands there
                found += 1
                while a < a_end and np.int64(short_pos[a]) + delta == want:
                    a += 1
                while b < b_end and np.int64(long_pos[b]) == have:
                    b += 1
        if found:
            out[m], counts[m] = d, found
            m += 1
    return out[:m], counts[:m]


# one compiled loop: a kernel can call only kernels, and these compile when numba arrives
def _top_loop(scores: Any, docs: Any, k: int  # noqa: PLR0912
              ) -> Any:  # pragma: no cover - compiled (numba)
    """Indices of the ``k`` best entries, best first, through a heap of ``k``."""
    # a heap of the k best seen, the worst at its root (lower score, then higher doc)
    heap = np.empty(k, dtype=np.int64)
    n = 0
    for i in range(len(scores)):
        s, d = scores[i], docs[i]
        if np.isnan(s):  # no number: never ranks
            continue
        if n < k:
            c = n
            heap[c] = i
            n += 1
            while c > 0:
                up = (c - 1) // 2
                a, b = heap[c], heap[up]
                if scores[a] < scores[b] or (scores[a] == scores[b] and docs[a] > docs[b]):
                    heap[c], heap[up] = b, a
                    c = up
                else:
                    break
            continue
        w = heap[0]
        if s < scores[w] or (s == scores[w] and d >= docs[w]):
            continue
        heap[0] = i
        c = 0
        while True:
            low, right = 2 * c + 1, 2 * c + 2
            if low >= n:
                break
            q = low
            if right < n:
                a, b = heap[right], heap[low]
                if scores[a] < scores[b] or (scores[a] == scores[b] and docs[a] > docs[b]):
                    q = right
            a, b = heap[q], heap[c]
            if scores[a] < scores[b] or (scores[a] == scores[b] and docs[a] > docs[b]):
                heap[q], heap[c] = b, a
                c = q
            else:
                break
    found = heap[:n]
    found = found[np.argsort(docs[found], kind="mergesort")]
    return found[np.argsort(-scores[found], kind="mergesort")]


@contextlib.contextmanager
def _damaged() -> Iterator[None]:
    """A kernel's IndexError (a check it makes, numba checking no bounds) as what it
    means: a damaged index."""
    try:
        yield
    except IndexError as exc:
        raise CorruptIndexError(str(exc)) from None


def build(numba: ModuleType) -> Kernels:
    """The compiled kernels (``numba``: the imported module)."""
    jit = numba.njit(cache=True, nogil=True)
    bm25_loop = jit(_bm25_loop)
    merge_two = jit(_merge_two)
    add_scores = jit(_add_scores)
    add_term = jit(_add_term)
    take_marked = jit(_take_marked)
    top_loop = jit(_top_loop)
    common = jit(_common)
    pair_counts = jit(_pair_counts)
    mark = jit(_mark)

    def bm25(weight: float, freqs: npt.NDArray[Any], norms: Scores, docs: npt.NDArray[Any]
             ) -> Scores:
        result: Scores = bm25_loop(weight, freqs, norms, docs)
        return result

    def union(docs: Sequence[npt.NDArray[Any]], scores: Sequence[Scores], size: int
              ) -> tuple[Docs, Scores]:
        if len(docs) == 2:
            two: tuple[Docs, Scores] = merge_two(docs[0], scores[0], docs[1], scores[1])
            return two
        acc, bits = Scratch().take(size)  # scores summed part after part: in their order
        for d, sc in zip(docs, scores, strict=True):
            add_scores(acc, bits, d, sc)
        many: tuple[Docs, Scores] = take_marked(acc, bits, sum(len(d) for d in docs))
        return many

    def top_k(scores: Scores, docs: npt.NDArray[Any], k: int) -> npt.NDArray[np.int64]:
        if k <= 0 or not len(scores):
            return np.zeros(0, dtype=np.int64)
        found: npt.NDArray[np.int64] = top_loop(scores, docs, min(k, len(scores)))
        return found

    def score_or(postings: Sequence[Postings], size: int,
                 deleted: npt.NDArray[np.bool_] | None, scratch: Scratch | None = None
                 ) -> tuple[Docs, Scores]:
        acc, bits = Scratch().take(size) if scratch is None else scratch.take(size)
        marks = NO_DELETIONS if deleted is None else deleted
        most = 0
        with _damaged():  # on a damaged posting the buffers are dropped, not given back
            for docs, freqs, norms, weight in postings:
                most += add_term(acc, bits, docs, freqs, norms, weight, marks)
        found: tuple[Docs, Scores] = take_marked(acc, bits, most)
        if scratch is not None:
            scratch.give((acc, bits))
        return found

    def exact_pair(first: PairTerm, second: PairTerm, delta: int,
                   deleted: npt.NDArray[np.bool_] | None) -> tuple[Docs, Docs]:
        if len(first[0]) > len(second[0]):
            first, second, delta = second, first, -delta
        here, there = common(first[0], second[0])
        with _damaged():  # what term_positions checks already: positions add up
            found: tuple[Docs, Docs] = pair_counts(
                first[0], here, there, first[1], first[2], second[1], second[2], second[3],
                delta, NO_DELETIONS if deleted is None else deleted)
        return found

    def distinct(docs: npt.NDArray[Any], size: int, deleted: npt.NDArray[np.bool_] | None
                 ) -> Docs:
        bits = np.zeros(size // 64 + 1, dtype=np.uint64)
        with _damaged():
            mark(bits, docs, NO_DELETIONS if deleted is None else deleted, size)
        found: Docs = take_marked(NO_SCORES, bits, len(docs))[0]
        return found

    def intersect(docs: Docs, scores: Scores, other: npt.NDArray[Any], other_scores: Scores
                  ) -> tuple[Docs, Scores]:
        if len(docs) <= len(other):
            here, there = common(docs, other)
        else:
            there, here = common(other, docs)
        return docs[here].astype(np.int64, copy=False), scores[here] + other_scores[there]

    grouping = (jit(_scatter), jit(_count_pairs), jit(_fill_pairs))
    return Kernels("numba", bm25, union, top_k, score_or, distinct, intersect,
                   functools.partial(group_by_term, kernels=grouping), exact_pair,
                   functools.partial(WordTable, jit(_split_texts), jit(_place)))
