"""Reading documents for the commands: JSON lines, CSV, TSV and folders of text files.

Each source is a path or ``-`` (standard input, read as JSON lines):

- ``*.jsonl``, ``*.ndjson``, ``*.json`` (and any of them ``.gz``-compressed): one JSON object
  per line; blank lines are skipped;
- ``*.csv`` and ``*.tsv`` (also ``.gz``): a header line of field names, then one document per
  row; an empty cell leaves the field out, and every value is text;
- a folder: every ``.txt``, ``.md``, ``.markdown``, ``.htm`` and ``.html`` file under it,
  sorted, one document each (``id``: the path below the folder, ``title``: the HTML title or
  first line, ``body``: the text with HTML tags removed); a JSON-lines or CSV file met there
  is read as such.

:class:`Documents` yields the documents and knows where the last one came from
(:attr:`Documents.where`, "file:line"), so an error about a document can name its line. A
malformed record raises :class:`heron.InputError` naming the file and line. ``heron bench``
and any other command can reuse this module: it depends only on the standard library and
heron's public errors.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

import heron

STDIN = "-"
JSON_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst"})
HTML_SUFFIXES = frozenset({".htm", ".html"})
_TITLE_WIDTH = 200


def _suffix(path: Path) -> str:
    """The suffix that says what a file holds, looking past ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def is_table(source: str) -> bool:
    """Whether a source is a CSV or TSV file (whose values are all text)."""
    return source != STDIN and _suffix(Path(source)) in TABLE_SUFFIXES


def check_sources(sources: Sequence[str]) -> None:
    """Check that every source exists and is a kind this module reads, before any work.

    Raises:
        InputError: naming the first source that is missing or of an unknown kind.
    """
    if sources.count(STDIN) > 1:
        raise heron.InputError("standard input ('-') can be read only once")
    for source in sources:
        if source == STDIN:
            continue
        path = Path(source)
        if path.is_dir():
            continue
        if not path.exists():
            raise heron.InputError(f"{source}: no such file or folder")
        kind = _suffix(path)
        if kind not in JSON_SUFFIXES | TABLE_SUFFIXES.keys() | TEXT_SUFFIXES | HTML_SUFFIXES:
            raise heron.InputError(
                f"{source}: unknown kind of file {kind or '(no suffix)'!r}; heron reads "
                ".jsonl/.ndjson/.json (JSON lines), .csv, .tsv (each also .gz), and folders "
                "of .txt, .md and .html files"
            )


def total_bytes(sources: Sequence[str]) -> int | None:
    """The bytes the sources hold on disk, or None if one is standard input.

    Folders are walked as :class:`Documents` walks them. Compressed files count their
    compressed size, which is what reading them advances.
    """
    total = 0
    for source in sources:
        if source == STDIN:
            return None
        path = Path(source)
        files = _folder_files(path) if path.is_dir() else [path]
        total += sum(f.stat().st_size for f in files)
    return total


def _folder_files(folder: Path) -> list[Path]:
    """The readable files under a folder, sorted by path; hidden ones are skipped."""
    kinds = JSON_SUFFIXES | TABLE_SUFFIXES.keys() | TEXT_SUFFIXES | HTML_SUFFIXES
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(root, name)
            if not name.startswith(".") and _suffix(path) in kinds:
                found.append(path)
    return sorted(found)


