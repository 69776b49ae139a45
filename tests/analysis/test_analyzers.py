"""Analyzers: composition with ``|``, value semantics, JSON form and ready-made analyzers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron import SchemaError
from heron.analysis import (
    AccentFoldFilter,
    Analyzer,
    EdgeNgramFilter,
    Filter,
    FoldingAnalyzer,
    IDAnalyzer,
    KeywordAnalyzer,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    SeparatorTokenizer,
    SimpleAnalyzer,
    Stage,
    StandardAnalyzer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
    WholeTokenizer,
    analyzer_from_json,
)
from heron.analysis._analyzers import STAGES
from heron.analysis._tokenizers import WORD_PATTERN


class SynonymFilter(Filter):
    """A user's filter on the token path: adds synonyms at the same position."""

    SYNONYMS: ClassVar[dict[str, str]] = {"tunnel": "passage", "gaza": "ghazzah"}

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for tok in tokens:
            yield tok
            if tok.text in self.SYNONYMS:
                yield Token(self.SYNONYMS[tok.text], tok.position, tok.start, tok.end)


def test_composition() -> None:
    ana = RegexTokenizer() | LowercaseFilter() | StopFilter()
    assert ana.stages == (RegexTokenizer(), LowercaseFilter(), StopFilter())
    assert ana.tokenizer == RegexTokenizer()
    assert ana.filters == (LowercaseFilter(), StopFilter())
    assert ana.word_map is True
    assert (ana | StemFilter()).stages[-1] == StemFilter()
    assert ana.terms("The Tunnels of GAZA") == ["tunnels", "gaza"]
    assert Analyzer((WholeTokenizer(),)).terms("A b") == ["A b"]


def test_composition_rejects_misplaced_stages() -> None:
    with pytest.raises(SchemaError, match="starts with a tokenizer"):
        Analyzer((LowercaseFilter(),))
    with pytest.raises(SchemaError, match="starts with a tokenizer"):
        Analyzer(())
    with pytest.raises(SchemaError, match="not a filter"):
        Analyzer((RegexTokenizer(), WholeTokenizer()))
    with pytest.raises(TypeError):
        RegexTokenizer() | WholeTokenizer()  # type: ignore[operator]


def test_equality_hash_repr() -> None:
    a = RegexTokenizer(r"\w+") | LowercaseFilter() | StemFilter("german")
    b = RegexTokenizer(r"\w+") | LowercaseFilter() | StemFilter("german")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, StandardAnalyzer()}) == 2
    assert a != RegexTokenizer(r"\w+") | LowercaseFilter() | StemFilter("french")
    assert a != RegexTokenizer(r"\d+") | LowercaseFilter() | StemFilter("german")
    assert repr(a) == (
        "Analyzer(stages=(RegexTokenizer(pattern='\\\\w+'), LowercaseFilter(), "
        "StemFilter(language='german', implementation='nltk')))"
    )
    with pytest.raises(AttributeError):
        a.stages = ()  # type: ignore[misc]


EVERY_STAGE = [
    RegexTokenizer(r"[a-z]+"),
    SeparatorTokenizer(commas=True),
    WholeTokenizer(),
    LowercaseFilter(),
    StopFilter(language="french", extra=["zut", "alors"], minsize=1, maxsize=20),
    StopFilter(language=None),
    StemFilter("spanish"),
    AccentFoldFilter(),
    NgramFilter(1, 3),
    EdgeNgramFilter(2, 5),
]


def test_every_stage_is_registered() -> None:
    assert {type(s) for s in EVERY_STAGE} == set(STAGES.values())
    assert all(STAGES[cls.name] is cls for cls in STAGES.values())


@pytest.mark.parametrize("stage", EVERY_STAGE, ids=repr)
def test_json_round_trip(stage: Stage) -> None:
    ana = Analyzer((stage,)) if isinstance(stage, Tokenizer) else RegexTokenizer() | stage
    data = ana.to_json()
    assert data[-1]["name"] == stage.name
    back = analyzer_from_json(data)
    assert back == ana
    assert back.terms("Señores Tunnels, zut alors!") == ana.terms("Señores Tunnels, zut alors!")


