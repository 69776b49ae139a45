"""The fuzzy query: terms within a Damerau-Levenshtein distance of a word.

Only terms whose length is within the distance of the word's can match, so matching
looks at those alone (:mod:`heron.query._termlist` keeps a segment's terms grouped by
length) and never at the longest term of the index. For each such length it fills
the edit-distance table (optimal string alignment: insert, delete, substitute, swap
two neighbours) for all the terms at once, one row of the word at a time, and only
the band of ``2 * distance + 1`` cells around the diagonal, outside of which every
cell exceeds the distance: the work is the word's length times the band times the
candidate terms.

Scoring is Lucene's blended rewrite (``BlendedTermQuery``): every expansion is scored
as a term query with the same document frequency, the highest among the expansions,
and weighted by its similarity to the word, ``1 - edits / min(len(term), len(word))``.
The word itself (similarity 1) therefore outranks an expansion found as often in a
document of the same length, however rare the expansion is in the index. A document
scores its best expansion plus a tenth of the others (the blended query's dis-max
rewrite): summing them instead, Lucene's default, puts Coca-Cola first for ``cocoa~``
on news, where "coca" and "cola" are both expansions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from attrs import define, frozen

from heron.errors import QueryError
from heron.index import SegmentReader
from heron.query._base import Context, Matches, Query, Weight
from heron.query._multiterm import MAX_EXPANSIONS
from heron.query._term import term_weight
from heron.query._termlist import field_terms

MAX_DISTANCE = 2
#: how much the expansions other than a document's best add to its score (dis-max)
TIE_BREAKER = 0.1


def similarity(word: str, term: str, edits: int) -> float:
    """Lucene's fuzzy boost of ``term``, ``edits`` away from ``word``: 1 for the word itself.

    >>> similarity("sugar", "sugars", 1)
    0.8
    """
    if edits == 0:
        return 1.0
    shortest = min(len(word), len(term))
    return max(0.0, 1.0 - edits / shortest) if shortest else 0.0


def band_distances(word: str, matrix: npt.NDArray[np.int32], distance: int
                   ) -> npt.NDArray[np.int64]:
    """Optimal-string-alignment distance from ``word`` to each row of ``matrix``, capped.

    Every row is a term of the same length (code points). Distances above
    ``distance`` come back as ``distance + 1``: only the cells within ``distance`` of
    the diagonal are computed, and cell ``k`` of row ``i`` is column ``i + k - distance``.

    >>> terms = np.array([[ord(c) for c in t] for t in ("tunnel", "funnel", "barrel")])
    >>> band_distances("tunel", terms.astype(np.int32), 2).tolist()  # barrel: 3 or more
    [1, 2, 3]
    """
    count, length = matrix.shape
    size = len(word)
    cap = distance + 1
    width = 2 * distance + 1
    ks = np.arange(width, dtype=np.int8)[:, None]
    result = np.full(count, cap, dtype=np.int64)
    rows = np.arange(count)  # the terms still within the distance somewhere in the band
    # one column per term (the layout makes steps along the band cheap): the term's code
    # points with a border of -1 (never a character), so that the character of column j
    # of the table is chars[j + distance] whatever j in the band
    chars = np.full((length + size + 2 * width, count), -1, dtype=np.int32)
    chars[distance + 1 : distance + 1 + length] = matrix.T
    band = np.arange(width, dtype=np.int64) - distance  # the column of each cell, in row 0
    first = np.where((band >= 0) & (band <= length), band, cap).astype(np.int8)[:, None]
    prev = np.broadcast_to(first, (width, count)).copy()
    prev2 = prev
    codes = [ord(c) for c in word]
    for i in range(1, size + 1):
        columns = band + i
        here = chars[i : i + width]  # the term's character of each column (j - 1, 0-based)
        cand = prev + (here != codes[i - 1])  # substitute (or keep) from cell (i-1, j-1)
        np.minimum(cand[:-1], prev[1:] + 1, out=cand[:-1])  # delete: from (i-1, j)
        if i > 1:
            swap = (here == codes[i - 2]) & (chars[i - 1 : i - 1 + width] == codes[i - 1])
            cand = np.where(swap, np.minimum(cand, prev2 + 1), cand)
        cand[columns == 0] = min(i, cap)
        outside = (columns < 0) | (columns > length)
        cand[outside] = cap
        # insert: cell j from cell j - 1 of the same row, a running minimum along the band
        cur = np.minimum.accumulate(cand - ks, axis=0) + ks
        cur[outside] = cap
        prev2, prev = prev, np.minimum(cur, cap)
        # a term whose last two rows exceed the distance everywhere stays out of it
        alive = (prev.min(axis=0) < cap) | (prev2.min(axis=0) < distance)
        kept = int(np.count_nonzero(alive))
        if kept == 0:
            return result
        if kept < 0.75 * len(rows):
            rows, chars = rows[alive], chars[:, alive]
            prev, prev2 = prev[:, alive], prev2[:, alive]
    result[rows] = prev[length - size + distance]
    return result


@frozen
class Fuzzy(Query):
    """Documents with a term of ``field`` within ``distance`` edits of ``text``.

    Edits are insertions, deletions, substitutions and swaps of neighbours. The
    first ``prefix_length`` characters must match exactly. Expanded terms are scored
    as Lucene's blended rewrite does: each as a term query with the highest document
    frequency among them, weighted by :func:`similarity`; a document scores its best
    expansion plus ``TIE_BREAKER`` times the others.

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
        if not isinstance(self.text, str):
            raise QueryError(f"a fuzzy query on {self.field!r} takes text, got "
                             f"{type(self.text).__name__} {self.text!r:.60}")
        if not 0 <= self.distance <= MAX_DISTANCE:
            raise QueryError(f"fuzzy distance is 0 to {MAX_DISTANCE}, got {self.distance}")

    def segment_terms(self, segment: SegmentReader) -> dict[str, int]:
        """The terms of one segment within the distance, with their distances."""
        terms = field_terms(segment, self.field)
        prefix = [ord(c) for c in self.text[: self.prefix_length]]
        size, found = len(self.text), {}
        for length in range(max(1, size - self.distance, len(prefix)), size + self.distance + 1):
            matrix, numbers = terms.bucket(length)
            if prefix and len(matrix):
                keep = np.all(matrix[:, : len(prefix)] == prefix, axis=1)
                matrix, numbers = matrix[keep], numbers[keep]
            if not len(matrix):
                continue
            edits = band_distances(self.text, matrix, self.distance)
            near = np.flatnonzero(edits <= self.distance)
            for number, edit in zip((numbers[near] - terms.start).tolist(), edits[near].tolist(),
                                    strict=True):
                found[terms.texts[number]] = edit
        return found

    def expansions(self, context: Context) -> dict[str, int]:
        """The terms this query matches in the index, with their distances from the word."""
        ftype = context.schema[self.field]
        if ftype.columnar or not ftype.indexed:
            raise QueryError(f"a fuzzy query needs a text field; {self.field!r} is {ftype.kind}")
        found: dict[str, int] = {}
        for segment in context.reader.segments:
            found.update(self.segment_terms(segment))
            if len(found) > self.max_expansions:
                raise QueryError(
                    f"fuzzy {self.field}:{self.text}~{self.distance} expands to more than "
                    f"{self.max_expansions} terms; make it more specific or raise max_expansions"
                )
        return found

    def expanded_terms(self, context: Context) -> set[str]:
        """The terms this query matches in the index."""
        return set(self.expansions(context))

    def bind(self, context: Context) -> Weight:
        found = self.expansions(context)
        infos = {t: context.term_info(self.field, t) for t in sorted(found)}
        best = max((df for df, _ in infos.values()), default=0)
        return _BlendedWeight([
            term_weight(context, self.field, numbers,
                        self.boost * similarity(self.text, term, found[term]), best)
            for term, (_, numbers) in infos.items()])

    def terms(self) -> set[tuple[str, str]]:
        return {(self.field, self.text)}


@define
class _BlendedWeight(Weight):
    """The expansions' weights: a document scores its best, plus a little of the others."""

    weights: list[Weight]

    def match(self, segment: SegmentReader) -> Matches:
        parts = [m for w in self.weights if len(m := w.match(segment))]
        if len(parts) <= 1:
            return parts[0] if parts else Matches.empty()
        docs = np.concatenate([m.docs for m in parts])
        scores = np.concatenate([m.scores for m in parts])
        order = np.argsort(docs, kind="stable")
        docs, scores = docs[order], scores[order]
        first = np.ones(len(docs), dtype=bool)
        first[1:] = docs[1:] != docs[:-1]
        starts = np.flatnonzero(first)
        best = np.maximum.reduceat(scores, starts)
        total = np.add.reduceat(scores, starts)
        return Matches(docs[starts], best + TIE_BREAKER * (total - best))
