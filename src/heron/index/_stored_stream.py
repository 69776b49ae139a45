"""Copying stored documents into a merged segment as a stream, block by block.

A segment whose documents are all live (and hold no removed field) has its compressed
blocks copied as they are, without inflating and deflating them again (a bulk load's
merge at commit: about half of the merge's time). Other segments' documents are
re-blocked: laid out as :class:`heron.index._stored.StoredWriter` lays them out (same
block boundaries, same compression), sealed blocks compressed on the worker thread a
group at a time and appended to the container's spilled arrays as soon as they are
done, so memory holds a few groups of blocks, never the collection. Input blocks are
read one at a time and their mapped pages released once copied.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future

import numpy as np
import numpy.typing as npt

from heron.errors import CorruptIndexError
from heron.index._format import (
    STORED_BLOCKS,
    STORED_DATA,
    STORED_OFFSETS,
    STORED_ZPOS,
    offsets_narrow,
)
from heron.index._safeio import parse_json
from heron.index._segment_reader import SegmentReader
from heron.index._stored import BLOCK_BYTES, compress_blocks, encode_document, inflate
from heron.index._stream import COPY_BYTES, ContainerStream, release_pages

#: sealed blocks handed to the worker thread at once
GROUP_BLOCKS = 256
#: groups being compressed (or done and not yet written) at most
PENDING_GROUPS = 4
#: document lengths gathered before they are appended to ``stored.offsets``
LENGTHS_BATCH = 1 << 16
#: input blocks (and their positions) read from the mapped arrays at a time
READ_BLOCKS = 4096


class StoredStream:
    """Appends encoded documents to the ``stored.*`` arrays of a container being streamed."""

    def __init__(self, stream: ContainerStream, executor: Executor) -> None:
        self._executor = executor
        self._offsets = stream.spill(STORED_OFFSETS, np.int64, offsets_narrow())
        self._blocks = stream.spill(STORED_BLOCKS, np.int64, offsets_narrow())
        self._zpos = stream.spill(STORED_ZPOS, np.int64, offsets_narrow())
        self._data = stream.spill(STORED_DATA, np.uint8)
        for arr in (self._offsets, self._blocks, self._zpos):
            arr.append([0])
        self._total = 0  # uncompressed bytes so far
        self._zip_total = 0  # compressed bytes written so far
        self._lengths: list[int] = []
        self._block: list[bytes] = []
        self._block_bytes = 0
        self._sealed: list[bytes] = []
        self._seal_ends: list[int] = []
        self._pending: deque[Future[list[bytes]]] = deque()

    def add(self, raw: bytes) -> None:
        """Append one encoded document."""
        self._lengths.append(len(raw))
        self._total += len(raw)
        self._block.append(raw)
        self._block_bytes += len(raw)
        if self._block_bytes >= BLOCK_BYTES:
            self._seal()
        if len(self._lengths) >= LENGTHS_BATCH:
            self._write_lengths()

    def _seal(self) -> None:
        if self._block:
            self._sealed.append(b"".join(self._block))
            self._seal_ends.append(self._total)
            self._block, self._block_bytes = [], 0
            if len(self._sealed) >= GROUP_BLOCKS:
                self._submit()

    def _submit(self) -> None:
        if self._sealed:
            self._pending.append(self._executor.submit(compress_blocks, self._sealed))
            self._blocks.append(self._seal_ends)
            self._sealed, self._seal_ends = [], []
        while len(self._pending) > PENDING_GROUPS:
            self._write_group(self._pending.popleft())

    def _write_group(self, future: Future[list[bytes]]) -> None:
        chunks = future.result()
        ends = np.cumsum([len(c) for c in chunks], dtype=np.int64) + self._zip_total
        self._zpos.append(ends)
        self._data.append(np.frombuffer(b"".join(chunks), dtype=np.uint8))
        self._zip_total = int(ends[-1])

    def _write_lengths(self) -> None:
        if self._lengths:
            ends = np.cumsum(self._lengths, dtype=np.int64) + (self._total - sum(self._lengths))
            self._offsets.append(ends)
            self._lengths = []

    def finish(self) -> None:
        """Compress and write what is left."""
        self._seal()
        self._submit()
        while self._pending:
            self._write_group(self._pending.popleft())
        self._write_lengths()

    def append_blocks(self, seg: SegmentReader) -> None:
        """Append every stored document of ``seg`` by copying its compressed blocks."""
        self.finish()  # the blocks before these are sealed and written, in order
        offsets = seg.raw_array(STORED_OFFSETS)
        blocks = seg.raw_array(STORED_BLOCKS)
        zpos = seg.raw_array(STORED_ZPOS)
        data = seg.raw_array(STORED_DATA)
        if len(offsets) < 1 or len(blocks) < 1 or len(zpos) != len(blocks) or int(
                offsets[0]) or int(blocks[0]) or int(zpos[0]) or int(zpos[-1]) > len(data) or (
                int(blocks[-1]) != int(offsets[-1])):
            raise CorruptIndexError(f"{seg.name}: the stored documents' arrays disagree")
        for arr, out, base in ((offsets, self._offsets, self._total),
                               (blocks, self._blocks, self._total),
                               (zpos, self._zpos, self._zip_total)):
            for lo in range(1, len(arr), LENGTHS_BATCH):
                out.append(arr[lo : lo + LENGTHS_BATCH].astype(np.int64) + base)
            release_pages(arr)
        end = int(zpos[-1])
        for lo in range(0, end, COPY_BYTES):
            self._data.append(data[lo : min(end, lo + COPY_BYTES)])
            release_pages(data, 0, min(end, lo + COPY_BYTES))  # from 0: see release_pages
        self._total += int(offsets[-1])
        self._zip_total += end


def copy_stored(segments: Sequence[SegmentReader], doc_maps: Sequence[npt.NDArray[np.int64]],
                out: StoredStream, fields: frozenset[str]) -> None:
    """Append the stored documents of the live documents of ``segments``, in order.

    A segment that holds fields not in ``fields`` (removed from the schema) has its
    documents rewritten without them; the others are copied as they are.
    """
    for seg, dmap in zip(segments, doc_maps, strict=True):
        own_fields = set(seg.field_nos) <= fields
        if own_fields and bool((dmap >= 0).all()):
            out.append_blocks(seg)
            continue
        add = out.add if own_fields else _without_others(out, seg, fields)
        offsets = seg.raw_array(STORED_OFFSETS)
        blocks = seg.raw_array(STORED_BLOCKS)
        zpos = seg.raw_array(STORED_ZPOS)
        data = seg.raw_array(STORED_DATA)
        live = dmap >= 0
        nblocks = len(blocks) - 1
        # the first document of each block (a document never spans two blocks)
        first_doc = np.searchsorted(offsets, blocks, side="left")
        for lo in range(0, nblocks, READ_BLOCKS):
            hi = min(lo + READ_BLOCKS, nblocks)
            d_lo, d_hi = int(first_doc[lo]), int(first_doc[hi])
            doc_offsets = offsets[d_lo : d_hi + 1].tolist()
            doc_live = live[d_lo:d_hi].tolist()
            firsts = first_doc[lo : hi + 1].tolist()
            starts = blocks[lo : hi + 1].tolist()
            zs = zpos[lo : hi + 1].tolist()
            for b in range(hi - lo):
                if not any(doc_live[firsts[b] - d_lo : firsts[b + 1] - d_lo]):
                    continue
                text = inflate(data[zs[b] : zs[b + 1]].data, starts[b + 1] - starts[b])
                if text is None:  # (a bound on the size: a crafted block cannot fill memory)
                    raise CorruptIndexError(f"{seg.name}: stored block {lo + b} is damaged")
                base = starts[b]
                for d in range(firsts[b] - d_lo, firsts[b + 1] - d_lo):
                    if doc_live[d]:
                        add(text[doc_offsets[d] - base : doc_offsets[d + 1] - base])
            release_pages(data, 0, zs[-1])  # from 0: see release_pages
        for arr in (offsets, blocks, zpos):
            release_pages(arr)


def _without_others(out: StoredStream, seg: SegmentReader, fields: frozenset[str]
                    ) -> Callable[[bytes], None]:
    """A function adding a stored document to ``out`` without the fields not in ``fields``."""

    def add(raw: bytes) -> None:
        values = parse_json(raw, f"{seg.name}: a stored document")
        if not isinstance(values, dict):
            raise CorruptIndexError(f"{seg.name}: a stored document is not a JSON object")
        out.add(encode_document({k: v for k, v in values.items() if k in fields}))

    return add
