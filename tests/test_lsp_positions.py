"""The server's own position arithmetic, checked against pygls' and lsprotocol's.

The server converts positions and builds diagnostics' JSON itself (pygls' versions walk
characters and build attrs objects, too slow on big documents); these tests hold them
to the libraries' results.
"""

import pytest
from lsprotocol import converters, types
from pygls.workspace.position_codec import PositionCodec

from tunelint.lint.model import Related, Severity, Violation
from tunelint.lsp.positions import ClientLines, client_units, code_points
from tunelint.lsp.server import diagnostic_json

ENCODINGS = [types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf32]
# Lines a dataset really holds: accents (two UTF-8 bytes), CJK (three), emoji (four, and
# a surrogate pair in UTF-16), and plain ASCII.
LINES = ['{"content": "Zürich 🌦 東京, ok"}', "plain ascii", "🌦🌦", "é", ""]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("line", LINES)
def test_client_positions_map_back_like_pygls(encoding, line):
    codec = PositionCodec(encoding)
    for column in range(len(line) + 1):
        units = client_units(line, column, encoding)
        assert units == codec.client_num_units(line[:column])
        assert code_points(line, units, encoding) == column
        ours = code_points(line, units, encoding)
        theirs = codec.position_from_client_units([line], types.Position(0, units)).character
        assert ours == theirs


def test_a_position_inside_a_character_counts_the_character():
    # UTF-16 unit 1 is between the halves of the emoji; UTF-8 byte 2 is inside it.
    assert code_points("🌦x", 1, types.PositionEncodingKind.Utf16) == 1
    assert code_points("🌦x", 2, types.PositionEncodingKind.Utf8) == 1
    assert code_points("ab", 99, types.PositionEncodingKind.Utf16) == 2  # past the end: the end


def violation(**changes):
    base = dict(code="TLD001", name="duplicate-row", severity=Severity.WARNING, message="row duplicates line 1",
                path="/d/train.jsonl", line=2, col=13, end_col=20, pointer="", fix=None,
                related=(Related(1, "first copy"),), snippet=("", 0, False))
    base.update(changes)
    return Violation(**base)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_diagnostic_json_is_what_lsprotocol_writes(encoding):
    lines = ['{"content": "Zürich 🌦"}', '{"content": "Zürich 🌦 again"}']
    v = violation(related=(Related(1, "first copy"), Related(4, "in the other file", path="/d/valid.jsonl")))
    units = lambda text, col: client_units(text, col, encoding)  # noqa: E731
    expected = types.Diagnostic(
        range=types.Range(types.Position(1, units(lines[1], 13)), types.Position(1, units(lines[1], 20))),
        message="row duplicates line 1", severity=types.DiagnosticSeverity.Warning, code="TLD001",
        code_description=types.CodeDescription(href=diagnostic_json("u", ClientLines(lines, encoding), v)["codeDescription"]["href"]),
        source="tunelint",
        related_information=[
            types.DiagnosticRelatedInformation(types.Location("file:///d/train.jsonl", types.Range(
                types.Position(0, 0), types.Position(0, units(lines[0], len(lines[0]))))), "first copy"),
            types.DiagnosticRelatedInformation(types.Location("file:///d/valid.jsonl", types.Range(
                types.Position(3, 0), types.Position(3, 0))), "in the other file"),
        ])
    assert diagnostic_json("file:///d/train.jsonl", ClientLines(lines, encoding), v) == \
        converters.get_converter().unstructure(expected)


def test_a_diagnostic_without_related_places_has_no_related_key():
    found = diagnostic_json("file:///d/t.jsonl", ClientLines(["{}"], types.PositionEncodingKind.Utf16),
                            violation(related=(), line=1, col=0, end_col=2))
    assert "relatedInformation" not in found
    assert found["severity"] == types.DiagnosticSeverity.Warning.value


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_lone_carriage_returns_end_client_lines_as_the_protocol_says(encoding):
    # A row whose text holds a lone "\r" (seen as a line end by every LSP client, not by
    # JSONL): positions after it move to the next client line, and back.
    rows = ['{"a": 1}\r{"b": "é"}', '{"c": 3}\r', '{"d": "🌦"}', ""]
    lines = ClientLines(rows, encoding)
    assert lines.position(0, 3) == {"line": 0, "character": 3}
    assert lines.position(0, 8) == {"line": 0, "character": client_units(rows[0], 8, encoding)}  # the "\r" itself
    assert lines.position(0, 12) == {"line": 1, "character": 3}
    assert lines.position(1, 2) == {"line": 2, "character": 2}  # a CRLF row ends one line, as "\n" does
    assert lines.position(2, 9) == {"line": 3, "character": client_units(rows[2], 9, encoding)}
    for index, row in enumerate(rows):
        for column in range(len(row) + 1):
            if row[column - 1:column] == "\r" and (column < len(row) or index < len(rows) - 1):
                continue  # past a line end ("\r", or the "\r" of "\r\n"): no place of its own
            there = lines.position(index, column)
            assert lines.engine(types.Position(**there)) == (index, column), (index, column)


# --- reading messages, and documents split on first use ------------------------------------------

def test_messages_read_with_orjson_are_what_pygls_reads():
    # A didOpen whose text holds accents, emoji and escaped quotes (a JSONL row inside a
    # JSON string), and one with a lone surrogate escape, which orjson refuses and the
    # standard library reads: both must give the message pygls itself would build.
    import json

    from pygls.lsp.server import LanguageServer

    from tunelint.lsp.speedups import OrjsonFirst

    protocol = LanguageServer("t", "1").protocol
    for text in ['{"content": "Zürich 🌦 \\"quoted\\""}\n', "half a pair: \ud83c\n"]:
        message = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": "file:///t.jsonl", "languageId": "jsonl", "version": 1, "text": text}}}).encode()
        ours = OrjsonFirst.loads(message, object_hook=protocol.structure_message)
        theirs = json.loads(message, object_hook=protocol.structure_message)
        assert type(ours) is type(theirs) and ours == theirs and ours.params.text_document.text == text


@pytest.mark.parametrize("text", ["", "\n", "a", "a\n", "a\n\nb", "a\r\nb\r\n", "\n\n\n", "x\n" * 5])
def test_a_document_not_split_yet_tells_its_rows_and_head_as_the_split_one(text):
    from tunelint.lsp.document import Document

    fresh = Document.from_text("file:///t.jsonl", "/t.jsonl", text, 1)
    split = Document.from_text("file:///t.jsonl", "/t.jsonl", text, 1)
    rows = split.rows  # splits it
    assert fresh.row_count() == len(rows)
    for count in (0, 1, 2, 3, 10):
        assert fresh.head(count) == rows[:count] == split.head(count)
    assert fresh.text == text == split.text and fresh.rows == rows
