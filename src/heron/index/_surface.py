"""Surface forms: per term of a field, the words of the documents it came from, with counts.

A stemmed field indexes ``petroleum`` for "petroleum" and "petroleums"; suggestions and
completions must show words, not stems. The segment builder knows, for each distinct raw
word, the term it became (:meth:`heron.analysis._encoder.TermEncoder.surface_forms`), so writing
them costs a sort of the vocabulary. Four arrays per field, only for fields where some
word differs from its term (a plain keyword field writes none):

    ``surf.<f>.starts``   int64  [field terms + 1] where each term's forms start
    ``surf.<f>.offsets``  int64  [forms + 1] where each form starts in ``surf.<f>.blob``
    ``surf.<f>.counts``   uint32 [forms] occurrences of the form (most frequent first per term)
    ``surf.<f>.blob``     uint8  the forms, UTF-8, one after the other

Terms are numbered from the field's first term. A segment without these arrays (written
before them, or by the token-by-token path of a custom analyzer) has no forms: readers fall
back to the term itself. A merge sums the counts of the same form of the same term.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.index._arrays import concat_ranges
from heron.index._format import (
    SURFACE_BLOB,
    SURFACE_COUNTS,
    SURFACE_OFFSETS,
    SURFACE_STARTS,
    field_array,
    offsets_narrow,
)
from heron.index._stream import ContainerStream

#: merged terms whose forms a merge gathers at once
_MERGE_CHUNK = 1 << 15

Forms = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[Any],
              npt.NDArray[np.uint8]]


def write_surface(out: ContainerStream, field: str, nterms: int, *,
                  terms: npt.NDArray[np.int64], words: Sequence[str],
                  counts: npt.NDArray[np.int64]) -> None:
    """Write a field's forms: distinct (field-relative term, word) pairs with their counts,
    in any order; terms below 0 are skipped."""
    arrays = _SurfaceOut(out, field)
    arrays.add_distinct(0, nterms, terms, words, counts)
    arrays.finish(nterms)


class _SurfaceOut:
    """A field's surface arrays, appended a range of terms at a time."""

    def __init__(self, out: ContainerStream, field: str) -> None:
        self.starts = out.spill(field_array(SURFACE_STARTS, field), np.int64, offsets_narrow())
        self.offsets = out.spill(field_array(SURFACE_OFFSETS, field), np.int64, offsets_narrow())
        self.counts = out.spill(field_array(SURFACE_COUNTS, field), np.uint32)
        self.blob = out.spill(field_array(SURFACE_BLOB, field), np.uint8)
        self.offsets.append([0])
        self._terms = 0  # terms whose start is written
        self._forms = 0
        self._bytes = 0

    def add(self, lo: int, hi: int, terms: npt.NDArray[np.int64], data: Sequence[bytes],
            counts: npt.NDArray[np.int64]) -> None:
        """Append the forms of terms ``[lo, hi)`` from (term, UTF-8 form, count) triples in
        columns, those of one term and form added up (the first one's place kept)."""
        summed: dict[tuple[int, bytes], int] = {}
        for key in zip(terms.tolist(), data, counts.tolist(), strict=True):
            pair = key[:2]
            summed[pair] = summed.get(pair, 0) + key[2]
        self._append(lo, hi, np.fromiter((k[0] for k in summed), dtype=np.int64,
                                         count=len(summed)),
                     [k[1] for k in summed],
                     np.fromiter(summed.values(), dtype=np.int64, count=len(summed)))

    def add_distinct(self, lo: int, hi: int, terms: npt.NDArray[np.int64],
                     words: Sequence[str], counts: npt.NDArray[np.int64]) -> None:
        """Append the forms of terms ``[lo, hi)`` from distinct (term, word) pairs."""
        self._append(lo, hi, terms, [w.encode("utf-8", "surrogatepass") for w in words],
                     counts)

    def _append(self, lo: int, hi: int, terms: npt.NDArray[np.int64], data: Sequence[bytes],
                counts: npt.NDArray[np.int64]) -> None:
        keep = np.flatnonzero(terms >= 0)
        # by term, most frequent first, then by the form's bytes: the same order however
        # the words were numbered (a carried vocabulary, the compiled word table)
        by_text = np.empty(len(data), dtype=np.int64)
        by_text[sorted(range(len(data)), key=data.__getitem__)] = np.arange(len(data))
        order = keep[np.lexsort((by_text[keep], -counts[keep], terms[keep]))]
        per_term = np.bincount(terms[order] - lo, minlength=hi - lo)
        starts = np.zeros(hi - lo, dtype=np.int64)
        np.cumsum(per_term[:-1], out=starts[1:])
        self.starts.append(starts + self._forms)
        ordered = [data[i] for i in order.tolist()]
        lengths = np.fromiter(map(len, ordered), dtype=np.int64, count=len(ordered))
        self.offsets.append(np.cumsum(lengths) + self._bytes)
        self.counts.append(np.minimum(counts[order], np.iinfo(np.uint32).max))
        self.blob.append(np.frombuffer(b"".join(ordered), dtype=np.uint8))
        self._terms = hi
        self._forms += len(order)
        self._bytes += int(lengths.sum())

    def finish(self, nterms: int) -> None:
        """Close the starts (terms past the last range have no forms)."""
        self.starts.append(np.full(nterms - self._terms + 1, self._forms, dtype=np.int64))


