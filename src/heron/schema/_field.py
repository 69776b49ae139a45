"""The base of field types, and the checks every field type shares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from heron.analysis import (
    Analyzer,
    IDAnalyzer,
)
from heron.errors import SchemaError

_INT64 = 1 << 63


def _show(value: Any, width: int = 60) -> str:
    """``repr(value)`` cut to ``width`` characters; an int too long for text says so."""
    try:
        return f"{value!r:.{width}}"
    except ValueError:  # Python writes ints of at most 4300 digits
        return f"<{type(value).__name__} too long to write>"


def _positive(_inst: object, attribute: Any, value: float) -> None:
    try:
        ok = isinstance(value, int | float) and math.isfinite(value) and value > 0
    except OverflowError:  # an int too large for a float
        ok = False
    if not ok:
        raise SchemaError(f"{attribute.name} must be a positive number, got {_show(value)}")


def _no_text_sorting(_inst: object, _attribute: Any, value: bool) -> None:
    if value:
        raise SchemaError("TEXT fields cannot be sorted on (they hold many terms per document); "
                          "sort on a KEYWORD, ID, NUMERIC or DATETIME copy of the value")


class FieldType:
    """Base of field types: how a field's values are checked, indexed and stored."""

    kind: ClassVar[str] = ""
    #: the field's terms go into the inverted index
    indexed: ClassVar[bool] = True
    #: the field's values are kept in a per-document column (range queries and sorting)
    columnar: ClassVar[bool] = False
    #: range queries compare the column's values (else, for indexed fields, the terms)
    column_ranges: ClassVar[bool] = False
    #: each term is a whole value (a keyword, an identifier): sorting, facets, grouping and
    #: collapsing key documents on their terms, kept per document in term lists
    term_keyed: ClassVar[bool] = False
    stored: bool
    boost: float

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer that turns :meth:`index_text` into terms."""
        return IDAnalyzer()

    @property
    def scorable(self) -> bool:
        """Whether field lengths are kept, so BM25 normalises by them."""
        return False

    @property
    def positions(self) -> bool:
        """Whether term positions are kept (for phrase queries)."""
        return False

    @property
    def unique(self) -> bool:
        """Whether the value identifies a document (``update_document`` keys on it)."""
        return False

    @property
    def keeps_forward(self) -> bool:
        """Whether segments keep each document's terms of the field: term-keyed fields (for
        sorting and facets), and indexed fields that are not stored (their text is gone, so
        more-like-this reads their terms from there)."""
        return self.term_keyed or (self.indexed and not self.stored)

    @property
    def can_sort(self) -> bool:
        """Whether hits can be sorted by the field: its column, or its terms if term-keyed."""
        return self.columnar or self.term_keyed

    @property
    def can_facet(self) -> bool:
        """Whether facets, groups and collapsing can key documents on the field's values."""
        return self.columnar or self.term_keyed

    @property
    def value_is_term(self) -> bool:
        """Whether a (non-empty) string value is indexed as itself, one term, unanalysed."""
        return False

    def convert(self, name: str, value: Any) -> Any:
        """Check ``value`` for field ``name`` and return it in canonical form.

        Raises:
            SchemaError: the value has the wrong type or cannot be represented.
        """
        raise NotImplementedError

    def from_text(self, name: str, text: str) -> Any:
        """Convert a value written in a query (text) for field ``name``.

        Raises:
            SchemaError: the text is not a value of this field.
        """
        return self.convert(name, text)

    def query_span(self, name: str, value: Any) -> tuple[Any, Any] | None:
        """The values ``[low, high)`` a query value stands for when it is a span, not one
        value (a date, or a date written to the day, is that whole day); None otherwise.

        ``high`` is None when the span has no end. The bounds are values :meth:`convert`
        accepts.

        Raises:
            SchemaError: the text is not a value of this field.
        """
        return None

    def narrow_terms(self, terms: Sequence[str]) -> list[str]:
        """The fewest of ``terms`` that, all required, match what all of them do.

        A field whose terms imply others (an n-gram implies the shorter n-grams inside
        it) drops the implied ones; by default every distinct term is kept.
        """
        return list(dict.fromkeys(terms))

    def index_text(self, value: Any) -> str:
        """Return the text the analyzer indexes for a converted value."""
        return str(value)

    def column_dtype(self) -> type[np.generic]:
        """The numpy dtype of the field's column (for columnar fields)."""
        raise SchemaError(f"{self.kind} fields have no column")

    def column_value(self, value: Any) -> int | float:
        """Return the number the field's column keeps for a converted value.

        It is exact in :meth:`column_dtype`: an int for integer columns, never a float
        on the way.
        """
        raise SchemaError(f"{self.kind} fields have no column")

    def from_column(self, raw: Any) -> Any:
        """Return the value users see for a column entry (the reverse of :meth:`column_value`)."""
        raise SchemaError(f"{self.kind} fields have no column")

    def column_instants(self, raw: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
        """Return column entries as UTC instants (``datetime64[us]``), for date facets.

        Raises:
            SchemaError: the field's values are not dates.
        """
        raise SchemaError(f"{self.kind} fields hold no dates")

    def to_stored(self, value: Any) -> Any:
        """Return the JSON value stored for a converted value."""
        return value

    def from_stored(self, value: Any) -> Any:
        """Return the document value for a stored JSON value."""
        return value

    def to_json(self) -> dict[str, Any]:
        """Describe this field type as a JSON object: ``type`` (its kind) and its parameters.

        By default (for an attrs class) every parameter of its ``__init__`` is written
        under its name, analyzers as their JSON; a type with other parameters overrides it.
        """
        cls = type(self)
        if not attrs.has(cls):
            raise NotImplementedError(f"{cls.__qualname__} must say how to write it as JSON")
        out: dict[str, Any] = {"type": self.kind}
        for attribute in attrs.fields(cls):
            if attribute.init:
                value = getattr(self, attribute.name)
                out[attribute.alias] = value.to_json() if isinstance(value, Analyzer) else value
        return out

    @staticmethod
    def _wrong(name: str, expected: str, value: Any) -> SchemaError:
        return SchemaError(
            f"field {name!r} expects {expected}, got {type(value).__name__} {_show(value)}"
        )


def _valid_text(name: str, value: str) -> str:
    """Return ``value`` if UTF-8 can encode it (no lone surrogate), else raise SchemaError."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SchemaError(
                f"field {name!r}: the text holds a lone surrogate {value[exc.start]!r} at "
                f"{exc.start}, which is not valid Unicode: {value!r:.60}"
            ) from None
    return value


def _check_str(name: str, value: Any, what: str = "a string") -> str:
    if not isinstance(value, str):
        raise FieldType._wrong(name, what, value)
    return _valid_text(name, value)
