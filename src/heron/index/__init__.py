"""The on-disk index: segments, commit manifests, the write lock, writer and reader."""

from heron.index._arrays import concat_ranges
from heron.index._blocks import (
    BLOCK,
    Blocks,
    BlockTable,
    block_table,
    posting_positions,
    term_blocks,
)
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
    "BLOCK",
    "FORMAT_VERSION",
    "BlockTable",
    "Blocks",
    "Container",
    "IndexReader",
    "IndexWriter",
    "Manifest",
    "SegmentEntry",
    "SegmentReader",
    "WriteLock",
    "block_table",
    "check_index",
    "concat_ranges",
    "create_storage",
    "index_exists",
    "latest_manifest",
    "lookup_bytes",
    "open_writer",
    "posting_positions",
    "schema_of",
    "term_blocks",
    "write_container",
]
