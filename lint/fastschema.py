"""A compiled yes-check for the JSON Schema subset that tool parameters use.

jsonschema's validator costs tens of microseconds per call, which dominates a lint of a
large tool-calling file. Almost every call is valid, so this module compiles a schema into
a plain Python predicate that answers "certainly valid" or "not sure". Only "not sure"
goes to jsonschema, which then produces the real error messages. Schemas with keywords
outside the subset compile to None and always use jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
ANNOTATIONS = frozenset({"description", "title", "default", "examples", "format", "$comment", "deprecated",
                         "readOnly", "writeOnly", "$schema"})
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"
MAX_DEPTH = 64


def _is_number(v: Any) -> bool:
    return (type(v) is int or type(v) is float)


TYPES: dict[str, Check] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "number": _is_number,
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "null": lambda v: v is None,
}


class Unsupported(Exception):
    pass


def compile_schema(schema: Any) -> Check | None:
    """A predicate that is True only for instances the schema certainly accepts, or None."""
    if type(schema) is dict and schema.get("$schema", DRAFT_2020).rstrip("#") != DRAFT_2020:
        return None  # another draft: leave the semantics to jsonschema
    try:
        return _compile(schema, 0)
    except (Unsupported, re.error, TypeError, ValueError):
        return None


def _scalar_key(v: Any) -> bool:
    return type(v) in (str, int, float, bool) or v is None


def _compile(schema: Any, depth: int) -> Check:
    if depth > MAX_DEPTH:
        raise Unsupported
    if schema is True or schema == {}:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if type(schema) is not dict:
        raise Unsupported
    if schema.get("type") == "object" and type(schema.get("properties")) is dict \
            and all(k in OBJECT_KEYWORDS or k in ANNOTATIONS for k in schema):
        return _object(schema, depth)
    checks = [_keyword(key, value, schema, depth) for key, value in schema.items() if key not in ANNOTATIONS]
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]

    def all_of(v: Any) -> bool:
        for check in checks:
            if not check(v):
                return False
        return True

    return all_of


OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})


def _object(schema: dict, depth: int) -> Check:
    """The usual parameters schema as one loop (the hot path of a tool-calling lint)."""
    props = {name: _compile(sub, depth + 1) for name, sub in schema["properties"].items()}
    required = schema.get("required", [])
    if type(required) is not list:
        raise Unsupported
    needed = tuple(required)
    extra = _compile(schema["additionalProperties"], depth + 1) if "additionalProperties" in schema else None

    def check(v: Any) -> bool:
        if type(v) is not dict:
            return False
        for key in needed:
            if key not in v:
                return False
        for key, item in v.items():
            sub = props.get(key)
            if sub is not None:
                if not sub(item):
                    return False
            elif extra is not None and not extra(item):
                return False
        return True

    return check


def _keyword(key: str, value: Any, schema: dict, depth: int) -> Check:
    if key == "type":
        names = [value] if type(value) is str else value
        if type(names) is not list or any(n not in TYPES for n in names):
            raise Unsupported
        tests = [TYPES[n] for n in names]
        return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))
    if key == "properties":
        if type(value) is not dict:
            raise Unsupported
        props = {name: _compile(sub, depth + 1) for name, sub in value.items()}
        return lambda v: type(v) is not dict or all(check(v[k]) for k, check in props.items() if k in v)
    if key == "required":
        if type(value) is not list:
            raise Unsupported
        needed = tuple(value)
        return lambda v: type(v) is not dict or all(k in v for k in needed)
    if key == "additionalProperties":
        known = set(schema.get("properties", {})) if type(schema.get("properties", {})) is dict else set()
        if "patternProperties" in schema:
            raise Unsupported
        extra = _compile(value, depth + 1)
        return lambda v: type(v) is not dict or all(extra(item) for k, item in v.items() if k not in known)
    if key == "items":
        each = _compile(value, depth + 1)
        return lambda v: type(v) is not list or all(each(item) for item in v)
    if key in ("enum", "const"):
        options = value if key == "enum" else [value]
        if type(options) is not list or not all(_scalar_key(o) for o in options):
            raise Unsupported  # containers and bool/number mixing: jsonschema's equality rules
        typed = {(type(o) is bool, o) for o in options}
        return lambda v: _scalar_key(v) and (type(v) is bool, v) in typed
    if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if not _is_number(value):
            raise Unsupported
        op = {"minimum": lambda v: v >= value, "maximum": lambda v: v <= value,
              "exclusiveMinimum": lambda v: v > value, "exclusiveMaximum": lambda v: v < value}[key]
        return lambda v: not _is_number(v) or op(v)
    if key in ("minLength", "maxLength"):
        if type(value) is not int:
            raise Unsupported
        return (lambda v: type(v) is not str or len(v) >= value) if key == "minLength" else (lambda v: type(v) is not str or len(v) <= value)
    if key in ("minItems", "maxItems"):
        if type(value) is not int:
            raise Unsupported
        return (lambda v: type(v) is not list or len(v) >= value) if key == "minItems" else (lambda v: type(v) is not list or len(v) <= value)
    if key == "pattern":
        if type(value) is not str or not value.isascii():
            raise Unsupported  # ECMA-262 vs Python regex differences beyond ASCII
        regex = re.compile(value)
        return lambda v: type(v) is not str or regex.search(v) is not None
    if key == "anyOf":
        if type(value) is not list or not value:
            raise Unsupported
        options = [_compile(sub, depth + 1) for sub in value]
        return lambda v: any(check(v) for check in options)
    raise Unsupported


_STRING_ANNOTATIONS = frozenset({"description", "title", "$comment", "format"})
_BOOL_ANNOTATIONS = frozenset({"deprecated", "readOnly", "writeOnly"})
_NUMBER_KEYWORDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_COUNT_KEYWORDS = frozenset({"minLength", "maxLength", "minItems", "maxItems"})


def certainly_valid_schema(schema: Any, depth: int = 0) -> bool:
    """True only when `schema` is certainly a valid draft 2020-12 schema (else: ask jsonschema).

    Covers the subset tool parameters use, so a clean file never imports jsonschema.
    """
    if schema is True or schema is False:
        return True
    if type(schema) is not dict or depth > MAX_DEPTH:
        return False
    for key, value in schema.items():
        if key in _STRING_ANNOTATIONS:
            ok = type(value) is str
        elif key in _BOOL_ANNOTATIONS:
            ok = type(value) is bool
        elif key == "examples":
            ok = type(value) is list
        elif key in ("default", "const"):
            ok = True
        elif key == "$schema":
            ok = type(value) is str and value.rstrip("#") == DRAFT_2020
        elif key == "type":
            names = [value] if type(value) is str else value
            ok = type(names) is list and bool(names) and all(type(n) is str and n in TYPES for n in names) \
                and len(set(names)) == len(names)
        elif key == "properties":
            ok = type(value) is dict and all(certainly_valid_schema(sub, depth + 1) for sub in value.values())
        elif key == "required":
            ok = type(value) is list and all(type(v) is str for v in value) and len(set(value)) == len(value)
        elif key in ("additionalProperties", "items"):
            ok = certainly_valid_schema(value, depth + 1)
        elif key == "enum":
            ok = type(value) is list
        elif key in _NUMBER_KEYWORDS:
            ok = type(value) in (int, float)
        elif key in _COUNT_KEYWORDS:
            ok = type(value) is int and value >= 0
        elif key == "pattern":
            ok = type(value) is str and value.isascii() and _compiles(value)
        elif key == "anyOf":
            ok = type(value) is list and bool(value) and all(certainly_valid_schema(sub, depth + 1) for sub in value)
        else:
            ok = False
        if not ok:
            return False
    return True


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True
