"""Merging segments: their live documents rewritten into one new segment, and the policy.

Merging works on the index data itself, not on stored fields (fields need not be
stored): term dictionaries are united, document numbers renumbered without the
deleted ones, and postings, positions, norms, columns and stored documents copied
over. It streams: the merged terms are walked in runs bounded by a budget derived
from the writer's buffer (see :mod:`heron.index._merge_terms`), each run's postings
gathered from every input and appended to the output arrays, which spill to temporary
files until the container is written (:mod:`heron.index._stream`); input pages are
released once consumed. Memory follows the budget, not the size of the segments.

A writer with worker processes (``procs`` > 1) lends them to its merges (:class:`Helpers`):
the terms are cut into *pieces* (a field, or a range of a large field's terms) of about
equal postings and positions, as many as there are processes; each piece is merged into
all are handed to the workers, the last in term order first. The writer's process copies
norms, columns and stored documents, then merges the pieces from the first, each straight
into the segment as long as no worker has started it; the workers merge theirs, from the
last, each into a *part* file (its terms, postings and surface forms numbered from 0, and
each input's map of its terms to them), which the writer appends where they meet, offsets
and term numbers shifted, then deletes. The merged segment is the same, byte for byte,
as one process writes.

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

import contextlib
import functools
import itertools
import math
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import CorruptIndexError
from heron.index._arrays import concat_ranges
from heron.index._assemble import field_stats, segment_meta
from heron.index._files import Container
from heron.index._format import (
    COLUMN,
    COLUMN_MASK,
    FORWARD_OFFSETS,
    FORWARD_TERMS,
    NORMS,
    PART_MAGIC,
    POS_DATA,
    POST_DOCS,
    POST_FREQS,
    SEGMENT_MAGIC,
    STORED_BLOCKS,
    STORED_DATA,
    STORED_OFFSETS,
    STORED_ZPOS,
    SURFACE_STARTS,
    TERMS_BLOB,
    TERMS_KEYS,
    TERMS_OFFSETS,
    TERMS_POS,
    TERMS_POST,
    field_array,
    norms_narrow,
    offsets_narrow,
    part_file,
)
from heron.index._manifest import SegmentEntry
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
from heron.index._stored_stream import StoredStream, copy_stored
from heron.index._stream import ContainerStream, SpilledArray, release_pages
from heron.index._surface import merge_surface
from heron.schema import Schema

MERGE_FACTOR = 10
RECLAIM_RATIO = 1 / 3
#: the most a merge chunk gathers at once, whatever the writer's buffer
MAX_CHUNK_BYTES = 32 << 20
#: live documents whose term lists are copied at once
_DOC_CHUNK = 1 << 16
#: postings and positions a merge must hold before a field goes to a helper process
HELPED_LEAST = 1 << 22
#: the name a part gives each input's map of the field's terms to its merged ones
_PART_MAP = "part.map."


@frozen
class Helpers:
    """Other processes a merge may hand whole fields to.

    ``start(piece, part)`` hands a :class:`Piece` of the same segments over, to be merged
    into the part file ``part`` elsewhere (see :func:`merge_piece`), and returns its
    :class:`Job`. ``count`` processes help, and only a merge costing at least ``least``
    (see :func:`plan_pieces`; a smaller one costs more to hand over than it saves).
    """

    count: int
    start: Callable[[Piece, Path], Job]
    #: None: :data:`HELPED_LEAST`
    least: int | None = None


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


def _renumbering(segments: list[SegmentReader]) -> tuple[list[npt.NDArray[np.int64]], int]:
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
class _Inputs:
    """A merge's input segments and what every part of it needs of them."""

    segments: list[SegmentReader]
    #: each segment's new number of each document (-1: deleted), and the total
    doc_maps: list[npt.NDArray[np.int64]]
    doc_count: int
    field_nos: dict[str, int]
    limits: MergeBudget

    @classmethod
    def of(cls, segments: list[SegmentReader], schema: Schema, budget: int | None) -> _Inputs:
        doc_maps, doc_count = _renumbering(segments)
        # a chunk of the merge gathers about a quarter of the writer's buffer, at most
        # MAX_CHUNK_BYTES; with no budget, everything at once
        limits = MergeBudget.of_bytes(None if budget is None else min(budget // 4,
                                                                      MAX_CHUNK_BYTES))
        return cls(segments, doc_maps, doc_count,
                   {name: no for no, name in enumerate(schema.names())}, limits)

    def term_maps(self) -> list[npt.NDArray[np.int32]]:
        """For each segment, its terms' merged numbers, none known yet (-1)."""
        return [np.full(len(seg.terms), -1, dtype=np.int32) for seg in self.segments]


