"""The index handle: create or open an index, then get writers and searchers from it.

It sits above every layer (it hands out :mod:`heron.index` writers and
:mod:`heron.search` searchers), so it lives at the top of the package.
"""

from __future__ import annotations

import os
from pathlib import Path

from heron._writer import query_matcher
from heron.index import IndexReader, IndexWriter, Manifest, Problem
from heron.index._check import find_problems
from heron.index._manifest import latest_manifest as _latest
from heron.index._reader import schema_of as _schema_of
from heron.index._schemas import check_compatible
from heron.index._storage import check_index as _check_first
from heron.index._storage import create_storage, index_exists, open_writer
from heron.index._writer import BATCH_DOCS, BUFFER_MB
from heron.schema import Schema
from heron.scoring import Scoring
from heron.search import Searcher


class Index:
    """An index directory; its schema is the one its newest commit records.

    ``schema``, if given, supplies field types (their analyzers) to use instead of the
    recorded ones where only their analyzers differ: they analyse the documents this
    handle's writers add and the queries its searchers parse.
    """

    def __init__(self, path: Path, schema: Schema | None = None) -> None:
        self.path = path
        self._given = schema

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    @property
    def schema(self) -> Schema:
        """The schema of the newest commit (writers change it with ``add_field`` and
        ``remove_field``)."""
        return _schema_of(_latest(self.path), self._given)

    def writer(self, *, buffer_mb: float = BUFFER_MB, batch_docs: int = BATCH_DOCS,
               timeout: float | None = None, procs: int = 1, merge: bool = True
               ) -> IndexWriter:
        """A writer holding the index's lock (``timeout``: seconds to wait for it).

        ``buffer_mb`` bounds the memory of the writer's buffer: past it, a segment is
        flushed. ``batch_docs`` documents are analysed together (with ``procs > 1`` a
        worker process gets them two batches at a time); smaller batches cost speed.
        ``procs > 1`` builds segments in that many processes in all (the writer's own
        and ``procs - 1`` workers), for large bulk loads. ``merge=False`` turns the
        merge policy off for this writer's commit.

        Raises:
            LockError: another writer holds the lock (after ``timeout``, if given).
        """
        return open_writer(self.path, self._given, buffer_mb=buffer_mb, batch_docs=batch_docs,
                           timeout=timeout, procs=procs, merge=merge, queries=query_matcher)

    def optimize(self, *, timeout: float | None = None) -> None:
        """Merge every segment into one, dropping deleted documents and the data of
        removed fields."""
        writer = self.writer(timeout=timeout)
        writer.commit(optimize=True)

    def check(self) -> None:
        """Verify the newest commit: the manifest, and every file's size and checksums.

        Raises:
            CorruptIndexError: naming the first damaged file.
        """
        _check_first(self.path)

    def reader(self) -> IndexReader:
        """A reader on the newest commit."""
        return IndexReader.open(self.path, self._given)

    def searcher(self, scoring: Scoring | None = None) -> Searcher:
        """A searcher on the newest commit."""
        return Searcher(self.reader(), scoring)

    def doc_count(self) -> int:
        """Number of live documents in the newest commit."""
        return sum(s.live_count for s in _latest(self.path).segments)

    def latest_generation(self) -> int:
        """The generation of the newest commit."""
        return _latest(self.path).generation

    def manifest(self) -> Manifest:
        """The newest commit's manifest: its generation, segments and their counts."""
        return _latest(self.path)


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

    Pass ``schema`` only to supply analyzers of your own (ones the index cannot
    rebuild, or others for the same fields): only analyzers may differ from the schema
    the index records. The given analyzers analyse the documents this handle's writers
    add and the query text its searchers parse; the index keeps recording its own.

    Raises:
        IndexNotFoundError: there is no index at ``path``.
        CorruptIndexError: its newest commit is damaged.
        SchemaError: ``schema`` differs from the index's in more than analyzers (naming
            the field), or the index needs analyzers it cannot rebuild and none were given.
    """
    directory = Path(path)
    manifest = _latest(directory)
    if schema is not None:
        check_compatible(manifest.schema, schema)
    _schema_of(manifest, schema)  # an index whose analyzers cannot be rebuilt says so now
    return Index(directory, schema)


def exists_in(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a heron index."""
    return index_exists(Path(path))


def check_index(path: str | os.PathLike[str]) -> list[Problem]:
    """Verify every file of the newest commit at ``path``; return each damaged one.

    Unlike :meth:`Index.check`, which stops at the first damage, this opens every file and
    reports them all, each a :class:`Problem` (``.file``, ``.message``); a damaged
    manifest is reported alone. An empty list means the index is sound.

    Raises:
        IndexNotFoundError: there is no index at ``path``.
    """
    return find_problems(Path(path))
