"""heron and tantivy at scale: the news collection grown 1, 4 and 16 times, in one run.

The grower makes copy ``c`` (c >= 1) of news (Reuters-21578) with fresh ids (``17-c``)
and a quarter of the collection's distinct words renamed (seeded per copy: each chosen
word gets a suffix naming the copy), so that the vocabulary grows with the collection
as real collections' do. Copy 0 is news itself. Grown collections are written once as
JSON lines under ``benchmarks/.work/scaling/`` (git-ignored) and reused.

Per scale, seven configurations each build (one child process) and search (others):
heron with one process, with ``writer(procs=2)`` and ``writer(procs=4)`` (on a 2-core
machine 4 processes share 2 cores: their CPU times, printed apart for the writer's
process and its workers, bound what 4 cores would give), with one process whose commit leaves
the flushed segments apart (``heron-apart``: ``writer(merge=False)``, what the commit's
merge of a bulk load's segments buys and costs), and with one process stemming with
PyStemmer (``heron-ps``: the compiled Snowball stemmer of the ``stemmer`` extra instead
of nltk's); tantivy with one and two indexing threads. Fields: id (stored), title and
body (stored, English stemming). Rows stream from the file, so the writer's peak RSS is
the writer's (plus the reading). Queries, drawn with fixed seeds from the grown
collection:

- keyword: 200 queries of two to four title words (no stop words, three letters or
  more), OR over title and body, top 10, each hit's stored id fetched;
- phrase: 50 two-word body phrases ``body:"w1 w2"``, top 10, ids fetched.

Every configuration builds ``--build-rounds`` times (3), the configurations in turn (each
round starting one further along), and its indexing figures are the median round's (a
noisy minute on a shared machine slows one round of each engine, not one engine's only
build; every round's seconds are printed and recorded). Then each searches its last
index ``--rounds`` times (3), in turn likewise, each round a fresh process with one
warm-up pass and one timed pass; the rounds' latencies are pooled. Ratios are heron over
tantivy one thread, in the same run. Targets at the largest scale (issue 13) are checked
and printed.

    .venv/bin/python benchmarks/scaling.py [--scales 1,4,16] [--engines ...] [--json OUT]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import resource
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    REPO_ROOT,
    Check,
    Timer,
    add_common_arguments,
    dir_size,
    finish,
    peak_rss_mb,
    percentile,
    print_header,
    print_table,
    read_jsonl,
    require_paths,
    run_child_phase,
    run_child_script,
    run_info,
)
from heron.bench import STOP_WORDS  # NLTK's English stop words of three letters or more

ENGINES = ("heron", "heron-numpy", "heron-2p", "heron-4p", "heron-apart", "heron-ps", "tantivy",
           "tantivy-2t")
#: configurations that search another's index, not built again: heron-numpy searches
#: heron's index with numpy's kernels alone (heron: numba's when installed, the fast extra)
SEARCH_ONLY = {"heron-numpy": "heron"}
#: the kernels each heron configuration searches with (HERON_KERNELS; default: auto)
KERNELS = {"heron-numpy": "numpy"}
#: heron configurations that build with worker processes, and how many processes
PROCS = {"heron-2p": 2, "heron-4p": 4}
NEWS_FILE = Path("news") / "reuters21578.jsonl.gz"
CACHE = REPO_ROOT / "benchmarks" / ".work" / "scaling"
GROW_SEED = 13
RENAMED_SHARE = 0.25
KEYWORD_COUNT = 200
PHRASE_COUNT = 50
QUERY_SEED = 1987
TOP = 10
TANTIVY_HEAP_BYTES = 1_000_000_000
FIELDS = ("title", "body")
_WORD = re.compile(r"\w+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

Row = dict[str, str]


# --------------------------------------------------------------------------- the grower


def copy_mark(copy: int) -> str:
    """Letters naming a copy (1 -> 'qb', 2 -> 'qc', ..., 27 -> 'qbb')."""
    letters = ""
    n = copy
    while n:
        n, digit = divmod(n, 26)
        letters = _LETTERS[digit] + letters
    return "q" + letters


def renaming(vocabulary: Sequence[str], copy: int) -> dict[str, str]:
    """A quarter of ``vocabulary`` (sorted distinct lower-case words), drawn with a seed
    per copy, each mapped to itself plus the copy's mark."""
    rng = random.Random(f"{GROW_SEED}-{copy}")
    chosen = rng.sample(list(vocabulary), int(len(vocabulary) * RENAMED_SHARE))
    mark = copy_mark(copy)
    return {word: word + mark for word in chosen}


