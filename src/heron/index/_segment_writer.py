"""Building one segment in memory from batches of documents, and writing it once.

The builder keeps, per indexed field, a :class:`TermEncoder` (its vocabulary) and
the arrays of the batches it encoded: document numbers, term numbers and positions.
Writing sorts every token by term with one stable sort (documents and positions
are already in order), so postings, frequencies and positions come out as flat
arrays without a Python loop over tokens.

Arrays of a segment (besides the stored fields of :mod:`heron.index._stored`):
    ``terms.blob``    uint8   UTF-8 terms, sorted by (field number, bytes)
    ``terms.offsets`` int64   [terms + 1] where each term starts in the blob
    ``terms.keys``    uint64  [terms] field number << 56 | first 7 bytes of the term
    ``terms.post``    int64   [terms + 1] where each term's postings start
    ``terms.pos``     int64   [terms + 1] where each term's positions start
    ``post.docs``     uint16/uint32  segment-local document numbers, ascending per term
    ``post.freqs``    uint8/16/32    occurrences of the term in that document
    ``pos.data``      uint16/uint32  positions, ascending per (term, document)
    ``norms.<f>``     uint32  [docs] field length (tokens kept) of scored field f
    ``col.<f>``       int64/float64 [docs] value of columnar field f
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
from heron.index._files import write_container
from heron.index._stored import StoredWriter, encode_document
from heron.schema import DATETIME, ID, KEYWORD, NUMERIC, FieldType, Schema

SEGMENT_MAGIC = b"HERONSEG"
SEGMENT_FORMAT = "heron-segment-1"
_KEY_BYTES = 7


def smallest_uint(max_value: int) -> type[np.unsignedinteger[Any]]:
    """The smallest unsigned dtype that holds ``max_value``."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_value <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def term_key(field_no: int, term: bytes) -> int:
    """The 64-bit sort key of a term: field number, then its first 7 bytes."""
    return (field_no << 56) | int.from_bytes(term[:_KEY_BYTES].ljust(_KEY_BYTES, b"\0"), "big")


def column_dtype(ftype: FieldType) -> type[np.generic]:
    """The dtype of a columnar field's values."""
    if isinstance(ftype, NUMERIC) and ftype.numtype == "float":
        return np.float64
    return np.int64


