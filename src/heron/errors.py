"""The exceptions heron raises, all rooted at :class:`HeronError`.

::

    HeronError
    ├── ArgumentError          an argument has a wrong value (also a ValueError)
    │   └── ArgumentTypeError      an argument has a wrong type (also a TypeError)
    ├── SchemaError            a field definition, or a document that does not fit the schema
    ├── InputError             a file of documents is malformed (names file and line; a ValueError)
    ├── QueryError             a malformed query string or an impossible query (has .position)
    ├── IndexError_            base of storage problems (exported as heron.IndexError_)
    │   ├── IndexNotFoundError     no index at the path
    │   ├── IndexExistsError       create_index on an existing index without overwrite=True
    │   ├── CorruptIndexError      a file fails its checksum, size or format check
    │   ├── LockError              another writer holds the index
    │   └── StorageError           a file could not be written (disk full, permissions)
    ├── SearcherClosedError    a searcher (or index reader) used after close()
    ├── WorkerError            a worker process of writer(procs=N) could not start or died
    └── WriterClosedError      a writer used after commit() or cancel()
"""

from __future__ import annotations


class HeronError(Exception):
    """Root of every error heron raises on purpose."""


class ArgumentError(HeronError, ValueError):
    """An argument of a heron function has a wrong value (``limit=-1``)."""


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of a heron function has a wrong type (``limit="5"``, ``limit=2.5``)."""


class SchemaError(HeronError):
    """A field definition is invalid, or a document does not fit the schema."""


class InputError(HeronError, ValueError):
    """A file of documents given to a command is missing or malformed; the message names
    the file and line (``docs.jsonl:7: not valid JSON``)."""


class QueryError(HeronError):
    """A query string is malformed, or a query cannot run as asked.

    ``position`` is the character offset in the query string where the problem
    was found, or ``None`` when the problem is not tied to one place.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message if position is None else f"{message} at {position}")
        self.message = message
        self.position = position


class IndexError_(HeronError):  # noqa: N801, N818 - public name; "_" avoids the builtin
    """Base of the errors about an index on disk."""


class IndexNotFoundError(IndexError_):
    """There is no index at the given path."""


class IndexExistsError(IndexError_):
    """An index already exists where a new one was to be created."""


class CorruptIndexError(IndexError_):
    """An index file is damaged: wrong checksum, size, magic number or structure."""


class LockError(IndexError_):
    """Another writer holds the index's write lock."""


class StorageError(IndexError_):
    """An index file could not be written or renamed: the disk is full, a permission is
    missing, a file-size limit was reached. The previous commit is left as it was."""


class WorkerError(HeronError):
    """A worker process of ``writer(procs=N)`` could not start or died before finishing.

    The usual cause is a script without an ``if __name__ == "__main__":`` guard; the
    message says how to fix it. Nothing of the writer's work is published.
    """


class SearcherClosedError(HeronError):
    """A searcher, or an index or segment reader, was used after it was closed.

    Closing releases the index files; hits of its results still give the stored
    fields they read before, and raise this for anything else.
    """


class WriterClosedError(HeronError):
    """A writer was used after it committed or was cancelled."""
