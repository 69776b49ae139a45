"""A user's own field type, defined outside heron: IPv4 addresses (driven by
test_custom_field.py, also in a fresh process).

Values are ``ipaddress.IPv4Address`` (strings are accepted); the index keeps each as one
integer column entry (so ranges, sorting and facets compare numbers) and one term of 8
hex digits (so a value looks up like any term). Nothing in heron knows of it but the
registry.
"""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

import numpy as np
from attrs import frozen

import heron
from heron.schema import FieldType, register


@register
@frozen
class IP(FieldType):
    """An IPv4 address: ``"10.0.0.1"`` or an ``IPv4Address``."""

    kind: ClassVar[str] = "tests.IP"
    columnar: ClassVar[bool] = True
    column_ranges: ClassVar[bool] = True
    stored: bool = False
    boost: float = 1.0

    def convert(self, name: str, value: Any) -> Any:
        if not isinstance(value, str | ipaddress.IPv4Address):
            raise heron.SchemaError(f"field {name!r} expects an IPv4 address, got {value!r}")
        try:
            return ipaddress.IPv4Address(value)
        except ValueError:
            raise heron.SchemaError(f"field {name!r}: {value!r} is not an IPv4 address") from None

    def index_text(self, value: Any) -> str:
        return f"{int(value):08x}"

    def column_dtype(self) -> type[np.generic]:
        return np.int64

    def column_value(self, value: Any) -> int | float:
        return int(value)

    def from_column(self, raw: Any) -> Any:
        return ipaddress.IPv4Address(int(raw))

    def to_stored(self, value: Any) -> Any:
        return str(value)

    def from_stored(self, value: Any) -> Any:
        return ipaddress.IPv4Address(value)
