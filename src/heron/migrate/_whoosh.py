"""Copy a Whoosh index into a new heron index: schema mapped field by field, every stored
document copied.

The heron index is built in a work directory beside the target (``.NAME.migrating``),
committed every few thousand documents, and renamed into place only once it is complete,
so an interrupted migration never leaves an index at the target; running it again resumes
after the last commit (see :mod:`heron.migrate._workdir`).
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import heron
from heron.migrate._fields import field_name, heron_field
from heron.migrate._report import MigrationReport
from heron.migrate._workdir import WorkDir

#: documents added between two progress reports, and between two commits (checkpoints)
_BATCH = 1000
_COMMIT = 5000
_INSTALL = 'reading a Whoosh index needs Whoosh: pip install "heron[whoosh]"'

Rebuild = Callable[[dict[str, Any]], Mapping[str, Any]]
Progress = Callable[[int, int], object]


def _open_whoosh(source: Path) -> Any:
    try:
        import whoosh.index  # noqa: PLC0415 - Whoosh is optional: only a migration needs it
    except ImportError:
        raise heron.MissingDependencyError(_INSTALL) from None
    if not whoosh.index.exists_in(str(source)):
        raise heron.IndexNotFoundError(f"no Whoosh index at {source}")
    return whoosh.index.open_dir(str(source))


def _jsonable(value: Any, where: str) -> Any:
    """A Whoosh STORED value as JSON can hold it (tuples and sets as lists, dates as text)."""
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        value = sorted(value, key=repr)
    if isinstance(value, list | tuple):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v, where) for k, v in value.items()}
    return _text_of(value, where)


def _text_of(value: Any, where: str) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise heron.SchemaError(f"{where}: a {type(value).__name__} value cannot be stored in "
                            "heron (STORED holds JSON values)")


def _value(ftype: heron.FieldType, value: Any, where: str) -> Any:
    if not ftype.indexed:  # a stored-only field holds JSON values
        return _jsonable(value, where)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return value


class _Plan:
    """The heron schema of a Whoosh one, how names map, and what does not carry over."""

    def __init__(self, whoosh_schema: Any, rebuild: Rebuild | None) -> None:
        self.notes: list[str] = []
        self.names: dict[str, str] = {}
        fields: dict[str, heron.FieldType] = {}
        for name, ftype in whoosh_schema.items():
            mapped = heron_field(name, ftype, self.notes)
            if mapped is None:
                continue
            new = field_name(name)
            if new != name:
                self.notes.append(f"{name}: renamed {new!r} (heron field names start with a "
                                  "letter and hold letters, digits and '_')")
            self.names[name] = new
            fields[new] = mapped
        for pattern in getattr(whoosh_schema, "_dyn_fields", {}):
            self.notes.append(f"{pattern}: dynamic (glob) fields have no equivalent: their "
                              "values are left out")
        self.schema = heron.Schema(**fields)
        self.hidden = tuple(n for n, f in fields.items() if f.indexed and not f.stored)
        self.rebuild = rebuild
        self.dropped: set[str] = set()

    def document(self, docnum: int, stored: dict[str, Any]) -> dict[str, Any]:
        """The heron document of a Whoosh document's stored fields (and the rebuilt ones)."""
        values = dict(stored)
        if self.rebuild is not None:
            extra = self.rebuild(dict(stored))
            if not isinstance(extra, Mapping):
                raise heron.ArgumentTypeError(
                    f"rebuild returns a mapping of field names to values, got "
                    f"{type(extra).__name__}")
            values.update(extra)
        doc: dict[str, Any] = {}
        for name, value in values.items():
            new = self.names.get(name)
            if new is None:
                self.dropped.add(name)
                continue
            if value is not None:
                doc[new] = _value(self.schema[new], value, f"Whoosh document {docnum}, "
                                  f"field {name!r}")
        return doc


def _check_target(target: Path, overwrite: bool) -> None:
    if not target.exists():
        return
    if heron.exists_in(target):
        if not overwrite:
            raise heron.IndexExistsError(f"an index already exists at {target}; pass "
                                         "overwrite=True to replace it")
    elif not target.is_dir() or any(target.iterdir()):
        raise heron.ArgumentError(f"{target} exists and is not a heron index")


def from_whoosh(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    rebuild: Rebuild | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> MigrationReport:
    """Copy the Whoosh index at ``source`` into a new heron index at ``target``.

    Each Whoosh field becomes its nearest heron field and every stored document is added.
    A field Whoosh indexed without storing it cannot be read back: it stays empty unless
    ``rebuild`` is given, a function from a document's stored fields (a dict, Whoosh field
    names) to the values to index with them (for instance the text of the unstored body,
    read again from where it came from). ``progress(done, total)`` is called as documents
    are added. Until it is complete the heron index lives in ``.NAME.migrating`` beside
    the target, so an interrupted migration leaves no index at ``target``; run it again to
    resume after the last of its commits (every 5,000 documents), or from the start if
    the Whoosh index changed meanwhile.

    Returns:
        a :class:`MigrationReport` (``print(report)`` shows it).

    Raises:
        HeronError: Whoosh is not installed (``pip install "heron[whoosh]"``).
        IndexNotFoundError: there is no Whoosh index at ``source``.
        IndexExistsError: a heron index is at ``target`` and ``overwrite`` is false.
        SchemaError: a stored value does not fit its heron field (named with the document).
    """
    if rebuild is not None and not callable(rebuild):
        raise heron.ArgumentTypeError(f"rebuild is a function, got {type(rebuild).__name__}")
    if progress is not None and not callable(progress):
        raise heron.ArgumentTypeError(f"progress is a function, got {type(progress).__name__}")
    source_path, target_path = Path(source), Path(target)
    whoosh_index = _open_whoosh(source_path)
    try:
        _check_target(target_path, overwrite)
        plan = _Plan(whoosh_index.schema, rebuild)
        with whoosh_index.reader() as reader:
            key = {"source": str(source_path.resolve()),
                   "generation": whoosh_index.latest_generation(),
                   "documents": reader.doc_count_all(), "rebuild": rebuild is not None}
            work = WorkDir(target_path, key)
            ix, resumed = work.resume(plan.schema)
            done = _copy(reader, plan, ix, work, resumed=resumed, progress=progress)
    finally:
        whoosh_index.close()
    count = ix.doc_count()
    work.publish(target_path)
    notes = list(plan.notes)
    notes.extend(f"{name}: values of this field are left out (not in the Whoosh schema)"
                 for name in sorted(plan.dropped))
    report = MigrationReport(str(source_path), str(target_path), done, count, tuple(notes),
                             () if rebuild is not None else plan.hidden, resumed)
    print(report)
    return report


def _copy(reader: Any, plan: _Plan, ix: heron.Index, work: WorkDir, *, resumed: int,
          progress: Progress | None) -> int:
    """Add the documents after the first ``resumed``, committing every ``_COMMIT`` of them."""
    total = reader.doc_count()
    done = resumed
    if progress is not None:
        progress(done, total)
    docs = itertools.islice(reader.iter_docs(), resumed, None)
    while chunk := list(itertools.islice(docs, _COMMIT)):
        with ix.writer() as writer:
            for start in range(0, len(chunk), _BATCH):
                batch = chunk[start : start + _BATCH]
                done += writer.add_documents([plan.document(n, d) for n, d in batch])
                if progress is not None:
                    progress(done, total)
        work.save(done, ix.latest_generation())
    if progress is not None:
        progress(done, total)
    return done
