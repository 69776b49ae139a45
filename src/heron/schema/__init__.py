"""Field types and the schema: what each field accepts, how it is indexed and stored.

Each field type checks and converts a document's value (:meth:`FieldType.convert`),
gives the text its analyzer indexes (:meth:`FieldType.index_text`), turns the value
into the JSON that stored fields keep and back, into the number its column keeps and
back, and describes itself as JSON so the schema can be written into the index and
read back without pickle.

A value that :meth:`FieldType.convert` accepts can be written: it is checked in full
(64-bit range, finite floats, text that UTF-8 can encode), and numpy scalars become
the Python values they stand for.

A field type of your own is a subclass of :class:`FieldType` (see its capabilities:
``columnar``, ``term_keyed``, ``can_sort``, ...) registered with :func:`register`, so
that an index naming it can be opened again; no other module needs to know of it.
"""

from heron.schema._datetime import DATETIME
from heron.schema._field import FieldType
from heron.schema._ngram import NGRAM, NGRAMWORDS
from heron.schema._numbers import BOOLEAN, NUMERIC
from heron.schema._registry import register
from heron.schema._schema import Schema, field_from_json
from heron.schema._stored import STORED
from heron.schema._text import ID, KEYWORD, TEXT

__all__ = [
    "BOOLEAN",
    "DATETIME",
    "ID",
    "KEYWORD",
    "NGRAM",
    "NGRAMWORDS",
    "NUMERIC",
    "STORED",
    "TEXT",
    "FieldType",
    "Schema",
    "field_from_json",
    "register",
]
