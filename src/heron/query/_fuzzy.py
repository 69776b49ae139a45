"""The fuzzy query: terms within a Damerau-Levenshtein distance of a word.

Distance 1 (the common case) uses a deletion index, built once per segment and
field on first use: every term and every term with one character deleted, hashed
and sorted. A term within one edit of the word shares one of these strings with
the word's own deletions, so a handful of binary searches find the candidates,
and a direct check confirms each. Distance 2 fills the edit-distance table for all
candidate terms at once: the terms laid out as a matrix of code points, one cell
of the word at a time (optimal string alignment: insert, delete, substitute, swap
two neighbours).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import QueryError
from heron.index import SegmentReader
from heron.query._base import Context, Or, Query, Weight
from heron.query._multiterm import MAX_EXPANSIONS
from heron.query._term import Term

MAX_DISTANCE = 2

_TermMatrix = tuple[npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int64]]
_DeletionIndex = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def _term_matrix(segment: SegmentReader, field: str) -> _TermMatrix:
    """Code points of the field's terms (padded with -1), their lengths and numbers."""
    key = ("fuzzy", field)
    cached: _TermMatrix | None = segment.derived.get(key)
    if cached is None:
        start, stop = segment.terms.field_range(field)
        texts = [t for _, t in segment.terms.iter_range(field, start, stop)]
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        width = int(lengths.max()) if texts else 0
        matrix = np.full((len(texts), width), -1, dtype=np.int32)
        for i, text in enumerate(texts):
            matrix[i, : len(text)] = np.frombuffer(text.encode("utf-32-le"), dtype=np.int32)
        cached = segment.derived[key] = (matrix, lengths, np.arange(start, stop, dtype=np.int64))
    return cached


def _deletions(word: str) -> set[str]:
    """The word and the word with any one character deleted."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _deletion_index(segment: SegmentReader, field: str) -> _DeletionIndex:
    """Sorted hashes of every term's one-deletion variants, and the term of each."""
    key = ("fuzzy1", field)
    cached: _DeletionIndex | None = segment.derived.get(key)
    if cached is None:
        start, stop = segment.terms.field_range(field)
        hashes: list[int] = []
        numbers: list[int] = []
        for number, text in segment.terms.iter_range(field, start, stop):
            variants = _deletions(text)
            hashes.extend(map(hash, variants))
            numbers.extend([number] * len(variants))
        keys = np.asarray(hashes, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        cached = segment.derived[key] = (keys[order], np.asarray(numbers, np.int64)[order])
    return cached


def within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at most one edit apart (swaps of neighbours included)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    shortest = min(la, lb)
    while i < shortest and a[i] == b[i]:
        i += 1
    if la > lb:
        return a[i + 1 :] == b[i:]
    if la < lb:
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :])


def distances(word: str, matrix: npt.NDArray[np.int32], lengths: npt.NDArray[np.int64]
              ) -> npt.NDArray[np.int64]:
    """Optimal-string-alignment distance from ``word`` to each row of ``matrix``."""
    n, width = matrix.shape
    w = [ord(c) for c in word]
    prev2 = np.zeros((n, width + 1), dtype=np.int64)
    prev = np.broadcast_to(np.arange(width + 1, dtype=np.int64), (n, width + 1)).copy()
    for i in range(1, len(w) + 1):
        cur = np.empty_like(prev)
        cur[:, 0] = i
        wi = w[i - 1]
        for j in range(1, width + 1):
            col = matrix[:, j - 1]
            best = np.minimum(prev[:, j] + 1, cur[:, j - 1] + 1)
            best = np.minimum(best, prev[:, j - 1] + (col != wi))
            if i > 1 and j > 1:
                swap = (col == w[i - 2]) & (matrix[:, j - 2] == wi)
                best = np.where(swap, np.minimum(best, prev2[:, j - 2] + 1), best)
            cur[:, j] = best
        prev2, prev = prev, cur
    return prev[np.arange(n), lengths]


@frozen
class Fuzzy(Query):
    """Documents with a term of ``field`` within ``distance`` edits of ``text``.

    Edits are insertions, deletions, substitutions and swaps of neighbours. The
    first ``prefix_length`` characters must match exactly. Expanded terms score as
    an OR of term queries.

    >>> Fuzzy("body", "tunel", distance=1)
    Fuzzy(field='body', text='tunel', distance=1, prefix_length=0, boost=1.0, max_expansions=1024)
    """

    field: str
    text: str
    distance: int = MAX_DISTANCE
    prefix_length: int = 0
    boost: float = 1.0
    max_expansions: int = MAX_EXPANSIONS

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.distance <= MAX_DISTANCE:
            raise QueryError(f"fuzzy distance is 0 to {MAX_DISTANCE}, got {self.distance}")

    def segment_terms(self, segment: SegmentReader) -> list[str]:
        """The terms of one segment within the distance."""
        prefix = self.text[: self.prefix_length]
        if self.distance <= 1:
            keys, owners = _deletion_index(segment, self.field)
            probes = np.asarray([hash(v) for v in _deletions(self.text)], dtype=np.int64)
            lo = np.searchsorted(keys, probes, side="left")
            hi = np.searchsorted(keys, probes, side="right")
            found = set()
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
                found.update(owners[a:b].tolist())
            texts = [segment.terms.term(n) for n in sorted(found)]
            check = within_one if self.distance == 1 else str.__eq__
            return [t for t in texts if t.startswith(prefix) and check(self.text, t)]
        matrix, lengths, numbers = _term_matrix(segment, self.field)
        size = len(self.text)
        keep = np.abs(lengths - size) <= self.distance
        if prefix:
            for k, c in enumerate(prefix):
                keep &= matrix[:, k] == ord(c) if k < matrix.shape[1] else False
        rows = np.flatnonzero(keep)
        if not len(rows):
            return []
        sub = matrix[rows]
        sub = sub[:, : int(lengths[rows].max())]
        near = rows[distances(self.text, sub, lengths[rows]) <= self.distance]
        return [segment.terms.term(int(numbers[r])) for r in near]

    def expanded_terms(self, context: Context) -> set[str]:
        """The terms this query matches in the index."""
        found: set[str] = set()
        for segment in context.reader.segments:
            found.update(self.segment_terms(segment))
            if len(found) > self.max_expansions:
                raise QueryError(
                    f"fuzzy {self.field}:{self.text}~{self.distance} expands to more than "
                    f"{self.max_expansions} terms; make it more specific or raise max_expansions"
                )
        return found

    def bind(self, context: Context) -> Weight:
        terms = sorted(self.expanded_terms(context))
        return Or(tuple(Term(self.field, t, self.boost) for t in terms)).bind(context)

    def terms(self) -> set[tuple[str, str]]:
        return {(self.field, self.text)}
