"""Merging one field's terms, postings and surface forms, or a piece of them.

A merge's inputs (:class:`MergeInputs`) are its segments, their documents' new numbers,
and the budget of a chunk. :func:`merge_field` walks a field's merged terms in runs
bounded by the budget (see :mod:`heron.index._merge_terms`), gathers each run's postings
from every input and appends them to a :class:`~heron.index._segment_stream.PostingsOut`;
:func:`merge_forms` writes the field's surface forms once its terms are numbered. A
:class:`Piece` restricts both to a range of a field's terms, so that processes can share
a merge (see :mod:`heron.index._merge_shared`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.index._format import TERMS_BLOB, TERMS_KEYS, TERMS_OFFSETS, TERMS_POS, TERMS_POST
from heron.index._merge_terms import (
    MergeBudget,
    field_chunks,
    gather_pairs,
    pair_chunks,
    segment_range,
    term_pieces,
)
from heron.index._segment_reader import SegmentReader
from heron.index._segment_stream import PostingsOut
from heron.index._stream import ContainerStream, SliceReader, release_pages
from heron.index._surface import Forms, merge_surface
from heron.schema import Schema

#: the most a merge chunk gathers at once, whatever the writer's buffer
MAX_CHUNK_BYTES = 32 << 20


def renumbering(segments: list[SegmentReader]) -> tuple[list[npt.NDArray[np.int64]], int]:
    """For each segment, the new number of each document (-1 if deleted), and the total."""
    maps = []
    base = 0
    for seg in segments:
        live = np.ones(seg.doc_count, bool) if seg.deleted is None else ~seg.deleted
        new = np.full(seg.doc_count, -1, dtype=np.int64)
        new[live] = base + np.arange(int(live.sum()), dtype=np.int64)
        base += int(live.sum())
        maps.append(new)
    return maps, base


@frozen
class MergeInputs:
    """A merge's input segments and what every piece of it needs of them."""

    segments: list[SegmentReader]
    #: each segment's new number of each document (-1: deleted), and the total
    doc_maps: list[npt.NDArray[np.int64]]
    doc_count: int
    field_nos: dict[str, int]
    limits: MergeBudget

    @classmethod
    def of(cls, segments: list[SegmentReader], schema: Schema, budget: int | None) -> MergeInputs:
        doc_maps, doc_count = renumbering(segments)
        # a chunk of the merge gathers about a quarter of the writer's buffer, at most
        # MAX_CHUNK_BYTES; with no budget, everything at once
        limits = MergeBudget.of_bytes(None if budget is None else min(budget // 4,
                                                                      MAX_CHUNK_BYTES))
        return cls(segments, doc_maps, doc_count,
                   {name: no for no, name in enumerate(schema.names())}, limits)

    def term_maps(self) -> list[npt.NDArray[np.int32]]:
        """For each segment, its terms' merged numbers, none known yet (-1)."""
        return [np.full(len(seg.terms), -1, dtype=np.int32) for seg in self.segments]


@frozen
class Piece:
    """Terms of ``field`` whose bytes are at least ``low`` and below ``high`` (None: no
    bound): piece ``number`` of the field."""

    field: str
    number: int
    low: bytes | None
    high: bytes | None

    def bounds(self, seg: SegmentReader) -> tuple[int, int]:
        """The term numbers ``[a, b)`` of a segment that fall in this piece."""
        lo, hi = seg.terms.field_range(self.field)
        if self.low is not None:
            lo = seg.terms.lower_bound(self.field, self.low)
        if self.high is not None:
            hi = seg.terms.lower_bound(self.field, self.high)
        return lo, hi


def merge_field(inputs: MergeInputs, name: str, *, postings: PostingsOut,
                final_maps: list[npt.NDArray[np.int32]], piece: Piece | None = None) -> None:
    """Append one field's merged terms and postings (those of ``piece`` alone, if given);
    record each input term's new number."""
    segments, doc_maps, limits = inputs.segments, inputs.doc_maps, inputs.limits
    field_no = inputs.field_nos[name]
    per_segment = max(1, limits.terms // max(1, len(segments)))
    bounds = None if piece is None else [piece.bounds(seg) for seg in segments]
    for run in field_chunks(segments, name, per_segment, bounds):
        for lo, hi, oversized in pair_chunks(segments, run, limits):
            if oversized:  # one term past the budget: streamed a piece at a time
                pieces = term_pieces(segments, doc_maps, run, lo, limits)
                numbers = np.asarray([postings.add_pieces(run.terms[lo], field_no, pieces)])
            else:
                pairs = gather_pairs(segments, doc_maps, run, lo, hi)
                numbers = postings.add(run.terms[lo:hi], field_no, pairs)
            for s, tmap in enumerate(run.maps):
                a, b = segment_range(run, s, lo, hi)
                start = run.starts[s]
                final_maps[s][a:b] = numbers[tmap[a - start : b - start] - lo]
        for seg, start, tmap in zip(segments, run.starts, run.maps, strict=True):
            release_terms(seg, start + len(tmap))


def merge_forms(out: ContainerStream, segments: list[SegmentReader],
                final_maps: list[npt.NDArray[np.int32]], name: str, *, first: int,
                stop: int, parts: Sequence[tuple[SliceReader, int]] = ()) -> None:
    """Write the merged field's surface forms from the inputs that have them: those of
    merged terms ``[first, stop)``, then those of ``parts`` (see :func:`merge_surface`)."""
    inputs: list[tuple[Forms | None, npt.NDArray[np.int32]]] = []
    for seg, tmap in zip(segments, final_maps, strict=True):
        forms = seg.surface(name)
        if forms is None:
            inputs.append((None, tmap[:0]))
            continue
        lo, hi = seg.terms.field_range(name)
        numbers = tmap[lo:hi]  # 32 bits: a merge of many segments holds one for each
        inputs.append((forms, np.where(numbers >= 0, numbers - first, -1).astype(np.int32)))
    merge_surface(out, name, stop - first, inputs, parts)


def release_terms(seg: SegmentReader, stop: int) -> None:
    """Release the pages of a segment's dictionary up to entry ``stop``, now merged."""
    offsets = seg.raw_array(TERMS_OFFSETS)
    release_pages(seg.raw_array(TERMS_BLOB), 0, int(offsets[stop]))
    for name in (TERMS_OFFSETS, TERMS_POST, TERMS_POS, TERMS_KEYS):
        release_pages(seg.raw_array(name), 0, stop)
