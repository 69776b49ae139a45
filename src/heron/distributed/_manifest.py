"""The sharded manifest: which generation of each shard belongs to one sharded commit.

``sharded_<generation>.json`` in the sharded index's directory names the shards'
directories and, for each, the generation of its commit. It is JSON with a format
name, a version and a CRC-32 checksum of its canonical form, written to a temporary
file, fsynced and renamed into place, after every shard committed: a reader opens
the newest one and each shard at the generation it names, so it never mixes one
shard's new commit with another's old one, and a crash before the rename leaves the
previous sharded commit as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any

from attrs import frozen

from heron import CorruptIndexError, IndexNotFoundError

FORMAT = "heron-sharded"
VERSION = 1
_NAME = re.compile(r"sharded_(\d{8})\.json\Z")
_SHARD_DIR = re.compile(r"shard_\d{3,}\Z")
_MAX_BYTES = 1 << 20
#: sharded manifests kept besides the newest (readers that opened one a moment ago)
_KEEP = 2


def manifest_name(generation: int) -> str:
    """File name of the sharded manifest of a generation."""
    return f"sharded_{generation:08d}.json"


def shard_dir(number: int) -> str:
    """Directory name of shard ``number``."""
    return f"shard_{number:03d}"


@frozen
class ShardedManifest:
    """One sharded commit: its generation, the unique field, and each shard's generation."""

    generation: int
    unique: str
    shards: tuple[str, ...]
    generations: tuple[int, ...]
    #: the next global sequence number to give an added document (see ``_sequence``)
    sequence: int = 0

    def to_bytes(self) -> bytes:
        """The manifest as JSON with its checksum."""
        body = {"format": FORMAT, "version": VERSION, "generation": self.generation,
                "unique": self.unique, "shards": list(self.shards),
                "generations": list(self.generations), "sequence": self.sequence}
        body["checksum"] = zlib.crc32(_canon(body))
        return json.dumps(body, indent=1).encode()

    def successor(self, generations: tuple[int, ...], sequence: int | None = None
                  ) -> ShardedManifest:
        """The next sharded commit, naming these shard generations (and the next
        sequence number, if documents were added)."""
        return ShardedManifest(self.generation + 1, self.unique, self.shards, generations,
                               self.sequence if sequence is None else sequence)

    def write(self, directory: Path) -> None:
        """Publish atomically (temporary file, fsync, rename, fsync of the directory)."""
        path = directory / manifest_name(self.generation)
        tmp = path.with_name(path.name + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            os.write(fd, self.to_bytes())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        for old in generations(directory)[_KEEP + 1:]:
            with contextlib.suppress(FileNotFoundError):
                (directory / manifest_name(old)).unlink()


def _canon(body: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in body.items() if k != "checksum"},
                      sort_keys=True, separators=(",", ":")).encode()


def generations(directory: Path) -> list[int]:
    """Generations of the sharded manifests in ``directory``, newest first."""
    found = [int(m.group(1)) for p in directory.iterdir() if (m := _NAME.match(p.name))]
    return sorted(found, reverse=True)


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse(raw: bytes, name: str) -> ShardedManifest:
    """Read and verify one sharded manifest.

    Raises:
        CorruptIndexError: it fails its checksum or is not a sharded manifest.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise CorruptIndexError(f"{name}: not valid JSON") from None
    if not isinstance(data, dict) or not _int(data.get("checksum")):
        raise CorruptIndexError(f"{name}: not a sharded manifest")
    if zlib.crc32(_canon(data)) != data["checksum"]:
        raise CorruptIndexError(f"{name}: fails its checksum")
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise CorruptIndexError(f"{name}: not a sharded manifest of version {VERSION}")
    shards, gens, unique = data.get("shards"), data.get("generations"), data.get("unique")
    if (not isinstance(shards, list) or not isinstance(gens, list) or len(shards) != len(gens)
            or not shards or not all(isinstance(s, str) and _SHARD_DIR.match(s) for s in shards)
            or not all(_int(g) and g > 0 for g in gens) or not isinstance(unique, str)
            or not _int(data.get("generation")) or not _int(data.get("sequence", 0))):
        raise CorruptIndexError(f"{name}: its shards are not described correctly")
    return ShardedManifest(data["generation"], unique, tuple(shards), tuple(gens),
                           data.get("sequence", 0))


def latest(directory: Path) -> ShardedManifest:
    """The newest sharded manifest in ``directory``.

    Raises:
        IndexNotFoundError: there is no sharded index there.
        CorruptIndexError: the newest sharded manifest is damaged.
    """
    if not directory.is_dir():
        raise IndexNotFoundError(f"no sharded index at {directory}: not a directory")
    while True:
        gens = generations(directory)
        if not gens:
            raise IndexNotFoundError(f"no sharded index at {directory}: no sharded manifest")
        name = manifest_name(gens[0])
        try:
            raw = (directory / name).read_bytes()
        except FileNotFoundError:
            continue  # removed by a newer commit meanwhile
        if len(raw) > _MAX_BYTES:
            raise CorruptIndexError(f"{name}: too large for a sharded manifest")
        return parse(raw, name)
