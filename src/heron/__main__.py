"""``python -m heron``: the ``heron`` command."""

import sys

from heron.cli import main

if __name__ == "__main__":
    sys.exit(main())
