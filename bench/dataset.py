"""A realistic benchmark dataset: multi-turn tool-calling rows with a few percent of defects.

Deterministic (seeded), written once under bench/out/ and reused. About 3 KB a row, so
100,000 rows make about 300 MB. The `tools` arrays come from a handful of variants, as in
real datasets where one toolbox repeats row after row.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).parent / "out"

CITIES = ["Oslo", "Lisbon", "Zürich", "São Paulo", "Kraków", "Tokyo", "Nairobi", "Montréal", "Reykjavík", "Hanoi"]
WORDS = ("the a trip hotel flight weather booking price night room city museum train ticket dinner table window "
         "seat morning evening tomorrow weekend family business quiet central cheap early late direct").split()


def _tool(name: str, description: str, properties: dict, required: list, strict: bool = False) -> dict:
    parameters = {"type": "object", "properties": properties, "required": required}
    function = {"name": name, "description": description, "parameters": parameters}
    if strict:
        function["strict"] = True
        parameters["additionalProperties"] = False
        parameters["required"] = list(properties)
    return {"type": "function", "function": function}


def toolboxes() -> list[list[dict]]:
    weather = _tool("get_weather", "Current weather and a three-day forecast for a city.",
                    {"city": {"type": "string", "description": "City name, in English or the local spelling."},
                     "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit."}}, ["city"])
    flights = _tool("search_flights", "Search direct and one-stop flights between two airports on a date.",
                    {"origin": {"type": "string", "description": "IATA code of the departure airport."},
                     "destination": {"type": "string", "description": "IATA code of the arrival airport."},
                     "date": {"type": "string", "description": "Departure date, YYYY-MM-DD."},
                     "passengers": {"type": "integer", "minimum": 1, "maximum": 9}}, ["origin", "destination", "date"])
    hotel = _tool("book_hotel", "Book a hotel room for the given nights.",
                  {"city": {"type": "string"}, "check_in": {"type": "string"}, "nights": {"type": "integer"},
                   "guests": {"type": "integer"}}, ["city", "check_in", "nights", "guests"], strict=True)
    table = _tool("book_table", "Reserve a table at a restaurant.",
                  {"restaurant": {"type": "string"}, "time": {"type": "string"}, "guests": {"type": "integer"}},
                  ["restaurant", "time", "guests"], strict=True)
    convert = _tool("convert_currency", "Convert an amount between two ISO 4217 currencies at today's rate.",
                    {"amount": {"type": "number"}, "from": {"type": "string"}, "to": {"type": "string"}}, ["amount", "from", "to"])
    return [[weather, flights, hotel], [weather, table], [weather, flights, hotel, table, convert], [flights, convert], [hotel, table, weather]]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _arguments(rng: random.Random, tool: dict) -> dict:
    args = {}
    for key, spec in tool["function"]["parameters"]["properties"].items():
        if "enum" in spec:
            args[key] = rng.choice(spec["enum"])
        elif spec.get("type") == "integer":
            args[key] = rng.randint(1, 4)
        elif spec.get("type") == "number":
            args[key] = round(rng.uniform(10, 900), 2)
        else:
            args[key] = rng.choice(CITIES) if key in ("city",) else rng.choice(["OSL", "LIS", "ZRH", "GRU", "KRK", "2026-12-0%d" % rng.randint(1, 9)])
    return args


def make_row(rng: random.Random, index: int, boxes: list[list[dict]]) -> dict:
    tools = boxes[index % len(boxes)]
    messages: list[dict] = [{"role": "system", "content": "You are Trip, a travel assistant. " + _sentence(rng, 25)}]
    call_no = 0
    for _ in range(rng.randint(2, 4)):
        messages.append({"role": "user", "content": _sentence(rng, rng.randint(8, 30))})
        parallel = rng.random() < 0.2
        chosen = [t for t in tools if not t["function"].get("strict")] if parallel else tools
        picks = rng.sample(chosen, k=min(len(chosen), 2 if parallel else 1))
        calls = []
        for tool in picks:
            call_no += 1
            calls.append({"id": f"call_{index}_{call_no}", "type": "function",
                          "function": {"name": tool["function"]["name"], "arguments": json.dumps(_arguments(rng, tool), ensure_ascii=False)}})
        messages.append({"role": "assistant", "content": None, "tool_calls": calls})
        for call in calls:
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"ok": True, "detail": _sentence(rng, 10)})})
        messages.append({"role": "assistant", "content": _sentence(rng, rng.randint(15, 40))})
    row = {"messages": messages, "tools": tools}
    _maybe_break(rng, row)
    return row


def _maybe_break(rng: random.Random, row: dict) -> None:
    """About 3% of rows get one of the defects real datasets have."""
    if rng.random() >= 0.03:
        return
    kind = rng.randrange(5)
    messages = row["messages"]
    calls = [m for m in messages if m.get("tool_calls")]
    if kind == 0:
        calls[0]["tool_calls"][0]["function"]["name"] += "_v2"  # renamed tool
    elif kind == 1:
        messages[1]["content"] = "  "  # empty user turn
    elif kind == 2:
        calls[0]["tool_calls"][0]["function"]["arguments"] = json.dumps(calls[0]["tool_calls"][0]["function"]["arguments"])  # double encoded
    elif kind == 3:
        del row["tools"]  # calls without definitions
    else:
        next(m for m in messages if m["role"] == "tool")["tool_call_id"] = "call_missing"  # orphan result


def write_dataset(rows: int, name: str, legacy: bool = False, seed: int = 7) -> Path:
    """Write (once) a dataset of `rows` rows; `legacy` writes the function-format version."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.jsonl"
    if path.exists():
        return path
    rng = random.Random(seed)
    boxes = toolboxes()
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(rows):
            row = make_row(rng, i, boxes)
            if legacy:
                row = to_legacy(row)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.rename(path)
    return path


def to_legacy(row: dict) -> dict:
    """The same example in the legacy function format (parallel turns split in two)."""
    messages: list[dict] = []
    by_id = {}
    for message in row["messages"]:
        if message.get("tool_calls"):
            for call in message["tool_calls"]:
                by_id[call["id"]] = call["function"]["name"]
                messages.append({"role": "assistant", "content": None, "function_call": call["function"]})
        elif message["role"] == "tool":
            messages.append({"role": "function", "name": by_id.get(message["tool_call_id"], "unknown"), "content": message["content"]})
        else:
            messages.append(message)
    out = {"messages": messages}
    if "tools" in row:
        out["functions"] = [t["function"] for t in row["tools"]]
    return out
