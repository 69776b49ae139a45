"""Analysis: tokenizers, filters and analyzers that turn text into indexable terms."""

from heron.analysis._analyzers import (
    FoldingAnalyzer,
    IDAnalyzer,
    KeywordAnalyzer,
    SimpleAnalyzer,
    StandardAnalyzer,
    analyzer_from_json,
)
from heron.analysis._base import Analyzer, Filter, Stage, Tokenizer
from heron.analysis._filters import (
    AccentFoldFilter,
    EdgeNgramFilter,
    LowercaseFilter,
    NgramFilter,
    StemFilter,
    StopFilter,
    stem_languages,
)
from heron.analysis._stopwords import stop_languages, stop_words
from heron.analysis._tokenizers import RegexTokenizer, SeparatorTokenizer, WholeTokenizer
from heron.analysis._tokens import Token

__all__ = [
    "AccentFoldFilter",
    "Analyzer",
    "EdgeNgramFilter",
    "Filter",
    "FoldingAnalyzer",
    "IDAnalyzer",
    "KeywordAnalyzer",
    "LowercaseFilter",
    "NgramFilter",
    "RegexTokenizer",
    "SeparatorTokenizer",
    "SimpleAnalyzer",
    "Stage",
    "StandardAnalyzer",
    "StemFilter",
    "StopFilter",
    "Token",
    "Tokenizer",
    "WholeTokenizer",
    "analyzer_from_json",
    "stem_languages",
    "stop_languages",
    "stop_words",
]
