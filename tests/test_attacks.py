"""The attack suite: inputs and events that once lost data, crashed or hung tunelint.

Each test says what it attacks. The longer runs (random kills, many concurrent writers,
a long editor fuzz) are in `test_attacks_slow.py`, marked slow (`.ci/run` runs them).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import WEATHER, assistant, call, calls_turn, jsonl, result, user
from lsp_wire import Wire
from tunelint.cli.main import cli
from tunelint.lint import Session, Settings, check_file, check_text, engine, workers
from tunelint.lint.atomic import SourceChanged
from tunelint.lint.conversion import legacy_row_to_tools, tools_row_to_legacy
from tunelint.lint.fix import apply_fixes, fix_file

LEGACY = {"functions": [{"name": "f", "parameters": {"type": "object", "properties": {}}}],
          "messages": [{"role": "user", "content": "go"},
                       {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
                       {"role": "function", "name": "f", "content": "ok"},
                       {"role": "assistant", "content": "done"}]}


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tunelint.cli", *args], input=stdin, capture_output=True, cwd=cwd,
                          timeout=120)


def legacy_file(path: Path, rows: int) -> bytes:
    data = "".join(json.dumps(dict(LEGACY, messages=[user(f"go {i}"), *LEGACY["messages"][1:]])) + "\n"
                   for i in range(rows)).encode()
    path.write_bytes(data)
    return data


# --- a file that changes while it is rewritten ----------------------------------------------------

@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_saved_over_during_a_conversion_is_not_written_over(tmp_path, monkeypatch, jobs):
    # An editor's atomic save (a new file renamed over the path) while `convert --in-place`
    # reads: the run reads one file throughout and refuses to rename over the newer one.
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr("tunelint.lint.fix.PIECE_BYTES", 2000)
    path = tmp_path / "train.jsonl"
    legacy_file(path, 200)
    saved = b'{"messages": [{"role": "user", "content": "the editor saved this"}]}\n'

    def save_over(_: int) -> None:
        if not (tmp_path / "saved").exists():
            (tmp_path / "saved").write_bytes(b"")
            (tmp_path / "new.jsonl").write_bytes(saved)
            os.replace(tmp_path / "new.jsonl", path)

    with pytest.raises(SourceChanged, match="replaced while it was read"):
        fix_file(path, Settings(), jobs=jobs, on_progress=save_over)
    assert path.read_bytes() == saved
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tunelint-tmp")]


def test_a_file_appended_to_during_a_conversion_is_not_written(tmp_path):
    path = tmp_path / "train.jsonl"
    original = legacy_file(path, 50)
    extra = json.dumps(LEGACY).encode() + b"\n"

    def append(_: int) -> None:
        if path.stat().st_size == len(original):
            with path.open("ab") as out:
                out.write(extra)

    with pytest.raises(SourceChanged, match="changed while it was read"):
        fix_file(path, Settings(), on_progress=append)
    assert path.read_bytes() == original + extra


def test_a_file_changed_while_it_is_checked_is_an_error_not_a_report(tmp_path):
    path = tmp_path / "train.jsonl"
    legacy_file(path, 50)
    report = check_file(path, Settings(), on_progress=lambda _: path.open("ab").close() or os.utime(path, (1, 1)))
    assert report.error and "changed while it was checked" in report.error


def test_two_conversions_of_one_file_at_once_never_tear_it(tmp_path):
    # Two `convert --in-place` a moment apart (on 2 cores, a few MB in pieces): one writes, the
    # other finds the file replaced and writes nothing. The file is the one conversion, whole.
    path = tmp_path / "train.jsonl"
    data = legacy_file(path, 6000)
    expected, _ = apply_fixes(data, Settings())
    first = subprocess.Popen([sys.executable, "-m", "tunelint.cli", "convert", str(path), "--in-place", "--jobs", "2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    second = run("convert", str(path), "--in-place", "--jobs", "2")
    first_err = first.communicate(timeout=120)[1].decode()
    assert path.read_bytes() == expected
    codes = sorted([first.returncode, second.returncode])
    assert codes in ([0, 0], [0, 2]), (first_err, second.stderr)
    if codes == [0, 2]:
        assert b"nothing was written" in second.stderr or "nothing was written" in first_err


# --- rows that must come back whole --------------------------------------------------------------

def deep_legacy_row(depth: int) -> str:
    """A legacy row whose message repeats `content` inside an object `depth` levels down."""
    inner = '{"content": null, "content": "KEEPME"}'
    nested = '{"k": ' * depth + inner + "}" * depth
    return ('{"functions": [{"name": "f"}], "messages": [{"role": "user", "content": "go"}, '
            '{"role": "assistant", "content": null, "function_call": {"name": "f", "arguments": "{}"}}, '
            f'{{"role": "function", "name": "f", "content": "x", "meta": {nested}}}]}}')


@pytest.mark.parametrize("depth", [10, 500, 960, 977, 1010])
def test_a_repeated_key_at_any_depth_is_never_dropped(tmp_path, depth):
    # Once, past ~960 levels the repeated-key screen gave up and said "none": the fix wrote
    # the row without the first `content`. Now every depth the parser reads is screened.
    row = deep_legacy_row(depth)
    data = (row + "\n").encode()
    fixed, outcome = apply_fixes(data, Settings())
    assert fixed == data and outcome.fixes == 0
    path = tmp_path / "t.jsonl"
    path.write_bytes(data)
    converted = run("convert", str(path), "-o", str(tmp_path / "out.jsonl"))
    assert converted.returncode in (0, 1)
    assert (tmp_path / "out.jsonl").read_bytes() == data
    in_place = run("check", "--fix", str(path))
    assert path.read_bytes() == data, in_place.stderr


def test_converting_to_legacy_reports_what_legacy_has_no_place_for():
    tools_row = {"tools": [{"type": "function", "function": {"name": "f"}, "x_owner": "team-a"}],
                 "messages": [user(), {"role": "assistant", "tool_calls": [
                     {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}, "index": 0}]},
                              result("c1"), assistant()]}
    found = tools_row_to_legacy(tools_row)
    assert found.value is None and "x_owner" in found.problems[0][1]
    del tools_row["tools"][0]["x_owner"]
    found = tools_row_to_legacy(tools_row)
    assert found.value is None and "`index`" in found.problems[0][1]
    empty = {"messages": [user(), {"role": "assistant", "content": "hi", "tool_calls": []}]}
    assert "empty `tool_calls`" in tools_row_to_legacy(empty).problems[0][1]
    # Reported by the command, the file left as it is.
    data = jsonl(tools_row).encode()
    converted, outcome = apply_fixes(data, Settings(select=["TLT015"]), collect=True)
    assert converted == data and [v.code for v in outcome.remaining] == ["TLT015"]


@pytest.mark.parametrize(("row", "why"), [
    ({"functions": [{"name": "f"}], "messages": [user(), {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
                                                 {"role": "function", "name": "f", "tool_call_id": "mine", "content": "1"}]},
     "already has a `tool_call_id`"),
    ({"functions": [{"name": "f"}], "messages": [user(), {"role": "assistant", "function_call": {"arguments": "{}"}}]},
     "has no name"),
    ({"functions": ["notadict"], "messages": [user(), assistant()]}, "not an object"),
])
def test_legacy_rows_that_would_not_convert_back_are_left_whole(row, why):
    assert why in legacy_row_to_tools(row).problems[0][1]
    data = jsonl(row).encode()
    assert apply_fixes(data, Settings())[0] == data


def test_numbers_are_written_back_as_they_were_written():
    text = json.dumps(LEGACY).replace('"properties": {}', '"properties": {}, "x": 0.12345678901234567890123, '
                                                          '"y": 1e-400, "z": 1.50, "n": 123456789012345678901234567890')
    fixed, outcome = apply_fixes((text + "\n").encode(), Settings())
    assert outcome.fixes == 1
    assert b'"x": 0.12345678901234567890123, "y": 1e-400, "z": 1.50, "n": 123456789012345678901234567890' in fixed


def test_a_fix_that_would_change_nothing_is_not_applied_or_offered(tmp_path):
    rows = [{"messages": [{"role": "user", "content": "hi", "function_call": {"name": "f", "arguments": "{}"}},
                          assistant()]},
            {"functions": None, "messages": [user(), assistant()]}]
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl(*rows))
    before = path.read_bytes()
    done = CliRunner().invoke(cli, ["check", "--fix", "--output-format", "concise", "--no-progress", str(path)])
    assert path.read_bytes() == before
    assert "Fixed" not in done.output and "[*]" not in done.output


# --- crashes -------------------------------------------------------------------------------------

def test_a_dpo_pair_with_arguments_given_as_an_object_is_checked_not_crashed_on(tmp_path):
    pair = {"input": {"messages": [user("hi")]},
            "preferred_output": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                                                         "function": {"name": "f", "arguments": {}}}]}],
            "non_preferred_output": [assistant("no")]}
    found = {v.code for v in check_text(jsonl(pair), "t.jsonl").violations}
    assert "TLT005" in found
    chosen = {"chosen": [user("hi"), pair["preferred_output"][0]], "rejected": [user("hi"), assistant("no")]}
    path = tmp_path / "pairs.jsonl"
    path.write_text(jsonl(chosen))
    done = run("check", "--select", "ALL", "--fix", "--unsafe-fixes", str(path))
    assert done.returncode == 1 and b"internal error" not in done.stderr


def test_a_rules_bug_in_a_worker_names_the_files_line(tmp_path, monkeypatch):
    from tunelint.lint import survey

    real = survey._survey

    def buggy(items):
        if any(type(m) is dict and m.get("content") == "BOOM" for m in items):
            raise ZeroDivisionError("a bug")
        return real(items)

    monkeypatch.setattr(survey, "_survey", buggy)
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    rows = [{"messages": [user(f"q{i}"), assistant("a")]} for i in range(300)]
    rows[249] = {"messages": [user("BOOM"), assistant("a")]}
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl(*rows))
    with pytest.raises(engine.InternalError, match="checking line 250: ZeroDivisionError"):
        check_file(path, Settings(), jobs=2)


@pytest.mark.parametrize("text", ['tool = 5', 'tool = "tunelint"', '[tool]\ntunelint = 5', '[tool.tunelint]\nselect = ["TLT"',
                                  '[project]\nname = "x\n[tool.tunelint]\nselect = ["ALL"]'])
def test_a_broken_pyproject_is_one_line_and_exit_2(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text + "\n")
    (tmp_path / "t.jsonl").write_text(jsonl({"messages": [user(), assistant()]}))
    done = run("check", "t.jsonl", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count(b"\n") == 1 and b"pyproject.toml" in done.stderr
    assert b"Traceback" not in done.stderr


def test_paths_that_cannot_be_read_are_one_line_each_and_exit_2(tmp_path):
    (tmp_path / "a.jsonl").symlink_to("b.jsonl")
    (tmp_path / "b.jsonl").symlink_to("a.jsonl")
    done = run("check", "a.jsonl", "--validation", "missing.jsonl", cwd=tmp_path)
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert b"a.jsonl: Too many levels of symbolic links" in done.stderr
    assert b"missing.jsonl: no such file or directory" in done.stderr


def test_an_unreadable_folder_is_said_and_the_rest_is_checked(tmp_path, monkeypatch):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "t.jsonl").write_text(jsonl({"messages": [user(), assistant()]}))
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(folder):
        if str(folder).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(folder)

    monkeypatch.setattr(os, "scandir", scandir)
    done = CliRunner().invoke(cli, ["check", "--no-progress", "--output-format", "concise", str(tmp_path)])
    assert done.exit_code == 2 and "locked: Permission denied" in done.stderr
    assert "t.jsonl" in done.output  # the readable file was still checked


def test_a_folder_that_links_to_itself_is_walked_once(tmp_path):
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "t.jsonl").write_text(jsonl({"messages": [user(), assistant()]}))
    (folder / "s1").symlink_to(".")
    (folder / "s2").symlink_to(".")
    done = run("check", "--output-format", "concise", str(folder))
    assert done.stdout.decode().count("t.jsonl:1:") == 1  # one file, once (too-few-examples)


def test_writing_where_it_cannot_is_one_line_and_exit_2(tmp_path):
    data = jsonl(LEGACY).encode()
    done = run("convert", "-", "-o", str(tmp_path / "missing" / "out.jsonl"), stdin=data)
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert f"cannot write {tmp_path / 'missing' / 'out.jsonl'}: No such file".encode() in done.stderr
    for args in (["check"], ["stats"], ["check", "--fix", "-"]):
        with open("/dev/full", "wb") as full:
            path = tmp_path / "t.jsonl"
            path.write_bytes(data)
            done = subprocess.run([sys.executable, "-m", "tunelint.cli", *args, *([] if "-" in args else [str(path)])],
                                  input=data, stdout=full, stderr=subprocess.PIPE, timeout=60)
        assert done.returncode == 2 and b"No space left on device" in done.stderr, args
        assert b"Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl(*[{"messages": [user(""), assistant("")]} for _ in range(2000)]))
    proc = subprocess.Popen(f"{sys.executable} -m tunelint.cli check {path} | head -c 10", shell=True,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert b"Traceback" not in proc.communicate(timeout=60)[1]


# --- pipes and FIFOs -----------------------------------------------------------------------------

def test_a_fifo_nobody_writes_to_reads_as_empty_and_is_never_rewritten(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNELINT_FIFO_WAIT", "0.2")
    fifo = tmp_path / "train.jsonl"
    os.mkfifo(fifo)
    assert b"file holds no rows" in run("check", "--output-format", "concise", str(fifo)).stdout
    for args in (["check", "--fix"], ["convert", "--in-place"]):
        done = run(*args, str(fifo))
        assert done.returncode == 2 and b"not a regular file" in done.stderr, args


def test_a_fifo_with_a_writer_is_read_once_even_if_the_writer_comes_late(tmp_path):
    fifo = tmp_path / "train.jsonl"
    os.mkfifo(fifo)
    data = jsonl(LEGACY).encode()

    def feed() -> None:
        import time

        time.sleep(1)  # the reader opens first and waits for it
        with open(fifo, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    done = run("convert", "--check", str(fifo))
    writer.join(10)
    assert done.returncode == 1 and b"would convert 1 row" in done.stderr


# --- results that must not depend on order --------------------------------------------------------

def test_findings_do_not_depend_on_the_order_of_rows_or_documents(tmp_path):
    # One array declared as `functions` on one row and (wrongly) as `tools` on another: once
    # a cache keyed by the array's fingerprint alone let the first row seen decide the names.
    declared = [{"name": "f", "parameters": {"type": "object"}}]
    good = [{"type": "function", "function": {"name": "f"}}]
    rows = [{"functions": declared, "messages": [user("a"), assistant()]},
            {"tools": declared, "messages": [user("b"), assistant()]},
            *[{"tools": good, "messages": [user(f"q{i}"), assistant()]} for i in range(3)]]
    settings = Settings(select=["TLD004"])
    forward = check_text(jsonl(*rows), "t.jsonl", settings).violations
    backward = check_text(jsonl(*rows[1:], rows[0]), "t.jsonl", settings).violations
    assert forward == backward == []
    alone = Session("/tmp/b.jsonl", settings, jobs=1).lint([json.dumps(r) for r in rows[1:]])
    first = Session("/tmp/a.jsonl", settings, jobs=1)
    first.lint([json.dumps(rows[0])])
    after = Session("/tmp/b.jsonl", settings, jobs=1).lint([json.dumps(r) for r in rows[1:]])
    assert [(v.line, v.code) for v in alone] == [(v.line, v.code) for v in after]


# --- positions -----------------------------------------------------------------------------------

@pytest.mark.parametrize("line", ['{"a": 1', '{"é": 1', '{"a": 1} x', "{", '"', '{"a": tru', '[1, 2', "\u00e9\u00e9{"])
def test_no_range_runs_past_its_line(line):
    for v in check_text(line + "\n", "t.jsonl").violations:
        assert 0 <= v.col <= v.end_col <= len(line), (v.code, v.col, v.end_col, len(line))


# --- output --------------------------------------------------------------------------------------

@pytest.mark.parametrize("output_format", ["junit", "github", "concise", "full"])
def test_control_characters_from_the_data_never_reach_the_output_raw(tmp_path, output_format):
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl({"messages": [{"role": "us\u001b[2Jer\u0007", "content": "hi"}, assistant()]}))
    out = run("check", "--output-format", output_format, str(path)).stdout.decode()
    assert "\u001b" not in out and "\u0007" not in out and "\\u001b" in out
    if output_format == "junit":
        import xml.dom.minidom

        xml.dom.minidom.parseString(out)


# --- writing in place ----------------------------------------------------------------------------

@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_in_place_keeps_the_files_owner_and_mode(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(jsonl(LEGACY))
    os.chown(path, 65534, 65534)
    os.chmod(path, 0o640)
    assert run("convert", "--in-place", str(path)).returncode == 0
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)
    assert "tools" in json.loads(path.read_text())


def test_a_full_disk_leaves_the_original_and_no_temporary_file(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("this machine does not allow mounting a small tmpfs (needs root)")
    try:
        path = disk / "t.jsonl"
        original = legacy_file(path, 100)  # ~45 KB: its conversion does not fit beside it
        done = run("convert", "--in-place", str(path))
        assert done.returncode == 2 and b"No space left on device" in done.stderr
        assert path.read_bytes() == original
        assert [p.name for p in disk.iterdir()] == ["t.jsonl"]
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


# --- the language server -------------------------------------------------------------------------

def test_the_server_answers_every_request_and_survives_a_lying_header():
    wire = Wire({"debounce": 0, "ignore": ["too-few-examples"]})
    uri = "file:///tmp/attack.jsonl"
    wire.open(uri, '{"messages": []}\n')
    wire.wait_published(uri, 1)
    asked = [wire.request("textDocument/hover", {"textDocument": {"uri": uri}}),  # no position
             wire.request("textDocument/hover", None),
             wire.request("textDocument/codeAction", {"textDocument": {"uri": uri},
                                                       "range": {"start": {"line": 0, "character": 0},
                                                                 "end": {"line": 0, "character": 0}}}),  # no context
             wire.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 99, "character": 99}}),
             wire.request("no/such/method", {})]
    for ident in asked[:3]:
        assert wire.wait_answer(ident)["error"]["code"] == -32602
    assert "result" in wire.wait_answer(asked[3])
    assert wire.wait_answer(asked[4])["error"]["code"] == -32601
    wire.raw(b"Content-Length: 99999999999\r\n\r\n{}")
    wire.change(uri, 2, [{"text": '{"messages": [{"role": "user", "content": "hi"}]}\n'}])
    published = wire.wait_published(uri, 2)
    assert [d["code"] for d in published["diagnostics"]] == ["TLS006"]
    assert wire.stop(shutdown=True) == 0


def test_exit_without_shutdown_ends_with_1():
    assert Wire().stop(shutdown=False) == 1


def test_a_quick_fix_is_offered_only_against_the_text_it_was_computed_for():
    # Open "A, blank, B"; delete the first line; ask for code actions on line 1 before the
    # new lint: the blank line's fix (computed for the old text) would delete B.
    wire = Wire({"debounce": 2000, "ignore": ["too-few-examples"]})
    uri = "file:///tmp/stale.jsonl"
    a, b = json.dumps({"messages": [user("a"), assistant()]}), json.dumps({"messages": [user("b"), assistant()]})
    wire.open(uri, f"{a}\n\n{b}\n")
    first = wire.wait_published(uri, 1)
    assert [(d["code"], d["range"]["start"]["line"]) for d in first["diagnostics"]] == [("TLJ003", 1)]
    wire.change(uri, 2, [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}, "text": ""}])
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}}
    stale = wire.wait_answer(wire.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["quickfix"]}}))
    assert stale["result"] == []
    fresh = wire.wait_published(uri, 2, timeout=10)
    assert [(d["code"], d["range"]["start"]["line"]) for d in fresh["diagnostics"]] == [("TLJ003", 0)]
    actions = wire.wait_answer(wire.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["quickfix"]}}))["result"]
    (edit,) = [e for action in actions for e in action["edit"]["changes"][uri]]
    assert edit == {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}, "newText": ""}
    wire.stop()


@pytest.mark.parametrize("seed", range(4))
def test_editor_fuzz_answers_everything_stays_in_range_and_ends_as_a_fresh_open(seed):
    from lsp_fuzz import fuzz

    fuzz(seed, steps=40)
