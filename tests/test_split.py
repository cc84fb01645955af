"""`tunelint split`: no copy, near copy or prompt on both sides; every held-out tool trained
on; the same split for the same seed; every input byte in exactly one output."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import WEATHER, call, calls_turn, tool
from tunelint.cli.main import cli
from tunelint.lint import check_paths, load_settings
from tunelint.lint.fingerprint import training_text_digest
from tunelint.lint.split import SplitError, split_file

BOOK = tool("book_table", {"guests": {"type": "integer"}})
CANCEL = tool("cancel", {})
TOOLS = [WEATHER, BOOK, CANCEL]
# Prompts that are the same up to case and spacing: near copies of each other.
PROMPTS = ["Weather in Oslo?", "weather in  OSLO?", "Book for 4", "book for 4", "Cancel it", "Hi there", "Thanks!",
           "What can you do?", "Weather in Rome?", "Book for 2"]


def row(prompt: str, answer: str | None, argument: int, system: str | None = None, order: bool = False) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    if answer is None:
        messages.append({"role": "assistant", "content": f"Sure ({argument})."})
    else:
        arguments = {"city": f"c{argument}"} if answer == "get_weather" else {"guests": argument} if answer == "book_table" else {}
        messages.append(calls_turn(call(f"call_{argument}", answer, arguments)))
    value = {"messages": messages, "tools": TOOLS}
    return dict(reversed(list(value.items()))) if order else value  # the same row, keys in another order


rows_strategy = st.lists(
    st.tuples(st.sampled_from(PROMPTS), st.sampled_from([None, "get_weather", "book_table", "cancel"]),
              st.integers(0, 6), st.sampled_from([None, "You are Trip.", "You help with tables."]), st.booleans()),
    min_size=4, max_size=40)
junk_strategy = st.lists(st.tuples(st.integers(0, 40), st.sampled_from([b"", b"{not json", b"[1, 2]", b"\xff\xfe bad",
                                                                       b"   "])), max_size=3)


def build(specs, junk, crlf: bool, final_newline: bool, bom: bool) -> bytes:
    eol = b"\r\n" if crlf else b"\n"
    lines = [json.dumps(row(*spec), ensure_ascii=False).encode() for spec in specs]
    for at, line in junk:
        lines.insert(min(at, len(lines)), line)
    data = eol.join(lines) + (eol if final_newline else b"")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def lines_of(data: bytes) -> list[bytes]:
    """Each line without its terminator (a byte-order mark set aside): what must survive."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return [p[:-1] if p.endswith(b"\r") else p for p in parts]


def keys(line: bytes) -> tuple[str, str, int, str, frozenset[str]] | None:
    """(exact, prompt, near-copy text, prompt up to case and spacing, tools called), worked out
    here apart from the split (the near-copy text with the function the duplicate rules use)."""
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if type(obj) is not dict:
        return None
    messages = obj["messages"]
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    prompt = [{k: v for k, v in m.items()} for m in messages[:last]]
    called = frozenset(c["function"]["name"] for m in messages for c in m.get("tool_calls", []))
    folded = " ".join(" ".join(str(m.get("content")).casefold().split()) for m in prompt)
    return (json.dumps(obj, sort_keys=True), json.dumps([prompt, obj.get("tools")], sort_keys=True),
            training_text_digest(obj), folded, called)


def run_split(data: bytes, holdout: float, seed: int = 0) -> tuple[bytes, bytes, object]:
    with tempfile.TemporaryDirectory() as folder:
        source, train, held = Path(folder, "data.jsonl"), Path(folder, "train.jsonl"), Path(folder, "held.jsonl")
        source.write_bytes(data)
        plan = split_file(source, holdout, train, held, seed)
        return train.read_bytes(), held.read_bytes(), plan


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy, junk_strategy, st.booleans(), st.booleans(), st.booleans(),
       st.one_of(st.integers(1, 10), st.floats(0.05, 0.5)), st.integers(0, 3))
def test_split_properties(specs, junk, crlf, final_newline, bom, holdout, seed):
    data = build(specs, junk, crlf, final_newline, bom)
    try:
        train, held, plan = run_split(data, holdout, seed)
    except SplitError:
        return  # asked for more rows than can be held out: refused, nothing written
    # Every line of the input is in exactly one output, byte for byte.
    assert Counter(lines_of(train)) + Counter(lines_of(held)) == Counter(lines_of(data))
    assert train.startswith(b"\xef\xbb\xbf") == bom and not held.startswith(b"\xef\xbb\xbf")
    # Lines that are no row stay in training.
    assert all(keys(line) is not None for line in lines_of(held))
    trained = [keys(line) for line in lines_of(train)]
    trained = [k for k in trained if k is not None]
    for index, name in enumerate(("exact copy", "same prompt", "near copy", "prompt up to case and spacing")):
        shared = {k[index] for k in trained} & {keys(line)[index] for line in lines_of(held)}
        assert not shared, f"a {name} on both sides"
    trained_tools = set().union(*(k[4] for k in trained)) if trained else set()
    for line in lines_of(held):
        assert keys(line)[4] <= trained_tools, "a held-out tool that training never calls"
    # Deterministic: the same seed gives the same bytes.
    again = run_split(data, holdout, seed)
    assert (again[0], again[1]) == (train, held)
    assert plan.held_out == len(lines_of(held))


