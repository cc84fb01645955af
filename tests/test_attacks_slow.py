"""The longer half of the attack suite (marked slow: `python -m pytest -m slow`, which
`.ci/run` runs): kills at random moments of writes, writers racing outside saves,
generated garbage through every command, and a long editor fuzz."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from test_attacks import LEGACY, legacy_file, run
from tunelint.lint import Session, Settings, check_bytes
from tunelint.lint.fix import apply_fixes

pytestmark = pytest.mark.slow


def writing(pid: int, folder: Path) -> bool:
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)) and ("(deleted)" in target or target.endswith(".tunelint-tmp")):
            return True
    return False


def test_kills_at_random_moments_leave_the_original_or_the_whole_result(tmp_path):
    path = tmp_path / "train.jsonl"
    original = legacy_file(path, 40_000)  # ~17 MB, converted on 2 processes
    expected, _ = apply_fixes(original, Settings())
    rng = random.Random(7)
    outcomes = []
    for _ in range(8):
        path.write_bytes(original)
        proc = subprocess.Popen([sys.executable, "-m", "tunelint.cli", "convert", str(path), "--in-place", "--jobs", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = path.read_bytes()
        assert now in (original, expected)
        outcomes.append("original" if now == original else "converted")
        left = [p.name for p in tmp_path.iterdir() if p.name != "train.jsonl"]
        assert left == [], left  # the new file had no name yet (O_TMPFILE); see the sweep below otherwise
    print("kills:", outcomes)


def test_a_writer_racing_outside_saves_never_tears_the_file(tmp_path):
    # An editor saves (atomically) at a random moment of `convert --in-place`: whichever
    # comes last wins whole; the file is never a mix of the two.
    path = tmp_path / "train.jsonl"
    rng = random.Random(11)
    for round_ in range(5):
        legacy_file(path, 30_000)
        saved = json.dumps({"messages": [{"role": "user", "content": f"saved in round {round_}"}]}).encode() + b"\n"
        proc = subprocess.Popen([sys.executable, "-m", "tunelint.cli", "convert", str(path), "--in-place", "--jobs", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.2, 2.5))
        (tmp_path / "save.tmp").write_bytes(saved)
        os.replace(tmp_path / "save.tmp", path)
        err = proc.communicate(timeout=120)[1]
        assert path.read_bytes() == saved, (round_, proc.returncode, err[-300:])
        assert proc.returncode in (0, 2)


# Lines a broken pipeline writes: bytes, truncated rows, wrong types anywhere.
VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                      max_leaves=12)
ROW_KEYS = st.sampled_from(["messages", "tools", "functions", "role", "content", "tool_calls", "function_call",
                            "input", "preferred_output", "chosen", "rejected", "weight"])
ROWS = st.dictionaries(ROW_KEYS, VALUES, max_size=4).map(json.dumps)
MESSAGES = st.lists(st.dictionaries(ROW_KEYS, VALUES, max_size=4), max_size=4).map(lambda m: json.dumps({"messages": m}))
LINES = st.lists(ROWS | MESSAGES | st.binary(max_size=40).map(lambda b: b.decode("latin-1")) | st.just(""), min_size=1,
                 max_size=6)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_generated_garbage_through_check_fix_and_the_editor(lines):
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    everything = Settings(select=["ALL"])
    check_bytes(data, "t.jsonl", everything)
    fixed, outcome = apply_fixes(data, everything, unsafe=True)
    if not outcome.changed:
        assert fixed == data
    Session("t.jsonl", everything, jobs=1).lint(data.decode("utf-8", "replace").split("\n")[:-1])


def test_garbage_files_through_every_command(tmp_path):
    rng = random.Random(3)
    for n in range(20):
        lines = []
        for _ in range(rng.randint(1, 30)):
            kind = rng.random()
            if kind < 0.3:
                lines.append(bytes(rng.randrange(256) for _ in range(rng.randint(0, 60))).replace(b"\n", b""))
            elif kind < 0.6:
                row = json.dumps(LEGACY)
                cut = rng.randrange(len(row) + 1)
                lines.append(row[:cut].encode())
            else:
                lines.append(json.dumps(LEGACY).encode())
        path = tmp_path / f"g{n}.jsonl"
        path.write_bytes(b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b""))
        for args in (["check", str(path)], ["check", "--select", "ALL", "--fix", "--unsafe-fixes", str(path)],
                     ["convert", "--diff", str(path)], ["convert", "--to", "legacy", "--check", str(path)],
                     ["convert", "--to", "vertex", "--check", str(path)], ["convert", "--to", "openai", "--diff", str(path)],
                     ["convert", "--to", "sharegpt", "--allow-loss", "-o", str(tmp_path / "out.jsonl"), str(path)],
                     ["stats", str(path)]):
            done = run(*args)
            if args[0] == "convert" and done.returncode == 2:
                # convert --check/--diff exit 2 when a row cannot be converted (as `ruff format
                # --check` on a file it cannot parse): said as such, never as an internal error.
                assert b"cannot be converted" in done.stderr and b"internal error" not in done.stderr, done.stderr
            else:
                assert done.returncode in (0, 1), (args, done.stderr[-500:])
            assert b"Traceback" not in done.stderr
        # split: it splits (0), or says in one line why it cannot (2); what it writes keeps every line
        done = run("split", str(path), "--holdout", "0.3", "-o", str(tmp_path / "t.jsonl"),
                   "--holdout-file", str(tmp_path / "h.jsonl"))
        assert done.returncode in (0, 2) and b"Traceback" not in done.stderr, done.stderr[-500:]
        if done.returncode == 2:
            assert len(done.stderr.strip().splitlines()) == 1 and b"tunelint: error:" in done.stderr
        else:
            out = (tmp_path / "t.jsonl").read_bytes().splitlines() + (tmp_path / "h.jsonl").read_bytes().splitlines()
            assert sorted(out) == sorted(path.read_bytes().splitlines())


def test_a_long_editor_fuzz():
    from lsp_fuzz import fuzz

    for seed in range(1000, 1040):
        fuzz(seed, steps=80)
