"""Findings per rule on a folder of real datasets (the project's `../shared/corpus/` when
it is there), to compare two versions of tunelint, or two targets.

    python bench/corpus.py [FOLDER] [--select ALL] [--save counts.json] [--against counts.json]
                           [--args "--target azure"]

Runs `tunelint check FOLDER --output-format json` with the interpreter it runs under,
counts findings by rule (and by file with --by-file), and with --against prints the
counts of a saved run beside them (rules whose count changed marked).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def counts(folder: Path, extra: list[str]) -> dict[str, dict[str, int]]:
    """{file: {code name: findings}} for every file of `folder`."""
    done = subprocess.run([sys.executable, "-m", "tunelint.cli", "check", str(folder), "--output-format", "json",
                           "--no-progress", *extra], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"tunelint exited {done.returncode}: {done.stderr.strip()}")
    by_file: dict[str, Counter] = {}
    for v in json.loads(done.stdout):
        name = str(Path(v["filename"]).relative_to(folder)) if Path(v["filename"]).is_absolute() else v["filename"]
        by_file.setdefault(name, Counter())[f"{v['code']} {v['name']}"] += 1
    return {name: dict(found) for name, found in sorted(by_file.items())}


def totals(found: dict[str, dict[str, int]]) -> Counter:
    total: Counter = Counter()
    for per_rule in found.values():
        total.update(per_rule)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--select", default=None)
    parser.add_argument("--args", default="", help="more options for `tunelint check`, one string")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--by-file", action="store_true")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"{args.folder}: no such folder (the corpus is not on this machine)")
    extra = (["--select", args.select] if args.select else []) + shlex.split(args.args)
    found = counts(args.folder, extra)
    if args.save:
        args.save.write_text(json.dumps(found, indent=1))
    before = json.loads(args.against.read_text()) if args.against else None
    now, then = totals(found), totals(before) if before is not None else Counter()
    print(f"{'rule':40} {'before':>8} {'after':>8}" if before is not None else f"{'rule':40} {'findings':>8}")
    for rule in sorted(set(now) | set(then)):
        if before is None:
            print(f"{rule:40} {now[rule]:8,}")
        else:
            mark = "" if now[rule] == then[rule] else "  *"
            print(f"{rule:40} {then[rule]:8,} {now[rule]:8,}{mark}")
    if args.by_file:
        for name, per_rule in found.items():
            print(f"\n{name}")
            for rule, n in sorted(per_rule.items()):
                was = before.get(name, {}).get(rule, 0) if before is not None else None
                print(f"  {rule:38} {'' if was is None else f'{was:8,} '}{n:8,}")


if __name__ == "__main__":
    main()
