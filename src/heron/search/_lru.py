"""A bounded mapping that forgets the least recently used entry first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator, MutableMapping
from typing import TypeVar

from heron.errors import ArgumentError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(MutableMapping[K, V]):
    """A mapping of at most ``maxsize`` entries; a look-up or store makes an entry the
    most recent, and storing past the bound drops the least recent. Safe to share
    between threads (a searcher's caches are).

    >>> cache: LRU[str, int] = LRU(2)
    >>> cache["a"], cache["b"] = 1, 2
    >>> cache["a"]
    1
    >>> cache["c"] = 3
    >>> sorted(cache)
    ['a', 'c']
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ArgumentError(f"an LRU cache holds at least one entry, got {maxsize}")
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, key: K) -> V:
        with self._lock:
            value = self._data[key]
            self._data.move_to_end(key)
            return value

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        """The value of ``key`` (now the most recent), or ``default``."""
        with self._lock:
            data = self._data
            if key not in data:
                return default
            data.move_to_end(key)
            return data[key]

    def __setitem__(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def __delitem__(self, key: K) -> None:
        with self._lock:
            del self._data[key]

    def __iter__(self) -> Iterator[K]:
        with self._lock:
            return iter(list(self._data))  # a snapshot: reading entries reorders them

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"LRU(maxsize={self.maxsize}, entries={len(self._data)})"
