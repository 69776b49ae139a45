"""Crafting damaged indexes whose checksums are all correct, as an attacker would.

Every helper rewrites a file and then recomputes what protects it: each array's CRC-32,
the table of contents' CRC-32, the whole file's size and CRC-32 in the manifest, and the
manifest's own checksum. So the damage reaches heron's structural checks, not its CRCs.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import heron
from heron.errors import CorruptIndexError
from heron.index._stored import compress_blocks, inflate

SEGMENT_MAGIC = b"HERONSEG"
DELETIONS_MAGIC = b"HERONDEL"
Arrays = dict[str, np.ndarray]
TocEdit = Callable[[dict[str, Any]], None]


def schema() -> heron.Schema:
    return heron.Schema(
        id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
        body=heron.TEXT(stored=True), tags=heron.KEYWORD(stored=True, commas=True),
        year=heron.NUMERIC(stored=True, sortable=True), published=heron.DATETIME(stored=True),
    )


def docs() -> list[dict[str, Any]]:
    words = ["smuggling tunnels", "grain prices", "tunnel border", "wheat exports", "gaza"]
    return [{"id": f"d{i}", "title": f"title {words[i % 5]}",
             "body": f"{words[i % 5]} and {words[(i + 2) % 5]} smuggling tunnels number{i} "
                     f"tunnels again {'x' * (i % 7)}",
             "tags": ["gaza,sinai", "grain", "isis,gaza"][i % 3], "year": 1980 + i,
             "published": dt.datetime(2000 + i % 20, 1 + i % 12, 1, tzinfo=dt.UTC)}
            for i in range(40)]


def build(path: Path) -> None:
    """An index with one segment, and a deletion file from a second commit."""
    ix = heron.create_index(path, schema())
    with ix.writer() as w:
        w.add_documents(docs())
    with ix.writer() as w:
        w.delete_by_term("id", "d7")


def copy_index(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# --- manifests ------------------------------------------------------------------------------

def manifest_path(directory: Path) -> Path:
    return max(directory.glob("manifest_*.json"))


def read_manifest(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(manifest_path(directory).read_bytes())
    data.pop("checksum")
    return data


def checksummed(body: dict[str, Any]) -> bytes:
    """Manifest bytes with a correct checksum, whatever the body holds."""
    canon = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return json.dumps({**body, "checksum": zlib.crc32(canon)}, indent=1).encode()


def rewrite_manifest(directory: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Edit the newest manifest in place and give it a correct checksum again."""
    path = manifest_path(directory)
    body = read_manifest(directory)
    edit(body)
    path.write_bytes(checksummed(body))


# --- containers -----------------------------------------------------------------------------

def read_container(path: Path) -> tuple[Arrays, dict[str, Any]]:
    """Every array (as a writable copy, in file order) and the meta of a valid container."""
    raw = path.read_bytes()
    (toc_offset,) = struct.unpack_from("<Q", raw, len(raw) - 8)
    toc = json.loads(raw[toc_offset:-8])
    arrays = {}
    for name, e in toc["arrays"].items():
        count = int(np.prod(e["shape"])) if e["shape"] else 1
        arrays[name] = np.frombuffer(raw, dtype=e["dtype"], count=count, offset=e["offset"]
                                     ).reshape(e["shape"]).copy()
    return arrays, toc["meta"]


def write_container(path: Path, magic: bytes, arrays: Arrays, meta: dict[str, Any], *,
                    toc_edit: TocEdit | None = None,
                    text_edit: Callable[[str], str] | None = None) -> tuple[int, int]:
    """Write a container with correct checksums whatever it holds; return (size, crc32).

    ``toc_edit`` may change the table of contents (after its entries are computed),
    ``text_edit`` its JSON text; the TOC's CRC-32 is computed after both.
    """
    out = bytearray(struct.pack("<8sIIII", magic, 1, 0, 0, 0))
    entries = {}
    for name, arr in arrays.items():
        out += b"\0" * (-len(out) % 64)
        raw = np.ascontiguousarray(arr).tobytes()
        entries[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": len(out),
                         "nbytes": len(raw), "crc32": zlib.crc32(raw)}
        out += raw
    toc = {"meta": meta, "arrays": entries}
    if toc_edit is not None:
        toc_edit(toc)
    text = json.dumps(toc, separators=(",", ":"))
    if text_edit is not None:
        text = text_edit(text)
    body = text.encode()
    toc_offset = len(out)
    out += body + struct.pack("<Q", toc_offset)
    struct.pack_into("<8sIIII", out, 0, magic, 1, len(body), zlib.crc32(body), 0)
    path.write_bytes(bytes(out))
    return len(out), zlib.crc32(bytes(out))


def craft_segment(directory: Path, arrays_edit: Callable[[Arrays, dict[str, Any]], None],
                  toc_edit: TocEdit | None = None,
                  text_edit: Callable[[str], str] | None = None) -> None:
    """Rewrite the first segment with edited arrays and meta, and fix every checksum."""
    entry = read_manifest(directory)["segments"][0]
    path = directory / f"{entry['name']}.hsg"
    arrays, meta = read_container(path)
    arrays_edit(arrays, meta)
    size, crc = write_container(path, SEGMENT_MAGIC, arrays, meta, toc_edit=toc_edit,
                                text_edit=text_edit)

    def fix(body: dict[str, Any]) -> None:
        body["segments"][0].update(size=size, crc32=crc)

    rewrite_manifest(directory, fix)


