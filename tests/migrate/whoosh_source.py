"""A real Whoosh index for the migration tests (and a child process that migrates it)."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import pkgutil
import sys
import warnings
from pathlib import Path
from typing import Any

PLACES = ["Gaza", "Sinaï", "Zürich", "東京", "Cairo", "São Paulo"]
WORDS = ["tunnels", "smuggling", "border", "flooded", "fighters", "crossed", "officials",
         "prices", "markets", "rains"]


def import_whoosh() -> bool:
    """Import every module of Whoosh, if it is installed, with its warnings silenced.

    Whoosh 2.7.4's source has invalid escape sequences: compiled afresh (no ``.pyc``),
    Python warns, which ``filterwarnings = error`` would turn into a SyntaxError.
    """
    if importlib.util.find_spec("whoosh") is None:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import whoosh  # noqa: PLC0415

        for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
            try:
                importlib.import_module(info.name)
            except Exception:
                continue
    return True


def body(i: int) -> str:
    """The text of document i's unstored body (what a rebuild function reads again)."""
    return " ".join(WORDS[(i * k + 3) % len(WORDS)] for k in range(1, 9))


def documents(n: int = 60) -> list[dict[str, Any]]:
    docs = []
    for i in range(n):
        doc: dict[str, Any] = {
            "id": f"d{i}",
            "title": f"{WORDS[i % len(WORDS)]} near {PLACES[i % len(PLACES)]} ({i})",
            "body": body(i),
            "tags": ",".join(sorted({PLACES[i % 6].lower(), PLACES[(i // 6) % 6].lower()})),
            "year": 1990 + i % 30,
            "price": round(0.25 * i - 3.0, 2),
            "when": dt.datetime(2017, 1, 1) + dt.timedelta(days=7 * i, minutes=i),
            "draft": i % 4 == 0,
            "meta": {"n": i, "pair": (i, i + 1)},
        }
        if i % 10 == 9:
            del doc["price"]  # some documents lack a field
        docs.append(doc)
    return docs


def build(path: Path, n: int = 60) -> None:
    """A Whoosh index of n documents in two segments, with one document deleted."""
    import whoosh.analysis as wa  # noqa: PLC0415 - the tests skip without Whoosh
    import whoosh.fields as wf  # noqa: PLC0415
    import whoosh.index as wi  # noqa: PLC0415

    schema = wf.Schema(
        id=wf.ID(stored=True, unique=True),
        title=wf.TEXT(stored=True, field_boost=2.0),
        body=wf.TEXT(analyzer=wa.StemmingAnalyzer()),
        tags=wf.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        year=wf.NUMERIC(stored=True, sortable=True),
        price=wf.NUMERIC(float, stored=True),
        when=wf.DATETIME(stored=True),
        draft=wf.BOOLEAN(stored=True),
        meta=wf.STORED,
    )
    path.mkdir(parents=True, exist_ok=True)
    ix = wi.create_in(str(path), schema)
    docs = documents(n)
    half = len(docs) // 2
    for part in (docs[:half], docs[half:]):
        w = ix.writer()
        for doc in part:
            w.add_document(**doc)
        w.commit(merge=False)
    w = ix.writer()
    w.delete_by_term("id", "d5")
    w.commit(merge=False)


def build_many(path: Path, n: int) -> None:
    """A Whoosh index of n small documents (ids not unique: a copied twice would show)."""
    import whoosh.fields as wf  # noqa: PLC0415
    import whoosh.index as wi  # noqa: PLC0415

    path.mkdir(parents=True, exist_ok=True)
    ix = wi.create_in(str(path), wf.Schema(id=wf.ID(stored=True), body=wf.TEXT()))
    w = ix.writer()
    for i in range(n):
        w.add_document(id=f"d{i}", body=f"word{i % 50} other{i % 7}")
    w.commit()


def main() -> None:
    """Migrate argv[1] to argv[2], printing ``waiting`` and waiting (for the parent to kill
    this process) when the ``argv[3]``-th document is rebuilt (argv[4] ``many``: the
    documents of :func:`build_many`)."""
    import heron  # noqa: PLC0415

    stop = int(sys.argv[3])
    seen = 0

    def rebuild(stored: dict[str, Any]) -> dict[str, Any]:
        nonlocal seen
        seen += 1
        if seen == stop:
            print("waiting", flush=True)
            sys.stdin.read()  # until killed
        i = int(stored["id"][1:])
        return {"body": body(i) if sys.argv[4:] != ["many"] else f"word{i % 50} other{i % 7}"}

    heron.migrate.from_whoosh(sys.argv[1], sys.argv[2], rebuild=rebuild)


if __name__ == "__main__":
    main()
