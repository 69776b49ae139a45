"""A new segment's tokens grouped by term, compiled: a counting sort instead of a sort.

The writer buffers a field's tokens (term, document, position) in the order they came,
batch after batch. To write postings it needs them by term, each term's in that same
order, and then each (term, document) pair with its frequency. numpy does it with a sort
of 64-bit keys and gathers, which at its peak holds about 30 bytes a token beyond the
buffers. A counting sort knows where each term's tokens go from their counts: one pass
scatters each batch's documents and positions to their places (the batch is let go
at once), one pass counts the pairs and one fills them; it holds 8 bytes a token
beyond the buffers, and is quicker. The results are the same arrays as numpy's
(``group_by_term`` in :mod:`heron._kernels._numpy`), to the element.

The functions with a leading underscore are the kernels (compiled by
:func:`heron._kernels._numba.build`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Int32s = npt.NDArray[np.int32]


def _scatter(  # noqa: PLR0917 - numba takes no objects
        ids: Any, docs: Any, positions: Any, rank: Any, nexts: Any, docs_out: Any,
        positions_out: Any) -> None:  # pragma: no cover - compiled (numba)
    """Put each token of a batch at the next place of its term (``rank[ids[i]]``)."""
    with_positions = len(positions_out) > 0
    for i in range(len(ids)):
        t = rank[ids[i]]
        at = nexts[t]
        docs_out[at] = docs[i]
        if with_positions:
            positions_out[at] = positions[i]
        nexts[t] = at + 1


def _count_pairs(docs: Any, ends: Any) -> int:  # pragma: no cover - compiled (numba)
    """The (term, document) pairs of tokens grouped by term (``ends``: each term's end)."""
    pairs = 0
    start = 0
    for end in ends:
        for i in range(start, end):
            if i == start or docs[i] != docs[i - 1]:
                pairs += 1
        start = end
    return pairs


def _fill_pairs(docs: Any, ends: Any, pair_terms: Any, pair_docs: Any, freqs: Any
                ) -> None:  # pragma: no cover - compiled (numba)
    """Each pair's term, document and frequency (tokens of one term and document)."""
    m = -1
    start = 0
    for t in range(len(ends)):
        end = ends[t]
        for i in range(start, end):
            if i == start or docs[i] != docs[i - 1]:
                m += 1
                pair_terms[m] = t
                pair_docs[m] = docs[i]
                freqs[m] = 0
            freqs[m] += 1
        start = end


Grouped = tuple[Int32s, Int32s, Int32s, Int32s | None]


def group_by_term(ids: list[Int32s], docs: list[Int32s], positions: list[Int32s] | None,
                  rank: Int32s, counts: npt.NDArray[np.int64], *,
                  kernels: tuple[Callable[..., None], Callable[..., int], Callable[..., None]]
                  ) -> Grouped:
    """Tokens in batches grouped by term: each pair's term (its rank), document and
    frequency, and the positions in term order (None without ``positions``).

    ``rank`` maps a token's term number to its place among the terms written, ``counts``
    gives the tokens of each place. The batch lists are emptied as they are used.
    ``kernels``: :func:`_scatter`, :func:`_count_pairs` and :func:`_fill_pairs` compiled.
    """
    scatter, count_pairs, fill_pairs = kernels
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    nexts = ends - counts
    docs_out = np.empty(total, dtype=np.int32)
    positions_out = np.empty(total if positions else 0, dtype=np.int32)
    no_positions = np.zeros(0, dtype=np.int32)
    while ids:
        scatter(ids.pop(0), docs.pop(0), positions.pop(0) if positions else no_positions,
                rank, nexts, docs_out, positions_out)
    pairs = count_pairs(docs_out, ends)
    pair_terms = np.empty(pairs, dtype=np.int32)
    pair_docs = np.empty(pairs, dtype=np.int32)
    freqs = np.empty(pairs, dtype=np.int32)
    fill_pairs(docs_out, ends, pair_terms, pair_docs, freqs)
    return pair_terms, pair_docs, freqs, positions_out if positions is not None else None