def craft_deletions(directory: Path, arrays_edit: Callable[[Arrays, dict[str, Any]], None],
                    toc_edit: TocEdit | None = None) -> None:
    """Rewrite the first segment's deletion file, and fix every checksum."""
    entry = read_manifest(directory)["segments"][0]
    path = directory / entry["deletions"]
    arrays, meta = read_container(path)
    arrays_edit(arrays, meta)
    size, crc = write_container(path, DELETIONS_MAGIC, arrays, meta, toc_edit=toc_edit)

    def fix(body: dict[str, Any]) -> None:
        body["segments"][0].update(deletions_size=size, deletions_crc32=crc)

    rewrite_manifest(directory, fix)


def stored_arrays(documents: list[bytes], tail: bytes = b"", *,
                  frame: Callable[[bytes], bytes] | None = None) -> Arrays:
    """Stored-field arrays with one document per block (``tail``: extra bytes inside the
    first block's frame, beyond what the offsets say), each block a zstd frame as heron
    writes them, or what ``frame`` makes of it."""
    offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in documents], out=offsets[1:])
    make = frame or (lambda raw: compress_blocks([raw])[0])
    chunks = [make(d + (tail if i == 0 else b"")) for i, d in enumerate(documents)]
    zpos = np.zeros(len(chunks) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in chunks], out=zpos[1:])
    return {"stored.offsets": offsets, "stored.blocks": offsets.copy(), "stored.zpos": zpos,
            "stored.data": np.frombuffer(b"".join(chunks), dtype=np.uint8).copy()}


def stored_documents(arrays: Arrays) -> list[bytes]:
    """The stored documents' JSON bytes, from a segment's arrays."""
    offsets, blocks = arrays["stored.offsets"], arrays["stored.blocks"]
    zpos, data = arrays["stored.zpos"], arrays["stored.data"]
    stream = b"".join(inflate(data[zpos[b]:zpos[b + 1]].tobytes(), int(blocks[b + 1] - blocks[b]))
                      or b"" for b in range(len(blocks) - 1))
    return [stream[offsets[d]:offsets[d + 1]] for d in range(len(offsets) - 1)]


# --- using a damaged index -----------------------------------------------------------------

OPERATIONS: dict[str, Callable[[heron.Searcher], object]] = {
    "term": lambda s: s.search("tunnels").total,
    "phrase": lambda s: s.search('"smuggling tunnels"', limit=None).total,
    "prefix": lambda s: s.search("tun*").total,
    "fuzzy": lambda s: s.search("tunels~1").total,
    "range": lambda s: s.search("year:[1990 TO 2010]", limit=None).total,
    "sort": lambda s: [h.docnum for h in s.search("tunnels OR grain", sort_by="-year")],
    "sort_keyword": lambda s: [h.docnum for h in s.search("tunnels", sort_by="id")],
    "facets": lambda s: s.search("tunnels OR gaza", facets=["tags"]).facets,
    "keyword": lambda s: s.search("tags:gaza", limit=None).total,
    "stored": lambda s: [h.fields for h in s.search("tunnels OR grain", limit=None)],
    "highlights": lambda s: [h.highlights("body") for h in s.search('tunnels "grain prices"')],
    "documents": lambda s: list(s.documents()),
    "by_id": lambda s: s.document(id="d3"),
    "lexicon": lambda s: list(s.lexicon("body")),
    "suggest": lambda s: s.suggest("body", "tunels"),
    "complete": lambda s: s.complete("body", "tun"),
    "correct": lambda s: s.correct("tunels grian"),
    "more_like": lambda s: s.more_like(id="d3").docnums(),
    "key_terms": lambda s: s.key_terms(["d3"], "body"),
}


def outcomes(directory: Path) -> dict[str, str]:
    """What each operation on a (damaged) index does: "ok" or "corrupt".

    Any other exception propagates, failing the test that called this.
    """
    found: dict[str, str] = {}
    try:
        ix = heron.open_index(directory)
        searcher = ix.searcher()
    except CorruptIndexError:
        return {"open": "corrupt"}
    with searcher:
        for name, op in OPERATIONS.items():
            try:
                op(searcher)
                found[name] = "ok"
            except CorruptIndexError:
                found[name] = "corrupt"
    return found


def check_raises(directory: Path) -> bool:
    """Whether ``Index.check()`` reports the damage (any other exception propagates)."""
    try:
        heron.Index(directory, schema()).check()
    except CorruptIndexError:
        return True
    return False


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every value inside nested dicts and lists (the containers included)."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(leaves(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(leaves(item, (*path, i)))
    return found


def replace_at(value: Any, path: tuple[Any, ...], new: Any) -> None:
    """Replace the value at ``path`` (from :func:`leaves`) inside ``value``."""
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new


#: JSON values of every kind, including the awkward ones
JSON_VALUES: list[Any] = [None, True, False, 0, 1, -1, 2**31, 2**63, 2**64 + 5, -(2**63), 1.5,
                          float("nan"), "", "x", "../x", "seg_000001", [], [0], [0, 0, 0], {},
                          {"docs": 1}, {"docs": 0, "length": 0}]
