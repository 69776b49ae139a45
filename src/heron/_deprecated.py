"""Names kept for one release after they were replaced; each use warns.

``heron.Writer`` was the top-level writer class; ``heron.IndexWriter`` is the one
writer class now (``Index.writer()`` returns it). ``heron.IndexError_`` is
``heron.IndexAccessError``.
"""

from __future__ import annotations

from heron.errors import IndexAccessError, deprecated_names
from heron.index import IndexWriter

#: old name -> what it now stands for
__getattr__ = deprecated_names("heron", {"Writer": IndexWriter, "IndexError_": IndexAccessError})
