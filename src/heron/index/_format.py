"""The names of an index's files: one place that says what heron may create, read or remove.

An index directory holds only these files of heron's (besides ``write.lock``):

    ``manifest_<generation:08d>.json``             a commit (see :mod:`heron.index._manifest`)
    ``seg_<number:06d>_<writer:8 hex>.hsg``       a segment container
    ``<segment>_<generation:08d>.hdl``            a segment's deletions as of a commit
    any of the above + ``.tmp``                    a file being written (never read)

Segment names carry a part unique to the writer that made them, so a file written by a
writer that died (or by one of its worker processes that outlived it) can never take
the name of a segment that a later commit names. Segments of format 1 (``seg_<number>``
without that part) are still read. A name read from a manifest is used as a path only
after it matched these patterns, so no manifest can point outside its directory.
"""

from __future__ import annotations

import re
import secrets
import struct
from pathlib import Path

#: the container layout every index file but the manifests uses (see :mod:`heron.index._files`)
CONTAINER_VERSION = 1
CONTAINER_HEADER = struct.Struct("<8sIIII")  # magic, version, toc length, toc CRC-32, zero
CONTAINER_TAIL = struct.Struct("<Q")  # where the table of contents starts
CONTAINER_ALIGN = 64  # every array starts at a multiple of this
#: dtypes a container may declare: plain little-endian numbers and bytes, nothing else
CONTAINER_DTYPES = frozenset(
    {"|u1", "|i1", "<u2", "<i2", "<u4", "<i4", "<u8", "<i8", "<f4", "<f8", "|b1"}
)

SEGMENT_SUFFIX = ".hsg"
DELETIONS_SUFFIX = ".hdl"
LOCK_NAME = "write.lock"

_SEGMENT = r"seg_\d{6,12}(?:_[0-9a-f]{8})?"
SEGMENT_NAME = re.compile(rf"{_SEGMENT}\Z")
DELETIONS_NAME = re.compile(rf"{_SEGMENT}_\d{{8}}\.hdl\Z")
MANIFEST_NAME = re.compile(r"manifest_(\d{8})\.json\Z")
#: every file heron writes in an index directory, finished or being written
OWN_FILE = re.compile(rf"(?:{_SEGMENT}(?:_\d{{8}}\.hdl|\.hsg)|manifest_\d{{8}}\.json)(?:\.tmp)?\Z")


def writer_token() -> str:
    """A random part for the names of the segments one writer creates."""
    return secrets.token_hex(4)


def segment_name(number: int, token: str) -> str:
    """The name of a new segment: the writer's counter and its token."""
    return f"seg_{number:06d}_{token}"


def segment_file(directory: Path, name: str) -> Path:
    """Path of a segment's container file."""
    return directory / f"{name}{SEGMENT_SUFFIX}"


def deletions_name(segment: str, generation: int) -> str:
    """File name of a segment's deletions as of a commit generation."""
    return f"{segment}_{generation:08d}{DELETIONS_SUFFIX}"


def manifest_name(generation: int) -> str:
    """File name of the manifest of a generation."""
    return f"manifest_{generation:08d}.json"


def manifest_generation(file_name: str) -> int | None:
    """The generation a manifest's file name says, or None if it is no manifest's name."""
    m = MANIFEST_NAME.match(file_name)
    return int(m.group(1)) if m else None
