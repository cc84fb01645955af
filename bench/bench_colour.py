"""What colour costs a pre-commit run: a 20-row check before and after, and rich's import.

    python bench/bench_colour.py --before PY_OLD --after PY_NEW [--rich PY_WITH_RICH] [--runs 21]

`--before` and `--after` are the interpreters of two clean virtual environments with
tunelint installed (say, main and this branch, each `pip install .` into a fresh venv, as
pre-commit's hook environment is). Their runs are interleaved (before, after, before, ...)
so the machine's load falls on both alike. Each is timed on the same 20-row file with
problems (the full report and its summary are written): into a pipe (no colour, as
pre-commit runs it) and with FORCE_COLOR=1 (every part styled). With `--rich`, an
interpreter that can import rich: `import click` against `import click, rich.console`,
the cost rich would have added had it done the styling.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROW = {"messages": [{"role": "user", "content": "Weather in Oslo?"},
                    {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {
                        "name": "get_wether", "arguments": "{\"city\": \"Oslo\"}"}}]},
                    {"role": "tool", "tool_call_id": "call_1", "content": "12"},
                    {"role": "assistant", "content": "12 °C in Oslo."}],
       "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
           "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]}


def once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): on a loaded machine the CPU time moves
    far less than the wall time, which waits for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for name, (cmd, env) in commands.items():  # a warm-up each: the first run reads the disk
        once(cmd, env)
    for _ in range(runs):
        for name, (cmd, env) in commands.items():
            times[name].append(once(cmd, env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="python of a clean venv with the old tunelint")
    parser.add_argument("--after", required=True, help="python of a clean venv with the new tunelint")
    parser.add_argument("--rich", help="a python that can import rich (and click)")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    coloured = {**base, "FORCE_COLOR": "1"}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "train.jsonl"
        # 20 rows, each calling an undeclared tool: the full format writes an excerpt for each.
        data.write_text("".join(json.dumps({**ROW, "seed": i}, ensure_ascii=False) + "\n" for i in range(20)))
        commands = {}
        for label, python in (("before", args.before), ("after", args.after)):
            check = [python, "-m", "tunelint.cli", "check", str(data), "--select", "TLT004"]
            commands[f"{label} check, piped"] = (check, base)
            commands[f"{label} check, FORCE_COLOR=1"] = (check, coloured)
        if args.rich:
            commands["import click"] = ([args.rich, "-c", "import click"], base)
            commands["import click, rich.console"] = ([args.rich, "-c", "import click, rich.console"], base)
        times = interleaved(commands, args.runs)
    print(f"{args.runs} interleaved runs each (after one warm-up); milliseconds, wall and CPU (user+system)")
    print(f"  {'':<32} {'wall median':>11} {'wall best':>9} {'CPU median':>10} {'CPU best':>8}")
    for name, samples in times.items():
        wall, cpu = [w for w, _ in samples], [c for _, c in samples]
        print(f"  {name:<32} {statistics.median(wall) * 1000:11.1f} {min(wall) * 1000:9.1f} "
              f"{statistics.median(cpu) * 1000:10.1f} {min(cpu) * 1000:8.1f}")
    if args.rich:
        for label, index in (("wall", 0), ("CPU", 1)):
            cost = (statistics.median(s[index] for s in times["import click, rich.console"])
                    - statistics.median(s[index] for s in times["import click"]))
            print(f"  rich.console on top of click: {cost * 1000:+.1f} ms {label} (median against median)")


if __name__ == "__main__":
    main()
