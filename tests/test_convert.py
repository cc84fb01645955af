"""`tunelint convert`: fixture pairs per case, round trips, style, and no lost data."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from tunelint.cli.main import cli
from tunelint.convert import convert_bytes
from tunelint.lint import Settings
from tunelint.lint.conversion import legacy_row_to_tools, tools_row_to_legacy

WEATHER_FN = {"name": "get_weather", "description": "Weather now.", "strict": True,
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                             "additionalProperties": False}}

# The legacy trio with everything a converter tends to lose: a key before `messages`,
# `name` on the user, `weight` on both assistant turns, `parallel_tool_calls`, `strict`,
# an unknown top-level key, and non-ASCII text.
LEGACY = {
    "id": "ex-1",
    "messages": [
        {"role": "user", "name": "ana", "content": "Wetter in Zürich?"},
        {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}, "weight": 1},
        {"role": "function", "name": "get_weather", "content": "{\"temp\": 12}"},
        {"role": "assistant", "content": "12 °C in Zürich.", "weight": 0},
    ],
    "parallel_tool_calls": False,
    "functions": [WEATHER_FN],
    "meta": {"source": "crm"},
}


def convert(data: bytes, target="tools", split=False) -> tuple[bytes, list]:
    out, conversion = convert_bytes(data, Settings(), target, split_parallel=split)
    return out, conversion.problems


def test_legacy_row_becomes_tools_keeping_everything_else():
    out, problems = convert((json.dumps(LEGACY, ensure_ascii=False) + "\n").encode())
    assert problems == []
    row = json.loads(out)
    ident = row["messages"][1]["tool_calls"][0]["id"]
    assert ident.startswith("call_")
    assert row == {
        "id": "ex-1",
        "messages": [
            {"role": "user", "name": "ana", "content": "Wetter in Zürich?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": ident, "type": "function", "function":
                {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}}], "weight": 1},
            {"role": "tool", "tool_call_id": ident, "content": "{\"temp\": 12}"},
            {"role": "assistant", "content": "12 °C in Zürich.", "weight": 0},
        ],
        "parallel_tool_calls": False,
        "tools": [{"type": "function", "function": WEATHER_FN}],
        "meta": {"source": "crm"},
    }
    assert list(row) == ["id", "messages", "parallel_tool_calls", "tools", "meta"]  # key order kept


def test_ids_are_deterministic():
    data = (json.dumps(LEGACY) + "\n").encode()
    assert convert(data)[0] == convert(data)[0]


def test_a_function_result_with_no_call_is_reported_not_guessed():
    orphan = {"functions": [WEATHER_FN], "messages": [{"role": "user", "content": "hi"},
              {"role": "function", "name": "get_weather", "content": "12"}, {"role": "assistant", "content": "ok"}]}
    line = json.dumps(orphan) + "\n"
    out, problems = convert((line + json.dumps(LEGACY) + "\n").encode())
    assert out.decode().splitlines()[0] == line.strip()  # left exactly as it was
    assert json.loads(out.decode().splitlines()[1])["tools"]  # the next row is still converted
    (problem,) = problems
    assert problem.line == 1 and "answers no earlier `function_call`" in problem.message


def test_tools_to_legacy_drops_only_the_ids():
    tools_row = json.loads(convert((json.dumps(LEGACY) + "\n").encode())[0])
    back, problems = convert((json.dumps(tools_row) + "\n").encode(), target="legacy")
    assert problems == [] and json.loads(back) == LEGACY



def test_an_object_as_a_call_id_is_reported_not_converted():
    # An id that is an object (a paste gone wrong) cannot pair a result with its call:
    # the row is left as it is and the id is named, where it once crashed the conversion.
    row = {"messages": [{"role": "user", "content": "Rome?"},
                        {"role": "assistant", "tool_calls": [{"id": {"x": 1}, "type": "function",
                                                              "function": {"name": "get_weather", "arguments": "{}"}}]},
                        {"role": "tool", "tool_call_id": {"x": 1}, "content": "20"}],
           "tools": [{"type": "function", "function": WEATHER_FN}]}
    data = (json.dumps(row) + "\n").encode()
    out, problems = convert(data, target="legacy")
    assert out == data
    assert [(p.code, p.message.split("; ")[-1]) for p in problems] == [("TLT015", "call id is not a string")]

PARALLEL = {"messages": [
    {"role": "user", "content": "Oslo and Rome?"},
    {"role": "assistant", "content": "Checking both.", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}},
        {"id": "c2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Rome\"}"}}]},
    {"role": "tool", "tool_call_id": "c2", "content": "20"},
    {"role": "tool", "tool_call_id": "c1", "content": "8"},
    {"role": "assistant", "content": "Rome 20, Oslo 8."}], "tools": [{"type": "function", "function": WEATHER_FN}]}


def test_parallel_calls_are_reported_for_legacy_and_split_only_when_asked():
    data = (json.dumps(PARALLEL) + "\n").encode()
    out, problems = convert(data, target="legacy")
    assert out == data and "parallel calls" in problems[0].message
    split, problems = convert(data, target="legacy", split=True)
    assert problems == []
    assert json.loads(split)["messages"] == [
        {"role": "user", "content": "Oslo and Rome?"},
        {"role": "assistant", "content": "Checking both.", "function_call": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}},
        {"role": "function", "name": "get_weather", "content": "8"},
        {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": "{\"city\": \"Rome\"}"}},
        {"role": "function", "name": "get_weather", "content": "20"},
        {"role": "assistant", "content": "Rome 20, Oslo 8."}]


@pytest.mark.parametrize(("result_id", "why"), [
    ("c1", "a second result for the same parallel call"),  # two results for c1: splitting kept only one
    ("c9", "tool result answers none of the parallel calls"),  # answers no call: it lost its id
    (["c1"], "tool result answers none of the parallel calls"),  # an id that is a list: it crashed
])
def test_a_parallel_turn_whose_results_do_not_pair_up_is_reported_not_split(result_id, why):
    row = json.loads(json.dumps(PARALLEL))
    row["messages"][2]["tool_call_id"] = result_id  # the result for c2 now answers something else
    data = (json.dumps(row) + "\n").encode()
    out, problems = convert(data, target="legacy", split=True)
    assert out == data
    assert [p.line for p in problems] == [1] and why in problems[0].message, problems[0].message


@pytest.mark.parametrize(("separators", "ascii_only"), [((",", ":"), False), ((", ", ": "), False), ((", ", ": "), True)])
def test_converted_rows_keep_the_files_json_style(separators, ascii_only):
    line = json.dumps(LEGACY, separators=separators, ensure_ascii=ascii_only)
    out, _ = convert((line + "\n").encode())
    row = json.loads(out)
    assert out.decode() == json.dumps(row, separators=separators, ensure_ascii=ascii_only) + "\n"


def test_untouched_rows_crlf_and_missing_final_newline_are_kept():
    odd = '{ "messages" : [ {"role":"user","content":"hi"} , {"role":"assistant","content":"yo"} ] }'
    data = (odd + "\r\n" + json.dumps(LEGACY)).encode()  # CRLF, and no newline at the end
    out, _ = convert(data)
    first, second = out.split(b"\r\n")
    assert first == odd.encode()
    assert not second.endswith(b"\n") and json.loads(second)["tools"]


def test_unparsable_rows_are_left_alone_and_reported():
    data = b'{"messages": [\n' + (json.dumps(LEGACY) + "\n").encode()
    out, problems = convert(data)
    assert out.startswith(b'{"messages": [\n')
    assert [p.name for p in problems] == ["invalid-json"]


def test_integers_past_64_bits_survive_both_ways():
    # orjson reads these as floats (1.2345678901234568e+29): a conversion must write them as they were.
    row = {**LEGACY, "seed": 123456789012345678901234567890, "low": -9999999999999999999, "high": 18446744073709551615}
    tools, problems = convert((json.dumps(row) + "\n").encode())
    assert problems == []
    assert b'"seed": 123456789012345678901234567890, "low": -9999999999999999999' in tools
    back, problems = convert(tools, target="legacy")
    assert problems == [] and json.loads(back) == row


def test_a_row_that_repeats_a_key_is_reported_not_rewritten():
    # Row 1 says `content` twice in its answer: the parser keeps "12 °C.", so a rewrite
    # would drop "Cold.". Row 2 writes a colon as an escape (`\\u003a`) and repeats
    # nothing: it converts. Row 3 is the plain legacy row.
    repeated = json.dumps(LEGACY)[:-1].replace('"content": "12 \\u00b0C in Z\\u00fcrich."',
                                             '"content": "Cold.", "content": "12 \\u00b0C in Z\\u00fcrich."')
    escaped = json.dumps({**LEGACY, "id": "at 10:30"}).replace("10:30", "10\\u003a30")
    assert repeated.count('"content": "Cold."') == 1 and "\\u003a" in escaped
    data = (repeated + "}\n" + escaped + "\n" + json.dumps(LEGACY) + "\n").encode()
    out, problems = convert(data)
    lines = out.split(b"\n")
    assert lines[0] == (repeated + "}").encode()  # byte for byte as it was
    assert json.loads(lines[1])["id"] == "at 10:30" and "tools" in json.loads(lines[1])
    assert "tools" in json.loads(lines[2])
    assert [(p.line, p.code) for p in problems] == [(1, "TLT002")]
    assert "repeats the key `content`" in problems[0].message


def test_the_arguments_fix_edits_only_their_span_even_on_a_row_that_repeats_a_key(tmp_path):
    # Arguments given as an object, which the fix writes as a JSON string of their own text:
    # the edit touches that span only, so a row whose `weight` appears twice keeps both (a
    # fix that wrote the row back from its parsed value would drop one), and numbers keep
    # their text (1.50, not 1.5).
    row = {"messages": [{"role": "user", "content": "Weather?"},
                        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                         "function": {"name": "get_weather", "arguments": {"city": "Oslo", "days": 2}}}]},
                        {"role": "tool", "tool_call_id": "c1", "content": "12"},
                        {"role": "assistant", "content": "12 in Oslo.", "weight": 1}],
           "tools": [{"type": "function", "function": WEATHER_FN}]}
    plain = json.dumps(row).replace('"days": 2', '"days": 1.50')
    twice = plain.replace('"weight": 1', '"weight": 0, "weight": 1')
    path = tmp_path / "train.jsonl"
    path.write_text(twice + "\n" + plain + "\n")
    CliRunner().invoke(cli, ["check", "--fix", "--no-progress", str(path)])
    first, second, _ = path.read_text().split("\n")
    as_string = '"arguments": "{\\"city\\": \\"Oslo\\", \\"days\\": 1.50}"'
    assert first == twice.replace('"arguments": {"city": "Oslo", "days": 1.50}', as_string)
    assert second == plain.replace('"arguments": {"city": "Oslo", "days": 1.50}', as_string)


# --- round trips over generated rows -----------------------------------------------------

names = st.sampled_from(["get_weather", "book", "search_flights"])
args = st.dictionaries(st.sampled_from(["city", "date", "n"]), st.text(max_size=5) | st.integers(), max_size=3).map(json.dumps)
extras = st.fixed_dictionaries({}, optional={"weight": st.sampled_from([0, 1]), "name": st.sampled_from(["ana", "bo"])})


@st.composite
def legacy_rows(draw):
    messages = [{"role": "system", "content": draw(st.text(min_size=1, max_size=8))}]
    for _ in range(draw(st.integers(1, 3))):
        messages.append({"role": "user", "content": draw(st.text(min_size=1, max_size=8))})
        if draw(st.booleans()):
            name = draw(names)
            messages.append({"role": "assistant", "content": None, "function_call": {"name": name, "arguments": draw(args)}, **draw(extras)})
            messages.append({"role": "function", "name": name, "content": draw(st.text(max_size=8))})
        messages.append({"role": "assistant", "content": draw(st.text(min_size=1, max_size=8)), **draw(extras)})
    row = {"messages": messages, "functions": [{"name": n, "parameters": {"type": "object", "properties": {}}} for n in ["get_weather", "book", "search_flights"]]}
    if draw(st.booleans()):
        row["parallel_tool_calls"] = draw(st.booleans())
    return row


@settings(max_examples=150, deadline=None)
@given(legacy_rows())
def test_legacy_to_tools_to_legacy_gives_back_the_same_rows(row):
    tools = legacy_row_to_tools(row).value
    assert tools is not None and "functions" not in tools
    assert tools_row_to_legacy(tools).value == row


def _without_ids(row):
    text = json.dumps(row)
    for message in row["messages"]:
        for call in message.get("tool_calls", []):
            text = text.replace(call["id"], "ID")
    return json.loads(text)


@settings(max_examples=150, deadline=None)
@given(legacy_rows())
def test_tools_to_legacy_to_tools_gives_back_the_same_rows_up_to_ids(row):
    tools = legacy_row_to_tools(row).value
    again = legacy_row_to_tools(tools_row_to_legacy(tools).value).value
    assert _without_ids(again) == _without_ids(tools)


# --- the command -------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_convert_and_check_fix_give_identical_bytes(folder):
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [LEGACY, PARALLEL, LEGACY])
    Path("a.jsonl").write_text(data, "utf-8")
    Path("b.jsonl").write_text(data, "utf-8")
    runner = CliRunner()
    runner.invoke(cli, ["convert", "a.jsonl", "--in-place"])
    runner.invoke(cli, ["check", "b.jsonl", "--fix", "--select", "TLT002"])
    assert Path("a.jsonl").read_bytes() == Path("b.jsonl").read_bytes() != data.encode()


def test_a_rule_failing_mid_conversion_is_a_clear_error_and_the_file_is_intact(folder, monkeypatch):
    # A bug in tunelint (here, simulated in the converter) must not show a traceback or touch the file.
    import tunelint.lint.rules.tools.tlt002_legacy_function_format as legacy_format  # the rule convert applies

    def broken(*args):
        raise KeyError("simulated")

    monkeypatch.setattr(legacy_format, "legacy_fix", broken)
    data = json.dumps(LEGACY) + "\n"
    Path("a.jsonl").write_text(data)
    result = CliRunner().invoke(cli, ["convert", "a.jsonl", "--in-place"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)  # not the InternalError escaping
    assert "internal error while checking line 1: KeyError" in result.stderr
    assert Path("a.jsonl").read_text() == data


def test_check_and_diff_write_nothing(folder):
    data = json.dumps(LEGACY) + "\n"
    Path("a.jsonl").write_text(data)
    runner = CliRunner()
    checked = runner.invoke(cli, ["convert", "--check", "a.jsonl"])
    diffed = runner.invoke(cli, ["convert", "--diff", "a.jsonl"])
    assert checked.exit_code == diffed.exit_code == 1
    assert "@@ -1,1 +1,1 @@" in diffed.stdout and "+{" in diffed.stdout
    assert Path("a.jsonl").read_text() == data
    Path("a.jsonl").write_text(json.dumps(PARALLEL) + "\n")
    assert runner.invoke(cli, ["convert", "--check", "a.jsonl"]).exit_code == 0


def test_a_tree_in_place_with_a_summary(folder):
    Path("data/sub").mkdir(parents=True)
    Path("data/a.jsonl").write_text(json.dumps(LEGACY) + "\n")
    Path("data/sub/b.jsonl").write_text(json.dumps(PARALLEL) + "\n" + json.dumps(LEGACY) + "\n")
    result = CliRunner().invoke(cli, ["convert", "data", "--in-place"])
    assert result.exit_code == 0, result.stderr
    assert "2 files: converted 2 rows, left 1 alone, 0 problems." in result.stderr
    assert all("tools" in json.loads(line) for f in ("data/a.jsonl", "data/sub/b.jsonl") for line in Path(f).read_text().splitlines())


def test_in_place_follows_a_symlink_to_its_file(folder):
    Path("real.jsonl").write_text(json.dumps(LEGACY) + "\n")
    Path("link.jsonl").symlink_to("real.jsonl")
    CliRunner().invoke(cli, ["convert", "link.jsonl", "--in-place"])
    assert Path("link.jsonl").is_symlink() and "tools" in json.loads(Path("real.jsonl").read_text())


def test_in_place_refuses_a_file_it_cannot_write_back(folder):
    Path("locked.jsonl").write_text(json.dumps(LEGACY) + "\n")
    subprocess.run(["chattr", "+i", "locked.jsonl"], check=True)  # immutable: not even root may write it
    try:
        result = CliRunner().invoke(cli, ["convert", "locked.jsonl", "--in-place"])
    finally:
        subprocess.run(["chattr", "-i", "locked.jsonl"], check=True)
    assert result.exit_code == 2 and "cannot write it back" in result.stderr
    assert "functions" in json.loads(Path("locked.jsonl").read_text())


def test_output_file_and_stdin(folder):
    Path("a.jsonl").write_text(json.dumps(LEGACY) + "\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["convert", "a.jsonl", "-o", "b.jsonl"]).exit_code == 0
    piped = runner.invoke(cli, ["convert", "-"], input=json.dumps(LEGACY) + "\n")
    assert piped.stdout.encode() == Path("b.jsonl").read_bytes()
    assert "functions" in Path("a.jsonl").read_text()


def writing(pid: int, folder: Path) -> bool:
    """Whether process `pid` has its new file open in `folder` (unnamed, or a named temporary)."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)) and ("(deleted)" in target or target.endswith(".tunelint-tmp")):
            return True
    return False


