"""QueryParser options on built indexes: fields and their boosts, the default operator,
syntax switched off (read as plain words) and lenient parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron
from heron.query import SYNTAX, QueryParser, Term

DOCS = [
    {"id": "t", "title": "Gaza tunnels", "body": "Smuggling under the border.", "year": 2015},
    {"id": "b", "title": "Border report", "body": "Tunnels near Gaza were flooded.",
     "year": 2017},
    {"id": "e", "title": "Egypt", "body": "Egypt closed the Gaza crossing at 10:30 GMT.",
     "year": 2012},
    {"id": "s", "title": "Smuggling", "body": "smuggling tunnels, tunn and tunel", "year": 2010},
    {"id": "o", "title": "Oil", "body": "OPEC oil prices rose 2 dollars", "year": 2019},
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(stored=True), year=heron.NUMERIC(stored=True))
    index = heron.create_index(Path(tmp_path_factory.mktemp("qp")) / "ix", schema)
    with index.writer() as w:
        w.add_documents(DOCS)
    return heron.open_index(index.path)


def ids(s: heron.Searcher, query: str | heron.query.Query, **options: object) -> set[str]:
    return {hit["id"] for hit in s.search(query, limit=None, **options)}


def test_field_boosts_multiply_the_words_of_the_default_fields(ix: heron.Index) -> None:
    plain = QueryParser(ix.schema, ["title", "body"])
    boosted = QueryParser(ix.schema, ["title", "body"], fieldboosts={"title": 3.0})
    with ix.searcher() as s:
        before = {h["id"]: h.score for h in s.search(plain.parse("egypt"))}
        after = {h["id"]: h.score for h in s.search(boosted.parse("egypt"))}
        assert before.keys() == after.keys() == {"e"}
        # "egypt" is in the title and the body of e: only the title's share is tripled
        title_only = s.search(plain.parse("title:egypt"))[0].score
        assert after["e"] == pytest.approx(before["e"] + 2 * title_only)
        # a field named in the query carries no field boost, as in Whoosh
        assert (s.search(boosted.parse("title:egypt"))[0].score
                == pytest.approx(title_only))
        ranked = [h["id"] for h in s.search(boosted.parse("gaza"))]
        assert ranked[0] == "t"  # the title match first
    # one word over the default fields: a query per field, the title's boosted
    assert boosted.parse("gaza").children() == heron.parse("title:gaza^3 body:gaza",
                                                           ix.schema).children()


def test_fields_and_default_operator(ix: heron.Index) -> None:
    with ix.searcher() as s:
        assert ids(s, QueryParser(ix.schema, "title").parse("gaza")) == {"t"}
        assert ids(s, QueryParser(ix.schema, ["title", "body"]).parse("gaza")) == {"t", "b", "e"}
        either = QueryParser(ix.schema, ["body"], default_operator="OR").parse("gaza flooded")
        both = QueryParser(ix.schema, ["body"], default_operator="and").parse("gaza flooded")
        assert ids(s, either) == {"b", "e"}
        assert ids(s, both) == {"b"}


@pytest.mark.parametrize(
    ("disable", "text", "as_plain", "found"),
    [
        ("wildcard", "tunn*", "tunn", ({"b", "s"}, {"s"})),
        ("fuzzy", "tunel~1", "tunel 1", ({"b", "s"}, {"s"})),
        ("phrase", '"smuggling tunnels"', "smuggling tunnels", ({"s"}, {"t", "b", "s"})),
        ("plus_minus", "+gaza -egypt", "gaza egypt", ({"b"}, {"b", "e"})),
        ("range", "[gaza TO smuggling]", "gaza TO smuggling",
         ({"t", "b", "e", "o", "s"}, {"t", "b", "e", "s"})),
    ],
)
def test_switched_off_syntax_is_read_as_plain_words(
        ix: heron.Index, disable: str, text: str, as_plain: str,
        found: tuple[set[str], set[str]]) -> None:
    found_on, found_off = found
    on = QueryParser(ix.schema, ["body"])
    off = QueryParser(ix.schema, ["body"], disable={disable})
    with ix.searcher() as s:
        assert ids(s, on.parse(text)) == found_on
        assert ids(s, off.parse(text)) == found_off
        assert ids(s, off.parse(text)) == ids(s, on.parse(as_plain))
    assert off.parse(text) == on.parse(as_plain)
    assert on.parse(text) != off.parse(text)


def test_field_and_boost_switched_off(ix: heron.Index) -> None:
    on = QueryParser(ix.schema, ["body"])
    off = QueryParser(ix.schema, ["body"], disable={"field", "boost"})
    with ix.searcher() as s:
        assert ids(s, on.parse("title:egypt")) == {"e"}
        # "10:30" is a time, not a field: the words 10 and 30 side by side
        assert off.parse("10:30") == on.parse('"10 30"')
        assert ids(s, off.parse("10:30")) == {"e"}
        with pytest.raises(heron.QueryError):
            on.parse("10:30")  # no field named 10
        assert off.parse("title:egypt") == on.parse('"title egypt"')
        assert ids(s, off.parse("title:egypt")) == set()
        assert ids(s, on.parse("rose^2")) == {"o"}
        assert off.parse("rose^2") == on.parse('"rose 2"')
        assert ids(s, off.parse("rose^2")) == {"o"}
    # escapes and parentheses are never switched off
    every = QueryParser(ix.schema, ["body"], disable=set(SYNTAX))
    assert every.parse(r'(gaza OR "oil") -x^2 t?n*~ [a TO b] y:z') == QueryParser(
        ix.schema, ["body"]).parse(r'(gaza OR oil) x 2 "t n" a TO b "y z"')


def test_range_switched_off_on_a_number_field(ix: heron.Index) -> None:
    off = QueryParser(ix.schema, ["body"], disable={"range"})
    with pytest.raises(heron.QueryError) as caught:
        off.parse("oil year:[2010 TO 2017]")
    assert caught.value.position is not None
    query, warnings = off.parse_lenient("oil year:[2010 TO 2017]")
    assert warnings
    assert query == off.parse("oil 2017]")
    with ix.searcher() as s:
        assert ids(s, "year:[2010 TO 2015]") == {"t", "e", "s"}
        assert ids(s, off.parse("year:2015")) == {"t"}


def test_lenient_parsing(ix: heron.Index) -> None:
    parser = QueryParser(ix.schema, ["title", "body"], fieldboosts={"title": 2.0})
    with pytest.raises(heron.QueryError):
        parser.parse("oil (opec")
    assert parser.parse("oil (opec", lenient=True) == parser.parse("oil opec")
    query, warnings = parser.parse_lenient("oil (opec")
    assert query == parser.parse("oil opec")
    assert [w.position for w in warnings] == [4]
    with ix.searcher() as s:
        assert ids(s, parser.parse("oil (opec", lenient=True)) == {"o"}
        res = s.search("oil (opec", parser=parser, lenient=True)
        assert {h["id"] for h in res} == {"o"}
        assert [w.position for w in res.query_warnings] == [4]


def test_search_with_a_parser(ix: heron.Index) -> None:
    parser = QueryParser(ix.schema, ["title"], fieldboosts={"title": 2.0},
                         default_operator="AND", disable={"wildcard"})
    with ix.searcher() as s:
        by_text = s.search("gaza tunn*", parser=parser)
        assert [(h["id"], h.score) for h in by_text] == [
            (h["id"], h.score) for h in s.search(parser.parse("gaza tunn*"))]
        assert [h["id"] for h in s.search("gaza tunnels", parser=parser)] == ["t"]
        assert ids(s, "tunn*", parser=parser) == set()
        assert ids(s, "tunn*") == {"t", "b", "s"}  # the default parser keeps its syntax
        with pytest.raises(heron.ArgumentError):
            s.search("gaza", parser=parser, fields=["body"])
        with pytest.raises(heron.ArgumentTypeError):
            s.search("gaza", parser="title")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"disable": {"wildcards"}}, heron.ArgumentError),
        ({"disable": {"wildcard", "plugins"}}, heron.ArgumentError),
        ({"disable": "fuzzy"}, None),
        ({"disable": [3]}, heron.ArgumentTypeError),
        ({"fieldboosts": {"year": 2.0}}, heron.ArgumentError),
        ({"fieldboosts": {"title": 0}}, heron.ArgumentError),
        ({"fieldboosts": {"title": float("inf")}}, heron.ArgumentError),
        ({"fieldboosts": {"title": "2"}}, heron.ArgumentTypeError),
        ({"fieldboosts": [("title", 2.0)]}, heron.ArgumentTypeError),
        ({"default_operator": "XOR"}, heron.ArgumentError),
        ({"default_operator": None}, heron.ArgumentTypeError),
        ({"max_expansions": 0}, heron.ArgumentError),
        ({"max_expansions": 2.5}, heron.ArgumentTypeError),
    ],
)
def test_wrong_options(ix: heron.Index, options: dict[str, object],
                       error: type[Exception] | None) -> None:
    if error is None:
        assert QueryParser(ix.schema, ["title", "body"], **options).disable == {"fuzzy"}  # type: ignore[arg-type]
        return
    with pytest.raises(error):
        QueryParser(ix.schema, ["title", "body"], **options)  # type: ignore[arg-type]
    assert issubclass(error, ValueError)


def test_wrong_fields(ix: heron.Index) -> None:
    with pytest.raises(heron.ArgumentError, match="titel"):
        QueryParser(ix.schema, ["titel"])
    with pytest.raises(ValueError, match="at least one"):
        QueryParser(ix.schema, [])
    with pytest.raises(TypeError):
        QueryParser(ix.schema, [1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        QueryParser(ix.schema, ["title"], boosts={"title": 2})  # type: ignore[call-arg]
    with pytest.raises(heron.ArgumentTypeError):
        QueryParser({"title": heron.TEXT()})  # type: ignore[arg-type]
    assert QueryParser(ix.schema).fields == ("title", "body")
    assert QueryParser(ix.schema, "body").parse("gaza") == Term("body", "gaza")
