"""The STORED field type: any JSON value, kept with the document."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from attrs import frozen

from heron.schema._field import FieldType, _valid_text


@frozen
class STORED(FieldType):
    """Kept with the document but not indexed: any JSON value (str, number, list, dict...).

    >>> STORED().convert("url", "https://example.org/a")
    'https://example.org/a'
    """

    kind: ClassVar[str] = "STORED"
    indexed: ClassVar[bool] = False
    stored: bool = True
    boost: float = 1.0

    def convert(self, name: str, value: Any) -> Any:
        if type(value) is str:
            return _valid_text(name, value)
        try:
            return _json_value(name, value)
        except (TypeError, ValueError, RecursionError):
            raise self._wrong(name, "a JSON value (str, number, bool, None, list, dict)",
                              value) from None

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind}


def _json_value(name: str, value: Any) -> Any:
    """``value`` as plain JSON-ready Python values (numpy scalars converted, lists for tuples).

    Raises:
        SchemaError: a string holds a lone surrogate.
        TypeError: a value (or a key) that JSON cannot hold.
        ValueError: a float that is not finite.
    """
    kind = type(value)
    if kind is str:
        return _valid_text(name, value)
    if value is None or kind is bool:
        return value
    if kind is int:
        return _json_int(value)
    if isinstance(value, list | tuple):
        return [_json_value(name, item) for item in value]
    if isinstance(value, dict):
        return {_json_key(name, key): _json_value(name, item) for key, item in value.items()}
    return _json_scalar(name, value)


def _json_int(value: int) -> int:
    """``value`` if JSON can write it (ValueError past Python's limit on int digits)."""
    if value.bit_length() > 64:
        str(value)
    return value


def _json_key(name: str, key: Any) -> Any:
    """A dict key as JSON takes it (str, int, float, bool or None; JSON writes it as text)."""
    if isinstance(key, list | tuple | dict):
        raise TypeError("a key cannot be a list or a dict")
    return _json_value(name, key)


def _json_scalar(name: str, value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str):
        return _valid_text(name, str(value))
    if isinstance(value, int | np.integer):
        return _json_int(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        return number
    raise TypeError(f"{type(value).__name__} is not a JSON value")
