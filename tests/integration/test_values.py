"""A value that add_document accepts can never make a commit fail, and values come back exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import heron
from heron import (
    BOOLEAN,
    DATETIME,
    ID,
    KEYWORD,
    NUMERIC,
    STORED,
    TEXT,
    QueryError,
    Schema,
    SchemaError,
)
from heron.query import Every, NumericRange, Prefix, Range, Term, TermRange

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
BIG = 2**60 + 1
SURROGATE = "a\ud800b"


def values_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        body=TEXT(stored=True),
        tags=KEYWORD(stored=True),
        code=ID(stored=True),
        n=NUMERIC(stored=True, sortable=True),
        x=NUMERIC(numtype="float", stored=True, sortable=True),
        when=DATETIME(stored=True, sortable=True),
        flag=BOOLEAN(stored=True),
        extra=STORED(),
    )


def ids(results: Any) -> list[str]:
    return [hit["id"] for hit in results]


BAD_VALUES: list[tuple[str, Any]] = [
    ("n", 2**63),
    ("n", INT64_MIN - 1),
    ("n", np.uint64(2**64 - 1)),
    ("n", 1.5),
    ("x", np.float64("nan")),
    ("body", SURROGATE),
    ("body", "\udfff"),
    ("tags", SURROGATE),
    ("tags", ["ok", SURROGATE]),
    ("code", SURROGATE),
    ("extra", SURROGATE),
    ("extra", ["ok", [SURROGATE]]),
    ("extra", {"k": SURROGATE}),
    ("extra", {SURROGATE: 1}),
    ("extra", {"k": [np.float64("inf")]}),
    ("extra", [10**5000]),
    ("when", SURROGATE),
    ("flag", SURROGATE),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_bad_value_is_refused_at_once_and_commit_keeps_the_rest(
        tmp_path: Path, name: str, value: Any) -> None:
    ix = heron.create_index(tmp_path / "ix", values_schema())
    with ix.writer() as w:
        w.add_document(id="a", body="first", n=1)
        with pytest.raises(SchemaError, match=repr(name)):
            w.add_document(**{"id": "bad", "body": "bad", name: value})
        with pytest.raises(SchemaError, match=repr(name)):
            w.add_documents([{"id": "bad2", name: value}])
        w.add_document(id="b", body="second", n=2)
    assert ix.doc_count() == 2
    with ix.searcher() as s:
        assert sorted(ids(s.search(Every(), limit=None))) == ["a", "b"]
        assert s.document(id="bad") is None


def test_bad_value_in_update_document_is_refused(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", values_schema())
    with ix.writer() as w:
        w.add_document(id="a", body="first")
        with pytest.raises(SchemaError, match="'body'"):
            w.update_document(id="a", body=SURROGATE)
    with ix.searcher() as s:
        assert s.document(id="a") == {"id": "a", "body": "first"}


EXTREMES = [INT64_MIN, -BIG, -1, 0, 1, 2**60, BIG, 2**53 + 1, INT64_MAX - 1, INT64_MAX]


@pytest.fixture
def extremes_index(tmp_path: Path) -> heron.Index:
    ix = heron.create_index(tmp_path / "ix", values_schema())
    with ix.writer() as w:
        for i, n in enumerate(EXTREMES):
            w.add_document(id=f"d{i}", body="word", n=n)
        w.add_document(id="none", body="word")
    return ix


def test_int64_values_stored_exactly(extremes_index: heron.Index) -> None:
    with extremes_index.searcher() as s:
        for i, n in enumerate(EXTREMES):
            doc = s.document(id=f"d{i}")
            assert doc is not None
            assert doc["n"] == n
            assert type(doc["n"]) is int


def test_int64_values_sort_exactly(extremes_index: heron.Index) -> None:
    want = [f"d{i}" for i in sorted(range(len(EXTREMES)), key=EXTREMES.__getitem__)]
    with extremes_index.searcher() as s:
        assert ids(s.search("word", sort_by="n", limit=None)) == [*want, "none"]
        assert ids(s.search("word", sort_by="-n", limit=None)) == [*want[::-1], "none"]
        assert ids(s.search("word", sort_by="-n", limit=3)) == want[::-1][:3]
        assert ids(s.search("word", sort_by="n", limit=3)) == want[:3]


def test_int64_values_sort_exactly_across_segments(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", values_schema())
    for i, n in enumerate(EXTREMES):
        with ix.writer() as w:
            w.add_document(id=f"d{i}", body="word", n=n)
    want = [f"d{i}" for i in sorted(range(len(EXTREMES)), key=EXTREMES.__getitem__)]
    with ix.searcher() as s:
        assert ids(s.search("word", sort_by="n", limit=4)) == want[:4]
        assert ids(s.search("word", sort_by="-n", limit=4)) == want[::-1][:4]
    with ix.writer() as w:
        w.commit(optimize=True)
    with ix.searcher() as s:
        assert ids(s.search("word", sort_by="-n", limit=None)) == want[::-1]
        assert s.document(id="d0") == {"id": "d0", "body": "word", "n": INT64_MIN}


def test_int64_values_facet_exactly(extremes_index: heron.Index) -> None:
    with extremes_index.searcher() as s:
        counts = s.search("word", facets=["n"]).facets["n"]
    assert counts == dict.fromkeys(EXTREMES, 1)
    assert all(type(k) is int for k in counts)


@pytest.mark.parametrize("n", EXTREMES)
def test_int64_values_found_by_ranges_and_terms(extremes_index: heron.Index, n: int) -> None:
    want = [f"d{EXTREMES.index(n)}"]
    with extremes_index.searcher() as s:
        assert ids(s.search(f"n:[{n} TO {n}]")) == want
        assert ids(s.search(NumericRange("n", n, n))) == want
        assert ids(s.search(Range("n", n, n))) == want
        assert ids(s.search(f"n:{n}")) == want
        assert ids(s.search(Term("n", extremes_index.schema.term("n", n)))) == want
        above = sorted(v for v in EXTREMES if v > n)
        found = s.search(NumericRange("n", n, None, include_low=False), limit=None)
        assert sorted(extremes_index.schema["n"].convert("n", h["n"]) for h in found) == above


def test_parsed_range_on_2_60_plus_1(extremes_index: heron.Index) -> None:
    with extremes_index.searcher() as s:
        assert ids(s.search("n:[1152921504606846977 TO 1152921504606846977]")) == ["d6"]
        assert ids(s.search("n:{1152921504606846976 TO 1152921504606846978}")) == ["d6"]
        assert ids(s.search("n:1152921504606846977")) == ["d6"]


DATES = [
    dt.datetime(1, 1, 1, 0, 0, 0, 1),
    dt.datetime(1, 1, 1, 0, 0, 0, 2),
    dt.datetime(1969, 12, 31, 23, 59, 59, 999_999),
    dt.datetime(1970, 1, 1, 0, 0, 0, 1),
    dt.datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-2))),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999_998),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999_999),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=5))),
]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


@pytest.fixture
def dates_index(tmp_path: Path) -> heron.Index:
    ix = heron.create_index(tmp_path / "ix", values_schema())
    with ix.writer() as w:
        for i, when in enumerate(DATES):
            w.add_document(id=f"t{i}", body="word", when=when)
    return ix


def test_datetimes_exact_through_stored_values(dates_index: heron.Index) -> None:
    with dates_index.searcher() as s:
        for i, when in enumerate(DATES):
            doc = s.document(id=f"t{i}")
            assert doc is not None
            assert doc["when"] == when
            assert doc["when"].tzinfo == when.tzinfo


def test_datetimes_exact_through_sorting(dates_index: heron.Index) -> None:
    want = [f"t{i}" for i in sorted(range(len(DATES)), key=lambda i: _utc(DATES[i]))]
    with dates_index.searcher() as s:
        assert ids(s.search("word", sort_by="when", limit=None)) == want
        assert ids(s.search("word", sort_by="-when", limit=None)) == want[::-1]


@pytest.mark.parametrize("i", range(len(DATES)))
def test_datetimes_exact_through_ranges(dates_index: heron.Index, i: int) -> None:
    when = DATES[i]
    want = [f"t{j}" for j, other in enumerate(DATES) if _utc(other) == _utc(when)]
    with dates_index.searcher() as s:
        assert sorted(ids(s.search(NumericRange("when", when, when)))) == want
        text = when.isoformat()
        assert sorted(ids(s.search(NumericRange("when", text, text)))) == want
        quoted = text.replace(":", "\\:")
        assert sorted(ids(s.search(f"when:[{quoted} TO {quoted}]"))) == want


def test_datetime_facets_exact(dates_index: heron.Index) -> None:
    with dates_index.searcher() as s:
        counts = s.search("word", facets=["when"]).facets["when"]
    assert sum(counts.values()) == len(DATES)
    assert {_utc(k) if k.tzinfo else k.replace(tzinfo=dt.UTC) for k in counts} == {
        _utc(d) for d in DATES}


def test_numpy_scalars_are_accepted_as_python_values(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", values_schema())
    with ix.writer() as w:
        w.add_document(id="a", body="word", n=np.int64(INT64_MAX), x=np.float32(1.5),
                       flag=np.bool_(True), extra={"v": [np.int32(3), np.float64(0.25)]})
        w.add_document(id="b", body="word", n=np.uint8(7), x=np.float64(-2.0),
                       flag=np.bool_(False), extra=np.int64(INT64_MIN))
        w.add_document(id="c", body="word", n=np.int32(-5), x=np.int64(3))
    with ix.searcher() as s:
        a, b, c = (s.document(id=k) for k in "abc")
        assert a == {"id": "a", "body": "word", "n": INT64_MAX, "x": 1.5, "flag": True,
                     "extra": {"v": [3, 0.25]}}
        assert b == {"id": "b", "body": "word", "n": 7, "x": -2.0, "flag": False,
                     "extra": INT64_MIN}
        assert c == {"id": "c", "body": "word", "n": -5, "x": 3.0}
        assert ids(s.search("flag:true")) == ["a"]
        assert ids(s.search(NumericRange("n", np.int64(7), np.int64(7)))) == ["b"]
        assert ids(s.search("word", sort_by="n", limit=None)) == ["c", "b", "a"]


def test_more_than_256_fields(tmp_path: Path) -> None:
    fields: dict[str, heron.FieldType] = {"id": ID(stored=True, unique=True)}
    fields.update({f"f{i}": KEYWORD() if i % 2 else TEXT() for i in range(300)})
    ix = heron.create_index(tmp_path / "ix", Schema(**fields))
    with ix.writer() as w:
        for i in range(300):
            w.add_document(id=f"d{i}", **{f"f{i}": f"word{i} zz", f"f{(i + 1) % 300}": "xq"})
    with ix.searcher() as s:
        for i in range(300):
            assert ids(s.search(f"f{i}:word{i}")) == [f"d{i}"]
            assert sorted(ids(s.search(f"f{i}:xq"))) == [f"d{(i - 1) % 300}"]
            assert ids(s.search(f"f{i}:word{(i + 1) % 300}")) == []
            assert list(s.lexicon(f"f{i}")) == sorted({f"word{i}", "zz", "xq"})
    with ix.writer() as w:
        w.add_document(id="extra", f299="word299")
        w.commit(optimize=True)
    with ix.searcher() as s:
        assert sorted(ids(s.search("f299:word299"))) == ["d299", "extra"]


def test_queries_with_lone_surrogates_fail_cleanly(extremes_index: heron.Index) -> None:
    with extremes_index.searcher() as s:
        with pytest.raises(QueryError) as info:
            s.search("word \ud800x")
        assert info.value.position == 5
        assert ids(s.search(Term("body", "\ud800"))) == []
        assert ids(s.search(Prefix("body", "\ud800"))) == []
        assert sorted(ids(s.search(TermRange("id", "d1", "d2\ud800"), limit=None))) == [
            "d1", "d2"]
        with pytest.raises(SchemaError, match="'id'"):
            extremes_index.schema.term("id", "\ud800")
