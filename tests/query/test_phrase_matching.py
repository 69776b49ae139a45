"""Phrase matching against a plain Python matcher: which documents, how often, and the
array helpers it is built on (intersections both ways, position keys across blocks)."""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron._kernels import ENV
from heron.analysis import LowercaseFilter, NgramFilter, RegexTokenizer
from heron.index._blocks import BLOCK
from heron.query import Phrase
from heron.query._base import Context
from heron.query._phrase_match import common_postings, intersect

SCHEMA = heron.Schema(id=heron.NUMERIC(stored=True),
                      body=heron.TEXT(analyzer=RegexTokenizer() | LowercaseFilter()))
#: word weights: "a" in most documents (posting lists over several blocks), "e" rare
WORDS = {"a": 8, "b": 4, "c": 2, "d": 1, "e": 0.2}


#: both kernels: numpy's phrase matcher and numba's compiled one for two words (fast extra)
KERNELS = [pytest.param("numpy"), pytest.param("numba", marks=pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="numba (the fast extra) is absent"))]


@contextmanager
def _kernels(name: str) -> Iterator[None]:
    """Search with ``name``'s kernels inside the block."""
    before = os.environ.get(ENV)
    os.environ[ENV] = name
    try:
        yield
    finally:
        if before is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = before


def _documents(seed: int, count: int, longest: int) -> list[list[str]]:
    rnd = random.Random(seed)
    words, weights = list(WORDS), list(WORDS.values())
    return [rnd.choices(words, weights, k=rnd.randint(0, longest)) for _ in range(count)]


def _build(docs: list[list[str]], parts: int, deleted: set[int]) -> heron.Index:
    ix = heron.create_index(Path(tempfile.mkdtemp()) / "ix", SCHEMA)
    size = max(1, -(-len(docs) // parts))
    for start in range(0, len(docs), size):
        with ix.writer() as w:
            w.add_documents({"id": i, "body": " ".join(words)}
                            for i, words in enumerate(docs) if start <= i < start + size)
    if deleted:
        with ix.writer() as w:
            for i in deleted:
                w.delete_by_term("id", i)
    return ix


def _brute(tokens: list[str], words: list[str], offsets: list[int], slop: int) -> int:
    """How many places start a match: the smallest shifted position of a choice of
    distinct positions, one per word, within the slop."""
    choices = [[p for p, t in enumerate(tokens) if t == w] for w in words]
    anchors = set()
    for combo in itertools.product(*choices):
        if len(set(combo)) == len(combo):
            shifted = [p - o for p, o in zip(combo, offsets, strict=True)]
            if max(shifted) - min(shifted) <= slop:
                anchors.add(min(shifted))
    return len(anchors)


def _found(ix: heron.Index, query: Phrase) -> dict[int, int]:
    """Each matching document's id and phrase frequency, segment by segment."""
    reader = ix.reader()
    weight = query.bind(Context(reader))
    out: dict[int, int] = {}
    for base, segment in reader.iter_segments():
        docs, freqs = weight.frequencies(segment)
        assert np.all(np.diff(docs) > 0)
        for doc, freq in zip(docs.tolist(), freqs.tolist(), strict=True):
            out[reader.stored_value(base + doc, "id")] = freq
    with ix.searcher() as s:  # what a search returns agrees
        assert {h["id"] for h in s.search(query, limit=None)} == set(out)
    return out


phrases = st.lists(st.sampled_from(list(WORDS)), min_size=1, max_size=3)


@pytest.mark.parametrize("kernels", KERNELS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), count=st.integers(1, 500), words=phrases,
       gaps=st.lists(st.integers(1, 3), min_size=2, max_size=2), slop=st.integers(0, 3),
       parts=st.integers(1, 3), deleted=st.sets(st.integers(0, 499), max_size=40))
def test_phrase_frequencies_match_brute_force(*, kernels: str, seed: int, count: int,
                                              words: list[str], gaps: list[int], slop: int,
                                              parts: int, deleted: set[int]) -> None:
    """Exact and sloppy phrases, repeated words, gaps left by stop words, several
    segments and deletions, over lists long enough to span blocks of postings."""
    docs = _documents(seed, count, 8)
    offsets = [0, *itertools.accumulate(gaps)][: len(words)]
    deleted &= set(range(count))
    ix = _build(docs, parts, deleted)
    expected = {i: n for i, tokens in enumerate(docs)
                if i not in deleted and (n := _brute(tokens, words, offsets, slop))}
    with _kernels(kernels):
        found = _found(ix, Phrase("body", words, slop=slop, positions=tuple(offsets)))
    assert found == expected


@pytest.mark.parametrize("kernels", KERNELS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), pair=st.sampled_from(["a e", "e a", "a a", "b e", "a b"]))
def test_rare_word_beside_a_common_one(kernels: str, seed: int, pair: str) -> None:
    """A rare word's few documents sit anywhere in a list of many blocks (its postings'
    positions are summed from their block's start), at block edges too."""
    rnd = random.Random(seed)
    count = BLOCK * rnd.randint(20, 30) + rnd.randint(0, BLOCK)
    docs = [["a"] * rnd.randint(1, 3) for _ in range(count)]
    rare = rnd.sample(range(count), rnd.randint(1, 3))
    rare += [i for i in (BLOCK - 1, BLOCK, 2 * BLOCK, count - 1) if rnd.random() < 0.5]
    for i in rare:
        docs[i][rnd.randrange(len(docs[i]))] = "e"
        docs[i].insert(rnd.randrange(len(docs[i]) + 1), "b")
    ix = _build(docs, 1, set())
    words = pair.split()
    expected = {i: n for i, tokens in enumerate(docs) if (n := _brute(tokens, words, [0, 1], 0))}
    with _kernels(kernels):
        assert _found(ix, Phrase("body", words)) == expected


