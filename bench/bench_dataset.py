"""What the dataset rules cost: time on top of the row rules, and bytes kept per row.

    python bench/bench_dataset.py [--rows 100000] [--repeat 3]

Times `tunelint check` with the default rules and with the dataset family ignored
(`--ignore TLD`), on one process and on every core, then measures with tracemalloc the
memory the dataset rules' per-row facts hold for the file. The same again on a copy of the
file where 5% of the rows repeat: the rows whose exact fingerprints are worked out, read
back from the file, and reported. Each pair of runs is repeated
(interleaved, so a slow spell of the machine hits both); the figures are the best time
of each and the median of the ratios within each back-to-back pair: on a shared machine
one run can be 10-40% off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_check import run_check  # noqa: E402
from dataset import write_dataset  # noqa: E402


def facts_bytes(path: Path) -> tuple[int, int]:
    """(bytes held by every dataset rule's facts after reading the file, rows)."""
    from tunelint.lint import Settings
    from tunelint.lint.checker import RowChecker
    from tunelint.lint.facts import FactTable
    from tunelint.lint.source import rows_from_stream

    checker = RowChecker(Settings(select=["TLD"]).ruleset_for(path), "sft", str(path))
    table = FactTable(checker.fact_codes)  # what the engine keeps
    tracemalloc.start()
    start = tracemalloc.take_snapshot()
    rows = 0
    with path.open("rb") as stream:
        for row in rows_from_stream(stream):
            rows += 1
            table.add(row.line, checker.check(row).facts)
    table.flush()
    end = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(stat.size_diff for stat in end.compare_to(start, "filename"))
    return held, rows


def compare(path: Path, repeat: int) -> None:
    """Row rules alone against row plus dataset rules, on one core and on every core."""
    for jobs in (1, os.cpu_count() or 1):
        rows_only, full = [], []
        for _ in range(max(1, repeat)):
            rows_only.append(run_check(path, "--jobs", str(jobs), "--ignore", "TLD")[:2])
            full.append(run_check(path, "--jobs", str(jobs))[:2])
        (best_rows, peak_rows), (best_full, peak_full) = min(rows_only), min(full)
        # Each pair ran back to back: the ratio within a pair cancels a slow spell of the
        # machine that a ratio of two bests (each possibly a lucky outlier) does not.
        paired = statistics.median(f / r for (r, _), (f, _) in zip(rows_only, full))
        print(f"--jobs {jobs}: row rules {best_rows:6.2f} s, with dataset rules {best_full:6.2f} s "
              f"(best against best {(best_full / best_rows - 1):+.0%}, median of the paired runs {paired - 1:+.0%}); "
              f"peak {peak_rows:,.0f} MB -> {peak_full:,.0f} MB"
              f"   [all runs: {' '.join(f'{t:.2f}' for t, _ in rows_only)} / {' '.join(f'{t:.2f}' for t, _ in full)}]")


def with_repeats(path: Path, every: int) -> Path:
    """A copy of `path` with every `every`-th row appended again at the end (made once)."""
    out = path.with_name(f"{path.stem}_repeats.jsonl")
    if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
        with path.open("rb") as source, out.open("wb") as sink:
            copies = []
            for number, line in enumerate(source):
                sink.write(line)
                if number % every == 0:
                    copies.append(line)
            sink.writelines(copies)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each configuration; the best is kept")
    args = parser.parse_args()
    path = write_dataset(args.rows, f"train_{args.rows}")
    print(f"dataset  {path.name}: {args.rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB")
    compare(path, args.repeat)
    # Rows that repeat (here 5%, copied to the end of the file) are the ones whose exact
    # fingerprints are worked out, read back from the file: the cost of a file that has
    # duplicates to report, against the same file's row rules.
    repeated = with_repeats(path, every=20)
    print(f"dataset  {repeated.name}: the same plus a copy of every 20th row at the end")
    compare(repeated, args.repeat)
    held, rows = facts_bytes(write_dataset(min(args.rows, 20_000), f"train_{min(args.rows, 20_000)}"))
    print(f"facts    {held / rows:,.0f} bytes per row held by the dataset rules ({held / 1e6:,.1f} MB for {rows:,} rows)")


if __name__ == "__main__":
    main()
