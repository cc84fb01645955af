"""What differs between two `tools` arrays, said the way a reviewer would ("adds
`strict: true` to `get_order`", "removes parameter `unit` from `get_weather`")."""

from __future__ import annotations

from typing import Any

import orjson

MAX_SAID = 2  # differences named in a message; the rest are counted


def difference(reference: Any, other: Any) -> str:
    """How `other` differs from `reference` ("" when it cannot tell: not function arrays)."""
    said = list(_differences(_functions(reference), _functions(other)))
    if not said:
        return ""
    more = f" (and {len(said) - MAX_SAID} more)" if len(said) > MAX_SAID else ""
    return "; ".join(said[:MAX_SAID]) + more


def _functions(tools: Any) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for entry in tools if type(tools) is list else ():
        function = entry.get("function") if type(entry) is dict else None
        if type(function) is dict and type(function.get("name")) is str:
            found.setdefault(function["name"], {**{k: v for k, v in entry.items() if k != "function"}, **function})
    return found


def _differences(reference: dict[str, dict], other: dict[str, dict]):
    for name in sorted(set(reference) & set(other)):
        old, new = reference[name], other[name]
        if old == new:
            continue
        for key in new:
            if key not in old:
                yield f"adds `{key}: {_short(new[key])}` to `{name}`"
        for key in old:
            if key not in new:
                yield f"drops `{key}` from `{name}`"
        for key in old:
            if key in new and old[key] != new[key] and key != "name":
                if key == "parameters":
                    yield from _parameters(name, old[key], new[key])
                elif key == "description":
                    yield f"words the description of `{name}` differently"
                else:
                    yield f"sets `{key}` of `{name}` to {_short(new[key])} (not {_short(old[key])})"


def _parameters(name: str, old: Any, new: Any):
    old_props = old.get("properties") if type(old) is dict else None
    new_props = new.get("properties") if type(new) is dict else None
    if type(old_props) is not dict or type(new_props) is not dict:
        yield f"changes the parameters of `{name}`"
        return
    for prop in new_props:
        if prop not in old_props:
            yield f"adds parameter `{prop}` to `{name}`"
    for prop in old_props:
        if prop not in new_props:
            yield f"removes parameter `{prop}` from `{name}`"
    for prop in old_props:
        if prop in new_props and old_props[prop] != new_props[prop]:
            yield f"changes parameter `{prop}` of `{name}`{_how(old_props[prop], new_props[prop])}"
    old_required = set(old.get("required") or ()) if type(old.get("required")) is list else set()
    new_required = set(new.get("required") or ()) if type(new.get("required")) is list else set()
    for prop in sorted(new_required - old_required, key=str):
        yield f"makes `{prop}` required in `{name}`"
    for prop in sorted(old_required - new_required, key=str):
        yield f"makes `{prop}` optional in `{name}`"
    rest_old = {k: v for k, v in old.items() if k not in ("properties", "required")}
    rest_new = {k: v for k, v in new.items() if k not in ("properties", "required")}
    if rest_old != rest_new:
        yield f"changes the parameters of `{name}` (besides their properties)"


def _how(old: Any, new: Any) -> str:
    if type(old) is dict and type(new) is dict:
        if old.get("type") != new.get("type"):
            return f" (type {_short(new.get('type'))}, not {_short(old.get('type'))})"
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if type(old_enum) is list and type(new_enum) is list:
            lost = [v for v in old_enum if v not in new_enum]
            gained = [v for v in new_enum if v not in old_enum]
            if lost:
                return f" (its enum lacks {', '.join(_short(v) for v in lost)})"
            if gained:
                return f" (its enum adds {', '.join(_short(v) for v in gained)})"
    return ""


def _short(value: Any) -> str:
    try:
        text = orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
