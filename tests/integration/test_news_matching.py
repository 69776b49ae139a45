"""Fuzzy and wildcard queries on the whole news collection, plus one 20,000-character token."""

from __future__ import annotations

import fnmatch

import pytest
from tests.conftest import load_news

import heron
from heron.analysis import StandardAnalyzer
from heron.query import Context, Fuzzy, Wildcard

LONG_TOKEN = "a" + "x" * 19_999


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    rows = load_news()
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(stored=True))
    ix = heron.create_index(tmp_path_factory.mktemp("news") / "ix", schema)
    with ix.writer() as w:
        w.add_documents({"id": r["id"], "title": r["title"], "body": r["body"]} for r in rows)
        w.add_documents([{"id": "long", "title": "", "body": LONG_TOKEN}])
    return ix.searcher()


def _holds(hit: heron.Hit, fields: tuple[str, ...], term: str) -> bool:
    analyzer = StandardAnalyzer()
    return any(term in analyzer.terms(hit[name] or "") for name in fields)


@pytest.mark.parametrize(("query", "term", "fields"), [
    ("body:sugar~", "sugar", ("body",)),  # "sugar" held 2 of the top 10
    ("cocoa~", "cocoa", ("title", "body")),  # Coca-Cola came first
    ("body:sugar~1", "sugar", ("body",)),
])
def test_fuzzy_ranks_the_word_itself_first(searcher: heron.Searcher, query: str, term: str,
                                           fields: tuple[str, ...]) -> None:
    hits = searcher.search(query, limit=10, fields=["title", "body"])
    assert len(hits) == 10
    assert all(_holds(h, fields, term) for h in hits)


def test_fuzzy_is_bounded_with_a_long_token(searcher: heron.Searcher) -> None:
    """``tunel~2`` used to lay out every term by the longest (15 s and 4.3 GB)."""
    found = searcher.search("body:tunel~2", limit=None)
    assert found.total > 0
    assert "long" not in {h["id"] for h in found}
    near = LONG_TOKEN[:-1] + "y"
    assert [h["id"] for h in searcher.search(Fuzzy("body", near, 2))] == ["long"]


def test_runs_of_stars_match_like_one(searcher: heron.Searcher) -> None:
    """``a`` + 14 stars + ``b`` took 17 s: backtracking over every way to split a term."""
    many = {h["id"] for h in searcher.search("a**************b", limit=None)}
    one = {h["id"] for h in searcher.search("a*b", limit=None)}
    assert many == one
    assert many
    star_runs = {h["id"] for h in searcher.search("body:a*x*x*x*x*x*x*x*x*x*x*x*x*", limit=None)}
    assert "long" in star_runs


@pytest.mark.parametrize("pattern", ["*a*b*c*", "?u*a?", "*x*x*x*x*x*x*"])
def test_wildcard_matches_the_terms_a_brute_force_finds(searcher: heron.Searcher,
                                                        pattern: str) -> None:
    expected = {t for seg in searcher.reader.segments
                for _, t in seg.terms.iter_range("body", *seg.terms.field_range("body"))
                if fnmatch.fnmatchcase(t, pattern)}
    query = Wildcard("body", pattern)
    assert query.expanded_terms(Context(searcher.reader)) == expected
    assert expected
