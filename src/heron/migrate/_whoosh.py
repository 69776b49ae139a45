"""Copy a Whoosh index into a new heron index: schema mapped field by field, every stored
document copied.

The heron index is built in a work directory beside the target (``.NAME.migrating``) and
renamed into place only once it is complete and committed, so an interrupted migration
never leaves an index at the target; running the migration again clears the work
directory and starts over.
"""

from __future__ import annotations

import datetime
import decimal
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import heron
from heron.migrate._fields import field_name, heron_field
from heron.migrate._report import MigrationReport

#: documents added between two progress reports
_BATCH = 1000
_MARKER = "MIGRATING.json"
_INSTALL = 'reading a Whoosh index needs Whoosh: pip install "heron[whoosh]"'

Rebuild = Callable[[dict[str, Any]], Mapping[str, Any]]
Progress = Callable[[int, int], object]


def _open_whoosh(source: Path) -> Any:
    try:
        import whoosh.index  # noqa: PLC0415 - Whoosh is optional: only a migration needs it
    except ImportError:
        raise heron.HeronError(_INSTALL) from None
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
    if isinstance(ftype, heron.STORED):
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


def _work_dir(target: Path) -> Path:
    """The work directory of a migration to ``target``, cleared of an interrupted run."""
    work = target.parent / f".{target.name}.migrating"
    if work.exists():
        if not (work / _MARKER).is_file():
            raise heron.ArgumentError(f"{work} exists and is not a migration's work "
                                      "directory; move it away")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work


def _check_target(target: Path, overwrite: bool) -> None:
    if not target.exists():
        return
    if heron.exists_in(target):
        if not overwrite:
            raise heron.IndexExistsError(f"an index already exists at {target}; pass "
                                         "overwrite=True to replace it")
    elif not target.is_dir() or any(target.iterdir()):
        raise heron.ArgumentError(f"{target} exists and is not a heron index")


def _documents(reader: Any, plan: _Plan) -> Iterator[dict[str, Any]]:
    for docnum, stored in reader.iter_docs():
        yield plan.document(docnum, stored)


def _publish(index: Path, target: Path, work: Path) -> None:
    """Move the finished index to ``target`` (replacing an index there), drop ``work``."""
    if target.exists():
        os.replace(target, work / "replaced")
    os.replace(index, target)
    shutil.rmtree(work, ignore_errors=True)


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
    are added. Until the heron index is committed it lives in ``.NAME.migrating`` beside
    the target, so an interrupted migration leaves no index at ``target``; run it again to
    start over.

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
    _check_target(target_path, overwrite)
    plan = _Plan(whoosh_index.schema, rebuild)
    work = _work_dir(target_path)
    (work / _MARKER).write_text(json.dumps({"source": str(source_path.resolve())}), "utf-8")
    index_path = work / "index"
    try:
        ix = heron.create_index(index_path, plan.schema)
        with whoosh_index.reader() as reader:
            total = reader.doc_count()
            done = 0
            if progress is not None:
                progress(0, total)
            with ix.writer() as writer:
                batch: list[dict[str, Any]] = []
                for doc in _documents(reader, plan):
                    batch.append(doc)
                    if len(batch) == _BATCH:
                        done += writer.add_documents(batch)
                        batch = []
                        if progress is not None:
                            progress(done, total)
                done += writer.add_documents(batch)
        if progress is not None:
            progress(done, total)
        count = ix.doc_count()
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        whoosh_index.close()
    _publish(index_path, target_path, work)
    notes = list(plan.notes)
    notes.extend(f"{name}: values of this field are left out (not in the Whoosh schema)"
                 for name in sorted(plan.dropped))
    report = MigrationReport(str(source_path), str(target_path), done, count, tuple(notes),
                             () if rebuild is not None else plan.hidden)
    print(report)
    return report
