"""Explanations as trees from each weight, highlights from each query: every built-in kind
and a user's own query go through the same generic path."""

from __future__ import annotations

import datetime as dt
import math
import re

import attrs
import numpy as np
import pytest

import heron
from heron import scoring
from heron.highlight import WholeFragmenter
from heron.index import SegmentReader
from heron.query import (
    And,
    AndMaybe,
    Context,
    Every,
    Fuzzy,
    Matches,
    MultiFieldTerm,
    Not,
    NumericRange,
    Or,
    Phrase,
    Prefix,
    Query,
    Range,
    Term,
    TermRange,
    Weight,
    Wildcard,
)
from heron.scoring import Explanation

MARKED = re.compile(r'<b class="match term\d+">(.*?)</b>')


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(stored=True, phrase=True), year=heron.NUMERIC(),
                          tags=heron.KEYWORD(stored=True))
    ix = heron.create_index(tmp_path_factory.mktemp("explain") / "ix", schema)
    rows = [("gaza tunnels", "smuggling tunnels under the gaza border", 2007, "gaza"),
            ("egypt border", "egypt floods the tunnels of gaza", 2013, "egypt"),
            ("grain prices", "grain and wheat prices rise", 2010, "grain"),
            ("tunnel collapse", "a tunnel collapsed near the border of egypt", 2015, "egypt")]
    for start in (0, 2):  # two segments
        with ix.writer() as w:
            for i, (title, body, year, tag) in enumerate(rows[start:start + 2], start=start):
                w.add_document(id=str(i), title=title, body=body, year=year, tags=tag)
    return ix


