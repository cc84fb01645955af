"""`tunelint report` without a browser: what the page holds, what it escapes, how it stays
small, and the one-line errors. tests/test_html_report_browser.py opens the page in
Chromium and checks what a person sees."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import WEATHER, assistant, call, calls_turn, jsonl, result, user
from report_fixture import ATTACK, validation_rows, write_pair
from tunelint.cli.main import cli
from tunelint.lint import Settings
from tunelint.lint.composition import called_names
from tunelint.lint.findings_summary import summarize
from tunelint.lint.html_report import script_json, token_bins, turn_bins
from tunelint.lint.run import check_paths
from tunelint.lint.source import parse_row
from tunelint.lint.survey import survey


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def data_of(page: str) -> dict:
    """The charts' data, as the page's script reads it."""
    return json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1))


def test_the_page_escapes_markup_from_the_data(run, tmp_path):
    write_pair(tmp_path)
    done = run("report", "train.jsonl", "-o", "report.html")
    assert done.exit_code == 0, done.output
    page = (tmp_path / "report.html").read_text("utf-8")
    # Only the page's own three scripts (data, Chart.js, the charts) open or close: the
    # row's `</script><script>` and `<img onerror>` are text wherever they are shown.
    assert page.count("<script") == 3 and page.count("</script>") == 3
    assert "<img" not in page and "onerror=\"window" not in page
    shown = page.count("&lt;/script&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;")
    assert shown >= 3  # the system prompt, the tool's name in the table, the finding's message and excerpt
    # The charts' data holds the name as it is, JSON-escaped so it cannot end its element.
    assert ATTACK in data_of(page)["file0"]["tools"]["names"]


def test_script_json_cannot_end_its_element():
    text = script_json({"name": "</script><!-- & -->", "line": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><!-- & -->", "line": "\u2028"}


def test_numbers_are_those_of_stats_json(run, tmp_path):
    write_pair(tmp_path)
    run("report", "train.jsonl", "--validation", "valid.jsonl", "-o", "report.html")
    stats = json.loads(run("stats", "--output-format", "json", "train.jsonl", "valid.jsonl").output)
    page = (tmp_path / "report.html").read_text("utf-8")
    for index, file_stats in enumerate(stats):
        section = page.split(f'<section class="file" id="file{index}"', 1)[1].split("</section>", 1)[0]
        assert f'data-key="examples">{file_stats["examples"]:,}<' in section
        assert f'data-key="total_tokens">{file_stats["total_tokens"]:,}<' in section
        assert f'data-key="tokens_per_example.median">{file_stats["tokens_per_example"]["median"]:,}<' in section
        for model in file_stats["other_models"]:
            assert f'data-model="{model["model"]}"' in section
            assert f'<td data-col="cost_usd">${model["cost_usd"]:,.2f}</td>' in section
        bins = data_of(page)[f"file{index}"]["histogram"]
        assert sum(b["examples"] for b in bins) == file_stats["examples"]


def test_groups_of_duplicates_and_contradictions(tmp_path):
    train, valid = write_pair(tmp_path)
    report = check_paths([train, valid], Settings(), validation=valid)
    summary = summarize(report.files[0])
    assert [(g.first, g.lines) for g in summary.duplicates.groups] == [(1, [1, 15, 16]), (3, [3, 17])]
    assert (summary.duplicates.total, summary.duplicates.rows) == (2, 3)
    assert [g.lines for g in summary.contradictions.groups] == [[13, 14]]
    counts = {r.code: r.count for r in summary.rules}
    assert counts == {"TLD001": 3, "TLD003": 1, "TLD005": 1, "TLJ001": 1, "TLT004": 1}
    overlap = summarize(report.files[1])
    assert [(r.code, r.count) for r in overlap.rules] == [("TLD008", 3)]
    assert overlap.elsewhere.pairs == [(1, str(train), 4), (2, str(train), 5), (3, str(train), 6)]
    assert overlap.duplicates.total == 0  # another file's copy is not a duplicate within the file


def test_the_page_shows_groups_tools_and_prompts(run, tmp_path):
    write_pair(tmp_path)
    run("report", "train.jsonl", "-o", "report.html")
    page = (tmp_path / "report.html").read_text("utf-8")
    duplicates = page.split('data-groups="duplicates"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r">(\d+)</a>", duplicates) == ["1", "15", "16", "3", "17"]
    contradictions = page.split('data-groups="contradictions"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r">(\d+)</a>", contradictions) == ["13", "14"]
    assert "Not looked for: <code>TLD002</code>" in page  # near duplicates are off by default
    never = page.split('data-list="never-called"', 1)[1].split("</p>", 1)[0]
    assert "<code>refund</code> (18 rows)" in never  # declared on every tool row, called nowhere
    tools = data_of(page)["file0"]["tools"]
    assert dict(zip(tools["names"], tools["calls"])) == {"get_weather": 15, "book_table": 2, ATTACK: 1}
    # Rows per system prompt: 17 rows share "You are Trip.", one row has the markup, one has none.
    assert data_of(page)["file0"]["prompts"]["rows"] == [17, 1, 1]
    assert "<em>no system prompt</em>" in page
    # Turns per row: the 4-message rows of clean_rows plus their system prompt make 5.
    turns = {b["lo"]: b["rows"] for b in data_of(page)["file0"]["turns"]}
    assert turns == {2: 1, 3: 2, 4: 0, 5: 16}
    # Lines link to the row in an editor, and rules to their documentation.
    assert f'href="vscode://file{tmp_path}/train.jsonl:14:1"' in page
    assert 'href="https://github.com/tunelint/tunelint/blob/main/docs/rules.md#duplicate-row"' in page


def test_the_page_stays_small_on_a_large_noisy_file(run, tmp_path):
    """5,000 rows: every row calls a tool of its own that no row declares (5,000 findings
    and 5,000 tool names), every other row repeats its neighbour (2,500 duplicate groups),
    and every row has its own system prompt."""
    rows = []
    for i in range(2500):
        row = {"messages": [{"role": "system", "content": f"Persona {i}"}, user(f"Question {i}"),
                            calls_turn(call("call_1", f"tool_{i}", {"city": "Oslo"})), result("call_1"), assistant()],
               "tools": [WEATHER]}
        rows += [row, row]
    (tmp_path / "big.jsonl").write_text(jsonl(*rows))
    done = run("report", "big.jsonl", "-o", "report.html")
    assert done.exit_code == 0, done.output
    page = (tmp_path / "report.html").read_text("utf-8")
    assert len(page.encode()) < 400_000
    assert "TLT004</code> undefined-tool: 5,000 findings" in page
    assert "and 4,980 more (<code>tunelint check --select TLT004</code> lists them all)" in page
    assert "and 2,450 more groups" in page  # 50 duplicate groups are listed
    assert "and 2,300 more tools called" in page  # the table lists 200 tools, the chart 25
    assert len(data_of(page)["file0"]["tools"]["names"]) == 25
    assert "and 2,490 more prompts" in page  # each shared by a row and its copy


def test_prompts_no_two_rows_share(run, tmp_path):
    """No chart of ones when every row has its own system prompt: three of them are shown."""
    rows = [{"messages": [{"role": "system", "content": f"Persona {i}"}, user(f"Question {i}"), assistant()]}
            for i in range(6)]
    (tmp_path / "t.jsonl").write_text(jsonl(*rows))
    run("report", "t.jsonl", "-o", "report.html")
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "Every row has a system prompt of its own: the first 3 are shown." in page
    assert "and 3 more prompts" in page and 'data-chart="prompts"' not in page
    assert [p for p in ("Persona 0", "Persona 1", "Persona 2", "Persona 3") if p in page] == ["Persona 0", "Persona 1", "Persona 2"]


def test_token_bins_cover_every_example_and_reach_a_near_limit():
    lengths = sorted(Counter([50, 60, 60, 900, 1000, 5000]).items())
    bins = token_bins(lengths, 8000)  # the limit is near the longest example: the ranges reach it
    assert sum(b["examples"] for b in bins) == 6
    assert bins[0]["lo"] == 50 and bins[-1]["hi"] == 8000
    assert all(a["hi"] + 1 == b["lo"] for a, b in zip(bins, bins[1:]))
    far = token_bins(lengths, 65536)  # far off: the ranges end at the longest example (the page marks the limit at the edge)
    assert far[-1]["hi"] == 5000 and sum(b["examples"] for b in far) == 6
    over = token_bins(lengths, 100)  # examples past the limit: the limit falls inside the ranges
    assert over[0]["lo"] <= 100 <= over[-1]["hi"]
    assert token_bins([], 100) == []
    assert token_bins([(7, 3)], 10) == [{"lo": 7, "hi": 7, "examples": 3}, {"lo": 8, "hi": 8, "examples": 0},
                                        {"lo": 9, "hi": 9, "examples": 0}, {"lo": 10, "hi": 10, "examples": 0}]


def test_turn_bins_group_wide_spreads():
    assert turn_bins(Counter({2: 5, 4: 1})) == [{"lo": 2, "hi": 2, "rows": 5}, {"lo": 3, "hi": 3, "rows": 0},
                                                {"lo": 4, "hi": 4, "rows": 1}]
    wide = turn_bins(Counter({1: 1, 1000: 2}))
    assert len(wide) <= 40 and sum(b["rows"] for b in wide) == 3 and wide[-1]["hi"] == 1000


def test_validation_rows_in_the_training_file(run, tmp_path):
    write_pair(tmp_path)
    run("report", "train.jsonl", "--validation", "valid.jsonl", "-o", "report.html")
    page = (tmp_path / "report.html").read_text("utf-8")
    overlap = page.split('data-groups="elsewhere"', 1)[1].split("</div>", 1)[0]
    assert "Rows also in another file: 3 rows" in overlap
    assert re.findall(r'>(\d+)</a> = <span class="file-name">(.*?)</span> line (\d+)', overlap) == \
        [("1", "train.jsonl", "4"), ("2", "train.jsonl", "5"), ("3", "train.jsonl", "6")]
    assert page.count('data-groups="elsewhere"') == 1  # the training file has none


def test_tools_declared_and_never_called(run, tmp_path):
    (tmp_path / "t.jsonl").write_text(jsonl({"messages": [user(), assistant()], "tools": [WEATHER]}))
    run("report", "t.jsonl", "-o", "report.html")
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "No row calls a tool." in page and 'data-chart="tools"' not in page
    assert "<code>get_weather</code> (1 row)" in page


def test_an_empty_file_says_so(run, tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    done = run("report", "empty.jsonl", "-o", "report.html")
    assert done.exit_code == 0, done.output
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "No examples: the file holds no row that parses." in page
    assert "No examples to price." in page and 'data-table="cost"' not in page  # as `stats` says "no examples"
    assert "TLJ006" in page  # empty-file


def test_stdout_output(run, tmp_path):
    write_pair(tmp_path)
    done = run("report", "train.jsonl", "-o", "-")
    assert done.exit_code == 0
    assert done.stdout.startswith("<!DOCTYPE html>") and done.stdout.rstrip().endswith("</html>")


def test_the_page_is_written_atomically_over_an_old_one(run, tmp_path):
    write_pair(tmp_path)
    (tmp_path / "report.html").write_text("old")
    done = run("report", "train.jsonl", "-o", "report.html")
    assert done.exit_code == 0
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir() if "tunelint-tmp" in p.name] == []


@pytest.mark.parametrize("args, message", [
    (["missing.jsonl"], "tunelint: error: missing.jsonl: no such file\n"),
    (["folder"], "tunelint: error: folder: a folder: the report takes one .jsonl file\n"),
    (["train.jsonl", "--validation", "./train.jsonl"], "tunelint: error: ./train.jsonl is the training file itself: give its validation file\n"),
    (["train.jsonl", "--model", "gpt-9"], None),
    (["train.jsonl", "-o", "no/such/folder/report.html"], "tunelint: error: cannot write no/such/folder/report.html: No such file or directory\n"),
    (["train.jsonl", "--validation", "valid.jsonl", "-o", "./valid.jsonl"],
     "tunelint: error: ./valid.jsonl is a dataset of this report: the page would be written over it\n"),
])
def test_errors_are_one_line_and_exit_2(tmp_path, args, message):
    write_pair(tmp_path)
    (tmp_path / "folder").mkdir()
    done = subprocess.run([sys.executable, "-m", "tunelint.cli", "report", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("tunelint: error: ")
    if message is not None:
        assert done.stderr == message
    else:
        assert "gpt-9" in done.stderr
    assert (tmp_path / "valid.jsonl").read_text("utf-8") == jsonl(*validation_rows())  # never written over


def test_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "tunelint.cli", "report", str(fifo)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"tunelint: error: {fifo}: not a regular file (the report reads it several times)\n"


def test_near_duplicates_when_selected(run, tmp_path):
    row = {"messages": [user("Weather in Oslo?"), assistant("Sunny.")]}
    twin = {"messages": [user("weather in  OSLO?"), assistant("Sunny.")]}
    (tmp_path / "t.jsonl").write_text(jsonl(row, twin))
    run("report", "t.jsonl", "--extend-select", "TLD002", "-o", "report.html")
    page = (tmp_path / "report.html").read_text("utf-8")
    near = page.split('data-groups="near_duplicates"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r">(\d+)</a>", near) == ["1", "2"]
    assert "Not looked for" not in near


def test_check_does_not_import_jinja(tmp_path):
    """The report's template engine costs nothing to a pre-commit check."""
    (tmp_path / "t.jsonl").write_text(jsonl({"messages": [user(), assistant()]}))
    code = ("import sys; from tunelint.cli.main import main; sys.argv = ['tunelint', 'check', '-q', 't.jsonl'];\n"
            "try: main()\nexcept SystemExit: pass\nprint('jinja2' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().endswith("False")


def test_chart_js_is_vendored_with_its_licence():
    assets = Path(__file__).parent.parent / "lint" / "report_assets"
    chart = (assets / "chart.umd.min.js").read_text("utf-8")
    assert chart.startswith("/*!\n * Chart.js v4.6.1")
    assert "</script" not in chart.lower()  # it is inlined into a <script> element
    assert "MIT License" in (assets / "LICENSE.chart.js.md").read_text("utf-8")


def test_dpo_pairs_count_as_their_input_and_preferred_output(run, tmp_path):
    """A DPO file (the orca_dpo_pairs layout of the corpus): turns and system prompts come
    from each pair's input and preferred output, and a call in the preferred output counts."""
    def pair(i):
        return {"input": {"messages": [{"role": "system", "content": "You are an AI assistant."}, user(f"Task {i}")],
                          "tools": [WEATHER]},
                "preferred_output": [calls_turn(call("call_1", "get_weather", {"city": "Oslo"}))],
                "non_preferred_output": [assistant("No idea.")]}
    (tmp_path / "dpo.jsonl").write_text(jsonl(*(pair(i) for i in range(3))))
    done = run("report", "dpo.jsonl", "-o", "report.html")
    assert done.exit_code == 0, done.output
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "3 conversations (3 DPO pairs, each counted as its input and preferred output)" in page
    data = data_of(page)["file0"]
    assert [(b["lo"], b["rows"]) for b in data["turns"]] == [(3, 3)]
    assert data["prompts"]["rows"] == [3] and "You are an AI assistant." in page
    assert dict(zip(data["tools"]["names"], data["tools"]["calls"])) == {"get_weather": 3}


def test_odd_file_names(tmp_path):
    """A name with markup in it is escaped; a name that is not UTF-8 is shown as `ls`
    would and linked by its own bytes."""
    rows = jsonl({"messages": [user(), assistant()]})
    for name in (b"<i>x.jsonl", b"caf\xe9.jsonl"):
        path = os.fsdecode(bytes(tmp_path) + b"/" + name)
        Path(path).write_text(rows)
        out = tmp_path / "report.html"
        done = subprocess.run([sys.executable, "-m", "tunelint.cli", "report", path, "-o", str(out)], cwd=tmp_path,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        page = out.read_text("utf-8")
        assert "<i>" not in page
        if name.startswith(b"<"):
            assert "&lt;i&gt;x.jsonl" in page
        else:
            assert "caf\ufffd.jsonl" in page  # as the json formats name it (`utf8_name`)
            assert "vscode://file" + str(tmp_path) + "/caf%E9.jsonl:" in page


NAMES = st.one_of(st.text(max_size=3), st.none(), st.integers(-9, 9), st.lists(st.integers(-9, 9), max_size=1))
FUNCTION = st.one_of(st.fixed_dictionaries({}, optional={"name": NAMES, "arguments": st.just("{}")}), st.none(), st.text(max_size=2))
CALL = st.one_of(st.fixed_dictionaries({}, optional={"id": st.just("c"), "type": st.just("function"), "function": FUNCTION}),
                 st.integers(-9, 9), st.none())
MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["assistant", "user", "tool", "system", "Chatbot", 3])},
                          optional={"tool_calls": st.one_of(st.lists(CALL, max_size=3), st.none(), st.text(max_size=2)),
                                    "function_call": FUNCTION, "content": st.text(max_size=3)}),
    st.text(max_size=2), st.none())


