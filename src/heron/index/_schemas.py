"""The schema a commit records, and a user's schema laid over it.

A manifest records the schema of its commit as JSON (writers change it with
``add_field`` and ``remove_field``). A user may give a schema of their own, to supply
analyzers heron cannot rebuild from JSON; only analyzers may differ from the recorded
one. Each snapshot (reader or writer) uses the recorded fields, each with the given
field type where the user gave a compatible one: the given analyzers then analyse
both the documents that writer adds and the query text a searcher parses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heron.errors import CorruptIndexError, SchemaError
from heron.index._format import manifest_name
from heron.schema import FieldType, Schema, field_from_json


def _options(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A field's JSON description without its analyzer: what must not change."""
    return {key: value for key, value in spec.items() if key != "analyzer"}


def check_compatible(recorded: Mapping[str, Any], given: Schema) -> None:
    """Check that ``given`` has the recorded fields with the same types and options.

    Raises:
        SchemaError: naming the first field that differs in more than its analyzer.
    """
    names = list(recorded)
    for name in names:
        if name not in given:
            raise SchemaError(f"the schema given lacks the index's field {name!r}; only "
                              "analyzers may differ from the index's schema")
        if _options(given[name].to_json()) != _options(recorded[name]):
            raise SchemaError(
                f"field {name!r}: the schema given says {_options(given[name].to_json())}, "
                f"the index holds {_options(recorded[name])}; only analyzers may differ "
                "(add a field under a new name with a writer's add_field)")
    extra = [name for name in given.names() if name not in recorded]
    if extra:
        raise SchemaError(f"the index has no field {extra[0]!r}; add it with a writer's "
                          "add_field")


def snapshot_schema(recorded: Mapping[str, Any], given: Schema | None,
                    generation: int) -> Schema:
    """The schema of one commit: its recorded fields, with the given field type where a
    compatible one was given (the recorded one elsewhere).

    Raises:
        SchemaError: a recorded field needs an analyzer heron cannot rebuild and none
            was given.
        CorruptIndexError: the recorded schema is damaged.
    """
    fields: dict[str, FieldType] = {}
    try:
        for name, spec in recorded.items():
            if given is not None and name in given and (
                    _options(given[name].to_json()) == _options(spec)):
                fields[name] = given[name]
            else:
                fields[name] = field_from_json(spec)
        return Schema(**fields)
    except SchemaError as exc:
        raise SchemaError(f"the schema stored in the index cannot be rebuilt: {exc}; pass "
                          "the schema with its analyzers to open_index") from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        message = f"{manifest_name(generation)}: the schema is damaged: {exc}"
        raise CorruptIndexError(message) from None
