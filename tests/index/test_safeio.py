"""Index files are opened as regular files only: a FIFO, directory or symlink never blocks or
leads a reader astray, it is CorruptIndexError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.index.crafting import build, copy_index, manifest_path, read_manifest

import heron
from heron.errors import CorruptIndexError
from heron.index._safeio import open_regular, parse_json, read_regular

REPO = Path(__file__).resolve().parents[2]
#: a child that opens, searches and checks an index and prints what each raised
CHILD = """
import sys
import heron
path = sys.argv[1]
for name, step in [("open", lambda: heron.open_index(path).searcher().search("tunnels")),
                   ("check", lambda: heron.open_index(path).check()),
                   ("write", lambda: heron.open_index(path).writer().cancel())]:
    try:
        step()
        print(name, "ok")
    except Exception as exc:
        print(name, type(exc).__name__)
"""
#: generous: the child needs well under a second unless a read blocks
BOUND = 120

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("safeio") / "ix"
    build(path)
    return path


def _in_child(path: Path) -> dict[str, str]:
    """Run the steps in a child process; a child still blocked after BOUND seconds is killed
    (subprocess.run kills it) and the test fails instead of hanging the suite."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                              text=True, timeout=BOUND, env=env, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"a reader blocked on {path} for {BOUND} s")
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


def _target(path: Path, which: str) -> Path:
    entry = read_manifest(path)["segments"][0]
    return {"segment": path / f"{entry['name']}.hsg", "deletions": path / entry["deletions"],
            "manifest": manifest_path(path)}[which]


def _fifo(target: Path, elsewhere: Path) -> None:
    os.mkfifo(target)


def _fifo_link(target: Path, elsewhere: Path) -> None:
    pipe = elsewhere.with_name("pipe")
    os.mkfifo(pipe)
    target.symlink_to(pipe)


def _directory(target: Path, elsewhere: Path) -> None:
    target.mkdir()


def _link_to_copy(target: Path, elsewhere: Path) -> None:
    target.symlink_to(elsewhere)


def _dangling_link(target: Path, elsewhere: Path) -> None:
    target.symlink_to(elsewhere / "nothing")


def _device(target: Path, elsewhere: Path) -> None:
    target.symlink_to("/dev/zero")


REPLACEMENTS = {"fifo": _fifo, "symlink to a fifo": _fifo_link, "directory": _directory,
                "symlink to a good copy": _link_to_copy, "dangling symlink": _dangling_link,
                "symlink to a device": _device}


@needs_fifo
@pytest.mark.parametrize("which", ["segment", "deletions", "manifest"])
@pytest.mark.parametrize("kind", REPLACEMENTS)
def test_not_a_regular_file(base: Path, tmp_path: Path, which: str, kind: str) -> None:
    path = copy_index(base, tmp_path / "ix")
    target = _target(path, which)
    elsewhere = tmp_path / "elsewhere"
    target.rename(elsewhere)  # the good file, now outside the index
    REPLACEMENTS[kind](target, elsewhere)
    # (a dangling link in place of the newest manifest once made readers retry forever)
    assert _in_child(path) == {"open": "CorruptIndexError", "check": "CorruptIndexError",
                               "write": "CorruptIndexError"}


@needs_fifo
def test_open_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(CorruptIndexError, match="FIFO"):
        open_regular(fifo)  # O_NONBLOCK: returns at once even with no writer


def test_open_regular_and_read(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    fd = open_regular(path)
    try:
        assert os.read(fd, 10) == b"abc"
        assert os.get_blocking(fd)
    finally:
        os.close(fd)
    assert read_regular(path) == b"abc"
    with pytest.raises(CorruptIndexError):
        read_regular(path, limit=2)
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "missing")
    with pytest.raises(CorruptIndexError):
        open_regular(tmp_path)
    (tmp_path / "link").symlink_to(path)
    with pytest.raises(CorruptIndexError):
        open_regular(tmp_path / "link")


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 50_000, "\xff", "{"])
def test_parse_json_reports_corruption(text: str) -> None:
    with pytest.raises(CorruptIndexError):
        parse_json(text.encode("latin-1"), "f")


def test_writes_never_follow_a_planted_link(base: Path, tmp_path: Path) -> None:
    """Links planted at the temporary names a commit will write go unfollowed."""
    path = copy_index(base, tmp_path / "ix")
    victims = [tmp_path / "victim1", tmp_path / "victim2"]
    for victim in victims:
        victim.write_text("precious")
    ix = heron.open_index(path)
    generation = ix.latest_generation() + 1
    segment = read_manifest(path)["segments"][0]["name"]
    with ix.writer() as w:  # the writer removes stale temporary files when it starts
        (path / f"manifest_{generation:08d}.json.tmp").symlink_to(victims[0])
        (path / f"{segment}_{generation:08d}.hdl.tmp").symlink_to(victims[1])
        w.delete_by_term("id", "d1")
    assert [v.read_text() for v in victims] == ["precious", "precious"]
    ix.check()
    assert ix.doc_count() == 38


@needs_fifo
def test_open_regular_checks_what_it_opened(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A file swapped between the first look and the open (a race) is still refused,
    without blocking: the open does not wait for a FIFO nor follow a link."""
    regular = tmp_path / "regular"
    regular.write_bytes(b"")
    fifo, link = tmp_path / "pipe", tmp_path / "link"
    os.mkfifo(fifo)
    link.symlink_to(regular)
    real_lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda path: real_lstat(regular))
    with pytest.raises(CorruptIndexError, match="FIFO"):
        open_regular(fifo)
    with pytest.raises(CorruptIndexError):
        open_regular(link)
