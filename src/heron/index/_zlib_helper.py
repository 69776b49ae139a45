"""The helper process of :class:`heron.index._compressor.Compressor`: compresses blocks.

Run as a script (``python -I _zlib_helper.py LEVEL``), it imports nothing of heron: it
reads groups of blocks from standard input and writes each group back compressed, in
order, until its input ends. A group is a little-endian ``uint32`` count, that many
``uint32`` lengths, then the blocks one after another; the answer has the same layout.
"""

from __future__ import annotations

import struct
import sys
import zlib
from typing import IO


def read_group(source: IO[bytes]) -> list[bytes] | None:
    """The next group of blocks from ``source`` (None at its end)."""
    head = source.read(4)
    if len(head) < 4:
        return None
    (count,) = struct.unpack("<I", head)
    lengths = struct.unpack(f"<{count}I", _exactly(source, 4 * count))
    data = _exactly(source, sum(lengths))
    blocks, at = [], 0
    for n in lengths:
        blocks.append(data[at : at + n])
        at += n
    return blocks


def group_bytes(blocks: list[bytes]) -> bytes:
    """One group as written to the pipe."""
    return b"".join([struct.pack(f"<I{len(blocks)}I", len(blocks), *map(len, blocks)),
                     *blocks])


def _exactly(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise EOFError(f"a group ended after {len(data)} of {size} bytes")
    return data


def serve(level: int, source: IO[bytes], sink: IO[bytes]) -> None:
    """Compress every group of ``source`` into ``sink``."""
    while (blocks := read_group(source)) is not None:
        sink.write(group_bytes([zlib.compress(b, level) for b in blocks]))
        sink.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.stdin.buffer, sys.stdout.buffer)
