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

PACKAGES = ["heron", "heron.analysis", "heron.facets", "heron.highlight", "heron.index",
            "heron.query", "heron.scoring", "heron.search"]


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
