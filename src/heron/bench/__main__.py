"""``python -m heron.bench``: the ``heron bench`` command."""

from __future__ import annotations

import sys

from heron.bench._command import main

if __name__ == "__main__":
    sys.exit(main())
