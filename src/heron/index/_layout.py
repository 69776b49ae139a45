"""The declared layout of a segment: each array's dtypes, length and invariants, in one table.

A segment is trusted only as far as this module has checked it. Opening a segment checks
its metadata and every array's declared dtype and length against :data:`RULES` (cheap: the
table of contents alone); the first load of an array, which already costs an O(n) CRC-32
pass, also checks its content with O(n) vectorised passes (offsets start at 0, never
decrease and end at the length of the array they index; document numbers are below the
document count and ascend within each term; frequencies are at least 1; ...).
:func:`check_segment`, for ``Index.check()``, loads every array and adds positions
ascending within each posting and the statistics. Anything that breaks the layout is a
:class:`CorruptIndexError`, so the readers above can index arrays with the values they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import CorruptIndexError
from heron.index._files import Container
from heron.index._format import (
    COLUMN,
    COLUMN_MASK,
    ENCODED_ARRAYS,
    FORWARD_OFFSETS,
    FORWARD_TERMS,
    NORMS,
    NORMS_NARROW,
    OFFSETS_NARROW,
    POS_DATA,
    POST_DOCS,
    POST_FREQS,
    SEGMENT_ARRAYS,
    SEGMENT_FORMAT_1,
    SEGMENT_FORMAT_2,
    SEGMENT_FORMAT_3,
    SKIP_FIRST,
    SKIP_LAST,
    SKIP_TERMS,
    STORED_BLOCKS,
    STORED_DATA,
    STORED_OFFSETS,
    STORED_ZPOS,
    SURFACE_BLOB,
    SURFACE_COUNTS,
    SURFACE_OFFSETS,
    SURFACE_STARTS,
    TERMS_BLOB,
    TERMS_DOCS,
    TERMS_KEYS,
    TERMS_OFFSETS,
    TERMS_POS,
    TERMS_POST,
    array_kind,
    encodes_docs,
    field_array,
)
from heron.index._postings import Encoded, encoding_problem
from heron.index._safeio import plain_int

#: field numbers a segment may use, by format: format 1 keeps the field number in the top
#: byte of a term key; format 2 keys hold term bytes only (a bound still keeps them sane)
MAX_FIELDS = {SEGMENT_FORMAT_1: 1 << 8, SEGMENT_FORMAT_2: 1 << 31, SEGMENT_FORMAT_3: 1 << 31}
#: segment-local document numbers are stored as u4 at most
MAX_DOCS = 1 << 32
_META_KEYS = frozenset({"format", "doc_count", "fields", "term_ranges", "stats"})
_STAT_KEYS = frozenset({"docs", "length"})
#: arrays that come in pairs (or rings): each kind names the next, so all are there
_PARTNERS = {COLUMN: COLUMN_MASK, COLUMN_MASK: COLUMN, FORWARD_OFFSETS: FORWARD_TERMS,
             FORWARD_TERMS: FORWARD_OFFSETS, SURFACE_STARTS: SURFACE_OFFSETS,
             SURFACE_OFFSETS: SURFACE_COUNTS, SURFACE_COUNTS: SURFACE_BLOB,
             SURFACE_BLOB: SURFACE_STARTS}


@frozen
class SegmentMeta:
    """A segment's metadata, checked: what the rest of the reader may rely on."""

    doc_count: int
    fields: dict[str, int]
    ranges: dict[str, list[int]]
    stats: dict[str, dict[str, int]]
    nterms: int


#: checks an array's content: (container, meta, array name, its field or "", the array)
Content = Callable[[Container, SegmentMeta, str, str, npt.NDArray[Any]], None]


@frozen
class Rule:
    """What one kind of array must be: its dtypes, its length (None: any), and what its
    content must satisfy (checked when the array is first loaded)."""

    dtypes: frozenset[str]
    length: Callable[[Container, SegmentMeta, str], int | None]
    content: Content | None = None


def _n_terms(c: Container, m: SegmentMeta, f: str) -> int:
    return m.nterms


def _n_terms1(c: Container, m: SegmentMeta, f: str) -> int:
    return m.nterms + 1


def _n_docs(c: Container, m: SegmentMeta, f: str) -> int:
    return m.doc_count


def _n_docs1(c: Container, m: SegmentMeta, f: str) -> int:
    return m.doc_count + 1


