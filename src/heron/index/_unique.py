"""The unique values of the documents one writer adds, and which documents later ones replace.

A unique field holds each value once: a document added with a value that an earlier one
(of this writer) has replaces it. Documents still in the writer's buffer are tracked in a
dict; once they are written out (``seal``) their values move to compact sorted byte
arrays, a few bytes a document instead of a dict entry's 150, so the writer's memory does
not grow with a bulk load. Which sealed documents were replaced is found at commit, for
all of them at once, with one sort.

>>> keys = UniqueKeys()
>>> keys.add("a", 0), keys.add("b", 1)
(0, 0)
>>> keys.seal(np.array([0, 1]))
>>> keys.add("a", 2, count=True)
1
>>> keys.superseded().tolist()
[0]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

#: ends every sealed value, so that numpy's fixed-width bytes keep a value's trailing NULs
#: (0xFF never occurs in UTF-8)
_END = b"\xff"


class UniqueKeys:
    """Unique values by the sequence number of the document added with each."""

    def __init__(self) -> None:
        self._open: dict[str, int] = {}
        #: sealed values (sorted, each ending with _END) and their documents' sequence numbers
        self._sealed: list[tuple[npt.NDArray[np.bytes_], npt.NDArray[np.int64]]] = []
        self._replaced: list[int] = []
        #: values deleted by term after some document with them was sealed
        self._deleted: set[str] = set()

    def add(self, key: str, seq: int, *, count: bool = False) -> int:
        """Record document ``seq``'s value; return 1 if it replaces a live document this
        writer added (always 0 for sealed ones unless ``count``: finding them costs more)."""
        earlier = self._open.get(key)
        replaced = 0
        if earlier is not None:
            self._replaced.append(earlier)
            replaced = 1
        elif count and key not in self._deleted and self._sealed_has(key):
            replaced = 1
        self._deleted.discard(key)
        self._open[key] = seq
        return replaced

    def delete(self, key: str) -> int:
        """Forget a value deleted by term (its documents go by the deletion itself); return
        1 if a live document of this writer had it."""
        live = self._open.pop(key, None) is not None or (
            key not in self._deleted and self._sealed_has(key))
        self._deleted.add(key)
        return int(live)

    def seal(self, seqs: npt.NDArray[np.int64]) -> None:
        """Move the values of documents ``seqs`` (written out) into a compact sorted array."""
        if not self._open:
            return
        keys = list(self._open)
        numbers = np.fromiter(self._open.values(), dtype=np.int64, count=len(keys))
        moving = np.isin(numbers, seqs)
        if not moving.any():
            return
        chosen = np.flatnonzero(moving)
        values = np.array([keys[i].encode("utf-8") + _END for i in chosen.tolist()], dtype=bytes)
        order = np.argsort(values, kind="stable")
        self._sealed.append((values[order], numbers[chosen][order]))
        for i in chosen.tolist():
            del self._open[keys[i]]

    def _sealed_has(self, key: str) -> bool:
        raw = np.array(key.encode("utf-8") + _END, dtype=bytes)
        for values, _ in self._sealed:
            i = int(np.searchsorted(values, raw))
            if i < len(values) and values[i] == raw:
                return True
        return False

    def recorded(self) -> Iterator[str]:
        """Every value recorded (once per document that had it)."""
        yield from self._open
        for values, _ in self._sealed:
            for raw in values.tolist():
                yield raw[:-1].decode("utf-8")

    def superseded(self) -> npt.NDArray[np.int64]:
        """Sequence numbers of the documents a later one with the same value replaced."""
        parts = [np.asarray(self._replaced, dtype=np.int64)]
        if self._sealed:
            value_parts = [v for v, _ in self._sealed]
            seq_parts = [s for _, s in self._sealed]
            if self._open:
                value_parts.append(np.array([k.encode("utf-8") + _END for k in self._open],
                                            dtype=bytes))
                seq_parts.append(np.fromiter(self._open.values(), dtype=np.int64,
                                             count=len(self._open)))
            values, seqs = np.concatenate(value_parts), np.concatenate(seq_parts)
            order = np.lexsort((seqs, values))  # by value, then by sequence number
            values, seqs = values[order], seqs[order]
            last = np.ones(len(values), dtype=bool)
            last[:-1] = values[1:] != values[:-1]
            parts.append(seqs[~last])
        return np.unique(np.concatenate(parts))
