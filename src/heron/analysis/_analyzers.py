"""Ready-made analyzers and the JSON form that stores any analyzer in an index."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from heron.analysis._base import Analyzer, Stage
from heron.analysis._filters import (
    AccentFoldFilter,
    EdgeNgramFilter,
    LowercaseFilter,
    NgramFilter,
    StemFilter,
    StopFilter,
)
from heron.analysis._tokenizers import RegexTokenizer, SeparatorTokenizer, WholeTokenizer
from heron.errors import SchemaError

#: Stage classes by the name they are stored under.
STAGES: Mapping[str, type[Stage]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (
            RegexTokenizer,
            SeparatorTokenizer,
            WholeTokenizer,
            LowercaseFilter,
            StopFilter,
            StemFilter,
            AccentFoldFilter,
            NgramFilter,
            EdgeNgramFilter,
        )
    }
)


def StandardAnalyzer(  # noqa: N802 - reads as a class, like Whoosh's
    language: str | None = "english", *, stem: bool = True, minsize: int = 2,
    stemmer: str = "nltk",
) -> Analyzer:
    """Words, lower-cased, without stop words, stemmed with Snowball for ``language``.

    ``language=None`` gives the same without stop words or stemming; ``stemmer`` is the
    :class:`StemFilter`'s implementation (``"pystemmer"``: the compiled one, an extra).

    >>> StandardAnalyzer().terms("The smuggling tunnels of Gaza")
    ['smuggl', 'tunnel', 'gaza']
    """
    ana = RegexTokenizer() | LowercaseFilter()
    if language is None:
        return ana | StopFilter(language=None, minsize=minsize)
    ana = ana | StopFilter(language=language, minsize=minsize)
    return ana | StemFilter(language, implementation=stemmer) if stem else ana


def SimpleAnalyzer() -> Analyzer:  # noqa: N802
    """Words, lower-cased, nothing removed.

    >>> SimpleAnalyzer().terms("A Tunnel")
    ['a', 'tunnel']
    """
    return RegexTokenizer() | LowercaseFilter()


def KeywordAnalyzer(*, commas: bool = False, lowercase: bool = False) -> Analyzer:  # noqa: N802
    """Whole keywords separated by commas or white space, optionally lower-cased.

    >>> KeywordAnalyzer(commas=True).terms("Gaza Strip, Sinai")
    ['Gaza Strip', 'Sinai']
    """
    tokenizer = SeparatorTokenizer(commas=commas)
    return tokenizer | LowercaseFilter() if lowercase else Analyzer((tokenizer,))


def IDAnalyzer(*, lowercase: bool = False) -> Analyzer:  # noqa: N802
    """The whole value as one term.

    >>> IDAnalyzer().terms("A-17")
    ['A-17']
    """
    tokenizer = WholeTokenizer()
    return tokenizer | LowercaseFilter() if lowercase else Analyzer((tokenizer,))


def FoldingAnalyzer(  # noqa: N802
    language: str | None = "english", *, stemmer: str = "nltk"
) -> Analyzer:
    """:func:`StandardAnalyzer` with accents folded after stop words, before stemming
    (``stemmer``: the :class:`StemFilter`'s implementation).

    >>> FoldingAnalyzer(None).terms("Café Zürich")
    ['cafe', 'zurich']
    >>> FoldingAnalyzer("german").terms("für Häuser")
    ['haus']
    """
    ana = RegexTokenizer() | LowercaseFilter() | StopFilter(language=language)
    ana = ana | AccentFoldFilter()
    if language is None:
        return ana
    return ana | StemFilter(language, implementation=stemmer)


def analyzer_from_json(data: Any) -> Analyzer:
    """Rebuild an analyzer from :meth:`Analyzer.to_json` output.

    Raises:
        SchemaError: the description names an unknown stage or bad parameters.
        MissingDependencyError: a stage needs an optional package that is not installed
            (a stem filter recorded with PyStemmer).
    """
    if not isinstance(data, list) or not data:
        raise SchemaError(f"an analyzer is a non-empty list of stages, got {data!r}")
    stages = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or (
            item["name"] not in STAGES
        ):
            raise SchemaError(
                f"unknown analysis stage {item!r}; a custom analyzer must be given again "
                "when the index is opened (open_index(path, schema=...))"
            )
        params = {k: v for k, v in item.items() if k != "name"}
        try:
            stages.append(STAGES[item["name"]](**params))
        except TypeError as exc:  # attrs validators put the message first
            why = exc.args[0] if exc.args and isinstance(exc.args[0], str) else exc
            raise SchemaError(f"bad parameters for stage {item['name']!r}: {why}") from None
    return Analyzer(tuple(stages))
