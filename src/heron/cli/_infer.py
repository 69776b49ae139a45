"""Inferring a schema from the first documents, when ``heron index`` is given none.

Each key's type follows the values it holds in the documents looked at (``None`` is no
value): ``id`` (or, failing it, ``key``, ``uuid``, ``url``, ``path``) is a unique stored ID;
text is a stored TEXT field, unless every value looks like a date (DATETIME) or a number
(from CSV, where every value is text: NUMERIC), or is a short label repeated across
documents (KEYWORD, for filters and facets); lists of strings are KEYWORD; whole numbers
and numbers with a fraction are sortable NUMERIC (``int`` or ``float``); true and false are
BOOLEAN; anything else (objects, mixed lists, keys whose values disagree) is STORED only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import heron

#: how many documents the inference looks at
SAMPLE = 1000
#: keys taken for the unique ID field, the first one present wins
ID_KEYS = ("id", "key", "uuid", "url", "path")
_LABEL_CHARS = 40
_INT = re.compile(r"[+-]?\d{1,18}")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")


def _looks_like_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _kind(value: Any) -> str:
    """The kind of one JSON value: str, int, float, bool, strs (a list of strings), other."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "strs"
    return "other"


def _text_field(values: list[str], documents: int, *, from_text: bool) -> heron.FieldType:
    """The field for a key whose values are all strings."""
    if all(_looks_like_date(v) for v in values):
        return heron.DATETIME(stored=True, sortable=True)
    if from_text and all(_INT.fullmatch(v) for v in values):
        return heron.NUMERIC(stored=True, sortable=True)
    if from_text and all(_FLOAT.fullmatch(v) for v in values):
        return heron.NUMERIC(numtype="float", stored=True, sortable=True)
    if from_text and {v.lower() for v in values} <= {"true", "false"}:
        return heron.BOOLEAN(stored=True)
    distinct = set(values)
    short = all(len(v) <= _LABEL_CHARS and "\n" not in v for v in values)
    if short and documents >= 20 and len(distinct) <= max(2, len(values) // 5):
        return heron.KEYWORD(stored=True, sortable=True)
    return heron.TEXT(stored=True)


def infer_schema(documents: Iterable[Mapping[str, Any]], *, from_text: bool = False
                 ) -> heron.Schema:
    """The schema for ``documents`` (see the module's description), keys in first-seen order.

    ``from_text``: every value is text (CSV, TSV), so numbers and booleans are recognised
    in it.

    Raises:
        InputError: there is no document to infer from.
    """
    values: dict[str, list[Any]] = {}
    count = 0
    for doc in documents:
        count += 1
        for key, value in doc.items():
            seen = values.setdefault(key, [])
            if value is not None:
                seen.append(value)
    if not count:
        raise heron.InputError("no documents to infer a schema from; give --schema FILE")
    unique = next((k for k in ID_KEYS if k in values), None)
    return heron.Schema(**{key: _field(seen, count, unique=key == unique, from_text=from_text)
                           for key, seen in values.items()})


def _field(seen: list[Any], documents: int, *, unique: bool, from_text: bool  # noqa: PLR0911
           ) -> heron.FieldType:
    """The field for one key, from the values it holds (one return per kind of values)."""
    kinds = {_kind(v) for v in seen}
    if unique and kinds == {"int"}:
        return heron.NUMERIC(stored=True, sortable=True, unique=True)
    if unique and kinds == {"str"}:
        return heron.ID(stored=True, unique=True)
    if kinds == {"str"}:
        return _text_field(seen, documents, from_text=from_text)
    if kinds in ({"strs"}, {"str", "strs"}):
        return heron.KEYWORD(stored=True)
    if kinds == {"int"}:
        return heron.NUMERIC(stored=True, sortable=True)
    if kinds in ({"float"}, {"int", "float"}):
        return heron.NUMERIC(numtype="float", stored=True, sortable=True)
    if kinds == {"bool"}:
        return heron.BOOLEAN(stored=True)
    return heron.STORED()


def describe_schema(schema: heron.Schema) -> str:
    """One line naming each field and its type: ``id ID unique, title TEXT, year NUMERIC``."""
    parts = []
    for name in schema.names():
        ftype = schema[name]
        kind = ftype.kind or type(ftype).__name__
        unique = " unique" if name == schema.unique_field() else ""
        parts.append(f"{name} {kind}{unique}")
    return ", ".join(parts)