_NO_INPUTS = _Inputs([], [], 0, {}, MergeBudget.of_bytes(None))


def merge_segments(segments: list[SegmentReader], schema: Schema, path: Path,
                   executor: Executor, budget: int | None = None, *,
                   helpers: Helpers | None = None) -> tuple[int, int, int]:
    """Write the live documents of ``segments`` as one segment; return (size, crc32, docs).

    ``budget`` is the writer's buffer in bytes: a chunk of the merge gathers about a
    quarter of it (at most :data:`MAX_CHUNK_BYTES`); None gathers everything at once.
    ``helpers``: processes that merge the largest fields meanwhile (see :class:`Helpers`).
    """
    inputs = _Inputs.of(segments, schema, budget)
    forward = {name: ftype.term_keyed for name, ftype in schema.items if ftype.keeps_forward}
    for seg in segments:
        _settle(seg)
    shared = _Shared(path, inputs)
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
            if shared.start(schema, helpers):  # the helpers begin while these are copied
                stats = _copy_per_doc(segments, inputs.doc_maps, schema, per_doc)
                copy_stored(segments, inputs.doc_maps, stored, frozenset(schema.names()))
            ranges: dict[str, list[int]] = {}
            for name, ftype in schema.items:
                if ftype.indexed:
                    first = postings.nterms
                    if not shared.merge_field(name, out, postings, final_maps):
                        _merge_field(segments, inputs.doc_maps, name,
                                     field_no=inputs.field_nos[name], limits=inputs.limits,
                                     postings=postings, final_maps=final_maps)
                        _merge_surface(out, segments, final_maps, name, first=first,
                                       stop=postings.nterms)
                    ranges[name] = [first, postings.nterms]
            postings.narrow()
            for name, (offsets, terms) in fwd_out.items():
                _copy_forward(segments, inputs.doc_maps, final_maps, name,
                              first=ranges[name][0], offsets_out=offsets, terms_out=terms,
                              required=forward[name])
            if not shared.started:
                stats = _copy_per_doc(segments, inputs.doc_maps, schema, per_doc)
                copy_stored(segments, inputs.doc_maps, stored, frozenset(schema.names()))
            stored.finish()
            size, crc = out.finish(segment_meta(doc_count=inputs.doc_count,
                                                field_nos=inputs.field_nos, ranges=ranges,
                                                stats=stats))
    finally:
        shared.close()
    return size, crc, inputs.doc_count


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


class Job(Protocol):
    """A piece handed to a helper (a :class:`concurrent.futures.Future` is one)."""

    def cancel(self) -> bool:
        """Withdraw the piece if no helper has started it; True if withdrawn."""

    def result(self) -> object:
        """Wait for the piece, raising what went wrong."""


#: what merging a term costs beside its postings and positions (uniting it with the other
#: segments' terms, its key, its dictionary entry), counted in postings: an estimate, as
#: pieces only share the work (any cut merges the same)
TERM_COST = 16
#: pieces per process: where the merge and its helpers meet, one waits for the other at
#: most a piece
PIECES_PER_PROCESS = 8


def _costs(seg: SegmentReader, lo: int, hi: int) -> npt.NDArray[np.int64]:
    """What merging each of a segment's terms ``[lo, hi)`` costs: its postings and
    positions, and :data:`TERM_COST`."""
    post = seg.raw_array(TERMS_POST)[lo : hi + 1].astype(np.int64)
    pos = seg.raw_array(TERMS_POS)[lo : hi + 1].astype(np.int64)
    return np.diff(post) + np.diff(pos) + TERM_COST


def plan_pieces(segments: list[SegmentReader], schema: Schema, processes: int,
                least: int) -> list[Piece]:
    """The pieces of a merge shared among ``processes``, in term order; none if its cost is
    under ``least`` or it makes a single piece.

    Each field with terms is a piece; one costing more than a piece should (the total
    over :data:`PIECES_PER_PROCESS` times ``processes``) is cut into pieces of about that,
    at terms of its input with the most terms (a bulk load's segments share one
    distribution of words, and any cut is right: it only shares the work).
    """
    cost = {name: sum(int(_costs(seg, *seg.terms.field_range(name)).sum()) for seg in segments)
            for name, ftype in schema.items if ftype.indexed}
    total = sum(cost.values())
    if processes < 2 or total < max(least, 1):
        return []
    size = total / (PIECES_PER_PROCESS * processes)
    pieces: list[Piece] = []
    for name, amount in cost.items():
        if not amount:
            continue
        bounds: list[bytes | None] = [None]
        if amount > size:
            biggest = max(segments, key=functools.partial(_term_count, field=name))
            lo, hi = biggest.terms.field_range(name)
            running = np.cumsum(_costs(biggest, lo, hi))
            cuts = math.ceil(amount / size)
            at = np.unique(np.searchsorted(running, running[-1] * np.arange(1, cuts) / cuts))
            bounds += [biggest.terms.term_bytes(lo + int(i)) for i in at if 0 < i < hi - lo]
        bounds.append(None)
        for k, (low, high) in enumerate(itertools.pairwise(bounds)):
            pieces.append(Piece(name, k, low, high))
    return pieces if len(pieces) > 1 else []