def _n_postings(c: Container, m: SegmentMeta, f: str) -> int | None:
    return None if _encoded(c) else _length(c, POST_DOCS)


def _encoded(c: Container) -> bool:
    """Whether the segment's document numbers are compressed (format 3 on)."""
    fmt = c.meta.get("format")
    return isinstance(fmt, str) and encodes_docs(fmt)


def encoded_arrays(c: Container, docs: npt.NDArray[Any]) -> Encoded:
    """A format-3 segment's arrays of compressed documents (``docs``: ``post.docs``)."""
    return Encoded(docs, c.array(TERMS_DOCS), c.array(TERMS_POST), c.array(SKIP_TERMS),
                   c.array(SKIP_FIRST), c.array(SKIP_LAST))


def _n_skip1(c: Container, m: SegmentMeta, f: str) -> int | None:
    n = _length(c, SKIP_TERMS)
    return None if n is None else n + 1



def _n_blocks1(c: Container, m: SegmentMeta, f: str) -> int | None:
    return _length(c, STORED_ZPOS)


def _any(c: Container, m: SegmentMeta, f: str) -> None:
    return None


def _types(*names: str) -> frozenset[str]:
    return frozenset(names)


def _length(c: Container, name: str) -> int | None:
    shape = c.shape(name)
    return None if shape is None or len(shape) != 1 else shape[0]


def _corrupt(c: Container, why: str) -> CorruptIndexError:
    return CorruptIndexError(f"{c.path.name}: {why}")


def segment_meta(c: Container) -> SegmentMeta:
    """Check a segment's metadata and its table of contents against :data:`RULES`."""
    meta = c.meta
    if set(meta) != _META_KEYS or not isinstance(meta["format"], str) or (
            meta["format"] not in MAX_FIELDS):
        raise _corrupt(c, "segment metadata is badly formed")
    doc_count, fields = meta["doc_count"], meta["fields"]
    max_fields = MAX_FIELDS[meta["format"]]
    if not plain_int(doc_count) or not 0 <= doc_count < MAX_DOCS:
        raise _corrupt(c, f"document count {doc_count!r} is not valid")
    if not isinstance(fields, dict) or not all(
        plain_int(no) and 0 <= no < max_fields for no in fields.values()
    ) or len(set(fields.values())) != len(fields):
        raise _corrupt(c, f"field numbers are not valid (each below {max_fields}, no two "
                          "the same)")
    nterms = _length(c, TERMS_KEYS)
    if nterms is None:
        raise _corrupt(c, f"array {TERMS_KEYS!r} is missing")
    result = SegmentMeta(doc_count, dict(fields), _ranges(c, meta["term_ranges"], fields, nterms),
                         _stats(c, meta["stats"], fields, doc_count), nterms)
    _check_toc(c, result)
    return result


def _ranges(c: Container, ranges: object, fields: dict[str, int], nterms: int
            ) -> dict[str, list[int]]:
    """Term ranges: in field-number order, each starting where the one before ends, together
    covering the whole dictionary (every term belongs to exactly one field)."""
    if not isinstance(ranges, dict) or not set(ranges) <= set(fields):
        raise _corrupt(c, "term ranges are not valid")
    last = 0
    for name in sorted(ranges, key=fields.__getitem__):
        pair = ranges[name]
        if not (isinstance(pair, list) and len(pair) == 2 and all(plain_int(v) for v in pair)
                and last == pair[0] <= pair[1] <= nterms):
            raise _corrupt(c, f"term range of {name!r} is not valid")
        last = pair[1]
    if last != nterms:
        raise _corrupt(c, "term ranges do not cover the term dictionary")
    return {name: list(pair) for name, pair in ranges.items()}


def _stats(c: Container, stats: object, fields: dict[str, int], doc_count: int
           ) -> dict[str, dict[str, int]]:
    """Field statistics: ``{"docs": n, "length": n}`` per known field, each document that
    has the field holding at least one token (so an average length is never zero)."""
    if not isinstance(stats, dict) or not set(stats) <= set(fields):
        raise _corrupt(c, "field statistics are not valid")
    for name, value in stats.items():
        if not (isinstance(value, dict) and set(value) == _STAT_KEYS
                and all(plain_int(v) and v >= 0 for v in value.values())
                and value["docs"] <= doc_count and value["docs"] <= value["length"]):
            raise _corrupt(c, f"statistics of field {name!r} are not valid")
    return {name: dict(value) for name, value in stats.items()}


