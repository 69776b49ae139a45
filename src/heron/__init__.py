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

from heron import analysis, facets, highlight, index, query, search
from heron._api import Index, check_index, create_index, exists_in, open_index
from heron._writer import Writer
from heron.errors import (
    ArgumentError,
    ArgumentTypeError,
    CorruptIndexError,
    HeronError,
    IndexError_,
    IndexExistsError,
    IndexNotFoundError,
    InputError,
    LockError,
    QueryError,
    SchemaError,
    SearcherClosedError,
    StorageError,
    WorkerError,
    WriterClosedError,
)
from heron.index import IndexReader, IndexWriter, Problem
from heron.query import QueryWarning, parse
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
    "IndexError_",
    "IndexExistsError",
    "IndexNotFoundError",
    "IndexReader",
    "IndexWriter",
    "InputError",
    "LockError",
    "Problem",
    "QueryError",
    "QueryWarning",
    "Results",
    "ResultsPage",
    "Schema",
    "SchemaError",
    "Searcher",
    "SearcherClosedError",
    "StorageError",
    "WorkerError",
    "Writer",
    "WriterClosedError",
    "analysis",
    "check_index",
    "create_index",
    "exists_in",
    "facets",
    "highlight",
    "index",
    "open_index",
    "parse",
    "query",
    "search",
]
