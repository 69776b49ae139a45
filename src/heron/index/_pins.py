"""Pinned generations: commits whose files a writer keeps although newer ones exist.

A sharded index names one generation of each shard; a shard's writer may commit a
newer one before the sharded commit moves on. ``pins.json`` lists the generations
still named, and a writer's clean-up keeps their manifests, segments and deletions.
The file is JSON with a format name, a version and a CRC-32 checksum, written
atomically like a manifest.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from pathlib import Path

from heron.errors import CorruptIndexError, IndexNotFoundError
from heron.index._files import write_atomic
from heron.index._format import manifest_name, segment_file
from heron.index._lock import WriteLock
from heron.index._manifest import Manifest, latest_manifest, parse_manifest
from heron.index._safeio import parse_json, plain_int, read_regular

PINS_NAME = "pins.json"
_FORMAT = "heron-pins"
_VERSION = 1
_MAX_BYTES = 1 << 20


def _canon(data: dict[str, object]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def pin_generations(directory: Path, generations: Iterable[int]) -> None:
    """Publish the generations whose files writers must keep (replacing the last list)."""
    data: dict[str, object] = {"format": _FORMAT, "version": _VERSION,
                               "generations": sorted({int(g) for g in generations})}
    data["checksum"] = zlib.crc32(_canon(data))
    write_atomic(directory / PINS_NAME, _canon(data))


def pinned_generations(directory: Path) -> list[int]:
    """The pinned generations, ascending (none when there is no ``pins.json``).

    Raises:
        CorruptIndexError: the file is damaged.
    """
    path = directory / PINS_NAME
    try:
        raw = read_regular(path, _MAX_BYTES)
    except FileNotFoundError:
        return []
    data = parse_json(raw, PINS_NAME)
    if not isinstance(data, dict) or not plain_int(data.get("checksum")):
        raise CorruptIndexError(f"{PINS_NAME}: not a valid list of pinned generations")
    checksum = data.pop("checksum")
    if zlib.crc32(_canon(data)) != checksum:
        raise CorruptIndexError(f"{PINS_NAME}: fails its checksum")
    gens = data.get("generations")
    if (data.get("format") != _FORMAT or data.get("version") != _VERSION
            or not isinstance(gens, list) or not all(plain_int(g) and g > 0 for g in gens)):
        raise CorruptIndexError(f"{PINS_NAME}: not a valid list of pinned generations")
    return sorted(gens)


def pinned_files(directory: Path) -> set[str]:
    """Names of the files the pinned generations need (their manifests, segments, deletions)."""
    keep: set[str] = set()
    for generation in pinned_generations(directory):
        try:
            manifest = parse_manifest(directory / manifest_name(generation))
        except FileNotFoundError:
            continue
        keep.add(manifest_name(generation))
        for entry in manifest.segments:
            keep.add(segment_file(directory, entry.name).name)
            if entry.deletions:
                keep.add(entry.deletions)
    return keep


def read_generation(directory: Path, generation: int) -> Manifest:
    """The manifest of one commit.

    Raises:
        IndexNotFoundError: no commit of that generation is (still) there.
        CorruptIndexError: it is damaged.
    """
    if not directory.is_dir():
        raise IndexNotFoundError(f"no index at {directory}: not a directory")
    try:
        return parse_manifest(directory / manifest_name(generation))
    except FileNotFoundError:
        raise IndexNotFoundError(f"no commit {generation} in {directory}") from None


def restore_generation(directory: Path, generation: int, timeout: float | None = None) -> int:
    """Make an older commit the newest again: publish its segments as a new generation.

    Used when newer commits were never adopted (a sharded commit that did not finish).
    Returns the generation now newest; nothing is written if ``generation`` is newest.

    Raises:
        LockError: a writer holds the index.
        IndexNotFoundError: the commit's manifest is gone.
    """
    lock = WriteLock(directory, timeout)
    try:
        newest = latest_manifest(directory)
        if newest.generation == generation:
            return generation
        old = read_generation(directory, generation)
        restored = Manifest(newest.generation + 1, old.schema, old.segments,
                            newest.next_segment, old.version)
        restored.write(directory)
        return restored.generation
    finally:
        lock.release()
