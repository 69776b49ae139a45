"""Each public package declares its API: a sorted ``__all__`` equal to what it re-exports."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

import heron

PACKAGES = ["heron", "heron.analysis", "heron.bench", "heron.facets", "heron.highlight",
            "heron.index", "heron.migrate", "heron.query", "heron.scoring", "heron.search"]


def package(name: str) -> tuple[ModuleType, ast.Module]:
    module = importlib.import_module(name)
    return module, ast.parse(Path(module.__file__ or "").read_text("utf-8"))


def isort_key(name: str) -> tuple[int, list[str | int]]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then the rest, each in natural order."""
    kind = 0 if name.upper() == name and len(name) > 1 else 1 if name[0].isupper() else 2
    return kind, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def bound_names(tree: ast.Module) -> set[str]:
    """Public names that the package's own top-level statements bind."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
    return {n for n in names if not n.startswith("_")}


def test_isort_key() -> None:
    names = ["parse", "Term", "STAGES", "BM25", "BM3", "Schema", "SchemaError", "And", "ID"]
    assert sorted(names, key=isort_key) == [
        "BM3", "BM25", "ID", "STAGES", "And", "Schema", "SchemaError", "Term", "parse",
    ]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted(name: str) -> None:
    module, _ = package(name)
    assert module.__all__ == sorted(module.__all__, key=isort_key)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_reexports(name: str) -> None:
    module, tree = package(name)
    assert len(set(module.__all__)) == len(module.__all__)
    assert set(module.__all__) == bound_names(tree)
    for item in module.__all__:
        assert hasattr(module, item), f"{name}.{item} is in __all__ but does not exist"


@pytest.mark.parametrize("name", PACKAGES)
def test_no_public_name_left_out(name: str) -> None:
    module, _ = package(name)
    public = {
        key for key, value in vars(module).items()
        if not key.startswith("_") and not inspect.ismodule(value)
    }
    assert public <= set(module.__all__)


@pytest.mark.parametrize("name", PACKAGES)
def test_init_defines_nothing(name: str) -> None:
    _, tree = package(name)
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert defined == []


def test_top_level_api() -> None:
    assert {"Schema", "TEXT", "create_index", "open_index", "parse", "BM25", "HeronError",
            "Searcher", "analysis"} <= set(heron.__all__)
    assert heron.Schema is importlib.import_module("heron.schema").Schema
    assert heron.analysis.StandardAnalyzer is importlib.import_module(
        "heron.analysis._analyzers").StandardAnalyzer
    assert heron.__version__ == importlib.metadata.version("heron")


#: the declared API of each package: a change here is a change users see (the internals
#: other layers need come from the private modules, e.g. ``heron.index._arrays``)
PINNED = {
    "heron": [
        "BM25", "BOOLEAN", "DATETIME", "ID", "KEYWORD", "NGRAM", "NGRAMWORDS", "NUMERIC",
        "STORED", "TEXT", "ArgumentError", "ArgumentTypeError", "CorruptIndexError",
        "FieldType", "HeronError", "Hit", "Index", "IndexAccessError", "IndexExistsError",
        "IndexNotFoundError", "IndexReader", "IndexWriter", "InputError", "LockError",
        "MissingDependencyError", "MissingFileError", "Problem", "QueryError",
        "QueryParser", "QueryWarning", "Results", "ResultsPage", "Schema", "SchemaError",
        "Searcher", "SearcherClosedError", "StorageError", "UnknownFieldError",
        "UnknownQueryFieldError", "WorkerError", "WriterClosedError", "analysis",
        "check_index", "create_index", "exists_in", "facets", "highlight", "index",
        "migrate", "open_index", "parse", "query", "search",
    ],
    "heron.analysis": [
        "AccentFoldFilter", "Analyzer", "EdgeNgramFilter", "Filter", "FoldingAnalyzer",
        "IDAnalyzer", "KeywordAnalyzer", "LowercaseFilter", "NgramFilter", "RegexTokenizer",
        "SeparatorTokenizer", "SimpleAnalyzer", "Stage", "StandardAnalyzer", "StemFilter",
        "StopFilter", "Token", "Tokenizer", "WholeTokenizer", "analyzer_from_json",
        "stem_languages", "stop_languages", "stop_words",
    ],
    "heron.bench": [
        "ENGINE_NAMES", "STOP_WORDS", "Doc", "Engine", "Field", "HeronEngine", "Panel",
        "SearchFn", "TantivyEngine", "WhooshEngine", "add_arguments", "bar_panels",
        "child_main", "dir_size", "draw_queries", "engine", "git_commit", "grouped_bars",
        "id_field", "infer_fields", "installed", "line_chart", "main", "measure_build",
        "measure_search", "normalize", "package_version", "peak_rss_mb", "percentile",
        "query_words", "read_jsonl", "run", "run_child", "run_info", "text_fields",
        "text_megabytes", "write_record",
    ],
    "heron.facets": ["DateBuckets", "Facet", "Field", "Range"],
    "heron.highlight": [
        "AnsiFormatter", "ContextFragmenter", "Formatter", "Fragment", "Fragmenter",
        "HtmlFormatter", "SentenceFragmenter", "Span", "TextFormatter", "WholeFragmenter",
    ],
    "heron.index": [
        "FORMAT_VERSION", "IndexReader", "IndexWriter", "Manifest", "Matcher", "Problem",
        "SegmentEntry", "SegmentReader",
    ],
    "heron.migrate": ["MigrationReport", "from_whoosh"],
    "heron.query": [
        "MAX_BOOST", "MAX_CLAUSES", "MAX_DEPTH", "MAX_EXPANSIONS", "MAX_SLOP", "SYNTAX",
        "And", "AndMaybe", "Context", "Every", "Fuzzy", "Marks", "Matches",
        "MultiFieldTerm", "MultiTerm", "Not", "NumericRange", "Or", "Phrase", "PhraseSpan",
        "Prefix", "Query", "QueryParser", "QueryWarning", "Range", "Term", "TermRange",
        "Weight", "Wildcard", "parse", "parse_lenient", "parse_syntax",
    ],
    "heron.scoring": [
        "BM25", "BM25F", "TFIDF", "BM25FScorer", "BM25Scorer", "Explanation", "FieldStats",
        "Frequency", "FunctionScoring", "JointScorer", "Scoring", "TermScorer", "sum_of",
    ],
    "heron.search": ["Hit", "Results", "ResultsPage", "Searcher"],
}


def test_pinned_covers_every_package() -> None:
    assert sorted(PINNED) == sorted(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_pinned(name: str) -> None:
    module, _ = package(name)
    assert module.__all__ == PINNED[name]


def test_every_exception_is_importable_from_heron() -> None:
    errors = importlib.import_module("heron.errors")
    for name, obj in vars(errors).items():
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert name in heron.__all__
            assert getattr(heron, name) is obj
