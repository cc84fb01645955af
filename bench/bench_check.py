"""Benchmark `tunelint check` against the parse floor, in one run, and print the figures.

    python bench/bench_check.py [--rows 100000] [--target mistral --target azure ...]

Figures: the orjson-parse floor (read every line and parse it), the `tunelint check` wall
time as a subprocess (what a user waits for), MB/s, the ratio to the floor, and the peak
memory of the check process. The dataset is generated once under bench/out/. Each
`--target` adds a one-process check for that platform (its rules, and the findings it has
to place: the generated rows use OpenAI's call ids, which Mistral refuses).
"""

from __future__ import annotations

import argparse
import os
import tempfile
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


def token_floor(path: Path) -> float:
    """orjson parse plus a tiktoken count (encode_ordinary in a loop) of every text."""
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from tunelint.lint.vocabulary import encoding

    encode = encoding("o200k_base").encode_ordinary
    start = time.perf_counter()
    with path.open("rb") as stream:
        for line in stream:
            row = orjson.loads(line)
            for message in row.get("messages", ()):
                content = message.get("content")
                if isinstance(content, str):
                    encode(content)
                for call in message.get("tool_calls") or ():
                    encode(call["function"]["name"])
                    encode(call["function"]["arguments"])
    return time.perf_counter() - start


PYTHON = sys.executable  # the interpreter whose tunelint is measured (bench/scale.py --python)


def run_command(*args: str) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the command's largest process, exit code); what
    it prints is thrown away."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-q", "-f", "%M", "-o", report.name, PYTHON, "-m",
                               "tunelint.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        peak_kb = int(report.read().strip().splitlines()[-1])
    return wall, peak_kb / 1024, done.returncode


def run_check(path: Path, *extra: str) -> tuple[float, float, int]:
    return run_command("check", "--output-format", "concise", "--exit-zero", "--no-progress", *extra, str(path))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--target", action="append", default=[], help="also time `check --target NAME --jobs 1`")
    args = parser.parse_args()
    path = write_dataset(args.rows, f"train_{args.rows}")
    size_mb = os.path.getsize(path) / 1e6
    floor = min(parse_floor(path) for _ in range(2))
    print(f"dataset            {path.name}: {args.rows:,} rows, {size_mb:,.0f} MB, {os.cpu_count()} cores")
    print(f"parse floor        {floor:6.2f} s  (orjson.loads of every line, one process)")
    tfloor = token_floor(path)
    print(f"token floor        {tfloor:6.2f} s  (orjson parse + tiktoken count of every text, one process)")
    for jobs in (1, os.cpu_count() or 1):
        wall, peak, code = run_check(path, "--jobs", str(jobs))
        print(f"check --jobs {jobs:<4}  {wall:6.2f} s  ({size_mb / wall:,.0f} MB/s, {wall / floor:.1f}x the parse floor, "
              f"{wall / tfloor:.2f}x the token floor, peak {peak:,.0f} MB, exit {code})")
    for target in args.target:
        wall, peak, code = run_check(path, "--jobs", "1", "--target", target)
        print(f"check --target {target:<10} {wall:6.2f} s  ({size_mb / wall:,.0f} MB/s, {wall / floor:.1f}x the parse floor, "
              f"peak {peak:,.0f} MB, exit {code})")
    for jobs in (1, os.cpu_count() or 1):
        wall, peak, code = run_command("stats", "--jobs", str(jobs), str(path))
        print(f"stats --jobs {jobs:<4}  {wall:6.2f} s  ({wall / tfloor:.2f}x the token floor, peak {peak:,.0f} MB, exit {code})")


if __name__ == "__main__":
    main()
