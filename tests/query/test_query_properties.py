"""Property tests: phrases against a brute-force scan, boolean algebra, and the parser's errors."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.analysis import RegexTokenizer
from heron.query import Phrase, Term
from heron.query._syntax import _Parser, _plain_words

VOCAB = ["a0", "b1", "c2", "d3", "e4"]
SCHEMA = heron.Schema(
    id=heron.NUMERIC(stored=True),
    body=heron.TEXT(analyzer=RegexTokenizer() | heron.analysis.LowercaseFilter()),
)
docs_strategy = st.lists(st.lists(st.sampled_from(VOCAB), min_size=0, max_size=12),
                         min_size=1, max_size=25)


def _build(docs: list[list[str]], parts: int) -> heron.Index:
    path = Path(tempfile.mkdtemp()) / "ix"
    ix = heron.create_index(path, SCHEMA)
    size = max(1, -(-len(docs) // parts))
    for start in range(0, len(docs), size):
        with ix.writer() as w:
            w.add_documents({"id": i, "body": " ".join(words)}
                            for i, words in enumerate(docs) if start <= i < start + size)
    return ix


def _phrase_brute(tokens: list[str], words: list[str], slop: int) -> bool:
    """Some choice of distinct positions, one per phrase word, within the slop."""
    choices = [[p for p, t in enumerate(tokens) if t == w] for w in words]
    for combo in itertools.product(*choices):
        if len(set(combo)) != len(combo):
            continue
        shifted = [p - i for i, p in enumerate(combo)]
        if max(shifted) - min(shifted) <= slop:
            return True
    return False


def _ids(ix: heron.Index, query: heron.query.Query) -> set[int]:
    with ix.searcher() as s:
        return {h["id"] for h in s.search(query, limit=None)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=docs_strategy, words=st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3),
       slop=st.integers(0, 3), parts=st.integers(1, 3))
def test_phrase_matches_brute_force(docs: list[list[str]], words: list[str], slop: int,
                                    parts: int) -> None:
    ix = _build(docs, parts)
    expected = {i for i, tokens in enumerate(docs) if _phrase_brute(tokens, words, slop)}
    assert _ids(ix, Phrase("body", words, slop=slop)) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=docs_strategy, a=st.sampled_from(VOCAB), b=st.sampled_from(VOCAB),
       parts=st.integers(1, 3), deleted=st.sets(st.integers(0, 24), max_size=8))
def test_boolean_algebra(docs: list[list[str]], a: str, b: str, parts: int,
                         deleted: set[int]) -> None:
    ix = _build(docs, parts)
    with ix.writer() as w:
        for i in deleted & set(range(len(docs))):
            w.delete_by_term("id", i)
    alive = set(range(len(docs))) - deleted
    with_a = {i for i, t in enumerate(docs) if a in t} & alive
    with_b = {i for i, t in enumerate(docs) if b in t} & alive
    with ix.searcher() as s:
        def run(q: str) -> set[int]:
            return {h["id"] for h in s.search(q, limit=None)}
        assert run(f"{a} AND {b}") == with_a & with_b
        assert run(f"{a} OR {b}") == with_a | with_b
        assert run(f"{a} -{b}") == with_a - with_b
        assert run(f"NOT {a}") == alive - with_a
        assert s.doc_count() == len(alive)
    assert _ids(ix, Term("body", a) & Term("body", b)) == with_a & with_b


QUERY_ALPHABET = st.sampled_from([
    *'ab yz:()"^~*?[]{}+-\\!&|<>=TOANDORNT09.,é东',
    " AND ", " OR ", " NOT ", " TO ", "title:", "year:", "body:",
])


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=30), st.lists(QUERY_ALPHABET, max_size=15).map("".join)))
def test_parser_returns_results_or_query_error(text: str) -> None:
    schema = heron.Schema(title=heron.TEXT(), body=heron.TEXT(), year=heron.NUMERIC())
    ix = _shared_index(schema)
    position: int | None = None
    with ix.searcher() as s:
        try:
            s.search(text)
        except heron.QueryError as exc:  # allowed, with a position inside the text
            position = exc.position
    assert position is None or 0 <= position <= len(text)


_CACHE: dict[str, heron.Index] = {}


def _shared_index(schema: heron.Schema) -> heron.Index:
    if "ix" not in _CACHE:
        ix = heron.create_index(Path(tempfile.mkdtemp()) / "ix", schema)
        with ix.writer() as w:
            w.add_documents([{"title": "ab yz", "body": "a b zz 东京", "year": 3},
                             {"title": "T0", "body": "é ab", "year": 2010}])
        _CACHE["ix"] = ix
    return _CACHE["ix"]


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook table."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            substitute = d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, substitute)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


FUZZY_WORDS = st.text(alphabet="abcé", min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(FUZZY_WORDS, min_size=1, max_size=30), probe=FUZZY_WORDS,
       distance=st.integers(0, 2), prefix=st.integers(0, 2))
def test_fuzzy_matches_brute_force(words: list[str], probe: str, distance: int,
                                   prefix: int) -> None:
    ix = _build([[w] for w in words], 2)
    expected = {i for i, w in enumerate(words)
                if _osa(probe, w) <= distance and w.startswith(probe[:prefix])}
    query = heron.query.Fuzzy("body", probe, distance, prefix_length=prefix)
    assert _ids(ix, query) == expected


@st.composite
def _edited(draw: st.DrawFn, word: str) -> str:
    """``word`` after up to three random edits (insert, delete, substitute, swap)."""
    chars = list(word)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, max(0, len(chars) - 1)))
        kind = draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
        letter = draw(st.sampled_from("abé"))
        if kind == "insert":
            chars.insert(at, letter)
        elif kind == "delete" and len(chars) > 1:
            del chars[at]
        elif kind == "substitute" and chars:
            chars[at] = letter
        elif kind == "swap" and at + 1 < len(chars):
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
    return "".join(chars)


LONG_WORDS = st.text(alphabet="abé", min_size=25, max_size=300)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), words=st.lists(st.one_of(FUZZY_WORDS, LONG_WORDS), min_size=1, max_size=12),
       distance=st.integers(0, 2), prefix=st.integers(0, 3))
def test_fuzzy_matches_brute_force_with_long_terms(data: st.DataObject, words: list[str],
                                                   distance: int, prefix: int) -> None:
    """Long terms and long words (edited copies of the terms) find exactly what OSA says."""
    variants = [data.draw(_edited(w)) for w in words]
    ix = _build([[w] for w in words], 2)
    with ix.searcher() as s:
        for probe in variants[:4]:
            expected = {i for i, w in enumerate(words)
                        if abs(len(w) - len(probe)) <= distance and _osa(probe, w) <= distance
                        and w.startswith(probe[:prefix])}
            query = heron.query.Fuzzy("body", probe, distance, prefix_length=prefix)
            assert {h["id"] for h in s.search(query, limit=None)} == expected


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "bé", "東京", "x1", " ", "  ", "\t", "AND", "OR"]),
                     max_size=8).map("".join),
       operator=st.sampled_from(["OR", "AND"]))
def test_plain_word_shortcut_matches_the_parser(text: str, operator: str) -> None:
    fast = _plain_words(text, operator)
    if fast is not None:
        assert fast == _Parser(text, operator).parse()
