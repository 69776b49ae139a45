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
from attrs import frozen

from heron.index._arrays import concat_ranges, fixed_width
from heron.index._format import (
    SURFACE_BLOB,
    SURFACE_COUNTS,
    SURFACE_OFFSETS,
    SURFACE_STARTS,
    field_array,
    offsets_narrow,
)
from heron.index._stream import ContainerStream, SliceReader, release_pages

#: merged terms whose forms a merge gathers at once, and the forms it gathers at once (the
#: fixed-width table of :meth:`FormColumns.keys` takes up to 64 bytes a form)
_MERGE_CHUNK = 1 << 15
_MERGE_FORMS = 1 << 16

Forms = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[Any],
              npt.NDArray[np.uint8]]


def write_surface(out: ContainerStream, field: str, nterms: int, *,
                  terms: npt.NDArray[np.int64], words: Sequence[str],
                  counts: npt.NDArray[np.int64]) -> None:
    """Write a field's forms: distinct (field-relative term, word) pairs with their counts,
    in any order; terms below 0 are skipped."""
    arrays = _SurfaceOut(out, field)
    arrays.add(0, nterms, FormColumns.of(terms, [w.encode("utf-8", "surrogatepass")
                                                 for w in words], counts), distinct=True)
    arrays.finish(nterms)


@frozen
class FormColumns:
    """(term, form, count) triples as columns: form ``i`` is ``blob[starts[i]:][:lengths[i]]``."""

    terms: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    blob: npt.NDArray[np.uint8]
    starts: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.int64]

    @classmethod
    def of(cls, terms: npt.NDArray[np.int64], data: Sequence[bytes],
           counts: npt.NDArray[np.int64]) -> FormColumns:
        lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
        return cls(terms.astype(np.int64, copy=False), counts.astype(np.int64, copy=False),
                   np.frombuffer(b"".join(data), dtype=np.uint8), np.cumsum(lengths) - lengths,
                   lengths)

    @classmethod
    def joined(cls, parts: Sequence[FormColumns]) -> FormColumns:
        sizes = np.asarray([len(p.blob) for p in parts], dtype=np.int64)
        bases = np.cumsum(sizes) - sizes
        return cls(np.concatenate([p.terms for p in parts]),
                   np.concatenate([p.counts for p in parts]),
                   np.concatenate([p.blob for p in parts]),
                   np.concatenate([p.starts + b for p, b in zip(parts, bases.tolist(),
                                                                  strict=True)]),
                   np.concatenate([p.lengths for p in parts]))

    def take(self, index: npt.NDArray[np.int64], counts: npt.NDArray[np.int64] | None = None
             ) -> FormColumns:
        return FormColumns(self.terms[index], self.counts[index] if counts is None else counts,
                           self.blob, self.starts[index], self.lengths[index])

    def data(self) -> list[bytes]:
        raw = self.blob.tobytes()
        return [raw[a : a + n] for a, n in zip(self.starts.tolist(), self.lengths.tolist(),
                                               strict=True)]

    def keys(self) -> npt.NDArray[Any] | None:
        """Each form as a fixed-width numpy byte string (see :func:`fixed_width`); None when
        a form is longer than :data:`KEY_WIDTH` or holds a NUL byte."""
        return fixed_width(self.blob, self.starts, self.lengths, KEY_WIDTH)


