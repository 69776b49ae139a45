"""What every segment shares: its magic and format, term keys, dtypes, stats and metadata.

The segment builder and the merger both write segments through
:mod:`heron.index._segment_stream`, which lays out the arrays that
:mod:`heron.index._segment_writer` documents with these helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

SEGMENT_MAGIC = b"HERONSEG"
SEGMENT_FORMAT = "heron-segment-1"
_KEY_BYTES = 7


def smallest_uint(max_value: int) -> type[np.unsignedinteger[Any]]:
    """The smallest unsigned dtype that holds ``max_value``."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_value <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def term_key(field_no: int, term: bytes) -> int:
    """The 64-bit sort key of a term: field number, then its first 7 bytes."""
    return (field_no << 56) | int.from_bytes(term[:_KEY_BYTES].ljust(_KEY_BYTES, b"\0"), "big")


def field_stats(norms: npt.NDArray[Any]) -> dict[str, int]:
    """Per-segment statistics of a scored field from its norms."""
    return {"docs": int(np.count_nonzero(norms)), "length": int(norms.sum())}


def segment_meta(*, doc_count: int, field_nos: Mapping[str, int],
                 ranges: Mapping[str, list[int]], stats: Mapping[str, Mapping[str, int]]
                 ) -> dict[str, Any]:
    """The metadata a segment container carries."""
    return {
        "format": SEGMENT_FORMAT, "doc_count": doc_count, "fields": dict(field_nos),
        "term_ranges": dict(ranges), "stats": {k: dict(v) for k, v in stats.items()},
    }
