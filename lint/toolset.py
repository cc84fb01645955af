"""Analysis of a `tools` (or legacy `functions`) array, done once per distinct array.

Datasets repeat the same tools array row after row, so the analysis (definition
problems, strict-mode problems, compiled argument validators) is cached by the array's
serialized bytes and shared by every row that declares it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from .fingerprint import quick
from .fastschema import certainly_valid_schema, compile_schema
from .pointer import join_pointer

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

# Structured Outputs' subset of JSON Schema (OpenAI "Supported schemas", checked 2026-11).
STRICT_UNSUPPORTED = (
    "allOf", "not", "oneOf", "if", "then", "else", "dependentRequired", "dependentSchemas",
    "patternProperties", "unevaluatedProperties", "propertyNames", "minProperties",
    "maxProperties", "minLength", "maxLength", "unevaluatedItems", "contains", "minContains",
    "maxContains", "uniqueItems",
)
STRICT_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"})
_CACHE_LIMIT = 4096


@dataclass
class FunctionDef:
    name: str
    index: int
    strict: bool
    parameters: Any  # the schema as declared (may be missing or malformed)
    schema_ok: bool  # parameters is a usable JSON Schema
    _validator: Any = None
    _fast: Any = False  # False: not compiled yet; None: no fast path for this schema

    def argument_errors(self, arguments: dict) -> list[tuple[str, str]]:
        """(path inside the arguments, message) for each way `arguments` fails the schema."""
        if not self.schema_ok or self.parameters is None:
            return []
        if self._fast is False:
            self._fast = compile_schema(self.parameters)
        if self._fast is not None:
            try:
                if self._fast(arguments):
                    return []  # certainly valid; jsonschema is asked only when in doubt
            except RecursionError:
                pass
        if self._validator is None:
            from jsonschema.validators import validator_for

            cls = validator_for(self.parameters, default=_default_validator())
            self._validator = cls(self.parameters)
        try:
            errors = sorted(self._validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
        except RecursionError:
            return [("", "arguments are nested too deeply to check against the schema")]
        return [("/" + "/".join(str(p) for p in e.absolute_path), e.message) for e in errors]


@dataclass
class ToolSet:
    """What a row declares: functions by name, and the problems of the declaration."""

    functions: dict[str, FunctionDef] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # invalid-tool-definition
    strict_problems: list[tuple[str, str, bool]] = field(default_factory=list)  # strict-schema-violation (on_key last)
    fingerprint: int | None = None  # the array's `quick` fingerprint, worked out once for the dataset rules

    @property
    def names(self) -> set[str]:
        return set(self.functions)


_cache: dict[bytes, ToolSet] = {}
EMPTY = ToolSet()


def analyse(value: Any, legacy: bool) -> ToolSet:
    """The ToolSet of a row's `tools` array (or `functions` array when `legacy`)."""
    try:
        key = (b"F" if legacy else b"T") + orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):  # pragma: no cover - parsed JSON always dumps
        return _analyse(value, legacy)
    found = _cache.get(key)
    if found is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        found = _cache[key] = _analyse(value, legacy)
        if found is not EMPTY:
            found.fingerprint = quick(value)
    return found


def _default_validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator


def _analyse(value: Any, legacy: bool) -> ToolSet:
    base = "functions" if legacy else "tools"
    toolset = ToolSet()
    if type(value) is not list:
        toolset.problems.append(("/" + base, f"`{base}` must be an array, not {json_type(value)}"))
        return toolset
    for index, entry in enumerate(value):
        at = join_pointer(base, index)
        if legacy:
            function, fn_at = entry, at
        else:
            if type(entry) is not dict:
                toolset.problems.append((at, f"tool {index} must be an object, not {json_type(entry)}"))
                continue
            kind = entry.get("type")
            if kind != "function":
                toolset.problems.append((at + "/type" if "type" in entry else at,
                                         f"tool {index} has type {_show(kind)}; fine-tuning takes `function` tools only"))
                continue
            function, fn_at = entry.get("function"), at + "/function"
        if type(function) is not dict:
            toolset.problems.append((fn_at, f"tool {index} needs a `function` object, not {json_type(function)}"))
            continue
        _add_function(toolset, function, fn_at, index)
    return toolset


