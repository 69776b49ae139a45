"""Where shard work runs: a local process pool (no Dask needed) or a Dask cluster.

Only Dask's public API is used (``Client.submit``, ``Client.gather``, actors through
``submit(..., actor=True)``, ``dask.delayed``); Dask is imported only when a client is
given, so ``import heron.distributed`` works without it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from heron import HeronError, WorkerError
from heron.distributed._shard import ShardSearcher
from heron.scoring import Scoring


class Pending:
    """The result of a call on a shard, or the error that it raised, to wait for."""

    def __init__(self, wait: Callable[[], Any]) -> None:
        self._wait = wait

    def result(self) -> Any:
        """The call's result; its exception if it raised."""
        return self._wait()


def _done(value: Any) -> Pending:
    return Pending(lambda: value)


def _failed(exc: BaseException) -> Pending:
    def wait() -> Any:
        raise exc
    return Pending(wait)


class LocalShard:
    """A shard searcher in this process."""

    def __init__(self, path: str, generation: int, scoring: Scoring | None = None) -> None:
        self._searcher = ShardSearcher(path, generation, scoring)

    def call(self, method: str, *args: Any) -> Pending:
        """Call a method of the shard's :class:`ShardSearcher`."""
        try:
            return _done(getattr(self._searcher, method)(*args))
        except Exception as exc:  # delivered when the caller waits, as remotely
            return _failed(exc)

    def close(self) -> None:
        """Close the shard's searcher."""
        self._searcher.close()


class DaskShard:
    """A shard searcher living on a Dask worker as an actor (``future``: the task that
    holds it, which :func:`close_shards` releases)."""

    def __init__(self, actor: Any, future: Any, client: Any) -> None:
        self._actor = actor
        self.future = future
        self.client = client

    def call(self, method: str, *args: Any) -> Pending:
        """Call a method of the actor; errors (a lost worker) come when waiting."""
        if self._actor is None:
            return _failed(WorkerError("this shard searcher is closed"))
        try:
            future = getattr(self._actor, method)(*args)
        except Exception as exc:
            return _failed(exc)
        return Pending(future.result)

    def close(self) -> None:
        """Close the searcher on its worker and release its actor (see :func:`close_shards`)."""
        close_shards([self])


def close_shards(shards: Sequence[LocalShard | DaskShard], patience: float = 30.0) -> None:
    """Close shard searchers: each closes its files; the actors are released on their
    workers, and this waits (up to ``patience`` seconds) until no worker holds them, so
    that nothing of a closed searcher outlives ``close`` (a worker that is gone took its
    files along)."""
    remote = [s for s in shards if isinstance(s, DaskShard) and s.future is not None]
    for shard in shards:
        if isinstance(shard, LocalShard):
            shard.close()
    waits = [shard.call("close") for shard in remote]
    for pending in waits:
        with contextlib.suppress(Exception):
            pending.result()
    by_client: dict[int, tuple[Any, list[Any]]] = {}
    for shard in remote:
        by_client.setdefault(id(shard.client), (shard.client, []))[1].append(shard.future)
        shard._actor = None
        shard.future = None
    for client, futures in by_client.values():
        keys = {f.key for f in futures}
        with contextlib.suppress(Exception):
            client.cancel(futures)
            deadline = time.monotonic() + patience
            while _held(client, keys) and time.monotonic() < deadline:
                time.sleep(0.01)


def _held(client: Any, keys: set[str]) -> bool:
    """Whether a worker of the client's cluster still holds one of these actors."""
    def holding(dask_worker: Any, keys: set[str] = keys) -> bool:
        return any(key in dask_worker.state.actors for key in keys)
    return any(client.run(holding).values())


def run_jobs(client: Any, fn: Callable[..., Any], jobs: Sequence[tuple[Any, ...]],
             names: Sequence[str], procs: int | None = None) -> list[Any]:
    """``fn(*job)`` for every job, in parallel; their results in order.

    On a Dask ``client`` each job is a task (retried on another worker if its worker
    dies); without one, a pool of ``procs`` processes (default: one per job, at most
    the machine's cores) runs them.

    Raises:
        WorkerError: a job failed, naming it (the cause is chained).
    """
    if not jobs:
        return []
    if client is not None:
        futures = [client.submit(fn, *job, pure=False, key=f"heron-{name}-{os.urandom(6).hex()}")
                   for job, name in zip(jobs, names, strict=True)]
        return [_wait(f.result, name) for f, name in zip(futures, names, strict=True)]
    workers = procs or min(len(jobs), os.cpu_count() or 1)
    if workers == 1:
        return [_wait(_call(fn, job), name) for job, name in zip(jobs, names, strict=True)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: list[Future[Any]] = [pool.submit(fn, *job) for job in jobs]
        return [_wait(f.result, name) for f, name in zip(pending, names, strict=True)]


def _wait(result: Callable[[], Any], name: str) -> Any:
    try:
        return result()
    except HeronError:
        raise
    except Exception as exc:
        raise WorkerError(f"{name} failed: {type(exc).__name__}: {exc}") from exc


def open_shards(client: Any, paths: Sequence[str], generations: Sequence[int],
                scoring: Scoring | None = None) -> list[LocalShard | DaskShard]:
    """A searcher per shard: in this process, or as actors spread over the workers."""
    if client is None:
        local: list[LocalShard | DaskShard] = []
        try:
            for p, g in zip(paths, generations, strict=True):
                local.append(LocalShard(p, g, scoring))
        except BaseException:
            for shard in local:
                shard.close()
            raise
        return local
    workers = sorted(client.scheduler_info()["workers"])
    futures = [client.submit(ShardSearcher, p, g, scoring, actor=True,
                             workers=[workers[i % len(workers)]], allow_other_workers=True,
                             key=f"heron-shard-{i}-{os.urandom(6).hex()}")
               for i, (p, g) in enumerate(zip(paths, generations, strict=True))]
    remote: list[LocalShard | DaskShard] = []
    try:
        for i, f in enumerate(futures):
            remote.append(DaskShard(_wait(f.result, f"shard {i}"), f, client))
    except BaseException:
        close_shards(remote)
        with contextlib.suppress(Exception):
            client.cancel(futures)
        raise
    return remote


def _call(fn: Callable[..., Any], job: tuple[Any, ...]) -> Callable[[], Any]:
    return lambda: fn(*job)