def load_news(path: Path) -> list[Row]:
    """The news articles as id/title/body rows."""
    return [{"id": str(a["id"]), "title": a.get("title") or "", "body": a.get("body") or ""}
            for a in read_jsonl(path)]


def grown_copy(rows: Sequence[Row], vocabulary: Sequence[str], copy: int) -> Iterator[Row]:
    """Copy ``copy`` of the rows: fresh ids, a quarter of the words renamed (0: as is)."""
    if copy == 0:
        yield from rows
        return
    names = renaming(vocabulary, copy)

    def rename(match: re.Match[str]) -> str:
        word = match.group(0)
        return names.get(word.lower(), word)

    for row in rows:
        yield {"id": f"{row['id']}-{copy}", "title": _WORD.sub(rename, row["title"]),
               "body": _WORD.sub(rename, row["body"])}


def grown_file(news: Path, scale: int) -> Path:
    """The news collection grown ``scale`` times, written once under :data:`CACHE`."""
    path = CACHE / f"news-x{scale}.jsonl"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = load_news(news)
    vocabulary = sorted({w.lower() for row in rows for text in (row["title"], row["body"])
                         for w in _WORD.findall(text)})
    print(f"  growing news x{scale} ({len(rows) * scale:,} documents) ...", flush=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for copy in range(scale):
            for row in grown_copy(rows, vocabulary, copy):
                out.write(json.dumps(row) + "\n")
    partial.rename(path)
    return path


def read_rows(path: Path) -> Iterator[Row]:
    """Stream the rows of a grown collection."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


# --------------------------------------------------------------------------- queries


def usable(word: str) -> bool:
    """Whether a lower-case word may go in a query: letters, three or more, no stop word."""
    return word.isalpha() and len(word) >= 3 and word not in STOP_WORDS


def make_queries(path: Path) -> dict[str, list[str]]:
    """The keyword and phrase queries of a grown collection (fixed seeds)."""
    titles, bodies = [], []
    for row in read_rows(path):
        words = list(dict.fromkeys(w for w in _WORD.findall(row["title"].lower()) if usable(w)))
        if len(words) >= 2:
            titles.append(words)
        if row["body"]:
            bodies.append(row["body"])
    rng = random.Random(f"{QUERY_SEED}-keyword")
    keyword = []
    for _ in range(KEYWORD_COUNT):
        words = rng.choice(titles)
        keyword.append(" ".join(rng.sample(words, rng.randint(2, min(4, len(words))))))
    rng = random.Random(f"{QUERY_SEED}-phrase")
    phrases: dict[str, None] = {}
    while len(phrases) < PHRASE_COUNT:
        words = _WORD.findall(rng.choice(bodies).lower())
        pairs = [(a, b) for a, b in itertools.pairwise(words) if usable(a) and usable(b)]
        if pairs:
            phrases['body:"{} {}"'.format(*rng.choice(pairs))] = None
    return {"keyword": keyword, "phrase": list(phrases)}


# --------------------------------------------------------------------------- engines


def build_heron(path: Path, rows: Iterator[Row], procs: int, merge: bool = True,
                stemmer: str = "nltk") -> int:
    """Index with heron's bulk path in one commit (``merge``: the merge policy on;
    ``stemmer``: the StemFilter's implementation); return the segments left."""
    import heron
    from heron.analysis import StandardAnalyzer

    def text() -> Any:
        return heron.TEXT(stored=True, analyzer=StandardAnalyzer(stemmer=stemmer))

    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=text(), body=text())
    index = heron.create_index(path, schema, overwrite=True)
    with index.writer(procs=procs, merge=merge) as writer:
        writer.add_documents(rows)
    with index.searcher() as searcher:
        return len(searcher.reader.segments)


