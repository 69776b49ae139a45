"""Terms of a segment within one or two edits of a word, found without a table of every term.

Edits are insertions, deletions, substitutions and swaps of two neighbours (optimal
string alignment, the Damerau-Levenshtein distance Lucene's fuzzy query uses). Only
terms whose length is within the distance of the word's can match, and the segment's
terms are grouped by length (:mod:`heron.query._termlist`), so nothing here looks at a
term of another length: a 100,000-character token costs nothing to a five-letter word.

Two ways, both exact:

- one edit, short words: a deletion index per term length, built on first use: every
  term of that length and every term with one character deleted, hashed and sorted. A
  term within one edit of the word shares one of these strings with the word's own
  deletions, so a few binary searches find candidates, and a direct check confirms each.
- otherwise: the edit-distance table of all the terms of one length at once, one row of
  the word at a time and only the band of ``2 * distance + 1`` cells around the
  diagonal (outside it every cell exceeds the distance), dropping terms as soon as
  their last two rows are out of reach. The work is the word's length times the band
  times the terms still in reach.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from heron.index import SegmentReader
from heron.query._termlist import FieldTerms, field_terms

#: words longer than this use the table even for one edit (deletions cost length squared)
DELETION_INDEX_MAX = 32

_DeletionIndex = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def terms_within(segment: SegmentReader, field: str, word: str, distance: int,
                 prefix: str = "") -> dict[str, int]:
    """The terms of ``field`` within ``distance`` edits of ``word`` that start with ``prefix``.

    Returns each term with its distance.
    """
    if distance == 0:
        number = segment.terms.find(field, word)
        return {word: 0} if number >= 0 and word.startswith(prefix) else {}
    terms = field_terms(segment, field)
    if distance == 1 and len(word) <= DELETION_INDEX_MAX:
        found = {t: int(t != word) for t in _one_edit(segment, field, terms, word)}
        return {t: d for t, d in found.items() if t.startswith(prefix)}
    codes = [ord(c) for c in prefix]
    found = {}
    size = len(word)
    for length in range(max(1, size - distance, len(codes)), size + distance + 1):
        matrix, numbers = terms.bucket(length)
        if codes and len(matrix):
            keep = np.all(matrix[:, : len(codes)] == codes, axis=1)
            matrix, numbers = matrix[keep], numbers[keep]
        if not len(matrix):
            continue
        edits = band_distances(word, matrix, distance)
        near = np.flatnonzero(edits <= distance)
        for number, edit in zip((numbers[near] - terms.start).tolist(), edits[near].tolist(),
                                strict=True):
            found[terms.texts[number]] = edit
    return found


def _deletions(word: str) -> set[str]:
    """The word and the word with any one character deleted."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _deletion_index(segment: SegmentReader, field: str, terms: FieldTerms, length: int
                    ) -> _DeletionIndex:
    """Sorted hashes of the one-deletion variants of the terms of ``length``, and their terms."""
    key = (f"fuzzy1:{length}", field)
    cached: _DeletionIndex | None = segment.derived.get(key)
    if cached is None:
        _, numbers = terms.bucket(length)
        hashes: list[int] = []
        owners: list[int] = []
        for number in (numbers - terms.start).tolist():
            variants = _deletions(terms.texts[number])
            hashes.extend(map(hash, variants))
            owners.extend([number] * len(variants))
        keys = np.asarray(hashes, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        cached = segment.derived[key] = (keys[order], np.asarray(owners, np.int64)[order])
    return cached


def _one_edit(segment: SegmentReader, field: str, terms: FieldTerms, word: str) -> list[str]:
    """The terms within one edit of ``word``, through the deletion indexes of three lengths."""
    probes = np.asarray([hash(v) for v in _deletions(word)], dtype=np.int64)
    found: set[int] = set()
    for length in range(max(1, len(word) - 1), len(word) + 2):
        keys, owners = _deletion_index(segment, field, terms, length)
        lo = np.searchsorted(keys, probes, side="left")
        hi = np.searchsorted(keys, probes, side="right")
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            found.update(owners[a:b].tolist())
    texts = (terms.texts[n] for n in sorted(found))
    return [t for t in texts if within_one(word, t)]


def within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at most one edit apart (swaps of neighbours included).

    >>> within_one("tunel", "tunnel"), within_one("tunel", "tuenl"), within_one("ab", "ba")
    (True, True, True)
    >>> within_one("tunel", "funnel")
    False
    """
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
