"""Routing: which shard holds a document, by a stable hash of its unique value."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from heron import ArgumentError, ArgumentTypeError, Schema, SchemaError
from heron.distributed._sequence import SEQUENCE


def unique_field(schema: Schema) -> str:
    """The schema's unique field, which routes documents to shards.

    Raises:
        SchemaError: the schema has no unique field (a sharded index needs one).
    """
    name = schema.unique_field()
    if name is None:
        raise SchemaError("a sharded index needs a unique field to route documents to "
                          "shards (e.g. id=ID(stored=True, unique=True))")
    return name


def shard_of(schema: Schema, value: Any, shards: int) -> int:
    """The shard (0 to ``shards - 1``) of a document whose unique field holds ``value``.

    The hash is BLAKE2b of the value's indexed term (not Python's salted ``hash()``),
    so every process, machine and run routes the same value to the same shard.

    >>> from heron import ID, Schema
    >>> schema = Schema(id=ID(unique=True))
    >>> [shard_of(schema, "17", 8) == shard_of(schema, "17", 8), 0 <= shard_of(schema, "5", 8) < 8]
    [True, True]
    """
    name = unique_field(schema)
    fast = schema[name].value_is_term
    return _route(value if fast and isinstance(value, str) and value else
                  schema.term(name, value), shards)


def _route(term: str, shards: int) -> int:
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def split_rows(schema: Schema, rows: Iterable[Mapping[str, Any]], shards: int,
               start: int | None = None) -> list[list[dict[str, Any]]]:
    """Rows grouped by the shard that holds them, each group in the rows' order; with a
    ``start``, each row numbered (:data:`SEQUENCE`) from it in the rows' order.

    Raises:
        SchemaError: a row has no value for the unique field.
    """
    name = unique_field(schema)
    fast = schema[name].value_is_term
    groups: list[list[dict[str, Any]]] = [[] for _ in range(shards)]
    for number, row in enumerate(rows):
        value = row.get(name)
        if value is None:
            raise SchemaError(f"a document of a sharded index needs its unique field {name!r}")
        if SEQUENCE in row:
            raise SchemaError(f"{SEQUENCE!r} is a sharded index's hidden field")
        term = value if fast and isinstance(value, str) and value else schema.term(name, value)
        copy = dict(row)
        if start is not None:
            copy[SEQUENCE] = start + number
        groups[_route(term, shards)].append(copy)
    return groups


def check_shards(shards: object) -> int:
    """The number of shards, checked."""
    if isinstance(shards, bool) or not isinstance(shards, int):
        raise ArgumentTypeError(f"shards is a whole number, got {shards!r}")
    if not 1 <= shards <= 1024:
        raise ArgumentError(f"shards is 1 to 1024, got {shards}")
    return shards
