"""The cost of updates: heron's and Whoosh's update_document on the news collection.

Both engines index the news collection (Reuters-21578) exactly as benchmarks/indexing.py
does (id stored and unique; title and body stored, English stemming; topics keywords),
each in a child process of its own. Another child per engine then opens the index and
re-indexes 10% of the articles (a fixed-seed random sample), each with its body plus
" updated", through ``update_document`` in one writer, and commits:

- heron: ``with ix.writer() as w: w.update_document(**row) ...`` (commit on exit);
- Whoosh: ``w = ix.writer(); w.update_document(**row) ...; w.commit()`` (its defaults:
  limitmb=128, the MERGE_SMALL merge policy).

The timed part runs from opening the writer to the end of the commit; reading the
collection and opening the index are not timed. Afterwards, untimed, each child checks
that the index still holds every article once (the live document count) and that a
term query on the unique id of every updated article finds exactly one document, whose
stored body ends with " updated" (and, as many untouched articles, drawn the same way,
one document with the original body).

    .venv/bin/python benchmarks/updates.py [--limit N] [--engines heron,whoosh]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _report import Check, finish, load_targets, print_table, ratio, start_news
from _scenario import Timer, child_index, parse_news_args, run_child_phase, run_news_phases
from corpora import Row, load_news
from heron.bench import dir_size, peak_rss_mb

ENGINES = ("heron", "whoosh")
UPDATE_SHARE = 0.10
UPDATE_SEED = 2158
SUFFIX = " updated"
TARGET_SPEEDUP = float(load_targets("updates")["speedup_over_whoosh"])
FAILURES_SHOWN = 5

#: how an engine's update child times the updates and verifies them
UpdateFn = Callable[[Path, list[Row]], float]
VerifyFn = Callable[[Path, Mapping[str, str]], tuple[int, list[str]]]


# --------------------------------------------------------------------------- data


def pick_updates(count: int, seed: int) -> tuple[list[int], list[int]]:
    """Positions of the articles to update (UPDATE_SHARE of ``count``) and as many others.

    Both lists are drawn with one fixed-seed generator and sorted; the second holds
    articles left as they were, to check that the updates touched nothing else.
    """
    rng = random.Random(seed)
    size = round(count * UPDATE_SHARE)
    updated = sorted(rng.sample(range(count), size))
    chosen = set(updated)
    others = [i for i in range(count) if i not in chosen]
    untouched = sorted(rng.sample(others, min(size, len(others))))
    return updated, untouched


def changed(row: Row) -> Row:
    """The article as re-indexed: its body with SUFFIX appended."""
    return {**row, "body": row["body"] + SUFFIX}


# --------------------------------------------------------------------------- engines


def update_heron(path: Path, rows: list[Row]) -> float:
    """Replace documents with heron's update_document in one writer; return the seconds."""
    import heron

    ix = heron.open_index(path)
    with Timer() as timer, ix.writer() as writer:
        for row in rows:
            writer.update_document(**row)
    return timer.seconds


def verify_heron(path: Path, expected: Mapping[str, str]) -> tuple[int, list[str]]:
    """The live document count, and what went wrong looking up each id's stored body."""
    import heron
    from heron.query import Term

    ix = heron.open_index(path)
    problems = []
    with ix.searcher() as searcher:
        for doc_id, body in expected.items():
            results = searcher.search(Term("id", doc_id), limit=2)
            problems += found_problem(doc_id, body, results.total, [h["body"] for h in results])
    return ix.doc_count(), problems


def update_whoosh(path: Path, rows: list[Row]) -> float:
    """Replace documents with Whoosh's update_document in one writer; return the seconds."""
    from whoosh import index

    ix = index.open_dir(str(path))
    with Timer() as timer:
        writer = ix.writer()
        for row in rows:
            writer.update_document(**row)
        writer.commit()
    return timer.seconds


