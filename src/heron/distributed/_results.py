"""The results of a sharded search: hits from every shard, merged as one index ranks them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from attrs import define, field

from heron.query import Query

if TYPE_CHECKING:
    from heron.distributed._searcher import ShardedSearcher


@define
class ShardedHit(Mapping[str, Any]):
    """One hit: its rank, score, shard, document number in that shard, and stored fields."""

    searcher: ShardedSearcher = field(repr=False)
    shard: int
    docnum: int
    score: float
    rank: int
    query: Query = field(repr=False)
    fields: dict[str, Any] = field(factory=dict, repr=False)

    def __getitem__(self, name: str) -> Any:
        return self.searcher.schema.stored_value(self.fields, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def highlights(self, field_name: str, top: int = 3) -> str:
        """The best fragments of a stored field with the query's matches marked."""
        return self.searcher.highlight(self, field_name, top)


@define
class ShardedResults:
    """A page of hits, best first; ``total`` matches in all; ``missing_shards``: shards
    left out of a ``partial=True`` search because they could not be reached."""

    query: Query
    total: int
    hits: list[ShardedHit]
    offset: int = 0
    facets: dict[str, dict[Any, int]] = field(factory=dict)
    missing_shards: tuple[int, ...] = ()

    def __iter__(self) -> Iterator[ShardedHit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index: int) -> ShardedHit:
        return self.hits[index]

    def is_empty(self) -> bool:
        """Whether nothing matched."""
        return self.total == 0
