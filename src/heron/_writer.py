"""Deletion by query for the writer: the query layer's matcher, handed to the index layer.

Matching a query needs the query layer, which sits above :mod:`heron.index`; the
writer there takes this function as a plain callable (``Index.writer`` passes it),
so the storage layer stays unaware of queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from heron.errors import ArgumentTypeError
from heron.index import IndexReader, SegmentReader
from heron.index._matchers import Matcher
from heron.query import Context, Query, parse
from heron.schema import Schema


def query_matcher(query: object, fields: Sequence[str] | None, schema: Schema) -> Matcher:
    """A matcher for the documents ``query`` (a query string or a Query) matches.

    A query string is parsed at once, so a malformed one or an unknown field raises here.
    """
    if isinstance(query, str):
        bound = parse(query, schema, fields)
    elif isinstance(query, Query):
        bound = query
    else:
        raise ArgumentTypeError(f"query must be a string or a heron.query.Query, got "
                                f"{type(query).__name__}")

    def match(reader: IndexReader) -> Iterator[tuple[SegmentReader, npt.NDArray[np.int64]]]:
        weight = bound.bind(Context(reader))
        for seg in reader.segments:
            found = weight.match(seg)
            if len(found):
                yield seg, found.docs

    return match
