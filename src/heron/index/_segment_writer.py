"""Building one segment in memory from batches of documents, and writing it once.

The builder keeps, per indexed field, a :class:`TermEncoder` (its vocabulary) and
the arrays of the batches it encoded: document numbers, term numbers and positions.
Writing sorts every token by term with one stable sort (documents and positions
are already in order), so postings, frequencies and positions come out as flat
arrays without a Python loop over tokens.

Arrays of a segment (besides the stored fields of :mod:`heron.index._stored`):
    ``terms.blob``    uint8   UTF-8 terms, sorted by (field number, bytes)
    ``terms.offsets`` int64   [terms + 1] where each term starts in the blob
    ``terms.keys``    uint64  [terms] the first 8 bytes of the term, big-endian, NUL padded
                      (format 1: field number << 56 | first 7 bytes); see ``TERM_KEYS``
    ``terms.post``    int64   [terms + 1] where each term's postings start
    ``terms.pos``     int64   [terms + 1] where each term's positions start
    ``post.docs``     uint16/uint32  segment-local document numbers, ascending per term
    ``post.freqs``    uint8/16/32    occurrences of the term in that document
    ``pos.data``      uint16/uint32  positions, ascending per (term, document)
    ``norms.<f>``     uint32  [docs] field length (tokens kept) of scored field f
    ``col.<f>``       int64/float64 [docs] value of columnar field f (its
                      ``FieldType.column_dtype``, exact: ints never pass through a float)
    ``colmask.<f>``   bool    [docs] whether the document has a value in f
    ``fwd.<f>.offsets`` int64 [docs + 1] where each document's terms of KEYWORD/ID field f
                      start in ``fwd.<f>.terms``
    ``fwd.<f>.terms``  uint32  term numbers of the document's terms, relative to the field's
                      first term (for facets and sorting)
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import define, field

from heron.analysis import TermEncoder
from heron.index._arrays import stable_order
from heron.index._assemble import (
    dictionary_arrays,
    field_stats,
    postings_arrays,
    write_segment,
)
from heron.index._stored import StoredWriter, encode_document
from heron.schema import ID, KEYWORD, FieldType, Schema


def column_dtype(ftype: FieldType) -> type[np.generic]:
    """The dtype of a columnar field's values (the field type's :meth:`~FieldType.column_dtype`)."""
    return ftype.column_dtype()


@define
class _FieldBuffer:
    encoder: TermEncoder
    docs: list[npt.NDArray[np.int32]] = field(factory=list)
    ids: list[npt.NDArray[np.int32]] = field(factory=list)
    positions: list[npt.NDArray[np.int32]] = field(factory=list)
    lengths: list[npt.NDArray[np.int32]] = field(factory=list)
    column: list[tuple[npt.NDArray[np.int64], list[int | float]]] = field(factory=list)


@define
class SegmentBuilder:
    """Collects validated documents for one segment and writes it."""

    schema: Schema
    executor: Executor
    doc_count: int = 0
    nbytes: int = 0
    _fields: dict[str, _FieldBuffer] = field(factory=dict)
    _stored: StoredWriter = field(init=False)

    def __attrs_post_init__(self) -> None:
        self._stored = StoredWriter(self.executor)
        for name, ftype in self.schema.items:
            if ftype.indexed:
                self._fields[name] = _FieldBuffer(TermEncoder(ftype.analyzer))

    def add(self, docs: list[dict[str, Any]]) -> None:
        """Add validated documents (see :meth:`Schema.validate`) as the next doc numbers."""
        base = self.doc_count
        schema = self.schema
        for name, buf in self._fields.items():
            ftype = schema[name]
            present = [i for i, d in enumerate(docs) if name in d]
            if not present:
                if ftype.scorable:
                    buf.lengths.append(np.zeros(len(docs), dtype=np.int32))
                continue
            where = np.asarray(present, dtype=np.int64)
            values = [docs[i][name] for i in present]
            texts = [ftype.index_text(v) for v in values]
            batch = buf.encoder.encode(texts)
            buf.docs.append((where[batch.text_index] + base).astype(np.int32))
            buf.ids.append(batch.term_ids)
            if ftype.positions:
                buf.positions.append(batch.positions)
            if ftype.scorable:
                lengths = np.zeros(len(docs), dtype=np.int32)
                lengths[where] = batch.lengths
                buf.lengths.append(lengths)
            if ftype.columnar:
                buf.column.append((where + base, [ftype.column_value(v) for v in values]))
            self.nbytes += 12 * len(batch.term_ids) + 16 * len(present)
        stored = [(n, schema[n]) for n in schema.stored_names()]
        for d in docs:
            raw = encode_document({n: f.to_stored(d[n]) for n, f in stored if n in d})
            self._stored.add(raw)
            self.nbytes += len(raw) + 64
        self._stored.submit()
        self.doc_count += len(docs)

    def vocabulary_bytes(self) -> int:
        """A rough size of the vocabularies held (for the writer's memory bound): per term a
        string, a list slot and a dict entry; per distinct raw word a string and an entry."""
        return sum(160 * len(b.encoder.terms) + 120 * b.encoder.words_seen
                   for b in self._fields.values())

    def write(self, path: Path) -> tuple[int, int]:
        """Write the segment file; return its (size, crc32)."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        field_nos = {name: no for no, name in enumerate(self.schema.names())}
        dictionary: list[tuple[str, int, list[bytes]]] = []
        all_docs, all_ids, all_pos, pos_mask = [], [], [], []
        stats: dict[str, dict[str, int]] = {}
        base = 0
        for name, buf in self._fields.items():
            ftype = self.schema[name]
            encoded = [t.encode() for t in buf.encoder.terms]
            order = sorted(range(len(encoded)), key=encoded.__getitem__)
            rank = np.empty(len(encoded), dtype=np.int64)
            rank[np.asarray(order, dtype=np.int64)] = np.arange(len(encoded)) + base
            dictionary.append((name, field_nos[name], [encoded[i] for i in order]))
            if buf.ids:
                ids = rank[np.concatenate(buf.ids)]
                all_ids.append(ids)
                all_docs.append(np.concatenate(buf.docs))
                if ftype.positions:
                    all_pos.append(np.concatenate(buf.positions))
                pos_mask.append(np.full(len(ids), ftype.positions))
            base += len(encoded)
            if ftype.scorable:
                norms = (np.concatenate(buf.lengths) if buf.lengths
                         else np.zeros(0, np.int32)).astype(np.uint32)
                arrays[f"norms.{name}"] = norms
                stats[name] = field_stats(norms)
            if ftype.columnar:
                arrays.update(self._column(name, ftype, buf))
        terms, ranges = dictionary_arrays(dictionary)
        arrays.update(terms)
        forward = {n: ranges[n] for n, f in self.schema.items if isinstance(f, KEYWORD | ID)}
        arrays.update(self._postings(base, all_ids=all_ids, all_docs=all_docs, all_pos=all_pos,
                                     pos_mask=pos_mask, forward=forward))
        arrays.update(self._stored.finish())
        return write_segment(path, arrays, doc_count=self.doc_count, field_nos=field_nos,
                             ranges=ranges, stats=stats)

    def _column(self, name: str, ftype: FieldType, buf: _FieldBuffer) -> dict[str, Any]:
        dtype = ftype.column_dtype()
        values = np.zeros(self.doc_count, dtype=dtype)
        mask = np.zeros(self.doc_count, dtype=bool)
        for where, vals in buf.column:
            values[where] = np.asarray(vals, dtype=dtype)  # exact: ints stay ints
            mask[where] = True
        return {f"col.{name}": values, f"colmask.{name}": mask}

    def _postings(
        self,
        nterms: int,
        *,
        all_ids: list[npt.NDArray[np.int64]],
        all_docs: list[npt.NDArray[np.int32]],
        all_pos: list[npt.NDArray[np.int32]],
        pos_mask: list[npt.NDArray[np.bool_]],
        forward: dict[str, list[int]],
    ) -> dict[str, npt.NDArray[Any]]:
        """Postings arrays from token-level arrays: one stable sort by term."""
        # 32-bit throughout: a segment holds fewer than 2**31 terms, documents and positions
        ids = np.concatenate(all_ids).astype(np.int32) if all_ids else np.zeros(0, np.int32)
        docs = np.concatenate(all_docs) if all_docs else np.zeros(0, np.int32)
        with_pos = np.concatenate(pos_mask) if pos_mask else np.zeros(0, bool)
        order = stable_order(ids)
        ids, docs = ids[order], docs[order]
        # positions exist only for tokens of fields that keep them; place them in order
        pos_full = np.zeros(len(order), dtype=np.int32)
        if all_pos:
            pos_full[with_pos] = np.concatenate(all_pos)
        pos_full, with_pos = pos_full[order], with_pos[order]
        new_pair = np.ones(len(ids), dtype=bool)
        if len(ids):
            new_pair[1:] = (ids[1:] != ids[:-1]) | (docs[1:] != docs[:-1])
        starts = np.flatnonzero(new_pair)
        freqs = np.diff(np.append(starts, len(ids)))
        pos_counts = np.where(with_pos[starts], freqs, 0)
        return postings_arrays(
            nterms=nterms, doc_count=self.doc_count, pair_terms=ids[starts].astype(np.int64),
            pair_docs=docs[starts].astype(np.int64), freqs=freqs, pos_counts=pos_counts,
            positions=pos_full[with_pos], forward=forward)
