"""The language server, driven over stdio by pytest-lsp as a real client would."""

import asyncio
import json
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from helpers import WEATHER, clean_rows, jsonl

CLIENTS = ["neovim@v0.7.0", "neovim@v0.11.0", "visual_studio_code"]
ENCODING: dict[int, str] = {}  # the position encoding each session negotiated
# A typo'd call after emoji and accented text: UTF-16 columns differ from code points.
TYPO = {"messages": [{"role": "user", "content": "Météo à Zürich? 🌦🌦"},
                     {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                                           "function": {"name": "get_wether", "arguments": "{\"city\": \"Zürich\"}"}}]}],
        "tools": [WEATHER]}
LEGACY = {"functions": [{"name": "f", "parameters": {"type": "object", "properties": {}}}],
          "messages": [{"role": "user", "content": "go"}, {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}]}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "tunelint.cli", "server"]), params=CLIENTS)
async def client(lsp_client: LanguageClient, request):
    lsp_client.set_configuration({"debounce": 20, "ignore": ["too-few-examples"]}, section="tunelint")
    params = types.InitializeParams(capabilities=client_capabilities(request.param),
                                    initialization_options={"debounce": 20, "ignore": ["too-few-examples"]})
    result = await lsp_client.initialize_session(params)
    ENCODING[id(lsp_client)] = result.capabilities.position_encoding or "utf-16"
    yield
    await lsp_client.shutdown_session()


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="jsonl", version=version, text=text)))
    return uri