def _check_toc(c: Container, m: SegmentMeta) -> None:
    """Every array is a known kind with an allowed dtype and length; pairs are complete."""
    names = set(c.names())
    encoded = _encoded(c)
    for name in (*SEGMENT_ARRAYS, *(ENCODED_ARRAYS if encoded else ())):
        if name not in names:
            raise _corrupt(c, f"array {name!r} is missing")
    if not encoded and names & set(ENCODED_ARRAYS):
        raise _corrupt(c, "compressed document numbers in a segment of a format without them")
    if c.dtype(POST_DOCS) not in (_U1 if encoded else _DOCS):
        raise _corrupt(c, f"array {POST_DOCS!r} has dtype {c.dtype(POST_DOCS)}")
    for name in names:
        kind, field = array_kind(name)
        rule = RULES.get(kind)
        if rule is None or (field and field not in m.fields):
            raise _corrupt(c, f"array {name!r} is not part of a segment")
        if c.dtype(name) not in rule.dtypes:
            raise _corrupt(c, f"array {name!r} has dtype {c.dtype(name)}")
        length = _length(c, name)
        expected = rule.length(c, m, field)
        if length is None or (expected is not None and length != expected):
            raise _corrupt(c, f"array {name!r} has shape {c.shape(name)}, "
                              f"expected ({expected},)")
        partner = _PARTNERS.get(kind)
        if partner is not None and field_array(partner, field) not in names:
            partner = field_array(partner, field)
            raise _corrupt(c, f"array {name!r} comes without {partner!r}")
    if not _length(c, STORED_ZPOS):
        raise _corrupt(c, f"array {STORED_ZPOS!r} is empty")


def _offsets(c: Container, name: str, arr: npt.NDArray[Any], end: int | None,
             *, strict: bool = False) -> None:
    """Offsets: start at 0, never decrease (increase, if ``strict``), end at ``end``."""
    if int(arr[0]) != 0 or (end is not None and int(arr[-1]) != end):
        raise _corrupt(c, f"array {name!r} does not span its data")
    # compared, not subtracted: differences of crafted values could overflow
    ordered = arr[1:] > arr[:-1] if strict else arr[1:] >= arr[:-1]
    if not bool(ordered.all()):
        raise _corrupt(c, f"array {name!r} is not in order")


def _offsets_of(target: str, *, strict: bool = False) -> Content:
    """Offsets into the array ``target`` (a kind: "*" stands for the field): end at its
    length."""

    def check(c: Container, m: SegmentMeta, name: str, field: str,
              arr: npt.NDArray[Any]) -> None:
        _offsets(c, name, arr, _length(c, field_array(target, field)), strict=strict)

    return check


def _stored_offsets(c: Container, m: SegmentMeta, name: str, field: str,
                    arr: npt.NDArray[Any]) -> None:
    _offsets(c, name, arr, None, strict=True)


def _term_positions(c: Container, m: SegmentMeta, name: str, field: str,
                    arr: npt.NDArray[Any]) -> None:
    _offsets(c, name, arr, _length(c, POS_DATA))
    _positions_add_up(c, arr)


def _docs(c: Container, m: SegmentMeta, name: str, field: str, arr: npt.NDArray[Any]) -> None:
    if _encoded(c):
        # the rest is checked as documents are decoded, and by check_segment
        problem = encoding_problem(encoded_arrays(c, arr), m.doc_count, full=False)
        if problem:
            raise _corrupt(c, problem)
        return
    if len(arr) and int(arr.max()) >= m.doc_count:
        raise _corrupt(c, "a posting names a document past the segment's end")
    _postings_ascend(c, arr)


def _freqs(c: Container, m: SegmentMeta, name: str, field: str, arr: npt.NDArray[Any]) -> None:
    if len(arr) and int(arr.min()) < 1:
        raise _corrupt(c, "a posting has frequency 0")


def _form_counts(c: Container, m: SegmentMeta, name: str, field: str,
                 arr: npt.NDArray[Any]) -> None:
    if len(arr) and int(arr.min()) < 1:
        raise _corrupt(c, f"array {name!r} holds a count of 0")


def _mask(c: Container, m: SegmentMeta, name: str, field: str, arr: npt.NDArray[Any]) -> None:
    if len(arr) and int(arr.view(np.uint8).max()) > 1:
        raise _corrupt(c, f"array {name!r} holds values other than 0 and 1")


