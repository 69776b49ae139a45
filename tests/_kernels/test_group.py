"""Grouping a new segment's tokens by term: numba's counting sort gives numpy's arrays."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron._kernels import NUMPY, load

pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                reason="numba is not installed (the fast extra)")


def batches(seed: int, sizes: list[int], vocabulary: int, with_positions: bool
            ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray] | None]:
    """Token batches as a writer buffers them: documents ascending, positions within."""
    rng = np.random.default_rng(seed)
    ids, docs, positions = [], [], []
    doc = 0
    for size in sizes:
        lengths = rng.integers(1, 6, size=max(1, size // 3))
        docs.append(np.repeat(np.arange(doc, doc + len(lengths)), lengths).astype(np.int32))
        doc += len(lengths)
        ids.append(rng.integers(0, vocabulary, size=int(lengths.sum())).astype(np.int32))
        positions.append(np.concatenate([np.arange(n) for n in lengths]).astype(np.int32))
    return ids, docs, positions if with_positions else None


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sizes=st.lists(st.integers(0, 300), min_size=1,
                                                     max_size=6),
       vocabulary=st.integers(1, 60), with_positions=st.booleans())
def test_the_counting_sort_gives_the_sorts_arrays(seed: int, sizes: list[int], vocabulary: int,
                                                  with_positions: bool) -> None:
    ids, _, _ = batches(seed, sizes, vocabulary, with_positions)
    counts_by_id = np.bincount(np.concatenate(ids), minlength=vocabulary)
    present = np.flatnonzero(counts_by_id)  # the others: terms of other segments (rank -1)
    order = np.random.default_rng(seed).permutation(len(present))  # the terms' sorted order
    rank = np.full(vocabulary, -1, dtype=np.int32)
    rank[present[order]] = np.arange(len(present), dtype=np.int32)
    found = []
    for kernels in (NUMPY, load("numba")):
        ids, docs, positions = batches(seed, sizes, vocabulary, with_positions)
        grouped = kernels.group_by_term(ids, docs, positions, rank,
                                        counts_by_id[present[order]])
        assert not ids  # each batch let go once used
        assert not docs
        found.append([None if a is None else (a.dtype.str, a.tolist()) for a in grouped])
    assert found[0] == found[1]
    assert (found[0][3] is None) == (not with_positions)
