"""Field types and the schema: what each field accepts, how it is indexed and stored.

Each field type checks and converts a document's value (:meth:`FieldType.convert`),
gives the text its analyzer indexes (:meth:`FieldType.index_text`), turns the value
into the JSON that stored fields keep and back, into the number its column keeps and
back, and describes itself as JSON so the schema can be written into the index and
read back without pickle.

A value that :meth:`FieldType.convert` accepts can be written: it is checked in full
(64-bit range, finite floats, text that UTF-8 can encode), and numpy scalars become
the Python values they stand for.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
import struct
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
from attrs import field, frozen

from heron.analysis import (
    Analyzer,
    IDAnalyzer,
    KeywordAnalyzer,
    StandardAnalyzer,
    analyzer_from_json,
)
from heron.errors import SchemaError

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NAIVE_EPOCH = dt.datetime(1970, 1, 1)
#: the microseconds of the first and last instants a datetime can hold (years 1 to 9999)
_MIN_MICROS = -62_135_596_800_000_000
_MAX_MICROS = 253_402_300_799_999_999
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

    def to_stored(self, value: Any) -> Any:
        """Return the JSON value stored for a converted value."""
        return value

    def from_stored(self, value: Any) -> Any:
        """Return the document value for a stored JSON value."""
        return value

    def to_json(self) -> dict[str, Any]:
        """Describe this field type as a JSON object."""
        raise NotImplementedError

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


@frozen
class TEXT(FieldType):
    """Analysed text, searchable by words and phrases, scored with BM25.

    >>> TEXT(stored=True).convert("body", "Tunnels under Rafah")
    'Tunnels under Rafah'
    """

    kind: ClassVar[str] = "TEXT"
    analyzer_: Analyzer = field(factory=StandardAnalyzer, alias="analyzer")
    stored: bool = False
    boost: float = field(default=1.0, validator=_positive)
    phrase: bool = True
    sortable: bool = field(default=False, validator=_no_text_sorting)

    @property
    def analyzer(self) -> Analyzer:
        return self.analyzer_

    @property
    def scorable(self) -> bool:
        return True

    @property
    def positions(self) -> bool:
        return self.phrase

    def convert(self, name: str, value: Any) -> Any:
        return _check_str(name, value)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "analyzer": self.analyzer_.to_json(), "stored": self.stored,
            "boost": self.boost, "phrase": self.phrase, "sortable": self.sortable,
        }


@frozen
class KEYWORD(FieldType):
    """Whole keywords separated by commas or spaces (tags); a list of strings also works.

    >>> KEYWORD(commas=True).convert("tags", ["gaza", "sinai"])
    'gaza,sinai'
    """

    kind: ClassVar[str] = "KEYWORD"
    stored: bool = False
    commas: bool = False
    lowercase: bool = False
    scorable_: bool = field(default=False, alias="scorable")
    unique_: bool = field(default=False, alias="unique")
    boost: float = field(default=1.0, validator=_positive)
    sortable: bool = False

    @property
    def analyzer(self) -> Analyzer:
        return KeywordAnalyzer(commas=self.commas, lowercase=self.lowercase)

    @property
    def scorable(self) -> bool:
        return self.scorable_

    @property
    def unique(self) -> bool:
        return self.unique_

    def convert(self, name: str, value: Any) -> Any:
        if isinstance(value, list | tuple):
            sep = "," if self.commas else " "
            for item in value:
                _check_str(name, item, "a string or a list of strings")
                if sep in item or (not self.commas and any(c.isspace() for c in item)):
                    raise SchemaError(
                        f"field {name!r}: keyword {item!r} contains the separator {sep!r}"
                    )
            return sep.join(value)
        return _check_str(name, value, "a string or a list of strings")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "stored": self.stored, "commas": self.commas,
            "lowercase": self.lowercase, "scorable": self.scorable_, "unique": self.unique_,
            "boost": self.boost, "sortable": self.sortable,
        }


@frozen
class ID(FieldType):
    """The whole value as one term: identifiers, paths, URLs.

    >>> ID(unique=True).convert("id", "a1")
    'a1'
    """

    kind: ClassVar[str] = "ID"
    stored: bool = False
    unique_: bool = field(default=False, alias="unique")
    lowercase: bool = False
    boost: float = field(default=1.0, validator=_positive)
    sortable: bool = False

    @property
    def analyzer(self) -> Analyzer:
        return IDAnalyzer(lowercase=self.lowercase)

    @property
    def unique(self) -> bool:
        return self.unique_

    def convert(self, name: str, value: Any) -> Any:
        return _check_str(name, value)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "stored": self.stored, "unique": self.unique_,
            "lowercase": self.lowercase, "boost": self.boost, "sortable": self.sortable,
        }


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
class DATETIME(FieldType):
    """Dates and times: ``datetime``, ``date`` or an ISO 8601 string.

    Naive values are taken as UTC for indexing; the stored value comes back as given.

    >>> DATETIME().convert("published", "2017-01-05T10:00:00")
    datetime.datetime(2017, 1, 5, 10, 0)
    """

    kind: ClassVar[str] = "DATETIME"
    columnar: ClassVar[bool] = True
    stored: bool = False
    sortable: bool = False
    boost: float = field(default=1.0, validator=_positive)

    def convert(self, name: str, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            moment = value if type(value) is dt.datetime else dt.datetime(
                value.year, value.month, value.day, value.hour, value.minute, value.second,
                value.microsecond, value.tzinfo, fold=value.fold)  # a subclass's extras go
        elif isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        elif isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                raise SchemaError(
                    f"field {name!r}: {value!r} is not an ISO 8601 date or time"
                ) from None
        else:
            raise self._wrong(name, "a datetime, a date or an ISO 8601 string", value)
        if moment.tzinfo is not None:
            self._check_instant(name, moment)
        return moment

    @classmethod
    def _check_instant(cls, name: str, moment: dt.datetime) -> None:
        """Raise SchemaError unless an aware ``moment`` lies in years 1 to 9999 UTC."""
        try:
            micros = cls.micros(moment)
        except (TypeError, ValueError, OverflowError) as exc:
            raise SchemaError(f"field {name!r}: {moment!r:.80} has no usable UTC offset: "
                              f"{exc}") from None
        if not _MIN_MICROS <= micros <= _MAX_MICROS:
            raise SchemaError(f"field {name!r}: {moment.isoformat()} is outside the years 1 "
                              "to 9999 in UTC")

    @staticmethod
    def micros(value: dt.datetime) -> int:
        """Microseconds since 1970-01-01 UTC (naive values are taken as UTC)."""
        aware = value if value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)
        delta = aware - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

    def index_text(self, value: Any) -> str:
        return f"{self.micros(value) + _INT64:016x}"

    def column_dtype(self) -> type[np.generic]:
        return np.int64

    def column_value(self, value: Any) -> int | float:
        return self.micros(value)

    def from_column(self, raw: Any) -> Any:
        """The naive UTC datetime of a column entry (microseconds since the epoch)."""
        return _NAIVE_EPOCH + dt.timedelta(microseconds=int(raw))

    def to_stored(self, value: Any) -> Any:
        return value.isoformat()

    def from_stored(self, value: Any) -> Any:
        return dt.datetime.fromisoformat(value)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "stored": self.stored, "sortable": self.sortable,
                "boost": self.boost}


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


#: field types whose convert() returns any str unchanged
_PLAIN_STR = frozenset({TEXT, ID})

_TYPES: Mapping[str, type[FieldType]] = {
    cls.kind: cls for cls in (TEXT, KEYWORD, ID, NUMERIC, DATETIME, BOOLEAN, STORED)
}


def field_from_json(data: Mapping[str, Any]) -> FieldType:
    """Rebuild a field type from :meth:`FieldType.to_json` output."""
    params = dict(data)
    kind = params.pop("type", None)
    if kind not in _TYPES:
        raise SchemaError(f"unknown field type {kind!r}; known: {', '.join(sorted(_TYPES))}")
    if "analyzer" in params:
        params["analyzer"] = analyzer_from_json(params["analyzer"])
    try:
        return _TYPES[kind](**params)
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
            raise SchemaError(self.unknown_field_message(name)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.items)

    def __len__(self) -> int:
        return len(self.items)

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
        close = difflib.get_close_matches(name, self.names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field {name!r}{hint}; fields: {', '.join(self.names())}"

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
                raise SchemaError(self.unknown_field_message(str(name)))
            if value is None:
                continue
            # fast path: an ASCII string (so valid UTF-8) for a field that takes any string
            out[name] = value if (type(value) is str and type(ftype) in plain
                                  and value.isascii()) else ftype.convert(name, value)
        return out

    def term(self, name: str, value: Any) -> str:
        """The single term a field's value is indexed as (for look-ups by value).

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
