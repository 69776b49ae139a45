"""The command on a terminal (a pseudo-terminal here): colour, NO_COLOR and progress; Ctrl-C."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.running import ESCAPE, environment, write_jsonl
from tests.cli.test_commands import DOCS

import heron

COLOUR = r"\x1b\[[0-9;]*(3[0-7]|38;|9[0-7])"


def on_terminal(*args: str | Path, stream: str = "stdout", **env: str) -> tuple[int, str]:
    """Run ``python -m heron ARGS`` with ``stream`` on a pseudo-terminal; its exit status and
    what it wrote there."""
    leader, follower = pty.openpty()
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: follower}
    child = subprocess.Popen(
        [sys.executable, "-m", "heron", *map(str, args)], stdin=subprocess.DEVNULL,
        env=environment(TERM="xterm-256color", COLUMNS="120", **env), **streams)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal (EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return child.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def news(tmp_path: Path) -> Path:
    path = tmp_path / "news"
    ix_docs = write_jsonl(tmp_path / "a.jsonl", DOCS)
    done = subprocess.run([sys.executable, "-m", "heron", "index", path, ix_docs, "-q"],
                          env=environment(), check=True, capture_output=True)
    assert done.stdout == done.stderr == b""
    return path


def test_colour_on_a_terminal_only(news: Path) -> None:
    status, shown = on_terminal("search", news, "tunnels")
    assert status == 0
    assert re.search(COLOUR, shown)
    assert "tunnels" in shown
    status, plain = on_terminal("search", news, "tunnels", NO_COLOR="1")
    assert status == 0
    assert not re.search(COLOUR, plain)
    assert "Smuggling" in plain
    status, err = on_terminal("search", news, "title:(", stream="stderr")
    assert status == 1
    assert re.search(COLOUR, err)
    status, err = on_terminal("search", news, "title:(", stream="stderr", NO_COLOR="1")
    assert status == 1
    assert ESCAPE not in err
    assert "heron: error: bad query" in err


def test_progress_on_a_terminal_not_when_quiet(tmp_path: Path) -> None:
    docs = [{"id": str(i), "body": f"document number {i} about tunnels"} for i in range(3000)]
    source = write_jsonl(tmp_path / "many.jsonl", docs)
    status, bar = on_terminal("index", tmp_path / "ix", source, stream="stderr")
    assert status == 0
    assert "indexing" in bar
    assert "docs/s" in bar
    status, nothing = on_terminal("index", tmp_path / "ix", source, "--quiet", stream="stderr")
    assert status == 0
    assert nothing == ""
    assert heron.open_index(tmp_path / "ix").doc_count() == 3000


def test_import_heron_never_loads_rich() -> None:
    code = ("import sys, heron, heron.cli, heron.demo\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'rich'], 'rich loaded'")
    subprocess.run([sys.executable, "-c", code], env=environment(), check=True)


def test_interrupted_index_leaves_the_last_commit(news: Path) -> None:
    before = sorted(p.name for p in news.iterdir())
    more = [{"id": f"new{i}", "title": "interrupted", "body": "never committed"}
            for i in range(50)]
    with subprocess.Popen(
        [sys.executable, "-m", "heron", "index", str(news), "-"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment(HERON_SIGNAL_STARTED="1"),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    ) as child:
        assert child.stdin is not None
        assert child.stderr is not None
        child.stdin.write("".join(json.dumps(d) + "\n" for d in more))
        child.stdin.flush()
        # the child says when its writer holds the lock and has taken a document; it then
        # waits for more input, holding the lock, until interrupted
        assert child.stderr.readline() == "heron: indexing started\n"
        child.send_signal(signal.SIGINT)
        status = child.wait(timeout=300)
        err = child.stderr.read()
    assert status == 130
    assert "Traceback" not in err
    assert "interrupted" in err
    assert err.count("\n") == 1
    ix = heron.open_index(news)
    assert ix.doc_count() == 3
    assert heron.check_index(news) == []
    assert sorted(p.name for p in news.iterdir()) == before  # nothing left behind
    with ix.writer(timeout=0) as w:  # the lock is free
        w.add_document(id="after", title="after the interrupt")
    assert ix.doc_count() == 4
