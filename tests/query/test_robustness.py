"""The parser cannot be made to crash or stall: only QueryError, with a position, or in lenient
mode a warning."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.query import MAX_CLAUSES, MAX_DEPTH, MAX_SLOP, Phrase, parse, parse_lenient

SCHEMA = heron.Schema(
    id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True), body=heron.TEXT(),
    tags=heron.KEYWORD(commas=True), year=heron.NUMERIC(), published=heron.DATETIME(),
    draft=heron.BOOLEAN(), url=heron.STORED(),
)
DOCS = [
    {"id": "r1", "title": "oil prices", "body": "crude oil rose", "tags": "crude", "year": 1987,
     "published": "1987-02-26T15:01:00", "draft": False},
    {"id": "r2", "title": "opec", "body": "opec met oily", "tags": "opec", "year": 1988},
    {"id": "r3", "title": "sugar", "body": "sugar and spice", "tags": "sugar", "year": 1990},
]
SURROGATE = "\ud800"
DEEP_PARENS = "(" * 170 + "oil" + ")" * 170
MANY_NOTS = "NOT " * 10_000 + "oil"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    return _index(tmp_path_factory.mktemp("robust") / "ix").searcher()


def _index(path: Path) -> heron.Index:
    ix = heron.create_index(path, SCHEMA)
    with ix.writer() as w:
        w.add_documents(DOCS)
    return ix


def ids(s: heron.Searcher, q: str, **kw: object) -> set[str]:
    return {h["id"] for h in s.search(q, limit=None, **kw)}  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "position"), [
    (DEEP_PARENS, MAX_DEPTH),
    ("oil " + "(" * 100 + "x" + ")" * 100, 4 + MAX_DEPTH),
    (MANY_NOTS, 4 * MAX_DEPTH),
    ("!" * 5000 + "oil", MAX_DEPTH),
    ("(NOT " * 100 + "oil" + ")" * 100, 5 * (MAX_DEPTH // 2)),
    ('"crude oil"~' + "9" * 30, 12),
    ('"crude oil"~' + "9" * 5000, 12),
    (f"oil{SURROGATE}*", 3),
    (f"body:[a TO {SURROGATE}]", 11),
    (f"body:{SURROGATE}il*", 5),
    (f'"{SURROGATE}"', 1),
    ("oil^" + "9" * 400, 4),
    ("oil^" + "9" * 5000, 4),
    ("oil^1" + "0" * 20, 4),
    ("oil~" + "9" * 30, 0),
])
def test_pathological_queries_raise_query_errors(searcher: heron.Searcher, text: str,
                                                 position: int) -> None:
    with pytest.raises(heron.QueryError) as info:
        searcher.search(text)
    assert info.value.position == position


@pytest.mark.parametrize(("text", "expected"), [
    (DEEP_PARENS, {"r1"}),
    ("(" * 170 + "oil" + ")" * 170 + " opec", {"r1", "r2"}),
    ("(" * 170 + "oil opec", {"r1", "r2"}),
    ("oil" + ")" * 170 + " opec", {"r1", "r2"}),
    (MANY_NOTS, {"r1"}),  # an even number of NOTs
    ("NOT " + MANY_NOTS, {"r2", "r3"}),
    ("!" * 5001 + "oil", {"r2", "r3"}),
    ('"crude oil"~' + "9" * 30, {"r1"}),
    (f"oil{SURROGATE}* opec", {"r1", "r2"}),
    (f"title:[a TO {SURROGATE}] sugar", {"r1", "r2", "r3"}),
    ("oil^" + "9" * 400 + " sugar", {"r1", "r3"}),
])
def test_pathological_queries_are_lenient(searcher: heron.Searcher, text: str,
                                          expected: set[str]) -> None:
    res = searcher.search(text, limit=None, lenient=True)
    assert {h["id"] for h in res} == expected
    assert res.query_warnings
    assert all(0 <= w.position <= len(text) for w in res.query_warnings if w.position)


def test_clauses_are_capped(searcher: heron.Searcher) -> None:
    many = " ".join(f"w{i}" for i in range(MAX_CLAUSES * 3 // 4))  # 2 fields each
    with pytest.raises(heron.QueryError, match=f"at most {MAX_CLAUSES}") as info:
        searcher.search(many)
    assert info.value.position == many.index(f"w{MAX_CLAUSES // 2} ")
    assert searcher.search(many, fields=["body"]).total == 0
    res = searcher.search("sugar " + many, lenient=True, limit=None)
    assert {h["id"] for h in res} == {"r3"}
    assert [w.message for w in res.query_warnings] == [info.value.message]
    words = '"oil" ' * (MAX_CLAUSES + 1)  # past the parser's own count
    with pytest.raises(heron.QueryError, match=f"at most {MAX_CLAUSES}") as info:
        searcher.search(words, fields=["body"])
    assert info.value.position == 6 * MAX_CLAUSES
    assert len(parse_lenient("(" + words, SCHEMA)[1]) == 1
    assert searcher.search(heron.query.Or(tuple(heron.query.Term("body", f"w{i}")
                                                for i in range(5000)))).total == 0


def test_lenient_drops_not_pairs_past_the_depth() -> None:
    assert parse_lenient(MANY_NOTS, SCHEMA)[0] == parse("oil", SCHEMA)
    assert parse_lenient("NOT " + MANY_NOTS, SCHEMA)[0] == parse("NOT oil", SCHEMA)


def test_boost_is_finite(searcher: heron.Searcher) -> None:
    res = searcher.search("oil^" + "9" * 400, lenient=True)
    assert all(0 < h.score < float("inf") for h in res)


def test_phrase_slop_is_bounded(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.QueryError, match="slop"):
        searcher.search(Phrase("body", ("crude", "oil"), slop=10**30))
    assert searcher.search(Phrase("body", ("crude", "oil"), slop=MAX_SLOP)).total == 1
    for slop in (2.5, "1", None):
        with pytest.raises(heron.ArgumentTypeError, match="slop"):
            searcher.search(Phrase("body", ("crude", "oil"), slop=slop))  # type: ignore[arg-type]


def test_expansion_errors_carry_positions(searcher: heron.Searcher) -> None:
    for text, position in [("oil o*", 4), ("title:o* sugar", 6), ("sugar oil~2", 6),
                           ("sugar tags:[a TO z]", 11), ("(a* OR o*) sugar", 7)]:
        with pytest.raises(heron.QueryError, match="more than 1 terms") as info:
            searcher.search(text, max_expansions=1)
        assert info.value.position == position, text
    res = searcher.search("sugar o* spi*", max_expansions=1, lenient=True, limit=None)
    assert {h["id"] for h in res} == {"r3"}
    assert [w.position for w in res.query_warnings] == [6]
    assert "more than 1 terms" in res.query_warnings[0].message


def test_query_objects_keep_position_none(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.QueryError) as info:
        searcher.search(heron.query.Prefix("title", "o", max_expansions=1))
    assert info.value.position is None


SPECIAL = [*'()"^~*?[]{}:+-\\!&|<>=/ .,\t\n', " AND ", " OR ", " NOT ", " TO ", "&&", "||",
           "title:", "year:", "published:", "draft:", "tags:", "url:", "nope:", "oil", "opec",
           "1987", "9" * 25, "é", "東京", "ß", "\u0301", "\x00", SURROGATE, "\udfff", "\U0001f600"]
TEXTS = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.text(st.one_of(st.sampled_from('()"^~*[]{}:+-\\! '),
                      st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF,
                                    exclude_categories=()),
                      st.characters(codec="utf-8")), max_size=30),
    st.lists(st.sampled_from(SPECIAL), max_size=20).map("".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, operator=st.sampled_from(["OR", "AND"]))
def test_lenient_never_raises_and_equals_strict(text: str, operator: str) -> None:
    query, warnings = parse_lenient(text, SCHEMA, default_operator=operator)
    assert all(w.position is None or 0 <= w.position <= len(text) for w in warnings)
    strict: heron.query.Query | None = None
    position: int | None = None
    try:
        strict = parse(text, SCHEMA, default_operator=operator)
    except heron.QueryError as exc:
        position = exc.position
    if strict is None:
        assert position is None or 0 <= position <= len(text)
        assert warnings
    else:
        assert strict == query
        assert warnings == ()


_CACHE: dict[str, heron.Searcher] = {}


def _shared_searcher() -> heron.Searcher:
    if "s" not in _CACHE:
        _CACHE["s"] = _index(Path(tempfile.mkdtemp()) / "ix").searcher()
    return _CACHE["s"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, expansions=st.sampled_from([1, 2, 1024]))
def test_strict_search_raises_only_query_errors(text: str, expansions: int) -> None:
    s = _shared_searcher()
    position: int | None = None
    try:
        s.search(text, max_expansions=expansions)
    except heron.QueryError as exc:  # allowed, with a position inside the text
        position = exc.position
    assert position is None or 0 <= position <= len(text)
    res = s.search(text, max_expansions=expansions, lenient=True)
    assert all(w.position is None or 0 <= w.position <= len(text) for w in res.query_warnings)
