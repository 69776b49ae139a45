"""The on-disk index: segments, commit manifests, the writer and the readers.

The rest (containers of checksummed arrays, the write lock, term dictionaries, merging)
is heron's own machinery in the private modules.
"""

from heron.index._check import Problem
from heron.index._manifest import FORMAT_VERSION, Manifest, SegmentEntry
from heron.index._matchers import Matcher
from heron.index._reader import IndexReader
from heron.index._segment_reader import SegmentReader
from heron.index._writer import IndexWriter

__all__ = [
    "FORMAT_VERSION",
    "IndexReader",
    "IndexWriter",
    "Manifest",
    "Matcher",
    "Problem",
    "SegmentEntry",
    "SegmentReader",
]
