"""Cases found by the property tests, kept as plain tests."""

from helpers import lint


def test_tool_message_without_id_is_reported_even_after_a_call_without_id():
    # The survey once paired the result's missing id with the call's missing id and skipped the rule.
    row = {"messages": [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "tool_calls": [{"id": None, "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "content": "12"}], "tools": [{"type": "function", "function": {"name": "f"}}]}
    found = {(v.name, v.message) for v in lint(row)}
    assert ("orphan-tool-message", "tool turn `messages[2]` has no `tool_call_id`") in found


def test_a_call_id_that_is_an_object_is_reported_not_a_crash():
    # Found by the language server's random-edit test: an object as a call's id (a paste
    # landed inside it) raised "unhashable type: 'dict'" in the survey of the messages.
    row = {"messages": [
        {"role": "user", "content": "Weather in Rome?"},
        {"role": "assistant", "tool_calls": [{"id": {"messages": []}, "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "12"}], "tools": [{"type": "function", "function": {"name": "f"}}]}
    found = {v.name for v in lint(row)}
    assert "malformed-tool-call" in found


def test_a_role_that_is_an_object_is_reported_not_a_crash():
    # Found by the language server's random-edit test: a paste landed in a role's value,
    # and the system-prompt fact looked the object up in a set ("unhashable type: 'dict'").
    row = {"messages": [
        {"role": "user", "content": "Weather in Rome?"},
        {"role": {"messages": []}, "content": "It is 12°C in Rome."}]}
    found = {v.name for v in lint(row)}
    assert "invalid-role" in found


def test_tool_calls_that_are_a_number_are_reported_not_a_crash():
    # Found by the survey property test: the training text of near-duplicate-row iterated
    # `tool_calls` before checking it was a list ("'int' object is not iterable").
    row = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "tool_calls": 1}]}
    found = {v.name for v in lint(row, select=["ALL"])}
    assert "malformed-tool-call" in found


def test_a_called_name_that_is_a_list_is_reported_not_a_crash():
    # Found by fuzzing the dataset rules: the answer's fingerprint hashed the called
    # function's name as it was, and a list cannot be hashed.
    row = {"messages": [{"role": "user", "content": "Hi"},
                        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                                              "function": {"name": ["f"], "arguments": "{}"}}]}]}
    found = {v.name for v in lint(row, row, select=["ALL"])}
    assert "malformed-tool-call" in found
