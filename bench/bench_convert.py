"""Benchmark `tunelint convert` on the legacy version of the benchmark dataset.

    python bench/bench_convert.py [--rows 100000]

The floor, measured in the same run: read every line, orjson-parse it and orjson-dump it
back. Then `tunelint convert legacy.jsonl -o out.jsonl` in a fresh process: wall time,
ratio to the floor, and peak memory (constant in the file size: rows are streamed).
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
from dataset import OUT, write_dataset  # noqa: E402


def floor(path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as stream, open(os.devnull, "wb") as sink:
        for line in stream:
            sink.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rows = args.rows
    for size in sorted({max(1000, rows // 10), rows}):
        path = write_dataset(size, f"legacy_{size}", legacy=True)
        out = OUT / f"converted_{size}.jsonl"
        size_mb = path.stat().st_size / 1e6
        base = min(floor(path) for _ in range(2))
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "tunelint.cli", "convert", str(path), "-o", str(out), "--no-progress"],
                              stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{size:>8,} rows {size_mb:6,.0f} MB  floor {base:6.2f} s  convert {wall:6.2f} s  "
              f"({wall / base:.1f}x the floor)  peak so far {peak:,.0f} MB  [{done.stderr.strip().splitlines()[-1]}]")
        out.unlink()


if __name__ == "__main__":
    main()
