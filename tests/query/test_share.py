"""Sharing between equal sub-queries: one weight and one match per search, same scores."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.errors import QueryError
from heron.query import Context, MultiTerm, Or, Phrase, Query, Term, TermRange, Weight
from heron.query._base import _all_but
from heron.query._matches import Matches, difference, every, member, union
from heron.query._share import exact_key

SCHEMA = heron.Schema(id=heron.NUMERIC(stored=True), title=heron.TEXT(),
                      body=heron.TEXT(), flag=heron.BOOLEAN(), year=heron.NUMERIC())
WORDS = ["oil", "opec", "crude", "price", "the", "barrel"]


def _build() -> heron.Index:
    """Three segments, with deletions, of documents over a few words."""
    rng = np.random.default_rng(7)
    path = Path(tempfile.mkdtemp()) / "ix"
    ix = heron.create_index(path, SCHEMA)
    for part in range(3):
        with ix.writer() as w:
            w.add_documents(
                {"id": i, "title": str(rng.choice(WORDS)), "flag": bool(i % 2),
                 "body": " ".join(rng.choice(WORDS, size=int(rng.integers(1, 12)))),
                 "year": 1980 + i % 9}
                for i in range(part * 40, part * 40 + 40))
    with ix.writer() as w:
        w.delete_by_query(Term("id", 5) | Term("id", 47) | Term("id", 118))
    return ix


@pytest.fixture(scope="module")
def index() -> heron.Index:
    return _build()


@contextmanager
def unshared() -> Iterator[None]:
    """Every sub-query bound apart, each weight its own object (the path before sharing)."""
    def bind_apart(self: Context, query: Query) -> Weight:
        return query.bind(self)

    with mock.patch.object(Context, "bind", bind_apart):
        yield


def _results(ix: heron.Index, text: str | Query, lenient: bool = False,
             **options: object) -> tuple[int, list[tuple[int, float]], list[str]]:
    with ix.searcher() as s:
        res = s.search(text, limit=None, lenient=lenient, **options)  # type: ignore[arg-type]
        return (res.total, [(h.docnum, h.score) for h in res.hits],
                [str(w) for w in res.query_warnings])


@pytest.mark.parametrize("text", [
    "oil opec oil opec oil",
    "oil oil^2 title:oil oil^2",
    '"crude oil" "crude oil" oil "crude oil"~2',
    "+oil +oil -opec -opec price price",
    "-oil -oil -(opec crude) -(opec crude)",
    "(oil OR opec) AND (oil OR opec) AND NOT crude AND NOT crude",
    "oil* oil* opec~1 opec~1 crude",
    "[a TO p] [a TO p] year:[1981 TO 1984] year:[1981 TO 1984] oil",
    "year:1983 year:1983 flag:true flag:true oil",
    " ".join(["oil", "opec", "crude", "price"] * 300),
])
def test_repeated_clauses_score_as_when_bound_apart(index: heron.Index, text: str) -> None:
    shared = _results(index, text, lenient=True)
    with unshared():
        apart = _results(index, text, lenient=True)
    assert shared == apart  # the same floats, summed in the same order
    assert shared[0] > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(["oil", "opec", "-oil", "+crude", '"crude oil"', "title:oil",
                                 "(oil opec)", "oil^3", "NOT price", "[a TO c]", "pri*",
                                 "year:1983", "AND", "OR", "(", ")"]),
                min_size=1, max_size=30))
def test_shared_search_equals_unshared(index: heron.Index, words: list[str]) -> None:
    text = " ".join(words)
    shared = _results(index, text, lenient=True, max_expansions=3)
    with unshared():
        apart = _results(index, text, lenient=True, max_expansions=3)
    assert shared == apart


def test_equal_queries_share_one_weight_and_errors(index: heron.Index) -> None:
    context = Context(index.reader())
    first = context.bind(Term("body", "oil"))
    assert context.bind(Term("body", "oil")) is first
    assert context.bind(Term("body", "oil", 2.0)) is not first
    too_wide = TermRange("body", "a", "z", max_expansions=1)
    for _ in range(2):  # the error is kept, and raised each time
        with pytest.raises(QueryError, match="expands to more than 1"):
            context.bind(too_wide)


def test_equal_but_different_values_are_not_shared(index: heron.Index) -> None:
    # True == 1 in Python, but a NUMERIC field refuses booleans and BOOLEAN refuses numbers
    assert Term("flag", True) == Term("flag", 1)
    context = Context(index.reader())
    context.bind(Term("flag", True))
    with pytest.raises(QueryError):
        context.bind(Term("flag", 1))
    with pytest.raises(QueryError):
        Context(index.reader()).bind(Term("flag", 1))
    assert Context(index.reader()).bind(Term("year", 1983)) is not None


def test_each_lenient_part_binds_once(index: heron.Index) -> None:
    text = "[a TO z] oil [a TO z] opec* [b TO c]"
    expansions: list[Query] = []
    expand = MultiTerm.expand

    def counted(self: MultiTerm, context: Context) -> dict[str, list[int]]:
        expansions.append(self)
        return expand(self, context)

    with mock.patch.object(MultiTerm, "expand", counted):
        with unshared():
            apart = _results(index, text, lenient=True, max_expansions=2)
        bound_apart = len(expansions)
        expansions.clear()
        shared = _results(index, text, lenient=True, max_expansions=2)
    assert shared == apart
    assert shared[0] > 0
    assert len(shared[2]) == 2
    # title:[a TO z] fails (so body:[a TO z] is never tried); the others bind for both
    # fields: each range and prefix is expanded once, where it was bound again and again
    assert len(expansions) == len(set(expansions)) == 5
    assert bound_apart > 10


def test_query_objects_share_too(index: heron.Index) -> None:
    oil = Term("body", "oil")
    query = Or((oil, Phrase("body", ("crude", "oil")), oil, Or((oil, Term("title", "oil")))))
    shared = _results(index, query)
    with unshared():
        assert _results(index, query) == shared


def test_exact_keys() -> None:
    assert exact_key(Term("body", "oil")) == exact_key(Term("body", "oil"))
    assert exact_key(Term("body", "oil")) != exact_key(Term("title", "oil"))
    assert exact_key(Term("year", 1)) != exact_key(Term("year", 1.0))
    assert exact_key(Term("year", 1)) != exact_key(Term("year", True))
    assert exact_key(Term("body", "oil", 0.0)) != exact_key(Term("body", "oil", -0.0))
    assert exact_key(Phrase("body", ("a", "b"), slop=1)) != exact_key(
        Phrase("body", ("a", "b"), slop=True))  # type: ignore[arg-type]
    assert exact_key(Phrase("body", ("a", "b"), positions=(0, 1))) != exact_key(
        Phrase("body", ("a", "b"), positions=(0, True)))  # type: ignore[arg-type]
    assert exact_key(object()) is None
    # a term of text with a non-zero float boost (the parser's) is its own key
    assert Term("body", "oil").share_key() == Term("body", "oil").share_key()
    assert Term("body", "oil").share_key() != Term("body", "oil", 2.0).share_key()
    keys = {Term("n", 1).share_key(), Term("n", True).share_key(), Term("n", 1.0).share_key(),
            Term("body", "oil", 0.0).share_key(), Term("body", "oil", -0.0).share_key(),
            Term("body", "oil", 1).share_key(), Term("body", "oil").share_key()}
    assert len(keys) == 7
    assert Or((Term("body", "oil"),)).share_key() is None  # parts are shared, not the whole


def test_unhashable_values_bind_apart(index: heron.Index) -> None:
    query = Phrase("body", ("crude", "oil"), positions=[0, 1])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hash(exact_key(query))  # no key can hold a list: the query binds apart each time
    context = Context(index.reader())
    assert context.bind(query) is not context.bind(query)
    with index.searcher() as s:
        assert s.search(query).total == s.search(Phrase("body", ("crude", "oil"))).total


def _old_union(parts: list[Matches], size: int) -> Matches:
    """union() before sharing: every part marked, indexed even when it holds every document."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    acc = np.zeros(size, dtype=np.float64)
    hit = np.zeros(size, dtype=bool)
    for p in parts:
        acc[p.docs] += p.scores
        hit[p.docs] = True
    docs = np.flatnonzero(hit)
    return Matches(docs, acc[docs])


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 60), st.lists(st.integers(0, 4), min_size=1, max_size=8),
       st.integers(0, 2**32 - 1))
