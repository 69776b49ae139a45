"""Deletion bitmaps: which documents of a segment are deleted, one write-once file per change.

A deletion file ``<segment>_<generation>.hdl`` is a container (see :mod:`heron.index._files`)
with magic ``HERONDEL``, one array ``deleted`` (the bits of the bitmap, packed
big-endian-bitwise with ``numpy.packbits``, one bit per document) and meta
``{"segment", "doc_count", "deleted_count"}``. The manifest names the current file of
each segment; a commit that deletes more writes a new file, never rewrites one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from heron.errors import CorruptIndexError
from heron.index._files import Container
from heron.index._format import DELETED, DELETIONS_MAGIC, deletions_name
from heron.index._stream import write_container

_META_KEYS = frozenset({"segment", "doc_count", "deleted_count"})


def write_deletions(directory: Path, segment: str, generation: int,
                    deleted: npt.NDArray[np.bool_]) -> tuple[str, int, int]:
    """Write a deletion bitmap; return (file name, size, crc32)."""
    name = deletions_name(segment, generation)
    meta = {"segment": segment, "doc_count": len(deleted),
            "deleted_count": int(np.count_nonzero(deleted))}
    size, crc = write_container(directory / name, DELETIONS_MAGIC,
                                {DELETED: np.packbits(deleted)}, meta)
    return name, size, crc


def read_deletions(path: Path, size: int, segment: str, doc_count: int,
                   deleted_count: int) -> npt.NDArray[np.bool_]:
    """Read and verify a deletion bitmap against what the manifest says.

    The bitmap is copied into memory and the file closed before this returns.
    """
    with Container(path, DELETIONS_MAGIC, size) as container:  # read at once, then released
        meta = container.meta
        if meta.get("segment") != segment or meta.get("doc_count") != doc_count:
            raise CorruptIndexError(f"{path.name}: does not belong to {segment}")
        if set(meta) != _META_KEYS or meta.get("deleted_count") != deleted_count:
            raise CorruptIndexError(f"{path.name}: metadata is badly formed")
        nbytes = (doc_count + 7) // 8
        if container.names() != [DELETED] or container.dtype(DELETED) != "|u1" or (
                container.shape(DELETED) != (nbytes,)):
            raise CorruptIndexError(f"{path.name}: the bitmap is not {nbytes} bytes of bits")
        bits = np.unpackbits(container.array(DELETED)).astype(bool)
    if bits[doc_count:].any():
        raise CorruptIndexError(f"{path.name}: marks documents past the segment's end")
    bits = bits[:doc_count]
    if int(np.count_nonzero(bits)) != deleted_count:
        raise CorruptIndexError(f"{path.name}: holds {int(np.count_nonzero(bits))} deletions, "
                                f"the manifest says {deleted_count}")
    return bits
