"""What a migration did: documents copied, options heron has no equivalent for, and
fields whose text could not be recovered."""

from __future__ import annotations

from attrs import frozen


@frozen
class MigrationReport:
    """The outcome of :func:`heron.migrate.from_whoosh`, readable with ``str()``.

    >>> print(MigrationReport("old", "new", 2, 2, ("title: vector (term vectors) dropped",),
    ...                       ("body",)))
    migrated old -> new: 2 documents copied, 2 in the heron index
    options with no exact equivalent:
      - title: vector (term vectors) dropped
    indexed but not stored in Whoosh, so empty in heron (pass rebuild= to fill them):
      - body
    """

    source: str
    target: str
    #: Whoosh documents added to the heron index
    documents: int
    #: live documents in the heron index (fewer when a unique value repeated)
    doc_count: int
    #: one line per option or value that heron maps only approximately, or not at all
    unmapped: tuple[str, ...] = ()
    #: fields indexed but not stored in Whoosh: empty in heron (no rebuild function)
    unrecoverable: tuple[str, ...] = ()
    #: of ``documents``, those an interrupted run had committed (this run resumed after them)
    resumed: int = 0

    def __str__(self) -> str:
        resumed = f" ({self.resumed} by an interrupted run)" if self.resumed else ""
        lines = [f"migrated {self.source} -> {self.target}: {self.documents} documents "
                 f"copied{resumed}, {self.doc_count} in the heron index"]
        if self.unmapped:
            lines.append("options with no exact equivalent:")
            lines.extend(f"  - {line}" for line in self.unmapped)
        if self.unrecoverable:
            lines.append("indexed but not stored in Whoosh, so empty in heron "
                         "(pass rebuild= to fill them):")
            lines.extend(f"  - {name}" for name in self.unrecoverable)
        return "\n".join(lines)
