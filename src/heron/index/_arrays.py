"""Array helpers shared by the storage, query and search layers."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def concat_ranges(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]
                  ) -> npt.NDArray[np.int64]:
    """Indices of the ranges ``[start, start + count)``, one after another.

    >>> concat_ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist()
    [5, 6, 9, 10, 11]
    """
    # as int64: unsigned offsets would mix with signed numbers into float64
    starts, counts = starts.astype(np.int64, copy=False), counts.astype(np.int64, copy=False)
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift: npt.NDArray[np.int64] = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return np.arange(total, dtype=np.int64) + shift


def byte_table(blob: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64],
               lengths: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.uint8]:
    """The first ``width`` bytes of each byte string ``blob[starts[i] : starts[i] +
    lengths[i]]``, NUL padded, one row each; filled a column at a time (no index array
    per byte).

    >>> blob = np.frombuffer(b"oiloils", dtype=np.uint8)
    >>> byte_table(blob, np.array([0, 3]), np.array([3, 4]), 4).tolist()
    [[111, 105, 108, 0], [111, 105, 108, 115]]
    """
    table = np.zeros((len(lengths), width), dtype=np.uint8)
    rows = np.arange(len(lengths), dtype=np.int64)
    starts = starts.astype(np.int64, copy=False)
    for column in range(width):
        rows = rows[lengths[rows] > column]
        if not len(rows):
            break
        table[rows, column] = blob[starts[rows] + column]
    return table


def fixed_width(blob: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64],
                lengths: npt.NDArray[np.int64], most: int) -> npt.NDArray[Any] | None:
    """The byte strings ``blob[starts[i] : starts[i] + lengths[i]]`` as one fixed-width numpy
    ``S`` array, which sorts and compares as the bytes do, so that numpy can sort, unite and
    group them without a Python object each. None when one is longer than ``most`` bytes
    or holds a NUL byte (numpy's byte strings drop trailing NULs: ``b"a"`` would equal
    ``b"a\\0"``).

    >>> blob = np.frombuffer(b"oiloilsgas", dtype=np.uint8)
    >>> fixed_width(blob, np.array([0, 3, 7]), np.array([3, 4, 3]), 8).tolist()
    [b'oil', b'oils', b'gas']
    """
    if not len(lengths):
        return np.zeros(0, dtype="S1")
    width = max(int(lengths.max()), 1)
    if width > most:
        return None
    table = byte_table(blob, starts, lengths, width)
    if np.count_nonzero(table) != int(lengths.sum()):  # a NUL byte inside a string
        return None
    return table.view(f"S{width}").ravel()


def stable_order(keys: npt.NDArray[np.integer]) -> npt.NDArray[np.intp]:
    """The stable sort order of non-negative integer keys below 2**32.

    numpy sorts 16-bit keys stably with a radix sort, so keys are sorted in one or two
    16-bit passes (least significant first), several times faster than a merge sort.

    >>> stable_order(np.array([70000, 3, 70000, 1, 3])).tolist()
    [3, 1, 4, 0, 2]
    """
    if not len(keys):
        return np.zeros(0, dtype=np.intp)
    top = int(keys.max())
    if top < 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    high = (keys >> 16).astype(np.uint16)[order]
    return order[np.argsort(high, kind="stable")]