def build_tantivy(path: Path, rows: Iterator[Row], threads: int) -> int:
    """Index with tantivy (en_stem text, raw id), ``threads`` threads; return its segments."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
    index = tantivy.Index(builder.build(), path=str(path), reuse=False)
    writer = index.writer(heap_size=TANTIVY_HEAP_BYTES, num_threads=threads)
    for row in rows:
        writer.add_document(tantivy.Document(**row))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return int(index.searcher().num_segments)


def heron_searcher(path: Path) -> Any:
    """A search function over a heron index and what closes it."""
    import heron

    searcher = heron.open_index(path).searcher()

    def search(text: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(text, limit=TOP, fields=list(FIELDS))]

    return search, searcher.close


def tantivy_searcher(path: Path) -> Any:
    """A search function over a tantivy index and what closes it."""
    import tantivy

    index = tantivy.Index.open(str(path))
    searcher = index.searcher()

    def search(text: str) -> list[str]:
        hits = searcher.search(index.parse_query(text, list(FIELDS)), TOP).hits
        return [str(searcher.doc(address).get_first("id")) for _score, address in hits]

    return search, lambda: None


# --------------------------------------------------------------------------- child side


def child_index(spec: dict[str, Any]) -> dict[str, Any]:
    """Build one configuration's index from the grown rows; time, memory, size, segments."""
    engine, path = spec["engine"], Path(spec["index"])
    path.mkdir(parents=True)
    rows = read_rows(Path(spec["rows"]))
    rss_before = peak_rss_mb()
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    with Timer() as timer:
        if engine.startswith("heron"):
            segments = build_heron(path, rows, PROCS.get(engine, 1),
                                   merge=engine != "heron-apart",
                                   stemmer="pystemmer" if engine == "heron-ps" else "nltk")
        else:
            segments = build_tantivy(path, rows, 2 if engine == "tantivy-2t" else 1)
    own_after, workers_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)  # worker processes count once reaped (the writer's close)
    return {"seconds": timer.seconds, "rss_before_mb": rss_before,
            "peak_rss_mb": peak_rss_mb(), "index_bytes": dir_size(path), "segments": segments,
            "cpu_own": _cpu(own_after) - _cpu(own),
            "cpu_workers": _cpu(workers_after) - _cpu(workers)}


def _cpu(usage: resource.struct_rusage) -> float:
    return float(usage.ru_utime + usage.ru_stime)


def child_search(spec: dict[str, Any]) -> dict[str, Any]:
    """Each kind of query once to warm up, then once timed; latencies and hit ids."""
    os.environ["HERON_KERNELS"] = KERNELS.get(spec["engine"], "auto")
    make = heron_searcher if spec["engine"].startswith("heron") else tantivy_searcher
    search, close = make(Path(spec["index"]))
    result: dict[str, Any] = {}
    try:
        for kind, queries in spec["queries"].items():
            for text in queries:
                search(text)
            latencies, hits = [], []
            for text in queries:
                start = time.perf_counter()
                hits.append(search(text))
                latencies.append(time.perf_counter() - start)
            result[kind] = {"latencies": latencies, "hits": hits}
    finally:
        close()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


PHASES = {"index": child_index, "search": child_search}


# --------------------------------------------------------------------------- parent side