KINDS: list[Query] = [
    Term("body", "tunnel"),
    Term("tags", "egypt"),
    Phrase("body", ("gaza", "border")),
    Phrase("body", ("tunnel", "gaza"), slop=3),
    And((Term("body", "tunnel"), Term("body", "gaza"))),
    Or((Term("body", "tunnel"), Term("title", "border"), Term("body", "tunnel"))),
    And((Term("body", "border"), Not(Term("body", "egypt")))),
    Not(Term("body", "grain")),
    AndMaybe(Term("body", "border"), Term("title", "egypt")),
    Prefix("body", "tun"),
    Wildcard("body", "g*a"),
    TermRange("tags", "e", "h"),
    Range("year", 2008, 2014),
    NumericRange("year", None, 2012),
    Fuzzy("body", "tunel", distance=1),
    Every(2.0),
    MultiFieldTerm((Term("title", "gaza"), Term("body", "gaza", 2.0)), boost=1.5),
]
MODELS = [scoring.BM25(), scoring.BM25F(b={"title": 0.4}, weights={"title": 2.0}),
          scoring.TFIDF(), scoring.Frequency(),
          scoring.FunctionScoring(lambda tf, df, length, avg, n: np.log1p(tf) * n / df)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("query", KINDS, ids=repr)
def test_explanations_add_up_to_the_score(ix: heron.Index, query: Query,
                                          model: scoring.Scoring) -> None:
    with ix.searcher(scoring=model) as s:
        hits = list(s.search(query, limit=None))
        assert hits
        for hit in hits:
            tree = s.explanation(hit)
            assert tree.value == pytest.approx(hit.score, rel=1e-9, abs=1e-12)
            assert details_compose(tree)
            assert hit.explain().splitlines()[0].startswith(f"{hit.score:.4f} = ")


def details_compose(tree: Explanation) -> bool:
    """A sum's parts add up to it, each part recursively."""
    if tree.description.startswith("sum of") and not math.isclose(
            tree.value, sum(d.value for d in tree.details), rel_tol=1e-9, abs_tol=1e-12):
        return False
    return all(details_compose(d) for d in tree.details)


def test_parsed_queries_explain_their_scores(ix: heron.Index) -> None:
    with ix.searcher(scoring=scoring.BM25F()) as s:
        for text in ["tunnels gaza", '"gaza border" egypt', "+border -grain tun*", "year:2013"]:
            for hit in s.search(text, limit=None, fields=["title", "body"]):
                assert s.explanation(hit).value == pytest.approx(hit.score, rel=1e-9)


def test_bm25f_explains_each_field(ix: heron.Index) -> None:
    with ix.searcher(scoring=scoring.BM25F(weights={"title": 2.0})) as s:
        hit = s.search("gaza", fields=["title", "body"])[0]
        text = hit.explain()
    assert "BM25F over title, body" in text
    assert "title: weight 2 * freq 1" in text
    assert "idf = ln(1 + (N 4 - n 2 + 0.5) / (n 2 + 0.5))" in text


def test_explaining_a_document_that_does_not_match(ix: heron.Index) -> None:
    with ix.searcher() as s:
        hit = s.search("grain")[0]
        other = s.search("egypt")[0]
        tree = heron.search._explain.explanation(hit.query, other.docnum, s._context())
    assert tree == Explanation(0.0, "no part of the query matches")


@attrs.frozen
class Doubled(Query):
    """A user's compound query: its part's documents at twice the score."""

    part: Query

    def bind(self, context: Context) -> Weight:
        return _DoubledWeight(context.bind(self.part))

    def children(self) -> tuple[Query, ...]:
        return (self.part,)


class _DoubledWeight(Weight):
    def __init__(self, part: Weight) -> None:
        self.part = part

    def match(self, segment: SegmentReader) -> Matches:
        found = self.part.match(segment)
        return Matches(found.docs, 2 * found.scores)


@attrs.frozen
class Tagged(Query):
    """A user's leaf query: documents with a tag, scoring 1, that says its term."""

    tag: str

    def bind(self, context: Context) -> Weight:
        return Term("tags", self.tag).bind(context)

    def terms(self) -> set[tuple[str, str]]:
        return {("tags", self.tag)}


def test_a_users_query_is_explained_through_the_generic_path(ix: heron.Index) -> None:
    with ix.searcher() as s:
        query = Doubled(Term("body", "tunnel") | Term("title", "grain"))
        hits = list(s.search(query, limit=None))
        assert len(hits) == 4  # three bodies with tunnel(s), one grain title
        for hit in hits:
            tree = s.explanation(hit)
            assert tree.value == pytest.approx(hit.score)
            assert tree.description == "_DoubledWeight"
        with_part = s.search(And((Doubled(Term("body", "tunnel")), Term("body", "gaza"))))[0]
        tree = s.explanation(with_part)
        assert tree.value == pytest.approx(with_part.score)
        assert [d.description.split(":")[0] for d in tree.details] == [
            "_DoubledWeight", "body"]


def test_a_users_query_is_highlighted_through_its_children_and_terms(ix: heron.Index) -> None:
    with ix.searcher() as s:
        hit = s.search(Doubled(Term("body", "tunnel") | Phrase("body", ("gaza", "border"))))[0]
        marked = MARKED.findall(hit.highlights("body", fragmenter=WholeFragmenter()))
        assert marked == ["tunnels", "gaza", "border"]
        hit = s.search(Tagged("egypt"))[0]
        assert MARKED.findall(hit.highlights("tags")) == ["egypt"]
        assert not MARKED.findall(hit.highlights("body"))


def test_children_of_every_kind() -> None:
    a, b = Term("body", "a"), Term("body", "b")
    assert And((a, ~b)).children() == (a, Not(b))
    assert Or((a, b)).children() == (a, b)
    assert Not(a).children() == (a,)
    assert AndMaybe(a, b).children() == (a, b)
    assert MultiFieldTerm((a, Term("title", "a"))).children() == (a, Term("title", "a"))
    for leaf in [a, Phrase("body", ("a", "b")), Prefix("body", "a"), Fuzzy("body", "abc"),
                 Range("year", 1, 2), Every(), Wildcard("body", "a*"),
                 NumericRange("year", dt.date(2000, 1, 1), None)]:
        assert leaf.children() == ()