def _forward_terms(c: Container, m: SegmentMeta, name: str, field: str,
                   arr: npt.NDArray[Any]) -> None:
    lo, hi = m.ranges.get(field, (0, 0))
    if len(arr) and int(arr.max()) >= hi - lo:
        raise _corrupt(c, f"array {name!r} names a term outside its field")


def _term_keys(c: Container, m: SegmentMeta, name: str, field: str,
               arr: npt.NDArray[Any]) -> None:
    """The keys are those of the terms they stand for (recomputed, a byte column at a time):
    a key that does not match its term would make look-ups miss it without a trace."""
    width = 7 if c.meta.get("format") == SEGMENT_FORMAT_1 else 8
    offsets = c.array(TERMS_OFFSETS)
    blob = c.array(TERMS_BLOB)
    starts, lengths = offsets[:-1], offsets[1:] - offsets[:-1]
    keys = np.zeros(len(starts), dtype=np.uint64)
    for i in range(width):
        byte = np.zeros(len(starts), dtype=np.uint64)
        has = lengths > i
        byte[has] = blob[starts[has] + i]
        keys = (keys << np.uint64(8)) | byte
    if width == 7:  # format 1: the field number in the top byte
        for name_, (lo, hi) in m.ranges.items():
            keys[lo:hi] |= np.uint64(m.fields[name_]) << np.uint64(56)
    if not np.array_equal(keys, arr):
        raise _corrupt(c, f"array {name!r} does not match the terms")


def _n_field_terms1(c: Container, m: SegmentMeta, f: str) -> int:
    lo, hi = m.ranges.get(f, (0, 0))
    return hi - lo + 1


def _n_forms1(c: Container, m: SegmentMeta, f: str) -> int | None:
    forms = _length(c, field_array(SURFACE_COUNTS, f))
    return None if forms is None else forms + 1


def _blocks(c: Container, m: SegmentMeta, name: str, field: str, arr: npt.NDArray[Any]) -> None:
    _stored_blocks(c, arr)


_U1 = _types("|u1")
#: document numbers of segments before format 3
_DOCS = _types("<u2", "<u4")
#: offsets: ``OFFSETS_NARROW`` when the values fit it (segments before format 3: ``<i8``)
_I8 = _types("<i8", OFFSETS_NARROW)
#: every array a segment may hold, by kind (``norms.*`` stands for ``norms.<field>``)
RULES: Mapping[str, Rule] = {
    TERMS_BLOB: Rule(_U1, _any),
    TERMS_OFFSETS: Rule(_I8, _n_terms1, _offsets_of(TERMS_BLOB)),
    TERMS_KEYS: Rule(_types("<u8"), _n_terms, _term_keys),
    TERMS_POST: Rule(_I8, _n_terms1, _offsets_of(POST_FREQS)),
    TERMS_DOCS: Rule(_I8, _n_terms1, _offsets_of(POST_DOCS)),
    SKIP_TERMS: Rule(_I8, _any),
    SKIP_FIRST: Rule(_I8, _n_skip1, _offsets_of(SKIP_LAST)),
    SKIP_LAST: Rule(_types("<u4"), _any),
    TERMS_POS: Rule(_I8, _n_terms1, _term_positions),
    POST_DOCS: Rule(_types("|u1", "<u2", "<u4"), _any, _docs),  # by format: _check_toc
    POST_FREQS: Rule(_types("|u1", "<u2", "<u4"), _n_postings, _freqs),
    POS_DATA: Rule(_types("<u2", "<u4"), _any),
    NORMS: Rule(_types("<u4", NORMS_NARROW), _n_docs),
    COLUMN: Rule(_types("<i8", "<f8"), _n_docs),
    COLUMN_MASK: Rule(_types("|b1"), _n_docs, _mask),
    FORWARD_OFFSETS: Rule(_I8, _n_docs1, _offsets_of(FORWARD_TERMS)),
    FORWARD_TERMS: Rule(_types("<u4"), _any, _forward_terms),
    SURFACE_STARTS: Rule(_I8, _n_field_terms1, _offsets_of(SURFACE_COUNTS)),
    SURFACE_OFFSETS: Rule(_I8, _n_forms1, _offsets_of(SURFACE_BLOB)),
    SURFACE_COUNTS: Rule(_types("<u4"), _any, _form_counts),
    SURFACE_BLOB: Rule(_U1, _any),
    STORED_OFFSETS: Rule(_I8, _n_docs1, _stored_offsets),
    STORED_BLOCKS: Rule(_I8, _n_blocks1, _blocks),
    STORED_ZPOS: Rule(_I8, _any, _offsets_of(STORED_DATA, strict=True)),
    STORED_DATA: Rule(_U1, _any),
}




