"""The work directory of a migration: where the heron index is built beside its target,
how far an interrupted run got, and how the finished index is moved into place.

The directory (``.NAME.migrating`` next to the target) holds the index and a small JSON
state: which Whoosh index it copies (path, generation, documents, whether unstored fields
are rebuilt) and, after each commit, how many documents are in and the heron generation
that holds them. A run that finds a state for the same source whose generation is the
index's newest resumes after those documents; anything else (another source, a commit the
state does not know, a damaged state) is cleared and started over.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import heron

_STATE = "MIGRATING.json"


class WorkDir:
    """The work directory of a migration to ``target`` of the source ``key`` describes."""

    def __init__(self, target: Path, key: dict[str, Any]) -> None:
        self.path = target.parent / f".{target.name}.migrating"
        self.index = self.path / "index"
        self.key = key

    def resume(self, schema: heron.Schema) -> tuple[heron.Index, int]:
        """The index to add to, and how many documents an interrupted run committed (0 and a
        new index when there is nothing to resume)."""
        state = self._read()
        if (state is not None and state.get("key") == self.key
                and isinstance(state.get("copied"), int) and heron.exists_in(self.index)):
            try:
                ix = heron.open_index(self.index)
                same = (ix.schema == schema
                        and ix.latest_generation() == state.get("generation"))
            except heron.HeronError:
                same = False
            if same:
                return ix, state["copied"]
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        ix = heron.create_index(self.index, schema)
        self.save(0, ix.latest_generation())
        return ix, 0

    def _read(self) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        state = self.path / _STATE
        if not state.is_file():
            if any(self.path.iterdir()):
                raise heron.ArgumentError(f"{self.path} exists and is not a migration's work "
                                          "directory; move it away")
            return None  # made by a run killed at once
        try:
            data = json.loads(state.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save(self, copied: int, generation: int) -> None:
        """Note that ``copied`` documents are committed in ``generation`` (after the commit)."""
        temporary = self.path / f"{_STATE}.tmp"
        temporary.write_text(json.dumps({"key": self.key, "copied": copied,
                                         "generation": generation}), "utf-8")
        os.replace(temporary, self.path / _STATE)

    def publish(self, target: Path) -> None:
        """Move the finished index to ``target`` (replacing an index there); drop the rest."""
        if target.exists():
            os.replace(target, self.path / "replaced")
        os.replace(self.index, target)
        shutil.rmtree(self.path, ignore_errors=True)
