"""The field types an index can name: heron's own, and those a program registers.

An index records its schema as JSON, each field naming its type by ``kind``. Opening
the index finds each kind here; nothing read from disk is ever imported or evaluated,
so a field type of your own must be registered (with :func:`register`) in every
process that opens, searches or writes an index that uses it, before it does so.

The registry is the one piece of state the schema package keeps for a whole process,
as :mod:`codecs` keeps its search functions: a program registers its types once, at
import time; registering the same class again (or its module's class again, after a
reload) is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from heron.errors import ArgumentTypeError, SchemaError
from heron.schema._datetime import DATETIME
from heron.schema._field import FieldType
from heron.schema._ngram import NGRAM, NGRAMWORDS
from heron.schema._numbers import BOOLEAN, NUMERIC
from heron.schema._stored import STORED
from heron.schema._text import ID, KEYWORD, TEXT

F = TypeVar("F", bound=type[FieldType])

#: what a kind may be: a name, which the schema's JSON writes as its field's ``type``
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_.]*\Z")

_BUILTIN: Mapping[str, type[FieldType]] = {
    cls.kind: cls
    for cls in (TEXT, KEYWORD, ID, NUMERIC, DATETIME, BOOLEAN, STORED, NGRAM, NGRAMWORDS)
}
_TYPES: dict[str, type[FieldType]] = dict(_BUILTIN)


def register(cls: F) -> F:
    """Let schemas and indexes name the field type ``cls`` by its ``kind``; return ``cls``.

    Use it as a class decorator (above ``@attrs.frozen``) or call it once at import
    time. :meth:`FieldType.to_json` must write ``{"type": cls.kind, ...}`` and the class
    must accept the other keys as keyword arguments.

    Raises:
        ArgumentTypeError: ``cls`` is not a subclass of :class:`FieldType`.
        SchemaError: its ``kind`` is not a name, is one of heron's own types, or is
            already registered for another class.
    """
    if not (isinstance(cls, type) and issubclass(cls, FieldType)):
        raise ArgumentTypeError(f"register takes a subclass of FieldType, got {cls!r:.80}")
    kind = cls.kind
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise SchemaError(f"{cls.__qualname__}.kind must be a name (a letter, then letters, "
                          f"digits, '_' or '.'), got {kind!r:.80}")
    known = _TYPES.get(kind)
    if known is cls or (known is not None and kind not in _BUILTIN and _same_name(known, cls)):
        _TYPES[kind] = cls  # the same class, or its module run again (a reload)
        return cls
    if kind in _BUILTIN:
        raise SchemaError(f"{kind!r} is heron's own field type; give "
                          f"{cls.__qualname__} a kind of its own")
    if known is not None:
        raise SchemaError(f"field type {kind!r} is already registered for "
                          f"{known.__module__}.{known.__qualname__}")
    _TYPES[kind] = cls
    return cls


def _same_name(a: type, b: type) -> bool:
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def field_class(kind: object) -> type[FieldType]:
    """The field type registered for ``kind`` (a schema's JSON names it).

    Raises:
        SchemaError: no field type has that kind here.
    """
    found = _TYPES.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise SchemaError(
            f"unknown field type {kind!r:.80}; known: {', '.join(sorted(_TYPES))} (a field "
            "type of your own must be registered with heron.schema.register before an "
            "index that uses it is opened)")
    return found


def check_registered(name: str, ftype: FieldType) -> None:
    """Raise unless an index could name ``ftype``'s type, so could be opened again.

    Raises:
        SchemaError: saying to register the field type.
    """
    known = _TYPES.get(ftype.kind)
    if known is None or not isinstance(ftype, known):
        cls = type(ftype)
        raise SchemaError(
            f"field {name!r}: its type {cls.__qualname__} (kind {ftype.kind!r:.40}) is not "
            f"registered; call heron.schema.register({cls.__qualname__}) first, so that an "
            "index can name it and find it when it is opened")
