"""Sharded indexes built and searched in parallel: locally or on a Dask cluster.

>>> import heron, heron.distributed as hd, tempfile
>>> schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True))
>>> sx = hd.create_sharded(tempfile.mkdtemp() + "/big", schema, shards=3)
>>> sx.index([{"id": "a1", "body": "Smuggling tunnels"}, {"id": "a2", "body": "A tunnel"}])
>>> with sx.searcher() as s:
...     [hit["id"] for hit in s.search("tunnels")]
['a2', 'a1']

Pass ``client=`` (a ``dask.distributed.Client``) to ``index``, ``writer`` and
``searcher`` to run on a cluster (``pip install "heron[distributed]"``); without one a
local process pool builds the shards and searches run in this process.
"""

from heron.distributed._index import ShardedIndex, create_sharded, open_sharded
from heron.distributed._results import ShardedHit, ShardedResults
from heron.distributed._routing import shard_of
from heron.distributed._searcher import ShardedSearcher
from heron.distributed._writer import ShardedWriter

__all__ = [
    "ShardedHit",
    "ShardedIndex",
    "ShardedResults",
    "ShardedSearcher",
    "ShardedWriter",
    "create_sharded",
    "open_sharded",
    "shard_of",
]
