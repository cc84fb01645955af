"""A small training/validation pair that gives every part of `tunelint report` something to show.

Each row says what it is there for. Text from the data that a browser would run if it
were not escaped (`</script>`, an `<img onerror>`) sits in a user turn, a tool name, a
system prompt and a tool argument.
"""

from __future__ import annotations

from pathlib import Path

from helpers import WEATHER, assistant, call, calls_turn, clean_rows, jsonl, result, tool, user

ATTACK = "</script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
TABLE = tool("book_table", {"guests": {"type": "integer"}, "time": {"type": "string"}}, ["guests", "time"])
REFUND = tool("refund", {"order": {"type": "string"}}, ["order"])  # declared on every tool row, never called


def _system(text: str) -> dict:
    return {"role": "system", "content": text}


def _booking(guests: int, time: str, prompt: str = "Book a table for 4 at 8pm") -> dict:
    """A row whose answer is the call itself (what `contradictory-answers` compares)."""
    return {"messages": [_system("You are Trip."), user(prompt),
                         calls_turn(call("call_1", "book_table", {"guests": guests, "time": time}))],
            "tools": [WEATHER, TABLE, REFUND]}


def training_rows() -> list:
    rows: list = []
    for row in clean_rows(12):  # valid weather rows: the bulk of the histogram
        row["messages"].insert(0, _system("You are Trip."))
        row["tools"] = [WEATHER, TABLE, REFUND]
        rows.append(row)
    rows.append(_booking(4, "20:00"))  # line 13: a booking...
    rows.append(_booking(4, "8pm"))  # line 14: ...and the same prompt with other arguments (contradiction)
    rows.append(rows[0])  # line 15: a duplicate of line 1
    rows.append(rows[0])  # line 16: and another (one group of three rows)
    rows.append(rows[2])  # line 17: a duplicate of line 3 (a second group)
    rows.append({"messages": [_system(ATTACK), user(ATTACK),  # line 18: markup in every text a page shows
                              calls_turn(call("call_1", ATTACK, {"city": ATTACK})), result("call_1"),
                              assistant(ATTACK)],
                 "tools": [WEATHER, TABLE, REFUND]})
    rows.append('{"messages": [')  # line 19: invalid JSON (counted as unparsable by stats)
    rows.append({"messages": [user("Long story: " + "word " * 900), assistant("Noted.")]})  # line 20: no system prompt, long
    return rows


def validation_rows() -> list:
    rows = training_rows()[3:6]  # rows the training file also holds (train-validation overlap)
    rows.append({"messages": [user("Weather in Faro tomorrow?"), calls_turn(call("call_9", "get_weather", {"city": "Faro"})),
                              result("call_9"), assistant("Sunny.")], "tools": [WEATHER]})
    return rows


def write_pair(folder: Path) -> tuple[Path, Path]:
    train, valid = folder / "train.jsonl", folder / "valid.jsonl"
    train.write_text(jsonl(*training_rows()), encoding="utf-8")
    valid.write_text(jsonl(*validation_rows()), encoding="utf-8")
    return train, valid