def _term_count(seg: SegmentReader, field: str) -> int:
    lo, hi = seg.terms.field_range(field)
    return hi - lo


class _Shared:
    """A merge whose pieces are shared with helpers (see :class:`Helpers`): all are handed
    over, the last in term order first, and this process merges them from the first,
    each straight into the segment while no helper has started it; from the first one a
    helper has (the helpers have started every later one), it appends their parts."""

    def __init__(self, path: Path, inputs: _Inputs) -> None:
        self._path = path
        self._inputs = inputs
        self._pieces: dict[str, list[tuple[Piece, Path]]] = {}
        self._jobs: dict[Path, Job] = {}
        self._helped = False  # a helper has started a piece this process reached

    @property
    def started(self) -> bool:
        """Whether pieces were handed over."""
        return bool(self._pieces)

    def start(self, schema: Schema, helpers: Helpers | None) -> bool:
        """Hand the pieces to the helpers; return whether any were (False: the merge is not
        worth helping)."""
        if helpers is None or helpers.count < 1:
            return False
        pieces = plan_pieces(self._inputs.segments, schema, helpers.count + 1,
                             HELPED_LEAST if helpers.least is None else helpers.least)
        for piece in pieces:
            path = part_file(self._path, self._inputs.field_nos[piece.field], piece.number)
            self._pieces.setdefault(piece.field, []).append((piece, path))
        for piece, path in reversed([item for items in self._pieces.values() for item in items]):
            self._jobs[path] = helpers.start(piece, path)
        return bool(pieces)

    def merge_field(self, field: str, out: ContainerStream, postings: PostingsOut,
                    final_maps: list[npt.NDArray[np.int32]]) -> bool:
        """Merge a field piece by piece, or append the parts of its pieces helpers merged,
        then its forms; fill in the inputs' term maps. False if the field has no pieces."""
        if field not in self._pieces:
            return False
        first = postings.nterms
        here = first  # the terms merged here end there
        forms = []
        with contextlib.ExitStack() as stack:
            for piece, path in self._pieces[field]:
                job = self._jobs.pop(path)
                self._helped = self._helped or not job.cancel()
                if not self._helped:
                    _merge_field(self._inputs.segments, self._inputs.doc_maps, field,
                                 field_no=self._inputs.field_nos[field],
                                 limits=self._inputs.limits, postings=postings,
                                 final_maps=final_maps, piece=piece)
                    here = postings.nterms
                    continue
                job.result()
                part = stack.enter_context(Container(path, PART_MAGIC))
                count = self._append(piece, part, postings, final_maps)
                if field_array(SURFACE_STARTS, field) in part:
                    forms.append((part.stream, count))
            _merge_surface(out, self._inputs.segments, final_maps, field, first=first,
                           stop=here, parts=forms)
        return True

    def _append(self, piece: Piece, part: Container, postings: PostingsOut,
                final_maps: list[npt.NDArray[np.int32]]) -> int:
        """Append a part's terms and postings; fill in the inputs' term maps."""
        if part.meta != _part_meta(piece, self._inputs):
            raise CorruptIndexError(f"{part.path.name}: is not the part it should be")
        first = postings.nterms
        count = postings.extend(part.stream)
        for s, (seg, tmap) in enumerate(zip(self._inputs.segments, final_maps, strict=True)):
            a, b = piece.bounds(seg)
            got = part.array(f"{_PART_MAP}{s}")
            if len(got) != b - a:
                raise CorruptIndexError(f"{part.path.name}: a term map has the wrong size")
            tmap[a:b] = np.where(got >= 0, got + first, -1)
        return count

    def close(self) -> None:
        """Withdraw or wait for the pieces still handed out (a merge that failed), then
        delete the parts."""
        for job in self._jobs.values():
            if not job.cancel():
                with contextlib.suppress(Exception):
                    job.result()
        self._jobs = {}
        for items in self._pieces.values():
            for _, path in items:
                path.unlink(missing_ok=True)


