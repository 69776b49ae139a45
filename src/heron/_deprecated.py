"""Names kept for one release after they were replaced; each use warns.

``heron.Writer`` was the top-level writer class; ``heron.IndexWriter`` is the one
writer class now (``Index.writer()`` returns it). ``heron.IndexError_`` is
``heron.IndexAccessError``.
"""

from __future__ import annotations

import warnings

from heron.errors import IndexAccessError
from heron.index import IndexWriter

#: old name -> (the object it now stands for, its new name)
_RENAMED: dict[str, tuple[object, str]] = {
    "Writer": (IndexWriter, "heron.IndexWriter"),
    "IndexError_": (IndexAccessError, "heron.IndexAccessError"),
}


def __getattr__(name: str) -> object:
    """Look up a deprecated name of the ``heron`` module, with a DeprecationWarning."""
    if name in _RENAMED:
        target, new = _RENAMED[name]
        warnings.warn(f"heron.{name} is deprecated; use {new} (the old name goes in heron 0.3)",
                      DeprecationWarning, stacklevel=2)
        return target
    raise AttributeError(f"module 'heron' has no attribute {name!r}")
