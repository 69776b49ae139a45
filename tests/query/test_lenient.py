"""Lenient parsing for search boxes: syntax errors become warnings, valid parts are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron
from heron.query import QueryWarning, parse, parse_lenient

DOCS = [
    {"id": "l1", "body": "Oil prices rose at 10:30 GMT", "year": 1987},
    {"id": "l2", "body": "OPEC meeting in Vienna", "year": 1988},
    {"id": "l3", "body": "The price was $18/barrel", "year": 1987},
    {"id": "l4", "body": r"files in c:\path", "year": 1990},
    {"id": "l5", "body": "crude output", "year": 1990},
]
SCHEMA = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True),
                      year=heron.NUMERIC(stored=True), url=heron.STORED())


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    path: Path = tmp_path_factory.mktemp("lenient") / "ix"
    ix = heron.create_index(path, SCHEMA)
    with ix.writer() as w:
        w.add_documents(DOCS)
    return ix.searcher()


def lenient(s: heron.Searcher, text: str) -> tuple[set[str], list[int | None]]:
    res = s.search(text, limit=None, lenient=True)
    return {h["id"] for h in res}, [w.position for w in res.query_warnings]


@pytest.mark.parametrize(("text", "expected", "positions"), [
    ("oil (opec", {"l1", "l2"}, [4]),
    ("(oil opec", {"l1", "l2"}, [0]),
    ("oil ((opec", {"l1", "l2"}, [4, 5]),
    ("oil) opec", {"l1", "l2"}, [3]),
    ("oil)", {"l1"}, [3]),
    ('"oil prices', {"l1", "l3"}, [0]),
    ('opec "oil prices', {"l1", "l2", "l3"}, [5]),
    ('"', set(), [0]),
    ("oil AND", {"l1"}, [7]),
    ("oil OR", {"l1"}, [6]),
    ("oil &&", {"l1"}, [6]),
    ("oil AND OR opec", {"l1", "l2"}, [8]),
    ("oil OR AND opec", {"l1", "l2"}, [7]),
    ("crude -", {"l5"}, [7]),
    ("crude - opec", {"l2", "l5"}, [7]),
    ("crude +", {"l5"}, [7]),
    ("oil NOT", {"l1"}, [7]),
    ("oil !", {"l1"}, [5]),
    ("10:30 GMT", {"l1"}, [0]),
    ("price: $18/barrel", {"l1", "l3"}, [6]),
    (r"c:\path", {"l4"}, [0]),
    ("url:oil", {"l1"}, [0]),
    ("oil ^", {"l1"}, [4]),
    ("oil ~", {"l1"}, [4]),
    ("oil *", {"l1"}, [4]),
    ("oil {", {"l1"}, [5]),
    ("oil }", {"l1"}, [4]),
    ("oil [", {"l1"}, [5]),
    ("oil ]", {"l1"}, [4]),
    ("oil :", {"l1"}, [4]),
    ("oil ()", {"l1"}, [5]),
    ("oil^x", {"l1"}, [4]),
    ("oil^", {"l1"}, [4]),
    ('"crude output"~x', {"l5"}, [15]),
    ("oil \\", {"l1"}, [4]),
    ("year:abc oil", {"l1"}, [5]),
    ("year:[1987 TO x] opec", {"l2"}, [5]),
    ("body:>", set(), [6]),
    ("oil~9", {"l1"}, [0]),
    ("", set(), []),
    ("   ", set(), []),
])
def test_lenient_reads_what_it_can(searcher: heron.Searcher, text: str, expected: set[str],
                                   positions: list[int]) -> None:
    assert lenient(searcher, text) == (expected, positions)


@pytest.mark.parametrize("text", ["oil (opec", '"oil', "oil AND", "crude -", "10:30 GMT",
                                  "price: $18/barrel", r"c:\path", "oil ^", "oil }", "oil^x"])
def test_strict_still_raises(searcher: heron.Searcher, text: str) -> None:
    with pytest.raises(heron.QueryError) as info:
        searcher.search(text)
    assert info.value.position is not None


@pytest.mark.parametrize("text", [
    "oil", "oil opec", "+oil -opec", "body:(oil OR opec) AND NOT crude", '"oil prices"~2^3',
    "year:[1987 TO 1990}", "year:>=1988", "pri*", "oil~1", "-oil", "(-oil)", "NOT NOT oil",
    r"c\:path", "title", "AND oil", "a\\ b", "oil^0.5 opec^2",
])
def test_lenient_equals_strict_on_valid_syntax(text: str) -> None:
    query, warnings = parse_lenient(text, SCHEMA)
    assert warnings == ()
    assert query == parse(text, SCHEMA) == parse(text, SCHEMA, lenient=True)


def test_warning_values() -> None:
    query, warnings = parse_lenient("oil (opec", SCHEMA)
    assert query == parse("oil opec", SCHEMA)
    assert warnings == (QueryWarning("unbalanced parenthesis: '(' is never closed", 4),)
    assert str(warnings[0]) == "unbalanced parenthesis: '(' is never closed at 4"
    assert heron.QueryWarning is QueryWarning
    assert hash(warnings[0]) == hash(QueryWarning(warnings[0].message, 4))


def test_every_valid_part_is_kept(searcher: heron.Searcher) -> None:
    strict = {h["id"] for h in searcher.search("oil OR opec OR crude", limit=None)}
    assert lenient(searcher, "oil) (opec ^ crude AND")[0] == strict


def test_searcher_parse_lenient(searcher: heron.Searcher) -> None:
    assert searcher.parse("oil (opec", lenient=True) == searcher.parse("oil opec")
    with pytest.raises(heron.QueryError):
        searcher.parse("oil (opec")


def test_filter_stays_strict(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.QueryError, match=r"^in filter: unbalanced") as info:
        searcher.search("oil", filter="year:(1987", lenient=True)
    assert info.value.position == 5