#: the longest form compared as a fixed-width numpy string (longer ones: in Python)
KEY_WIDTH = 64


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

    def add(self, lo: int, hi: int, forms: FormColumns, *, distinct: bool = False) -> None:
        """Append the forms of terms ``[lo, hi)`` (those below 0 skipped), the counts of
        one term's same form added up unless ``distinct`` says they are distinct already.

        Order: by term, most frequent first, then by the form's bytes: the same order
        however the words were numbered (a carried vocabulary, the compiled word table).
        Compared as numpy strings (:meth:`FormColumns.keys`), or in Python for long forms.
        """
        forms = forms.take(np.flatnonzero(forms.terms >= 0))
        keys = forms.keys()
        if keys is None:
            self._append_python(lo, hi, forms, distinct)
            return
        if not distinct and len(keys):
            order = np.lexsort((keys, forms.terms))
            terms, ordered = forms.terms[order], keys[order]
            first = np.ones(len(order), dtype=bool)
            first[1:] = (terms[1:] != terms[:-1]) | (ordered[1:] != ordered[:-1])
            heads = np.flatnonzero(first)
            forms = forms.take(order[heads], np.add.reduceat(forms.counts[order], heads))
            keys = ordered[heads]
        self._write(lo, hi, forms, np.lexsort((keys, -forms.counts, forms.terms)))

    def _append_python(self, lo: int, hi: int, forms: FormColumns, distinct: bool) -> None:
        """:meth:`add` comparing the forms as Python bytes."""
        data = forms.data()
        if not distinct:
            summed: dict[tuple[int, bytes], int] = {}
            for key in zip(forms.terms.tolist(), data, forms.counts.tolist(), strict=True):
                pair = key[:2]
                summed[pair] = summed.get(pair, 0) + key[2]
            data = [k[1] for k in summed]
            forms = FormColumns.of(np.fromiter((k[0] for k in summed), dtype=np.int64,
                                               count=len(summed)), data,
                                   np.fromiter(summed.values(), dtype=np.int64,
                                               count=len(summed)))
        by_text = np.empty(len(data), dtype=np.int64)
        by_text[sorted(range(len(data)), key=data.__getitem__)] = np.arange(len(data))
        self._write(lo, hi, forms, np.lexsort((by_text, -forms.counts, forms.terms)))

    def _write(self, lo: int, hi: int, forms: FormColumns, order: npt.NDArray[np.int64]
               ) -> None:
        terms = forms.terms[order]
        per_term = np.bincount(terms - lo, minlength=hi - lo)
        starts = np.zeros(hi - lo, dtype=np.int64)
        np.cumsum(per_term[:-1], out=starts[1:])
        self.starts.append(starts + self._forms)
        lengths = forms.lengths[order]
        self.offsets.append(np.cumsum(lengths) + self._bytes)
        self.counts.append(np.minimum(forms.counts[order], np.iinfo(np.uint32).max))
        self.blob.append(forms.blob[concat_ranges(forms.starts[order], lengths)])
        self._terms = hi
        self._forms += len(order)
        self._bytes += int(lengths.sum())

    def extend(self, read: SliceReader, field: str, nterms: int) -> None:
        """Append the forms another :class:`_SurfaceOut` wrote for the next ``nterms`` terms
        (a merge's part), ``read(name)`` giving each of its arrays in slices."""
        self.starts.extend(read(field_array(SURFACE_STARTS, field)), self._forms, stop=nterms)
        self._bytes += self.offsets.extend(read(field_array(SURFACE_OFFSETS, field)),
                                           self._bytes, first=1)
        before = self.counts.count
        self.counts.extend(read(field_array(SURFACE_COUNTS, field)))
        self.blob.extend(read(field_array(SURFACE_BLOB, field)))
        self._forms += self.counts.count - before
        self._terms += nterms

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
                  inputs: Sequence[tuple[Forms | None, npt.NDArray[np.int32]]],
                  parts: Sequence[tuple[SliceReader, int]] = ()) -> None:
    """Write a merged field's forms from each input's forms and its term map: those of
    its terms ``[0, nterms)``, then those of ``parts``.

    ``inputs`` holds, per segment, its forms (None: it has none) and the merged
    field-relative number of each of its field's terms (-1: dropped; ``nterms`` or more:
    in a part). Maps ascend where they are not -1, so a range of merged terms comes from a
    range of each input's terms, and the merge gathers a range at a time (see
    :func:`_chunks`). ``parts`` are the forms other merges wrote for the terms that follow,
    ``(read, count)`` each, ``read(name)`` giving one of their arrays in slices. A field
    no input has forms of has none written.
    """
    kept = []
    for forms, tmap in inputs:
        if forms is None:
            continue
        valid = np.flatnonzero((tmap >= 0) & (tmap < nterms)).astype(np.int32)
        kept.append((forms, valid, tmap[valid]))
    if not kept:
        return
    arrays = _SurfaceOut(out, field)
    for lo, hi in _chunks(kept, nterms):
        found: list[FormColumns] = []
        for forms, valid, new in kept:
            a, b = np.searchsorted(new, [lo, hi]).tolist()
            got = _forms_of_range(forms, valid[a:b], new[a:b])
            if got is not None:
                found.append(got)
            if b:
                _release_forms(forms, int(valid[b - 1]) + 1)
        arrays.add(lo, hi, FormColumns.joined(found) if found else _NO_FORMS)
    for read, count in parts:
        arrays.extend(read, field, count)
    arrays.finish(nterms + sum(count for _, count in parts))


def _release_forms(forms: Forms, stop: int) -> None:
    """Release the mapped pages of an input's forms of its terms before ``stop``, merged
    (a merge of many segments would otherwise keep every input's forms resident)."""
    starts, offsets, counts, blob = forms
    end = int(starts[stop])
    release_pages(starts, 0, stop)
    release_pages(offsets, 0, end)
    release_pages(counts, 0, end)
    release_pages(blob, 0, int(offsets[end]))


def _chunks(kept: Sequence[tuple[Forms, npt.NDArray[np.integer[Any]],
                                 npt.NDArray[np.integer[Any]]]],
            nterms: int) -> list[tuple[int, int]]:
    """Ranges of merged terms whose forms, over every input, number about
    :data:`_MERGE_FORMS` (a term with more is a range of its own): a merge of many
    segments gathers each term's forms from each of them."""
    per_term = np.zeros(nterms, dtype=np.int64)
    for forms, valid, new in kept:
        starts = forms[0]
        per_term += np.bincount(new, weights=starts[valid + 1] - starts[valid],
                                minlength=nterms).astype(np.int64)
    ends = np.cumsum(per_term)
    out = []
    lo = 0
    while lo < nterms:
        before = int(ends[lo - 1]) if lo else 0
        hi = int(np.searchsorted(ends, before + _MERGE_FORMS, side="right"))
        hi = min(max(hi, lo + 1), nterms, lo + _MERGE_CHUNK)
        out.append((lo, hi))
        lo = hi
    return out


_NO_FORMS = FormColumns(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8),
                        np.zeros(0, np.int64), np.zeros(0, np.int64))


def _forms_of_range(forms: Forms, old: npt.NDArray[np.integer[Any]],
                    new: npt.NDArray[np.integer[Any]]) -> FormColumns | None:
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
    return FormColumns(np.repeat(new.astype(np.int64), sizes), counts[index].astype(np.int64),
                       np.asarray(blob[base : int(end[-1])]), begin - base, end - begin)
