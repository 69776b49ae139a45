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
from pathlib import Path
from typing import Any

from attrs import evolve, frozen

from heron.errors import CorruptIndexError, IndexNotFoundError
from heron.index._files import write_atomic
from heron.index._format import manifest_generation, manifest_name

FORMAT = "heron-index"
FORMAT_VERSION = 1


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

    def to_bytes(self) -> bytes:
        """Serialise with a checksum."""
        body = {
            "format": FORMAT, "version": FORMAT_VERSION, "generation": self.generation,
            "next_segment": self.next_segment, "schema": self.schema,
            "segments": [s.to_json() for s in self.segments],
        }
        canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        return json.dumps({**body, "checksum": zlib.crc32(canon)}, indent=1).encode()

    def successor(self, segments: tuple[SegmentEntry, ...], next_segment: int) -> Manifest:
        """The manifest of the next commit."""
        return evolve(self, generation=self.generation + 1, segments=segments,
                      next_segment=next_segment)

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
    """Read and verify one manifest file."""
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
        checksum = data.pop("checksum")
        canon = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CorruptIndexError(f"{path.name}: not a valid manifest") from None
    if zlib.crc32(canon) != checksum:
        raise CorruptIndexError(f"{path.name}: fails its checksum")
    if data.get("format") != FORMAT:
        raise CorruptIndexError(f"{path.name}: not a heron manifest")
    if data.get("version") != FORMAT_VERSION:
        raise CorruptIndexError(
            f"{path.name}: format version {data.get('version')} is not supported "
            f"(this heron reads version {FORMAT_VERSION})"
        )
    try:
        segments = tuple(SegmentEntry(**s) for s in data["segments"])
        return Manifest(int(data["generation"]), data["schema"], segments,
                        int(data["next_segment"]))
    except (KeyError, TypeError, ValueError):
        raise CorruptIndexError(f"{path.name}: badly formed") from None


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
