"""The arguments-object fix (invalid-arguments-json) follows the file's arguments strings in
every path that writes fixes: `check --fix` and `--diff`, a check that keeps its fixes'
edits, a large file fixed or checked on several processes, and the editor's quick fix.

The file is compact, as OpenPipe's train.jsonl in the corpus is (arguments strings such as
`{"language":"Italian"}`, written by JavaScript): a row that gives its arguments as an
object must get `{"order_id":"A-1111","n":2}`, not json.dumps's `{"order_id": "A-1111", "n": 2}`.
"""

import json

import orjson

from tunelint.lint import Session, Settings, apply_fixes, check_bytes, check_file, fix_file
from tunelint.lint import fix, workers

SELECT = Settings(select=["invalid-arguments-json"])
TOOLS = [{"type": "function", "function": {"name": "lookup_order", "parameters": {
    "type": "object", "properties": {"order_id": {"type": "string"}, "n": {"type": "integer"}}, "required": ["order_id"]}}}]
COMPACT_FIX = '"{\\"order_id\\":\\"A-1111\\",\\"n\\":2}"'  # the arguments as the fixed row holds them
SPACED_FIX = '"{\\"order_id\\": \\"A-1111\\", \\"n\\": 2}"'


def order_row(i: int, arguments) -> str:
    """A compact row (orjson's style) calling lookup_order with `arguments` (a string or an object)."""
    return orjson.dumps({"messages": [
        {"role": "user", "content": f"Where is order {i}?"},
        {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                                              "function": {"name": "lookup_order", "arguments": arguments}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "shipped"},
        {"role": "assistant", "content": "Shipped."}], "tools": TOOLS}).decode()


def compact_string(i: int) -> str:
    return json.dumps({"order_id": f"A-{i}", "n": i}, separators=(",", ":"))


def compact_file(rows: int, objects_every: int = 10) -> bytes:
    """A compact file: every row's arguments a compact string, but every `objects_every`-th an object."""
    lines = [order_row(i, {"order_id": "A-1111", "n": 2} if i % objects_every == 9 else compact_string(i))
             for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def fixed_arguments(data: bytes) -> set[str]:
    """The texts of the arguments the fix wrote (the rows about order A-1111)."""
    return {line.split('"arguments":', 1)[1].split("}}]", 1)[0] for line in data.decode().splitlines() if "A-1111" in line}


def test_check_fix_on_a_compact_file_writes_compact_arguments(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(compact_file(30))
    fix_file(path, SELECT)
    assert fixed_arguments(path.read_bytes()) == {COMPACT_FIX}


def test_a_file_whose_first_arguments_string_comes_late_still_gives_its_style(tmp_path):
    # 800 rows without a call, then compact strings, then the object: the sample reads on.
    plain = orjson.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
    data = plain + b"\n"
    data = data * 800 + compact_file(10)
    fixed, _ = apply_fixes(data, SELECT, "train.jsonl")
    assert fixed_arguments(fixed) == {COMPACT_FIX}


def test_the_fixes_a_check_keeps_follow_the_file(tmp_path):
    # `check --output-format json` with the fixes' edits: the rows the fix would write.
    data = compact_file(20)
    (violation, *more) = check_bytes(data, "train.jsonl", SELECT, edits=True).violations
    assert COMPACT_FIX in violation.fix.lines[0]
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)
    assert [v.fix.lines for v in check_file(path, SELECT, edits=True).violations] == \
           [v.fix.lines for v in (violation, *more)]


def test_a_file_fixed_on_several_processes_is_the_file_fixed_on_one(tmp_path, monkeypatch):
    # The compact strings are in the first rows, the objects in every piece: each worker's
    # fixes follow the style learnt from the file's first rows, not from its own piece.
    data = compact_file(400)
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)
    serial_out, split_out = tmp_path / "serial.jsonl", tmp_path / "split.jsonl"
    serial = fix_file(path, SELECT, output=serial_out, keep_changes=True)
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(fix, "PIECE_BYTES", 4000)  # dozens of pieces, a few rows each
    split = fix_file(path, SELECT, output=split_out, keep_changes=True, jobs=2)
    assert split_out.read_bytes() == serial_out.read_bytes()
    assert split.changes == serial.changes and serial.rows_changed == 40
    assert fixed_arguments(split_out.read_bytes()) == {COMPACT_FIX}
    # A parallel check that keeps the fixes' edits writes them the same way.
    checked = check_file(path, SELECT, edits=True, jobs=2)
    assert {line.split('"arguments":', 1)[1].split("}}]", 1)[0] for v in checked.violations for line in v.fix.lines} \
        == {COMPACT_FIX}


def test_a_spaced_file_gets_spaced_arguments_whatever_its_lines_style(tmp_path):
    # The lines are compact, the arguments strings spaced (json.dumps inside JavaScript):
    # the arguments follow the file's arguments strings, not the line.
    lines = [order_row(i, json.dumps({"order_id": f"A-{i}", "n": i})) for i in range(5)]
    lines.append(order_row(5, {"order_id": "A-1111", "n": 2}))
    fixed, _ = apply_fixes(("\n".join(lines) + "\n").encode(), SELECT, "train.jsonl")
    assert fixed_arguments(fixed) == {SPACED_FIX}


def test_the_editors_quick_fix_writes_what_check_fix_writes():
    # The document is the file: the quick fix asked for on one row follows the document's
    # other rows, as `check --fix` of the same text does.
    text = compact_file(20).decode()
    lines = text.split("\n")[:-1]
    session = Session("train.jsonl", SELECT, jobs=1)
    found = session.lint(lines)
    assert [v.line for v in found] == [10, 20]
    fixed, _ = apply_fixes(text.encode(), SELECT, "train.jsonl")
    for v in found:
        (quick,) = session.fix_lines(lines, v)
        assert quick == fixed.decode().split("\n")[v.line - 1]
        assert COMPACT_FIX in quick


def test_check_diff_shows_the_compact_string(tmp_path):
    from click.testing import CliRunner

    from tunelint.cli.main import cli

    path = tmp_path / "train.jsonl"
    path.write_bytes(compact_file(10))
    result = CliRunner().invoke(cli, ["check", str(path), "--diff", "--select", "invalid-arguments-json"])
    added = [line for line in result.stdout.splitlines() if line.startswith("+{")]
    assert len(added) == 1 and COMPACT_FIX in added[0]
    assert path.read_bytes() == compact_file(10)  # a diff writes nothing


def test_a_plain_check_never_reads_the_sample(tmp_path, monkeypatch):
    # What makes the file's style free for a check that writes no fix: it is never learnt.
    from tunelint.lint import file_style

    def refuse(rows):
        raise AssertionError("a plain check learnt the file's style")

    monkeypatch.setattr(file_style, "arguments_separators", refuse)
    path = tmp_path / "train.jsonl"
    path.write_bytes(compact_file(20))
    assert [v.line for v in check_file(path, SELECT).violations] == [10, 20]
    assert [v.line for v in check_bytes(compact_file(20), "t.jsonl", SELECT).violations] == [10, 20]
