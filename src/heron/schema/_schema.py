"""The schema: the fields of an index, validation of documents, and JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import field, frozen

from heron.analysis import (
    analyzer_from_json,
)
from heron.errors import SchemaError, UnknownFieldError
from heron.schema._field import FieldType
from heron.schema._registry import check_registered, field_class
from heron.schema._text import ID, TEXT

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

_PLAIN_STR = frozenset({TEXT, ID})


def field_from_json(data: Mapping[str, Any]) -> FieldType:
    """Rebuild a field type from :meth:`FieldType.to_json` output (its ``type`` is a
    registered kind: see :func:`heron.schema.register`)."""
    params = dict(data)
    kind = params.pop("type", None)
    cls = field_class(kind)
    if "analyzer" in params:
        params["analyzer"] = analyzer_from_json(params["analyzer"])
    try:
        return cls(**params)
    except TypeError as exc:
        raise SchemaError(f"bad parameters for a {kind} field: {exc}") from None


@frozen(init=False)
class Schema:
    """The fields of an index, in the order they were given.

    >>> schema = Schema(id=ID(stored=True, unique=True), body=TEXT())
    >>> schema.names()
    ['id', 'body']
    >>> schema.validate({"id": "a1", "body": "tunnels"})
    {'id': 'a1', 'body': 'tunnels'}
    """

    items: tuple[tuple[str, FieldType], ...]
    _by_name: dict[str, FieldType] = field(eq=False, repr=False)

    def __init__(self, **fields: FieldType) -> None:
        for name, ftype in fields.items():
            if not _NAME.match(name):
                raise SchemaError(
                    f"field name {name!r} must start with a letter and hold only letters, "
                    "digits and underscores"
                )
            if not isinstance(ftype, FieldType):
                raise SchemaError(f"field {name!r}: {ftype!r} is not a field type")
            check_registered(name, ftype)
        if not fields:
            raise SchemaError("a schema needs at least one field")
        uniques = [n for n, f in fields.items() if f.unique]
        if len(uniques) > 1:
            raise SchemaError(f"only one field can be unique, got {uniques}")
        self.__attrs_init__(tuple(fields.items()), dict(fields))

    def __getitem__(self, name: str) -> FieldType:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownFieldError(name, self.names()) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def stored_value(self, fields: Mapping[str, Any], name: str) -> Any:
        """``fields[name]`` from a document's stored fields; a field the document lacks is a
        plain KeyError, a name that is no field an :class:`UnknownFieldError` with a hint."""
        try:
            return fields[name]
        except KeyError:
            if name in self:
                raise
            raise UnknownFieldError(name, self.names()) from None

    def names(self) -> list[str]:
        """The field names in schema order."""
        return [key for key, _ in self.items]

    def text_fields(self) -> list[str]:
        """The names of TEXT fields (what unqualified query words search)."""
        return [key for key, f in self.items if isinstance(f, TEXT)]

    def stored_names(self) -> list[str]:
        """The names of stored fields."""
        return [key for key, f in self.items if f.stored]

    def unique_field(self) -> str | None:
        """The name of the unique field, if any."""
        return next((key for key, f in self.items if f.unique), None)

    def unknown_field_message(self, name: str) -> str:
        """Explain that ``name`` is not a field, suggesting the closest one."""
        return UnknownFieldError(name, self.names()).message

    def validate(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Check a document and return its values converted; ``None`` values are left out.

        Raises:
            SchemaError: naming the field that is unknown or has a value of the wrong type.
        """
        if not isinstance(doc, Mapping):
            raise SchemaError(f"a document is a mapping of field names to values, got {doc!r:.60}")
        out: dict[str, Any] = {}
        by_name = self._by_name
        plain = _PLAIN_STR
        for name, value in doc.items():
            ftype = by_name.get(name) if isinstance(name, str) else None
            if ftype is None:
                raise UnknownFieldError(str(name), self.names())
            if value is None:
                continue
            # fast path: an ASCII string (so valid UTF-8) for a field that takes any string
            out[name] = value if (type(value) is str and type(ftype) in plain
                                  and value.isascii()) else ftype.convert(name, value)
        return out

    def term(self, name: str, value: Any) -> str:
        """The single term a field's value is indexed as (for look-ups by value).

        >>> from heron.schema import NUMERIC
        >>> Schema(id=ID(), year=NUMERIC()).term("year", 2017)
        '80000000000007e1'

        Raises:
            SchemaError: the field is not indexed, the value does not fit it, or it gives
                no term or several.
        """
        ftype = self[name]
        if not ftype.indexed:
            raise SchemaError(f"field {name!r} is not indexed")
        if ftype.columnar:
            converted = ftype.from_text(name, value) if isinstance(value, str) else (
                ftype.convert(name, value))
            return ftype.index_text(converted)
        terms = ftype.analyzer.terms(ftype.index_text(ftype.convert(name, value)))
        if len(terms) != 1:
            raise SchemaError(f"{value!r} gives {len(terms)} terms in field {name!r}; "
                              "a look-up by value needs exactly one")
        return terms[0]

    def to_dict(self) -> dict[str, Any]:
        """Describe the schema as a JSON object (field name to field type description)."""
        return {name: f.to_json() for name, f in self.items}

    def to_json(self) -> str:
        """Serialise the schema as JSON text."""
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str | Mapping[str, Any]) -> Schema:
        """Rebuild a schema from :meth:`to_json` output (text or parsed)."""
        try:
            data = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError as exc:
            raise SchemaError(f"schema is not valid JSON: {exc}") from None
        if not isinstance(data, Mapping):
            raise SchemaError("a schema is a JSON object of field names to field types")
        return cls(**{name: field_from_json(spec) for name, spec in data.items()})
