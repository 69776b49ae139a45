"""The searcher's bounded caches: least recently used entries go first."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import heron
from heron.search._lru import LRU
from heron.search._snippets import MARKS_CACHE


def test_lru_keeps_the_most_recent() -> None:
    cache: LRU[int, str] = LRU(3)
    for i in range(3):
        cache[i] = str(i)
    assert cache.get(0) == "0"  # 0 is now the most recent
    cache[3] = "3"
    assert sorted(cache) == [0, 2, 3]
    cache[2] = "two"
    cache[4] = "4"
    assert sorted(cache.items()) == [(2, "two"), (3, "3"), (4, "4")]
    del cache[3]
    assert len(cache) == 2
    cache.clear()
    assert not cache
    with pytest.raises(ValueError, match="at least one"):
        LRU(0)


def test_highlighting_many_queries_stays_bounded(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", heron.Schema(body=heron.TEXT(stored=True)))
    with ix.writer() as w:
        w.add_document(body=" ".join(f"w{i}" for i in range(MARKS_CACHE + 20)))
    with ix.searcher() as s:
        for i in range(MARKS_CACHE + 20):
            hit = s.search(f"w{i}")[0]
            assert f">w{i}<" in hit.highlights("body")
        assert len(s._snippets._marks) == MARKS_CACHE
        first = s.search("w0")[0]
        assert ">w0<" in first.highlights("body")


def test_threads_share_one_cache() -> None:
    """A searcher's caches are shared by the threads that search with it."""
    cache: LRU[int, int] = LRU(8)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(20_000):
                key = (i * seed) % 13
                if cache.get(key) is None:
                    cache[key] = key
                if i % 1000 == 0:
                    list(cache)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (1, 3, 5, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cache) <= 8
    assert all(cache[k] == k for k in list(cache))
