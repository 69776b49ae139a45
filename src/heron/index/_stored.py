"""Stored fields: documents as JSON, compressed in blocks.

A block holds at least 4 KB: one long document or a few short ones, compressed as one
Zstandard frame at level 3 that records its size and a checksum. Before manifest version
4, blocks were 2 KB zlib streams at level 6; on the news grown 16 times zstd makes the
stored text 2% smaller, compresses it five times faster and inflates a block in 9 µs
instead of 16. A block says what it is: a zstd frame starts with its magic number, which
no zlib stream can start with (a zlib stream's first two bytes are a multiple of 31), so
segments of both kinds read and merge into one. Block sizes and levels are data, not
format: a reader takes any.

Blocks are compressed a group at a time in one call (``multi_compress_to_buffer``), which
lets go of the GIL for the whole group: compressing block by block on a thread beside
the writer's Python took the GIL back after every block and starved behind it (2 KB
zlib blocks needed a helper process for that before).

Arrays in a segment:
    ``stored.offsets``  int64 [docs + 1]   start of each document in the uncompressed stream
    ``stored.blocks``   int64 [blocks + 1] start of each block in the uncompressed stream
    ``stored.zpos``     int64 [blocks + 1] start of each block in ``stored.data``
    ``stored.data``     uint8              the compressed blocks, one frame or stream each
A document never spans two blocks. Each document is a UTF-8 JSON object of its
stored fields (values in the JSON form their field types give), without spaces and with
non-ASCII text as it is. A document whose values are all strings (text, ids) is encoded
by ``orjson`` when it is installed (the ``fast`` extra: 2.5 µs instead of 6 for a news
article): its bytes are the standard library's, character for character (a test checks
every code point), so an index is the same whichever encoded it.
"""

from __future__ import annotations

import functools
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import zstandard

from heron.errors import CorruptIndexError
from heron.index._files import Container
from heron.index._format import STORED_BLOCKS, STORED_DATA, STORED_OFFSETS, STORED_ZPOS

