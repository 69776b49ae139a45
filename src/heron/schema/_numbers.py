"""NUMERIC and BOOLEAN field types."""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from attrs import field, frozen

from heron.errors import SchemaError
from heron.schema._field import _INT64, FieldType, _positive, _show


def _sortable_float(value: float) -> int:
    """Map a float to an unsigned 64-bit integer with the same order."""
    bits = int.from_bytes(struct.pack(">d", value), "big")
    return bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63)


@frozen
class NUMERIC(FieldType):
    """Integers or floats, indexed so that ranges and sorting can use them.

    Terms are 16 hexadecimal digits whose dictionary order is numeric order.

    >>> f = NUMERIC()
    >>> f.index_text(f.convert("year", -1)) < f.index_text(f.convert("year", 2017))
    True
    """

    kind: ClassVar[str] = "NUMERIC"
    columnar: ClassVar[bool] = True
    numtype: str = field(default="int")
    stored: bool = False
    sortable: bool = False
    unique_: bool = field(default=False, alias="unique")
    boost: float = field(default=1.0, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.numtype not in ("int", "float"):
            raise SchemaError(f"NUMERIC numtype is 'int' or 'float', got {self.numtype!r}")

    @property
    def unique(self) -> bool:
        return self.unique_

    def convert(self, name: str, value: Any) -> Any:
        if isinstance(value, bool | np.bool_) or not isinstance(
                value, int | float | np.integer | np.floating):
            raise self._wrong(name, f"a number ({self.numtype})", value)
        if self.numtype == "int":
            if not isinstance(value, int | np.integer):
                raise self._wrong(name, "an integer", value)
            whole = int(value)
            if not -_INT64 <= whole < _INT64:
                raise SchemaError(f"field {name!r}: {_show(whole)} does not fit in 64 bits")
            return whole
        try:
            number = float(value)
        except OverflowError:
            raise SchemaError(f"field {name!r}: {_show(value)} is too large for a float") from None
        if not math.isfinite(number):
            raise SchemaError(f"field {name!r}: {value} is not a finite number")
        return number

    def from_text(self, name: str, text: str) -> Any:
        try:
            value: int | float = int(text) if self.numtype == "int" else float(text)
        except ValueError:
            message = f"field {name!r}: {text!r} is not a number ({self.numtype})"
            raise SchemaError(message) from None
        return self.convert(name, value)

    def index_text(self, value: Any) -> str:
        key = value + _INT64 if self.numtype == "int" else _sortable_float(value)
        return f"{key:016x}"

    def column_dtype(self) -> type[np.generic]:
        return np.int64 if self.numtype == "int" else np.float64

    def column_value(self, value: Any) -> int | float:
        return int(value) if self.numtype == "int" else float(value)

    def from_column(self, raw: Any) -> Any:
        return int(raw) if self.numtype == "int" else float(raw)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "numtype": self.numtype, "stored": self.stored,
            "sortable": self.sortable, "unique": self.unique_, "boost": self.boost,
        }




@frozen
class BOOLEAN(FieldType):
    """True or false (also the strings true/false, yes/no, 1/0).

    >>> BOOLEAN().convert("draft", "yes")
    True
    """

    kind: ClassVar[str] = "BOOLEAN"
    columnar: ClassVar[bool] = True
    stored: bool = False
    boost: float = field(default=1.0, validator=_positive)
    _WORDS: ClassVar[Mapping[str, bool]] = {
        "true": True, "yes": True, "1": True, "false": False, "no": False, "0": False,
    }

    def convert(self, name: str, value: Any) -> Any:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in self._WORDS:
            return self._WORDS[value.strip().lower()]
        raise self._wrong(name, "a boolean", value)

    def index_text(self, value: Any) -> str:
        return "true" if value else "false"

    def column_dtype(self) -> type[np.generic]:
        return np.int64

    def column_value(self, value: Any) -> int | float:
        return 1 if value else 0

    def from_column(self, raw: Any) -> Any:
        return bool(raw)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "stored": self.stored, "boost": self.boost}
