"""A sharded index: a directory of ordinary heron indexes and the manifests that bind
their commits together; bulk loads, writers and searchers on it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import heron
from heron import (
    ArgumentTypeError,
    IndexExistsError,
    IndexNotFoundError,
    MissingDependencyError,
    Schema,
)
from heron.distributed._lock import ShardedLock
from heron.distributed._manifest import ShardedManifest, latest, shard_dir
from heron.distributed._routing import check_shards, split_rows, unique_field
from heron.distributed._runner import open_shards, run_jobs
from heron.distributed._searcher import ShardedSearcher
from heron.distributed._sequence import SEQUENCE, shard_schema, user_schema
from heron.distributed._shard import Op, commit_pieces, commit_shard
from heron.distributed._writer import ShardedWriter
from heron.index._pins import pin_generations, read_generation
from heron.scoring import Scoring

#: times a searcher retries opening when a newer sharded commit removed what it named
_OPEN_ATTEMPTS = 5


def _split_part(path: str, part: Any, shards: int, numbered: bool) -> tuple[Any, ...]:
    """One partition of a Dask collection split by shard, its rows numbered from 0 in
    the partition; then how many rows it has (runs on a worker)."""
    schema = heron.open_index(path).schema
    rows = part.to_dict("records") if hasattr(part, "to_dict") else part
    groups = split_rows(schema, rows, shards, 0 if numbered else None)
    return (*groups, sum(len(g) for g in groups))


def _offsets(start: int, counts: Sequence[int]) -> list[int]:
    """The first sequence number of each partition, from the partitions' row counts,
    and last the next free one."""
    out = []
    for count in counts:
        out.append(start)
        start += count
    return [*out, start]


class ShardedIndex:
    """An index split into shards by a stable hash of its unique field.

    Each shard is an ordinary heron index (``shard_paths``) that can be opened, checked
    and searched alone; the sharded manifest names which commit of each belongs to the
    sharded commit that readers see.
    """

    def __init__(self, path: Path, schema: Schema) -> None:
        self.path = path
        #: whether the shards hold global sequence numbers (sharded indexes made before
        #: them do not: their ties go by shard)
        self.numbered = SEQUENCE in schema
        self.schema = user_schema(schema)
        self.unique = unique_field(self.schema)

    def __repr__(self) -> str:
        return f"ShardedIndex({str(self.path)!r})"

    def manifest(self) -> ShardedManifest:
        """The newest sharded commit."""
        return latest(self.path)

    @property
    def shard_paths(self) -> list[Path]:
        """The directories of the shards, each an ordinary heron index."""
        return [self.path / name for name in self.manifest().shards]

    def doc_count(self) -> int:
        """Live documents of the newest sharded commit."""
        manifest = self.manifest()
        return sum(entry.live_count
                   for name, gen in zip(manifest.shards, manifest.generations, strict=True)
                   for entry in read_generation(self.path / name, gen).segments)

    def publish(self, manifest: ShardedManifest, done: Mapping[int, int],
                sequence: int | None = None) -> ShardedManifest:
        """Write the sharded commit naming the shards' new generations (``done``: shard
        number to generation) and the next sequence number, then pin them (and the
        previous ones, which readers that opened the previous sharded commit may still
        be opening)."""
        gens = tuple(done.get(i, g) for i, g in enumerate(manifest.generations))
        new = manifest.successor(gens, sequence if self.numbered else None)
        new.write(self.path)
        for number, gen in done.items():
            pin_generations(self.path / manifest.shards[number],
                            [manifest.generations[number], gen])
        return new

    def commit_ops(self, ops: Sequence[Sequence[Op]], client: Any, timeout: float | None,
                   procs: int | None = None, sequence: int | None = None) -> ShardedManifest:
        """Apply each shard's operations (under the caller's sharded lock) and publish,
        with ``sequence`` the next sequence number; without a client, in ``procs`` local
        processes (1: in this one)."""
        manifest = self.manifest()
        touched = [i for i, shard_ops in enumerate(ops) if shard_ops]
        jobs = [(str(self.path / manifest.shards[i]), manifest.generations[i], list(ops[i]),
                 timeout) for i in touched]
        gens = run_jobs(client, commit_shard, jobs, [f"shard {i}" for i in touched], procs)
        return self.publish(manifest, dict(zip(touched, gens, strict=True)), sequence)

    def index(self, rows: Iterable[Mapping[str, Any]] | Any, *, client: Any = None,
              timeout: float | None = 60.0, procs: int | None = None) -> None:
        """Add (or replace, by unique value) documents, each in the shard its unique
        value routes to, and publish one sharded commit.

        ``rows`` is any iterable of dicts, or a ``dask.bag`` of dicts or a
        ``dask.dataframe`` (split by shard on the workers when a ``client`` is given).
        Without a client the shards are written by a pool of ``procs`` local processes
        (default: one per shard up to the machine's cores; 1: in this process), which
        are started with ``spawn``: a script calling this needs the
        ``if __name__ == "__main__":`` guard.
        If a worker dies, every shard stays at its last sharded commit; running the
        same load again finishes it without duplicates.

        Raises:
            SchemaError: a row does not fit the schema or lacks the unique field.
            WorkerError: a shard's job failed, naming the shard.
            LockError: another sharded writer holds the index (after ``timeout``).
        """
        lock = ShardedLock(self.path, timeout)
        try:
            if hasattr(rows, "to_delayed") and hasattr(rows, "dask"):
                if client is None:
                    collection: Any = rows
                    computed: Any = collection.compute()
                    rows = (computed.to_dict("records") if hasattr(computed, "to_dict")
                            else computed)
                else:
                    self._index_collection(rows, client, timeout)
                    return
            manifest = self.manifest()
            start = manifest.sequence if self.numbered else None
            groups = split_rows(self.schema, rows, len(manifest.shards), start)
            self.commit_ops([[("rows", g)] if g else [] for g in groups], client, timeout,
                            procs, manifest.sequence + sum(len(g) for g in groups))
        finally:
            lock.release()

    def _index_collection(self, collection: Any, client: Any, timeout: float | None) -> None:
        try:
            from dask.delayed import delayed  # noqa: PLC0415 - only with a Dask collection
        except ImportError:
            raise MissingDependencyError(
                'a Dask collection needs Dask: pip install "heron[distributed]"') from None

        manifest = self.manifest()
        count = len(manifest.shards)
        first = str(self.path / manifest.shards[0])
        splits = [delayed(_split_part, nout=count + 1, pure=False)(first, part, count,
                                                                    self.numbered)
                  for part in collection.to_delayed()]
        offsets = delayed(_offsets, pure=False)(manifest.sequence,
                                                [split[count] for split in splits])
        tasks = [delayed(commit_pieces, pure=False)(
                    str(self.path / manifest.shards[i]), manifest.generations[i],
                    [split[i] for split in splits], offsets if self.numbered else None,
                    timeout)
                 for i in range(count)]
        futures = client.compute([*tasks, offsets])
        gens = run_jobs(None, lambda f: f.result(), [(f,) for f in futures[:count]],
                        [f"shard {i}" for i in range(count)], procs=1)
        self.publish(manifest, dict(enumerate(gens)), futures[count].result()[-1])

    def writer(self, *, client: Any = None, timeout: float | None = 60.0) -> ShardedWriter:
        """A writer routing each change to the shard that holds its unique value."""
        return ShardedWriter(self, client, ShardedLock(self.path, timeout), timeout)

    def searcher(self, *, client: Any = None, scoring: Scoring | None = None
                 ) -> ShardedSearcher:
        """A searcher on the newest sharded commit: shard searchers in this process, or
        on the ``client``'s workers (spread over them), scoring with ``scoring`` (any
        :mod:`heron.scoring` model, default BM25) from the whole collection's statistics.

        Raises:
            ArgumentTypeError: ``scoring`` is not a heron.scoring model.
        """
        if scoring is not None and not isinstance(scoring, Scoring):
            raise ArgumentTypeError(f"scoring is a heron.scoring model (BM25(), BM25F(), "
                                    f"TFIDF()...), got {scoring!r:.60}")
        for attempt in range(_OPEN_ATTEMPTS):
            manifest = self.manifest()
            paths = [str(self.path / name) for name in manifest.shards]
            try:
                shards = open_shards(client, paths, manifest.generations, scoring)
            except IndexNotFoundError:  # a newer commit unpinned what this one named
                if attempt + 1 == _OPEN_ATTEMPTS:
                    raise
                continue
            return ShardedSearcher(self.schema, paths, manifest.generation, shards)
        raise AssertionError("unreachable")  # pragma: no cover


def create_sharded(path: str | os.PathLike[str], schema: Schema, *, shards: int,
                   overwrite: bool = False) -> ShardedIndex:
    """Create an empty sharded index of ``shards`` ordinary heron indexes at ``path``.

    Raises:
        SchemaError: the schema has no unique field (documents are routed by it).
        IndexExistsError: a sharded index is there and ``overwrite`` is false.
    """
    count = check_shards(shards)
    unique = unique_field(schema)
    each = shard_schema(schema)
    root = Path(path)
    try:
        latest(root)
    except IndexNotFoundError:
        pass
    else:
        if not overwrite:
            raise IndexExistsError(f"a sharded index is already at {root}")
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("sharded_*.json"):
        old.unlink()
    gens = []
    for number in range(count):
        ix = heron.create_index(root / shard_dir(number), each, overwrite=True)
        gens.append(ix.latest_generation())
        pin_generations(ix.path, [gens[-1]])
    ShardedManifest(1, unique, tuple(shard_dir(i) for i in range(count)), tuple(gens)
                    ).write(root)
    return ShardedIndex(root, each)


def open_sharded(path: str | os.PathLike[str]) -> ShardedIndex:
    """Open the sharded index at ``path`` (its schema is read from its first shard).

    Raises:
        IndexNotFoundError: there is no sharded index at ``path``.
        CorruptIndexError: its newest sharded manifest is damaged.
    """
    root = Path(path)
    manifest = latest(root)
    return ShardedIndex(root, heron.open_index(root / manifest.shards[0]).schema)
