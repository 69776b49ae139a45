"""heron.check_index (heron/index/_check.py): every damaged file of the newest commit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.index.crafting import build, craft_segment, manifest_path, read_manifest

import heron


def two_segments(path: Path) -> list[str]:
    """An index of two segments (one with a deletion file); their file names."""
    build(path)
    ix = heron.open_index(path)
    with ix.writer(merge=False) as w:
        w.add_document(id="new", title="another segment", body="tunnels")
    entries = read_manifest(path)["segments"]
    assert len(entries) == 2
    return [f"{e['name']}.hsg" for e in entries]


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_sound_index_has_no_problems(tmp_path: Path) -> None:
    two_segments(tmp_path / "ix")
    assert heron.check_index(tmp_path / "ix") == []


def test_every_damaged_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    first, second = two_segments(path)
    flip(path / first, 40)
    (path / second).write_bytes((path / second).read_bytes()[:-5])
    problems = heron.check_index(path)
    assert [p.file for p in problems] == [first, second]
    assert "checksum" in problems[0].message
    assert "size" in problems[1].message
    assert all(isinstance(p, heron.Problem) for p in problems)
    assert str(problems[0]).startswith(first)
    with pytest.raises(heron.CorruptIndexError, match=first):
        heron.open_index(path).check()  # the method still stops at the first one


def test_missing_and_deletion_files(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    first, _ = two_segments(path)
    deletions = read_manifest(path)["segments"][0]["deletions"]
    flip(path / deletions, 30)
    (path / first).unlink()
    problems = {p.file: p.message for p in heron.check_index(path)}
    assert problems == {first: "file is missing", deletions: "fails its checksum"}


def test_damage_behind_correct_checksums_is_found(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    build(path)

    def shuffle(arrays: dict[str, np.ndarray], meta: dict[str, object]) -> None:
        docs = arrays["post.docs"]
        arrays["post.docs"] = docs[::-1].copy()  # postings no longer ascending

    craft_segment(path, shuffle)
    (problem,) = heron.check_index(path)
    assert problem.file == f"{read_manifest(path)['segments'][0]['name']}.hsg"


def test_a_damaged_manifest_is_reported_alone(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    build(path)
    manifest = manifest_path(path)
    manifest.write_text(manifest.read_text()[:-10])
    (problem,) = heron.check_index(path)
    assert problem.file == manifest.name


def test_no_index(tmp_path: Path) -> None:
    with pytest.raises(heron.IndexNotFoundError):
        heron.check_index(tmp_path / "nothing")
