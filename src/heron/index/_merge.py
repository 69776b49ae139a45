"""Merging segments: their live documents rewritten into one new segment, and the policy.

Merging works on the index data itself, not on stored fields (fields need not be
stored): term dictionaries are united, document numbers renumbered without the
deleted ones, and postings, positions, norms, columns and stored documents copied
over. It streams: the merged terms are walked in runs bounded by a budget derived
from the writer's buffer (see :mod:`heron.index._merge_terms`), each run's postings
gathered from every input and appended to the output arrays, which spill to temporary
files until the container is written (:mod:`heron.index._stream`); input pages are
released once consumed. Memory follows the budget, not the size of the segments.

A writer with worker processes (``procs`` > 1) shares its merges with them (see
:mod:`heron.index._merge_shared`); the merged segment is the same, byte for byte.

The merge policy: first, the segments one writer flushed (a bulk load's, whether one
process or ``procs=N`` built them) are merged into one at its commit, since every
segment costs each query a term look-up and a pass of its own (news grown 16 times:
9 segments answered keyword queries 2-4 times slower than one). Then it is logarithmic:
segments are grouped by size level (a level is a factor of ``merge_factor`` in live
documents); when a level holds ``merge_factor`` segments they are merged into one of the
next level, so an index of N documents keeps about ``merge_factor * log(N)`` segments.
A segment with more than a third of its documents deleted is rewritten to reclaim them.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.errors import CorruptIndexError
from heron.index._arrays import concat_ranges
from heron.index._assemble import field_stats, segment_meta
from heron.index._format import (
    COLUMN,
    COLUMN_MASK,
    FORWARD_OFFSETS,
    FORWARD_TERMS,
    NORMS,
    POS_DATA,
    POST_DOCS,
    POST_FREQS,
    SEGMENT_MAGIC,
    STORED_BLOCKS,
    STORED_DATA,
    STORED_OFFSETS,
    STORED_ZPOS,
    TERMS_BLOB,
    TERMS_KEYS,
    TERMS_OFFSETS,
    TERMS_POS,
    TERMS_POST,
    field_array,
    norms_narrow,
    offsets_narrow,
)
from heron.index._manifest import SegmentEntry
from heron.index._merge_fields import MergeInputs, merge_field, merge_forms
from heron.index._merge_shared import Helpers, SharedMerge
from heron.index._segment_reader import SegmentReader
from heron.index._segment_stream import PostingsOut
from heron.index._stored_stream import StoredStream, copy_stored
from heron.index._stream import ContainerStream, SpilledArray, release_pages
from heron.schema import Schema

MERGE_FACTOR = 10
RECLAIM_RATIO = 1 / 3
#: live documents whose term lists are copied at once
_DOC_CHUNK = 1 << 16


def choose_merges(entries: list[SegmentEntry], factor: int = MERGE_FACTOR,
                  fresh: Collection[str] = ()) -> list[list[str]]:
    """Groups of segment names to merge (each group merges to one): the ``fresh`` ones (the
    segments the committing writer flushed, side by side at the end) together when there
    are two or more, then the others by the logarithmic policy, ``factor`` neighbours of
    one size class at a time."""
    groups: list[list[str]] = []
    together = [e.name for e in entries if e.name in fresh]
    if len(together) > 1:
        groups.append(together)
        entries = [e for e in entries if e.name not in fresh]
    # neighbours only: a merged segment takes its first member's place, so merging
    # segments apart would move documents past others and out of the order they were
    # added in (the order equal scores rank by)
    run: list[SegmentEntry] = []  # neighbours of one level
    for entry in [*entries, None]:
        reclaim = entry is not None and entry.doc_count > 0 and (
            entry.deleted_count > RECLAIM_RATIO * entry.doc_count)
        if reclaim and entry is not None:
            groups.append([entry.name])  # rewrite alone to reclaim deleted documents
        if run and (entry is None or reclaim
                    or _level(entry, factor) != _level(run[0], factor)):
            groups.extend([e.name for e in run[i : i + factor]]
                          for i in range(0, len(run) - factor + 1, factor))
            run = []
        if entry is not None and not reclaim:
            run.append(entry)
    return groups


def _level(entry: SegmentEntry, factor: int) -> int:
    """A segment's size class: segments of one class merge when ``factor`` of them sit
    side by side."""
    return int(math.log(max(entry.live_count, 1), factor))


def merge_segments(segments: list[SegmentReader], schema: Schema, path: Path,
                   executor: Executor, budget: int | None = None, *,
                   helpers: Helpers | None = None) -> tuple[int, int, int]:
    """Write the live documents of ``segments`` as one segment; return (size, crc32, docs).

    ``budget`` is the writer's buffer in bytes: a chunk of the merge gathers about a
    quarter of it (at most :data:`heron.index._merge_fields.MAX_CHUNK_BYTES`); None
    gathers everything at once.
    ``helpers``: processes to share the merge with (see :mod:`heron.index._merge_shared`).
    """
    inputs = MergeInputs.of(segments, schema, budget)
    forward = {name: ftype.term_keyed for name, ftype in schema.items if ftype.keeps_forward}
    for seg in segments:
        _settle(seg)
    shared = SharedMerge(path, inputs)
    try:
        with ContainerStream(path, SEGMENT_MAGIC) as out:
            postings = PostingsOut(out, inputs.doc_count)
            fwd_out = {name: (out.spill(field_array(FORWARD_OFFSETS, name), np.int64,
                                        offsets_narrow()),
                              out.spill(field_array(FORWARD_TERMS, name), np.uint32))
                       for name in forward}
            per_doc = _declare_per_doc(out, schema)
            stored = StoredStream(out, executor)
            final_maps = inputs.term_maps()
            shared.start(schema, helpers)
            # first (the arrays are laid out as declared above, whatever the order they
            # are filled in): helpers, if any, begin on their pieces meanwhile
            stats = _copy_per_doc(segments, inputs.doc_maps, schema, per_doc)
            copy_stored(segments, inputs.doc_maps, stored, frozenset(schema.names()))
            ranges: dict[str, list[int]] = {}
            for name, ftype in schema.items:
                if ftype.indexed:
                    first = postings.nterms
                    if not shared.merge_field(name, out, postings, final_maps):
                        merge_field(inputs, name, postings=postings, final_maps=final_maps)
                        merge_forms(out, segments, final_maps, name, first=first,
                                    stop=postings.nterms)
                    ranges[name] = [first, postings.nterms]
            postings.narrow()
            for name, (offsets, terms) in fwd_out.items():
                _copy_forward(segments, inputs.doc_maps, final_maps, name,
                              first=ranges[name][0], offsets_out=offsets, terms_out=terms,
                              required=forward[name])
            stored.finish()
            size, crc = out.finish(segment_meta(doc_count=inputs.doc_count,
                                                field_nos=inputs.field_nos, ranges=ranges,
                                                stats=stats))
    finally:
        shared.close()
    return size, crc, inputs.doc_count


def _settle(seg: SegmentReader) -> None:
    """Verify the arrays a merge reads, then release their pages (reading maps them in)."""
    names = [TERMS_OFFSETS, TERMS_BLOB, TERMS_KEYS, TERMS_POST, TERMS_POS,
             POST_DOCS, POST_FREQS, POS_DATA, STORED_OFFSETS, STORED_BLOCKS,
             STORED_ZPOS, STORED_DATA]
    for name in names:
        release_pages(seg.raw_array(name))
    for name in names:  # again: reading one array faults pages of the one before back in
        release_pages(seg.raw_array(name))


def _copy_forward(segments: list[SegmentReader], doc_maps: list[npt.NDArray[np.int64]],
                  final_maps: list[npt.NDArray[np.int32]], name: str, *, first: int,
                  offsets_out: SpilledArray, terms_out: SpilledArray, required: bool) -> None:
    """Append the per-document term lists of a field, renumbered.

    A segment written before unstored fields kept their term lists (``required`` False)
    contributes empty lists; a term-keyed field's (KEYWORD, ID) are required.
    """
    offsets_out.append([0])
    total = 0
    for seg, dmap, tmap in zip(segments, doc_maps, final_maps, strict=True):
        fwd = seg.forward(name)
        start, stop = seg.terms.field_range(name)
        if fwd is None:
            if start != stop and required:
                raise CorruptIndexError(f"{seg.name}: lacks the term lists of field {name!r}")
            offsets_out.append(np.full(int(np.count_nonzero(dmap >= 0)), total, dtype=np.int64))
            continue
        offsets, terms = fwd
        live = np.flatnonzero(dmap >= 0)
        for lo in range(0, len(live), _DOC_CHUNK):
            docs = live[lo : lo + _DOC_CHUNK]
            starts = offsets[docs].astype(np.int64)
            counts = offsets[docs + 1].astype(np.int64) - starts
            local = terms[concat_ranges(starts, counts)].astype(np.int64)
            terms_out.append(tmap[local + start] - first)
            offsets_out.append(np.cumsum(counts) + total)
            total += int(counts.sum())
        release_pages(offsets)
        release_pages(terms)


def _declare_per_doc(out: ContainerStream, schema: Schema) -> dict[str, SpilledArray]:
    """Declare the norms and columns arrays, in the order a segment lays them out."""
    arrays = {}
    for name, ftype in schema.items:
        kinds: list[tuple[str, type[np.generic]]] = [(NORMS, np.uint32)] if ftype.scorable else []
        if ftype.columnar:
            kinds += [(COLUMN, ftype.column_dtype()), (COLUMN_MASK, np.bool_)]
        for kind, dtype in kinds:
            key = field_array(kind, name)
            arrays[key] = out.spill(key, dtype, norms_narrow() if kind == NORMS else None)
    return arrays


def _copy_per_doc(segments: list[SegmentReader], doc_maps: list[npt.NDArray[np.int64]],
                  schema: Schema, arrays: dict[str, SpilledArray]) -> dict[str, dict[str, int]]:
    """Append the live norms and columns of every field; return the scored fields' stats."""
    stats: dict[str, dict[str, int]] = {}
    for name, ftype in schema.items:
        if ftype.scorable:
            stats[name] = {"docs": 0, "length": 0}
    for seg, dmap in zip(segments, doc_maps, strict=True):
        live = dmap >= 0
        for name, ftype in schema.items:
            parts: list[tuple[str, npt.NDArray[Any] | None]] = []
            if ftype.scorable:
                parts.append((NORMS, seg.norms(name)))
            if ftype.columnar:
                column = seg.column(name)
                parts.append((COLUMN, None if column is None else column[0]))
                parts.append((COLUMN_MASK, None if column is None else column[1]))
            for kind, values in parts:
                out = arrays[field_array(kind, name)]
                kept = (np.zeros(int(live.sum()), dtype=out.dtype) if values is None
                        else values[live].astype(out.dtype))
                out.append(kept)
                if kind == NORMS:
                    for stat, value in field_stats(kept).items():
                        stats[name][stat] += value
                if values is not None:
                    release_pages(values)
    return stats
