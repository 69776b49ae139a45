"""Term queries with typed values: numbers, dates and booleans convert through the field type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import heron
from heron.query import Phrase, Term

DOCS = [
    {"id": "a", "n": 58, "x": 0.5, "when": dt.datetime(2017, 1, 5, 10, 30), "draft": True,
     "body": "sugar prices"},
    {"id": "b", "n": -3, "x": 2.0, "when": dt.datetime(2017, 1, 6), "draft": False,
     "body": "cocoa prices"},
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    schema = heron.Schema(id=heron.ID(stored=True), n=heron.NUMERIC(),
                          x=heron.NUMERIC(numtype="float"), when=heron.DATETIME(),
                          draft=heron.BOOLEAN(), body=heron.TEXT())
    path: Path = tmp_path_factory.mktemp("typed") / "ix"
    ix = heron.create_index(path, schema)
    with ix.writer() as w:
        w.add_documents(DOCS)
    return ix.searcher()


def ids(s: heron.Searcher, q: heron.query.Query) -> set[str]:
    return {h["id"] for h in s.search(q, limit=None)}


@pytest.mark.parametrize(("query", "expected"), [
    (Term("n", 58), {"a"}),
    (Term("n", -3), {"b"}),
    (Term("n", 7), set()),
    (Term("x", 2), {"b"}),  # an int for a float field
    (Term("x", 0.5), {"a"}),
    (Term("when", dt.datetime(2017, 1, 5, 10, 30)), {"a"}),
    (Term("when", dt.date(2017, 1, 6)), {"b"}),  # a date is its midnight
    (Term("when", dt.datetime(2017, 1, 5, 10, 30, tzinfo=dt.UTC)), {"a"}),
    (Term("draft", True), {"a"}),
    (Term("draft", False), {"b"}),
])
def test_typed_values(searcher: heron.Searcher, query: Term, expected: set[str]) -> None:
    assert ids(searcher, query) == expected


def test_typed_values_agree_with_the_parser(searcher: heron.Searcher) -> None:
    assert ids(searcher, Term("n", 58)) == {h["id"] for h in searcher.search("n:58")}
    assert ids(searcher, Term("draft", True)) == {h["id"] for h in searcher.search("draft:true")}


def test_text_is_the_indexed_term(searcher: heron.Searcher) -> None:
    """A string is a term as the index holds it, for every field type (what the parser makes)."""
    schema = searcher.schema
    assert ids(searcher, Term("n", schema.term("n", 58))) == {"a"}
    assert ids(searcher, Term("body", "sugar")) == {"a"}


@pytest.mark.parametrize(("query", "words"), [
    (Term("n", 5.5), ["'n'", "integer"]),
    (Term("n", 2**70), ["'n'", "64 bits"]),
    (Term("n", True), ["'n'"]),
    (Term("x", float("nan")), ["'x'", "finite"]),
    (Term("draft", 1), ["'draft'", "boolean"]),
    (Term("when", 17), ["'when'", "datetime"]),
    (Term("body", 5), ["'body'", "string"]),
    (Term("id", dt.date(2017, 1, 1)), ["'id'", "string"]),
])
def test_values_that_do_not_fit_the_field(searcher: heron.Searcher, query: Term,
                                          words: list[str]) -> None:
    with pytest.raises(heron.QueryError) as info:
        searcher.search(query)
    for word in words:
        assert word in str(info.value)


def test_typed_terms_explain_and_equal(searcher: heron.Searcher) -> None:
    assert Term("n", 58) == Term("n", 58)
    assert hash(Term("n", 58)) == hash(Term("n", 58))
    assert Term("n", 58) != Term("n", "58")
    hit = searcher.search(Term("n", 58))[0]
    assert "n:" in hit.explain()


def test_phrase_words_that_are_not_text(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.QueryError, match="'body'"):
        searcher.search(Phrase("body", ("sugar", 5)))  # type: ignore[arg-type]


def test_unknown_fields_are_schema_errors_whatever_the_value(searcher: heron.Searcher) -> None:
    for value in ("sugar", 58):
        with pytest.raises(heron.SchemaError, match="unknown field 'nope'"):
            searcher.search(Term("nope", value))
