"""The on-disk format in one place: magic numbers, versions, file names, array names and
term keys. Every other module of the index asks this one; none spells them itself.

File names: an index directory holds only these files of heron's (besides ``write.lock``):

    ``manifest_<generation:08d>.json``             a commit (see :mod:`heron.index._manifest`)
    ``seg_<number:06d>_<writer:8 hex>.hsg``       a segment container
    ``<segment>_<generation:08d>.hdl``            a segment's deletions as of a commit
    any of the above + ``.tmp``                    a file being written (never read)

Segment names carry a part unique to the writer that made them, so a file written by a
writer that died (or by one of its worker processes that outlived it) can never take
the name of a segment that a later commit names. Segments of format 1 (``seg_<number>``
without that part) are still read. A name read from a manifest is used as a path only
after it matched these patterns, so no manifest can point outside its directory.

Containers (segments and deletions) start with a magic number and the container version
(see :mod:`heron.index._files`); a segment's metadata names its segment format, which
says how its term keys are made. The arrays a segment holds are named here (what each
holds: :mod:`heron.index._segment_writer`; what each must satisfy: :mod:`._layout`).
"""

from __future__ import annotations

import re
import secrets
import struct
from collections.abc import Callable, Mapping
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

#: what a manifest says it is (see :mod:`heron.index._manifest`)
MANIFEST_FORMAT = "heron-index"
#: the manifest version written: 2 since segments of format 2 (heron 0.2) may be named, so
#: that heron 0.1 says it cannot read the index instead of calling a segment damaged; 3
#: since segments of format 3 may be named (which readers of format 2 cannot read); 4 since
#: those segments' stored blocks may be Zstandard frames (see :mod:`heron.index._stored`)
MANIFEST_VERSION = 4
#: the manifest versions read (a version-1 index names only format-1 segments, which are
#: read; a version-2 index, format-1 and format-2 segments)
MANIFEST_READ_VERSIONS = frozenset({1, 2, 3, 4})
#: the magic numbers of the two kinds of container
SEGMENT_MAGIC = b"HERONSEG"
DELETIONS_MAGIC = b"HERONDEL"
#: a merge's part: a piece of its terms merged by a worker process, appended to the merged
#: segment at once and deleted (never named by a manifest; see heron.index._merge_shared)
PART_MAGIC = b"HERONPRT"
#: segment format 1 put the field number in the term key's top byte (at most 256 fields)
SEGMENT_FORMAT_1 = "heron-segment-1"
#: segment format 2 keys a term by its first 8 bytes alone (any number of fields)
SEGMENT_FORMAT_2 = "heron-segment-2"
#: segment format 3 keys terms as format 2, writes offsets and norms narrower when their
#: values fit (``OFFSETS_NARROW``, ``NORMS_NARROW``) and compresses document numbers
#: per term (``ENCODED_ARRAYS``)
SEGMENT_FORMAT_3 = "heron-segment-3"
#: the format segments are written in
SEGMENT_FORMAT = SEGMENT_FORMAT_3

SEGMENT_SUFFIX = ".hsg"
DELETIONS_SUFFIX = ".hdl"
PART_SUFFIX = ".hpt"
LOCK_NAME = "write.lock"
#: added to the name of a file while it is written; renamed away once it is complete
TMP_SUFFIX = ".tmp"

_SEGMENT = r"seg_\d{6,12}(?:_[0-9a-f]{8})?"
SEGMENT_NAME = re.compile(rf"{_SEGMENT}\Z")
DELETIONS_NAME = re.compile(rf"({_SEGMENT})_(\d{{8}})\.hdl\Z")
MANIFEST_NAME = re.compile(r"manifest_(\d{8})\.json\Z")
#: every file heron writes in an index directory, finished or being written
OWN_FILE = re.compile(
    rf"(?:{_SEGMENT}(?:_\d{{8}}\.hdl|\.hsg|_f\d+p\d+\.hpt)|manifest_\d{{8}}\.json)(?:\.tmp)?\Z")


def _from_format_3(segment_format: str | None = None) -> bool:
    """Whether ``segment_format`` (default: the one written, looked up now, so a test may
    write an older one) is format 3 or later."""
    return (segment_format or SEGMENT_FORMAT) not in (SEGMENT_FORMAT_1, SEGMENT_FORMAT_2)


def offsets_narrow() -> str | None:
    """The narrower dtype offsets arrays are written in when they fit (None: always ``<i8``),
    by the format segments are written in.

    >>> offsets_narrow()
    '<u4'
    """
    return OFFSETS_NARROW if _from_format_3() else None


def encodes_docs(segment_format: str | None = None) -> bool:
    """Whether segments of ``segment_format`` (default: the one written) hold compressed
    document numbers (:data:`ENCODED_ARRAYS`)."""
    return _from_format_3(segment_format)


def norms_narrow() -> str | None:
    """The narrower dtype norms are written in when they fit (None: always ``<u4``)."""
    return NORMS_NARROW if _from_format_3() else None


def temporary(path: Path) -> Path:
    """The name ``path`` has while it is written."""
    return path.with_name(path.name + TMP_SUFFIX)


def writer_token() -> str:
    """A random part for the names of the segments one writer creates."""
    return secrets.token_hex(4)


def segment_name(number: int, token: str) -> str:
    """The name of a new segment: the writer's counter and its token."""
    return f"seg_{number:06d}_{token}"


