"""Splitting a file over processes gives exactly what one process gives."""

import json

from helpers import user, weather_row
from tunelint.lint import Settings, check_file
from tunelint.lint import engine, workers


def test_parallel_check_equals_serial(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    rows = []
    for i in range(300):
        if i % 37 == 0:
            rows.append("")  # a blank line
        elif i % 41 == 0:
            rows.append('{"messages": [')  # cut short
        elif i % 7 == 0:
            rows.append(json.dumps({"messages": [user(""), {"role": "assistant", "content": f"answer {i}"}]}))
        else:
            rows.append(json.dumps(weather_row()))
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(rows) + "\n").encode())
    settings = Settings(select=["ALL"])
    serial = check_file(path, settings)
    split = check_file(path, settings, jobs=3)
    assert [(v.line, v.col, v.end_col, v.code, v.message) for v in split.violations] == \
           [(v.line, v.col, v.end_col, v.code, v.message) for v in serial.violations]
    assert split.rows == serial.rows == 300
    assert {v.name for v in serial.violations} >= {"byte-order-mark", "blank-line", "invalid-json", "empty-content"}


def qa_row(i: int, answer: str) -> str:
    """A one-turn conversation: question `i`, and the answer given."""
    return json.dumps({"messages": [user(f"question {i}"), {"role": "assistant", "content": answer}]})


def split_equals_serial(tmp_path, rows: list[str], settings: Settings) -> list[tuple[int, str, str]]:
    """Check `rows` on two processes; assert one process finds the same; return (line, code, message)s."""
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(rows) + "\n")
    found = [(v.line, v.code, v.message) for v in check_file(path, settings, jobs=2).violations]
    assert found == [(v.line, v.code, v.message) for v in check_file(path, settings).violations]
    return found


def test_a_duplicate_and_an_empty_turn_across_ranges_are_found_as_one_process_finds_them(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    # Row 3 comes back as row 200 (a duplicate across ranges), and row 150 has an empty turn.
    rows = [qa_row(i, f"answer {i}") for i in range(240)]
    rows[199] = rows[2]
    rows[149] = json.dumps({"messages": [user(""), {"role": "assistant", "content": "ok"}]})
    found = split_equals_serial(tmp_path, rows, Settings(select=["ALL"]))
    assert (200, "TLD001", "row duplicates line 3") in found
    assert any(line == 150 and code == "TLC001" for line, code, _ in found)


def test_exact_facts_worked_out_by_the_workers_equal_one_process(tmp_path, monkeypatch):
    """Many repeated rows: their exact facts are shared out among the workers."""
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(engine, "MIN_PARALLEL_EXACT", 0)
    # Every 3rd row comes back later (duplicates across the file), and every 5th comes back
    # with another answer (contradictions).
    rows = [qa_row(i, f"answer {i}") for i in range(120)]
    rows += [rows[i] for i in range(0, 120, 3)] + [qa_row(i, "something else") for i in range(0, 120, 5)]
    found = split_equals_serial(tmp_path, rows, Settings(select=["TLD"]))
    assert sum(code == "TLD001" for _, code, _ in found) == 40
    assert (121, "TLD001", "row duplicates line 1") in found
    assert sum(code == "TLD003" for _, code, _ in found) == 24


def test_ranges_cover_the_file_at_line_starts(tmp_path):
    path = tmp_path / "x.jsonl"
    data = b"".join(b'{"n": %d}\n' % i for i in range(1000))
    path.write_bytes(data)
    from tunelint.lint.open_file import OpenFile

    with OpenFile(path) as source:
        spans = source.ranges(7)
    assert spans[0][0] == 0 and spans[-1][1] == len(data)
    assert all(a == b for (_, a), (b, _) in zip(spans, spans[1:]))
    assert all(data[a - 1:a] == b"\n" for a, _ in spans[1:])


def test_fact_columns_merge_with_shifted_lines():
    from tunelint.lint.facts import FactColumn

    ints, mixed = FactColumn(), FactColumn()
    ints.extend_pairs([1, 2], [5, 7])
    mixed.extend_pairs([1, 2], [("a",), None])  # None: the row keeps no fact
    merged = FactColumn()
    merged.extend_shifted(ints, 0)
    merged.extend_shifted(ints, 10)
    assert list(merged) == [(1, 5), (2, 7), (11, 5), (12, 7)]
    merged.extend_shifted(mixed, 20)
    assert list(merged)[-1] == (21, ("a",)) and len(merged) == 5


def legacy_row(city: str) -> dict:
    """A legacy-format row to convert: a call, its result, an answer."""
    return {"messages": [user(f"Weather in {city}?"),
                         {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": json.dumps({"city": city})}},
                         {"role": "function", "name": "get_weather", "content": "12"},
                         {"role": "assistant", "content": f"12 in {city}."}],
            "functions": [{"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]}


def test_parallel_conversion_equals_serial(tmp_path, monkeypatch):
    # A file cut into many small pieces: a byte-order mark on line 1, legacy rows to
    # convert, a result with no call (reported, left alone), a blank line, a row cut
    # short, CRLF endings and no final newline. Bytes, problems (at their output lines),
    # counts and the diff's lines must all be what one process gives.
    from tunelint.convert import convert_file
    from tunelint.lint import fix

    orphan = {"messages": [user("Hi"), {"role": "function", "name": "f", "content": "1"}], "functions": [{"name": "f"}]}
    lines = []
    for i in range(120):
        if i % 29 == 5:
            lines.append("")
        elif i % 31 == 7:
            lines.append('{"messages": [')
        elif i % 13 == 0:
            lines.append(json.dumps(orphan))
        else:
            lines.append(json.dumps(legacy_row(f"City {i}")))
    path = tmp_path / "legacy.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
    settings = Settings()
    serial = convert_file(path, settings, output=tmp_path / "serial.jsonl", keep_changes=True, jobs=1)
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(fix, "PIECE_BYTES", 2000)  # dozens of pieces, a few rows each
    split = convert_file(path, settings, output=tmp_path / "split.jsonl", keep_changes=True, jobs=2)
    assert (tmp_path / "split.jsonl").read_bytes() == (tmp_path / "serial.jsonl").read_bytes()
    assert [(v.line, v.code, v.message) for v in split.problems] == [(v.line, v.code, v.message) for v in serial.problems]
    assert (split.outcome.rows, split.outcome.rows_written, split.rows_converted, split.outcome.by_rule) == \
           (serial.outcome.rows, serial.outcome.rows_written, serial.rows_converted, serial.outcome.by_rule)
    assert split.outcome.changes == serial.outcome.changes
    assert serial.rows_converted > 90 and len(serial.problems) >= 10


def test_fact_table_keeps_every_rows_facts_across_batches(monkeypatch):
    # Two rules over 10 rows in batches of 4: integer facts stay in a compact array until
    # a fact of another kind arrives, and rows without a fact are left out of a column.
    from array import array

    from tunelint.lint.facts import FactTable

    monkeypatch.setattr(FactTable, "BATCH", 4)
    table = FactTable(["A", "B"])
    for line in range(1, 11):
        table.add(line, (line * 10 if line != 9 else "odd", None if line % 3 else line))
    columns = table.flush()
    assert list(columns["A"]) == [(n, n * 10 if n != 9 else "odd") for n in range(1, 11)]
    assert list(columns["B"]) == [(3, 3), (6, 6), (9, 9)] and type(columns["B"].values) is array
