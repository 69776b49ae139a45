"""The interface every engine adapter of ``heron bench`` offers, and what they share."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from heron.bench._fields import Doc, Field

SearchFn = Callable[[str], list[str]]
"""Runs one query and returns the ids of the hits, best first (the engine's document
numbers as strings when the documents have no id field)."""


class Engine(Protocol):
    """How to build, count and search one engine's index of a benchmark's documents.

    Adapters import their engine inside these methods, so a process loads only the engine
    it measures, and a peer that is not installed fails alone.
    """

    @property
    def package(self) -> str:
        """The distribution that must be installed (``pip install "heron[bench]"``)."""
        ...

    @property
    def keywords_as_list(self) -> bool:
        """Whether keyword fields go in as lists of tags (else one comma-separated string)."""
        ...

    @property
    def settings(self) -> str:
        """The engine's settings in a few words, for reports."""
        ...

    def load(self) -> None:
        """Import the engine's library, so that a timed build need not."""
        ...

    def build(self, path: Path, docs: Sequence[Doc], fields: Sequence[Field]) -> None:
        """Create an index at ``path`` (an empty folder) holding ``docs``, committed."""
        ...

    def count(self, path: Path) -> int:
        """The number of documents in the index at ``path``."""
        ...

    def searcher(self, path: Path, fields: Sequence[Field], top: int
                 ) -> AbstractContextManager[SearchFn]:
        """Open the index at ``path`` to search its text fields (OR of the words, BM25),
        returning the ids of the ``top`` best hits of each query."""
        ...


def installed(package: str) -> bool:
    """Whether the module of an engine's distribution can be imported."""
    return importlib.util.find_spec(package) is not None
