"""Make ``import heron`` import this checkout's ``src/heron``, installed or not.

Every benchmark module imports this first (for its side effect), so that ``heron.bench``
and ``heron`` come from the checkout being measured, not from another copy installed in
the environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def use_checkout_heron() -> None:
    """Put this checkout's ``src/`` first on ``sys.path`` (when it holds heron)."""
    src = REPO_ROOT / "src"
    if (src / "heron").is_dir() and str(src) not in sys.path:
        sys.path.insert(0, str(src))


use_checkout_heron()
