"""Keys under which one search binds a repeated sub-query once and shares its weight.

A query such as ``oil opec oil opec ...`` (or a lenient search that binds each part
alone, then the query without the failing parts) holds the same sub-query many times.
Equal queries bind to equal weights, so a search binds each once; but equality is
too loose for that: ``Term("flag", True) == Term("flag", 1)`` and
``Phrase(..., slop=True) == Phrase(..., slop=1)`` hold in Python, while one of each
pair is refused. The key of a query is therefore its class and its attribute values
each with its exact type (and the sign of a zero), so that two queries share a key
only when nothing can tell them apart when they bind.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

import attrs
import numpy as np


def _exact(value: object) -> Hashable:
    """``value`` with its type (in tuples too), so that ``1``, ``1.0`` and ``True`` differ."""
    kind = type(value)
    if kind is str:  # the common case; no other key part equals a string
        return value
    if isinstance(value, tuple):
        return (kind, *map(_exact, value))
    if isinstance(value, float | np.floating) and value == 0:
        return (kind, math.copysign(1.0, float(value)))  # -0.0 == 0.0, but not in a sum
    return (kind, value)  # an unhashable value makes the key unhashable: not shared


def exact_key(query: object) -> Hashable | None:
    """A key equal for queries of the same class whose attributes are equal and of the same
    types; None for a query that is not an attrs class (its attributes are unknown).

    >>> from heron.query import Term
    >>> exact_key(Term("body", "oil")) == exact_key(Term("body", "oil"))
    True
    >>> exact_key(Term("flag", True)) == exact_key(Term("flag", 1))
    False
    """
    kind = type(query)
    if not attrs.has(kind):
        return None
    return (kind, *[_exact(getattr(query, a.name)) for a in attrs.fields(kind)])
