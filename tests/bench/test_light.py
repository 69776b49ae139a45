"""A child of heron bench loads heron (numpy, nltk) only when it uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import heron

SRC = Path(heron.__file__).resolve().parents[1]
LIGHT = SRC / "heron" / "bench" / "_light.py"

CODE = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("light", {str(LIGHT)!r})
light = importlib.util.module_from_spec(spec)
spec.loader.exec_module(light)
light.install_lazy_heron()
import heron.bench
from heron import _terminal
print("numpy" in sys.modules, "heron.schema" in sys.modules, heron.__version__)
schema = heron.Schema(id=heron.ID(stored=True))
print("numpy" in sys.modules, sorted(schema.names()))
"""


def test_heron_loads_at_first_use() -> None:
    done = subprocess.run([sys.executable, "-c", CODE], env={**os.environ, "PYTHONPATH": str(SRC)},
                          capture_output=True, text=True, check=True)
    first, second = done.stdout.splitlines()
    assert first == f"False False {heron.__version__}"
    assert second == "True ['id']"
