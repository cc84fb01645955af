"""How fast a pre-commit hook run starts and finishes on a small file.

    python bench/bench_startup.py [--python PATH]

Times `tunelint --version` and `tunelint check` on a 20-row file (median and best of 15
runs, in fresh processes), then lists the slowest imports of the check. Run it with the
interpreter of a clean virtual environment (as pre-commit's hook environment is) for the
figure a user sees: a development environment's site-packages adds its own start-up cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROW = {"messages": [{"role": "user", "content": "Weather in Oslo?"},
                    {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {
                        "name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                    {"role": "tool", "tool_call_id": "call_1", "content": "12"},
                    {"role": "assistant", "content": "12 °C in Oslo."}],
       "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
           "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]}


def timed(cmd: list[str], runs: int = 15) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    python = parser.parse_args().python
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "train.jsonl"
        data.write_text("".join(json.dumps(ROW, ensure_ascii=False) + "\n" for _ in range(20)))
        bare = timed([python, "-c", "pass"])
        version = timed([python, "-m", "tunelint.cli", "--version"])
        check = timed([python, "-m", "tunelint.cli", "check", str(data)])
        print(f"python -c pass          median {bare[0] * 1000:5.0f} ms  best {bare[1] * 1000:5.0f} ms")
        print(f"tunelint --version      median {version[0] * 1000:5.0f} ms  best {version[1] * 1000:5.0f} ms")
        print(f"tunelint check (20 rows) median {check[0] * 1000:4.0f} ms  best {check[1] * 1000:5.0f} ms")
        trace = subprocess.run([python, "-X", "importtime", "-m", "tunelint.cli", "check", str(data)],
                               capture_output=True, text=True).stderr
    rows = []
    for line in trace.splitlines():
        fields = [part.strip() for part in line[len("import time:"):].split("|")]
        if line.startswith("import time:") and fields[0].isdigit():  # skip the header line
            rows.append((int(fields[0]), fields[2]))
    print("slowest imports (self time):")
    for self_us, name in sorted(rows, reverse=True)[:8]:
        print(f"  {self_us / 1000:5.1f} ms  {name}")
    loaded = {name.strip() for _, name in rows}
    for heavy in ("openai", "pygls", "tiktoken", "jsonschema"):
        print(f"  {heavy:<10} imported: {'yes' if heavy in loaded else 'no'}")


if __name__ == "__main__":
    main()
