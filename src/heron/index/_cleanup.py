"""Removing files no commit names, and rolling back a writer that was dropped."""

from __future__ import annotations

import contextlib
import warnings
from concurrent.futures import Executor
from pathlib import Path

from heron.index._format import OWN_FILE, manifest_generation, manifest_name, segment_file
from heron.index._lock import WriteLock
from heron.index._manifest import Manifest
from heron.index._parallel import SegmentPool
from heron.index._pins import pinned_files


def remove_unreferenced(directory: Path, manifest: Manifest) -> None:
    """Delete index files that the given (newest) commit does not name.

    Only the lock holder calls this. Readers that still map a removed file keep
    reading it (POSIX keeps it until they close it). A manifest is removed only when it
    is older than ``manifest`` and than the newest manifest file, so the commit a writer
    stands on is never removed, whatever its file is called. Pinned generations
    (``pins.json``, which a sharded index writes) keep their files.
    """
    keep = {manifest_name(manifest.generation)} | pinned_files(directory)
    for entry in manifest.segments:
        keep.add(segment_file(directory, entry.name).name)
        if entry.deletions:
            keep.add(entry.deletions)
    names = [p.name for p in directory.iterdir()]
    newest = max((g for n in names if (g := manifest_generation(n)) is not None), default=0)
    for name in names:
        if not OWN_FILE.match(name) or name in keep:
            continue
        path = directory / name
        generation = manifest_generation(name)
        if generation is not None and generation >= min(newest, manifest.generation):
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def abandoned(directory: Path, manifest: Manifest, lock: WriteLock,
              executor: Executor, pool: SegmentPool | None) -> None:
    """Roll back a writer that was dropped without commit or cancel, and free its lock."""
    if not lock.held:
        return
    warnings.warn(f"a writer on {directory} was dropped without commit() or cancel(): "
                  "its changes were rolled back", ResourceWarning, stacklevel=1)
    if pool is not None:
        pool.shutdown(wait=False)
    executor.shutdown(wait=False, cancel_futures=True)
    with contextlib.suppress(OSError):
        remove_unreferenced(directory, manifest)
    lock.release()
