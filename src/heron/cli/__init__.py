"""The ``heron`` command: build, search, describe, check and optimize indexes from the shell.

``heron COMMAND --help`` describes each command; :func:`main` runs one (``heron.cli:main``
is the console script, and ``python -m heron`` runs the same).
"""

from heron.cli._main import main

__all__ = ["main"]
