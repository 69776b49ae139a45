"""Merging segments: their live documents rewritten into one new segment, and the policy.

Merging works on the index data itself, not on stored fields (fields need not be
stored): term dictionaries are united, document numbers renumbered without the
deleted ones, and postings, positions, norms, columns and stored documents copied
over, all as whole arrays per segment.

The merge policy is logarithmic: segments are grouped by size level (a level is a
factor of ``merge_factor`` in live documents); when a level holds ``merge_factor``
segments they are merged into one of the next level, so an index of N documents keeps
about ``merge_factor * log(N)`` segments. A segment with more than a third of its
documents deleted is rewritten to reclaim them.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.index._arrays import concat_ranges, stable_order
from heron.index._assemble import (
    dictionary_arrays,
    field_stats,
    postings_arrays,
    write_segment,
)
from heron.index._manifest import SegmentEntry
from heron.index._segment_reader import SegmentReader
from heron.index._segment_writer import column_dtype
from heron.index._stored import StoredWriter
from heron.schema import ID, KEYWORD, Schema

MERGE_FACTOR = 10
RECLAIM_RATIO = 1 / 3


def choose_merges(entries: list[SegmentEntry], factor: int = MERGE_FACTOR) -> list[list[str]]:
    """Groups of segment names to merge, by the logarithmic policy (each group merges to one)."""
    groups: list[list[str]] = []
    levels: dict[int, list[SegmentEntry]] = {}
    for entry in entries:
        live = entry.live_count
        if entry.doc_count and entry.deleted_count > RECLAIM_RATIO * entry.doc_count:
            groups.append([entry.name])  # rewrite to reclaim deleted documents
            continue
        level = int(math.log(max(live, 1), factor))
        levels.setdefault(level, []).append(entry)
    for level in sorted(levels):
        members = levels[level]
        while len(members) >= factor:
            groups.append([e.name for e in members[:factor]])
            members = members[factor:]
    return groups


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


def _field_terms(segments: list[SegmentReader], name: str
                 ) -> tuple[list[bytes], list[npt.NDArray[np.int64]]]:
    """The united sorted terms of a field, and each segment's map into them."""
    per_segment = []
    for seg in segments:
        start, stop = seg.terms.field_range(name)
        per_segment.append([seg.terms.term_bytes(n) for n in range(start, stop)])
    merged = sorted(set().union(*per_segment))
    index = {t: i for i, t in enumerate(merged)}
    maps = [np.asarray([index[t] for t in terms], dtype=np.int64) for terms in per_segment]
    return merged, maps


def merge_segments(segments: list[SegmentReader], schema: Schema, path: Path,
                   executor: Executor) -> tuple[int, int, int]:
    """Write the live documents of ``segments`` as one segment; return (size, crc32, docs)."""
    doc_maps, doc_count = _renumbering(segments)
    field_nos = {name: no for no, name in enumerate(schema.names())}
    indexed = [name for name, ftype in schema.items if ftype.indexed]
    # term numbers: united dictionary per field, fields in schema order
    dictionary: list[tuple[str, int, list[bytes]]] = []
    term_maps = [np.zeros(len(seg.terms), dtype=np.int64) for seg in segments]
    base = 0
    for name in indexed:
        merged, maps = _field_terms(segments, name)
        dictionary.append((name, field_nos[name], merged))
        for seg, tmap, fmap in zip(segments, term_maps, maps, strict=True):
            start, stop = seg.terms.field_range(name)
            tmap[start:stop] = fmap + base
        base += len(merged)
    pairs = [_segment_pairs(seg, tmap, dmap)
             for seg, tmap, dmap in zip(segments, term_maps, doc_maps, strict=True)]
    terms = np.concatenate([p[0] for p in pairs])
    docs = np.concatenate([p[1] for p in pairs])
    freqs = np.concatenate([p[2] for p in pairs])
    pos_counts = np.concatenate([p[3] for p in pairs])
    # each segment's position starts count from its own array: shift them past the others
    shifts = np.cumsum([0] + [len(p[5]) for p in pairs[:-1]])
    pos_starts = np.concatenate([p[4] + shift for p, shift in zip(pairs, shifts, strict=True)])
    all_positions = np.concatenate([p[5] for p in pairs])
    order = stable_order(terms)  # segments in order: documents stay ascending
    terms, docs, freqs = terms[order], docs[order], freqs[order]
    pos_counts, pos_starts = pos_counts[order], pos_starts[order]
    positions = all_positions[concat_ranges(pos_starts, pos_counts)]
    # drop terms left without postings by deletions, and renumber the rest
    used = np.bincount(terms, minlength=base) > 0
    if not used.all():
        renumber = np.cumsum(used) - 1
        terms = renumber[terms]
        offset = 0
        kept: list[tuple[str, int, list[bytes]]] = []
        for name, no, merged in dictionary:
            mask = used[offset : offset + len(merged)]
            kept.append((name, no, [t for t, keep in zip(merged, mask, strict=True) if keep]))
            offset += len(merged)
        dictionary = kept
    arrays, ranges = dictionary_arrays(dictionary)
    forward = {n: ranges[n] for n, f in schema.items if isinstance(f, KEYWORD | ID)}
    arrays.update(postings_arrays(
        nterms=sum(len(t) for _, _, t in dictionary), doc_count=doc_count, pair_terms=terms,
        pair_docs=docs, freqs=freqs, pos_counts=pos_counts, positions=positions,
        forward=forward))
    per_doc, stats = _norms_and_columns(segments, doc_maps, schema)
    arrays.update(per_doc)
    arrays.update(_copy_stored(segments, doc_maps, executor))
    size, crc = write_segment(path, arrays, doc_count=doc_count, field_nos=field_nos,
                              ranges=ranges, stats=stats)
    return size, crc, doc_count