@dataclass
class Run:
    """One configuration at one scale: what its children reported."""

    engine: str
    scale: int
    megabytes: float
    built: dict[str, Any] | None = None
    #: every build round's seconds (``built`` is the median round's, its peak RSS the most)
    rounds: list[float] = field(default_factory=list)
    searched: dict[str, Any] | None = None
    figures: dict[str, float | None] = field(default_factory=dict)

    def compute(self) -> None:
        """Fill :attr:`figures` from the children's results."""
        b, s = self.built, self.searched

        def ms(kind: str, q: float) -> float | None:
            return percentile(s[kind]["latencies"], q) * 1e3 if s else None

        self.figures = {
            "mb_per_s": self.megabytes / b["seconds"] if b else None,
            "index_mb": b["index_bytes"] / 1e6 if b else None,
            "writer_rss_mb": b["peak_rss_mb"] if b else None,
            "segments": b["segments"] if b else None,
            "keyword_median_ms": ms("keyword", 50),
            "keyword_p95_ms": ms("keyword", 95),
            "phrase_median_ms": ms("phrase", 50),
            "searcher_rss_mb": s["peak_rss_mb"] if s else None,
        }


COLUMNS = (("mb_per_s", "MB/s", "{:.2f}"), ("keyword_median_ms", "kw med ms", "{:.3f}"),
           ("keyword_p95_ms", "kw p95 ms", "{:.3f}"), ("phrase_median_ms", "phr med ms", "{:.3f}"),
           ("index_mb", "index MB", "{:.1f}"), ("writer_rss_mb", "writer RSS", "{:.0f}"),
           ("searcher_rss_mb", "search RSS", "{:.0f}"), ("segments", "segs", "{:.0f}"))


def cell(value: float | None, form: str, reference: float | None = None) -> str:
    """A figure, with its ratio to the reference when there is one."""
    if value is None:
        return "-"
    text = form.format(value)
    return f"{text} ({value / reference:.2f}x)" if reference else text


def overlap(mine: Sequence[Sequence[str]], theirs: Sequence[Sequence[str]]) -> float:
    """Mean share of the other engine's top ids this one also returned."""
    shares = [len(set(a) & set(b)) / len(b) for a, b in zip(mine, theirs, strict=True) if b]
    return sum(shares) / len(shares) if shares else 1.0


def print_scale(scale: int, runs: Sequence[Run], docs: int) -> None:
    """The table of one scale: a row per configuration, ratios to tantivy one thread."""
    ref = next((r for r in runs if r.engine == "tantivy"), None)
    print(f"-- news x{scale}: {docs:,} documents, {runs[0].megabytes:.1f} MB of title + body")
    rows = []
    for run in runs:
        rows.append([run.engine] + [
            cell(run.figures.get(key), form,
                 None if ref is None or run is ref else ref.figures.get(key))
            for key, _, form in COLUMNS])
    print_table(["engine"] + [title for _, title, _ in COLUMNS], rows)
    for run in runs:
        if run.engine in PROCS and run.built:
            own, workers = run.built["cpu_own"], run.built["cpu_workers"]
            n = PROCS[run.engine]
            bound = max(own, (own + workers) / n)
            print(f"{run.engine}: CPU {own:.1f} s in the writer's process + {workers:.1f} s in "
                  f"its workers; on {n} free cores at best {bound:.1f} s "
                  f"({run.megabytes / bound:.2f} MB/s; wall here {run.built['seconds']:.1f} s)")
    if ref is not None and len(ref.rounds) > 1:
        for run in runs:
            if run.rounds and run is not ref:
                ratios = ", ".join(f"{t / h:.2f}x" for h, t in zip(run.rounds, ref.rounds,
                                                                   strict=False))
                print(f"{run.engine}: indexing per build round {ratios} (seconds "
                      + ", ".join(f"{t:.1f}" for t in run.rounds) + "; tantivy "
                      + ", ".join(f"{t:.1f}" for t in ref.rounds) + ")")
    heron = next((r for r in runs if r.engine == "heron"), None)
    if heron and ref and heron.searched and ref.searched:
        agree = {kind: overlap(heron.searched[kind]["hits"], ref.searched[kind]["hits"])
                 for kind in ("keyword", "phrase")}
        print("top-10 overlap heron/tantivy (stemmers differ): "
              + ", ".join(f"{k} {v:.2f}" for k, v in agree.items()) + "\n")


