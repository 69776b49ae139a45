"""What every segment shares: its term dictionary arrays, dtypes, stats and metadata.

The segment builder and the merger both write segments through
:mod:`heron.index._segment_stream`, which lays out the arrays that
:mod:`heron.index._segment_writer` documents with these helpers; names, magic, format
and term keys are :mod:`heron.index._format`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.index import _format
from heron.index._format import TERM_KEYS, TERMS_BLOB, TERMS_KEYS, TERMS_OFFSETS


def smallest_uint(max_value: int) -> type[np.unsignedinteger[Any]]:
    """The smallest unsigned dtype that holds ``max_value``."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_value <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def dictionary_arrays(fields: Sequence[tuple[str, int, Sequence[bytes]]],
                      segment_format: str | None = None
                      ) -> tuple[dict[str, npt.NDArray[Any]], dict[str, list[int]]]:
    """Arrays of the term dictionary from (field name, field number, sorted terms) in order.

    Keys are those of ``segment_format`` (default: ``SEGMENT_FORMAT``, the format
    :func:`write_segment` writes). Returns the arrays and each field's ``[first, stop)``
    term numbers.
    """
    key, _ = TERM_KEYS[segment_format or _format.SEGMENT_FORMAT]
    blobs: list[bytes] = []
    keys: list[int] = []
    ranges: dict[str, list[int]] = {}
    for name, no, terms in fields:
        ranges[name] = [len(blobs), len(blobs) + len(terms)]
        blobs.extend(terms)
        keys.extend([key(no, t) for t in terms])
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=offsets[1:])
    return {
        TERMS_BLOB: np.frombuffer(b"".join(blobs), dtype=np.uint8),
        TERMS_OFFSETS: offsets,
        TERMS_KEYS: np.asarray(keys, dtype=np.uint64),
    }, ranges


def narrow_norms(norms: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Norms in the dtype they are written in: ``NORMS_NARROW`` if the longest fits it.

    >>> narrow_norms(np.array([3, 65535], dtype=np.uint32)).dtype.str
    '<u2'
    """
    dtype = _format.norms_narrow()
    if dtype is None:
        return norms
    narrow = np.dtype(dtype)
    if not len(norms) or int(norms.max()) <= np.iinfo(narrow).max:
        return norms.astype(narrow)
    return norms


def field_stats(norms: npt.NDArray[Any]) -> dict[str, int]:
    """Per-segment statistics of a scored field from its norms."""
    return {"docs": int(np.count_nonzero(norms)), "length": int(norms.sum())}


def segment_meta(*, doc_count: int, field_nos: Mapping[str, int],
                 ranges: Mapping[str, list[int]], stats: Mapping[str, Mapping[str, int]]
                 ) -> dict[str, Any]:
    """The metadata a segment container carries."""
    return {
        "format": _format.SEGMENT_FORMAT, "doc_count": doc_count, "fields": dict(field_nos),
        "term_ranges": dict(ranges), "stats": {k: dict(v) for k, v in stats.items()},
    }
