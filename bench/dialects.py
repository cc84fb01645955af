"""How fast are the dialect conversions? `convert --to X` on the 100k-row file.

    python bench/dialects.py [--rows 100000]

For each target, from one run each: wall time, MB/s, peak memory and the ratio to the
convert floor measured on the same file in the same run (orjson parse and dump of every
row, one process; `scale.py`'s floor). `--to openai` is measured on the same rows written
in the Hugging Face tool format (arguments as objects, no ids, results named), made once
under bench/out/ from the OpenAI file. `--allow-loss` is passed so that every row that
can be converted is (the generated rows carry `weight` and `strict`, which some targets
cannot hold). The dialect conversions run in one process.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from bench_check import run_command  # noqa: E402
from dataset import OUT, write_dataset  # noqa: E402
from scale import dump_floor, line  # noqa: E402


def hf_version(source: Path, rows: int) -> Path:
    """The OpenAI rows as the Hugging Face tool format writes them."""
    path = OUT / f"hf_{rows}.jsonl"
    if path.exists():
        return path
    with source.open("rb") as stream, path.open("wb") as out:
        for raw in stream:
            try:
                row = orjson.loads(raw)
                names = {}
                for message in row["messages"]:
                    for call in message.get("tool_calls") or []:
                        names[call.pop("id", None)] = call["function"]["name"]
                        call["function"]["arguments"] = orjson.loads(call["function"]["arguments"])
                    if message.get("role") == "tool":
                        message["name"] = names.get(message.pop("tool_call_id", None), "")
                out.write(orjson.dumps(row) + b"\n")
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                out.write(raw)  # the generator's broken rows stay as they are
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    source = write_dataset(args.rows, f"train_{args.rows}")
    hf = hf_version(source, args.rows)
    out = OUT / f"dialect_out_{args.rows}.jsonl"
    print(f"{source.name}: {args.rows:,} rows, {source.stat().st_size / 1e6:,.0f} MB", flush=True)
    for target, path in (("openai", hf), ("mistral", source), ("trl", source), ("sharegpt", source), ("vertex", source)):
        floor = dump_floor(path)
        wall, peak, code = run_command("convert", "--no-progress", "--allow-loss", "--to", target, str(path), "-o", str(out))
        line(f"  --to {target} ({path.name})", path, wall, peak, floor, "the parse+dump floor", code)
    out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