def _norms_and_columns(segments: list[SegmentReader], doc_maps: list[npt.NDArray[np.int64]],
                       schema: Schema
                       ) -> tuple[dict[str, npt.NDArray[Any]], dict[str, dict[str, int]]]:
    """The live norms and columns of every field, and the stats of the scored fields."""
    arrays: dict[str, npt.NDArray[Any]] = {}
    stats = {}
    for name, ftype in schema.items:
        if ftype.scorable:
            norms = _concat_live(segments, doc_maps, lambda s, n=name: s.norms(n), np.uint32)
            arrays[f"norms.{name}"] = norms
            stats[name] = field_stats(norms)
        if ftype.columnar:
            dtype = column_dtype(ftype)
            arrays[f"col.{name}"] = _concat_live(
                segments, doc_maps, lambda s, n=name: (c[0] if (c := s.column(n)) else None),
                dtype)
            arrays[f"colmask.{name}"] = _concat_live(
                segments, doc_maps, lambda s, n=name: (c[1] if (c := s.column(n)) else None),
                np.bool_)
    return arrays, stats


def _copy_stored(segments: list[SegmentReader], doc_maps: list[npt.NDArray[np.int64]],
                 executor: Executor) -> dict[str, npt.NDArray[Any]]:
    """The stored-field arrays of the live documents, in their new order."""
    stored = StoredWriter(executor)
    for seg, dmap in zip(segments, doc_maps, strict=True):
        for local in np.flatnonzero(dmap >= 0).tolist():
            stored.add(seg.stored.raw(local))
        stored.submit()
    return stored.finish()


def _segment_pairs(seg: SegmentReader, tmap: npt.NDArray[np.int64],
                   dmap: npt.NDArray[np.int64]) -> tuple[npt.NDArray[Any], ...]:
    """One segment's live (term, doc, freq, position count, position start) and positions."""
    post = seg.raw_array("terms.post").astype(np.int64)
    pos = seg.raw_array("terms.pos").astype(np.int64)
    nterms = len(post) - 1
    per_term = np.diff(post)
    terms = np.repeat(np.arange(nterms, dtype=np.int64), per_term)
    docs = dmap[seg.raw_array("post.docs").astype(np.int64)]
    freqs = seg.raw_array("post.freqs").astype(np.int64)
    has_pos = np.repeat(np.diff(pos) > 0, per_term)
    pos_counts = np.where(has_pos, freqs, 0)
    pos_starts = np.cumsum(pos_counts) - pos_counts
    positions = seg.raw_array("pos.data").astype(np.int64)
    live = docs >= 0
    return (tmap[terms[live]], docs[live], freqs[live], pos_counts[live], pos_starts[live],
            positions)


def _concat_live(segments: list[SegmentReader], doc_maps: list[npt.NDArray[np.int64]],
                 get: Any, dtype: Any) -> npt.NDArray[Any]:
    """A per-document array of every segment, deleted documents left out (zeros if absent)."""
    parts = []
    for seg, dmap in zip(segments, doc_maps, strict=True):
        values = get(seg)
        if values is None:
            values = np.zeros(seg.doc_count, dtype=dtype)
        parts.append(np.asarray(values)[dmap >= 0].astype(dtype))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
