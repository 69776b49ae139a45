"""Laying out a segment's arrays: the term dictionary, postings, positions and forward lists.

Both the segment builder (from freshly analysed tokens) and the merger (from existing
segments) describe their postings the same way, one entry per (term, document) pair
in term then document order, and call these functions to produce the arrays that
:mod:`heron.index._segment_writer` documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.index._files import write_container

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


def dictionary_arrays(fields: Sequence[tuple[str, int, Sequence[bytes]]]
                      ) -> tuple[dict[str, npt.NDArray[Any]], dict[str, list[int]]]:
    """Arrays of the term dictionary from (field name, field number, sorted terms) in order.

    Returns the arrays and each field's ``[first, stop)`` term numbers.
    """
    blobs: list[bytes] = []
    keys: list[int] = []
    ranges: dict[str, list[int]] = {}
    for name, no, terms in fields:
        ranges[name] = [len(blobs), len(blobs) + len(terms)]
        blobs.extend(terms)
        keys.extend(term_key(no, t) for t in terms)
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
    meta = segment_meta(doc_count=doc_count, field_nos=field_nos, ranges=ranges, stats=stats)
    return write_container(path, SEGMENT_MAGIC, arrays, meta)


def segment_meta(*, doc_count: int, field_nos: Mapping[str, int],
                 ranges: Mapping[str, list[int]], stats: Mapping[str, Mapping[str, int]]
                 ) -> dict[str, Any]:
    """The metadata a segment container carries."""
    return {
        "format": SEGMENT_FORMAT, "doc_count": doc_count, "fields": dict(field_nos),
        "term_ranges": dict(ranges), "stats": {k: dict(v) for k, v in stats.items()},
    }
