"""Global sequence numbers: the order one index would hold a sharded index's documents in.

One index numbers documents in the order they were added (an update re-adds at the
end) and breaks ties between equal scores by that number. A sharded index gives each
document it adds a number from one counter kept in the sharded manifest, and stores
it in every shard as a hidden column (:data:`SEQUENCE`, an unstored NUMERIC, which
merges carry over like any column); searches break ties by it, across shards as one
index does by document number. A load that dies before its sharded commit is rolled
back and numbers its rows again from the same counter, so a rerun gives the same
numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from heron import NUMERIC, IndexReader, Schema, SchemaError

#: the hidden column of each shard holding its documents' global sequence numbers
SEQUENCE = "heron_sequence"


def shard_schema(schema: Schema) -> Schema:
    """The schema of each shard: the index's fields plus the sequence column.

    Raises:
        SchemaError: the schema already has a field named :data:`SEQUENCE`.
    """
    if SEQUENCE in schema:
        raise SchemaError(f"{SEQUENCE!r} is the name of a sharded index's hidden "
                          "sequence column; rename that field")
    return Schema(**dict(schema.items), **{SEQUENCE: NUMERIC(sortable=True)})


def user_schema(schema: Schema) -> Schema:
    """A shard's schema without the sequence column: the sharded index's schema."""
    return Schema(**{name: ftype for name, ftype in schema.items if name != SEQUENCE})


def sequences(reader: IndexReader, docnums: Sequence[int]) -> list[int]:
    """The sequence numbers of documents of a shard (-1 for a shard without them)."""
    docs = np.asarray(docnums, dtype=np.int64)
    out = np.full(len(docs), -1, dtype=np.int64)
    if not len(docs) or SEQUENCE not in reader.schema:
        return out.tolist()
    which = np.searchsorted(np.asarray(reader.bases, dtype=np.int64), docs, side="right") - 1
    for number in np.unique(which).tolist():
        column = reader.segments[number].column(SEQUENCE)
        if column is not None:
            pick = which == number
            out[pick] = column[0][docs[pick] - reader.bases[number]]
    return out.tolist()


def in_order(reader: IndexReader) -> bool:
    """Whether the shard's live documents are numbered in sequence order (then its own
    tie order, by document number, is the sharded index's)."""
    if SEQUENCE not in reader.schema:
        return True
    parts: list[npt.NDArray[np.int64]] = []
    for _, segment in reader.iter_segments():
        column = segment.column(SEQUENCE)
        if column is None:
            continue
        values = np.asarray(column[0], dtype=np.int64)
        parts.append(values if segment.deleted is None else values[~segment.deleted])
    joined = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return bool(np.all(np.diff(joined) > 0))