def forms_of(arrays: Forms, term: int) -> list[tuple[str, int]]:
    """The forms of a field-relative term number, most frequent first, with their counts."""
    starts, offsets, counts, blob = arrays
    if not 0 <= term < len(starts) - 1:
        return []
    a, b = int(starts[term]), int(starts[term + 1])
    if a == b:
        return []
    ends = offsets[a : b + 1].tolist()
    data = blob[ends[0] : ends[-1]].tobytes()
    base = ends[0]
    return [(data[ends[i] - base : ends[i + 1] - base].decode("utf-8", "replace"),
             int(counts[a + i])) for i in range(b - a)]


def merge_surface(out: ContainerStream, field: str, nterms: int,
                  inputs: Sequence[tuple[Forms | None, npt.NDArray[np.int64]]]) -> None:
    """Write a merged field's forms from each input's forms and its term map.

    ``inputs`` holds, per segment, its forms (None: it has none) and the merged
    field-relative number of each of its field's terms (-1: dropped). Maps ascend where
    they are not -1, so a range of merged terms comes from a range of each input's terms,
    and the merge gathers :data:`_MERGE_CHUNK` merged terms at a time.
    """
    kept = []
    for forms, tmap in inputs:
        if forms is None:
            continue
        valid = np.flatnonzero(tmap >= 0)
        kept.append((forms, valid, tmap[valid]))
    if not kept:
        return
    arrays = _SurfaceOut(out, field)
    for lo in range(0, nterms, _MERGE_CHUNK):
        hi = min(nterms, lo + _MERGE_CHUNK)
        terms: list[npt.NDArray[np.int64]] = []
        counts: list[npt.NDArray[np.int64]] = []
        data: list[bytes] = []
        for forms, valid, new in kept:
            a, b = np.searchsorted(new, [lo, hi]).tolist()
            got = _forms_of_range(forms, valid[a:b], new[a:b])
            if got is not None:
                terms.append(got[0])
                counts.append(got[1])
                data.extend(got[2])
        if terms:
            arrays.add(lo, hi, np.concatenate(terms), data, np.concatenate(counts))
        else:
            arrays.add_distinct(lo, hi, np.zeros(0, np.int64), [], np.zeros(0, np.int64))
    arrays.finish(nterms)


def _forms_of_range(forms: Forms, old: npt.NDArray[np.int64], new: npt.NDArray[np.int64]
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[bytes]] | None:
    """The forms of an input's terms ``old`` (ascending), numbered ``new``: their merged
    term numbers, counts and UTF-8 bytes, in order (None: no forms)."""
    starts, offsets, counts, blob = forms
    if not len(old):
        return None
    first = starts[old].astype(np.int64)
    sizes = starts[old + 1].astype(np.int64) - first
    index = concat_ranges(first, sizes)
    if not len(index):
        return None
    begin = offsets[index].astype(np.int64)
    end = offsets[index + 1].astype(np.int64)
    base = int(begin[0])
    raw = blob[base : int(end[-1])].tobytes()
    data = [raw[x:y] for x, y in zip((begin - base).tolist(), (end - base).tolist(),
                                      strict=True)]
    return np.repeat(new.astype(np.int64), sizes), counts[index].astype(np.int64), data
