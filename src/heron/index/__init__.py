"""The on-disk index: segments, commit manifests, the write lock, writer and reader."""

from heron.index._arrays import concat_ranges
from heron.index._check import Problem, find_problems
from heron.index._files import Container
from heron.index._lock import WriteLock
from heron.index._manifest import FORMAT_VERSION, Manifest, SegmentEntry, latest_manifest
from heron.index._reader import IndexReader, schema_of
from heron.index._segment_reader import SegmentReader
from heron.index._storage import check_index, create_storage, index_exists, open_writer
from heron.index._stream import write_container
from heron.index._termdict import lookup_bytes
from heron.index._writer import IndexWriter

__all__ = [
    "FORMAT_VERSION",
    "Container",
    "IndexReader",
    "IndexWriter",
    "Manifest",
    "Problem",
    "SegmentEntry",
    "SegmentReader",
    "WriteLock",
    "check_index",
    "concat_ranges",
    "create_storage",
    "find_problems",
    "index_exists",
    "latest_manifest",
    "lookup_bytes",
    "open_writer",
    "schema_of",
    "write_container",
]
