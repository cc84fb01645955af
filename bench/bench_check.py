"""Benchmark `tunelint check` against the parse floor, in one run, and print the figures.

    python bench/bench_check.py [--rows 100000]

Figures: the orjson-parse floor (read every line and parse it), the `tunelint check` wall
time as a subprocess (what a user waits for), MB/s, the ratio to the floor, and the peak
memory of the check process. The dataset is generated once under bench/out/.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from dataset import write_dataset  # noqa: E402


def parse_floor(path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as stream:
        for line in stream:
            orjson.loads(line)
    return time.perf_counter() - start


def run_check(path: Path, *extra: str) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of `tunelint check` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tunelint.cli", "check", "--output-format", "concise",
                           "--exit-zero", "--no-progress", *extra, str(path)], stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far; each run here is larger than the last.
    return wall, max(peak, before) / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    path = write_dataset(args.rows, f"train_{args.rows}")
    size_mb = os.path.getsize(path) / 1e6
    floor = min(parse_floor(path) for _ in range(2))
    print(f"dataset            {path.name}: {args.rows:,} rows, {size_mb:,.0f} MB, {os.cpu_count()} cores")
    print(f"parse floor        {floor:6.2f} s  (orjson.loads of every line, one process)")
    for jobs in (1, os.cpu_count() or 1):
        wall, peak, code = run_check(path, "--jobs", str(jobs))
        print(f"check --jobs {jobs:<4}  {wall:6.2f} s  ({size_mb / wall:,.0f} MB/s, {wall / floor:.1f}x the floor, "
              f"peak {peak:,.0f} MB, exit {code})")


if __name__ == "__main__":
    main()
