"""Splitting ASCII texts into words and numbering the distinct words, in one compiled pass.

The batch path of indexing spends most of its time on two things per word: the regular
expression that finds it, and the dictionary look-up that gives its number. For ASCII
text :class:`WordTable` does both in one pass of a numba kernel over the texts' bytes: it
finds the words exactly as heron's default word patterns do on ASCII text (see
:data:`RULES`) and looks each one up in a hash table of the words it has seen, numbering
new ones in order of first sight. The caller turns the few new words into strings and
analyses them; every other word costs a few machine instructions.

The functions named with a leading underscore are the kernels: plain Python that numba
compiles (``build`` in :mod:`heron._kernels._numba`); they are not called uncompiled.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

#: the word rules the kernel knows, by name: ``runs`` is ``\w+`` (heron 0.1's pattern) and
#: ``joined`` also joins two runs over a full stop, or over a comma between digits
#: (``U.S``, ``3.14``, ``1,000``), as ``heron.analysis.WORD_PATTERN`` does on ASCII text
RULES = ("runs", "joined")

#: a byte's class: 0 no word character, 1 a letter or ``_``, 2 a digit (``\w`` on ASCII)
BYTE_CLASSES = np.zeros(256, dtype=np.uint8)
BYTE_CLASSES[np.frombuffer((string.ascii_letters + "_").encode(), dtype=np.uint8)] = 1
BYTE_CLASSES[np.frombuffer(string.digits.encode(), dtype=np.uint8)] = 2
BYTE_CLASSES.flags.writeable = False

_FULL_STOP = 46
_COMMA = 44
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
#: the table's slots are kept at most this full (then it grows)
_LOAD = 0.5


def _split_texts(  # noqa: PLR0912, PLR0915, PLR0917 - one pass; numba takes no objects
        data: Any, starts: Any, classes: Any, joined: bool, slots: Any, entries: Any,
        room: int, arena: Any, sizes: Any, out: Any, counts: Any,
) -> Any:  # pragma: no cover - compiled (numba)
    """Split texts ``data[starts[i]:starts[i + 1] - 1]`` into words and number them.

    ``entries`` holds, per distinct word, its start in ``arena``, its length and its hash;
    ``slots`` (a power of two long) an entry's number plus one, or 0; at most ``room``
    entries are used (see ``WordTable._room``). ``sizes`` holds the
    entries and arena bytes used (updated), and the length of a new word that did not fit.
    Each word's entry number goes to ``out`` and each text's word count to ``counts``.
    When a new word does not fit, stops before its text (the text's words are found again
    after the table grows); returns (texts done, words written).
    """
    mask = len(slots) - 1
    used, filled = sizes[0], sizes[1]
    written = 0
    for i in range(len(starts) - 1):
        start, end = starts[i], starts[i + 1] - 1
        text_written = written
        found = 0
        p = start
        while p < end:
            if classes[data[p]] == 0:
                p += 1
                continue
            first = p
            while p < end and classes[data[p]] != 0:
                p += 1
            while joined and p + 1 < end:
                c = data[p]
                if (c == _FULL_STOP and classes[data[p + 1]] != 0) or (
                        c == _COMMA and classes[data[p - 1]] == 2 and classes[data[p + 1]] == 2):
                    p += 2
                    while p < end and classes[data[p]] != 0:
                        p += 1
                else:
                    break
            h = _FNV_OFFSET
            for q in range(first, p):
                h = (h ^ np.uint64(data[q])) * _FNV_PRIME
            length = p - first
            slot = np.int64(h & np.uint64(mask))
            while True:
                e = slots[slot] - 1
                if e < 0:
                    if used >= room or filled + length > len(arena):
                        sizes[0], sizes[1], sizes[2] = used, filled, length
                        return i, text_written
                    e = used
                    entries[e, 0], entries[e, 1], entries[e, 2] = filled, length, np.int64(h)
                    arena[filled : filled + length] = data[first:p]
                    filled += length
                    used += 1
                    slots[slot] = e + 1
                    break
                if entries[e, 2] == np.int64(h) and entries[e, 1] == length:
                    at = entries[e, 0]
                    same = True
                    for q in range(length):
                        if arena[at + q] != data[first + q]:
                            same = False
                            break
                    if same:
                        break
                slot = (slot + 1) & mask
            out[written] = e
            written += 1
            found += 1
        counts[i] = found
    sizes[0], sizes[1] = used, filled
    return len(starts) - 1, written


def _place(slots: Any, entries: Any, used: int) -> None:  # pragma: no cover - compiled (numba)
    """Put the first ``used`` entries into empty ``slots`` by their hashes."""
    mask = len(slots) - 1
    for e in range(used):
        slot = np.int64(np.uint64(entries[e, 2]) & np.uint64(mask))
        while slots[slot] != 0:
            slot = (slot + 1) & mask
        slots[slot] = e + 1


Split = Callable[..., tuple[int, int]]
Place = Callable[..., None]


class WordTable:
    """The distinct words of ASCII texts in compiled arrays, numbered as first seen.

    ``split`` and ``place`` are :func:`_split_texts` and :func:`_place` compiled; ``rule``
    one of :data:`RULES`. The table grows as needed.
    """

    def __init__(self, split: Split, place: Place, rule: str) -> None:
        if rule not in RULES:
            raise ValueError(f"unknown word rule {rule!r}; known: {', '.join(RULES)}")
        self._split = split
        self._place = place
        self._joined = rule == "joined"
        self._slots = np.zeros(1 << 10, dtype=np.int64)
        self._entries = np.zeros((1 << 9, 3), dtype=np.int64)
        self._arena = np.zeros(1 << 12, dtype=np.uint8)
        self._sizes = np.zeros(3, dtype=np.int64)

    def __len__(self) -> int:
        return int(self._sizes[0])

    @property
    def nbytes(self) -> int:
        """The bytes its arrays take."""
        return self._slots.nbytes + self._entries.nbytes + self._arena.nbytes

    def split(self, texts: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The entry number of every word of ``texts`` (each ASCII), one text after
        another, and each text's word count. New words are numbered after the table's
        :func:`len` before the call; :meth:`words` gives them."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        starts = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths + 1, out=starts[1:])  # each text and the separator after it
        data = np.frombuffer("\n".join(texts).encode("ascii"), dtype=np.uint8)
        out = np.empty(int(starts[-1]) // 2 + 1, dtype=np.int64)  # at most a word per 2 bytes
        counts = np.zeros(len(texts), dtype=np.int64)
        done = written = 0
        while done < len(texts):
            part = starts[done:] - starts[done]
            texts_done, words = self._split(data[starts[done]:], part, BYTE_CLASSES,
                                            self._joined, self._slots, self._entries,
                                            self._room(), self._arena, self._sizes,
                                            out[written:], counts[done:])
            done, written = done + texts_done, written + words
            if done < len(texts):  # grow for the word that did not fit, then go on
                self._grow(int(self._sizes[2]))
        return out[:written], counts

    def words(self, first: int) -> list[str]:
        """The words of the entries from ``first`` on, in order."""
        entries = self._entries[first : len(self)]
        if not len(entries):
            return []
        start = int(entries[0, 0])
        text = self._arena[start : int(entries[-1, 0] + entries[-1, 1])].tobytes().decode("ascii")
        ends = (entries[:, 0] - start + entries[:, 1]).tolist()
        return [text[a:b] for a, b in zip((entries[:, 0] - start).tolist(), ends, strict=True)]

    def _room(self) -> int:
        """The entries the table may hold before it grows (slots at most half full)."""
        return min(len(self._entries), int(len(self._slots) * _LOAD))

    def _grow(self, word: int) -> None:
        """Room for one more entry and a new word of ``word`` bytes: twice the entries
        (and slots) when they are full, twice the arena (or more) when it is."""
        used, filled = int(self._sizes[0]), int(self._sizes[1])
        if used >= self._room():
            size = 2 * len(self._entries)
            entries = np.zeros((size, 3), dtype=np.int64)
            entries[:used] = self._entries[:used]
            self._entries = entries
            self._slots = np.zeros(2 * size, dtype=np.int64)
            self._place(self._slots, self._entries, used)
        if filled + word > len(self._arena):
            size = 2 * len(self._arena)
            while size < filled + word:
                size *= 2
            arena = np.zeros(size, dtype=np.uint8)
            arena[:filled] = self._arena[:filled]
            self._arena = arena
