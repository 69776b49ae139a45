"""Field types and the schema: conversion, term encoding, validation and JSON form."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from heron import (
    BOOLEAN,
    DATETIME,
    ID,
    KEYWORD,
    NUMERIC,
    STORED,
    TEXT,
    FieldType,
    Schema,
    SchemaError,
)
from heron.analysis import LowercaseFilter, NgramFilter, RegexTokenizer, StandardAnalyzer

UTC = dt.UTC
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@pytest.mark.parametrize(
    ("ftype", "value", "expected"),
    [
        (TEXT(), "Tunnels under Rafah", "Tunnels under Rafah"),
        (ID(), "a-17", "a-17"),
        (KEYWORD(), "gaza sinai", "gaza sinai"),
        (KEYWORD(), ["gaza", "sinai"], "gaza sinai"),
        (KEYWORD(commas=True), ("Gaza Strip", "sinai"), "Gaza Strip,sinai"),
        (NUMERIC(), -5, -5),
        (NUMERIC(), INT64_MIN, INT64_MIN),
        (NUMERIC(numtype="float"), 3, 3.0),
        (NUMERIC(numtype="float"), -2.5, -2.5),
        (BOOLEAN(), True, True),
        (BOOLEAN(), " Yes ", True),
        (BOOLEAN(), "FALSE", False),
        (BOOLEAN(), "0", False),
        (STORED(), {"nested": [1, 2.5, "x", None, True]}, {"nested": [1, 2.5, "x", None, True]}),
    ],
)
def test_convert(ftype: FieldType, value: Any, expected: Any) -> None:
    got = ftype.convert("f", value)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("ftype", "value", "expects"),
    [
        (TEXT(), 5, "a string"),
        (TEXT(), b"bytes", "a string"),
        (ID(), ["a"], "a string"),
        (KEYWORD(), ["gaza", 3], "a string or a list of strings"),
        (KEYWORD(), 3.5, "a string or a list of strings"),
        (NUMERIC(), True, "a number"),
        (NUMERIC(), "12", "a number"),
        (NUMERIC(), 1.5, "an integer"),
        (NUMERIC(numtype="float"), None, "a number"),
        (DATETIME(), 1_500_000_000, "a datetime"),
        (BOOLEAN(), 1, "a boolean"),
        (BOOLEAN(), "maybe", "a boolean"),
        (STORED(), {1, 2}, "a JSON value"),
        (STORED(), b"x", "a JSON value"),
        (STORED(), [math.nan], "a JSON value"),
    ],
)
def test_convert_rejects_wrong_type(ftype: FieldType, value: Any, expects: str) -> None:
    with pytest.raises(SchemaError, match=f"^field 'myfield' expects {expects}"):
        ftype.convert("myfield", value)


@pytest.mark.parametrize(
    ("ftype", "value", "match"),
    [
        (NUMERIC(), 2**63, "'n': 9223372036854775808 does not fit in 64 bits"),
        (NUMERIC(), INT64_MIN - 1, "does not fit in 64 bits"),
        (NUMERIC(numtype="float"), math.inf, "'n': inf is not a finite number"),
        (NUMERIC(numtype="float"), math.nan, "not a finite number"),
        (DATETIME(), "05/01/2017", "'n': '05/01/2017' is not an ISO 8601 date"),
        (KEYWORD(), ["new york"], "'n': keyword 'new york' contains the separator ' '"),
        (KEYWORD(), [" gaza"], "contains the separator"),
        (KEYWORD(commas=True), ["a,b"], "contains the separator ','"),
    ],
)
def test_convert_rejects_bad_value(ftype: FieldType, value: Any, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        ftype.convert("n", value)


def test_float_field_rejects_huge_int() -> None:
    with pytest.raises(SchemaError, match="'n'"):
        NUMERIC(numtype="float").convert("n", 10**400)


def test_keyword_list_item_with_tab_is_rejected() -> None:
    with pytest.raises(SchemaError, match="separator"):
        KEYWORD().convert("tags", ["new\tyork"])


def test_keyword_terms() -> None:
    f = KEYWORD(commas=True, lowercase=True)
    assert f.analyzer.terms(f.convert("tags", ["Gaza Strip", "Sinai"])) == ["gaza strip", "sinai"]
    assert KEYWORD().analyzer.terms(KEYWORD().convert("tags", ["Gaza", "x"])) == ["Gaza", "x"]


def test_numeric_terms() -> None:
    ints, floats = NUMERIC(), NUMERIC(numtype="float")
    assert ints.index_text(0) == "8000000000000000"
    assert ints.index_text(-1) == "7fffffffffffffff"
    assert ints.index_text(INT64_MIN) == "0000000000000000"
    assert ints.index_text(INT64_MAX) == "ffffffffffffffff"
    assert floats.index_text(1.0) == "bff0000000000000"  # IEEE bits 3ff0... with the sign set
    assert floats.index_text(-1.0) == "400fffffffffffff"  # all bits of bff0... inverted
    assert ints.column_value(7) == 7.0
    with pytest.raises(SchemaError, match="numtype"):
        NUMERIC(numtype="decimal")


@given(a=st.integers(INT64_MIN, INT64_MAX), b=st.integers(INT64_MIN, INT64_MAX))
def test_int_terms_keep_order(a: int, b: int) -> None:
    f = NUMERIC()
    ta, tb = f.index_text(f.convert("n", a)), f.index_text(f.convert("n", b))
    assert len(ta) == len(tb) == 16
    assert (ta < tb) == (a < b)
    assert (ta == tb) == (a == b)


@given(a=st.floats(allow_nan=False, allow_infinity=False), b=st.floats(allow_nan=False,
                                                                       allow_infinity=False))
def test_float_terms_keep_order(a: float, b: float) -> None:
    f = NUMERIC(numtype="float")
    ta, tb = f.index_text(f.convert("n", a)), f.index_text(f.convert("n", b))
    assert len(ta) == len(tb) == 16
    if a < b:
        assert ta < tb
    elif a > b:
        assert ta > tb


def test_datetime_convert() -> None:
    f = DATETIME()
    naive = dt.datetime(2017, 1, 5, 10, 0)
    aware = dt.datetime(2017, 1, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert f.convert("p", naive) is naive
    assert f.convert("p", aware) is aware
    assert f.convert("p", dt.date(2017, 1, 5)) == dt.datetime(2017, 1, 5)
    assert f.convert("p", "2017-01-05T10:00:00") == naive
    assert f.convert("p", "2017-01-05T10:00:00Z") == naive.replace(tzinfo=UTC)
    assert f.convert("p", "2017-01-05") == dt.datetime(2017, 1, 5)


def test_datetime_terms() -> None:
    f = DATETIME()
    assert f.micros(dt.datetime(2017, 1, 5, 10, 0, tzinfo=UTC)) == 1_483_610_400_000_000
    assert f.micros(dt.datetime(1969, 12, 31, 23, 59, 59, 999_999)) == -1
    assert f.index_text(dt.datetime(1970, 1, 1)) == "8000000000000000"
    # naive values are UTC, so these three are the same instant and the same term
    same = [
        dt.datetime(2017, 1, 5, 10),
        dt.datetime(2017, 1, 5, 10, tzinfo=UTC),
        dt.datetime(2017, 1, 5, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ]
    assert len({f.index_text(v) for v in same}) == 1
    assert f.column_value(same[0]) == 1_483_610_400_000_000.0


@pytest.mark.parametrize(
    "value",
    [dt.datetime(2017, 1, 5, 10, 30, 1, 5),
     dt.datetime(2017, 1, 5, 10, tzinfo=dt.timezone(dt.timedelta(hours=-5)))],
)
def test_datetime_stored_round_trip(value: dt.datetime) -> None:
    f = DATETIME()
    back = f.from_stored(f.to_stored(value))
    assert back == value
    assert back.tzinfo == value.tzinfo


OFFSETS = st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
# a day inside the years 1 to 9999 on both sides: an offset never moves a moment out of
# them in UTC (such moments are refused, see the test of DATETIME's range)
MOMENTS = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                       timezones=st.none() | OFFSETS) | st.dates()


@given(a=MOMENTS, b=MOMENTS)
def test_datetime_terms_keep_order(a: dt.date, b: dt.date) -> None:
    f = DATETIME()
    ca, cb = f.convert("p", a), f.convert("p", b)
    ua, ub = (c if c.tzinfo else c.replace(tzinfo=UTC) for c in (ca, cb))
    ta, tb = f.index_text(ca), f.index_text(cb)
    assert (ta < tb) == (ua < ub)
    assert (ta == tb) == (ua == ub)


def test_boolean_terms() -> None:
    f = BOOLEAN()
    assert [f.index_text(f.convert("b", v)) for v in (True, "no", "1")] == ["true", "false", "true"]
    assert f.column_value(True) == 1.0


@pytest.mark.parametrize("boost", [0, -1.0, math.nan, math.inf, "2"])
def test_boost_must_be_positive(boost: Any) -> None:
    with pytest.raises(SchemaError, match="boost must be a positive number"):
        TEXT(boost=boost)


@pytest.mark.parametrize(
    ("ftype", "flags"),
    [  # flags: scorable, positions, unique, indexed, columnar
        (TEXT(), (True, True, False, True, False)),
        (TEXT(phrase=False), (True, False, False, True, False)),
        (ID(unique=True), (False, False, True, True, False)),
        (KEYWORD(scorable=True), (True, False, False, True, False)),
        (NUMERIC(unique=True), (False, False, True, True, True)),
        (DATETIME(), (False, False, False, True, True)),
        (BOOLEAN(), (False, False, False, True, True)),
        (STORED(), (False, False, False, False, False)),
    ],
)
def test_field_properties(ftype: FieldType, flags: tuple[bool, ...]) -> None:
    got = (ftype.scorable, ftype.positions, ftype.unique, ftype.indexed, ftype.columnar)
    assert got == flags


def test_field_analyzers() -> None:
    assert TEXT(analyzer=StandardAnalyzer("german")).analyzer == StandardAnalyzer("german")
    assert ID(lowercase=True).analyzer.terms("A-17 B") == ["a-17 b"]
    assert NUMERIC().analyzer.terms("8000000000000000") == ["8000000000000000"]


@pytest.fixture
def schema() -> Schema:
    return Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), body=TEXT(),
                  year=NUMERIC(), url=STORED())


def test_schema_accessors(schema: Schema) -> None:
    assert schema.names() == ["id", "title", "body", "year", "url"]
    assert list(schema) == schema.names()
    assert len(schema) == 5
    assert schema.text_fields() == ["title", "body"]
    assert schema.stored_names() == ["id", "title", "url"]
    assert schema.unique_field() == "id"
    assert "body" in schema
    assert "nobody" not in schema
    assert schema["year"] == NUMERIC()


def test_validate(schema: Schema) -> None:
    doc = {"id": "a1", "title": None, "year": 2015, "url": ["x", 1]}
    assert schema.validate(doc) == {"id": "a1", "year": 2015, "url": ["x", 1]}
    with pytest.raises(SchemaError, match=r"^field 'year' expects an integer"):
        schema.validate({"id": "a1", "year": 2015.5})
    with pytest.raises(SchemaError, match="a document is a mapping"):
        schema.validate([("id", "a1")])  # type: ignore[arg-type]


def test_unknown_field_suggests(schema: Schema) -> None:
    with pytest.raises(SchemaError) as info:
        schema.validate({"id": "a1", "titel": "x"})
    assert str(info.value) == (
        "unknown field 'titel' (did you mean 'title'?); fields: id, title, body, year, url"
    )
    with pytest.raises(SchemaError, match=r"^unknown field 'zzz'; fields: id, title"):
        schema["zzz"]
    with pytest.raises(SchemaError, match="unknown field '3'"):
        schema.validate({3: "x"})


def test_schema_json_round_trip() -> None:
    schema = Schema(
        id=ID(stored=True, unique=True, lowercase=True, boost=1.5, sortable=True),
        title=TEXT(stored=True, boost=2.0, analyzer=StandardAnalyzer("german", minsize=3)),
        body=TEXT(phrase=False,
                  analyzer=RegexTokenizer(r"[a-z]+") | LowercaseFilter() | NgramFilter(2, 3)),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True, boost=3.0),
        year=NUMERIC(numtype="float", stored=True, sortable=True, boost=0.5),
        published=DATETIME(stored=True, sortable=True),
        draft=BOOLEAN(stored=True, boost=2.0),
        url=STORED(),
    )
    text = schema.to_json()
    back = Schema.from_json(text)
    assert back == schema
    assert hash(back) == hash(schema)
    assert back.names() == schema.names()
    assert Schema.from_json(schema.to_dict()) == schema
    assert back.to_json() == text


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "a JSON object"),
        ('{"a": {"type": "BLOB"}}', "unknown field type 'BLOB'; known: BOOLEAN, DATETIME"),
        ('{"a": {"type": "TEXT", "colour": 1}}', "bad parameters for a TEXT field"),
        ('{"a": {"type": "TEXT", "analyzer": [{"name": "soundex"}]}}', "unknown analysis stage"),
    ],
)
def test_schema_from_bad_json(text: str, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        Schema.from_json(text)


@pytest.mark.parametrize("name", ["1st", "_private", "with-dash", "with space", "é", ""])
def test_invalid_field_names(name: str) -> None:
    with pytest.raises(SchemaError, match="must start with a letter"):
        Schema(**{name: TEXT()})


def test_schema_rejections() -> None:
    with pytest.raises(SchemaError, match="at least one field"):
        Schema()
    with pytest.raises(SchemaError, match="is not a field type"):
        Schema(body="TEXT")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"only one field can be unique, got \['a', 'b'\]"):
        Schema(a=ID(unique=True), b=NUMERIC(unique=True))
    assert Schema(A1_b=TEXT()).names() == ["A1_b"]


def test_text_fields_cannot_be_sortable() -> None:
    with pytest.raises(SchemaError, match="cannot be sorted"):
        TEXT(sortable=True)


# -- every value is checked when it is added (issue 8) -------------------------------------

SURROGATES = ["\ud800", "a\udfffb", "é\ud83d"]


@pytest.mark.parametrize("text", SURROGATES)
@pytest.mark.parametrize(
    ("ftype", "wrap"),
    [
        (TEXT(), lambda s: s),
        (ID(), lambda s: s),
        (KEYWORD(), lambda s: s),
        (KEYWORD(), lambda s: ["ok", s]),
        (KEYWORD(commas=True), lambda s: (s,)),
        (STORED(), lambda s: s),
        (STORED(), lambda s: ["ok", [1, s]]),
        (STORED(), lambda s: {"k": {"j": s}}),
        (STORED(), lambda s: {s: 1}),
        (DATETIME(), lambda s: s),
        (BOOLEAN(), lambda s: s),
    ],
)
def test_lone_surrogates_are_refused(ftype: FieldType, wrap: Any, text: str) -> None:
    value = wrap(text)
    with pytest.raises(SchemaError, match="'f'"):
        ftype.convert("f", value)
    schema = Schema(f=ftype)
    with pytest.raises(SchemaError, match="'f'"):
        schema.validate({"f": value})


def test_validate_fast_path_still_takes_non_ascii_text() -> None:
    schema = Schema(t=TEXT(), i=ID())
    doc = {"t": "Café in Zürich — naïve 😀", "i": "ключ"}
    assert schema.validate(doc) == doc


@pytest.mark.parametrize("text", SURROGATES)
def test_term_refuses_lone_surrogates(text: str) -> None:
    schema = Schema(i=ID(), t=TEXT(), k=KEYWORD())
    for name in ("i", "t", "k"):
        with pytest.raises(SchemaError, match=repr(name)):
            schema.term(name, text)


@pytest.mark.parametrize(
    ("ftype", "value", "expected"),
    [
        (NUMERIC(), np.int64(INT64_MAX), INT64_MAX),
        (NUMERIC(), np.int64(INT64_MIN), INT64_MIN),
        (NUMERIC(), np.int32(-5), -5),
        (NUMERIC(), np.uint8(255), 255),
        (NUMERIC(), np.uint64(INT64_MAX), INT64_MAX),
        (NUMERIC(numtype="float"), np.float32(1.5), 1.5),
        (NUMERIC(numtype="float"), np.float64(-0.25), -0.25),
        (NUMERIC(numtype="float"), np.int64(3), 3.0),
        (BOOLEAN(), np.bool_(True), True),
        (BOOLEAN(), np.bool_(False), False),
        (STORED(), np.int64(INT64_MIN), INT64_MIN),
        (STORED(), np.float32(0.5), 0.5),
        (STORED(), np.bool_(True), True),
        (STORED(), {"a": [np.int16(2), (np.float64(1.0),)]}, {"a": [2, [1.0]]}),
        (STORED(), [2**200, -(2**200)], [2**200, -(2**200)]),
    ],
)
def test_numpy_scalars_become_python_values(ftype: FieldType, value: Any, expected: Any) -> None:
    got = ftype.convert("f", value)
    assert got == expected
    assert type(got) is type(expected)
    assert Schema(f=ftype).validate({"f": value}) == {"f": expected}


@pytest.mark.parametrize(
    ("ftype", "value", "match"),
    [
        (NUMERIC(), np.uint64(2**63), "does not fit in 64 bits"),
        (NUMERIC(), np.uint64(2**64 - 1), "does not fit in 64 bits"),
        (NUMERIC(), np.float64(2.0), "an integer"),
        (NUMERIC(), np.bool_(True), "a number"),
        (NUMERIC(numtype="float"), np.bool_(True), "a number"),
        (NUMERIC(numtype="float"), np.float64("inf"), "not a finite number"),
        (NUMERIC(numtype="float"), np.float32("nan"), "not a finite number"),
        (BOOLEAN(), np.int64(1), "a boolean"),
        (STORED(), [np.float64("nan")], "a JSON value"),
        (STORED(), np.array([1, 2]), "a JSON value"),
        (STORED(), [10**5000], "a JSON value"),  # more digits than Python writes as text
        (STORED(), {10**5000: 1}, "a JSON value"),
    ],
)
def test_bad_numpy_scalars_are_refused(ftype: FieldType, value: Any, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        ftype.convert("f", value)


def test_int_columns_are_exact_int64() -> None:
    f = NUMERIC()
    for value in (INT64_MIN, INT64_MAX, 2**60 + 1, -(2**53) - 1):
        column = f.column_value(f.convert("n", value))
        assert type(column) is int
        assert column == value
        assert f.from_column(np.asarray([column], dtype=f.column_dtype())[0]) == value
    assert np.dtype(f.column_dtype()) == np.int64
    assert np.dtype(NUMERIC(numtype="float").column_dtype()) == np.float64
    assert np.dtype(DATETIME().column_dtype()) == np.int64
    assert np.dtype(BOOLEAN().column_dtype()) == np.int64
    with pytest.raises(SchemaError):
        TEXT().column_dtype()


@pytest.mark.parametrize(
    "value",
    [dt.datetime(1, 1, 1, 0, 0, 0, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999_999),
     dt.datetime(1970, 1, 1, 0, 0, 0, 1), dt.datetime(1969, 12, 31, 23, 59, 59, 999_999),
     dt.datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=9))),
     dt.datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-9)))],
)
def test_datetime_columns_are_exact_micros(value: dt.datetime) -> None:
    f = DATETIME()
    column = f.column_value(value)
    assert type(column) is int
    assert column == f.micros(value)
    back = f.from_column(np.int64(column))
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    assert back.replace(tzinfo=UTC) == utc


@given(a=st.integers(INT64_MIN, INT64_MAX))
def test_int_columns_round_trip(a: int) -> None:
    f = NUMERIC()
    raw = np.asarray([f.column_value(a)], dtype=f.column_dtype())[0]
    assert f.from_column(raw) == a


@pytest.mark.parametrize(
    "value",
    [dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
     dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-1))),
     "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59.999999-00:01"],
)
def test_datetime_outside_utc_years_1_to_9999_is_refused(value: Any) -> None:
    with pytest.raises(SchemaError, match=r"'p': .* outside the years 1 to 9999 in UTC"):
        DATETIME().convert("p", value)


def test_datetime_extremes_in_utc_are_taken() -> None:
    f = DATETIME()
    for value in (dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime.max.replace(tzinfo=UTC),
                  dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-1))),
                  dt.datetime.min, dt.datetime.max):
        assert f.convert("p", value) is value
        assert f.from_column(f.column_value(value)).replace(tzinfo=UTC) == (
            value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC))


class _NoOffset(dt.tzinfo):
    def utcoffset(self, _when: dt.datetime | None) -> dt.timedelta | None:
        raise ValueError("no offset known")


class _Stamp(dt.datetime):
    nanosecond = 7


def test_datetime_odd_values() -> None:
    f = DATETIME()
    with pytest.raises(SchemaError, match=r"'p': .* no usable UTC offset"):
        f.convert("p", dt.datetime(2017, 1, 1, tzinfo=_NoOffset()))
    got = f.convert("p", _Stamp(2017, 1, 5, 10, 0, 0, 5, tzinfo=UTC))
    assert type(got) is dt.datetime
    assert got == dt.datetime(2017, 1, 5, 10, 0, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ftype", "value"),
    [(NUMERIC(), 10**5000), (NUMERIC(), np.uint64(2**64 - 1)),
     (NUMERIC(numtype="float"), 10**5000), (TEXT(), 10**5000), (STORED(), 10**5000)],
    ids=["int", "uint64", "float", "text", "stored"],
)
def test_huge_ints_give_schema_errors(ftype: FieldType, value: Any) -> None:
    with pytest.raises(SchemaError, match="'f'"):
        ftype.convert("f", value)
    with pytest.raises(SchemaError, match="boost"):
        TEXT(boost=10**400)
