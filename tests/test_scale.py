"""Flat memory: what moves to disk on a large file must come back exactly as it went.

A large file's per-row facts, line offsets and findings move to temporary files past a
threshold (`FactColumn.SPILL_ROWS`, `LineIndex.SPILL_LINES`, `spill.LIMIT`). Here the
thresholds are made tiny so a few hundred rows spill everything, and the report must be
the one a check that keeps all in memory gives, on one process and on two.
"""

from __future__ import annotations

import json
import random

import orjson
import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from helpers import WEATHER, assistant, call, calls_turn, result, user, weather_row
from tunelint.lint import Settings, check_file, engine, spill, workers
from tunelint.lint.facts import FactColumn
from tunelint.lint.model import Applicability, Fix, Related, Severity, Violation
from tunelint.lint.report import render
from tunelint.lint.source import LineIndex
from tunelint.lint.spill import SortedSpill


def mixed_rows(count: int) -> list[str]:
    """Rows with something for every dataset rule and many row rules: duplicates (a third
    of the rows come back), contradictions, a drifted tools array, an unused tool, empty
    turns, unparsable lines, blank lines, invalid arguments (fixable)."""
    rng = random.Random(5)
    drifted = json.loads(json.dumps(WEATHER))
    drifted["function"]["parameters"]["properties"]["unit"] = {"type": "string"}
    unused = {"type": "function", "function": {"name": "never_called", "parameters": {"type": "object", "properties": {}}}}
    rows: list[str] = []
    for i in range(count):
        pick = rng.random()
        if pick < 0.3 and rows:
            rows.append(rng.choice(rows))
        elif pick < 0.35:
            rows.append(json.dumps({"messages": [user(f"q{i % 7}"), assistant(f"another answer {i}")]}))
        elif pick < 0.4:
            rows.append(json.dumps(weather_row(tools=[drifted])))
        elif pick < 0.45:
            rows.append(json.dumps(weather_row(tools=[WEATHER, unused])))
        elif pick < 0.5:
            rows.append(json.dumps({"messages": [user(""), assistant(f"a{i}")]}))
        elif pick < 0.52:
            rows.append('{"messages": [')
        elif pick < 0.53:
            rows.append("")
        elif pick < 0.6:
            turn = calls_turn(call("call_1", "get_weather", {"city": f"C{i}"}))
            turn["tool_calls"][0]["function"]["arguments"] = {"city": f"C{i}"}  # an object: fixable
            rows.append(json.dumps({"messages": [user(f"w{i}"), turn, result("call_1"), assistant()], "tools": [WEATHER]}))
        else:
            rows.append(json.dumps({"messages": [{"role": "system", "content": "Be brief."}, user(f"question {i}"),
                                                 assistant(f"answer {i}")]}))
    return rows


def described(report) -> list[tuple]:
    return [(v.line, v.col, v.end_col, v.code, v.message, v.severity, v.pointer, v.fix, v.related, v.snippet)
            for v in report.violations]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_check_that_spills_everything_reports_what_one_in_memory_does(tmp_path, monkeypatch, jobs):
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(mixed_rows(700)) + "\n")
    settings = Settings(select=["ALL"])
    in_memory = check_file(path, settings)
    assert not in_memory.violations.spilled
    assert {v.code[:3] for v in in_memory.violations} >= {"TLD", "TLC", "TLJ", "TLT"}

    monkeypatch.setattr(FactColumn, "SPILL_ROWS", 16)
    monkeypatch.setattr(LineIndex, "SPILL_LINES", 32)
    monkeypatch.setattr(spill, "LIMIT", 10)
    monkeypatch.setattr(spill, "BLOCK", 3)
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(engine, "MIN_PARALLEL_EXACT", 0)
    spilled = check_file(path, settings, jobs=jobs)
    assert spilled.violations.spilled
    assert described(spilled) == described(in_memory)
    assert spilled.rows == in_memory.rows == 700
    # Rendered from disk, a second time: reading does not use the findings up.
    assert render("json", spilled.violations) == render("json", in_memory.violations)


