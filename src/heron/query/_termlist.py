"""A field's terms of one segment, decoded once and grouped by length for pattern queries.

Wildcard and fuzzy queries test terms one by one against a pattern or a word. Both
need the terms as text and their lengths in characters; fuzzy matching also needs
them as code points, grouped by length, so that a word is compared only with terms
whose length can be within the distance: the terms sorted by length (stably, so in
dictionary order within a length) are one flat array of code points, and the terms
of length ``n`` are a slice of it seen as an ``(count, n)`` matrix, without a copy.
Nothing here grows with the longest term but by its own characters.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.index import SegmentReader


@frozen
class FieldTerms:
    """The terms of one field in one segment: text, lengths, and code points by length."""

    #: the number of the field's first term in the segment's dictionary
    start: int
    #: the terms' text, in dictionary order
    texts: tuple[str, ...]
    #: each term's length in characters (code points), in dictionary order
    lengths: npt.NDArray[np.int64]
    #: term positions (0 = the field's first term) sorted by length, stably
    by_length: npt.NDArray[np.int64]
    #: the distinct lengths, ascending
    sizes: npt.NDArray[np.int64]
    #: where the terms of ``sizes[i]`` characters begin in ``by_length`` (one more at the end)
    firsts: npt.NDArray[np.int64]
    #: where their code points begin in ``code_points`` (one more at the end)
    char_firsts: npt.NDArray[np.int64]
    #: the code points of the terms in ``by_length`` order, one after the other
    code_points: npt.NDArray[np.int32]

    def bucket(self, length: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Code points of the terms of ``length`` characters as a matrix, and their numbers.

        >>> terms = FieldTerms.build(0, ("ab", "b", "cd"))
        >>> matrix, numbers = terms.bucket(2)
        >>> matrix.tolist(), numbers.tolist()
        ([[97, 98], [99, 100]], [0, 2])
        >>> terms.bucket(7)[0].shape
        (0, 7)
        """
        i = int(np.searchsorted(self.sizes, length))
        if i == len(self.sizes) or int(self.sizes[i]) != length:
            return np.zeros((0, max(length, 0)), dtype=np.int32), np.zeros(0, dtype=np.int64)
        lo, hi = int(self.firsts[i]), int(self.firsts[i + 1])
        first, last = int(self.char_firsts[i]), int(self.char_firsts[i + 1])
        matrix = self.code_points[first:last].reshape(hi - lo, length)
        return matrix, self.by_length[lo:hi] + self.start

    @classmethod
    def build(cls, start: int, texts: tuple[str, ...]) -> FieldTerms:
        """Group ``texts`` (a field's terms, the first numbered ``start``) by length."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        by_length = np.argsort(lengths, kind="stable").astype(np.int64)
        sizes, counts = np.unique(lengths, return_counts=True)
        firsts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        char_firsts = np.concatenate([[0], np.cumsum(counts * sizes)]).astype(np.int64)
        joined = "".join(texts[i] for i in by_length.tolist())
        code_points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.int32)
        return cls(start, texts, lengths, by_length, sizes.astype(np.int64), firsts,
                   char_firsts, code_points)


def field_terms(segment: SegmentReader, field: str) -> FieldTerms:
    """The terms of ``field`` in ``segment``, decoded on first use and kept with the segment."""
    key = ("terms-by-length", field)
    cached: FieldTerms | None = segment.derived.get(key)
    if cached is None:
        start, stop = segment.terms.field_range(field)
        texts = tuple(text for _, text in segment.terms.iter_range(field, start, stop))
        cached = segment.derived[key] = FieldTerms.build(start, texts)
    return cached
