"""A language-server fuzzer: random valid and invalid edits and requests over the wire.

After each session it checks what a client relies on: every request was answered, no
diagnostic range lies outside the document (as the client counts lines and columns),
and the diagnostics after the edits equal those of a fresh open of the same text.
"""

from __future__ import annotations

import json
import random

from lsp_wire import Wire

ROWS = [
    json.dumps({"messages": [{"role": "user", "content": "Météo à Zürich? 🌦"}, {"role": "assistant", "content": "Il fait beau."}]},
               ensure_ascii=False),
    json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "get_wether", "arguments": "{}"}}]}],
                "tools": [{"type": "function", "function": {"name": "get_weather"}}]}),
    json.dumps({"functions": [{"name": "f"}], "messages": [{"role": "user", "content": "go"}, {
        "role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}]}),
    "", '{"messages": [', "not json", "\ud83c", '{"a": 1} x',
]
SNIPPETS = ["", "\n", "\r\n", "\r", "x", "}", "{", '"', "Zürich 🌦", ",", "\n\n", *ROWS[:3]]


def client_lines(text: str) -> list[str]:
    """The document as an LSP client counts its lines ("\\r\\n", "\\n" or a lone "\\r" end one)."""
    lines, current, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c in "\r\n":
            lines.append("".join(current))
            current = []
            i += 2 if text[i:i + 2] == "\r\n" else 1
        else:
            current.append(c)
            i += 1
    lines.append("".join(current))
    return lines


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def offset(lines: list[str], text: str, line: int, character: int) -> int:
    """The string offset of a client position (UTF-16 units) in `text`."""
    position = 0
    for _ in range(line):
        position = _next_line(text, position)
    units = 0
    while position < len(text) and text[position] not in "\r\n" and units < character:
        units += utf16(text[position])
        position += 1
    return position


def _next_line(text: str, position: int) -> int:
    while position < len(text) and text[position] not in "\r\n":
        position += 1
    if text[position:position + 2] == "\r\n":
        return position + 2
    return position + 1


def summary(diagnostics: list[dict]) -> list[tuple]:
    return sorted((d["range"]["start"]["line"], d["range"]["start"]["character"], d["range"]["end"]["line"],
                   d["range"]["end"]["character"], d["code"], d["message"]) for d in diagnostics)


def fuzz(seed: int, steps: int) -> None:
    rng = random.Random(seed)
    wire = Wire({"debounce": rng.choice([0, 5, 50]), "select": ["ALL"]})
    uri, fresh_uri = f"file:///tmp/fuzz-{seed}.jsonl", f"file:///tmp/fuzz-{seed}-fresh.jsonl"
    text = "\n".join(rng.choice(ROWS[:3]) for _ in range(rng.randint(1, 6))) + "\n"
    version = 1
    wire.open(uri, text, version)
    asked = []
    for _ in range(steps):
        lines = client_lines(text)
        action = rng.random()
        if action < 0.55:  # an edit: usually in the document, sometimes past its end
            line = rng.randrange(len(lines) + (2 if rng.random() < 0.1 else 0))
            char = rng.randrange(utf16(lines[line]) + 2) if line < len(lines) else rng.randrange(5)
            end_line = min(line + rng.choice([0, 0, 0, 1]), len(lines) + 1)
            end_char = rng.randrange(utf16(lines[end_line]) + 2) if end_line < len(lines) else 0
            if (end_line, end_char) < (line, char):
                end_line, end_char = line, char
            new = rng.choice(SNIPPETS)
            start = offset(lines, text, line, char)
            end = max(start, offset(lines, text, end_line, end_char))
            text = text[:start] + new + text[end:]
            version += 1
            wire.change(uri, version, [{"range": {"start": {"line": line, "character": char},
                                                  "end": {"line": end_line, "character": end_char}}, "text": new}])
        elif action < 0.65:
            version += 1
            text = "\n".join(rng.choice(ROWS) for _ in range(rng.randint(0, 5)))
            wire.change(uri, version, [{"text": text}])
        elif action < 0.75:
            line = rng.randrange(len(lines) + 3)
            asked.append(wire.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                             "position": {"line": line, "character": rng.randrange(80)}}))
        elif action < 0.85:
            line = rng.randrange(len(lines) + 3)
            asked.append(wire.request("textDocument/codeAction", {
                "textDocument": {"uri": uri}, "range": {"start": {"line": line, "character": 0},
                                                        "end": {"line": line + 1, "character": 0}},
                "context": {"diagnostics": [], **({"only": [rng.choice(["quickfix", "source.fixAll"])]}
                                                  if rng.random() < 0.5 else {})}}))
        elif action < 0.93:  # requests that do not fit their method
            asked.append(wire.request(rng.choice(["textDocument/hover", "textDocument/codeAction"]),
                                      rng.choice([None, {}, {"textDocument": {"uri": uri}}, [1, 2], "x"])))
        else:  # not even JSON-RPC
            wire.raw(rng.choice([b"Content-Length: 5\r\n\r\n{{{{{", b"garbage line\r\n", b"Content-Length: 2\r\n\r\n[]"]))
        if rng.random() < 0.2:
            wire.pump(0.02)
    for ident in asked:
        wire.wait_answer(ident)
    final = wire.wait_published(uri, version, timeout=30)
    lines = client_lines(text)
    for d in final["diagnostics"]:
        for end in ("start", "end"):
            where = d["range"][end]
            assert where["line"] < len(lines), (seed, d, text)
            assert where["character"] <= utf16(lines[where["line"]]), (seed, d, text)
    wire.open(fresh_uri, text, 1)
    fresh = wire.wait_published(fresh_uri, 1, timeout=30)
    assert summary(final["diagnostics"]) == summary(fresh["diagnostics"]), (seed, text)
    assert wire.stop() == 0
