"""Checking a whole index: every file of the newest commit, reporting each damaged one."""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from heron.errors import CorruptIndexError
from heron.index._deletions import read_deletions
from heron.index._format import manifest_name, segment_file
from heron.index._manifest import SegmentEntry, generations, latest_manifest
from heron.index._safeio import file_size_crc
from heron.index._segment_reader import SegmentReader


@frozen
class Problem:
    """A damaged file of an index: its name in the index directory and what is wrong."""

    file: str
    message: str

    def __str__(self) -> str:
        return self.message if self.message.startswith(self.file) else (
            f"{self.file}: {self.message}")


def find_problems(directory: Path) -> list[Problem]:
    """Verify every file of the newest commit; return one :class:`Problem` per damaged file.

    The manifest is checked first (when it is damaged, nothing else can be named); then each
    segment file and deletion file: present, of the size and whole-file CRC-32 the manifest
    records, every array's checksum and the segment's structure. An empty list means the
    index is sound.

    Raises:
        IndexNotFoundError: there is no index at ``directory``.
    """
    try:
        manifest = latest_manifest(directory)
    except CorruptIndexError as exc:
        return [Problem(manifest_name(generations(directory)[0]), str(exc))]
    problems: list[Problem] = []
    for entry in manifest.segments:
        problems.extend(_segment_problems(directory, entry))
    return problems


def _segment_problems(directory: Path, entry: SegmentEntry) -> list[Problem]:
    """The damaged files of one segment (its file, its deletions file)."""
    files = [(segment_file(directory, entry.name), entry.size, entry.crc32)]
    if entry.deletions:
        files.append((directory / entry.deletions, entry.deletions_size, entry.deletions_crc32))
    found = []
    for path, size, crc in files:
        try:
            actual, actual_crc = file_size_crc(path)
        except FileNotFoundError:
            found.append(Problem(path.name, "file is missing"))
            continue
        if actual != size:
            found.append(Problem(path.name, f"size is {actual}, the manifest says {size}"))
        elif actual_crc != crc:
            found.append(Problem(path.name, "fails its checksum"))
    if found:
        return found
    if entry.deletions is not None:  # checked alone first, so a damage is put on its file
        try:
            read_deletions(directory / entry.deletions, entry.deletions_size, entry.name,
                           entry.doc_count, entry.deleted_count)
        except CorruptIndexError as exc:
            return [Problem(entry.deletions, str(exc))]
    try:
        with SegmentReader(directory, entry) as segment:
            segment.verify()
    except CorruptIndexError as exc:
        found.append(Problem(segment_file(directory, entry.name).name, str(exc)))
    return found
