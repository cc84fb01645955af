"""This tree against another revision of tunelint, interleaved: `check` wall times, and what
`check --diff --select TLT005` costs on a file that gives every tenth call's arguments as an
object (the one path that learns a file's style, lint/file_style.py).

    python bench/bench_against.py [REV] [--rows N] [--rounds R]

REV (default `main`) is checked out with `git archive` into a temporary folder and put first
on PYTHONPATH (the same venv runs both); rounds alternate which side runs first. Prints the
median and the minimum of each side, and a 20-row check (the pre-commit path). Machines
shared with other work are noisy: trust the minimums and figures that repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from dataset import OUT, write_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lint", "convert", "lsp", "cli")


def tree(source: Path, into: Path) -> str:
    """A folder holding `tunelint/<package>` links to `source`'s packages: a PYTHONPATH entry."""
    (into / "tunelint").mkdir(parents=True)
    for name in PACKAGES:
        (into / "tunelint" / name).symlink_to(source / name)
    return str(into)


def with_objects(path: Path) -> Path:
    """The dataset with compact arguments strings, and every tenth row's arguments as objects."""
    out = OUT / f"{path.stem}-objects.jsonl"
    if out.exists():
        return out
    with path.open("rb") as rows, out.open("w", encoding="utf-8") as written:
        for i, line in enumerate(rows):
            row = json.loads(line)
            for message in row.get("messages", []):
                for call in message.get("tool_calls") or []:
                    arguments = json.loads(call["function"]["arguments"])
                    call["function"]["arguments"] = arguments if i % 10 == 9 else json.dumps(arguments, separators=(",", ":"))
            written.write(json.dumps(row, separators=(",", ":")) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rev", nargs="?", default="main")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    big = write_dataset(args.rows, f"against{args.rows}")
    small = OUT / "against-20.jsonl"
    with big.open("rb") as rows:
        small.write_bytes(b"".join(line for _, line in zip(range(20), rows)))
    objects = with_objects(big)
    cases = {
        "check, 20 rows": ["check", str(small), "--jobs", "1"],
        f"check, {args.rows:,} rows": ["check", str(big), "--jobs", "1", "--output-format", "concise"],
        f"check --diff TLT005, {args.rows:,} rows": ["check", str(objects), "--jobs", "1", "--diff", "--select", "TLT005"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "source"
        other.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        sides = {args.rev: tree(other, Path(tmp) / "rev"), "this tree": tree(ROOT, Path(tmp) / "here")}
        times: dict[tuple[str, str], list[float]] = {(case, side): [] for case in cases for side in sides}
        for n in range(args.rounds):
            for case, command in cases.items():
                for side in (list(sides) if n % 2 == 0 else list(reversed(sides))):
                    env = dict(os.environ, PYTHONPATH=sides[side])
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "tunelint.cli", *command], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    times[(case, side)].append(time.perf_counter() - start)
    for case in cases:
        figures = [f"{side}: median {statistics.median(times[(case, side)]):.3f} s, min {min(times[(case, side)]):.3f} s"
                   for side in sides]
        print(f"{case:34s} " + " | ".join(figures))


if __name__ == "__main__":
    main()
