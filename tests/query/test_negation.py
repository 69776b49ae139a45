"""A purely negative query or clause matches every live document except what it excludes."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron
from heron.query import Not, Term

DOCS = [
    {"id": "d1", "body": "crude oil prices rose", "tags": "crude"},
    {"id": "d2", "body": "oil and gas", "tags": "gas"},
    {"id": "d3", "body": "opec met in vienna", "tags": "crude,opec"},
    {"id": "d4", "body": "wheat harvest", "tags": "grain"},
    {"id": "d5", "body": "crude words", "tags": "misc"},
    {"id": "d6", "body": "deleted oil", "tags": "gas"},
]
ALL = {"d1", "d2", "d3", "d4", "d5"}  # d6 is deleted
CRUDE_TAG = {"d1", "d3"}
CRUDE_WORD = {"d1", "d5"}
OIL = {"d1", "d2"}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True),
                          tags=heron.KEYWORD(stored=True, commas=True))
    path: Path = tmp_path_factory.mktemp("neg") / "ix"
    ix = heron.create_index(path, schema)
    with ix.writer() as w:  # two segments and a deletion
        w.add_documents(DOCS[:3])
    with ix.writer() as w:
        w.add_documents(DOCS[3:])
    with ix.writer() as w:
        w.delete_by_term("id", "d6")
    return ix.searcher()


def ids(s: heron.Searcher, q: str, **kw: object) -> set[str]:
    return {h["id"] for h in s.search(q, limit=None, **kw)}  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "expected"), [
    ("-tags:crude", ALL - CRUDE_TAG),
    ("-crude", ALL - CRUDE_WORD),
    ("NOT tags:crude", ALL - CRUDE_TAG),
    ("!tags:crude", ALL - CRUDE_TAG),
    ("-tags:crude -oil", ALL - CRUDE_TAG - OIL),
    ("oil -tags:crude", OIL - CRUDE_TAG),
    ("oil (-tags:crude)", OIL | (ALL - CRUDE_TAG)),
    ("oil OR (-tags:crude)", OIL | (ALL - CRUDE_TAG)),
    ("oil AND (-tags:crude)", OIL - CRUDE_TAG),
    ("+oil (-tags:crude)", OIL),
    ("(-tags:crude)", ALL - CRUDE_TAG),
    ("((-tags:crude))", ALL - CRUDE_TAG),
    ("tags:(-crude)", ALL - CRUDE_TAG),
    ("-(-tags:crude)", CRUDE_TAG),
    ("-(tags:crude OR oil)", ALL - CRUDE_TAG - OIL),
    ("(-tags:crude -oil) OR wheat", ALL - CRUDE_TAG - OIL),
    ("(-tags:crude AND -oil) OR opec", (ALL - CRUDE_TAG - OIL) | {"d3"}),
    ("NOT -tags:crude", CRUDE_TAG),
    ("wheat (opec (-tags:crude))", ALL - {"d1"}),
])
def test_negative_clauses(searcher: heron.Searcher, query: str, expected: set[str]) -> None:
    assert ids(searcher, query) == expected


def test_negative_clause_in_default_and(searcher: heron.Searcher) -> None:
    assert ids(searcher, "oil (-tags:crude)", default_operator="AND") == OIL - CRUDE_TAG
    assert ids(searcher, "-tags:crude", default_operator="AND") == ALL - CRUDE_TAG


def test_parsed_negative_query_is_a_not(searcher: heron.Searcher) -> None:
    assert searcher.parse("-tags:crude") == Not(Term("tags", "crude"))
    assert searcher.parse("(-tags:crude)") == Not(Term("tags", "crude"))


def test_negative_filter(searcher: heron.Searcher) -> None:
    everything = heron.query.Every()
    assert ids(searcher, everything, filter="-tags:crude") == ALL - CRUDE_TAG  # type: ignore[arg-type]
    assert ids(searcher, everything, filter="tags:crude") == CRUDE_TAG  # type: ignore[arg-type]
    assert ids(searcher, "oil", filter="-tags:crude") == OIL - CRUDE_TAG
    assert ids(searcher, "oil", filter="(-tags:crude)") == OIL - CRUDE_TAG
    assert ids(searcher, "oil", filter="NOT tags:crude") == OIL - CRUDE_TAG


def test_negative_query_counts_and_scores(searcher: heron.Searcher) -> None:
    res = searcher.search("-tags:crude", limit=2)
    assert res.total == len(ALL - CRUDE_TAG)
    assert [h.score for h in res] == [0.0, 0.0]


def test_delete_by_negative_query(tmp_path: Path) -> None:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(),
                          tags=heron.KEYWORD(commas=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    with ix.writer() as w:
        w.add_documents(DOCS)
    with ix.writer() as w:
        assert w.delete_by_query("-tags:crude") == len(DOCS) - len(CRUDE_TAG)
    with ix.searcher() as s:
        assert {d["id"] for d in s.documents()} == CRUDE_TAG