def test_held_out_share_follows_each_tool():
    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(60)]
    specs += [(f"book {i}", "book_table", i, None, False) for i in range(30)]
    specs += [(f"chat {i}", None, i, None, False) for i in range(10)]
    train, held, plan = run_split(build(specs, [], False, True, False), 10)
    counts = Counter(next(iter(keys(line)[4]), "none") for line in lines_of(held))
    assert counts == {"get_weather": 6, "book_table": 3, "none": 1}
    assert {s.name: s.held_out for s in plan.strata} == {"get_weather": 6, "book_table": 3, "(no call)": 1}


def test_another_seed_gives_another_split_of_the_same_size():
    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(40)]
    data = build(specs, [], False, True, False)
    first, second = run_split(data, 8, seed=1), run_split(data, 8, seed=2)
    assert first[1] != second[1] and len(lines_of(first[1])) == len(lines_of(second[1])) == 8


def test_groups_stay_together_and_a_lone_tool_is_reported(tmp_path):
    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(20)]
    # Near copies of one prompt with other answers (a contradiction), and one `cancel` example.
    specs += [("Book for 4", "book_table", 4, None, False), ("book for  4", "book_table", 5, None, False),
              ("BOOK FOR 4", None, 1, None, False), ("Cancel it", "cancel", 0, None, False)]
    (tmp_path / "data.jsonl").write_bytes(build(specs, [], False, True, False))
    result = CliRunner().invoke(cli, ["split", str(tmp_path / "data.jsonl"), "--holdout", "0.5",
                                      "-o", str(tmp_path / "train.jsonl"), "--holdout-file", str(tmp_path / "held.jsonl")])
    assert result.exit_code == 0, result.output
    assert "`cancel` is not held out: its 1 example is one group" in result.stderr
    held = (tmp_path / "held.jsonl").read_bytes()
    assert b"Cancel it" not in held
    together = [b"Book for 4" in held, b"book for  4" in held, b"BOOK FOR 4" in held]
    assert together in ([True] * 3, [False] * 3)
    assert "3 rows share a group" in result.stderr
    assert "note: 12 held-out rows tell apart only large differences" in result.stderr


def test_outputs_pass_check_with_no_overlap(tmp_path):
    specs = [(p, t, i % 3, s, o) for i, (p, t, s, o) in enumerate(
        [(p, t, s, o) for p in PROMPTS for t in (None, "get_weather") for s in (None, "You are Trip.") for o in (False, True)])]
    (tmp_path / "data.jsonl").write_bytes(build(specs, [], False, True, False))
    result = CliRunner().invoke(cli, ["split", str(tmp_path / "data.jsonl"), "--holdout", "0.25",
                                      "-o", str(tmp_path / "train.jsonl"), "--holdout-file", str(tmp_path / "valid.jsonl")])
    assert result.exit_code == 0, result.output
    report = check_paths([tmp_path / "train.jsonl", tmp_path / "valid.jsonl"], load_settings(start=tmp_path),
                         validation=tmp_path / "valid.jsonl")
    assert not [v for v in report.violations if v.code == "TLD008"]
    # The same rows written as one file are full of overlaps: the check does see them.
    (tmp_path / "copy.jsonl").write_bytes((tmp_path / "train.jsonl").read_bytes())
    leaked = check_paths([tmp_path / "train.jsonl", tmp_path / "copy.jsonl"], load_settings(start=tmp_path),
                         validation=tmp_path / "copy.jsonl")
    assert [v for v in leaked.violations if v.code == "TLD008"]


def test_bad_input_stays_in_training_and_is_reported(tmp_path):
    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(10)]
    (tmp_path / "data.jsonl").write_bytes(build(specs, [(2, b"\xff\xfe bad"), (5, b"{not json")], False, False, False))
    result = CliRunner().invoke(cli, ["split", str(tmp_path / "data.jsonl"), "--holdout", "3",
                                      "-o", str(tmp_path / "train.jsonl"), "--holdout-file", str(tmp_path / "held.jsonl")])
    assert result.exit_code == 0, result.output
    assert "2 lines that are no JSON row (line 3, 6) kept in" in result.stderr
    assert b"\xff\xfe bad\n" in (tmp_path / "train.jsonl").read_bytes()
    assert len(lines_of((tmp_path / "held.jsonl").read_bytes())) == 3


