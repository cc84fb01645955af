"""Token counts against hand-computed examples, offline vocabularies, epochs and cost.

Piece counts used below (o200k_base and cl100k_base agree on all of them):
"user" 1, "assistant" 1, "Hello world" 2, "Hi!" 2, "ana" 1, "get_weather" 2,
'{"city": "Oslo"}' 7, "12" 1, "tool" 1, "function" 1, "Describe this" 2,
"get_weather:Current weather for a city" 8, "city:string:City name" 5,
"unit:string:" 3, "celsius" 2, "fahrenheit" 2.
"""

import base64
import struct
import zlib

import pytest
from click.testing import CliRunner

from helpers import jsonl
from tunelint.cli.main import cli
from tunelint.lint import Settings, check_text
from tunelint.lint.models import default_epochs, model_facts
from tunelint.lint.token_count import TokenCounter, image_tokens, tiles
from tunelint.lint.vocabulary import VocabularyError, encoding

MINI = model_facts("gpt-4o-mini-2024-07-18")
TURBO = model_facts("gpt-3.5-turbo-0125")
ARGS = '{"city": "Oslo"}'
WEATHER_FN = {"name": "get_weather", "description": "Current weather for a city.",
              "parameters": {"type": "object", "properties": {
                  "city": {"type": "string", "description": "City name."},
                  "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}


def count(row, model=MINI):
    return TokenCounter(model).row(row)


def test_plain_text():
    row = {"messages": [{"role": "user", "content": "Hello world"}, {"role": "assistant", "content": "Hi!"}]}
    # user: 3 + 1 + 2 = 6; assistant: 3 + 1 + 2 = 6; reply primer 3.
    result = count(row)
    assert (result.total, result.assistant, result.tools) == (15, 6, 0)


def test_name_adds_its_tokens_and_one():
    row = {"messages": [{"role": "user", "name": "ana", "content": "Hello world"}, {"role": "assistant", "content": "Hi!"}]}
    assert count(row).total == 15 + 1 + 1  # "ana" is 1 token, plus 1 for having a name


def test_tools_by_the_cookbook_formula_counted_once_per_array():
    # function: 7 + "get_weather:Current weather for a city" (8, the final '.' dropped)
    # properties: 3; city: 3 + "city:string:City name" (5); unit: 3 + enum (-3 + 3+2 + 3+2) + "unit:string:" (3)
    # end: 12.  7 + 8 + 3 + 3 + 5 + 3 - 3 + 5 + 5 + 3 + 12 = 51
    tools = [{"type": "function", "function": WEATHER_FN}]
    row = {"messages": [{"role": "user", "content": "Hello world"},
                        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": ARGS}}]},
                        {"role": "tool", "tool_call_id": "c1", "content": "12"},
                        {"role": "assistant", "content": "Hi!"}],
           "tools": tools}
    counter = TokenCounter(MINI)
    result = counter.row(row)
    # user 6; call turn 3 + 1 + (2 + 7) = 13; tool 3 + 1 + 1 = 5; answer 6; primer 3; tools 51.
    assert result.tools == 51
    assert result.total == 6 + 13 + 5 + 6 + 3 + 51
    assert result.assistant == 13 + 6
    assert len(counter._tools) == 1 and counter.row(row).tools == 51  # the second row reuses the count


def test_gpt35_counts_ten_per_function():
    tools = [{"type": "function", "function": WEATHER_FN}]
    assert count({"messages": [], "tools": tools}, TURBO).tools == 51 + 3


def test_legacy_functions_count_like_tools():
    row = {"messages": [{"role": "user", "content": "Hello world"},
                        {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": ARGS}},
                        {"role": "function", "name": "get_weather", "content": "12"}],
           "functions": [WEATHER_FN]}
    # user 6; call 3 + 1 + 2 + 7 = 13; result 3 + "function" 1 + "12" 1 + name 2 + 1 = 8; primer 3; functions 51.
    assert count(row).total == 6 + 13 + 8 + 3 + 51


def png_data_url(width, height):
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    header += struct.pack(">I", zlib.crc32(header[12:]))
    return "data:image/png;base64," + base64.b64encode(header + b"\0" * 32).decode()


def test_images_by_the_vision_rule():
    # 1024x1024: shortest side scaled to 768 -> 768x768 -> 2x2 tiles: 85 + 4 x 170 = 765.
    assert image_tokens({"url": png_data_url(1024, 1024)}) == (765, True)
    assert image_tokens({"url": png_data_url(1024, 1024), "detail": "low"}) == (85, True)
    # 4096x1024 -> fit 2048x512 -> shortest side 512 < 768 stays -> 4x1 tiles: 85 + 680.
    assert tiles(4096, 1024) == 4
    assert image_tokens({"url": "https://example.com/cat.png"}) == (85, False)  # size unknown: a lower bound


def test_row_with_an_unsized_image_is_a_lower_bound():
    row = {"messages": [{"role": "user", "content": [{"type": "text", "text": "Describe this"},
                                                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]},
                        {"role": "assistant", "content": "Hi!"}]}
    result = count(row)
    assert result.lower_bound and result.total == (3 + 1 + 2 + 85) + 6 + 3


def test_stats_says_how_many_examples_are_a_lower_bound(tmp_path):
    # One row with an image of unknown size, then a second: the count is said in words.
    image = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}
    rows = [{"messages": [image, {"role": "assistant", "content": f"Answer {n}"}]} for n in range(2)]
    for n, phrase in ((1, "at least: 1 example has images of unknown size"), (2, "at least: 2 examples have images of unknown size")):
        path = tmp_path / f"images_{n}.jsonl"
        path.write_text(jsonl(*rows[:n]), "utf-8")
        assert phrase in CliRunner().invoke(cli, ["stats", str(path)]).output


@pytest.mark.parametrize(("examples", "epochs"), [(10, 10), (30, 4), (34, 3), (1000, 3), (9000, 2), (30000, 1), (2, 25)])
def test_default_epochs(examples, epochs):
    assert default_epochs(examples) == epochs


def test_vocabularies_load_offline_with_tiktokens_hash_check(tmp_path, monkeypatch):
    from tunelint.lint import vocabulary

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(vocabulary, "_encodings", {})
    assert encoding("cl100k_base").encode_ordinary("Hello world") == [9906, 1917]
    cached = list((tmp_path / "tunelint" / "tiktoken").iterdir())
    assert len(cached) == 1
    # A corrupted vocabulary fails the hash check: an error, never a download or a guess.
    cached[0].write_bytes(cached[0].read_bytes()[:-10])
    monkeypatch.setattr(vocabulary, "_encodings", {})
    with pytest.raises(VocabularyError, match="never downloads"):
        encoding("cl100k_base")


def test_row_over_token_limit_reports_count_and_limit():
    nano = {"messages": [{"role": "user", "content": "word " * 40_000}, {"role": "assistant", "content": "ok"}]}
    settings = Settings(model="gpt-4.1-nano-2025-04-14", select=["TLK"])
    (v,) = check_text(jsonl(nano), "t.jsonl", settings).violations
    assert v.name == "row-over-token-limit"
    # Counting stops once past the limit: the message says how far it got.
    counted = int(v.message.split("at least ")[1].split(" tokens")[0].replace(",", ""))
    assert counted > 32_768 and "trains on at most 32,768" in v.message
    assert check_text(jsonl(nano), "t.jsonl", Settings(model="gpt-4o-mini-2024-07-18", select=["TLK"])).violations == []


def test_bounded_count_is_exact_below_the_limit():
    row = {"messages": [{"role": "user", "content": "Hello world"}, {"role": "assistant", "content": "Hi!"}]}
    counter = TokenCounter(MINI)
    assert counter.row_at_least(row, 100) == (15, True)
    total, exact = counter.row_at_least(row, 10)
    assert not exact and total > 10


def test_model_from_config_and_unknown_model_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.jsonl").write_text(jsonl({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}))
    (tmp_path / "pyproject.toml").write_text('[tool.tunelint]\nmodel = "tiny"\n[tool.tunelint.models.tiny]\n'
                                             'encoding = "o200k_base"\nlimit = 5\nprice = 1.0\n')
    result = CliRunner().invoke(cli, ["check", "t.jsonl", "--output-format", "concise"])
    assert "TLK001" in result.stdout and "trains on at most 5" in result.stdout
    assert CliRunner().invoke(cli, ["check", "t.jsonl", "--model", "gpt-9"]).exit_code == 2
