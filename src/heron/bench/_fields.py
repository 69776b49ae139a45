"""What a benchmark indexes: the fields of its documents and the documents themselves.

Every engine gets the same documents and the same plan of fields, stored unless the plan
says not: an ``id`` (one unique, untokenized value), ``text`` (analyzed, English stemming)
or ``keyword`` (a list of tags, each one term).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

Doc = dict[str, Any]
FieldKind = Literal["id", "text", "keyword"]
KINDS: tuple[FieldKind, ...] = ("id", "text", "keyword")
#: field names taken as the documents' unique id when the data has one
ID_NAMES = ("id", "_id", "doc_id", "docid", "uuid", "key")


@attrs.frozen
class Field:
    """One field of a benchmark's documents: its name, how every engine indexes it and
    whether it is stored (an id always is: hits are reported by it)."""

    name: str
    kind: FieldKind = attrs.field(validator=attrs.validators.in_(KINDS))
    stored: bool = True


def id_field(fields: Sequence[Field]) -> str | None:
    """The name of the id field of ``fields``, or None when there is none."""
    return next((field.name for field in fields if field.kind == "id"), None)


def text_fields(fields: Sequence[Field]) -> list[str]:
    """The names of the text fields of ``fields``, in order."""
    return [field.name for field in fields if field.kind == "text"]


def read_jsonl(path: Path, limit: int | None = None) -> Iterator[Doc]:
    """Yield the objects of a JSON-lines file (gzipped when it ends in ``.gz``), at most
    ``limit`` of them; blank lines are skipped.

    Raises:
        ValueError: when a line is not a JSON object.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    count = 0
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if limit is not None and count >= limit:
                return
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(doc, dict):
                raise ValueError(f"{path}:{number}: a JSON object per line is needed")
            count += 1
            yield doc


def infer_fields(docs: Iterable[Mapping[str, Any]], sample: int = 1000) -> list[Field]:
    """The fields of the first ``sample`` documents, in first-seen order.

    A string field is text; a list of strings is keywords; the first of ``ID_NAMES``
    whose values are strings or integers is the id; other values (numbers, objects) are
    left out.

    >>> fields = infer_fields([{"id": 1, "title": "A", "tags": ["x"], "year": 1999}])
    >>> [(field.name, field.kind) for field in fields]
    [('id', 'id'), ('title', 'text'), ('tags', 'keyword')]
    """
    seen: dict[str, set[str]] = {}
    for position, doc in enumerate(docs):
        if position >= sample:
            break
        for name, value in doc.items():
            seen.setdefault(name, set()).add(_value_kind(value))
    fields: list[Field] = []
    identity = next((name for name in ID_NAMES if seen.get(name, {"other"}) <= {"str", "int"}),
                    None)
    for name, kinds in seen.items():
        kinds.discard("none")
        if name == identity:
            fields.append(Field(name, "id"))
        elif kinds == {"str"}:
            fields.append(Field(name, "text"))
        elif kinds == {"list"}:
            fields.append(Field(name, "keyword"))
    return fields


def _value_kind(value: Any) -> str:
    """A word for the JSON type of a value, for ``infer_fields``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "other"
    if isinstance(value, str):
        return "str"
    if isinstance(value, int):
        return "int"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "list"
    return "other"


def normalize(docs: Iterable[Mapping[str, Any]], fields: Sequence[Field],
              keywords_as_list: bool) -> list[Doc]:
    """The documents restricted to ``fields``, in the form every engine takes.

    Ids become strings, missing text the empty string, and keywords a list of tags or,
    unless ``keywords_as_list``, one comma-separated string (Whoosh's and heron's
    ``KEYWORD(commas=True)``).
    """
    out: list[Doc] = []
    for doc in docs:
        row: Doc = {}
        for field in fields:
            value = doc.get(field.name)
            if field.kind == "id":
                row[field.name] = "" if value is None else str(value)
            elif field.kind == "text":
                row[field.name] = value or ""
            else:
                if isinstance(value, str):  # already comma-separated
                    value = value.split(",") if value else []
                tags = [str(tag) for tag in (value or [])]
                row[field.name] = tags if keywords_as_list else ",".join(tags)
        out.append(row)
    return out


def text_megabytes(docs: Iterable[Mapping[str, Any]], fields: Sequence[Field]) -> float:
    """Characters of every text field of every document, divided by 1e6."""
    names = text_fields(fields)
    return sum(len(doc.get(name) or "") for doc in docs for name in names) / 1e6
