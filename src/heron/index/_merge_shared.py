"""A merge shared with a writer's worker processes.

A writer with worker processes (``procs`` > 1) lends them to its merges (:class:`Helpers`).
The merge's terms are cut into *pieces* (:func:`plan_pieces`: a field, or a range of a
large field's terms), about :data:`PIECES_PER_PROCESS` a process, of about equal cost. All
are handed to the workers, the last in term order first. The writer's process copies
norms, columns and stored documents, then merges the pieces from the first, each straight
into the merged segment; the workers merge theirs from the last, each into a *part* file
(:func:`write_part`: its terms, postings and surface forms numbered from 0, and each
input's map of its terms to them). Whoever starts a piece first claims it by creating its
part file exclusively (:func:`heron.index._safeio.claim`); so once the writer finds a
piece claimed, the workers have claimed every later one, and it appends their parts in
term order, offsets and term numbers shifted, and deletes them. The merged segment is
the same, byte for byte, as one process writes.

Parts are heron's own files (their names match :data:`heron.index._format.OWN_FILE`):
those of a writer that died are removed by the next.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import CorruptIndexError
from heron.index._files import Container
from heron.index._format import (
    PART_MAGIC,
    SURFACE_STARTS,
    TERMS_POS,
    TERMS_POST,
    field_array,
    part_file,
    temporary,
)
from heron.index._merge_fields import MergeInputs, Piece, merge_field, merge_forms
from heron.index._safeio import claim
from heron.index._segment_reader import SegmentReader
from heron.index._segment_stream import PostingsOut
from heron.index._stream import ContainerStream, SliceReader
from heron.schema import Schema

#: what a merge must cost (see :func:`plan_pieces`) to be shared: a smaller one costs more
#: to hand over than it saves
HELPED_LEAST = 1 << 22
#: what merging a term costs beside its postings and positions (uniting it with the other
#: segments' terms, its key, its dictionary entry), counted in postings: an estimate, as
#: pieces only share the work (any cut merges the same)
TERM_COST = 16
#: pieces per process: where the merge and its helpers meet, one waits for the other at
#: most a piece
PIECES_PER_PROCESS = 8
#: the name a part gives each input's map of the piece's terms to the merged ones
_PART_MAP = "part.map."


class Job(Protocol):
    """A piece handed to a helper (a :class:`concurrent.futures.Future` is one)."""

    def result(self) -> object:
        """Wait until the helper has merged the piece, or found it claimed; raise what
        went wrong."""


@frozen
class Helpers:
    """Other processes a merge may share its pieces with.

    ``start(piece, part)`` hands a :class:`Piece` of the same segments over: the helper
    merges it into the part file ``part`` if it claims it first (see :func:`write_part`
    and :func:`heron.index._parallel.merge_piece`), and returns its :class:`Job`.
    ``count`` processes help, and only a merge costing at least ``least`` (None:
    :data:`HELPED_LEAST`).
    """

    count: int
    start: Callable[[Piece, Path], Job]
    least: int | None = None


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


class SharedMerge:
    """The pieces of one merge, handed to helpers and met in the middle (see the module)."""

    def __init__(self, path: Path, inputs: MergeInputs) -> None:
        self._path = path
        self._inputs = inputs
        self._pieces: dict[str, list[tuple[Piece, Path]]] = {}
        self._jobs: dict[Path, Job] = {}
        self._met = False  # a piece this process reached was claimed by a helper

    def start(self, schema: Schema, helpers: Helpers | None) -> None:
        """Hand the pieces to the helpers (none if the merge is not worth sharing)."""
        if helpers is None or helpers.count < 1:
            return
        pieces = plan_pieces(self._inputs.segments, schema, helpers.count + 1,
                             HELPED_LEAST if helpers.least is None else helpers.least)
        for piece in pieces:
            path = part_file(self._path, self._inputs.field_nos[piece.field], piece.number)
            path.unlink(missing_ok=True)  # nothing there may look claimed
            self._pieces.setdefault(piece.field, []).append((piece, path))
        for piece, path in reversed([item for items in self._pieces.values() for item in items]):
            self._jobs[path] = helpers.start(piece, path)

    def merge_field(self, field: str, out: ContainerStream, postings: PostingsOut,
                    final_maps: list[npt.NDArray[np.int32]]) -> bool:
        """Merge a field piece by piece, or append the parts of the pieces helpers claimed,
        then its forms; fill in the inputs' term maps. False if the field has no pieces."""
        if field not in self._pieces:
            return False
        first = postings.nterms
        here = first  # the terms merged here end there
        forms: list[tuple[SliceReader, int]] = []
        with contextlib.ExitStack() as stack:
            for piece, path in self._pieces[field]:
                self._met = self._met or not claim(path)
                if not self._met:
                    merge_field(self._inputs, field, postings=postings,
                                final_maps=final_maps, piece=piece)
                    here = postings.nterms
                    continue
                self._jobs.pop(path).result()
                part = stack.enter_context(Container(path, PART_MAGIC))
                count = self._append(piece, part, postings, final_maps)
                if field_array(SURFACE_STARTS, field) in part:
                    forms.append((part.stream, count))
            merge_forms(out, self._inputs.segments, final_maps, field, first=first, stop=here,
                        parts=forms)
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
        """Wait for every piece handed over (those this process claimed, the helpers find
        claimed: nothing may claim them once their files are gone), then delete the parts
        and what a helper that failed left of them."""
        for job in self._jobs.values():
            with contextlib.suppress(Exception):  # a failed merge: its error is on its way
                job.result()
        self._jobs = {}
        for items in self._pieces.values():
            for _, path in items:
                path.unlink(missing_ok=True)
                temporary(path).unlink(missing_ok=True)


def _part_meta(piece: Piece, inputs: MergeInputs) -> dict[str, Any]:
    return {"field": piece.field, "piece": piece.number, "segments": len(inputs.segments),
            "docs": inputs.doc_count}


def write_part(inputs: MergeInputs, piece: Piece, path: Path) -> None:
    """Write a piece of a merge as a part: its merged terms and postings (numbered from 0),
    their forms, and each input's map from its own terms in the piece to the merged."""
    final_maps = inputs.term_maps()
    with ContainerStream(path, PART_MAGIC, durable=False) as out:  # read back at once
        postings = PostingsOut(out, inputs.doc_count)
        merge_field(inputs, piece.field, postings=postings, final_maps=final_maps,
                    piece=piece)
        merge_forms(out, inputs.segments, final_maps, piece.field, first=0,
                    stop=postings.nterms)
        for s, (seg, tmap) in enumerate(zip(inputs.segments, final_maps, strict=True)):
            a, b = piece.bounds(seg)
            out.put(f"{_PART_MAP}{s}", tmap[a:b])
        out.finish(_part_meta(piece, inputs))