numbers = st.sets(st.integers(0, 3000), max_size=300)
sorted_sets = numbers.map(lambda s: np.array(sorted(s), dtype=np.uint32))


runs = st.tuples(st.integers(0, 3000), st.integers(0, 3000)).map(lambda r: set(range(*r)))


@given(a=numbers, b=numbers, shared=numbers | runs,
       way=st.sampled_from([None, "search", "merge", "bitmap"]))
def test_intersect_both_ways(a: set[int], b: set[int], shared: set[int],
                             way: str | None) -> None:
    """Lists apart or mostly shared (thousands of numbers: a bitmap marks them), each
    way."""
    left, right = (np.array(sorted(x | shared), dtype=np.uint32) for x in (a, b))
    in_left, in_right = intersect(left, right, way=way)
    common = sorted((a | shared) & (b | shared))
    assert left[in_left].tolist() == common
    assert right[in_right].tolist() == common


@given(lists=st.lists(sorted_sets, min_size=1, max_size=4))
def test_common_postings(lists: list[np.ndarray]) -> None:
    docs, at = common_postings(lists)
    common = sorted(set.intersection(*(set(x.tolist()) for x in lists)))
    assert docs.tolist() == common
    for x, idx in zip(lists, at, strict=True):
        assert x[idx].tolist() == common


@pytest.mark.parametrize("kernels", KERNELS)
def test_a_phrase_counts_places_once_when_a_term_repeats_a_position(tmp_path: Path,
                                                                     kernels: str) -> None:
    """n-grams keep their word's position, so "aaaa" holds "aa" three times at one place:
    the phrase "aa bb" stands there once, whatever the other documents hold."""
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(
        analyzer=RegexTokenizer() | LowercaseFilter() | NgramFilter(2, 2)))
    alone, both = (heron.create_index(tmp_path / name, schema) for name in ("alone", "both"))
    with alone.writer() as w:
        w.add_document(id="d1", body="aaaa bb")
    with both.writer() as w:
        w.add_document(id="d1", body="aaaa bb")
        w.add_document(id="d2", body="aa bb bb bb bb bb bb bb")
        w.add_document(id="d3", body="aaa bbb")  # two of each, at one place each
    with _kernels(kernels):
        assert _found(alone, Phrase("body", ["aa", "bb"])) == {"d1": 1}
        assert _found(both, Phrase("body", ["aa", "bb"])) == {"d1": 1, "d2": 1, "d3": 1}