def _add_function(toolset: ToolSet, function: dict, at: str, index: int) -> None:
    name = function.get("name")
    if type(name) is not str or not NAME_PATTERN.match(name):
        if "name" not in function:
            problem = "function has no `name`"
        elif type(name) is not str:
            problem = f"function name must be a string, not {json_type(name)}"
        else:
            problem = f"function name `{name}` must match ^[a-zA-Z0-9_-]{{1,64}}$"
        toolset.problems.append((at + "/name" if "name" in function else at, problem))
        if type(name) is not str:
            return
    if name in toolset.functions:
        first = toolset.functions[name].index
        toolset.problems.append((at + "/name", f"function `{name}` is declared twice (first as tool {first})"))
        return
    description = function.get("description")
    if description is not None and type(description) is not str:
        toolset.problems.append((at + "/description", f"description of `{name}` must be a string, not {json_type(description)}"))
    parameters = function.get("parameters")
    schema_ok = parameters is None or _check_schema(toolset, parameters, at + "/parameters", name)
    strict = function.get("strict") is True
    if "strict" in function and type(function["strict"]) is not bool:
        toolset.problems.append((at + "/strict", f"`strict` of `{name}` must be true or false"))
    toolset.functions[name] = FunctionDef(name, index, strict, parameters, schema_ok)
    if strict:
        toolset.strict_problems.extend(strict_schema_problems(parameters, at + "/parameters", name))


def _check_schema(toolset: ToolSet, schema: Any, at: str, name: str) -> bool:
    if type(schema) is not dict:
        toolset.problems.append((at, f"parameters of `{name}` must be a JSON Schema object, not {json_type(schema)}"))
        return False
    if certainly_valid_schema(schema):
        return True  # the common subset: no need to load jsonschema
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema, default=_default_validator()).check_schema(schema)
    except SchemaError as exc:
        where = at + "".join("/" + str(p) for p in exc.absolute_path)
        toolset.problems.append((where, f"parameters of `{name}` are not a valid JSON Schema: {exc.message}"))
        return False
    except RecursionError:
        toolset.problems.append((at, f"parameters of `{name}` are nested too deeply to check"))
        return False
    return True


def strict_schema_problems(schema: Any, at: str, name: str) -> list[tuple[str, str, bool]]:
    """Where a `strict: true` function's schema leaves Structured Outputs' subset: (pointer,
    message, whether the finding is on the member's key: an unsupported keyword is)."""
    if type(schema) is not dict:
        return [(at, f"strict function `{name}` needs an object schema for its parameters", False)]
    problems: list[tuple[str, str, bool]] = []
    if schema.get("type") != "object":
        problems.append((at, f"strict function `{name}`: the root schema must have type `object`", False))
    stack: list[tuple[Any, str]] = [(schema, at)]
    while stack:  # iterative: schemas can nest deeper than Python's recursion limit
        node, where = stack.pop()
        if type(node) is not dict:
            continue
        for keyword in STRICT_UNSUPPORTED:
            if keyword in node:
                problems.append((f"{where}/{keyword}", f"strict function `{name}`: `{keyword}` is not supported in strict mode",
                                 True))
        fmt = node.get("format")
        if fmt is not None and fmt not in STRICT_FORMATS:
            problems.append((f"{where}/format", f"strict function `{name}`: format {_show(fmt)} is not supported in strict mode",
                             False))
        types = node.get("type")
        is_object = types == "object" or (type(types) is list and "object" in types) or "properties" in node
        if is_object:
            if node.get("additionalProperties") is not False:
                spot = f"{where}/additionalProperties" if "additionalProperties" in node else where
                problems.append((spot, f"strict function `{name}`: objects need `additionalProperties: false`", False))
            properties = node.get("properties")
            if type(properties) is dict:
                required = node.get("required")
                required = required if type(required) is list else []
                missing = [p for p in properties if p not in required]
                if missing:
                    spot = f"{where}/required" if "required" in node else where
                    listed = ", ".join(f"`{m}`" for m in missing)
                    problems.append((spot, f"strict function `{name}`: every property must be required; missing {listed}",
                                     False))
                for key, sub in properties.items():
                    stack.append((sub, f"{where}/properties/{_escape(key)}"))
        items = node.get("items")
        if items is not None:
            stack.append((items, f"{where}/items"))
        any_of = node.get("anyOf")
        if type(any_of) is list:
            for i, sub in enumerate(any_of):
                stack.append((sub, f"{where}/anyOf/{i}"))
        for defs in ("$defs", "definitions"):
            table = node.get(defs)
            if type(table) is dict:
                for key, sub in table.items():
                    stack.append((sub, f"{where}/{defs}/{_escape(key)}"))
    if "anyOf" in schema:
        problems.append((at + "/anyOf", f"strict function `{name}`: the root schema cannot be `anyOf`", True))
    problems.sort()
    return problems


def _escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def json_type(value: Any) -> str:
    """A JSON type name for messages ('a string', 'null', ...)."""
    if value is None:
        return "null"
    if type(value) is bool:
        return "a boolean"
    if type(value) in (int, float):
        return "a number"
    if type(value) is str:
        return "a string"
    if type(value) is list:
        return "an array"
    if type(value) is dict:
        return "an object"
    return type(value).__name__  # pragma: no cover


def _show(value: Any) -> str:
    return f"`{value}`" if type(value) is str else json_type(value)
