"""The engines ``heron bench`` knows, by name."""

from __future__ import annotations

import re

from heron.bench._engine import Engine
from heron.bench._heron import HeronEngine
from heron.bench._tantivy import TantivyEngine
from heron.bench._whoosh import WhooshEngine

#: the engines by their plain names, in the order reports list them
ENGINE_NAMES = ("heron", "whoosh", "tantivy")
_HERON_PROCS = re.compile(r"heron-(\d+)p")


def engine(name: str, procs: int = 1) -> Engine:
    """The engine called ``name``: ``heron`` (with ``procs`` writer processes),
    ``heron-<N>p`` (N writer processes), ``whoosh`` or ``tantivy`` (one thread).

    Raises:
        ValueError: for any other name.

    >>> engine("heron-2p")
    HeronEngine(procs=2, package='heron', keywords_as_list=False)
    """
    if name == "heron":
        return HeronEngine(procs=procs)
    if match := _HERON_PROCS.fullmatch(name):
        return HeronEngine(procs=int(match.group(1)))
    if name == "whoosh":
        return WhooshEngine()
    if name == "tantivy":
        return TantivyEngine()
    raise ValueError(f"unknown engine {name!r}; known: {', '.join(ENGINE_NAMES)}, heron-<N>p")
