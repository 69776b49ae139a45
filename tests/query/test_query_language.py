"""Every row of the query language, on a small index with expected sets worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import heron
from heron.query import And, Not, Or, Phrase, Term

DOCS = [
    {"id": "n1", "title": "Smuggling tunnels under Gaza", "tags": "gaza,sinai",
     "body": "Egypt flooded the smuggling tunnels along the border with Gaza.",
     "year": 2015, "published": dt.datetime(2015, 9, 18, 10, 30), "draft": False},
    {"id": "n2", "title": "Hamas and ISIS", "tags": "gaza,isis",
     "body": "Officials said Hamas fighters crossed into Sinai through a tunnel.",
     "year": 2017, "published": dt.datetime(2017, 1, 5), "draft": True},
    {"id": "n3", "title": "Tunnels, smuggling", "tags": "egypt",
     "body": "ISIS leaders met Hamas envoys; the tunnels stayed shut.",
     "year": 2010, "published": "2017-06-30T23:00:00", "draft": False},
    {"id": "n4", "title": "Grain markets", "tags": "grain",
     "body": "Wheat prices rose. Funnel cakes sold well: c:drive \"quoted\".", "year": 1987},
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    schema = heron.Schema(
        id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True, boost=2.0),
        body=heron.TEXT(stored=True), tags=heron.KEYWORD(stored=True, commas=True),
        year=heron.NUMERIC(stored=True, sortable=True), published=heron.DATETIME(stored=True),
        draft=heron.BOOLEAN(stored=True),
    )
    path: Path = tmp_path_factory.mktemp("q") / "ix"
    ix = heron.create_index(path, schema)
    with ix.writer() as w:  # two segments, so every query also runs across segments
        w.add_documents(DOCS[:2])
    with ix.writer() as w:
        w.add_documents(DOCS[2:])
    return ix.searcher()


def ids(s: heron.Searcher, q: str | heron.query.Query, **kw: object) -> set[str]:
    return {h["id"] for h in s.search(q, limit=None, **kw)}  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "expected"), [
    ("gaza tunnels", {"n1", "n2", "n3"}),
    ("+gaza -egypt", set()),
    ("+tunnels -egypt", {"n2", "n3"}),
    ("+tunnels -hamas", {"n1"}),
    ("gaza AND tunnels", {"n1"}),
    ("hamas OR wheat", {"n2", "n3", "n4"}),
    ("NOT tunnels", {"n4"}),
    ("tunnels AND NOT hamas", {"n1"}),
    ("(hamas OR wheat) AND isis", {"n2", "n3"}),
    ("wheat OR hamas AND envoys", {"n3", "n4"}),  # AND binds tighter than OR
    ("title:hamas", {"n2"}),
    ("title:(gaza markets)", {"n1", "n4"}),
    ('title:"smuggling tunnels"', {"n1"}),
    ('"smuggling tunnels"', {"n1"}),
    ('"tunnels smuggling"', {"n3"}),
    ('"isis hamas"', set()),
    ('"isis hamas"~3', {"n2", "n3"}),
    ('"hamas isis"~1', {"n2"}),  # title of n2 is "Hamas and ISIS": "and" leaves a gap
    ("tunn*", {"n1", "n2", "n3"}),
    ("t?nnel", {"n1", "n2", "n3"}),
    ("f?nnel", {"n4"}),
    ("tunel~", {"n1", "n2", "n3", "n4"}),  # funnel is 2 edits from tunel
    ("tunel~1", {"n1", "n2", "n3"}),
    ("year:[2010 TO 2015]", {"n1", "n3"}),
    ("year:{2010 TO 2017}", {"n1"}),
    ("year:>=2015", {"n1", "n2"}),
    ("year:<2015", {"n3", "n4"}),
    ("year:[TO 1999]", {"n4"}),
    ("published:[2017-01-01 TO 2017-06-30]", {"n2", "n3"}),
    ("published:[2017-01-01 TO 2017-06-30}", {"n2"}),
    ("id:[n2 TO n3]", {"n2", "n3"}),
    ("id:{n2 TO n4]", {"n3", "n4"}),
    ("tags:[e TO h]", {"n1", "n2", "n3", "n4"}),
    ("draft:true", {"n2"}),
    ("draft:false", {"n1", "n3"}),
    ("tags:gaza", {"n1", "n2"}),
    ("year:2017", {"n2"}),
    (r"c\:drive", {"n4"}),
    (r"\"quoted\"", {"n4"}),
    ("title:gaza^2 hamas", {"n1", "n2", "n3"}),
    ('"smuggling tunnels"^1.5', {"n1"}),
])
def test_language_rows(searcher: heron.Searcher, query: str, expected: set[str]) -> None:
    assert ids(searcher, query) == expected


def test_default_operator_and(searcher: heron.Searcher) -> None:
    assert ids(searcher, "gaza tunnels", default_operator="AND") == {"n1"}
    assert ids(searcher, "hamas isis", default_operator="AND") == {"n2", "n3"}


def test_boosts_change_scores(searcher: heron.Searcher) -> None:
    plain = {h["id"]: h.score for h in searcher.search("hamas")}
    boosted = {h["id"]: h.score for h in searcher.search("hamas^3")}
    for key, value in plain.items():
        assert boosted[key] == pytest.approx(3 * value)


def test_stemmed_query_words(searcher: heron.Searcher) -> None:
    assert ids(searcher, "tunnel", fields=["body"]) == {"n1", "n2", "n3"}
    assert ids(searcher, "Smuggled") == {"n1", "n3"}


def test_query_objects(searcher: heron.Searcher) -> None:
    q = Term("body", "tunnel") & ~Term("body", "hama")
    assert ids(searcher, q) == {"n1", "n3"} - {"n3"}
    assert ids(searcher, Term("tags", "gaza") | Term("tags", "egypt")) == {"n1", "n2", "n3"}
    assert ids(searcher, Phrase("body", ["smuggl", "tunnel"])) == {"n1"}
    assert ids(searcher, And((Term("tags", "gaza"), Not(Term("tags", "isis"))))) == {"n1"}
    assert Or((Term("a", "b"),)) == Or((Term("a", "b"),))
    assert hash(Term("a", "b")) == hash(Term("a", "b"))
    assert ids(searcher, heron.query.Every()) == {"n1", "n2", "n3", "n4"}
    assert ids(searcher, heron.query.Prefix("id", "n")) == {"n1", "n2", "n3", "n4"}
    assert ids(searcher, heron.query.Wildcard("tags", "*ai")) == {"n1"}
    assert ids(searcher, heron.query.Fuzzy("body", "whaet", 1)) == {"n4"}
    assert ids(searcher, heron.query.NumericRange("year", 2000, None)) == {"n1", "n2", "n3"}
    assert ids(searcher, heron.query.TermRange("id", "n3", None)) == {"n3", "n4"}
    assert ids(searcher, heron.query.Range("id", "n3", None)) == {"n3", "n4"}
    assert ids(searcher, heron.query.Range("year", 2010, 2015)) == {"n1", "n3"}
    assert ids(searcher, heron.query.Range("published", "2017-01-01", None)) == {"n2", "n3"}
    with pytest.raises(heron.QueryError, match="BOOLEAN"):
        searcher.search(heron.query.Range("draft", 0, 1))


def test_filter_keeps_scores(searcher: heron.Searcher) -> None:
    plain = {h["id"]: h.score for h in searcher.search("tunnels")}
    filtered = {h["id"]: h.score for h in searcher.search("tunnels", filter="year:>=2015")}
    assert filtered.keys() == {"n1", "n2"}
    assert all(filtered[k] == plain[k] for k in filtered)
    res = searcher.search("tunnels", filter=Term("tags", "egypt"))
    assert [h["id"] for h in res] == ["n3"]


def test_sort_by_fields(searcher: heron.Searcher) -> None:
    assert [h["id"] for h in searcher.search("tunnels", sort_by="year")] == ["n3", "n1", "n2"]
    assert [h["id"] for h in searcher.search("tunnels", sort_by="-year")] == ["n2", "n1", "n3"]
    assert [h["id"] for h in searcher.search("tunnels OR wheat", sort_by="-id")] == [
        "n4", "n3", "n2", "n1"]
    # documents without a value sort last either way; ties fall back to score
    res = searcher.search("tunnels OR wheat", sort_by=["draft", "-year"])
    assert [h["id"] for h in res] == ["n1", "n3", "n2", "n4"]
    with pytest.raises(heron.HeronError, match="TEXT"):
        searcher.search("x", sort_by="title")


def test_pagination_and_facets(searcher: heron.Searcher) -> None:
    full = searcher.search("gaza OR wheat OR hamas", limit=None)
    page = searcher.search("gaza OR wheat OR hamas", limit=2, offset=1,
                           facets=["tags", "year", "draft"])
    assert page.total == full.total == 4
    assert [h.docnum for h in page] == [h.docnum for h in full][1:3]
    assert page.facets["tags"] == {"gaza": 2, "egypt": 1, "grain": 1, "isis": 1, "sinai": 1}
    assert page.facets["year"] == {1987: 1, 2010: 1, 2015: 1, 2017: 1}
    assert page.facets["draft"] == {False: 2, True: 1}
    with pytest.raises(heron.HeronError, match="facets"):
        searcher.search("x", facets=["body"])


@pytest.mark.parametrize(("query", "message", "position"), [
    ("(gaza tunnels", "unbalanced parenthesis", 0),
    ("gaza tunnels)", "unbalanced parenthesis", 12),
    ("titel:gaza", "did you mean 'title'", 0),
    ('"open phrase', "unbalanced quote", 0),
    ("year:[2010 TO x]", "not a number", 5),
    ("year:[2010 2017]", "expected 'TO'", 11),
    ("draft:[true TO false]", "BOOLEAN", 6),
    ("gaza AND", "expected a query after AND", 8),
    ("a^x", "expected a number", 2),
    ("tunel~5", "at most 2", 0),
    ("*", "matches every term", 0),
    ("?*", "matches every term", 0),
    ("year:abc", "not a number", 5),
    ("year:tunn*", "need a text field", 5),
])
def test_errors_name_position(searcher: heron.Searcher, query: str, message: str,
                              position: int) -> None:
    with pytest.raises(heron.QueryError, match=message) as info:
        searcher.search(query)
    assert info.value.position == position


def test_expansion_cap(searcher: heron.Searcher) -> None:
    with pytest.raises(heron.QueryError, match="more than 2 terms"):
        searcher.search("s*", max_expansions=2)
    assert ids(searcher, "*", max_expansions=100_000, fields=["tags"]) == {
        "n1", "n2", "n3", "n4"}