def test_union_difference_and_all_but_agree_with_plain_versions(
        size: int, picks: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    pool = []
    for _ in range(5):
        docs = np.flatnonzero(rng.random(size) < rng.random()).astype(np.int64)
        pool.append(Matches(docs, rng.random(len(docs))))
    pool.append(Matches(np.arange(size, dtype=np.int64), rng.random(size)))
    parts = [pool[i] for i in picks]  # repeats are the same object, as shared weights give
    got, want = union(parts, size), _old_union(parts, size)
    assert np.array_equal(got.docs, want.docs)
    assert np.array_equal(got.scores, want.scores)
    for base in pool:
        for remove in pool:
            kept = difference(base, remove)
            keep = ~member(base.docs, remove.docs)
            assert np.array_equal(kept.docs, base.docs[keep])
            assert np.array_equal(kept.scores, base.scores[keep])


def test_all_but_is_every_document_minus_the_excluded(index: heron.Index) -> None:
    context = Context(index.reader())
    weights = [context.bind(Term("body", w)) for w in ("oil", "opec")]
    for segment in index.reader().segments:
        found = every(segment, 0.0)
        for w in weights:
            found = difference(found, w.match(segment))
        got = _all_but(segment, weights)
        assert np.array_equal(got.docs, found.docs)
        assert np.array_equal(got.scores, found.scores)


def test_a_repeated_word_is_built_once_and_warns_at_each_place() -> None:
    schema = heron.Schema(body=heron.TEXT(), year=heron.NUMERIC())
    query, warnings = heron.query.parse_lenient("oil year:abc opec oil year:abc", schema)
    assert isinstance(query, Or)
    assert query.queries[0] is query.queries[2]  # one Term for both "oil"
    assert [w.position for w in warnings] == [9, 27]


@pytest.mark.parametrize("analyzer", [
    heron.analysis.StandardAnalyzer(),  # word by word: positions counted per word
    heron.analysis.RegexTokenizer() | heron.analysis.StopFilter()
    | heron.analysis.NgramFilter(3, 3),  # token by token
])
def test_phrases_keep_the_analyzer_positions(analyzer: heron.analysis.Analyzer) -> None:
    schema = heron.Schema(body=heron.TEXT(analyzer=analyzer))
    text = "the price of the crude oil and of opec"
    query = heron.query.parse(f'"{text}" "{text}"', schema)
    assert isinstance(query, Or)
    phrase = query.queries[0]
    assert isinstance(phrase, Phrase)
    tokens = list(analyzer.tokens(text))
    assert phrase.words == tuple(t.text for t in tokens)
    assert phrase.positions == tuple(t.position - tokens[0].position for t in tokens)
    assert query.queries[1] == phrase