async def published(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The next diagnostics the server publishes (it never publishes a stale version)."""
    await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 20)
    return list(client.diagnostics[uri])


def units(client: LanguageClient, text: str) -> int:
    """The length of `text` in the session's position encoding."""
    encoding = ENCODING[id(client)]
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def apply_edits(client: LanguageClient, text: str, edits: list[types.TextEdit]) -> str:
    """Apply TextEdits (positions in the session's encoding) to text, as an editor does."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[:position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        counted, chars = 0, 0
        while chars < len(line) and counted < position.character:
            counted += units(client, line[chars])
            chars += 1
        return before + chars

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
        lines = text.split("\n")
    return text


@pytest.mark.asyncio
async def test_open_publishes_precise_diagnostics_in_the_clients_encoding(client: LanguageClient, tmp_path):
    line = json.dumps(TYPO, ensure_ascii=False)
    uri = open_doc(client, tmp_path / "train.jsonl", jsonl(*clean_rows(3)) + line + "\n")
    (diagnostic,) = await published(client, uri)
    assert diagnostic.code == "TLT004" and diagnostic.source == "tunelint"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description.href.endswith("#undefined-tool")
    start = line.index('"get_wether"')
    assert diagnostic.range.start == types.Position(3, units(client, line[:start]))
    assert diagnostic.range.end == types.Position(3, units(client, line[:start + len('"get_wether"')]))


@pytest.mark.asyncio
async def test_change_relints_and_close_clears(client: LanguageClient, tmp_path):
    line = json.dumps(TYPO, ensure_ascii=False)
    uri = open_doc(client, tmp_path / "train.jsonl", line + "\n")
    assert [d.code for d in await published(client, uri)] == ["TLT004"]
    start = units(client, line[:line.index("get_wether") + len("get_we")])
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(0, start), types.Position(0, start)), text="a")]))  # get_weather
    assert await published(client, uri) == []
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    assert await published(client, uri) == []


@pytest.mark.asyncio
async def test_a_message_with_accented_text_arrives_whole_and_the_stream_stays_in_step(client: LanguageClient, tmp_path):
    # A call to an undeclared `prévision_météo`: the diagnostic's message holds non-ASCII
    # text, which the server writes as UTF-8. A header that counted characters instead of
    # bytes would cut the message short and the next one would not parse.
    row = json.loads(json.dumps(TYPO).replace("get_wether", "prévision_météo"))
    line = json.dumps(row, ensure_ascii=False)
    uri = open_doc(client, tmp_path / "train.jsonl", line + "\n")
    (diagnostic,) = await published(client, uri)
    assert diagnostic.code == "TLT004" and "`prévision_météo`" in diagnostic.message
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=json.dumps(TYPO, ensure_ascii=False) + "\n")]))
    (after,) = await published(client, uri)
    assert after.code == "TLT004" and "`get_wether`" in after.message


@pytest.mark.asyncio
async def test_quick_fix_applied_gives_the_fixed_row(client: LanguageClient, tmp_path):
    text = jsonl(*clean_rows(2)) + "\n" + json.dumps(LEGACY) + "\n"
    uri = open_doc(client, tmp_path / "train.jsonl", text)
    found = await published(client, uri)
    assert sorted(d.code for d in found) == ["TLJ003", "TLT002"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(3, 0), types.Position(3, 0)),
        context=types.CodeActionContext(diagnostics=[d for d in found if d.code == "TLT002"],
                                        only=[types.CodeActionKind.QuickFix])))
    (action,) = actions
    assert action.title == "Convert the row to the `tools` format (TLT002)"
    fixed = apply_edits(client, text, action.edit.changes[uri])
    row = json.loads(fixed.split("\n")[3])
    assert row["tools"][0]["function"]["name"] == "f" and row["messages"][1]["tool_calls"][0]["function"]["name"] == "f"
    assert fixed.split("\n")[:3] == text.split("\n")[:3]


@pytest.mark.asyncio
async def test_fix_all_source_action(client: LanguageClient, tmp_path):
    text = jsonl(*clean_rows(2)) + "\n" + json.dumps(LEGACY) + "\n"
    uri = open_doc(client, tmp_path / "train.jsonl", text)
    await published(client, uri)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.tunelint"])))
    (action,) = actions
    fixed = apply_edits(client, text, action.edit.changes[uri])
    assert fixed.count("\n") == 3 and "tool_calls" in fixed and "function_call" not in fixed


@pytest.mark.asyncio
async def test_hover_shows_rule_docs_and_row_tokens(client: LanguageClient, tmp_path):
    line = json.dumps(TYPO, ensure_ascii=False)
    uri = open_doc(client, tmp_path / "train.jsonl", jsonl(*clean_rows(2)) + line + "\n")
    (diagnostic,) = await published(client, uri)
    on_problem = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=diagnostic.range.start))
    assert "# undefined-tool (TLT004)" in on_problem.contents.value and "## Why is this bad?" in on_problem.contents.value
    on_row = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 1)))
    assert "tokens** for gpt-4o-mini-2024-07-18" in on_row.contents.value and "billed tokens per epoch" in on_row.contents.value


@pytest.mark.asyncio
async def test_configuration_change_relints(client: LanguageClient, tmp_path):
    text = jsonl(*clean_rows(2), {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "ok"}]})
    uri = open_doc(client, tmp_path / "train.jsonl", text)
    assert [d.code for d in await published(client, uri)] == ["TLC001"]
    # Settings pushed with the notification (what most clients send).
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"tunelint": {"ignore": ["too-few-examples", "TLC001"]}}))
    assert await published(client, uri) == []


@pytest.mark.asyncio
async def test_configuration_pulled_from_the_client(client: LanguageClient, tmp_path):
    text = jsonl(*clean_rows(2), {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "ok"}]})
    uri = open_doc(client, tmp_path / "train.jsonl", text)
    assert [d.code for d in await published(client, uri)] == ["TLC001"]
    client.set_configuration({"debounce": 20, "ignore": ["too-few-examples", "TLC001"]}, section="tunelint")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    expected = [] if client.capabilities.workspace.configuration else ["TLC001"]  # only clients that answer it
    assert [d.code for d in await published(client, uri)] == expected


@pytest.mark.asyncio
async def test_project_config_applies(client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tunelint]\nignore = ["TLC001"]\n')
    text = jsonl(*clean_rows(2), {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "ok"}]})
    uri = open_doc(client, tmp_path / "train.jsonl", text)
    assert await published(client, uri) == []


@pytest.mark.asyncio
async def test_a_large_document_shows_its_top_rows_first_then_everything(client: LanguageClient, tmp_path):
    # 2,400 rows: enough for the first lint to go to every core and to publish the top
    # rows' findings before the rest. A typo'd call near the top and near the end, and a
    # copy of row 10 near the end (a dataset finding, known only once every row is read).
    rows = [json.dumps({**clean_rows(1)[0], "messages": [{"role": "user", "content": f"Weather {n}?"},
                                                         {"role": "assistant", "content": f"Sunny {n}."}]})
            for n in range(2400)]
    typo = json.dumps(TYPO, ensure_ascii=False)
    rows[2], rows[2049], rows[2079] = typo, typo.replace("Zürich", "Bern"), rows[9]
    text = "\n".join(rows) + "\n"
    uri = open_doc(client, tmp_path / "train.jsonl", text)
    from tunelint.lint import Settings, check_text

    expected = sorted((v.line - 1, v.code) for v in check_text(text, str(tmp_path / "train.jsonl"),
                                                               Settings(ignore=["too-few-examples"])).violations)
    assert (2049, "TLT004") in expected and (2079, "TLD001") in expected
    # The two publications may both arrive before this coroutine resumes: take the first
    # from its own notification, and the complete set from the client's latest state.
    notification = await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 20)
    first = sorted((d.range.start.line, d.code) for d in notification.diagnostics)
    assert first == [(2, "TLT004")]

    def latest():
        return sorted((d.range.start.line, d.code) for d in client.diagnostics.get(uri, []))

    for _ in range(400):
        if latest() != first:
            break
        await asyncio.sleep(0.05)
    assert latest() == expected


def test_a_quick_fix_is_written_from_the_line_as_it_is_now():
    # The lint keeps only the conversion fix's title; the quick fix is written from the
    # document's line when asked: the converted LEGACY row, then (the line edited to
    # another legacy row) that row's conversion, then (edited to a tools row) nothing.
    from tunelint.lint import Settings
    from tunelint.lint.conversion import legacy_row_to_tools
    from tunelint.lint import Session

    lines = [json.dumps(r) for r in clean_rows(2)] + [json.dumps(LEGACY)]
    session = Session("train.jsonl", Settings(), jobs=1)
    (legacy,) = [v for v in session.lint(lines) if v.code == "TLT002"]
    assert legacy.fix.lines is None
    assert json.loads(session.fix_lines(lines, legacy)[0]) == legacy_row_to_tools(LEGACY).value
    other = dict(LEGACY, meta={"source": "edited"})
    lines[2] = json.dumps(other)
    assert json.loads(session.fix_lines(lines, legacy)[0]) == legacy_row_to_tools(other).value
    lines[2] = json.dumps(legacy_row_to_tools(other).value)
    assert session.fix_lines(lines, legacy) is None


@pytest.mark.asyncio
async def test_quick_fix_and_fix_all_write_arguments_as_check_fix_does(client: LanguageClient, tmp_path):
    # A compact document (as JavaScript writes arguments strings) with one row giving its
    # arguments as an object: the quick fix and fix-all write `{"order_id":"A-1111"}`, the
    # document's style, exactly as `check --fix` of the same text (not json.dumps's `": "`).
    from tunelint.lint import Settings, apply_fixes

    def row(i: int, arguments) -> str:
        return json.dumps({"messages": [
            {"role": "user", "content": f"Where is order {i}?"},
            {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                                                  "function": {"name": "get_weather", "arguments": arguments}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "shipped"},
            {"role": "assistant", "content": "Shipped."}], "tools": [WEATHER]}, separators=(",", ":"))

    lines = [row(i, json.dumps({"city": f"C{i}", "unit": "c"}, separators=(",", ":"))) for i in range(3)]
    lines.append(row(3, {"city": "Oslo", "unit": "c"}))
    text = "\n".join(lines) + "\n"
    expected, _ = apply_fixes(text.encode(), Settings(ignore=["too-few-examples"]), "train.jsonl")
    assert '"arguments":"{\\"city\\":\\"Oslo\\",\\"unit\\":\\"c\\"}"' in expected.decode()
    uri = open_doc(client, tmp_path / "train.jsonl", text)
    found = await published(client, uri)
    assert [d.code for d in found] == ["TLT005"]
    (quick,) = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=found[0].range,
        context=types.CodeActionContext(diagnostics=found, only=[types.CodeActionKind.QuickFix])))
    assert apply_edits(client, text, quick.edit.changes[uri]) == expected.decode()
    (every,) = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.tunelint"])))
    assert apply_edits(client, text, every.edit.changes[uri]) == expected.decode()
