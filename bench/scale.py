"""Does tunelint scale? check and stats at 100k and 1M rows, convert at 100k legacy rows.

    python bench/scale.py [--rows 100000] [--large 1000000] [--jobs N] [--python PATH]

For each command, from one run each, in one sitting: wall time, MB/s, peak memory (the
largest process of the run) and the ratio to the command's floor, measured on the same
file in the same run:

- check: orjson parse of every line;
- stats: parse plus a tiktoken count of every text;
- convert: parse plus orjson dump of every row.

Then the ratio of the peak memory at the large size to the one at the small size (memory
that grows with the rows shows here). The datasets are generated once under bench/out/
(the 1M-row file is about 3.8 GB). `--python` measures the tunelint another interpreter
has installed (an older version, for before/after figures); the floors are this one's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
import bench_check  # noqa: E402
from bench_check import parse_floor, run_command, token_floor  # noqa: E402
from dataset import OUT, write_dataset  # noqa: E402


def dump_floor(path: Path) -> float:
    """orjson parse and dump of every row, written to /dev/null."""
    start = time.perf_counter()
    with path.open("rb") as stream, open(os.devnull, "wb") as sink:
        for line in stream:
            sink.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - start


def line(name: str, path: Path, wall: float, peak: float, floor: float, what: str, code: int) -> None:
    size = path.stat().st_size / 1e6
    print(f"{name:<26} {wall:7.2f} s  {size / wall:6.0f} MB/s  peak {peak:5.0f} MB  "
          f"{wall / floor:4.1f}x {what} ({floor:.2f} s)  exit {code}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose tunelint is measured")
    args = parser.parse_args()
    bench_check.PYTHON = args.python
    jobs = ["--jobs", str(args.jobs)]
    peaks: dict[str, dict[int, float]] = {"check": {}, "stats": {}}
    for rows in (args.rows, args.large):
        path = write_dataset(rows, f"train_{rows}")
        print(f"{path.name}: {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB, --jobs {args.jobs}", flush=True)
        floor, tokens = parse_floor(path), token_floor(path)
        wall, peak, code = run_command("check", "--output-format", "concise", "--exit-zero", "--no-progress", *jobs, str(path))
        line("  check", path, wall, peak, floor, "the parse floor", code)
        peaks["check"][rows] = peak
        wall, peak, code = run_command("stats", *jobs, str(path))
        line("  stats", path, wall, peak, tokens, "the parse+tokenize floor", code)
        peaks["stats"][rows] = peak
    for command, by_rows in peaks.items():
        small, large = by_rows[args.rows], by_rows[args.large]
        print(f"{command} peak memory at {args.large:,} rows / at {args.rows:,} rows: {large / small:.2f}x "
              f"({small:.0f} MB -> {large:.0f} MB)")
    legacy = write_dataset(args.rows, f"legacy_{args.rows}", legacy=True)
    out = OUT / f"converted_{args.rows}.jsonl"
    print(f"{legacy.name}: {args.rows:,} legacy rows, {legacy.stat().st_size / 1e6:,.0f} MB", flush=True)
    floor = dump_floor(legacy)
    wall, peak, code = run_command("convert", "--no-progress", *jobs, str(legacy), "-o", str(out))
    line("  convert", legacy, wall, peak, floor, "the parse+dump floor", code)
    out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
