"""Moving to heron from other search libraries: :func:`from_whoosh` copies a Whoosh index.

Whoosh is imported only when a migration runs (``pip install "heron[whoosh]"``).
"""

from heron.migrate._report import MigrationReport
from heron.migrate._whoosh import from_whoosh

__all__ = ["MigrationReport", "from_whoosh"]
