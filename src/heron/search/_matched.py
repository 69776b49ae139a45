"""Which (field, term) pairs of a query each hit holds (``search(terms=True)``).

Only the hits' documents are looked up, in the postings of each of the query's terms:
the work grows with the hits on the page and the query's terms, not with the matches.
"""

from __future__ import annotations

import numpy as np

from heron._kernels._numpy import member
from heron.index import IndexReader, SegmentReader
from heron.query import Query


def matched_terms(reader: IndexReader, query: Query, docnums: list[int]
                  ) -> list[list[tuple[str, str]]]:
    """For each document number, the query's (field, term) pairs it holds, sorted."""
    found: list[list[tuple[str, str]]] = [[] for _ in docnums]
    pairs = sorted(query.terms())
    if not pairs or not docnums:
        return found
    by_segment: dict[str, tuple[SegmentReader, list[int], list[int]]] = {}
    for i, docnum in enumerate(docnums):
        segment, local = reader.locate(docnum)
        entry = by_segment.setdefault(segment.name, (segment, [], []))
        entry[1].append(local)
        entry[2].append(i)
    for segment, locals_, indices in by_segment.values():
        docs = np.asarray(locals_, dtype=np.int64)
        order = np.argsort(docs)
        docs = docs[order]
        hit_index = np.asarray(indices)[order]
        for field_name, term in pairs:
            number = segment.terms.find(field_name, term)
            if number < 0:
                continue
            postings, _ = segment.postings(number)
            for i in hit_index[member(docs, np.asarray(postings, dtype=np.int64))].tolist():
                found[i].append((field_name, term))
    return found