def targets(runs: Sequence[Run]) -> list[Check]:
    """Issue 13's targets at the largest scale measured."""
    by = {r.engine: r.figures for r in runs}
    h, h2, t = by.get("heron", {}), by.get("heron-2p", {}), by.get("tantivy", {})

    def check(name: str, value: float | None, reference: float | None, most: float | None,
              least: float | None = None) -> Check:
        if value is None or not reference:
            return Check(name, None, "not measured")
        r = value / reference
        ok = (most is None or r <= most) and (least is None or r >= least)
        return Check(name, ok, f"{value:.3f} vs {reference:.3f} = {r:.2f}x")

    checks = [
        check("indexing >= 0.6x tantivy-1t, one process", h.get("mb_per_s"), t.get("mb_per_s"),
              None, 0.6),
        check("indexing >= 0.9x tantivy-1t, procs=2", h2.get("mb_per_s"), t.get("mb_per_s"),
              None, 0.9),
        check("keyword median <= 1.5x", h.get("keyword_median_ms"), t.get("keyword_median_ms"),
              1.5),
        check("keyword p95 <= 2x", h.get("keyword_p95_ms"), t.get("keyword_p95_ms"), 2.0),
        check("phrase median <= 2x", h.get("phrase_median_ms"), t.get("phrase_median_ms"), 2.0),
        check("index size <= 1.1x", h.get("index_mb"), t.get("index_mb"), 1.1),
        check("procs=2 keyword median <= 1.1x one process's", h2.get("keyword_median_ms"),
              h.get("keyword_median_ms"), 1.1),
        check("procs=2 segments <= one process's", h2.get("segments"), h.get("segments"), 1.0),
    ]
    rss = h.get("writer_rss_mb")
    checks.append(Check("writer peak RSS <= 450 MB", None if rss is None else rss <= 450,
                        "not measured" if rss is None else f"{rss:.0f} MB"))
    return checks


def plot(all_runs: Sequence[Run], out: Path) -> None:
    """Figures against collection size, when matplotlib is installed."""
    try:
        import matplotlib  # type: ignore[import-not-found]
    except ImportError:
        print("matplotlib not installed: no plots")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-not-found]

    keys = [key for key, _, _ in COLUMNS[:6]]
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    for ax, key in zip(axes.flat, keys, strict=True):
        for engine in ENGINES:
            points = [(r.scale, r.figures.get(key)) for r in all_runs if r.engine == engine]
            points = [(x, y) for x, y in points if y is not None]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=engine)
        ax.set_title(key)
        ax.set_xscale("log")
    axes.flat[0].legend()
    fig.tight_layout()
    fig.savefig(out)
    print(f"plots written to {out}")


