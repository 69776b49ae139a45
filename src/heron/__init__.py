"""heron: full-text search for Python.

>>> import heron, tempfile
>>> schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True))
>>> ix = heron.create_index(tempfile.mkdtemp() + "/ix", schema)
>>> with ix.writer() as w:
...     w.add_document(id="a1", body="Smuggling tunnels under the border")
...     w.add_document(id="a2", body="A tunnel collapsed")
>>> with ix.searcher() as s:
...     [hit["id"] for hit in s.search("tunnels")]
['a2', 'a1']
"""

import typing as _typing

from heron import analysis, facets, highlight, index, migrate, query, search
from heron._api import Index, check_index, create_index, exists_in, open_index
from heron.errors import (
    ArgumentError,
    ArgumentTypeError,
    CorruptIndexError,
    HeronError,
    IndexAccessError,
    IndexExistsError,
    IndexNotFoundError,
    InputError,
    LockError,
    MissingDependencyError,
    MissingFileError,
    QueryError,
    SchemaError,
    SearcherClosedError,
    StorageError,
    UnknownFieldError,
    UnknownQueryFieldError,
    WorkerError,
    WriterClosedError,
)
from heron.index import IndexReader, IndexWriter, Problem
from heron.query import QueryParser, QueryWarning, parse
from heron.schema import (
    BOOLEAN,
    DATETIME,
    ID,
    KEYWORD,
    NGRAM,
    NGRAMWORDS,
    NUMERIC,
    STORED,
    TEXT,
    FieldType,
    Schema,
)
from heron.scoring import BM25
from heron.search import Hit, Results, ResultsPage, Searcher

if _typing.TYPE_CHECKING:  # a type checker sees each deprecated name as what it stands for
    from heron.errors import IndexAccessError as IndexError_  # noqa: F401
    from heron.index import IndexWriter as Writer  # noqa: F401
else:  # heron.Writer and heron.IndexError_ warn at run time (see heron._deprecated)
    from heron._deprecated import __getattr__  # noqa: F401 - the module's attribute hook

__version__ = "0.1.0"

__all__ = [
    "BM25",
    "BOOLEAN",
    "DATETIME",
    "ID",
    "KEYWORD",
    "NGRAM",
    "NGRAMWORDS",
    "NUMERIC",
    "STORED",
    "TEXT",
    "ArgumentError",
    "ArgumentTypeError",
    "CorruptIndexError",
    "FieldType",
    "HeronError",
    "Hit",
    "Index",
    "IndexAccessError",
    "IndexExistsError",
    "IndexNotFoundError",
    "IndexReader",
    "IndexWriter",
    "InputError",
    "LockError",
    "MissingDependencyError",
    "MissingFileError",
    "Problem",
    "QueryError",
    "QueryParser",
    "QueryWarning",
    "Results",
    "ResultsPage",
    "Schema",
    "SchemaError",
    "Searcher",
    "SearcherClosedError",
    "StorageError",
    "UnknownFieldError",
    "UnknownQueryFieldError",
    "WorkerError",
    "WriterClosedError",
    "analysis",
    "check_index",
    "create_index",
    "exists_in",
    "facets",
    "highlight",
    "index",
    "migrate",
    "open_index",
    "parse",
    "query",
    "search",
]
