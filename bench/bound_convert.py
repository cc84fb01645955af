"""How fast can any Python conversion be? The floor of `bench_convert.py` against the
leanest conversions Python can run on this machine.

    python bench/bound_convert.py [--rows 100000] [--jobs 2]

Not tunelint's pipeline: each stage below is a bare loop with no rule, no fix engine and
none of the checks that keep a conversion lossless (repeated keys, integers past 64 bits,
a row that cannot be converted). Each runs like `tunelint convert`: the file cut into the
same pieces, converted on `--jobs` forked processes, and written in order to a real file
with an fsync. So each figure is a lower bound on what tunelint's conversion could reach:

- `parse + dump, written`: the floor's own work (orjson parse and dump of every row), but
  with the output written to a file instead of thrown away;
- `parse + styled dump, written`: the same, each row written in its line's JSON style
  (`detect_style`, as converted rows are written), with no conversion at all;
- `+ converter, compact`: the real converter (`legacy_row_to_tools`, call ids from the
  row's canonical digest), its result written by orjson, whatever the file's style;
- `+ converter, file style`: the same, written in the line's JSON style (`detect_style`),
  as the issue asks of converted rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import orjson

from tunelint.lint.fingerprint import digest_bytes
from tunelint.lint.conversion import legacy_row_to_tools
from tunelint.lint.jsonstyle import detect_style
from tunelint.lint.fix import PIECE_BYTES
from tunelint.lint.open_file import OpenFile
from tunelint.lint.workers import fork_map

sys.path.insert(0, str(Path(__file__).parent))
from bench_convert import floor  # noqa: E402
from dataset import OUT, write_dataset  # noqa: E402

_job: dict = {}


def _rows(span: tuple[int, int]):
    for chunk in _job["source"].lines(*span):
        yield chunk.rstrip(b"\n"), orjson.loads(chunk)


def _dump(span):
    return b"".join(orjson.dumps(obj) + b"\n" for _, obj in _rows(span))


def _dump_styled(span):
    return b"".join(detect_style(raw).dumps(obj).encode() + b"\n" for raw, obj in _rows(span))


def _converted(obj: dict):
    seed = digest_bytes(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS))
    return legacy_row_to_tools(obj, seed).value


def _convert_compact(span):
    out = []
    for raw, obj in _rows(span):
        value = _converted(obj)
        out.append(raw if value is None else orjson.dumps(value))
    return b"\n".join(out) + b"\n"


def _convert_styled(span):
    out = []
    for raw, obj in _rows(span):
        value = _converted(obj)
        out.append(raw if value is None else detect_style(raw).dumps(value).encode())
    return b"\n".join(out) + b"\n"


STAGES = {"parse + dump, written": _dump, "parse + styled dump, written": _dump_styled,
          "+ converter, compact": _convert_compact,
          "+ converter, file style": _convert_styled}


def run(path: Path, stage, jobs: int) -> float:
    target = OUT / "bound_out.jsonl"
    start = time.perf_counter()
    with OpenFile(path) as source, target.open("wb") as out:
        _job["source"] = source
        spans = source.ranges(max(jobs, source.size // PIECE_BYTES + 1))
        for data in fork_map(stage, spans, jobs):  # the pool convert uses
            out.write(data)
        out.flush()
        os.fsync(out.fileno())
    wall = time.perf_counter() - start
    target.unlink()
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    path = write_dataset(args.rows, f"legacy_{args.rows}", legacy=True)
    base = min(floor(path) for _ in range(2))
    print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB, {args.jobs} processes; "
          f"floor (parse + dump, one process, output thrown away) {base:.2f} s")
    for name, stage in STAGES.items():
        wall = run(path, stage, args.jobs)
        print(f"  {name:29s} {wall:6.2f} s  ({wall / base:.1f}x the floor)")


if __name__ == "__main__":
    main()