def validator(c: Container, m: SegmentMeta) -> Callable[[str, npt.NDArray[Any]], None]:
    """The check of each array's content by :data:`RULES`, for :meth:`Container.validate_with`.

    Arrays not in the table were refused when the segment was opened.
    """

    def check(name: str, arr: npt.NDArray[Any]) -> None:
        kind, field = array_kind(name)
        rule = RULES.get(kind)
        if rule is not None and rule.content is not None:
            rule.content(c, m, name, field, arr)

    return check


def _positions_add_up(c: Container, pos: npt.NDArray[Any]) -> None:
    """Each term keeps no positions, or exactly the sum of its postings' frequencies."""
    post, freqs = c.array(TERMS_POST), c.array(POST_FREQS)
    counts = np.diff(pos)
    used = np.flatnonzero(post[1:] > post[:-1])  # terms with postings
    if not len(used):
        ok = not counts.any()
    else:
        sums = np.add.reduceat(freqs, post[used], dtype=np.int64)
        kept = counts[used]
        ok = bool(((kept == 0) | (kept == sums)).all()) and int(counts.sum()) == int(kept.sum())
    if not ok:
        raise _corrupt(c, "positions do not add up to the postings' frequencies")


def _stored_blocks(c: Container, blocks: npt.NDArray[Any]) -> None:
    """Blocks start at documents' starts, in order, and end where the documents end."""
    offsets = c.array(STORED_OFFSETS)
    _offsets(c, STORED_BLOCKS, blocks, int(offsets[-1]), strict=True)
    at = np.searchsorted(offsets, blocks)
    if bool(np.any(at >= len(offsets))) or not np.array_equal(offsets[np.minimum(
            at, len(offsets) - 1)], blocks):
        raise _corrupt(c, "a stored block does not start at a document")


def check_segment(c: Container, m: SegmentMeta) -> None:
    """Check a whole segment: load (and so check) every array, then what only a full check
    looks at: positions ascending within each posting, statistics matching the norms."""
    c.verify()
    if _encoded(c):
        problem = encoding_problem(encoded_arrays(c, c.array(POST_DOCS)), m.doc_count)
        if problem:
            raise _corrupt(c, problem)
    _positions_ascend(c, c.array(POS_DATA))
    for name, stat in m.stats.items():
        norms = c.array(field_array(NORMS, name)) if field_array(NORMS, name) in c else None
        if norms is not None and (stat["docs"] != int(np.count_nonzero(norms))
                                  or stat["length"] != int(norms.sum(dtype=np.int64))):
            raise _corrupt(c, f"statistics of field {name!r} do not match its norms")


def _only_at(starts: npt.NDArray[Any], breaks: npt.NDArray[Any]) -> bool:
    """Whether every index in ``breaks`` is one of the ascending ``starts``."""
    if not len(breaks):
        return True
    at = np.searchsorted(starts, breaks)
    inside = at < len(starts)
    return bool(inside.all()) and bool((starts[at] == breaks).all())


def _postings_ascend(c: Container, docs: npt.NDArray[Any]) -> None:
    """Document numbers strictly ascend within each term: where they do not, a term starts."""
    breaks = np.flatnonzero(docs[1:] <= docs[:-1]) + 1
    if not _only_at(c.array(TERMS_POST), breaks):
        raise _corrupt(c, "postings are not ascending within a term")


def _positions_ascend(c: Container, data: npt.NDArray[Any]) -> None:
    """Positions never decrease within one (term, document): where they do, a posting's
    positions start."""
    breaks = np.flatnonzero(data[1:] < data[:-1]) + 1
    if not len(breaks):
        return
    post, freqs = c.array(TERMS_POST), c.array(POST_FREQS)
    keeps = np.repeat(np.diff(c.array(TERMS_POS)) > 0, np.diff(post))
    if not _only_at(np.cumsum(freqs[keeps], dtype=np.int64), breaks):
        raise _corrupt(c, "positions are not ascending within a posting")