def _part_meta(piece: Piece, inputs: _Inputs) -> dict[str, Any]:
    return {"field": piece.field, "piece": piece.number, "segments": len(inputs.segments),
            "docs": inputs.doc_count}


#: in a helper (a process, or a thread), the inputs of the merge it helps last (a merge
#: hands it several pieces: each array is checked once, not once a piece)
_HELPED = threading.local()


def merge_piece(directory: str, entries: list[SegmentEntry], schema_json: str, *,
                piece: Piece, part: str, budget: int | None) -> None:
    """In a helper process: merge a piece of the segments ``entries`` (with the writer's
    ``budget``) into the part file ``part`` (see :func:`write_part`)."""
    key = (directory, tuple(entries), schema_json, budget)
    if getattr(_HELPED, "key", None) != key:
        for seg in getattr(_HELPED, "inputs", _NO_INPUTS).segments:
            seg.close()
        _HELPED.key, _HELPED.inputs = None, _NO_INPUTS
        segments = [SegmentReader(Path(directory), entry) for entry in entries]
        _HELPED.key, _HELPED.inputs = key, _Inputs.of(segments, Schema.from_json(schema_json),
                                                      budget)
    write_part(_HELPED.inputs, piece, Path(part))


def write_part(inputs: _Inputs, piece: Piece, path: Path) -> None:
    """Write a piece of a merge as a part: its merged terms and postings (numbered from 0),
    their forms, and each input's map from its own terms in the piece to the merged."""
    final_maps = inputs.term_maps()
    with ContainerStream(path, PART_MAGIC, durable=False) as out:  # read back at once
        postings = PostingsOut(out, inputs.doc_count)
        _merge_field(inputs.segments, inputs.doc_maps, piece.field,
                     field_no=inputs.field_nos[piece.field], limits=inputs.limits,
                     postings=postings, final_maps=final_maps, piece=piece)
        _merge_surface(out, inputs.segments, final_maps, piece.field, first=0,
                       stop=postings.nterms)
        for s, (seg, tmap) in enumerate(zip(inputs.segments, final_maps, strict=True)):
            a, b = piece.bounds(seg)
            out.put(f"{_PART_MAP}{s}", tmap[a:b])
        out.finish(_part_meta(piece, inputs))


def _settle(seg: SegmentReader) -> None:
    """Verify the arrays a merge reads, then release their pages (reading maps them in)."""
    names = [TERMS_OFFSETS, TERMS_BLOB, TERMS_KEYS, TERMS_POST, TERMS_POS,
             POST_DOCS, POST_FREQS, POS_DATA, STORED_OFFSETS, STORED_BLOCKS,
             STORED_ZPOS, STORED_DATA]
    for name in names:
        release_pages(seg.raw_array(name))
    for name in names:  # again: reading one array faults pages of the one before back in
        release_pages(seg.raw_array(name))


def _merge_field(segments: list[SegmentReader], doc_maps: list[npt.NDArray[np.int64]],
                 name: str, *, field_no: int, limits: MergeBudget, postings: PostingsOut,
                 final_maps: list[npt.NDArray[np.int32]], piece: Piece | None = None) -> None:
    """Append one field's merged terms and postings (those of ``piece`` alone, if given);
    record each input term's new number."""
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
            _release_terms(seg, start + len(tmap))


def _merge_surface(out: ContainerStream, segments: list[SegmentReader],
                   final_maps: list[npt.NDArray[np.int32]], name: str, *, first: int,
                   stop: int, parts: Sequence[tuple[Callable[[str], Iterable[
                       npt.NDArray[Any]]], int]] = ()) -> None:
    """Write the merged field's surface forms from the inputs that have them: those of
    merged terms ``[first, stop)``, then those of ``parts`` (see :func:`merge_surface`)."""
    inputs = []
    for seg, tmap in zip(segments, final_maps, strict=True):
        lo, hi = seg.terms.field_range(name)
        numbers = tmap[lo:hi].astype(np.int64)
        inputs.append((seg.surface(name), np.where(numbers >= 0, numbers - first, -1)))
    merge_surface(out, name, stop - first, inputs, parts)


def _release_terms(seg: SegmentReader, stop: int) -> None:
    """Release the pages of a segment's dictionary up to entry ``stop``, now merged."""
    offsets = seg.raw_array(TERMS_OFFSETS)
    release_pages(seg.raw_array(TERMS_BLOB), 0, int(offsets[stop]))
    for name in (TERMS_OFFSETS, TERMS_POST, TERMS_POS, TERMS_KEYS):
        release_pages(seg.raw_array(name), 0, stop)


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
