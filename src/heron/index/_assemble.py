"""What every segment shares: its magic and format, term keys, dtypes, stats and metadata.

The segment builder and the merger both write segments through
:mod:`heron.index._segment_stream`, which lays out the arrays that
:mod:`heron.index._segment_writer` documents with these helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

SEGMENT_MAGIC = b"HERONSEG"
#: format 1 put the field number in the term key's top byte (at most 256 fields)
SEGMENT_FORMAT_1 = "heron-segment-1"
#: format 2 keys a term by its first 8 bytes alone (any number of fields)
SEGMENT_FORMAT_2 = "heron-segment-2"
#: the format segments are written in
SEGMENT_FORMAT = SEGMENT_FORMAT_2


def smallest_uint(max_value: int) -> type[np.unsignedinteger[Any]]:
    """The smallest unsigned dtype that holds ``max_value``."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_value <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def term_key_1(field_no: int, term: bytes) -> int:
    """The 64-bit sort key of a term in format 1: field number, then its first 7 bytes."""
    return (field_no << 56) | int.from_bytes(term[:7].ljust(7, b"\0"), "big")


def term_key_2(field_no: int, term: bytes) -> int:
    """The 64-bit sort key of a term in format 2: its first 8 bytes (NUL padded), big-endian.

    Keys only order terms within one field: a look-up searches the field's term range.

    >>> hex(term_key_2(300, b"ab"))
    '0x6162000000000000'
    """
    return int.from_bytes(term[:8].ljust(8, b"\0"), "big")


#: per segment format: the key function (field number, term bytes) and how many term bytes
#: the key holds (a term no longer than that is told apart by its key alone)
TERM_KEYS: Mapping[str, tuple[Callable[[int, bytes], int], int]] = {
    SEGMENT_FORMAT_1: (term_key_1, 7),
    SEGMENT_FORMAT_2: (term_key_2, 8),
}


def dictionary_arrays(fields: Sequence[tuple[str, int, Sequence[bytes]]],
                      segment_format: str | None = None
                      ) -> tuple[dict[str, npt.NDArray[Any]], dict[str, list[int]]]:
    """Arrays of the term dictionary from (field name, field number, sorted terms) in order.

    Keys are those of ``segment_format`` (default: :data:`SEGMENT_FORMAT`, the format
    :func:`write_segment` writes). Returns the arrays and each field's ``[first, stop)``
    term numbers.
    """
    key, _ = TERM_KEYS[segment_format or SEGMENT_FORMAT]
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
        "terms.blob": np.frombuffer(b"".join(blobs), dtype=np.uint8),
        "terms.offsets": offsets,
        "terms.keys": np.asarray(keys, dtype=np.uint64),
    }, ranges


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
