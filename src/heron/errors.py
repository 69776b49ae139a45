"""The exceptions heron raises, all rooted at :class:`HeronError`.

::

    HeronError
    ├── ArgumentError          an argument has a wrong value (also a ValueError)
    │   └── ArgumentTypeError      an argument has a wrong type (also a TypeError)
    ├── SchemaError            a field definition, or a document that does not fit the schema
    │   └── UnknownFieldError      a name that is no field (also a KeyError; .name, .hint)
    │       └── UnknownQueryFieldError  ... named in a query string (also a QueryError)
    ├── InputError             a file of documents is malformed (names file and line; a ValueError)
    ├── QueryError             a malformed query string or an impossible query (has .position)
    ├── IndexAccessError       base of the problems with an index on disk
    │   ├── IndexNotFoundError     no index at the path
    │   ├── IndexExistsError       create_index on an existing index without overwrite=True
    │   ├── CorruptIndexError      a file fails its checksum, size or format check
    │   │   └── MissingFileError       a file the commit names is not there
    │   ├── LockError              another writer holds the index
    │   └── StorageError           a file could not be written (disk full, permissions)
    ├── MissingDependencyError  an optional part's package is not installed (also an ImportError)
    ├── SearcherClosedError    a searcher (or index reader) used after close()
    ├── WorkerError            a worker process of writer(procs=N) could not start or died
    └── WriterClosedError      a writer used after commit() or cancel()

``IndexError_``, the former name of :class:`IndexAccessError`, still works for one
release with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import copy
import difflib
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self


class HeronError(Exception):
    """Root of every error heron raises on purpose."""


class ArgumentError(HeronError, ValueError):
    """An argument of a heron function has a wrong value (``limit=-1``)."""


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of a heron function has a wrong type (``limit="5"``, ``limit=2.5``)."""


class SchemaError(HeronError):
    """A field definition is invalid, or a document does not fit the schema."""


class UnknownFieldError(SchemaError, KeyError):
    """A name that is not a field of the schema, wherever it is given.

    ``name`` is the name given, ``fields`` the schema's field names and ``hint`` the
    closest of them (``None`` when none is close). A document, a query object,
    ``sort_by``, facets, groups, ``collapse``, suggestions and ``hit["titel"]`` all raise
    this; a query string raises :class:`UnknownQueryFieldError`, a subclass.

    >>> str(UnknownFieldError("titel", ["id", "title"]))
    "unknown field 'titel' (did you mean 'title'?); fields: id, title"
    """

    def __init__(self, name: str, fields: Iterable[str] = ()) -> None:
        known = tuple(fields)
        super().__init__(name, known)
        close = difflib.get_close_matches(name, known, n=1)
        self.name = name
        self.fields = known
        self.hint: str | None = close[0] if close else None
        hint = f" (did you mean {self.hint!r}?)" if self.hint else ""
        self.message = f"unknown field {name!r}{hint}; fields: {', '.join(known)}"

    def __str__(self) -> str:  # a KeyError would show the repr of its arguments
        return self.message


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

    def __str__(self) -> str:
        return self.message if self.position is None else f"{self.message} at {self.position}"

    def within(self, context: str) -> Self:
        """The same error, of the same class, with ``context`` before its message.

        >>> str(QueryError("unknown word", 3).within("in filter"))
        'in filter: unknown word at 3'
        """
        other = copy.copy(self)
        other.message = f"{context}: {self.message}"
        return other


class UnknownQueryFieldError(UnknownFieldError, QueryError):
    """A query string (or the ``fields`` it searches) names a field the schema lacks.

    Both an :class:`UnknownFieldError` (``name``, ``hint``) and a :class:`QueryError`
    (``position``, ``None`` for the ``fields`` argument).
    """

    def __init__(self, name: str, fields: Iterable[str] = (), position: int | None = None
                 ) -> None:
        UnknownFieldError.__init__(self, name, fields)
        self.args = (name, self.fields, position)
        self.position = position

    __str__ = QueryError.__str__


class IndexAccessError(HeronError):
    """Base of the errors about an index on disk: missing, damaged, locked, unwritable."""


class IndexNotFoundError(IndexAccessError):
    """There is no index at the given path."""


class IndexExistsError(IndexAccessError):
    """An index already exists where a new one was to be created."""


class CorruptIndexError(IndexAccessError):
    """An index file is damaged: wrong checksum, size, magic number or structure."""


class MissingFileError(CorruptIndexError):
    """A file that the commit names is not there (or was removed by a merge meanwhile)."""


class LockError(IndexAccessError):
    """Another writer holds the index's write lock."""


class StorageError(IndexAccessError):
    """An index file could not be written or renamed: the disk is full, a permission is
    missing, a file-size limit was reached. The previous commit is left as it was."""


class MissingDependencyError(HeronError, ImportError):
    """An optional part of heron needs a package that is not installed; the message names
    the extra to install (``pip install "heron[whoosh]"``)."""


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


#: former names, still given for one release with a DeprecationWarning
_RENAMED: dict[str, type[HeronError]] = {"IndexError_": IndexAccessError}


def deprecated_names(module: str, renamed: Mapping[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that gives each former name in ``renamed`` (old name ->
    what it now is, a class or function) with a DeprecationWarning naming the new one."""

    def getattr_(name: str) -> Any:
        if name in renamed:
            new = renamed[name]
            warnings.warn(f"{module}.{name} is deprecated; use {module}.{new.__name__} (the "
                          "old name goes in heron 0.3)", DeprecationWarning, stacklevel=2)
            return new
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return getattr_


if TYPE_CHECKING:
    IndexError_ = IndexAccessError  # deprecated: use IndexAccessError
else:
    __getattr__ = deprecated_names(__name__, _RENAMED)
