"""The sharded writer: changes routed by unique value, committed shard by shard."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from heron import SchemaError, WriterClosedError
from heron.distributed._lock import ShardedLock
from heron.distributed._routing import shard_of
from heron.distributed._sequence import SEQUENCE
from heron.distributed._shard import Op

if TYPE_CHECKING:
    from heron.distributed._index import ShardedIndex


class ShardedWriter:
    """Collects changes per shard; :meth:`commit` applies them on every shard touched
    (in parallel) and publishes one sharded commit. Holds the sharded lock until then."""

    def __init__(self, index: ShardedIndex, client: Any, lock: ShardedLock,
                 timeout: float | None) -> None:
        self.index = index
        self._client = client
        self._lock = lock
        self._timeout = timeout
        self._shards = len(index.manifest().shards)
        self._ops: list[list[Op]] = [[] for _ in range(self._shards)]
        #: the sequence number of the next document added (one index's next number)
        self._next = index.manifest().sequence

    def __enter__(self) -> ShardedWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()

    @property
    def closed(self) -> bool:
        """Whether the writer committed or was cancelled."""
        return not self._lock.held

    def _check_open(self) -> None:
        if self.closed:
            raise WriterClosedError("this sharded writer was committed or cancelled")

    def _route(self, fields: dict[str, Any]) -> int:
        if fields.get(self.index.unique) is None:
            raise SchemaError("a document of a sharded index needs its unique field "
                              f"{self.index.unique!r}")
        return shard_of(self.index.schema, fields.get(self.index.unique), self._shards)

    def update_document(self, **fields: Any) -> None:
        """Replace the document with this unique value (in the shard that holds it), or add it."""
        self._check_open()
        self.index.schema.validate(fields)
        shard = self._route(fields)
        if self.index.numbered:
            fields = {**fields, SEQUENCE: self._next}
            self._next += 1
        self._ops[shard].append(("update", fields))

    add_document = update_document

    def delete_by_term(self, field: str, value: Any) -> None:
        """Delete the documents holding ``value`` in ``field`` (by unique value: one
        shard; by another field: every shard)."""
        self._check_open()
        self.index.schema.term(field, value)  # an unknown field or a wrong value raises now
        numbers = (range(self._shards) if field != self.index.unique
                   else [shard_of(self.index.schema, value, self._shards)])
        for number in numbers:
            self._ops[number].append(("delete", (field, value)))

    def commit(self) -> None:
        """Apply the changes on their shards and publish them as one sharded commit.

        Raises:
            WorkerError: a shard's job failed (naming it); the previous sharded commit
                stays the one readers see.
        """
        self._check_open()
        try:
            self.index.commit_ops(self._ops, self._client, self._timeout, procs=1,
                                  sequence=self._next)
        finally:
            self._lock.release()

    def cancel(self) -> None:
        """Drop the changes and free the lock."""
        self._lock.release()
