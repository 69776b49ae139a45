"""The on-disk index: segments, commit manifests, the write lock, writer and reader."""

from heron.index._arrays import concat_ranges
from heron.index._files import Container
from heron.index._lock import WriteLock
from heron.index._manifest import FORMAT_VERSION, Manifest, SegmentEntry, latest_manifest
from heron.index._matchers import Matcher, QueryMatcher, term_matcher
from heron.index._reader import IndexReader, schema_of
from heron.index._schemas import check_compatible
from heron.index._segment_reader import SegmentReader
from heron.index._storage import check_index, create_storage, index_exists, open_writer
from heron.index._stream import write_container
from heron.index._termdict import lookup_bytes
from heron.index._writer import BATCH_DOCS, BUFFER_MB, IndexWriter

__all__ = [
    "BATCH_DOCS",
    "BUFFER_MB",
    "FORMAT_VERSION",
    "Container",
    "IndexReader",
    "IndexWriter",
    "Manifest",
    "Matcher",
    "QueryMatcher",
    "SegmentEntry",
    "SegmentReader",
    "WriteLock",
    "check_compatible",
    "check_index",
    "concat_ranges",
    "create_storage",
    "index_exists",
    "latest_manifest",
    "lookup_bytes",
    "open_writer",
    "schema_of",
    "term_matcher",
    "write_container",
]
