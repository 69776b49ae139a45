"""A run's JSON record: commit, machine, versions and figures, written where asked."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import heron
from heron.bench import draw_queries, git_commit, run_info, write_record


def test_record_holds_run_and_figures(tmp_path: Path) -> None:
    info = run_info(["heron", "surely-not-a-package"], source=tmp_path)
    assert info["commit"] is None  # tmp_path is not a git work tree
    assert info["packages"] == {"heron": heron.__version__,
                                "surely-not-a-package": "not installed"}
    assert info["machine"]["cpu_count"] >= 1
    path = write_record(tmp_path / "records", "indexing", info, {"engines": [{"mb_per_s": 1.5}]})
    assert path.parent == tmp_path / "records"
    assert path.name.endswith("-indexing.json")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["scenario"] == "indexing"
    assert saved["engines"] == [{"mb_per_s": 1.5}]
    assert saved["run"]["date"] == info["date"]


def test_git_commit_of_a_work_tree(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "f.txt").write_text("one", encoding="utf-8")
    git("add", "f.txt")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    commit = git_commit(tmp_path)
    assert commit is not None
    assert len(commit["sha"]) == 40
    assert commit["dirty"] is False
    (tmp_path / "f.txt").write_text("two", encoding="utf-8")
    assert git_commit(tmp_path) == {"sha": commit["sha"], "dirty": True}


def test_queries_are_drawn_from_the_texts_reproducibly() -> None:
    texts = ["Cocoa rains in Bahia", "the a of", "Dollar falls against yen"]
    first = draw_queries(texts, 30, seed=5)
    assert first == draw_queries(texts, 30, seed=5)
    allowed = {"cocoa", "rains", "bahia", "dollar", "falls", "against", "yen"}
    for query in first:
        words = query.split()
        assert 2 <= len(words) <= 4
        assert set(words) <= allowed
