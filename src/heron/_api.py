"""The index handle: create or open an index, then get writers and searchers from it.

It sits above every layer (it hands out :mod:`heron.index` writers and
:mod:`heron.search` searchers), so it lives at the top of the package.
"""

from __future__ import annotations

import os
from pathlib import Path

from heron._writer import Writer
from heron.index import IndexReader, check_index, create_storage, index_exists, open_writer
from heron.index import latest_manifest as _latest
from heron.index import schema_of as _schema_of
from heron.schema import Schema
from heron.scoring import Scoring
from heron.search import Searcher


class Index:
    """An index directory and its schema."""

    def __init__(self, path: Path, schema: Schema) -> None:
        self.path = path
        self.schema = schema

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    def writer(self, *, buffer_mb: float = 256.0, timeout: float | None = None,
               procs: int = 1, merge: bool = True) -> Writer:
        """A writer holding the index's lock (``timeout``: seconds to wait for it).

        ``buffer_mb`` bounds the memory of the writer's buffer: past it, a segment is
        flushed. ``procs > 1`` builds segments in that many processes in all (the
        writer's own and ``procs - 1`` workers), for large bulk loads. ``merge=False``
        turns the merge policy off for this writer's commit.

        Raises:
            LockError: another writer holds the lock (after ``timeout``, if given).
        """
        writer = open_writer(self.path, self.schema, buffer_mb=buffer_mb, timeout=timeout,
                             procs=procs, merge=merge, factory=Writer)
        assert isinstance(writer, Writer)
        return writer

    def optimize(self, *, timeout: float | None = None) -> None:
        """Merge every segment into one, dropping deleted documents."""
        writer = self.writer(timeout=timeout)
        writer.commit(optimize=True)

    def check(self) -> None:
        """Verify the newest commit: the manifest, and every file's size and checksums.

        Raises:
            CorruptIndexError: naming the first damaged file.
        """
        check_index(self.path)

    def reader(self) -> IndexReader:
        """A reader on the newest commit."""
        return IndexReader.open(self.path, self.schema)

    def searcher(self, scoring: Scoring | None = None) -> Searcher:
        """A searcher on the newest commit."""
        return Searcher(self.reader(), scoring)

    def doc_count(self) -> int:
        """Number of live documents in the newest commit."""
        return sum(s.live_count for s in _latest(self.path).segments)

    def latest_generation(self) -> int:
        """The generation of the newest commit."""
        return _latest(self.path).generation


def create_index(path: str | os.PathLike[str], schema: Schema, *, overwrite: bool = False
                 ) -> Index:
    """Create an empty index at ``path`` (directories are made as needed).

    Raises:
        IndexExistsError: an index is already there and ``overwrite`` is false.
    """
    directory = Path(path)
    create_storage(directory, schema, overwrite=overwrite)
    return Index(directory, schema)


def open_index(path: str | os.PathLike[str], schema: Schema | None = None) -> Index:
    """Open the index at ``path``; its schema is read back from the index.

    Pass ``schema`` only to supply analyzers of your own that the index cannot rebuild.

    Raises:
        IndexNotFoundError: there is no index at ``path``.
        CorruptIndexError: its newest commit is damaged.
    """
    directory = Path(path)
    manifest = _latest(directory)
    return Index(directory, schema if schema is not None else _schema_of(manifest))


def exists_in(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a heron index."""
    return index_exists(Path(path))
