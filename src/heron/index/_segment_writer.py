"""Building one segment in memory from batches of documents, and writing it once.

The builder keeps, per indexed field, a :class:`TermEncoder` (its vocabulary) and
the arrays of the batches it encoded: document numbers, term numbers and positions.
Writing groups every token by term, keeping their order (documents and positions
are already in order): numpy's stable sort, or the compiled counting sort of the
``fast`` extra (``heron._kernels``, the same arrays), so postings, frequencies and
positions come out as flat arrays without a Python loop over tokens. A builder may
start with the previous segment's encoders (:meth:`SegmentBuilder.carry`), whose
vocabularies hold terms this segment does not: only the terms present are written.

Arrays of a segment (besides the stored fields of :mod:`heron.index._stored`); from format
3 on, offsets written int64 below are uint32 when their values fit, norms uint16 when the
longest field fits:
    ``terms.blob``    uint8   UTF-8 terms, sorted by (field number, bytes)
    ``terms.offsets`` int64   [terms + 1] where each term starts in the blob
    ``terms.keys``    uint64  [terms] the first 8 bytes of the term, big-endian, NUL padded
                      (format 1: field number << 56 | first 7 bytes); see ``TERM_KEYS``
    ``terms.post``    int64   [terms + 1] where each term's postings start
    ``terms.pos``     int64   [terms + 1] where each term's positions start
    ``post.docs``     uint16/uint32  segment-local document numbers, ascending per term
                      (format 3: compressed, with ``terms.docs`` and ``skip.*``: see
                      :mod:`heron.index._postings`; ``terms.post`` then indexes the freqs)
    ``post.freqs``    uint8/16/32    occurrences of the term in that document
    ``pos.data``      uint16/uint32  positions, ascending per (term, document)
    ``norms.<f>``     uint16/uint32 [docs] field length (tokens kept) of scored field f
    ``col.<f>``       int64/float64 [docs] value of columnar field f (its
                      ``FieldType.column_dtype``, exact: ints never pass through a float)
    ``colmask.<f>``   bool    [docs] whether the document has a value in f
    ``fwd.<f>.offsets`` int64 [docs + 1] where each document's terms of field f start in
                      ``fwd.<f>.terms`` (fields whose ``FieldType.keeps_forward``: term-keyed
                      ones such as KEYWORD and ID, and indexed fields that are not stored)
    ``fwd.<f>.terms``  uint32  term numbers of the document's terms, relative to the field's
                      first term (for facets, sorting, and more-like-this without stored text)
    ``surf.<f>.*``    the words each term came from (see :mod:`heron.index._surface`)
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import define, field

from heron._kernels import NUMPY, Kernels
from heron.analysis._encoder import TermEncoder
from heron.index._assemble import field_stats, narrow_norms, segment_meta
from heron.index._format import (
    COLUMN,
    COLUMN_MASK,
    FORWARD_OFFSETS,
    FORWARD_TERMS,
    NORMS,
    SEGMENT_MAGIC,
    field_array,
    offsets_narrow,
)
from heron.index._segment_stream import Pairs, PostingsOut
from heron.index._stored import StoredWriter, encode_document
from heron.index._stream import ContainerStream, SpilledArray
from heron.index._surface import write_surface
from heron.schema import FieldType, Schema

#: what a buffered token costs: its document, term and position numbers (12 bytes) and
#: what :meth:`SegmentBuilder.write` needs on top per token of the largest field while it
#: sorts and pairs them (measured on news: about 36), so a flush fits in the buffer
TOKEN_BYTES = 48


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
    _kernels: Kernels = field(init=False, default=NUMPY)
    #: the previous segment's encoders to go on with (see :meth:`carry`)
    encoders: dict[str, TermEncoder] | None = field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        self._stored = StoredWriter(self.executor)
        carried = self.encoders or {}
        for name, ftype in self.schema.items:
            if ftype.indexed:
                self._fields[name] = _FieldBuffer(carried.get(name) or TermEncoder(ftype.analyzer))
        self.encoders = None

    def carry(self, most_bytes: int) -> dict[str, TermEncoder] | None:
        """After :meth:`write`: the encoders for the next segment of the fields whose words
        mostly repeat (not a field of unique ids), their words and terms kept so that a
        word is analysed once per writer, not once per segment. Vocabularies that take
        more than ``most_bytes`` keep only the words this segment used (those of a large
        load are not held to its end); None if even those take more."""
        kept = {name: buf.encoder for name, buf in self._fields.items()
                if buf.encoder.worth_carrying}
        if sum(encoder.nbytes for encoder in kept.values()) > most_bytes:
            kept = {name: encoder.pruned() for name, encoder in kept.items()}
            if sum(encoder.nbytes for encoder in kept.values()) > most_bytes:
                return None
        for encoder in kept.values():
            encoder.next_segment()
        return kept

    def use(self, kernels: Kernels) -> None:
        """Analyse with ``kernels`` from now on where they help (see ``TermEncoder.use``)."""
        if kernels is not self._kernels:
            self._kernels = kernels
            for buf in self._fields.values():
                buf.encoder.use(kernels)

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
            self.nbytes += TOKEN_BYTES * len(batch.term_ids) + 16 * len(present)
        stored = [(n, schema[n]) for n in schema.stored_names()]
        for d in docs:
            raw = encode_document({n: f.to_stored(d[n]) for n, f in stored if n in d})
            self._stored.add(raw)
            self.nbytes += len(raw) + 64
        self._stored.submit()
        self.doc_count += len(docs)

    def vocabulary_bytes(self) -> int:
        """A rough size of the vocabularies held (for the writer's memory bound): see
        ``TermEncoder.nbytes`` (strings, entries, and the compiled word table)."""
        return sum(b.encoder.nbytes for b in self._fields.values())

    def write(self, path: Path) -> tuple[int, int]:
        """Write the segment file; return its (size, crc32). This consumes the buffers.

        Fields are written one after another through a :class:`ContainerStream`, each
        field's token buffers freed as soon as its postings are out, so writing needs
        about twice the largest field's tokens beyond the buffers, not the whole segment's.
        """
        field_nos = {name: no for no, name in enumerate(self.schema.names())}
        with ContainerStream(path, SEGMENT_MAGIC) as out:
            postings = PostingsOut(out, self.doc_count)
            forward = {n: (out.spill(field_array(FORWARD_OFFSETS, n), np.int64, offsets_narrow()),
                           out.spill(field_array(FORWARD_TERMS, n), np.uint32))
                       for n, f in self.schema.items if f.keeps_forward}
            stats: dict[str, dict[str, int]] = {}
            for name, buf in self._fields.items():
                ftype = self.schema[name]
                if ftype.scorable:
                    norms = (np.concatenate(buf.lengths) if buf.lengths
                             else np.zeros(0, np.int32)).astype(np.uint32)
                    out.put(field_array(NORMS, name), narrow_norms(norms))
                    stats[name] = field_stats(norms)
                if ftype.columnar:
                    for key, values in self._column(name, ftype, buf).items():
                        out.put(key, values)
            stored, self._stored = self._stored.finish(), StoredWriter(self.executor)
            for key, values in stored.items():  # spilled at once: the memory goes now
                narrow = None if values.dtype == np.uint8 else offsets_narrow()
                out.spill(key, values.dtype, narrow).append(values)
            del stored
            ranges: dict[str, list[int]] = {}
            for name, buf in self._fields.items():
                terms, rank, pairs = self._field_pairs(name, buf)
                first = postings.nterms
                ranges[name] = [first, first + len(terms)]
                numbers = postings.add(terms, field_nos[name], pairs)
                if name in forward:
                    _forward_lists(pairs, self.doc_count, *forward[name])
                relative = np.full(len(rank), -1, dtype=np.int64)  # terms of other
                live = rank >= 0  # segments (carried vocabularies) have none here
                relative[live] = numbers[rank[live]] - first
                _surface(out, name, buf.encoder, relative, len(terms))
                del terms, pairs
            postings.narrow()
            return out.finish(segment_meta(doc_count=self.doc_count, field_nos=field_nos,
                                           ranges=ranges, stats=stats))

    def _field_pairs(self, name: str, buf: _FieldBuffer
                     ) -> tuple[list[bytes], npt.NDArray[np.int32], Pairs]:
        """A field's sorted terms, the rank of each encoder term among them (-1: none in
        this segment), and its (term, document) pairs; empties its token buffers.

        Grouped by term by the kernels (documents and positions are already in order);
        32-bit throughout: a segment holds fewer than 2**31 terms, documents and positions.
        """
        vocabulary = buf.encoder.terms
        counts = np.zeros(len(vocabulary), dtype=np.int64)
        for part in buf.ids:
            counts += np.bincount(part, minlength=len(vocabulary))
        # the terms this segment holds (an encoder carried over knows those of earlier ones)
        present = np.flatnonzero(counts)
        encoded = [vocabulary[i].encode() for i in present.tolist()]
        order = np.asarray(sorted(range(len(encoded)), key=encoded.__getitem__), dtype=np.int64)
        rank = np.full(len(vocabulary), -1, dtype=np.int32)
        rank[present[order]] = np.arange(len(encoded), dtype=np.int32)
        terms = [encoded[i] for i in order.tolist()]
        counts = counts[present[order]]
        del encoded, order, present
        empty = np.zeros(0, dtype=np.int64)
        if not buf.ids:
            return terms, rank, Pairs(empty, empty, empty, empty, empty)
        pair_terms, pair_docs, freqs, positions = self._kernels.group_by_term(
            buf.ids, buf.docs, buf.positions or None, rank, counts)
        return terms, rank, Pairs(pair_terms, pair_docs, freqs,
                                  np.zeros(len(freqs), np.int32) if positions is None else freqs,
                                  empty if positions is None else positions)

    def _column(self, name: str, ftype: FieldType, buf: _FieldBuffer) -> dict[str, Any]:
        dtype = ftype.column_dtype()
        values = np.zeros(self.doc_count, dtype=dtype)
        mask = np.zeros(self.doc_count, dtype=bool)
        for where, vals in buf.column:
            values[where] = np.asarray(vals, dtype=dtype)  # exact: ints stay ints
            mask[where] = True
        return {field_array(COLUMN, name): values, field_array(COLUMN_MASK, name): mask}


def _surface(out: ContainerStream, name: str, encoder: TermEncoder,
             numbers: npt.NDArray[np.int64], nterms: int) -> None:
    """Write a field's surface forms, if some word differs from its term (``numbers``: each
    encoder term's field-relative number in the segment, below 0 if dropped)."""
    forms = encoder.surface_forms()
    terms = encoder.terms
    if all(terms[t] == w for t, w in zip(forms.terms.tolist(), forms.words, strict=True)):
        return
    write_surface(out, name, nterms, terms=numbers[forms.terms], words=forms.words,
                  counts=forms.counts)


def _forward_lists(pairs: Pairs, doc_count: int, offsets_out: SpilledArray,
                   terms_out: SpilledArray) -> None:
    """Append a KEYWORD or ID field's per-document term lists (terms ascending per document)."""
    order = np.argsort(pairs.docs, kind="stable")
    offsets = np.zeros(doc_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs.docs, minlength=doc_count), out=offsets[1:])
    offsets_out.append(offsets)
    terms_out.append(pairs.terms[order])
