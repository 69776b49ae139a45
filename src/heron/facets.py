"""Facets: how ``search(facets=...)`` counts matching documents.

A field name counts each value; :class:`Range` counts numbers in buckets of a gap;
:class:`DateBuckets` counts dates by year, month, day or hour.

>>> from heron import facets
>>> facets.Range("words", 0, 1000, 250).edges()
[0, 250, 500, 750, 1000]
"""

from heron.search._facet_kinds import DateBuckets, Facet, Field, Range

__all__ = ["DateBuckets", "Facet", "Field", "Range"]
