"""One pass over a row's messages: what several rules need, computed once per row.

Everything here tolerates wrong types anywhere: a rule that needs a list gets an empty
one when the row holds something else (the structure rules report that once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .pointer import join_pointer
from .source import Row

ROW_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
MESSAGE_KEYS = frozenset({"role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call"})
ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
# The roles other formats give the chat roles (Cohere's `Chatbot`, ShareGPT's `human` and
# `gpt`, Gemini's `model`, ...), by their lowercase spelling.
ROLE_ALIASES = {"chatbot": "assistant", "bot": "assistant", "model": "assistant", "gpt": "assistant", "ai": "assistant",
                "human": "user"}


def turn(index: int) -> str:
    """How a finding names a turn: by its place in `messages` (0-based, as the row's JSON
    and the finding's pointer number it), never as "message 2" (ambiguous beside 1-based lines)."""
    return f"`messages[{index}]`"


def intended_role(role: Any) -> tuple[str, bool] | None:
    """The chat role an odd role stands for, and whether only its case (or spacing) differs:
    `User` -> ("user", True), `Chatbot` -> ("assistant", False); None when it is no known one."""
    if type(role) is not str:
        return None
    folded = role.strip().lower()
    if folded in ROLES:
        return folded, True
    alias = ROLE_ALIASES.get(folded)
    return (alias, False) if alias is not None else None


class Call:
    """One function call made by an assistant turn, in either format.

    A plain slotted class: rows hold thousands of these, and a frozen dataclass's
    __init__ costs several times more.
    """

    __slots__ = ("message", "index", "id", "name", "arguments")

    def __init__(self, message: int, index: int | None, id: Any, name: Any, arguments: Any) -> None:
        self.message = message  # index of the assistant message
        self.index = index  # index in `tool_calls`; None for a legacy `function_call`
        self.id = id  # `id` of a tool call (None for legacy calls)
        self.name = name  # whatever `function.name` holds
        self.arguments = arguments  # whatever `function.arguments` holds (a JSON string when well formed)

    @property
    def pointer(self) -> str:
        if self.index is None:
            return join_pointer("messages", self.message, "function_call")
        return join_pointer("messages", self.message, "tool_calls", self.index)

    @property
    def function_pointer(self) -> str:
        return self.pointer if self.index is None else self.pointer + "/function"


def messages(row: Row) -> list[Any]:
    """The row's `messages` when it is a list (its items may be anything)."""
    obj = row.obj
    value = obj.get("messages") if obj is not None else None
    return value if type(value) is list else []


_MISSING = object()


@dataclass(slots=True)
class Survey:
    """One pass over a row's messages: what the rules need, and flags that let them skip.

    Most rows are valid, so a rule first asks its flag (is any role odd? any content
    empty or not a string?) and walks the messages itself only when the answer is yes.
    """

    message_dicts: list[tuple[int, dict]]
    calls: list[Call]
    contents: list[Any]  # each of `message_dicts`' `content` (None when absent): the screening keys hash them
    non_dict_messages: bool = False
    unknown_keys: bool = False
    odd_roles: bool = False
    content_suspect: bool = False  # some content is empty, null, parts or another type
    weights: bool = False
    assistants: int = 0
    trained_assistants: int = 0  # assistant turns whose weight is not 0
    misnamed: frozenset[str] = frozenset()  # chat roles that some turn names another way (`Chatbot`, `User`)
    developer: bool = False  # some turn has the `developer` role
    results: bool = False  # a `tool` or `function` message is present
    parallel: bool = False  # some turn makes more than one tool call
    malformed_calls: bool = False
    flow_suspect: bool = False  # a result answers no pending call, or a call goes unanswered
    legacy_format: bool = False  # `function_call` or role `function` in the messages
    tools_format: bool = False  # `tool_calls` or role `tool` in the messages
    last_assistant: int = -1  # position in `message_dicts` of the last assistant turn (-1: none)


def survey(row: Row) -> Survey:
    analysis = row.analysis
    found = analysis.survey
    if found is None:
        found = analysis.survey = _survey(messages(row))
    return found


def well_formed_call(call: Any) -> bool:
    if type(call) is not dict:
        return False
    function = call.get("function")
    ident = call.get("id")
    return (type(ident) is str and ident != "" and call.get("type") == "function"
            and type(function) is dict and type(function.get("name")) is str)


def _survey(items: list[Any]) -> Survey:
    # Locals rather than attribute writes: this loop is the hottest code of a lint.
    dicts: list[tuple[int, dict]] = []
    found: list[Call] = []
    contents: list[Any] = []
    pending: set[Any] = set()  # ids (or legacy names) of calls not answered yet
    non_dict = unknown = odd_roles = suspect = weights = results = parallel = malformed = flow = legacy = tools = False
    developer = False
    assistants = trained = 0
    misnamed: set[str] = set()
    last = -1
    keys_ok, roles = MESSAGE_KEYS.issuperset, ROLES
    for i, message in enumerate(items):
        if type(message) is not dict:
            non_dict = True
            continue
        dicts.append((i, message))
        if not keys_ok(message):
            unknown = True
        role = message.get("role")
        if type(role) is not str or role not in roles:
            odd_roles = True
            intended = intended_role(role)
            if intended is not None:
                misnamed.add(intended[0])
        if "weight" in message:
            weights = True
        if role == "developer":
            developer = True
        calls_here = False
        if role == "assistant":
            if pending:
                flow = True  # calls left unanswered before this turn
            first_call = len(found)
            assistants += 1
            last = len(dicts) - 1
            weight = message.get("weight")
            if not (weight == 0 and type(weight) is int):
                trained += 1
            tool_calls = message.get("tool_calls")
            if tool_calls is not None:
                tools = True
                if type(tool_calls) is list:
                    for j, call in enumerate(tool_calls):
                        if type(call) is not dict:
                            malformed = True
                            continue
                        function = call.get("function")
                        ident = call.get("id")
                        if type(function) is dict:
                            name = function.get("name")
                            found.append(Call(i, j, ident, name, function.get("arguments")))
                            if type(ident) is not str or not ident or type(name) is not str or call.get("type") != "function":
                                malformed = True
                        else:
                            found.append(Call(i, j, ident, None, None))
                            malformed = True
                    calls_here = bool(tool_calls)
                    if len(tool_calls) > 1:
                        parallel = True
                else:
                    malformed = True
            elif "tool_calls" in message:
                tools = malformed = True
            if "function_call" in message:
                legacy = True
                function_call = message["function_call"]
                if type(function_call) is dict:
                    found.append(Call(i, None, None, function_call.get("name"), function_call.get("arguments")))
                    calls_here = calls_here or bool(function_call)
                if type(function_call) is not dict or type(function_call.get("name")) is not str:
                    malformed = True
            for call in found[first_call:]:
                key = ("f", call.name) if call.index is None else call.id
                try:
                    if key in pending:
                        flow = True  # a second call under one key: let the rules look
                    pending.add(key)
                except TypeError:  # an unhashable id or name (a list, an object): the rules report it
                    flow = True
        else:
            if "tool_calls" in message:
                malformed = tools = True
            if "function_call" in message:
                malformed = legacy = True
            if role == "tool" or role == "function":
                results = True
                if role == "tool":
                    tools = True
                    key = message.get("tool_call_id")
                    if type(key) is not str:
                        flow = True  # no usable id: it cannot answer a call (even one whose id is also missing)
                else:
                    legacy = True
                    key = ("f", message.get("name"))
                try:
                    pending.remove(key)
                except (KeyError, TypeError):
                    flow = True  # answers nothing pending (or an odd key)
        content = message.get("content", _MISSING)
        if type(content) is str:
            contents.append(content)
            if (not content or content.isspace()) and not calls_here:
                suspect = True
        else:
            contents.append(None if content is _MISSING else content)
            if not (calls_here and (content is None or content is _MISSING)):
                suspect = True
    return Survey(dicts, found, contents, non_dict, unknown, odd_roles, suspect, weights, assistants, trained,
                  frozenset(misnamed), developer, results, parallel, malformed, flow, legacy, tools, last)


def message_dicts(row: Row) -> list[tuple[int, dict]]:
    return survey(row).message_dicts


def calls(row: Row) -> list[Call]:
    """Every call in the row, in order, from `tool_calls` and `function_call`."""
    return survey(row).calls


def uses_tools_format(row: Row) -> str | None:
    """A pointer to the first thing in the row that uses the `tools` format, or None."""
    obj = row.obj
    if obj is None:
        return None
    if "tools" in obj:
        return "/tools"
    if not _has_format(row, legacy=False):
        return None
    for i, message in message_dicts(row):
        if "tool_calls" in message:
            return join_pointer("messages", i, "tool_calls")
        if message.get("role") == "tool":
            return join_pointer("messages", i, "role")
    return None


def uses_legacy_format(row: Row) -> str | None:
    """A pointer to the first thing in the row that uses the deprecated function format."""
    obj = row.obj
    if obj is None:
        return None
    if "functions" in obj:
        return "/functions"
    if not _has_format(row, legacy=True):
        return None
    for i, message in message_dicts(row):
        if "function_call" in message:
            return join_pointer("messages", i, "function_call")
        if message.get("role") == "function":
            return join_pointer("messages", i, "role")
    return None


def _has_format(row: Row, legacy: bool) -> bool:
    """Whether any message uses a format: the survey's answer if some rule built it, else a
    scan much cheaper than a survey (a conversion runs only the format rules)."""
    analysis = row.analysis
    found = analysis.survey
    if found is not None:
        return found.legacy_format if legacy else found.tools_format
    answer = analysis.legacy_scan if legacy else analysis.tools_scan
    if answer is None:
        key, role = ("function_call", "function") if legacy else ("tool_calls", "tool")
        answer = any(type(m) is dict and (key in m or m.get("role") == role) for m in messages(row))
        if legacy:
            analysis.legacy_scan = answer
        else:
            analysis.tools_scan = answer
    return answer
