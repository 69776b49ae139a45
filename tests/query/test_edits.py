"""Edit distances: the banded table and the one-edit check against the textbook table."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.query.test_query_properties import _osa

from heron.query._edits import band_distances, within_one

LETTERS = "abé東"


@settings(max_examples=200, deadline=None)
@given(word=st.text(alphabet=LETTERS, min_size=1, max_size=9), data=st.data(),
       distance=st.integers(0, 2))
def test_band_distances_equal_osa_capped(word: str, data: st.DataObject, distance: int) -> None:
    length = max(1, len(word) + data.draw(st.integers(-distance, distance)))
    terms = data.draw(st.lists(st.text(alphabet=LETTERS, min_size=length, max_size=length),
                               min_size=1, max_size=20))
    matrix = np.array([[ord(c) for c in t] for t in terms], dtype=np.int32)
    expected = [min(_osa(word, t), distance + 1) for t in terms]
    assert band_distances(word, matrix, distance).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(a=st.text(alphabet="abc", max_size=7), b=st.text(alphabet="abc", max_size=7))
def test_within_one_is_osa_at_most_one(a: str, b: str) -> None:
    assert within_one(a, b) == (_osa(a, b) <= 1)


def test_long_words_cost_their_length_not_a_square() -> None:
    """A 20,000-character word against a term one edit away: the band keeps it linear."""
    word = "ab" * 10_000
    term = word[:100] + word[101:] + "a"  # one deletion and one insertion: two edits
    matrix = np.array([[ord(c) for c in term]], dtype=np.int32)
    assert band_distances(word, matrix, 2).tolist() == [2]
    assert band_distances(word, matrix, 1).tolist() == [2]