def test_a_killed_conversion_leaves_the_original_intact_and_no_file_behind(folder):
    line = json.dumps(LEGACY) + "\n"
    Path("big.jsonl").write_text(line * 60_000)  # ~40 MB: long enough to kill mid-write
    original = Path("big.jsonl").read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "tunelint.cli", "convert", "big.jsonl", "--in-place", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not writing(proc.pid, folder):
        time.sleep(0.01)
    time.sleep(0.2)  # some of the new file written
    assert proc.poll() is None, "finished before it could be killed; make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert Path("big.jsonl").read_bytes() == original
    # The new file had no name yet (where the system allows; else the next run sweeps it).
    subprocess.run([sys.executable, "-m", "tunelint.cli", "convert", "big.jsonl", "--in-place"], capture_output=True)
    assert [p.name for p in folder.iterdir()] == ["big.jsonl"]


def test_a_plain_check_reports_the_conversion_fix_without_writing_the_row(monkeypatch):
    # A legacy row (the LEGACY trio) checked as a lint is: the fix is offered, [*] and all,
    # but the converted row is never written, and the report does not hold it; a report
    # made with edits (JSON output, editors) holds exactly what `convert` writes.
    from tunelint.lint import check_bytes
    from tunelint.lint.jsonstyle import JsonStyle

    data = (json.dumps(LEGACY, ensure_ascii=False) + "\n").encode()
    written = []
    real_dumps = JsonStyle.dumps
    monkeypatch.setattr(JsonStyle, "dumps", lambda self, value, literals=False: written.append(1) or real_dumps(self, value, literals))
    plain = [v for v in check_bytes(data, "t.jsonl", Settings()).violations if v.code == "TLT002"]
    assert [(v.fix.title, v.fix.applicability.value, v.fix.lines) for v in plain] == [
        ("Convert the row to the `tools` format", "safe", None)]
    assert written == []

    shown = [v for v in check_bytes(data, "t.jsonl", Settings(), edits=True).violations if v.code == "TLT002"]
    converted, _ = convert_bytes(data, Settings())
    assert [line.encode() + b"\n" for line in shown[0].fix.lines] == [converted]


def test_json_output_shows_the_conversion_and_concise_output_marks_it_fixable(tmp_path):
    # The CLI asks for edits only for the formats that show them.
    path = tmp_path / "legacy.jsonl"
    path.write_text(json.dumps(LEGACY, ensure_ascii=False) + "\n", "utf-8")
    shown = json.loads(CliRunner().invoke(cli, ["check", str(path), "--select", "TLT002", "--output-format", "json"]).output)
    assert json.loads(shown[0]["fix"]["edits"][0]["replacement"][0]) == legacy_row_to_tools(LEGACY).value
    concise = CliRunner().invoke(cli, ["check", str(path), "--select", "TLT002", "--output-format", "concise"]).output
    assert "TLT002 [*] row uses the deprecated function-calling format" in concise
