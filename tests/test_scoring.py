"""BM25: idf and scores against hand computations, parameter checks and explanations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heron import BM25, HeronError
from heron.scoring import FieldStats


@pytest.mark.parametrize(
    ("doc_freq", "doc_count", "idf"),
    [
        (1, 10, math.log(1 + 9.5 / 1.5)),  # 1.99243
        (10, 10, math.log(1 + 0.5 / 10.5)),  # a term in every document still scores > 0
        (2, 4, math.log(2.0)),
        (0, 0, math.log(2.0)),
    ],
)
def test_idf(doc_freq: int, doc_count: int, idf: float) -> None:
    assert BM25().idf(doc_freq, doc_count) == pytest.approx(idf, rel=1e-12)


def test_idf_values() -> None:
    assert round(BM25().idf(1, 10), 4) == 1.9924
    assert round(BM25().idf(10, 10), 5) == 0.04652
    assert BM25().idf(1, 1000) > BM25().idf(10, 1000) > BM25().idf(100, 1000) > 0


def test_score_by_hand() -> None:
    freqs = np.array([2, 1, 3, 1])
    lengths = np.array([10, 20, 5, 10])
    got = BM25().score(freqs, lengths, 10.0, 2.0)
    # norm = k1 * (1 - b + b * dl / avgdl) with k1 = 1.2, b = 0.75
    expected = [
        2.0 * 2 / (2 + 1.2 * 1.0),  # dl = avgdl: 1.25
        2.0 * 1 / (1 + 1.2 * 1.75),  # longer field: 0.64516
        2.0 * 3 / (3 + 1.2 * 0.625),  # shorter field: 1.6
        2.0 * 1 / (1 + 1.2),  # 0.90909
    ]
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got, [1.25, 0.6451612903, 1.6, 0.9090909091], rtol=1e-9)


def test_score_without_lengths_or_b() -> None:
    freqs, lengths = np.array([1, 4]), np.array([3, 300])
    plain = [1 / 2.2, 4 / 5.2]
    np.testing.assert_allclose(BM25().score(freqs, None, 17.0, 1.0), plain)
    np.testing.assert_allclose(BM25(b=0).score(freqs, lengths, 17.0, 1.0), plain)
    np.testing.assert_allclose(BM25(k1=0).score(freqs, lengths, 17.0, 3.0), [3.0, 3.0])
    # b = 1: full length normalisation, dl / avgdl = 0.5 and 2
    np.testing.assert_allclose(
        BM25(k1=2, b=1).score(np.array([1, 1]), np.array([5, 20]), 10.0, 1.0), [0.5, 0.2]
    )


def test_field_stats() -> None:
    assert FieldStats(4, 40).average_length == 10.0
    assert FieldStats(3, 10).average_length == pytest.approx(10 / 3)
    assert FieldStats(0, 0).average_length == 1.0


@pytest.mark.parametrize("k1", [-0.1, -1, math.nan, math.inf])
def test_bad_k1(k1: float) -> None:
    with pytest.raises(HeronError, match="k1 >= 0"):
        BM25(k1=k1)


@pytest.mark.parametrize("b", [-0.01, 1.01, 2, math.nan])
def test_bad_b(b: float) -> None:
    with pytest.raises(HeronError, match="0 <= b <= 1"):
        BM25(b=b)


def test_edge_parameters_are_valid() -> None:
    assert BM25(k1=0, b=0) == BM25(k1=0.0, b=0.0)
    assert BM25(b=1).b == 1
    assert BM25() == BM25(k1=1.2, b=0.75)
    assert BM25() != BM25(k1=1.5)


def test_explain_text() -> None:
    text = BM25().explain(1, 20, FieldStats(4, 40), 2, 1.5)
    # idf = ln(1 + 2.5 / 2.5) = ln 2 = 0.6931; tf = 1 / (1 + 1.2 * 1.75) = 0.3226
    assert text == (
        "0.3354 = boost 1.5 * idf 0.6931 * tf 0.3226\n"
        "  idf = ln(1 + (N 4 - n 2 + 0.5) / (n 2 + 0.5))\n"
        "  tf = freq 1 / (freq 1 + k1 1.2 * (1 - b 0.75 + b * dl 20 / avgdl 10))"
    )


def test_explain_without_length_uses_average() -> None:
    text = BM25(k1=2, b=0.5).explain(3, None, FieldStats(10, 25), 1, 1.0)
    assert "dl 2.5 / avgdl 2.5" in text
    assert "k1 2 * (1 - b 0.5" in text
    # tf = 3 / (3 + 2 * 1) = 0.6; 1.99243 * 0.6 = 1.19546
    assert text.startswith("1.1955 = boost 1 * idf 1.9924 * tf 0.6000\n")


@pytest.mark.parametrize(("freq", "length"), [(1, 3), (5, 40), (2, 12)])
def test_explain_agrees_with_score(freq: int, length: int) -> None:
    bm25, stats = BM25(), FieldStats(50, 600)
    weight = 2.0 * bm25.idf(7, 50)
    (score,) = bm25.score(np.array([freq]), np.array([length]), stats.average_length, weight)
    assert bm25.explain(freq, length, stats, 7, 2.0).startswith(f"{score:.4f} = ")
