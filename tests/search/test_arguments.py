"""Arguments of ``Searcher.search`` are checked: a wrong one raises a heron error that is
also a TypeError (wrong type) or ValueError (wrong value)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import heron


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> heron.Searcher:
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT())
    path: Path = tmp_path_factory.mktemp("args") / "ix"
    ix = heron.create_index(path, schema)
    with ix.writer() as w:
        w.add_documents([{"id": "a", "body": "oil"}, {"id": "b", "body": "oil gas"}])
    return ix.searcher()


@pytest.mark.parametrize("kwargs", [
    {"limit": 2.5}, {"limit": "5"}, {"limit": True}, {"offset": 1.5}, {"offset": "1"},
    {"offset": None}, {"max_expansions": "10"}, {"max_expansions": 2.0},
    {"default_operator": 1}, {"lenient": "yes"}, {"lenient": None}, {"fields": "body"},
    {"fields": [1]},
])
def test_wrong_types(searcher: heron.Searcher, kwargs: dict[str, Any]) -> None:
    with pytest.raises(heron.ArgumentTypeError) as info:
        searcher.search("oil", **kwargs)
    assert isinstance(info.value, heron.HeronError)
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, heron.ArgumentError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("kwargs", [
    {"limit": -1}, {"offset": -1}, {"max_expansions": 0}, {"max_expansions": -5},
    {"default_operator": "XOR"},
])
def test_wrong_values(searcher: heron.Searcher, kwargs: dict[str, Any]) -> None:
    with pytest.raises(heron.ArgumentError) as info:
        searcher.search("oil", **kwargs)
    assert isinstance(info.value, heron.HeronError)
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, TypeError)


def test_right_arguments(searcher: heron.Searcher) -> None:
    assert len(searcher.search("oil", limit=np.int64(1), offset=np.int32(1))) == 1
    assert searcher.search("oil", limit=None, default_operator="and").total == 2
    assert searcher.search("oil", limit=0).total == 2
    assert searcher.search("oil", fields=("body",), max_expansions=5).total == 2
