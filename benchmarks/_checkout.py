"""Make ``import heron`` import this checkout's ``src/heron``, installed or not.

Every benchmark module imports this first (for its side effect), so that ``heron.bench``
and ``heron`` come from the checkout being measured, not from another copy installed in
the environment. And heron's ``__init__`` (numpy, nltk) runs only when a process first uses
heron, so that a peer engine's child process and the parent never load it: the peer's
memory high-water mark is its own, and heron's child imports heron when its build starts,
as these scripts always measured.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def use_checkout_heron() -> None:
    """Put this checkout's ``src/`` first on ``sys.path`` (when it holds heron)."""
    src = REPO_ROOT / "src"
    if (src / "heron").is_dir() and str(src) not in sys.path:
        sys.path.insert(0, str(src))


def lazy_heron() -> None:
    """Make ``heron`` load its ``__init__`` (numpy, nltk) only when first used, through
    heron.bench's ``_light.py`` (read by path: importing it by name would load heron)."""
    path = REPO_ROOT / "src" / "heron" / "bench" / "_light.py"
    spec = importlib.util.spec_from_file_location("_heron_light", path)
    if spec is None or spec.loader is None:
        return
    light = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(light)
    light.install_lazy_heron()


use_checkout_heron()
lazy_heron()