@define
class _FieldBuffer:
    encoder: TermEncoder
    docs: list[npt.NDArray[np.int32]] = field(factory=list)
    ids: list[npt.NDArray[np.int32]] = field(factory=list)
    positions: list[npt.NDArray[np.int32]] = field(factory=list)
    lengths: list[npt.NDArray[np.int32]] = field(factory=list)
    column: list[tuple[npt.NDArray[np.int64], list[Any]]] = field(factory=list)


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
        """A rough size of the vocabularies held (for the writer's memory bound)."""
        return sum(96 * len(b.encoder.terms) for b in self._fields.values())

    def write(self, path: Path) -> tuple[int, int]:
        """Write the segment file; return its (size, crc32)."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        field_nos = {name: no for no, name in enumerate(self.schema.names())}
        blobs: list[bytes] = []
        keys: list[int] = []
        all_docs, all_ids, all_pos, pos_mask = [], [], [], []
        ranges: dict[str, list[int]] = {}
        stats: dict[str, dict[str, int]] = {}
        base = 0
        for name, buf in self._fields.items():
            ftype = self.schema[name]
            terms = buf.encoder.terms
            encoded = [t.encode() for t in terms]
            order = sorted(range(len(terms)), key=encoded.__getitem__)
            rank = np.empty(len(terms), dtype=np.int64)
            rank[np.asarray(order, dtype=np.int64)] = np.arange(len(terms)) + base
            no = field_nos[name]
            blobs.extend(encoded[i] for i in order)
            keys.extend(term_key(no, encoded[i]) for i in order)
            ranges[name] = [base, base + len(terms)]
            if buf.ids:
                ids = rank[np.concatenate(buf.ids)]
                all_ids.append(ids)
                all_docs.append(np.concatenate(buf.docs))
                if ftype.positions:
                    all_pos.append(np.concatenate(buf.positions))
                pos_mask.append(np.full(len(ids), ftype.positions))
            base += len(terms)
            if ftype.scorable:
                norms = (np.concatenate(buf.lengths) if buf.lengths
                         else np.zeros(0, np.int32)).astype(np.uint32)
                arrays[f"norms.{name}"] = norms
                stats[name] = {"docs": int(np.count_nonzero(norms)), "length": int(norms.sum())}
            if ftype.columnar:
                arrays.update(self._column(name, ftype, buf))
        forward = [n for n, f in self.schema.items if isinstance(f, KEYWORD | ID)]
        arrays.update(self._postings(base, all_ids, all_docs, all_pos, pos_mask,
                                     {n: ranges[n] for n in forward}))
        offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in blobs], out=offsets[1:])
        arrays["terms.blob"] = np.frombuffer(b"".join(blobs), dtype=np.uint8)
        arrays["terms.offsets"] = offsets
        arrays["terms.keys"] = np.asarray(keys, dtype=np.uint64)
        arrays.update(self._stored.finish())
        meta = {
            "format": SEGMENT_FORMAT, "doc_count": self.doc_count, "fields": field_nos,
            "term_ranges": ranges, "stats": stats,
        }
        return write_container(path, SEGMENT_MAGIC, arrays, meta)

    def _column(self, name: str, ftype: FieldType, buf: _FieldBuffer) -> dict[str, Any]:
        dtype = column_dtype(ftype)
        values = np.zeros(self.doc_count, dtype=dtype)
        mask = np.zeros(self.doc_count, dtype=bool)
        for where, vals in buf.column:
            if isinstance(ftype, DATETIME | NUMERIC) and dtype is np.int64:
                values[where] = np.asarray([int(v) for v in vals], dtype=np.int64)
            else:
                values[where] = np.asarray(vals, dtype=dtype)
            mask[where] = True
        return {f"col.{name}": values, f"colmask.{name}": mask}

    def _postings(
        self,
        nterms: int,
        all_ids: list[npt.NDArray[np.int64]],
        all_docs: list[npt.NDArray[np.int32]],
        all_pos: list[npt.NDArray[np.int32]],
        pos_mask: list[npt.NDArray[np.bool_]],
        forward: dict[str, list[int]],
    ) -> dict[str, npt.NDArray[Any]]:
        ids = np.concatenate(all_ids) if all_ids else np.zeros(0, np.int64)
        docs = np.concatenate(all_docs) if all_docs else np.zeros(0, np.int32)
        with_pos = np.concatenate(pos_mask) if pos_mask else np.zeros(0, bool)
        order = np.argsort(ids, kind="stable")
        ids, docs = ids[order], docs[order]
        # positions exist only for tokens of fields that keep them; place them in order
        pos_full = np.zeros(len(order), dtype=np.int32)
        if all_pos:
            pos_full[with_pos] = np.concatenate(all_pos)
        pos_full = pos_full[order]
        with_pos = with_pos[order]
        new_pair = np.ones(len(ids), dtype=bool)
        if len(ids):
            new_pair[1:] = (ids[1:] != ids[:-1]) | (docs[1:] != docs[:-1])
        starts = np.flatnonzero(new_pair)
        freqs = np.diff(np.append(starts, len(ids)))
        pair_terms = ids[starts]
        post = np.zeros(nterms + 1, dtype=np.int64)
        np.cumsum(np.bincount(pair_terms, minlength=nterms), out=post[1:])
        pos = np.zeros(nterms + 1, dtype=np.int64)
        np.cumsum(np.bincount(ids[with_pos], minlength=nterms), out=pos[1:])
        positions = pos_full[with_pos]
        max_doc = max(self.doc_count - 1, 0)
        max_pos = int(positions.max()) if len(positions) else 0
        max_freq = int(freqs.max()) if len(freqs) else 0
        pair_docs = docs[starts]
        arrays: dict[str, npt.NDArray[Any]] = {}
        for name, (lo, hi) in forward.items():
            in_field = (pair_terms >= lo) & (pair_terms < hi)
            f_docs = pair_docs[in_field]
            order = np.argsort(f_docs, kind="stable")
            offsets = np.zeros(self.doc_count + 1, dtype=np.int64)
            np.cumsum(np.bincount(f_docs, minlength=self.doc_count), out=offsets[1:])
            arrays[f"fwd.{name}.offsets"] = offsets
            arrays[f"fwd.{name}.terms"] = (pair_terms[in_field][order] - lo).astype(np.uint32)
        return arrays | {
            "terms.post": post,
            "terms.pos": pos,
            "post.docs": docs[starts].astype(np.uint16 if max_doc <= 0xFFFF else np.uint32),
            "post.freqs": freqs.astype(smallest_uint(max_freq)),
            "pos.data": positions.astype(np.uint16 if max_pos <= 0xFFFF else np.uint32),
        }