def test_a_spilled_line_index_reads_lines_back_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(LineIndex, "SPILL_LINES", 8)
    path = tmp_path / "t.jsonl"
    rows = [json.dumps({"n": i, "pad": "x" * (i % 13)}) for i in range(100)]
    path.write_text("\r\n".join(rows))  # CRLF, no final newline
    from tunelint.lint.open_file import OpenFile
    from tunelint.lint.source import rows_from_lines

    index = LineIndex()
    with OpenFile(path) as source:
        for row in rows_from_lines(source.lines()):
            index.note(row)
        assert len(index) == 100
        assert [text for _, text in index.texts(source, {1, 9, 50, 100, 101})] == [rows[0], rows[8], rows[49], rows[99]]


@hyp_settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 1000)), max_size=300), st.integers(1, 40), st.integers(1, 9))
def test_a_sorted_spill_gives_what_a_stable_sort_gives(items, limit, block):
    spill.BLOCK, old = block, spill.BLOCK
    try:
        found = SortedSpill(lambda item: item[0], limit=limit)
        half = len(items) // 2
        found.extend(items[:half])
        first = list(found)  # iterating in the middle changes nothing
        found.extend(items[half:])
        expected = sorted(items, key=lambda item: item[0])
        assert list(found) == expected and list(found) == expected
        assert first == sorted(items[:half], key=lambda item: item[0])
        assert len(found) == len(items) and bool(found) == bool(items)
        assert found.spilled == (len(items) >= limit)
    finally:
        spill.BLOCK = old


def test_findings_in_line_order_stay_one_run_on_disk(monkeypatch):
    monkeypatch.setattr(spill, "LIMIT", 10)
    found = SortedSpill(lambda n: n)
    found.extend(range(1000))
    assert len(found._runs) == 1 and list(found) == list(range(1000))


# --- the formats, streamed ------------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8"), max_size=30)  # newlines, quotes, controls, astral


@st.composite
def violations(draw) -> list[Violation]:
    found = []
    for line in sorted(draw(st.lists(st.integers(1, 10_000), max_size=12))):
        fix = draw(st.sampled_from([None, Fix("Rename it", Applicability.SAFE, ('{"a": 1}',)),
                                    Fix("Drop it", Applicability.UNSAFE, None)]))
        related = tuple(Related(draw(st.integers(1, 99)), draw(texts), draw(st.sampled_from([None, "other.jsonl"])))
                        for _ in range(draw(st.integers(0, 2))))
        col = draw(st.integers(0, 50))
        found.append(Violation("TLS004", "invalid-role", draw(st.sampled_from(list(Severity))), draw(texts),
                               draw(st.sampled_from(["t.jsonl", "dir/ü ö.jsonl", "a\"b.jsonl"])), line, col,
                               col + draw(st.integers(0, 9)), "/messages/0", fix, related))
    return found


@hyp_settings(max_examples=150, deadline=None)
@given(violations())
def test_streamed_json_formats_are_the_documents_written_at_once(found):
    # What each format was before it streamed: one orjson document of every item.
    from tunelint.lint.report import _gitlab_item, to_dict

    indent = orjson.OPT_INDENT_2
    assert render("json", found) == orjson.dumps([to_dict(v) for v in found], option=indent).decode() + "\n"
    assert render("gitlab", found) == orjson.dumps([_gitlab_item(v) for v in found], option=indent).decode() + "\n"
    sarif = json.loads(render("sarif", found))
    assert [r["message"]["text"] for r in sarif["runs"][0]["results"]] == [v.message for v in found]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif["runs"][0]["results"]] == \
        [v.line for v in found]


# --- stats keeps a count of each length, not a list of them ---------------------------------

@hyp_settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 300), max_size=200), st.integers(0, 300))
def test_lengths_kept_as_counts_answer_as_the_sorted_list_does(values, limit):
    from tunelint.lint.stats import Lengths, histogram, percentile

    counted, ordered = Lengths(), sorted(values)
    for half in (values[: len(values) // 2], values[len(values) // 2:]):  # two workers' parts
        part = Lengths()
        for n in half:
            part.add(n)
        counted.update(part)
    assert len(counted) == len(ordered) and list(counted) == ordered
    for share in (0, 0.05, 0.5, 0.95, 1):
        assert percentile(counted, share) == percentile(ordered, share)
    assert (counted.min(), counted.max()) == ((ordered[0], ordered[-1]) if ordered else (0, 0))
    assert counted.total == sum(ordered)
    assert counted.capped_total(limit) == sum(min(n, limit) for n in ordered)
    assert counted.above(limit) == sum(1 for n in ordered if n > limit)
    assert histogram(counted) == histogram(ordered)