@pytest.mark.parametrize("args, message", [
    (["--holdout", "10"], "asks for 10 rows but only 10 rows have an answer"),
    (["--holdout", "0"], "must be a positive count"),
    (["--holdout", "2.5"], "a count of rows is a whole number"),
    (["--holdout", "ten"], "neither a count of rows"),
])
def test_impossible_holdouts_are_one_line_errors(tmp_path, args, message):
    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(10)]
    (tmp_path / "data.jsonl").write_bytes(build(specs, [], False, True, False))
    result = CliRunner().invoke(cli, ["split", str(tmp_path / "data.jsonl"), *args,
                                      "-o", str(tmp_path / "train.jsonl"), "--holdout-file", str(tmp_path / "held.jsonl")])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "train.jsonl").exists() and not (tmp_path / "held.jsonl").exists()


def test_same_output_twice_and_missing_input_are_errors(tmp_path):
    same = CliRunner().invoke(cli, ["split", "x.jsonl", "--holdout", "1", "-o", str(tmp_path / "a.jsonl"),
                                    "--holdout-file", str(tmp_path / "a.jsonl")])
    missing = CliRunner().invoke(cli, ["split", str(tmp_path / "nope.jsonl"), "--holdout", "1",
                                       "-o", str(tmp_path / "a.jsonl"), "--holdout-file", str(tmp_path / "b.jsonl")])
    assert same.exit_code == 2 and "name the same file" in same.stderr
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_stdin_and_json_summary(tmp_path):
    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(10)]
    result = CliRunner().invoke(cli, ["split", "-", "--holdout", "2", "-o", str(tmp_path / "t.jsonl"),
                                      "--holdout-file", str(tmp_path / "h.jsonl"), "--output-format", "json"],
                                input=build(specs, [], False, True, False))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["held_out"] == 2 and summary["training"] == 8 and summary["strata"][0]["tools"] == ["get_weather"]


def test_a_full_disk_or_a_missing_folder_writes_nothing(tmp_path, monkeypatch):
    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(10)]
    (tmp_path / "data.jsonl").write_bytes(build(specs, [], False, True, False))
    missing = CliRunner().invoke(cli, ["split", str(tmp_path / "data.jsonl"), "--holdout", "2",
                                       "-o", str(tmp_path / "nope" / "t.jsonl"), "--holdout-file", str(tmp_path / "h.jsonl")])
    assert missing.exit_code == 2 and f"cannot write {tmp_path / 'nope' / 't.jsonl'}: No such file" in missing.stderr
    assert not (tmp_path / "h.jsonl").exists()

    from tunelint.lint.atomic import AtomicWriter

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AtomicWriter, "write", full)
    result = CliRunner().invoke(cli, ["split", str(tmp_path / "data.jsonl"), "--holdout", "2",
                                      "-o", str(tmp_path / "t.jsonl"), "--holdout-file", str(tmp_path / "h.jsonl")])
    assert result.exit_code == 2 and "No space left on device; nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl"]  # no output, no temporary file left


def test_a_file_that_changes_between_the_passes_is_not_split(tmp_path, monkeypatch):
    import tunelint.lint.split as split_module

    specs = [(f"weather {i}", "get_weather", i, None, False) for i in range(10)]
    path = tmp_path / "data.jsonl"
    path.write_bytes(build(specs, [], False, True, False))
    planned = split_module.plan_split

    def plan_then_append(source, holdout, seed=0):
        plan = planned(source, holdout, seed)
        with path.open("ab") as more:  # another writer appends between the two passes
            more.write(build(specs[:1], [], False, True, False))
        return plan

    monkeypatch.setattr(split_module, "plan_split", plan_then_append)
    result = CliRunner().invoke(cli, ["split", str(path), "--holdout", "2", "-o", str(tmp_path / "t.jsonl"),
                                      "--holdout-file", str(tmp_path / "h.jsonl")])
    assert result.exit_code == 2 and "changed while it was read; nothing was written" in result.stderr
    assert not (tmp_path / "t.jsonl").exists() and not (tmp_path / "h.jsonl").exists()


def test_preference_pairs_that_share_an_input_stay_together():
    def pair(question: str, better: str) -> dict:
        return {"input": {"messages": [{"role": "user", "content": question}]},
                "preferred_output": [{"role": "assistant", "content": better}],
                "non_preferred_output": [{"role": "assistant", "content": "No."}]}

    rows = [pair(f"Question {i}?", f"Answer {i}.") for i in range(10)]
    rows += [pair("Question 3?", "Another answer."), pair("QUESTION  3?", "A third answer.")]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    for seed in range(6):
        train, held, plan = run_split(data, 4, seed)
        assert plan.grouped_rows == 3
        sides = {side for side, text in ((0, train), (1, held)) if b"uestion 3?" in text or b"QUESTION  3?" in text}
        assert len(sides) == 1 and (held.count(b"3?") in (0, 3))