def segment_file(directory: Path, name: str) -> Path:
    """Path of a segment's container file."""
    return directory / f"{name}{SEGMENT_SUFFIX}"


def part_file(segment: Path, field_no: int, piece: int) -> Path:
    """Path of a part of merged segment ``segment`` (its file): piece ``piece`` of field
    ``field_no``."""
    return segment.with_name(f"{segment.stem}_f{field_no}p{piece}{PART_SUFFIX}")


def deletions_name(segment: str, generation: int) -> str:
    """File name of a segment's deletions as of a commit generation."""
    return f"{segment}_{generation:08d}{DELETIONS_SUFFIX}"


def manifest_name(generation: int) -> str:
    """File name of the manifest of a generation."""
    return f"manifest_{generation:08d}.json"


def segment_number(name: str) -> int | None:
    """The number a segment's name says (its writer's counter), or None if it is no
    segment's name.

    >>> segment_number("seg_000012_5f0c9a2e"), segment_number("seg_000003"), segment_number("x")
    (12, 3, None)
    """
    return int(name.split("_")[1]) if SEGMENT_NAME.match(name) else None


def deletions_owner(file_name: str) -> tuple[str, int] | None:
    """The segment and generation a deletion file's name says, or None if it is no deletion
    file's name.

    >>> deletions_owner("seg_000001_5f0c9a2e_00000003.hdl")
    ('seg_000001_5f0c9a2e', 3)
    """
    m = DELETIONS_NAME.match(file_name)
    return (m.group(1), int(m.group(2))) if m else None


def manifest_generation(file_name: str) -> int | None:
    """The generation a manifest's file name says, or None if it is no manifest's name."""
    m = MANIFEST_NAME.match(file_name)
    return int(m.group(1)) if m else None


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
    SEGMENT_FORMAT_3: (term_key_2, 8),
}

#: the arrays every segment holds: term dictionary, postings, positions, stored fields
TERMS_BLOB = "terms.blob"
TERMS_OFFSETS = "terms.offsets"
TERMS_KEYS = "terms.keys"
TERMS_POST = "terms.post"
TERMS_POS = "terms.pos"
POST_DOCS = "post.docs"
POST_FREQS = "post.freqs"
POS_DATA = "pos.data"
STORED_OFFSETS = "stored.offsets"
STORED_BLOCKS = "stored.blocks"
STORED_ZPOS = "stored.zpos"
STORED_DATA = "stored.data"
#: offsets arrays (``terms.offsets``, ``terms.post``, ``stored.*``, ``fwd.*.offsets``,
#: ``surf.*.starts`` ...) are written in this dtype when their values fit it, else ``<i8``
#: (from format 3 on: see :func:`offsets_narrow`)
OFFSETS_NARROW = "<u4"
#: norms are written in this dtype when the longest field fits it, else ``<u4`` (format 3)
NORMS_NARROW = "<u2"
#: format 3: the compressed document numbers' offsets and skip data (see
#: :mod:`heron.index._postings`); ``post.docs`` holds the encoded bytes
TERMS_DOCS = "terms.docs"
SKIP_TERMS = "skip.terms"
SKIP_FIRST = "skip.first"
SKIP_LAST = "skip.last"
ENCODED_ARRAYS = (TERMS_DOCS, SKIP_TERMS, SKIP_FIRST, SKIP_LAST)
SEGMENT_ARRAYS = (TERMS_BLOB, TERMS_OFFSETS, TERMS_KEYS, TERMS_POST, TERMS_POS, POST_DOCS,
                  POST_FREQS, POS_DATA, STORED_OFFSETS, STORED_BLOCKS, STORED_ZPOS, STORED_DATA)

#: the kinds of array a field may have ("*" stands for the field's name: see field_array)
NORMS = "norms.*"
COLUMN = "col.*"
COLUMN_MASK = "colmask.*"
FORWARD_OFFSETS = "fwd.*.offsets"
FORWARD_TERMS = "fwd.*.terms"
SURFACE_STARTS = "surf.*.starts"
SURFACE_OFFSETS = "surf.*.offsets"
SURFACE_COUNTS = "surf.*.counts"
SURFACE_BLOB = "surf.*.blob"
SURFACE_ARRAYS = (SURFACE_STARTS, SURFACE_OFFSETS, SURFACE_COUNTS, SURFACE_BLOB)
FIELD_ARRAYS = (NORMS, COLUMN, COLUMN_MASK, FORWARD_OFFSETS, FORWARD_TERMS, *SURFACE_ARRAYS)

#: the one array of a deletions container: the bitmap of deleted documents
DELETED = "deleted"


def field_array(kind: str, field: str) -> str:
    """The name of field ``field``'s array of kind ``kind``.

    >>> field_array(NORMS, "body"), field_array(FORWARD_TERMS, "tags")
    ('norms.body', 'fwd.tags.terms')
    """
    return kind.replace("*", field, 1)


def array_kind(name: str) -> tuple[str, str]:
    """The kind of a segment array and the field it belongs to (``""`` for the segment's own
    arrays, whose kind is their name).

    >>> array_kind("fwd.tags.terms"), array_kind("terms.blob")
    (('fwd.*.terms', 'tags'), ('terms.blob', ''))
    """
    for kind in FIELD_ARRAYS:
        head, _, tail = kind.partition("*")
        if len(name) > len(head) + len(tail) and name.startswith(head) and name.endswith(tail):
            return kind, name[len(head) : len(name) - len(tail)]
    return name, ""
