"""Creating and opening index directories."""

from __future__ import annotations

from pathlib import Path

from heron.errors import (
    CorruptIndexError,
    IndexExistsError,
    IndexNotFoundError,
    MissingFileError,
)
from heron.index._cleanup import remove_unreferenced
from heron.index._format import segment_file
from heron.index._lock import WriteLock
from heron.index._manifest import Manifest, generations, latest_manifest
from heron.index._matchers import QueryMatcher
from heron.index._parallel import check_can_start_workers
from heron.index._reader import schema_of
from heron.index._safeio import file_size_crc
from heron.index._segment_reader import SegmentReader
from heron.index._writer import IndexWriter
from heron.schema import Schema


def index_exists(directory: Path) -> bool:
    """Whether ``directory`` holds a heron index (a manifest)."""
    return directory.is_dir() and bool(generations(directory))


def create_storage(directory: Path, schema: Schema, *, overwrite: bool = False) -> Manifest:
    """Create an empty index in ``directory`` (made if needed) and return its first manifest.

    With ``overwrite=True`` an existing index there is replaced by an empty one in a
    single commit; without it an existing index is an :class:`IndexExistsError`.
    """
    directory.mkdir(parents=True, exist_ok=True)
    lock = WriteLock(directory)
    try:
        gens = generations(directory)
        if gens and not overwrite:
            raise IndexExistsError(
                f"an index already exists at {directory}; pass overwrite=True to replace it"
            )
        generation = gens[0] + 1 if gens else 1
        try:
            next_segment = latest_manifest(directory).next_segment if gens else 1
        except CorruptIndexError:
            # replacing a damaged index: new segment names carry this writer's token, so
            # numbering may start again without taking an old file's name
            next_segment = 1
        manifest = Manifest(generation, schema.to_dict(), (), next_segment)
        manifest.write(directory)
        remove_unreferenced(directory, manifest)
        return manifest
    finally:
        lock.release()


def open_writer(directory: Path, schema: Schema | None, *, buffer_mb: float, batch_docs: int,
                timeout: float | None, procs: int, merge: bool, queries: QueryMatcher | None
                ) -> IndexWriter:
    """Take the write lock and return a writer on the newest commit (the options are
    ``Index.writer``'s, where their defaults are).

    The writer's schema is the one that commit records, with the field types of
    ``schema`` (if given) laid over it where only their analyzers differ.
    """
    if procs > 1:  # before the lock: a worker importing an unguarded script must not wait
        check_can_start_workers(procs)
    if not index_exists(directory):
        raise IndexNotFoundError(f"no index at {directory}")
    lock = WriteLock(directory, timeout=timeout)
    try:
        manifest = latest_manifest(directory)
        return IndexWriter(directory, manifest, schema_of(manifest, schema), lock,
                           buffer_mb=buffer_mb, batch_docs=batch_docs, procs=procs, merge=merge,
                           queries=queries)
    except BaseException:
        lock.release()
        raise


def check_index(directory: Path) -> None:
    """Verify the newest commit: its manifest, each file's size and whole-file CRC-32,
    every array's checksum and the structure of every segment (see :mod:`._layout`).

    Raises:
        CorruptIndexError: naming the first damaged file.
    """
    manifest = latest_manifest(directory)
    for entry in manifest.segments:
        files = [(segment_file(directory, entry.name), entry.size, entry.crc32)]
        if entry.deletions:
            files.append((directory / entry.deletions, entry.deletions_size,
                          entry.deletions_crc32))
        for path, size, crc in files:
            try:
                actual, actual_crc = file_size_crc(path)
            except FileNotFoundError:
                raise MissingFileError(f"{path.name}: file is missing") from None
            if actual != size:
                raise CorruptIndexError(f"{path.name}: size is {actual}, the manifest says {size}")
            if actual_crc != crc:
                raise CorruptIndexError(f"{path.name}: fails its checksum")
        with SegmentReader(directory, entry) as segment:
            segment.verify()
