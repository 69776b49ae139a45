"""Token filters: lower-casing, stop words, stemming, accent folding and n-grams."""

from __future__ import annotations

import subprocess
import sys

import pytest

from heron import SchemaError
from heron.analysis import (
    AccentFoldFilter,
    EdgeNgramFilter,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
    stem_languages,
    stop_languages,
    stop_words,
)


def test_lowercase() -> None:
    f = LowercaseFilter()
    assert f.map_word("GAZA") == "gaza"
    assert f.map_word("Ärger") == "ärger"
    assert f.map_word("МОСКВА") == "москва"  # noqa: RUF001 - Cyrillic on purpose
    assert list(f([Token("Gaza", 4, 10, 14)])) == [Token("gaza", 4, 10, 14)]


def test_stop_english_default() -> None:
    f = StopFilter()
    assert [f.map_word(w) for w in ["the", "and", "tunnel", "x", "of"]] == [
        None, None, "tunnel", None, None,
    ]


def test_stop_positions_keep_gaps() -> None:
    text = "The tunnels of Gaza and the border"
    tokens = list((RegexTokenizer() | LowercaseFilter() | StopFilter()).tokens(text))
    assert [(t.text, t.position, t.start, t.end) for t in tokens] == [
        ("tunnels", 1, 4, 11),
        ("gaza", 3, 15, 19),
        ("border", 6, 28, 34),
    ]


@pytest.mark.parametrize(
    ("language", "stop", "kept"),
    [
        ("german", "und", "haus"),
        ("french", "les", "maison"),
        ("spanish", "el", "casa"),
        ("russian", "и", "дом"),
        ("english_lucene", "such", "about"),
    ],
)
def test_stop_languages(language: str, stop: str, kept: str) -> None:
    f = StopFilter(language=language)
    assert f.map_word(stop) is None
    assert f.map_word(kept) == kept


def test_stop_lists() -> None:
    assert {"english", "german", "french", "spanish", "russian"} <= set(stop_languages())
    assert list(stop_languages()) == sorted(stop_languages())
    assert "the" in stop_words("english")
    assert "about" not in stop_words("english_lucene")
    with pytest.raises(SchemaError, match="supported: arabic, danish"):
        StopFilter(language="klingon")


def test_stop_extra_and_none() -> None:
    f = StopFilter(language=None, extra=["reuters", "said"])
    assert f.extra == frozenset({"reuters", "said"})
    assert [f.map_word(w) for w in ["reuters", "the", "said", "wheat"]] == [
        None, "the", None, "wheat",
    ]
    assert StopFilter(extra={"gaza"}).map_word("the") is None


def test_stop_sizes() -> None:
    f = StopFilter(language=None, minsize=3, maxsize=5)
    assert [f.map_word(w) for w in ["ab", "abc", "abcde", "abcdef"]] == [
        None, "abc", "abcde", None,
    ]
    assert StopFilter(language=None, minsize=1).map_word("x") == "x"
    assert StopFilter(language=None).map_word("x") is None  # minsize defaults to 2


@pytest.mark.parametrize(
    ("language", "word", "stem"),
    [  # values from nltk.stem.snowball.SnowballStemmer(language).stem(word)
        ("english", "running", "run"),
        ("english", "generously", "generous"),
        ("english", "happiness", "happi"),
        ("german", "häuser", "haus"),
        ("german", "wohnungen", "wohnung"),
        ("french", "chevaux", "cheval"),
        ("french", "nationales", "national"),
        ("spanish", "bibliotecas", "bibliotec"),
        ("spanish", "corriendo", "corr"),
        ("russian", "городов", "город"),
        ("russian", "машинами", "машин"),
        ("italian", "nazionale", "nazional"),
    ],
)
def test_stem(language: str, word: str, stem: str) -> None:
    f = StemFilter(language)
    assert f.map_word(word) == stem
    assert f.map_word(word) == stem  # the memoised answer is the same
    assert list(f([Token(word, 2, 5, 5 + len(word))])) == [Token(stem, 2, 5, 5 + len(word))]


