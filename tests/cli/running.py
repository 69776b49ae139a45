"""Running the real ``heron`` command in a child process, as a user's shell would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import heron

SRC = str(Path(heron.__file__).resolve().parents[1])
ESCAPE = "\x1b"


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def heron_cmd(*args: str | Path, stdin: str | None = None, **env: str
              ) -> subprocess.CompletedProcess[str]:
    """Run ``python -m heron ARGS`` with stdout and stderr piped; never raises on failure."""
    return subprocess.run(
        [sys.executable, "-m", "heron", *map(str, args)], input=stdin, capture_output=True,
        text=True, env=environment(**env), check=False, timeout=300,
        **({} if stdin is not None else {"stdin": subprocess.DEVNULL}),
    )


def ok(*args: str | Path, **env: str) -> str:
    """Run a command that must succeed with nothing on stderr; return its stdout."""
    done = heron_cmd(*args, **env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert ESCAPE not in done.stdout  # piped: never an escape code
    return done.stdout


def fails(*args: str | Path, status: int = 1) -> str:
    """Run a command that must fail with ``status``; return its stderr (no traceback)."""
    done = heron_cmd(*args)
    assert done.returncode == status, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert ESCAPE not in done.stderr
    return done.stderr


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path