def build_rounds(runs: Sequence[Run], rows_file: Path, workdir: Path, rounds: int) -> None:
    """Build every configuration ``rounds`` times, the configurations in turn (each round
    starting one further along); keep the median round's figures (its seconds and CPU;
    the largest peak RSS; the last index, which the searches use)."""
    own = [r for r in runs if SEARCH_ONLY.get(r.engine, r.engine) == r.engine]
    builds: dict[str, list[dict[str, Any]]] = {r.engine: [] for r in own}
    for k in range(rounds):
        for run in own[k % len(own):] + own[: k % len(own)]:
            shutil.rmtree(workdir / run.engine, ignore_errors=True)
            got = run_child_script(Path(__file__), {
                "engine": run.engine, "rows": str(rows_file), "index": str(workdir / run.engine),
                "phase": "index"}, workdir)
            if got is not None:
                builds[run.engine].append(got)
    for run in own:
        done = builds[run.engine]
        if not done:
            continue
        run.rounds = [b["seconds"] for b in done]
        middle = sorted(done, key=lambda b: b["seconds"])[(len(done) - 1) // 2]
        run.built = {**done[-1], **{key: middle[key] for key in
                                    ("seconds", "cpu_own", "cpu_workers")},
                     "peak_rss_mb": max(b["peak_rss_mb"] for b in done)}
    for run in runs:
        if run not in own:  # the index another configuration built (its figures are its own)
            twin = next((r for r in own if r.engine == SEARCH_ONLY[run.engine]), None)
            run.built = twin.built if twin else None


def search_rounds(runs: Sequence[Run], queries: dict[str, list[str]], workdir: Path,
                  rounds: int) -> None:
    """Search every built index ``rounds`` times, the configurations in turn (each round
    starting one further along), so that a noisy minute or the page cache's state after
    a build weighs on every engine alike; each round's latencies are pooled, hits are
    the first round's."""
    searchable = [r for r in runs if r.built]
    for k in range(rounds):
        for run in searchable[k % len(searchable):] + searchable[: k % len(searchable)]:
            own = SEARCH_ONLY.get(run.engine, run.engine)
            got = run_child_script(Path(__file__), {
                "engine": run.engine, "index": str(workdir / own), "queries": queries,
                "phase": "search"}, workdir)
            if got is None:
                continue
            if run.searched is None:
                run.searched = got
                continue
            for kind in queries:
                run.searched[kind]["latencies"] += got[kind]["latencies"]
            run.searched["peak_rss_mb"] = max(run.searched["peak_rss_mb"], got["peak_rss_mb"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_arguments(parser, ENGINES)
    parser.add_argument("--scales", default="1,4,16",
                        help="comma-separated growth factors (default: 1,4,16)")
    parser.add_argument("--keep", action="store_true", help="keep the indexes afterwards")
    parser.add_argument("--plot", type=Path, help="write plots against size here (PNG)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="search rounds, the configurations in turn (default: 3)")
    parser.add_argument("--build-rounds", type=int, default=3,
                        help="builds of each configuration, in turn; the median counts "
                        "(default: 3)")
    args = parser.parse_args(argv)
    news = args.data / NEWS_FILE
    require_paths(news)
    scales = [int(s) for s in args.scales.split(",")]
    info = run_info(["tantivy", "numpy", "heron"])
    print_header("heron and tantivy at scale (news grown 1, 4, 16 times)", info)
    all_runs: list[Run] = []
    last: list[Run] = []
    for scale in scales:
        rows_file = grown_file(news, scale)
        megabytes = sum(len(r["title"]) + len(r["body"]) for r in read_rows(rows_file)) / 1e6
        docs = sum(1 for _ in read_rows(rows_file))
        queries = make_queries(rows_file)
        workdir = CACHE / f"run-x{scale}"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        runs = [Run(engine, scale, megabytes) for engine in args.engines]
        build_rounds(runs, rows_file, workdir, args.build_rounds)
        search_rounds(runs, queries, workdir, args.rounds)
        for run in runs:
            run.compute()
        if not args.keep:
            for run in runs:
                shutil.rmtree(workdir / run.engine, ignore_errors=True)
        print_scale(scale, runs, docs)
        all_runs.extend(runs)
        last = runs
    if args.plot:
        plot(all_runs, args.plot)
    return finish(args, info, targets(last), runs=[
        {"engine": r.engine, "scale": r.scale, "megabytes": r.megabytes, **r.figures,
         "build_seconds": r.rounds} for r in all_runs])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(run_child_phase(Path(sys.argv[2]), PHASES))
    sys.exit(main())
