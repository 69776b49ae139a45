"""The README's Python examples type-check with ``mypy --strict`` against heron's annotations.

Each ```python block becomes a module of its own, so each example must stand alone (its
imports and the names it uses): what a user copies is what is checked.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import heron

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: the directory holding the heron under test, ahead of any installed copy
SRC = Path(heron.__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """The ```python blocks of a markdown text, each with the line its fence is on."""
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in BLOCK.finditer(text)]


def test_python_blocks() -> None:
    text = "# t\n```python\nimport heron\n```\n```sh\nmake\n```\n\n```python\nx = 1\ny = 2\n```\n"
    assert python_blocks(text) == [(2, "import heron\n"), (9, "x = 1\ny = 2\n")]


def test_readme_examples_pass_mypy_strict(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it comes with the lint extra: pip install -e .[lint])")
    if not README.exists():
        pytest.skip(f"no README.md next to the tests ({README})")
    files = []
    for line, code in python_blocks(README.read_text("utf-8")):
        path = tmp_path / f"readme_line{line}.py"
        path.write_text(code, "utf-8")
        files.append(str(path))
    assert len(files) >= 5  # the quick start, analysis, lenient search, suggestions, ...
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "mypy_cache"), *files],
        capture_output=True, text=True, cwd=tmp_path, check=False,
        env={**os.environ, "MYPYPATH": str(SRC)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
