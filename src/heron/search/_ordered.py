"""Collecting hits in a field order (``sort_by``), collapsed or not."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from heron.index import SegmentReader
from heron.query import Matches
from heron.search._collapse import Collapser
from heron.search._sorting import SortKey, merge_order, segment_top, segment_value

#: each segment's matches, after its document-number base
Parts = list[tuple[int, SegmentReader, Matches]]
Collected = tuple[int, npt.NDArray[np.int64], npt.NDArray[np.float64]]


def collect_sorted(parts: Parts, keys: list[SortKey], k: int) -> Collected:
    """The total and the first ``k`` hits (numbers, scores) in the order of ``keys``."""
    total = 0
    rows: list[tuple[list[Any], float, int]] = []
    for base, seg, found in parts:
        total += len(found)
        for i in segment_top(seg, found, keys, k).tolist():
            doc = int(found.docs[i])
            rows.append(([segment_value(seg, key, doc) for key in keys],
                         float(found.scores[i]), base + doc))
    order = merge_order(rows, keys)[:k]
    return (total, np.asarray([rows[i][2] for i in order], dtype=np.int64),
            np.asarray([rows[i][1] for i in order], dtype=np.float64))


def collect_collapsed(parts: Parts, keys: list[SortKey] | None, collapser: Collapser,
                      k: int | None) -> Collected:
    """The hits left after collapsing, ranked by score or in the order of ``keys``."""
    if keys is None:
        return collapser.collect(k)
    _, docs, scores = collect_sorted(parts, keys, sum(len(f) for _, _, f in parts))
    return collapser.finish(docs, scores, k)
