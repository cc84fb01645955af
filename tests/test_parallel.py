"""Splitting a file over processes gives exactly what one process gives."""

import json

from helpers import user, weather_row
from tunelint.lint import Settings, check_file
from tunelint.lint import parallel


def test_parallel_check_equals_serial(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
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
    split = parallel.check_file_parallel(path, settings, jobs=3)
    assert [(v.line, v.col, v.end_col, v.code, v.message) for v in split.violations] == \
           [(v.line, v.col, v.end_col, v.code, v.message) for v in serial.violations]
    assert split.rows == serial.rows == 300
    assert {v.name for v in serial.violations} >= {"byte-order-mark", "blank-line", "invalid-json", "empty-content"}


def test_ranges_cover_the_file_at_line_starts(tmp_path):
    path = tmp_path / "x.jsonl"
    data = b"".join(b'{"n": %d}\n' % i for i in range(1000))
    path.write_bytes(data)
    spans = parallel.ranges(path, 7)
    assert spans[0][0] == 0 and spans[-1][1] == len(data)
    assert all(a == b for (_, a), (b, _) in zip(spans, spans[1:]))
    assert all(data[a - 1:a] == b"\n" for a, _ in spans[1:])


def test_fact_columns_merge_with_shifted_lines():
    from tunelint.lint.facts import FactColumn

    ints, mixed = FactColumn(), FactColumn()
    ints.append(1, 5)
    ints.append(2, 7)
    mixed.append(1, ("a",))
    merged = FactColumn()
    merged.extend_shifted(ints, 0)
    merged.extend_shifted(ints, 10)
    assert list(merged) == [(1, 5), (2, 7), (11, 5), (12, 7)]
    merged.extend_shifted(mixed, 20)
    assert list(merged)[-1] == (21, ("a",)) and len(merged) == 5
