"""Array helpers shared by the storage, query and search layers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def concat_ranges(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]
                  ) -> npt.NDArray[np.int64]:
    """Indices of the ranges ``[start, start + count)``, one after another.

    >>> concat_ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist()
    [5, 6, 9, 10, 11]
    """
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift: npt.NDArray[np.int64] = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return np.arange(total, dtype=np.int64) + shift