class Documents:
    """The documents of some sources, in order, remembering where each came from.

    ``where`` is "file:line" (or "file" for a document that is a whole file) of the last
    document yielded; ``bytes_read`` counts the bytes of the sources consumed so far.
    """

    def __init__(self, sources: Sequence[str], stdin: IO[bytes] | None = None) -> None:
        self.sources = list(sources)
        self.where = ""
        self.bytes_read = 0
        self.count = 0
        self._stdin = stdin
        self._done_before = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for source in self.sources:
            if source == STDIN:
                stream = self._stdin if self._stdin is not None else sys.stdin.buffer
                yield from self._json_lines("<stdin>", stream)
                continue
            path = Path(source)
            if path.is_dir():
                for file in _folder_files(path):
                    yield from self._file(file, folder=path)
            else:
                yield from self._file(path)

    def _file(self, path: Path, folder: Path | None = None) -> Iterator[dict[str, Any]]:
        kind = _suffix(path)
        if folder is not None and kind in TEXT_SUFFIXES | HTML_SUFFIXES:
            yield self._whole_file(path, folder, html=kind in HTML_SUFFIXES)
            return
        try:
            with path.open("rb") as raw:
                stream: IO[bytes] = (gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
                                     if path.suffix == ".gz" else raw)
                if kind in TABLE_SUFFIXES:
                    yield from self._table(str(path), stream, raw, TABLE_SUFFIXES[kind])
                elif kind in JSON_SUFFIXES:
                    yield from self._json_lines(str(path), stream, raw)
                else:
                    yield self._whole_file(path, path.parent, html=kind in HTML_SUFFIXES)
        except (gzip.BadGzipFile, EOFError, OSError) as exc:
            if isinstance(exc, FileNotFoundError | PermissionError):
                raise heron.InputError(f"{path}: {exc.strerror}") from None
            raise heron.InputError(f"{path}: cannot be read ({exc})") from None

    def _advance(self, raw: IO[bytes] | None, size: int) -> None:
        """Count the bytes consumed: the file position when known, else ``size``."""
        if raw is not None and raw.seekable():
            self.bytes_read = self._done_before + raw.tell()
        else:
            self.bytes_read += size

    def _json_lines(self, name: str, stream: IO[bytes], raw: IO[bytes] | None = None
                    ) -> Iterator[dict[str, Any]]:
        self._done_before = self.bytes_read
        for number, line in enumerate(stream, 1):
            self._advance(raw, len(line))
            if not line.strip():
                continue
            self.where = f"{name}:{number}"
            try:
                doc = json.loads(line)
            except UnicodeDecodeError:
                raise heron.InputError(f"{self.where}: not UTF-8 text") from None
            except json.JSONDecodeError as exc:
                raise heron.InputError(f"{self.where}: not valid JSON ({exc.msg} at column "
                                       f"{exc.colno})") from None
            if not isinstance(doc, dict):
                raise heron.InputError(f"{self.where}: a document must be a JSON object, "
                                       f"not {type(doc).__name__}")
            self.count += 1
            yield doc

    def _table(self, name: str, stream: IO[bytes], raw: IO[bytes], delimiter: str
               ) -> Iterator[dict[str, Any]]:
        self._done_before = self.bytes_read
        with io.TextIOWrapper(stream, encoding="utf-8-sig", newline="") as text:
            yield from self._rows(name, csv.reader(text, delimiter=delimiter), raw)

    def _rows(self, name: str, rows: Any, raw: IO[bytes]) -> Iterator[dict[str, Any]]:
        try:
            header = next(rows, None)
            if header is None:
                return
            names = [h.strip() for h in header]
            if any(not n for n in names) or len(set(names)) != len(names):
                raise heron.InputError(f"{name}:1: the header needs distinct, non-empty names")
            for row in rows:
                self._advance(raw, sum(len(c) + 1 for c in row))
                self.where = f"{name}:{rows.line_num}"
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(names):
                    raise heron.InputError(f"{self.where}: {len(row)} values for "
                                           f"{len(names)} columns")
                self.count += 1
                yield {n: cell for n, cell in zip(names, row, strict=True) if cell != ""}
        except UnicodeDecodeError:
            raise heron.InputError(f"{name}:{rows.line_num + 1}: not UTF-8 text") from None
        except csv.Error as exc:
            raise heron.InputError(f"{name}:{rows.line_num}: {exc}") from None

    def _whole_file(self, path: Path, folder: Path, *, html: bool) -> dict[str, Any]:
        self.where = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise heron.InputError(f"{path}: cannot be read ({exc.strerror})") from None
        self.bytes_read += len(data)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise heron.InputError(f"{path}: not UTF-8 text") from None
        title = ""
        if html:
            title, text = html_text(text)
        body = text.strip()
        if not title:
            title = next((line.strip().lstrip("#").strip() for line in body.splitlines()
                          if line.strip()), path.stem)
        self.count += 1
        return {"id": path.relative_to(folder).as_posix(), "title": title[:_TITLE_WIDTH],
                "body": body}


class _TextOf(HTMLParser):
    """Collects the title and the visible text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr"}:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.text.append(data)


def html_text(page: str) -> tuple[str, str]:
    """The title and the text of an HTML page, tags, scripts and styles removed.

    >>> html_text("<html><title>Hi</title><p>a <b>b</b></p><script>x()</script></html>")
    ('Hi', 'a b')
    """
    parser = _TextOf()
    parser.feed(page)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.text).splitlines())
    return " ".join("".join(parser.title).split()), "\n".join(line for line in lines if line)

