"""The term dictionary of a segment: sorted terms found by a 64-bit key and a byte compare.

Each look-up searches the keys of its field's term range only, so a key need not hold
the field: format 2 keys a term by its first 8 bytes; format 1 (still read) by the field
number in the top byte and the first 7 bytes (see :data:`heron.index._format.TERM_KEYS`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from heron.errors import CorruptIndexError
from heron.index._files import Container
from heron.index._format import TERM_KEYS, TERMS_BLOB, TERMS_KEYS, TERMS_OFFSETS, term_key_2


def lookup_bytes(text: str) -> bytes:
    """The UTF-8 bytes a term is looked up by, lone surrogates encoded as their code points.

    No stored term holds a lone surrogate, so such a term finds nothing and sorts where
    its code point does (between U+D7FF and U+E000) instead of raising.
    """
    return text.encode("utf-8", "surrogatepass")


class TermDictionary:
    """Looks terms up in one segment's ``terms.*`` arrays."""

    def __init__(self, container: Container, ranges: dict[str, list[int]],
                 field_nos: dict[str, int]) -> None:
        self._c = container
        self._ranges = ranges
        self._field_nos = field_nos
        segment_format = str(container.meta.get("format"))
        if segment_format not in TERM_KEYS:
            raise CorruptIndexError(f"{container.path}: unknown segment format "
                                    f"{segment_format!r}")
        self._key_function, self._key_bytes = TERM_KEYS[segment_format]

    def __len__(self) -> int:
        return len(self._c.array(TERMS_KEYS))

    def term_bytes(self, number: int) -> bytes:
        """The UTF-8 bytes of term ``number``."""
        offsets = self._c.array(TERMS_OFFSETS)
        start, end = int(offsets[number]), int(offsets[number + 1])
        return self._c.array(TERMS_BLOB)[start:end].tobytes()

    def term(self, number: int) -> str:
        """The text of term ``number``."""
        return self.term_bytes(number).decode("utf-8", "replace")

    def field_range(self, field: str) -> tuple[int, int]:
        """The term numbers ``[start, stop)`` of a field (empty if it has none here)."""
        lo, hi = self._ranges.get(field, (0, 0))
        return int(lo), int(hi)

    def _key(self, field: str, raw: bytes) -> np.uint64:
        return np.uint64(self._key_function(self._field_nos.get(field, 0), raw))

    def find(self, field: str, term: str) -> int:
        """The number of ``term`` in ``field``, or -1 if the segment lacks it."""
        start, stop = self.field_range(field)
        if start == stop:
            return -1
        raw = lookup_bytes(term)
        keys = self._c.array(TERMS_KEYS)[start:stop]
        key = self._key(field, raw)
        lo = int(keys.searchsorted(key, side="left"))
        if lo >= len(keys) or keys[lo] != key:
            return -1
        lo += start
        if len(raw) <= self._key_bytes and self.term_bytes(lo) == raw:
            return lo  # the common case: the key holds the whole term, found at once
        hi = int(keys.searchsorted(key, side="right")) + start
        number = self._bisect(lo, hi, raw)
        return number if number < hi and self.term_bytes(number) == raw else -1

    def find_many(self, field: str, terms: Sequence[str]) -> npt.NDArray[np.int64]:
        """The numbers of many terms of ``field`` at once (-1 for each the segment lacks).

        One vectorised search of the keys; a term no longer than a key is found by its
        key and length alone, a longer one by comparing its bytes with the first term of
        its key (:meth:`find` when they differ).
        """
        found = np.full(len(terms), -1, dtype=np.int64)
        start, stop = self.field_range(field)
        if start == stop or not terms:
            return found
        raws = [t.encode("utf-8", "surrogatepass") for t in terms]  # as lookup_bytes
        no = self._field_nos.get(field, 0)
        if self._key_function is term_key_2:  # the first 8 bytes, big-endian: at once
            keys = np.array(raws, dtype="S8").view(">u8").astype(np.uint64)
        else:
            keys = np.fromiter((self._key_function(no, r) for r in raws), dtype=np.uint64,
                               count=len(raws))
        table = self._c.array(TERMS_KEYS)[start:stop]
        at = np.minimum(table.searchsorted(keys, side="left"), len(table) - 1)
        sizes = np.fromiter(map(len, raws), dtype=np.int64, count=len(raws))
        offsets = self._c.array(TERMS_OFFSETS)
        numbers = at + start
        stored = offsets[numbers + 1] - offsets[numbers]
        short = sizes <= self._key_bytes
        hit = short & (table[at] == keys) & (stored == sizes)
        found[hit] = numbers[hit]
        for i in np.flatnonzero(~short & (table[at] == keys)).tolist():
            number = int(numbers[i])  # the first term of the key: most often the one
            found[i] = number if self.term_bytes(number) == raws[i] else self.find(
                field, terms[i])
        return found

    def _bisect(self, lo: int, hi: int, raw: bytes) -> int:
        """The first term number in ``[lo, hi)`` whose bytes are >= ``raw`` (terms sharing
        one key are told apart by their bytes)."""
        while lo < hi:
            mid = (lo + hi) // 2
            if self.term_bytes(mid) < raw:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def lower_bound(self, field: str, raw: bytes) -> int:
        """The first term number of ``field`` whose bytes are >= ``raw``."""
        start, stop = self.field_range(field)
        if start == stop:
            return start
        keys = self._c.array(TERMS_KEYS)[start:stop]
        key = self._key(field, raw)
        lo = int(keys.searchsorted(key, side="left")) + start
        hi = int(keys.searchsorted(key, side="right")) + start
        return self._bisect(lo, hi, raw)

    def prefix_range(self, field: str, prefix: str) -> tuple[int, int]:
        """Term numbers ``[start, stop)`` of the terms of ``field`` that start with ``prefix``."""
        raw = lookup_bytes(prefix)
        start = self.lower_bound(field, raw)
        successor = raw.rstrip(b"\xff")
        if not successor:
            return start, self.field_range(field)[1]
        successor = successor[:-1] + bytes([successor[-1] + 1])
        return start, self.lower_bound(field, successor)

    def iter_range(self, field: str, start: int, stop: int) -> Iterator[tuple[int, str]]:
        """Yield (number, text) of the terms numbered ``[start, stop)``."""
        offsets = self._c.array(TERMS_OFFSETS)[start : stop + 1].tolist()
        blob = self._c.array(TERMS_BLOB)
        data = blob[offsets[0] : offsets[-1]].tobytes() if offsets else b""
        base = offsets[0] if offsets else 0
        for i in range(stop - start):
            yield start + i, data[offsets[i] - base : offsets[i + 1] - base].decode(
                "utf-8", "replace")
