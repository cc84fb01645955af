"""Benchmark `tunelint split` against the parse floor, and print the figures.

    python bench/bench_split.py [--rows 100000]

Figures: the orjson-parse floor (read every line and parse it), the wall time of
`tunelint split --holdout 0.1` as a subprocess, the ratio to the floor, and the peak
memory of the process (the rows' text is never held: a few integers per line are).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_check import parse_floor, run_command  # noqa: E402
from dataset import write_dataset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    path = write_dataset(args.rows, f"train_{args.rows}")
    size_mb = os.path.getsize(path) / 1e6
    floor = min(parse_floor(path) for _ in range(2))
    print(f"dataset            {path.name}: {args.rows:,} rows, {size_mb:,.0f} MB")
    print(f"parse floor        {floor:6.2f} s  (orjson.loads of every line, one process)")
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        wall, peak, code = run_command("split", str(path), "--holdout", "0.1", "-o", f"{folder}/train.jsonl",
                                       "--holdout-file", f"{folder}/held.jsonl")
        print(f"split --holdout 0.1 {wall:6.2f} s  ({size_mb / wall:,.0f} MB/s, {wall / floor:.1f}x the parse floor, "
              f"peak {peak:,.0f} MB, exit {code})")


if __name__ == "__main__":
    main()