def test_json_form() -> None:
    ana = StandardAnalyzer("german", minsize=3)
    assert ana.to_json() == [
        {"name": "regex", "pattern": WORD_PATTERN},
        {"name": "lowercase"},
        {"name": "stop", "language": "german", "extra": [], "minsize": 3, "maxsize": None},
        {"name": "stem", "language": "german"},
    ]
    assert analyzer_from_json(ana.to_json()) == ana


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([{"name": "soundex"}], "unknown analysis stage"),
        ([{"pattern": "x"}], "unknown analysis stage"),
        (["regex"], "unknown analysis stage"),
        ([], "non-empty list"),
        ({"name": "regex"}, "non-empty list"),
        ([{"name": "regex", "colour": "red"}], "bad parameters for stage 'regex'"),
        ([{"name": "lowercase"}], "starts with a tokenizer"),
        ([{"name": "regex"}, {"name": "stem", "language": "klingon"}], "no stemmer"),
    ],
)
def test_json_errors(data: object, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        analyzer_from_json(data)


def test_json_unhashable_stage_name() -> None:
    with pytest.raises(SchemaError, match="unknown analysis stage"):
        analyzer_from_json([{"name": ["regex"]}])


def test_user_filter_cannot_be_rebuilt_from_json() -> None:
    data = (RegexTokenizer() | SynonymFilter()).to_json()
    assert data[-1] == {"name": ""}
    with pytest.raises(SchemaError, match="must be given again"):
        analyzer_from_json(data)


def test_user_filter_on_token_path() -> None:
    ana = RegexTokenizer() | LowercaseFilter() | SynonymFilter() | StemFilter()
    assert ana.word_map is False
    tokens = list(ana.tokens("Tunnel near Gaza"))
    assert [(t.text, t.position, t.start, t.end) for t in tokens] == [
        ("tunnel", 0, 0, 6),
        ("passag", 0, 0, 6),
        ("near", 1, 7, 11),
        ("gaza", 2, 12, 16),
        ("ghazzah", 2, 12, 16),
    ]
    assert ana.terms("Tunnel near Gaza") == ["tunnel", "passag", "near", "gaza", "ghazzah"]


def test_standard_analyzer() -> None:
    assert StandardAnalyzer().terms("The smuggling tunnels of Gaza") == ["smuggl", "tunnel", "gaza"]
    assert StandardAnalyzer(stem=False).terms("The tunnels of Gaza") == ["tunnels", "gaza"]
    assert StandardAnalyzer(None).terms("The tunnels of a Gaza") == ["the", "tunnels", "of", "gaza"]
    assert StandardAnalyzer(minsize=1).terms("x marks the spot") == ["x", "mark", "spot"]


def test_standard_analyzer_german() -> None:
    ana = StandardAnalyzer(language="german")
    assert ana.stages[-1] == StemFilter("german")
    assert ana.terms("Die Häuser und die Wohnungen der Katzen") == ["haus", "wohnung", "katz"]


def test_other_ready_made_analyzers() -> None:
    assert SimpleAnalyzer().terms("A Tunnel, the END") == ["a", "tunnel", "the", "end"]
    assert KeywordAnalyzer().terms("Gaza Sinai") == ["Gaza", "Sinai"]
    assert KeywordAnalyzer(commas=True, lowercase=True).terms("Gaza Strip, Sinai") == [
        "gaza strip", "sinai",
    ]
    assert IDAnalyzer().terms("A-17") == ["A-17"]
    assert IDAnalyzer(lowercase=True).terms("A-17") == ["a-17"]
    assert FoldingAnalyzer().terms("The naïve cafés") == ["naiv", "cafe"]
    assert FoldingAnalyzer(None).terms("Café a Zürich") == ["cafe", "zurich"]


@pytest.mark.parametrize(("language", "text"), [("german", "für über"), ("french", "même été")])
def test_folding_analyzer_removes_accented_stop_words(language: str, text: str) -> None:
    assert StandardAnalyzer(language).terms(text) == []
    assert FoldingAnalyzer(language).terms(text) == []


WORD_MAP_ANALYZERS = [
    StandardAnalyzer(),
    StandardAnalyzer("russian"),
    FoldingAnalyzer("french"),
    SimpleAnalyzer(),
    KeywordAnalyzer(commas=True, lowercase=True),
    IDAnalyzer(),
    RegexTokenizer() | StopFilter(language=None, minsize=3, maxsize=6),
]


@pytest.mark.parametrize("analyzer", WORD_MAP_ANALYZERS, ids=lambda a: str(a.to_json()))
@settings(deadline=None)  # the first words a Snowball stemmer sees can be slow
@given(text=st.text(st.one_of(st.sampled_from(" ,.'ÄéİßΣ"), st.characters())))
def test_terms_equal_token_path(analyzer: Analyzer, text: str) -> None:
    assert analyzer.word_map
    tokens = list(analyzer.tokens(text))
    assert analyzer.terms(text) == [t.text for t in tokens]
    assert [t.position for t in tokens] == sorted({t.position for t in tokens})


@pytest.mark.parametrize(
    "stage",
    [
        {"name": "stop", "minsize": None},
        {"name": "stop", "maxsize": "7"},
        {"name": "stop", "extra": [1, 2]},
        {"name": "stop", "language": 3},
        {"name": "stem", "language": ["english"]},
        {"name": "regex", "pattern": 5},
        {"name": "separator", "commas": "yes"},
    ],
)
def test_stage_parameters_of_the_wrong_type_are_schema_errors(stage: dict[str, object]) -> None:
    """A schema read from an index must fail when it is read, not when text is analysed."""
    with pytest.raises(SchemaError, match=f"bad parameters for stage '{stage['name']}': '"):
        analyzer_from_json([stage])