def test_stem_languages() -> None:
    langs = stem_languages()
    assert list(langs) == sorted(langs)
    assert {"english", "german", "french", "spanish", "russian"} <= set(langs)
    assert "porter" not in langs


def test_stem_unknown_language() -> None:
    with pytest.raises(SchemaError) as info:
        StemFilter("klingon")
    message = str(info.value)
    assert "'klingon'" in message
    assert "supported: " + ", ".join(stem_languages()) in message
    assert "english" in message
    assert "german" in message


def test_stem_equality_ignores_memo() -> None:
    a, b = StemFilter("english"), StemFilter("english")
    a.map_word("tunnels")
    assert a == b
    assert hash(a) == hash(b)
    assert a != StemFilter("german")


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("café", "cafe"),
        ("Zürich", "Zurich"),
        ("naïve", "naive"),
        ("cafe\u0301", "cafe"),  # decomposed input folds the same
        ("Ångström", "Angstrom"),
        ("façade", "facade"),
        ("ﬁne", "fine"),  # NFKD also unpacks the ligature
        ("plain", "plain"),
        ("東京", "東京"),
        ("Москва", "Москва"),
    ],
)
def test_accent_fold(word: str, folded: str) -> None:
    assert AccentFoldFilter().map_word(word) == folded


def test_accent_fold_keeps_offsets_of_source() -> None:
    assert list(AccentFoldFilter()([Token("Zürich", 1, 3, 9)])) == [Token("Zurich", 1, 3, 9)]


def test_ngram_texts_and_offsets() -> None:
    tokens = list(NgramFilter(2, 3)([Token("gaza", 5, 10, 14)]))
    assert [(t.text, t.position, t.start, t.end) for t in tokens] == [
        ("ga", 5, 10, 12),
        ("gaz", 5, 10, 13),
        ("az", 5, 11, 13),
        ("aza", 5, 11, 14),
        ("za", 5, 12, 14),
    ]


def test_ngram_offsets_point_at_source() -> None:
    text = "xx Tunnel"
    ana = RegexTokenizer() | LowercaseFilter() | NgramFilter(3, 3)
    tokens = [t for t in ana.tokens(text) if t.position == 1]
    assert [t.text for t in tokens] == ["tun", "unn", "nne", "nel"]
    assert [text[t.start : t.end].lower() for t in tokens] == ["tun", "unn", "nne", "nel"]


def test_ngram_changed_length_keeps_token_offsets() -> None:
    # A filter before changed the word's length, so letters no longer line up with offsets.
    tokens = list(NgramFilter(2, 2)([Token("strasse", 0, 0, 6)]))
    assert [t.text for t in tokens] == ["st", "tr", "ra", "as", "ss", "se"]
    assert {(t.start, t.end) for t in tokens} == {(0, 6)}


def test_ngram_short_word_and_not_word_map() -> None:
    assert list(NgramFilter(3, 4)([Token("ab", 0, 0, 2)])) == []
    assert NgramFilter().word_map is False
    assert NgramFilter().to_json() == {"name": "ngram", "minsize": 2, "maxsize": 4}


@pytest.mark.parametrize(("minsize", "maxsize"), [(0, 2), (3, 2), (-1, 1)])
def test_ngram_bad_sizes(minsize: int, maxsize: int) -> None:
    with pytest.raises(SchemaError, match="minsize <= maxsize"):
        NgramFilter(minsize, maxsize)


def test_stem_languages_are_nltks() -> None:
    from nltk.stem.snowball import SnowballStemmer  # noqa: PLC0415 - heron imports it lazily

    assert set(stem_languages()) == set(SnowballStemmer.languages) - {"porter"}


def test_import_heron_does_not_import_nltk() -> None:
    code = ("import sys, heron\nheron.Schema(body=heron.TEXT())\n"
            "print('nltk' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_edge_ngram_filter() -> None:
    grams = list(EdgeNgramFilter(2, 3)([Token("gaza", 4, 10, 14), Token("a", 5, 15, 16)]))
    assert [(t.text, t.position, t.start, t.end) for t in grams] == [
        ("ga", 4, 10, 12), ("gaz", 4, 10, 13)]
    assert EdgeNgramFilter(2, 3).params() == {"minsize": 2, "maxsize": 3}