#: a block is sealed once it holds this many bytes
BLOCK_BYTES = 4096
#: the Zstandard level blocks are compressed at
ZSTD_LEVEL = 3
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: no block inflates to more than this many times its compressed length (a zstd frame's
#: best is about 32,000: a 4-byte block header and one byte repeated 128 KB; zlib's 1,032)
MAX_RATIO = 1 << 15
_CACHE_BLOCKS = 64
#: a compressor and a decompressor per thread (neither may be shared between threads)
_LOCAL = threading.local()


#: one encoder for every document (``json.dumps`` with these options builds one a call)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@functools.cache
def _fast_dumps() -> Callable[[Any], bytes] | None:
    """``orjson.dumps`` if orjson is installed, else None (imported on first use)."""
    try:
        import orjson  # noqa: PLC0415 - an optional accelerator (the fast extra)
    except ImportError:
        return None
    return cast("Callable[[Any], bytes]", orjson.dumps)


def encode_document(values: dict[str, Any]) -> bytes:
    """The stored form of one document's stored values."""
    fast = _fast_dumps()
    if fast is not None and all(type(v) is str for v in values.values()):
        return fast(values)  # strings only: orjson writes them as json does (floats not)
    return _JSON.encode(values).encode()


def compress_blocks(blocks: list[bytes]) -> list[bytes]:
    """Compress blocks, each into one Zstandard frame (with its size and a checksum)."""
    if not blocks:
        return []
    compressor = getattr(_LOCAL, "compressor", None)
    if compressor is None:
        compressor = _LOCAL.compressor = zstandard.ZstdCompressor(
            level=ZSTD_LEVEL, write_checksum=True, write_content_size=True)
    given: list[bytes | bytearray | memoryview] = list(blocks)
    try:
        frames = compressor.multi_compress_to_buffer(given, threads=1)
    except NotImplementedError:  # zstandard's cffi backend (PyPy): a frame at a time
        return [compressor.compress(b) for b in blocks]
    return [frames[i].tobytes() for i in range(len(frames))]


def inflate(raw: bytes | memoryview, size: int) -> bytes | None:
    """Decompress one block, a zstd frame or a zlib stream, that must hold ``size`` bytes
    (None if it does not, or is damaged).

    Never inflates more than ``size + 1`` bytes, nor takes a ``size`` the block could not
    hold (past :data:`MAX_RATIO` times its length), so no crafted block or offset can
    exhaust memory: a zstd frame is allocated the size its header says.
    """
    if not 0 < size <= len(raw) * MAX_RATIO:
        return None
    if bytes(raw[:4]) == _ZSTD_MAGIC:
        return _unzstd(raw, size)
    d = zlib.decompressobj()
    try:
        data = d.decompress(raw, size + 1)
    except zlib.error:
        return None
    if len(data) != size or not d.eof or d.unused_data:
        return None
    return data


def _unzstd(raw: bytes | memoryview, size: int) -> bytes | None:
    """A zstd frame's bytes: exactly one frame that says it holds ``size`` bytes, does,
    and matches its checksum (None otherwise)."""
    decompressor = getattr(_LOCAL, "decompressor", None)
    if decompressor is None:
        decompressor = _LOCAL.decompressor = zstandard.ZstdDecompressor()
    try:
        if zstandard.frame_content_size(raw) != size:  # -1: unknown, never written
            return None
        data: bytes = decompressor.decompress(raw, max_output_size=size, allow_extra_data=False)
    except zstandard.ZstdError:
        return None
    return data if len(data) == size else None


class StoredWriter:
    """Collects encoded documents into blocks, compressing full blocks on a worker thread
    (which lets go of the GIL: compression overlaps the analysis of the next batch)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._lengths: list[int] = []
        self._block: list[bytes] = []
        self._block_bytes = 0
        self._block_starts: list[int] = [0]
        self._sealed: list[bytes] = []
        self._chunks: list[Future[list[bytes]]] = []

    def add(self, raw: bytes) -> None:
        """Append one encoded document."""
        self._lengths.append(len(raw))
        self._block.append(raw)
        self._block_bytes += len(raw)
        if self._block_bytes >= BLOCK_BYTES:
            self._seal()

    def _seal(self) -> None:
        if self._block:
            self._sealed.append(b"".join(self._block))
            self._block_starts.append(len(self._lengths))
            self._block, self._block_bytes = [], 0

    def submit(self) -> None:
        """Hand the sealed blocks to the worker thread for compression."""
        if self._sealed:
            self._chunks.append(self._executor.submit(compress_blocks, self._sealed))
            self._sealed = []

    def finish(self) -> dict[str, npt.NDArray[Any]]:
        """Compress what is left and return the arrays to write."""
        self._seal()
        self.submit()
        offsets = np.zeros(len(self._lengths) + 1, dtype=np.int64)
        np.cumsum(np.asarray(self._lengths, dtype=np.int64), out=offsets[1:])
        chunks = [c for f in self._chunks for c in f.result()]
        zpos = np.zeros(len(chunks) + 1, dtype=np.int64)
        np.cumsum([len(c) for c in chunks], out=zpos[1:])
        return {
            STORED_OFFSETS: offsets,
            STORED_BLOCKS: offsets[np.asarray(self._block_starts, dtype=np.int64)],
            STORED_ZPOS: zpos,
            STORED_DATA: np.frombuffer(b"".join(chunks), dtype=np.uint8),
        }


class StoredReader:
    """Reads stored documents of one segment, keeping recently used blocks."""

    def __init__(self, container: Container) -> None:
        self._c = container
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._arrays: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None

    def raw(self, doc: int) -> bytes:
        """The stored JSON bytes of a segment-local document."""
        if self._arrays is None:
            self._arrays = (self._c.array(STORED_OFFSETS), self._c.array(STORED_BLOCKS))
        offsets, blocks = self._arrays
        # the layout guarantees offsets ascending strictly and blocks starting at documents
        start, end = offsets[doc : doc + 2].tolist()
        block = int(blocks.searchsorted(start, side="right")) - 1
        data = self._block(block, blocks)
        base = int(blocks[block])
        return data[start - base : end - base]

    def _block(self, block: int, blocks: npt.NDArray[np.int64]) -> bytes:
        with self._lock:  # searchers may be shared between threads
            data = self._cache.get(block)
            if data is not None:
                self._cache.move_to_end(block)
                return data
        zpos = self._c.array(STORED_ZPOS)
        raw = self._c.array(STORED_DATA)[int(zpos[block]) : int(zpos[block + 1])]
        data = inflate(raw.data, int(blocks[block + 1] - blocks[block]))
        if data is None:
            message = f"{self._c.path.name}: stored block {block} is damaged"
            raise CorruptIndexError(message)
        with self._lock:
            self._cache[block] = data
            if len(self._cache) > _CACHE_BLOCKS:
                self._cache.popitem(last=False)
        return data

    def close(self) -> None:
        """Drop the cached blocks and the arrays (the segment reader closes the container)."""
        with self._lock:
            self._arrays = None
            self._cache.clear()

    def document(self, doc: int) -> dict[str, Any]:
        """The stored values of a segment-local document, as JSON values."""
        try:
            value = json.loads(self.raw(doc))
        except (ValueError, RecursionError):
            raise self._damaged(doc) from None
        if not isinstance(value, dict):
            raise self._damaged(doc)
        return value

    def verify(self, doc_count: int) -> None:
        """Read every document: each block inflates to its size, each document is an object."""
        for doc in range(doc_count):
            self.document(doc)

    def _damaged(self, doc: int) -> CorruptIndexError:
        """The error for a stored document that does not decode to a JSON object."""
        return CorruptIndexError(f"{self._c.path.name}: stored document {doc} is damaged")