def verify_whoosh(path: Path, expected: Mapping[str, str]) -> tuple[int, list[str]]:
    """The live document count, and what went wrong looking up each id's stored body."""
    from whoosh import index
    from whoosh.query import Term

    ix = index.open_dir(str(path))
    problems = []
    with ix.searcher() as searcher:
        for doc_id, body in expected.items():
            results = searcher.search(Term("id", doc_id), limit=2)
            problems += found_problem(doc_id, body, len(results), [h["body"] for h in results])
    return int(ix.doc_count()), problems


def found_problem(doc_id: str, body: str, total: int, bodies: Sequence[str]) -> list[str]:
    """An empty list when one document matched with the expected body, else a description."""
    if total != 1 or len(bodies) != 1:
        return [f"id {doc_id}: {total} matches, {len(bodies)} hits (expected 1)"]
    if bodies[0] != body:
        return [f"id {doc_id}: stored body ends {bodies[0][-30:]!r}, expected {body[-30:]!r}"]
    return []


UPDATERS: dict[str, tuple[UpdateFn, VerifyFn]] = {
    "heron": (update_heron, verify_heron),
    "whoosh": (update_whoosh, verify_whoosh),
}


# --------------------------------------------------------------------------- child side


def child_update(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Update the sampled articles in one writer (timed), then check the index (untimed)."""
    update, verify = UPDATERS[spec["engine"]]
    rows = load_news(Path(spec["data"]), spec["limit"], comma_topics=True)
    new_rows = [changed(rows[i]) for i in spec["updated"]]
    path = Path(spec["index"])
    bytes_before = dir_size(path)
    seconds = update(path, new_rows)
    bytes_after = dir_size(path)
    updated = {row["id"]: row["body"] for row in new_rows}
    untouched = {rows[i]["id"]: rows[i]["body"] for i in spec["untouched"]}
    count, updated_problems = verify(path, updated)
    _, untouched_problems = verify(path, untouched)
    return {
        "seconds": seconds,
        "updated": len(new_rows),
        "peak_rss_mb": peak_rss_mb(),
        "bytes_before": bytes_before,
        "bytes_after": bytes_after,
        "doc_count": count,
        "updated_checked": len(updated),
        "updated_problems": updated_problems,
        "untouched_checked": len(untouched),
        "untouched_problems": untouched_problems,
    }


PHASES = {"index": child_index, "update": child_update}


# --------------------------------------------------------------------------- parent side


@dataclass
class Runs:
    """One engine's build and update figures (None when a phase failed)."""

    engine: str
    built: dict[str, Any] | None = None
    updated: dict[str, Any] | None = None

    @property
    def docs_per_s(self) -> float | None:
        """Updated documents per second, from opening the writer to the finished commit."""
        return self.updated["updated"] / self.updated["seconds"] if self.updated else None


def measure(
    engine: str,
    args: argparse.Namespace,
    picks: tuple[list[int], list[int]],
    workdir: Path,
) -> Runs:
    """Build one engine's index, then update it, each in its own child process."""
    built, updated = run_news_phases(
        __file__, engine, args, workdir, "update", updated=picks[0], untouched=picks[1]
    )
    return Runs(engine, built, updated)


UPDATE_HEADERS = (
    "engine",
    "build s",
    "updated docs",
    "update s",
    "docs/s",
    "x whoosh",
    "ms/doc",
    "index MB before",
    "index MB after",
    "peak RSS MB",
)
VERIFY_HEADERS = (
    "engine",
    "live docs",
    "expected",
    "updated ids checked",
    "wrong",
    "untouched ids checked",
    "wrong",
)


def update_row(run: Runs, whoosh: Runs | None) -> list[object]:
    """One row of the update table."""
    built, updated = run.built, run.updated
    if not built:
        return [run.engine, "failed"]
    if not updated or run.docs_per_s is None:
        return [run.engine, f"{built['seconds']:.2f}", "failed"]
    return [
        run.engine,
        f"{built['seconds']:.2f}",
        f"{updated['updated']:,}",
        f"{updated['seconds']:.3f}",
        f"{run.docs_per_s:,.0f}",
        ratio(run.docs_per_s, whoosh.docs_per_s if whoosh else None),
        f"{updated['seconds'] / updated['updated'] * 1e3:.3f}",
        f"{updated['bytes_before'] / 1e6:.1f}",
        f"{updated['bytes_after'] / 1e6:.1f}",
        f"{updated['peak_rss_mb']:.0f}",
    ]


def verify_row(run: Runs, articles: int) -> list[object]:
    """One row of the verification table."""
    updated = run.updated
    if not updated:
        return [run.engine, "failed"]
    return [
        run.engine,
        f"{updated['doc_count']:,}",
        f"{articles:,}",
        f"{updated['updated_checked']:,}",
        len(updated["updated_problems"]),
        f"{updated['untouched_checked']:,}",
        len(updated["untouched_problems"]),
    ]


def checks(all_runs: Sequence[Runs], articles: int) -> list[Check]:
    """The speed target, and each engine's index checked after its updates."""
    by_name = {run.engine: run for run in all_runs}
    heron, whoosh = by_name.get("heron"), by_name.get("whoosh")
    name = f"heron update docs/s >= {TARGET_SPEEDUP:g}x whoosh"
    if heron is None or whoosh is None:
        out = [Check(name, None, "needs heron and whoosh in --engines")]
    elif whoosh.docs_per_s is None:
        out = [Check(name, None, "whoosh failed")]
    elif heron.docs_per_s is None:
        out = [Check(name, False, "heron failed")]
    else:
        advantage = heron.docs_per_s / whoosh.docs_per_s
        detail = (
            f"heron {heron.docs_per_s:,.0f} docs/s, whoosh {whoosh.docs_per_s:,.0f} docs/s: "
            f"heron is {advantage:.2f}x as fast"
        )
        out = [Check(name, advantage >= TARGET_SPEEDUP, detail)]
    for run in all_runs:
        name = f"{run.engine}: {articles:,} live docs, every checked id found once, right body"
        updated = run.updated
        if not updated:
            out.append(Check(name, False, f"{run.engine} failed"))
            continue
        problems = updated["updated_problems"] + updated["untouched_problems"]
        detail = (
            f"{updated['doc_count']:,} live docs; "
            f"{len(updated['updated_problems'])} of {updated['updated_checked']:,} updated "
            f"and {len(updated['untouched_problems'])} of {updated['untouched_checked']:,} "
            "untouched ids wrong"
        )
        if problems:
            detail += "; e.g. " + "; ".join(problems[:FAILURES_SHOWN])
        out.append(Check(name, updated["doc_count"] == articles and not problems, detail))
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure every chosen engine and print the tables and targets."""
    args = parse_news_args(argv, __doc__, ENGINES)
    if args.child:
        return run_child_phase(args.child, PHASES)
    info, rows = start_news(args, "update_document cost on news", ["heron", "whoosh", "numpy"])
    picks = pick_updates(len(rows), UPDATE_SEED)
    print(
        f"news: {len(rows):,} articles; {len(picks[0]):,} ({UPDATE_SHARE:.0%}) re-indexed "
        f"with body + {SUFFIX!r} in one writer (seed {UPDATE_SEED}), e.g. ids "
        f"{[rows[i]['id'] for i in picks[0][:5]]}"
    )
    with tempfile.TemporaryDirectory(prefix="heron-bench-updates-") as tmp:
        all_runs = [measure(engine, args, picks, Path(tmp)) for engine in args.engines]
    print()
    whoosh = next((run for run in all_runs if run.engine == "whoosh"), None)
    print(
        "Updates (one writer, update_document per article, then commit; timed from opening "
        "the writer to the end of the commit; x whoosh = engine docs/s / whoosh docs/s)"
    )
    print_table(UPDATE_HEADERS, [update_row(run, whoosh) for run in all_runs])
    print("After the updates (term query on each checked id: one hit with the expected body)")
    print_table(VERIFY_HEADERS, [verify_row(run, len(rows)) for run in all_runs])
    return finish(
        args,
        info,
        checks(all_runs, len(rows)),
        corpus={"articles": len(rows), "updated": len(picks[0]), "seed": UPDATE_SEED},
        engines=[
            {
                "engine": run.engine,
                "built": run.built,
                "updated": run.updated,
                "docs_per_s": run.docs_per_s,
            }
            for run in all_runs
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
