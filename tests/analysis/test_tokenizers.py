"""Tokenizers: tokens, positions and offsets, and agreement of the two paths."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heron import SchemaError
from heron.analysis import (
    RegexTokenizer,
    SeparatorTokenizer,
    Token,
    Tokenizer,
    WholeTokenizer,
)
from heron.analysis._tokenizers import WORD_PATTERN_V1


def triples(tokens: Iterable[Token]) -> list[tuple[str, int, int, int]]:
    return [(t.text, t.position, t.start, t.end) for t in tokens]


def test_regex_tokens_positions_offsets() -> None:
    text = "Smuggling tunnels, near Rafah!"
    assert triples(RegexTokenizer().tokenize(text)) == [
        ("Smuggling", 0, 0, 9),
        ("tunnels", 1, 10, 17),
        ("near", 2, 19, 23),
        ("Rafah", 3, 24, 29),
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Café au lait in Zürich", ["Café", "au", "lait", "in", "Zürich"]),
        ("naïve coöperation", ["naïve", "coöperation"]),
        ("東京タワー and 北京", ["東京タワー", "and", "北京"]),
        ("Москва, Санкт-Петербург", ["Москва", "Санкт", "Петербург"]),
        ("العربية لغة", ["العربية", "لغة"]),
        ("café☕bar 🐍python🐍 x", ["café", "bar", "python", "x"]),
        ("under_score 42 3.14", ["under_score", "42", "3.14"]),
        # numbers with separators and dotted acronyms stay whole (UAX #29); a final stop ends
        ("The U.S. and U.K. agreed.", ["The", "U.S", "and", "U.K", "agreed"]),
        ("1,000 dlrs or 1,000.50, e.g. 2.5%", ["1,000", "dlrs", "or", "1,000.50", "e.g", "2.5"]),
        ("red,green 7,x x,7 a.  b ..c d..e", ["red", "green", "7", "x", "x", "7", "a", "b", "c",
                                             "d", "e"]),
        ("Ünïcode.Wörds 3,14159 Café.fr", ["Ünïcode.Wörds", "3,14159", "Café.fr"]),
        ("", []),
        ("  ,;!  ", []),
    ],
)
def test_regex_unicode_offsets(text: str, words: list[str]) -> None:
    tokens = list(RegexTokenizer().tokenize(text))
    assert [t.text for t in tokens] == words
    assert [t.position for t in tokens] == list(range(len(words)))
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert RegexTokenizer().words(text) == words


def test_indexes_of_heron_0_1_keep_their_word_pattern() -> None:
    old = RegexTokenizer(WORD_PATTERN_V1)
    assert old.words("U.S. 3.14 1,000") == ["U", "S", "3", "14", "1", "000"]
    assert [t.text for t in old.tokenize("U.S. 3.14")] == ["U", "S", "3", "14"]
    assert RegexTokenizer().pattern != WORD_PATTERN_V1


def test_regex_emoji_offsets_are_code_points() -> None:
    # An astral-plane emoji counts as one character, so offsets stay on code points.
    text = "🐍🐍 tunnel"
    (tok,) = RegexTokenizer().tokenize(text)
    assert (tok.start, tok.end) == (3, 9)
    assert text[tok.start : tok.end] == "tunnel"


def test_regex_custom_pattern() -> None:
    tok = RegexTokenizer(r"[A-Z]\w*")
    assert triples(tok.tokenize("Gaza and Sinai")) == [("Gaza", 0, 0, 4), ("Sinai", 1, 9, 14)]


def test_regex_invalid_pattern() -> None:
    with pytest.raises(SchemaError, match="invalid tokenizer pattern"):
        RegexTokenizer("(unclosed")


def test_regex_words_with_capturing_group() -> None:
    tok = RegexTokenizer(r"\w+('\w+)?")
    assert [t.text for t in tok.tokenize("don't stop")] == ["don't", "stop"]
    assert tok.words("don't stop") == ["don't", "stop"]


@pytest.mark.parametrize("word", ["cafe\u0301", "हिन्दी", "مُحَمَّد"])
def test_regex_keeps_combining_marks(word: str) -> None:
    assert RegexTokenizer().words(word) == [word]


def test_separator_whitespace() -> None:
    text = " gaza\tsinai\n\u00a0egypt  "
    assert triples(SeparatorTokenizer().tokenize(text)) == [
        ("gaza", 0, 1, 5),
        ("sinai", 1, 6, 11),
        ("egypt", 2, 13, 18),
    ]


def test_separator_commas() -> None:
    text = "Gaza Strip, sinai ,,  egypt,"
    tokens = list(SeparatorTokenizer(commas=True).tokenize(text))
    assert triples(tokens) == [
        ("Gaza Strip", 0, 0, 10),
        ("sinai", 1, 12, 17),
        ("egypt", 2, 22, 27),
    ]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert SeparatorTokenizer(commas=True).words(text) == ["Gaza Strip", "sinai", "egypt"]


def test_whole_tokenizer() -> None:
    assert list(WholeTokenizer().tokenize("a-17/x y")) == [Token("a-17/x y", 0, 0, 8)]
    assert list(WholeTokenizer().tokenize("")) == []
    assert WholeTokenizer().words("") == []
    assert WholeTokenizer().words(" x ") == [" x "]


def test_params() -> None:
    assert RegexTokenizer(r"\d+").to_json() == {"name": "regex", "pattern": r"\d+"}
    assert SeparatorTokenizer(commas=True).to_json() == {"name": "separator", "commas": True}
    assert WholeTokenizer().to_json() == {"name": "whole"}


TOKENIZERS = [
    RegexTokenizer(),
    RegexTokenizer(r"[^\W\d]+"),
    SeparatorTokenizer(),
    SeparatorTokenizer(commas=True),
    WholeTokenizer(),
]


#: arbitrary text, rich in separators and odd white space (\x1c is white space to str.isspace)
TEXTS = st.text(st.one_of(st.sampled_from(" ,\t\n\u00a0\u2028\x1c_'"), st.characters()))


@pytest.mark.parametrize("tokenizer", TOKENIZERS, ids=repr)
@given(text=TEXTS)
def test_words_agree_with_tokenize(tokenizer: Tokenizer, text: str) -> None:
    tokens = list(tokenizer.tokenize(text))
    assert tokenizer.words(text) == [t.text for t in tokens]
    assert [t.position for t in tokens] == list(range(len(tokens)))
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert all(a.end <= b.start for a, b in itertools.pairwise(tokens))