@settings(max_examples=300, deadline=None)
@given(st.lists(MESSAGE, max_size=6))
def test_the_report_counts_the_calls_the_rules_see(messages):
    """Calls per tool counts what the rules' survey finds (a call whose name is a string),
    whatever the row holds."""
    row = parse_row(1, orjson.dumps({"messages": messages}))
    assert called_names(messages) == [c.name for c in survey(row).calls if type(c.name) is str]


def test_the_same_data_gives_the_same_page_with_source_date_epoch(tmp_path):
    write_pair(tmp_path)
    pages = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "tunelint.cli", "report", "train.jsonl", "-o", "-"], cwd=tmp_path,
                              capture_output=True, timeout=120, env={**os.environ, "SOURCE_DATE_EPOCH": "1764547200"})
        pages.append(done.stdout)
    assert pages[0] == pages[1]
    assert b"made 2025-12-01 00:00 UTC" in pages[0]


def _section(page: str, index: int) -> str:
    return page.split(f'<section class="file" id="file{index}"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("target", ["openai", "azure", "mistral"])
def test_with_a_target_the_numbers_are_those_of_stats_target_json(run, tmp_path, target):
    """`report --target X` prices and limits with X's model table, as `stats --target X`
    does (Azure and Mistral record no price, Mistral no limit: the page says so, never a
    number), names the target, and counts the findings `check --target X` gives."""
    write_pair(tmp_path)
    done = run("report", "train.jsonl", "--validation", "valid.jsonl", "--target", target, "-o", "report.html")
    assert done.exit_code == 0, done.output
    stats = json.loads(run("stats", "--target", target, "--output-format", "json", "train.jsonl", "valid.jsonl").output)
    checked = json.loads(run("check", "--target", target, "--output-format", "json", "--exit-zero",
                             "--validation", "valid.jsonl", "train.jsonl", "valid.jsonl").output)
    page = (tmp_path / "report.html").read_text("utf-8")
    assert f'target <strong data-key="target">{target}</strong>' in page
    for index, file_stats in enumerate(stats):
        section = _section(page, index)
        assert file_stats["target"] == target
        assert f'Cost per model on {target}' in section
        assert f'data-key="total_tokens">{file_stats["total_tokens"]:,}<' in section
        assert [m["model"] for m in file_stats["other_models"]] == re.findall(r'<tr data-model="([^"]+)"', section)
        cells = re.findall(r'<td data-col="cost_usd"[^>]*>([^<]*)</td>', section.split('data-table="platforms"')[0])
        assert cells == [f'${m["cost_usd"]:,.2f}' if m["cost_usd"] is not None else "no published price"
                         for m in file_stats["other_models"]]
        cost = file_stats["estimate"]["cost_usd"]
        assert f'data-key="estimate.cost_usd">{"no published price" if cost is None else f"${cost:,.2f}"}<' in section
        if file_stats["limit"] is None:
            assert 'data-key="over_limit">unknown<' in section and "publishes no per-example limit" in section
            assert data_of(page)[f"file{index}"]["limit"] is None
        else:
            assert f'data-key="limit">{file_stats["limit"]:,}<' in section
        path = file_stats["path"]
        found = [v for v in checked if v["filename"].endswith(path)]
        assert f'data-key="findings">{len(found):,}<' in section
    if target != "openai":
        table = _section(page, 0).split('data-table="cost"')[1].split("</table>")[0]
        assert "$" not in re.sub(r"<[^>]*>", "", table)  # no price invented (the price note is a tooltip)


def test_report_findings_follow_the_target(run, tmp_path):
    """Mistral's id form (TLT017) is a finding on the Mistral page only: the check runs with the target."""
    write_pair(tmp_path)
    run("report", "train.jsonl", "-o", "openai.html")
    run("report", "train.jsonl", "--target", "mistral", "-o", "mistral.html")
    assert "TLT017" not in (tmp_path / "openai.html").read_text("utf-8")
    assert "TLT017" in (tmp_path / "mistral.html").read_text("utf-8")


def test_each_platform_row_is_its_default_model_or_says_why_not(run, tmp_path):
    write_pair(tmp_path)
    run("report", "train.jsonl", "--target", "azure", "-o", "report.html")
    section = _section((tmp_path / "report.html").read_text("utf-8"), 0)
    table = section.split('data-table="platforms"', 1)[1].split("</table>", 1)[0]
    rows = dict(re.findall(r'<tr data-target="([^"]+)".*?<td data-col="cost_usd">([^<]*)</td>', table, re.S))
    openai = json.loads(run("stats", "--target", "openai", "--output-format", "json", "train.jsonl").output)[0]
    assert rows["openai"] == f'${openai["estimate"]["cost_usd"]:,.2f}'
    assert rows["azure"] == rows["mistral"] == "no published price"
    assert rows["together"] == rows["fireworks"] == "no model table"


def test_a_target_without_a_model_table_exits_2_as_stats_does(run, tmp_path):
    write_pair(tmp_path)
    done = run("report", "train.jsonl", "--target", "together", "-o", "report.html")
    assert done.exit_code == 2 and "has no default model" in done.output
    assert not (tmp_path / "report.html").exists()
    done = run("report", "train.jsonl", "--target", "nowhere", "-o", "report.html")
    assert done.exit_code == 2 and "azure" in done.output
