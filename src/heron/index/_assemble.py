"""Laying out a segment's arrays: the term dictionary, postings, positions and forward lists.

Both the segment builder (from freshly analysed tokens) and the merger (from existing
segments) describe their postings the same way, one entry per (term, document) pair
in term then document order, and call these functions to produce the arrays that
:mod:`heron.index._segment_writer` documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.index._files import write_container

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


def postings_arrays(
    *,
    nterms: int,
    doc_count: int,
    pair_terms: npt.NDArray[np.int64],
    pair_docs: npt.NDArray[np.int64],
    freqs: npt.NDArray[np.int64],
    pos_counts: npt.NDArray[np.int64],
    positions: npt.NDArray[np.int64],
    forward: Mapping[str, Sequence[int]],
) -> dict[str, npt.NDArray[Any]]:
    """Arrays of postings, positions and forward lists from (term, document) pairs.

    ``pos_counts[i]`` is how many of ``positions`` belong to pair ``i`` (its frequency
    for fields that keep positions, else 0); ``forward`` names the fields (with their
    term ranges) that get per-document term lists.
    """
    post = np.zeros(nterms + 1, dtype=np.int64)
    np.cumsum(np.bincount(pair_terms, minlength=nterms), out=post[1:])
    pos = np.zeros(nterms + 1, dtype=np.int64)
    np.cumsum(np.bincount(pair_terms, weights=pos_counts, minlength=nterms).astype(np.int64),
              out=pos[1:])
    max_doc = max(doc_count - 1, 0)
    max_pos = int(positions.max()) if len(positions) else 0
    max_freq = int(freqs.max()) if len(freqs) else 0
    arrays: dict[str, npt.NDArray[Any]] = {
        "terms.post": post,
        "terms.pos": pos,
        "post.docs": pair_docs.astype(np.uint16 if max_doc <= 0xFFFF else np.uint32),
        "post.freqs": freqs.astype(smallest_uint(max_freq)),
        "pos.data": positions.astype(np.uint16 if max_pos <= 0xFFFF else np.uint32),
    }
    for name, (lo, hi) in forward.items():
        in_field = (pair_terms >= lo) & (pair_terms < hi)
        f_docs = pair_docs[in_field]
        order = np.argsort(f_docs, kind="stable")
        offsets = np.zeros(doc_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(f_docs, minlength=doc_count), out=offsets[1:])
        arrays[f"fwd.{name}.offsets"] = offsets
        arrays[f"fwd.{name}.terms"] = (pair_terms[in_field][order] - lo).astype(np.uint32)
    return arrays


def field_stats(norms: npt.NDArray[Any]) -> dict[str, int]:
    """Per-segment statistics of a scored field from its norms."""
    return {"docs": int(np.count_nonzero(norms)), "length": int(norms.sum())}


def write_segment(path: Path, arrays: Mapping[str, npt.NDArray[Any]], *, doc_count: int,
                  field_nos: Mapping[str, int], ranges: Mapping[str, list[int]],
                  stats: Mapping[str, Mapping[str, int]]) -> tuple[int, int]:
    """Write a segment container; return its (size, crc32)."""
    meta = {
        "format": SEGMENT_FORMAT, "doc_count": doc_count, "fields": dict(field_nos),
        "term_ranges": dict(ranges), "stats": {k: dict(v) for k, v in stats.items()},
    }
    return write_container(path, SEGMENT_MAGIC, arrays, meta)
