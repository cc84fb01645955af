"""Small builders for hand-written fixture rows, and a way to lint them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tunelint.lint import Settings, check_text


def tool(name: str, properties: dict | None = None, required: list | None = None, strict: bool | None = None,
         **extra: Any) -> dict:
    parameters: dict = {"type": "object", "properties": properties or {}}
    if required is not None:
        parameters["required"] = required
    function: dict = {"name": name, "parameters": parameters, **extra}
    if strict is not None:
        function["strict"] = strict
        if strict:
            parameters["additionalProperties"] = False
    return {"type": "function", "function": function}


def call(ident: str, name: str, arguments: Any = None) -> dict:
    args = json.dumps(arguments if arguments is not None else {}) if not isinstance(arguments, str) else arguments
    return {"id": ident, "type": "function", "function": {"name": name, "arguments": args}}


def user(text: Any = "What's the weather in Oslo?") -> dict:
    return {"role": "user", "content": text}


def assistant(text: Any = "It is 12°C in Oslo.", **extra: Any) -> dict:
    message = {"role": "assistant", "content": text}
    message.update(extra)
    return message


def calls_turn(*tool_calls: dict, **extra: Any) -> dict:
    return {"role": "assistant", "tool_calls": list(tool_calls), **extra}


def result(ident: str, text: str = '{"temp": 12}') -> dict:
    return {"role": "tool", "tool_call_id": ident, "content": text}


WEATHER = tool("get_weather", {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, ["city"])


def weather_row(**extra: Any) -> dict:
    """A complete, valid tool-calling example: call, result, answer."""
    row = {"messages": [user(), calls_turn(call("call_1", "get_weather", {"city": "Oslo"})), result("call_1"), assistant()],
           "tools": [WEATHER]}
    row.update(extra)
    return row


def jsonl(*rows: Any) -> str:
    """Rows as JSONL: dicts are dumped, strings are taken as the raw line."""
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows)


# Row fixtures are a row or two: the file-size rule (too-few-examples) is left out of them
# and tested on its own.
ROW_FIXTURE_SETTINGS = Settings(ignore=["too-few-examples"], kind="sft")


def lint(*rows: Any, settings: Settings | None = None, select: list[str] | None = None):
    if select is not None:
        settings = Settings(select=select)
    return check_text(jsonl(*rows), "t.jsonl", settings or ROW_FIXTURE_SETTINGS).violations


CITIES = ["Oslo", "Rome", "Lima", "Pune", "Baku", "Nice", "Graz", "Bern", "Riga", "Kyiv", "Cork", "Faro"]


def clean_rows(n: int = 10) -> list[dict]:
    """n valid, distinct tool-calling rows (ten or more: a file the platform accepts)."""
    rows = []
    for i in range(n):
        city = f"{CITIES[i % len(CITIES)]}{'' if i < len(CITIES) else i}"
        rows.append({"messages": [user(f"What's the weather in {city}?"),
                                  calls_turn(call("call_1", "get_weather", {"city": city})), result("call_1"),
                                  assistant(f"It is 12°C in {city}.")], "tools": [WEATHER]})
    return rows


def codes(*rows: Any, **kwargs: Any) -> list[str]:
    return [v.name for v in lint(*rows, **kwargs)]


def write(name: str, text: str) -> Path:
    """A file with `text` (UTF-8) at `name`, relative to the test's folder, folders made."""
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path
