"""BM25F, TF-IDF, Frequency and FunctionScoring against hand-computed scores, their
parameter checks, and scores that do not depend on how the index is segmented."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

import heron
from heron import scoring
from heron.query import MultiFieldTerm, Term

# title lengths 2, 1, 1 (average 4/3); body lengths 3, 4, 1 (average 8/3)
DOCS = [
    {"id": "0", "title": "gaza border", "body": "gaza gaza grain"},
    {"id": "1", "title": "egypt", "body": "gaza egypt border grain"},
    {"id": "2", "title": "grain", "body": "egypt"},
]


def build(path: Path, segments: int = 1) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(stored=True))
    ix = heron.create_index(path, schema)
    per = math.ceil(len(DOCS) / segments)
    for start in range(0, len(DOCS), per):
        with ix.writer() as w:
            for doc in DOCS[start:start + per]:
                w.add_document(**doc)
    return ix


def scores(searcher: heron.Searcher, query: str | heron.Query, **options: object
           ) -> dict[str, float]:
    return {hit["id"]: hit.score for hit in searcher.search(query, limit=None, **options)}


def test_bm25f_joint_score_by_hand(tmp_path: Path) -> None:
    model = scoring.BM25F(k1=1.2, b={"title": 0.5, "body": 0.75}, weights={"title": 2.0})
    with build(tmp_path / "ix").searcher(scoring=model) as s:
        found = scores(s, "gaza", fields=["title", "body"])
    # df = max(title 1, body 2) = 2 of N = 3: idf = ln(1 + 1.5 / 2.5)
    idf = math.log(1.6)
    # doc 0: title 2 * 1 / (0.5 + 0.5 * 2 / (4/3)); body 2 / (0.25 + 0.75 * 3 / (8/3))
    tf0 = 2 / 1.25 + 2 / 1.09375
    tf1 = 1 / 1.375  # doc 1: body 1 / (0.25 + 0.75 * 4 / (8/3))
    assert found.keys() == {"0", "1"}
    assert found["0"] == pytest.approx(idf * tf0 / (1.2 + tf0), rel=1e-12)
    assert found["1"] == pytest.approx(idf * tf1 / (1.2 + tf1), rel=1e-12)


def test_bm25f_single_field_term_by_hand(tmp_path: Path) -> None:
    model = scoring.BM25F(k1=2.0, b=0.5)
    with build(tmp_path / "ix").searcher(scoring=model) as s:
        found = scores(s, Term("body", "grain"))
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    tf0 = 1 / (0.5 + 0.5 * 3 / (8 / 3))
    tf1 = 1 / (0.5 + 0.5 * 4 / (8 / 3))
    assert found["0"] == pytest.approx(idf * tf0 / (2.0 + tf0), rel=1e-12)
    assert found["1"] == pytest.approx(idf * tf1 / (2.0 + tf1), rel=1e-12)


def test_parser_word_over_fields_is_one_multi_field_term(tmp_path: Path) -> None:
    with build(tmp_path / "ix").searcher() as s:
        query = s.parse("gaza", fields=["title", "body"])
        assert query == MultiFieldTerm((Term("title", "gaza"), Term("body", "gaza")))
        # under BM25 it is the Or of its terms, scored exactly as before
        assert scores(s, query) == scores(s, Term("title", "gaza") | Term("body", "gaza"))
        # several words: one flat union, scores added in the order they always were
        flat = heron.query.Or(tuple(Term(f, w) for w in ("gaza", "grain", "egypt")
                                    for f in ("title", "body")))
        assert scores(s, "gaza grain egypt", fields=["title", "body"]) == scores(s, flat)
        assert s.search("gaza", fields=["title", "body"], terms=True)[0].matched_terms() == [
            ("body", "gaza"), ("title", "gaza")]


def test_tfidf_by_hand(tmp_path: Path) -> None:
    with build(tmp_path / "ix").searcher(scoring=scoring.TFIDF()) as s:
        found = scores(s, "body:gaza")
    idf = 1 + math.log(4 / 3)  # N 3, n 2
    assert found["0"] == pytest.approx(math.sqrt(2) * idf, rel=1e-12)
    assert found["1"] == pytest.approx(idf, rel=1e-12)


def test_frequency_by_hand(tmp_path: Path) -> None:
    with build(tmp_path / "ix").searcher(scoring=scoring.Frequency()) as s:
        assert scores(s, "body:gaza") == {"0": 2.0, "1": 1.0}
        assert scores(s, "body:gaza^3") == {"0": 6.0, "1": 3.0}


def test_function_scoring_by_hand(tmp_path: Path) -> None:
    model = scoring.FunctionScoring(lambda tf, df, length, avg, n: tf * n / (df * length) + avg)
    with build(tmp_path / "ix").searcher(scoring=model) as s:
        found = scores(s, "body:gaza")
    assert found["0"] == pytest.approx(2 * 3 / (2 * 3) + 8 / 3)
    assert found["1"] == pytest.approx(1 * 3 / (2 * 4) + 8 / 3)


def test_function_scoring_must_return_one_finite_score_each(tmp_path: Path) -> None:
    model = scoring.FunctionScoring(lambda tf, df, length, avg, n: tf[:1])
    with build(tmp_path / "ix").searcher(scoring=model) as s, pytest.raises(
            heron.ArgumentError, match="finite"):
        s.search("body:gaza")
    with pytest.raises(TypeError):
        scoring.FunctionScoring(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("options", [
    {"k1": -0.1}, {"k1": math.inf}, {"b": 1.5}, {"b": {"title": -0.1}}, {"weights": {"a": 0}},
])
def test_bm25f_checks_its_parameters(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="BM25F"):
        scoring.BM25F(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("options", [{"b": {"nope": 0.5}}, {"weights": {"nope": 2.0}}])
def test_bm25f_unknown_fields_are_schema_errors(tmp_path: Path, options: dict[str, object]
                                                ) -> None:
    ix = build(tmp_path / "ix")
    with pytest.raises(heron.SchemaError, match="nope"):
        ix.searcher(scoring=scoring.BM25F(**options))  # type: ignore[arg-type]


def test_searcher_refuses_what_is_no_model(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="scoring"):
        build(tmp_path / "ix").searcher(scoring="bm25")  # type: ignore[arg-type]


MODELS = [scoring.BM25(), scoring.BM25F(b={"title": 0.3}, weights={"body": 1.5}),
          scoring.TFIDF(), scoring.Frequency(),
          scoring.FunctionScoring(lambda tf, df, length, avg, n: tf * (n - df + 1) / length)]
QUERIES = ["gaza", "grain border", '"gaza grain"', "egypt -border", "+grain gaza",
           "gra*", "gaz~1"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_scores_do_not_depend_on_segmentation(tmp_path: Path, model: scoring.Scoring) -> None:
    ix = build(tmp_path / "ix", segments=3)
    with ix.searcher(scoring=model) as s:
        assert len(s.reader.segments) == 3
        before = {q: scores(s, q, fields=["title", "body"]) for q in QUERIES}
    ix.optimize()
    with ix.searcher(scoring=model) as s:
        assert len(s.reader.segments) == 1
        after = {q: scores(s, q, fields=["title", "body"]) for q in QUERIES}
    assert before.keys() == after.keys()
    for q in QUERIES:
        assert before[q].keys() == after[q].keys(), q
        assert before[q], q
        for doc, value in before[q].items():
            assert after[q][doc] == pytest.approx(value, rel=1e-12, abs=1e-12), (q, doc)


BOUNDED = [scoring.BM25(), scoring.BM25(b=0), scoring.BM25F(k1=0.5, b=0.9, weights={"t": 3}),
           scoring.TFIDF(), scoring.Frequency()]


@pytest.mark.parametrize("model", BOUNDED, ids=repr)
def test_upper_bounds_hold_for_every_lesser_frequency_and_longer_field(
        model: scoring.Scoring) -> None:
    scorer = model.scorer("t", 1.5, [7], scoring.FieldStats(40, 400))
    freqs, lengths = np.arange(1, 9).repeat(30), np.tile(np.arange(5, 35), 8)
    found = scorer.score(freqs, lengths)
    for max_freq in (1, 3, 8):
        for min_length in (5, 12, 30):
            bound = scorer.upper_bound(max_freq, min_length)
            assert bound is not None
            within = (freqs <= max_freq) & (lengths >= min_length)
            assert found[within].max() <= bound
            assert np.isclose(found[within].max(), bound)  # reached: the bound is tight


def test_models_without_a_bound_say_so() -> None:
    stats = scoring.FieldStats(4, 40)
    model = scoring.FunctionScoring(lambda tf, df, length, avg, n: tf)
    assert model.scorer("t", 1.0, [1], stats).upper_bound(3, 2) is None
    joint = scoring.BM25F().joint_scorer([("a", 1.0, stats), ("b", 1.0, stats)], [1, 2], 1.0)
    assert joint.upper_bound(3, 2) is None


@pytest.mark.parametrize("kernels", ["numpy", "numba"])
def test_a_bm25_subclass_scores_with_its_own_formula(tmp_path: Path, kernels: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that overrides BM25's ``score_normed`` (here BM25+, a constant added) scores
    terms, ORs and phrases with it; the compiled kernels know only plain BM25."""
    if kernels == "numba":
        pytest.importorskip("numba", reason="numba (the fast extra) is absent")
    monkeypatch.setenv("HERON_KERNELS", kernels)

    @attrs.frozen
    class BM25Plus(scoring.BM25):
        def score_normed(self, freqs: Any, norms: Any, weight: float) -> Any:
            return super().score_normed(freqs, norms, weight) + weight

    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT())
    ix = heron.create_index(tmp_path / "ix", schema)
    with ix.writer() as w:
        w.add_document(id="a", body="tunnel gaza")
        w.add_document(id="b", body="tunnel tunnel wheat")
        w.add_document(id="c", body="wheat bread")
    with ix.searcher() as plain, ix.searcher(scoring=BM25Plus()) as plus:
        for query in ("tunnel", "tunnel wheat", '"tunnel gaza"'):
            base = {h["id"]: h.score for h in plain.search(query)}
            more = {h["id"]: h.score for h in plus.search(query)}
            assert set(more) == set(base)
            assert all(more[d] > base[d] + 0.1 for d in base), query
