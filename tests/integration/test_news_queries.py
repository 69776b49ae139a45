"""Negation, lenient parsing and expansion errors on the Reuters news collection."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import load_news

import heron

CRUDE = 634  # articles with the topic "crude"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    rows = load_news()
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(),
                          body=heron.TEXT(), tags=heron.KEYWORD(commas=True),
                          topics=heron.KEYWORD(commas=True))
    path: Path = tmp_path_factory.mktemp("news") / "ix"
    ix = heron.create_index(path, schema)
    with ix.writer() as w:
        w.add_documents({"id": r["id"], "title": r["title"], "body": r["body"],
                         "tags": r["topics"], "topics": r["topics"]} for r in rows)
    return ix.searcher()


def total(s: heron.Searcher, q: str | heron.query.Query, **kw: object) -> int:
    return s.search(q, limit=0, **kw).total  # type: ignore[arg-type]


def test_purely_negative_queries(news: heron.Searcher) -> None:
    n = news.doc_count()
    assert n == 21_578
    assert total(news, "tags:crude") == CRUDE
    assert total(news, "-tags:crude") == n - CRUDE
    assert total(news, "NOT tags:crude") == n - CRUDE
    assert total(news, "-crude") == n - total(news, "crude")
    every = heron.query.Every()
    assert total(news, every, filter="-tags:crude") == n - CRUDE
    assert total(news, every, filter="tags:crude") == CRUDE
    oil = {h.docnum for h in news.search("oil", limit=None)}
    crude = {h.docnum for h in news.search("topics:crude", limit=None)}
    assert total(news, "oil (-topics:crude)") == len(oil | (set(range(n)) - crude))
    assert total(news, "oil -topics:crude") == len(oil - crude)


def test_lenient_search_box_on_news(news: heron.Searcher) -> None:
    res = news.search("oil (opec", lenient=True, limit=0)
    assert res.total == total(news, "oil opec")
    assert [w.position for w in res.query_warnings] == [4]
    res = news.search("price: $18/barrel 10:30 GMT", lenient=True, limit=3)
    assert res.total > 0
    assert res.query_warnings


def test_expansion_errors_name_their_part(news: heron.Searcher) -> None:
    with pytest.raises(heron.QueryError, match="more than 10 terms") as info:
        news.search("oil s*", max_expansions=10)
    assert info.value.position == 4
    res = news.search("oil s*", max_expansions=10, lenient=True, limit=0)
    assert res.total == total(news, "oil")
    assert [w.position for w in res.query_warnings] == [4]
