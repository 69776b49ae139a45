"""Commit manifests: the JSON file that names the segments of one commit.

A commit writes ``manifest_<generation>.json`` through a temporary file, fsyncs it
and renames it into place, so a manifest is either complete or absent. Its
``checksum`` is the CRC-32 of its canonical JSON without that key. Readers open
the newest manifest; if it fails its checksum they raise rather than fall back,
since an older commit would silently hide committed documents.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from attrs import frozen

from heron.errors import CorruptIndexError, IndexNotFoundError
from heron.index._files import write_atomic
from heron.index._format import (
    MANIFEST_FORMAT,
    MANIFEST_READ_VERSIONS,
    MANIFEST_VERSION,
    deletions_owner,
    manifest_generation,
    manifest_name,
    segment_number,
)
from heron.index._safeio import parse_json, plain_int, read_regular

FORMAT = MANIFEST_FORMAT
FORMAT_VERSION = MANIFEST_VERSION
READ_VERSIONS = MANIFEST_READ_VERSIONS
#: a manifest larger than this is not one heron wrote (about 250 bytes per segment)
MAX_MANIFEST_BYTES = 1 << 26
_KEYS = frozenset({"format", "version", "generation", "next_segment", "schema", "segments"})
_ENTRY_REQUIRED = frozenset({"name", "size", "crc32", "doc_count"})
_ENTRY_KEYS = _ENTRY_REQUIRED | {"deletions", "deleted_count", "deletions_size",
                                 "deletions_crc32"}
#: the smallest container file (header and tail)
_MIN_FILE = 32


@frozen
class SegmentEntry:
    """One segment of a commit: its file, size, checksum and document counts."""

    name: str
    size: int
    crc32: int
    doc_count: int
    deletions: str | None = None
    deleted_count: int = 0
    deletions_size: int = 0
    deletions_crc32: int = 0

    @property
    def live_count(self) -> int:
        """Documents not deleted."""
        return self.doc_count - self.deleted_count

    def to_json(self) -> dict[str, Any]:
        """Describe the entry as JSON."""
        return {
            "name": self.name, "size": self.size, "crc32": self.crc32,
            "doc_count": self.doc_count, "deletions": self.deletions,
            "deleted_count": self.deleted_count, "deletions_size": self.deletions_size,
            "deletions_crc32": self.deletions_crc32,
        }


@frozen
class Manifest:
    """The content of one commit."""

    generation: int
    schema: dict[str, Any]
    segments: tuple[SegmentEntry, ...]
    next_segment: int
    #: the manifest's format version: the newest one (FORMAT_VERSION) once a segment this
    #: heron wrote is named; a commit that names only an older index's segments keeps its
    #: version, so that the heron that made them still reads it
    version: int = FORMAT_VERSION

    def to_bytes(self) -> bytes:
        """Serialise with a checksum."""
        body = {
            "format": FORMAT, "version": self.version, "generation": self.generation,
            "next_segment": self.next_segment, "schema": self.schema,
            "segments": [s.to_json() for s in self.segments],
        }
        canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        return json.dumps({**body, "checksum": zlib.crc32(canon)}, indent=1).encode()

    def write(self, directory: Path) -> Path:
        """Publish this manifest atomically in ``directory``."""
        path = directory / manifest_name(self.generation)
        write_atomic(path, self.to_bytes())
        return path


def generations(directory: Path) -> list[int]:
    """Generations of the manifests in ``directory``, newest first."""
    found = []
    for path in directory.iterdir():
        generation = manifest_generation(path.name)
        if generation is not None:
            found.append(generation)
    return sorted(found, reverse=True)


def parse_manifest(path: Path) -> Manifest:
    """Read and verify one manifest file: its checksum, then every field's type and range.

    Every name it holds must be one heron gives its own files (so none can lead outside
    the directory), each segment and deletion file appear once, and the generation must
    be the one the file's name says.
    """
    data = parse_json(read_regular(path, MAX_MANIFEST_BYTES), path.name)
    if not isinstance(data, dict) or not plain_int(data.get("checksum")):
        raise CorruptIndexError(f"{path.name}: not a valid manifest")
    checksum = data.pop("checksum")
    try:
        canon = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, TypeError, RecursionError):
        raise CorruptIndexError(f"{path.name}: not a valid manifest") from None
    if zlib.crc32(canon) != checksum:
        raise CorruptIndexError(f"{path.name}: fails its checksum")
    if data.get("format") != FORMAT:
        raise CorruptIndexError(f"{path.name}: not a heron manifest")
    version = data.get("version")
    if not plain_int(version) or version not in READ_VERSIONS:
        raise CorruptIndexError(
            f"{path.name}: format version {version} is not supported "
            f"(this heron reads versions {', '.join(map(str, sorted(READ_VERSIONS)))})"
        )
    return _manifest(path.name, data)


def _manifest(file_name: str, data: dict[str, Any]) -> Manifest:
    """Build a manifest from checksummed JSON, checking its whole structure."""

    def corrupt(why: str) -> CorruptIndexError:
        return CorruptIndexError(f"{file_name}: {why}")

    if set(data) != _KEYS:
        raise corrupt("badly formed (unexpected or missing keys)")
    generation, next_segment, schema = data["generation"], data["next_segment"], data["schema"]
    if not plain_int(generation) or generation < 1:
        raise corrupt(f"generation {generation!r} is not valid")
    if generation != manifest_generation(file_name):
        raise corrupt(f"says generation {generation}, its file name another")
    if not plain_int(next_segment) or next_segment < 1:
        raise corrupt(f"next segment number {next_segment!r} is not valid")
    if not isinstance(schema, dict) or not all(isinstance(v, dict) for v in schema.values()):
        raise corrupt("the schema is not an object of field types")
    if not isinstance(data["segments"], list):
        raise corrupt("the segment list is not a list")
    segments = tuple(_segment(s, generation, next_segment, corrupt) for s in data["segments"])
    names = [s.name for s in segments]
    files = [s.deletions for s in segments if s.deletions is not None]
    if len(set(names)) != len(names) or len(set(files)) != len(files):
        raise corrupt("names a segment or a deletion file twice")
    return Manifest(generation, schema, segments, next_segment, int(data["version"]))


def _segment(data: object, generation: int, next_segment: int,
             corrupt: Callable[[str], CorruptIndexError]) -> SegmentEntry:
    """One segment entry, checked (names, counts, sizes, checksums)."""
    if not isinstance(data, dict) or not _ENTRY_REQUIRED <= set(data) <= _ENTRY_KEYS:
        raise corrupt("a segment entry is badly formed")
    name = data["name"]
    number = segment_number(name) if isinstance(name, str) else None
    if number is None:
        raise corrupt(f"segment name {name!r} is not one heron writes")
    if number >= next_segment:
        raise corrupt(f"segment {name} is numbered past the next segment number")
    numbers = {k: v for k, v in data.items() if k not in ("name", "deletions")}
    if not all(plain_int(v) and v >= 0 for v in numbers.values()):
        raise corrupt(f"segment {name}: counts, sizes and checksums must be integers >= 0")
    entry = SegmentEntry(**data)
    if not (entry.crc32 < 1 << 32 and entry.deletions_crc32 < 1 << 32
            and entry.doc_count < 1 << 32 and entry.deleted_count <= entry.doc_count
            and entry.size >= _MIN_FILE):
        raise corrupt(f"segment {name}: counts, sizes or checksums out of range")
    deletions = entry.deletions
    if deletions is None:
        if entry.deleted_count or entry.deletions_size or entry.deletions_crc32:
            raise corrupt(f"segment {name}: deletions counted without a deletion file")
        return entry
    owner = deletions_owner(deletions) if isinstance(deletions, str) else None
    if owner is None or owner[0] != name or owner[1] > generation:
        raise corrupt(f"segment {name}: deletion file {deletions!r} is not one of its own")
    if entry.deletions_size < _MIN_FILE:
        raise corrupt(f"segment {name}: deletion file size out of range")
    return entry


def latest_manifest(directory: Path) -> Manifest:
    """Read the newest manifest in ``directory``.

    Raises:
        IndexNotFoundError: the directory holds no index.
        CorruptIndexError: the newest manifest is damaged.
    """
    if not directory.is_dir():
        raise IndexNotFoundError(f"no index at {directory}: not a directory")
    while True:
        gens = generations(directory)
        if not gens:
            raise IndexNotFoundError(f"no index at {directory}: no manifest")
        try:
            return parse_manifest(directory / manifest_name(gens[0]))
        except FileNotFoundError:
            continue  # a writer published a newer commit and removed this one meanwhile
